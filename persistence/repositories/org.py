"""The organization: bodies, units, people and their dated facts; read back as ``domain.facts.Organization``.

Writes are one fact at a time (the simulator, HR's corrections); the staff importer may use ``persistence.bulk``
for whole files. Reads answer "as of a date" questions with one indexed query each (``unit_of``, ``head_of``),
or build the whole organization as the rules engine sees it (``organization``): people keyed by personnel
number, units by code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from domain import facts, routing
from domain.vocabulary import AbsenceKind, Corps, Language, Role, SanctionKind
from persistence.heap import collecting_later
from persistence.models import (
    AbsenceRow,
    AppointmentRow,
    BodyRoleRow,
    BodyRow,
    CommissionMemberRow,
    ContactChannelRow,
    DelegationRow,
    DismissalRow,
    HeadRelationRow,
    PersonRow,
    PositionRow,
    ProbationRow,
    SanctionRow,
    SubstitutionRow,
    UnitRow,
)
from persistence.records import Appointment, Body, ContactChannel, Person, Unit
from persistence.repositories.base import Repository


def _covers(started: sa.ColumnElement[date], ended: sa.ColumnElement[date], on: date) -> sa.ColumnElement[bool]:
    """``started_on <= on <= ended_on`` with NULL meaning open at that end."""
    return sa.and_(sa.or_(started.is_(None), started <= on), sa.or_(ended.is_(None), ended >= on))


def _body(row: BodyRow) -> Body:
    return Body(id=row.id, code=row.code, name=row.name)


def _unit(row: UnitRow) -> Unit:
    return Unit(id=row.id, body_id=row.body_id, code=row.code, name=row.name, parent_id=row.parent_id)


def _person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        body_id=row.body_id,
        personnel_number=row.personnel_number,
        full_name=row.full_name,
        corps=Corps(row.corps),
        language=Language(row.language),
    )


def _contact(row: ContactChannelRow) -> ContactChannel:
    return ContactChannel(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        address=row.address,
        apprise_url=row.apprise_url,
        verified=row.verified,
        priority=row.priority,
    )


class OrgRepository(Repository):
    """State bodies, units, positions, people, and every dated fact about them."""

    # --- bodies and units --------------------------------------------------------------------------------------

    def add_body(self, *, code: str, name: str) -> Body:
        """Register a state body."""
        return _body(self._add(BodyRow(code=code, name=name)))

    def body(self, body_id: int) -> Body:
        return _body(self._get(BodyRow, body_id))

    def body_by_code(self, code: str) -> Body | None:
        row = self.session.execute(sa.select(BodyRow).where(BodyRow.code == code)).scalar_one_or_none()
        return None if row is None else _body(row)

    def add_unit(self, *, body_id: int, code: str, name: str, parent_id: int | None = None) -> Unit:
        """Add a structural unit (``parent_id``: the unit above, ``None`` at the top)."""
        return _unit(self._add(UnitRow(body_id=body_id, code=code, name=name, parent_id=parent_id)))

    def units(self, body_id: int) -> list[Unit]:
        rows = self.session.execute(sa.select(UnitRow).where(UnitRow.body_id == body_id).order_by(UnitRow.id))
        return [_unit(row) for row in rows.scalars()]

    def unit_by_code(self, body_id: int, code: str) -> Unit | None:
        statement = sa.select(UnitRow).where(UnitRow.body_id == body_id, UnitRow.code == code)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _unit(row)

    # --- people ------------------------------------------------------------------------------------------------

    def add_person(
        self,
        *,
        body_id: int,
        personnel_number: str,
        full_name: str,
        corps: Corps = Corps.B,
        language: Language = Language.KK,
    ) -> Person:
        """Register a person of a body (``personnel_number`` is unique within the body)."""
        row = PersonRow(
            body_id=body_id,
            personnel_number=personnel_number,
            full_name=full_name,
            corps=corps.value,
            language=language.value,
        )
        return _person(self._add(row))

    def person(self, person_id: int) -> Person:
        return _person(self._get(PersonRow, person_id))

    def people_by_id(self, person_ids: Iterable[int]) -> dict[int, Person]:
        """Person id → person, for a batch of ids in one query (delivery reads a batch's recipients at once)."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        statement = sa.select(PersonRow).where(PersonRow.id.in_(ids))
        return {row.id: _person(row) for row in self.session.execute(statement).scalars()}

    def person_by_number(self, body_id: int, personnel_number: str) -> Person | None:
        statement = sa.select(PersonRow).where(
            PersonRow.body_id == body_id, PersonRow.personnel_number == personnel_number
        )
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _person(row)

    def people(self, body_id: int) -> list[Person]:
        statement = sa.select(PersonRow).where(PersonRow.body_id == body_id).order_by(PersonRow.id)
        return [_person(row) for row in self.session.execute(statement).scalars()]

    def person_ids(self, body_id: int) -> dict[str, int]:
        """Personnel number → person id, for the whole body (to map ``domain.facts`` ids to rows)."""
        statement = sa.select(PersonRow.personnel_number, PersonRow.id).where(PersonRow.body_id == body_id)
        return dict(self.session.execute(statement).tuples().all())

    # --- positions and appointments ----------------------------------------------------------------------------

    def position(self, *, unit_id: int, category: str, title: str | None = None) -> int:
        """The id of the post (unit, title, category), created if new; ``title`` defaults to the category code."""
        values = {"unit_id": unit_id, "title": title or category, "category": category}
        new_id = self._insert_new(PositionRow.__table__, values, ("unit_id", "title", "category"))
        if new_id is not None:
            return new_id
        statement = sa.select(PositionRow.id).filter_by(**values)
        return int(self.session.execute(statement).scalar_one())

    def appoint(
        self,
        *,
        person_id: int,
        unit_id: int,
        category: str,
        started_on: date,
        ended_on: date | None = None,
        title: str | None = None,
        public_service: bool = False,
    ) -> Appointment:
        """Record that a person holds a post from ``started_on`` (the category must already be canonical);
        ``public_service``: the post provides public services (M-6).

        A move is two facts: end the old appointment (``end_appointment``), then appoint to the new post.
        """
        position_id = self.position(unit_id=unit_id, category=category, title=title)
        row = self._add(
            AppointmentRow(
                person_id=person_id,
                position_id=position_id,
                started_on=started_on,
                ended_on=ended_on,
                public_service=public_service,
            )
        )
        return self._appointment(row.id)

    def end_appointment(self, appointment_id: int, *, ended_on: date, reason: str | None = None) -> Appointment:
        """Set the last day of an appointment (audited)."""
        row = self._get(AppointmentRow, appointment_id, for_update=True)
        self._update(row, {"ended_on": ended_on}, allowed={"ended_on"}, entity_id=appointment_id, reason=reason)
        return self._appointment(appointment_id)

    def appointments(self, person_id: int) -> list[Appointment]:
        """Every appointment of a person, oldest first."""
        statement = self._appointments_query().where(AppointmentRow.person_id == person_id)
        return [Appointment(*row) for row in self.session.execute(statement.order_by(AppointmentRow.started_on))]

    def appointment_on(self, person_id: int, on: date) -> Appointment | None:
        """The appointment that covers ``on`` (the latest started, if records overlap), or ``None``."""
        statement = (
            self._appointments_query()
            .where(
                AppointmentRow.person_id == person_id, _covers(AppointmentRow.started_on, AppointmentRow.ended_on, on)
            )
            .order_by(AppointmentRow.started_on.desc())
            .limit(1)
        )
        row = self.session.execute(statement).first()
        return None if row is None else Appointment(*row)

    def unit_of(self, person_id: int, on: date) -> Unit | None:
        """The unit a person worked in on ``on`` (``None`` if not in service that day)."""
        appointment = self.appointment_on(person_id, on)
        return None if appointment is None else _unit(self._get(UnitRow, appointment.unit_id))

    def _appointment(self, appointment_id: int) -> Appointment:
        statement = self._appointments_query().where(AppointmentRow.id == appointment_id)
        return Appointment(*self.session.execute(statement).one())

    @staticmethod
    def _appointments_query() -> sa.Select[tuple[int, int, int, str, str, str, date, date | None, bool]]:
        return (
            sa.select(
                AppointmentRow.id,
                AppointmentRow.person_id,
                UnitRow.id,
                UnitRow.code,
                PositionRow.title,
                PositionRow.category,
                AppointmentRow.started_on,
                AppointmentRow.ended_on,
                AppointmentRow.public_service,
            )
            .join(PositionRow, PositionRow.id == AppointmentRow.position_id)
            .join(UnitRow, UnitRow.id == PositionRow.unit_id)
        )

    # --- reporting lines and substitutes -----------------------------------------------------------------------

    def set_head(self, *, person_id: int, head_id: int, started_on: date, ended_on: date | None = None) -> None:
        """Record ``head_id`` as the direct head of ``person_id`` from ``started_on``."""
        self._add(HeadRelationRow(person_id=person_id, head_id=head_id, started_on=started_on, ended_on=ended_on))

    def end_head(self, *, person_id: int, ended_on: date, reason: str | None = None) -> int:
        """End the reporting lines of ``person_id`` still open on ``ended_on`` that day (a move, audited); how many."""
        statement = sa.select(HeadRelationRow).where(
            HeadRelationRow.person_id == person_id,
            HeadRelationRow.started_on <= ended_on,
            sa.or_(HeadRelationRow.ended_on.is_(None), HeadRelationRow.ended_on > ended_on),
        )
        rows = list(self.session.execute(statement).scalars())
        for row in rows:
            self._update(row, {"ended_on": ended_on}, allowed={"ended_on"}, entity_id=row.id, reason=reason)
        return len(rows)

    def head_of(self, person_id: int, on: date) -> int | None:
        """The direct head of a person on ``on`` (``None`` at the top or when unknown)."""
        statement = (
            sa.select(HeadRelationRow.head_id)
            .where(
                HeadRelationRow.person_id == person_id,
                _covers(HeadRelationRow.started_on, HeadRelationRow.ended_on, on),
            )
            .order_by(HeadRelationRow.started_on.desc())
            .limit(1)
        )
        return self.session.execute(statement).scalar_one_or_none()

    def add_substitution(
        self, *, replaced_id: int, substitute_id: int, started_on: date, ended_on: date, basis: str | None = None
    ) -> None:
        """Record that ``substitute_id`` acts for ``replaced_id`` from ``started_on`` to ``ended_on`` (G-7)."""
        row = SubstitutionRow(
            replaced_id=replaced_id, substitute_id=substitute_id, started_on=started_on, ended_on=ended_on, basis=basis
        )
        self._add(row)

    def substitutes_for(self, person_id: int, on: date) -> list[int]:
        """Who acts for ``person_id`` on ``on`` (G-7), earliest assignment first."""
        statement = (
            sa.select(SubstitutionRow.substitute_id)
            .where(
                SubstitutionRow.replaced_id == person_id,
                _covers(SubstitutionRow.started_on, SubstitutionRow.ended_on, on),
            )
            .order_by(SubstitutionRow.started_on, SubstitutionRow.id)
        )
        return list(self.session.execute(statement).scalars())

    def add_delegation(self, *, evaluator_id: int, delegate_id: int, evaluatee_id: int, started_on: date) -> int:
        """D-4: ``evaluator_id`` designates ``delegate_id`` to evaluate ``evaluatee_id`` from ``started_on``."""
        row = self._add(
            DelegationRow(
                evaluator_id=evaluator_id, delegate_id=delegate_id, evaluatee_id=evaluatee_id, started_on=started_on
            )
        )
        after = {"evaluator_id": evaluator_id, "delegate_id": delegate_id, "evaluatee_id": evaluatee_id}
        self._audit.record("delegation", row.id, "designate", after={**after, "from": started_on.isoformat()})
        return int(row.id)  # type: ignore[arg-type]

    def delegations(self, evaluatee_ids: Iterable[int], on: date) -> dict[tuple[int, int], int]:
        """D-4: (evaluatee, evaluator) → the delegate designated by that evaluator, the latest by ``on``."""
        statement = (
            sa.select(DelegationRow.evaluatee_id, DelegationRow.evaluator_id, DelegationRow.delegate_id)
            .where(DelegationRow.evaluatee_id.in_(list(evaluatee_ids)), DelegationRow.started_on <= on)
            .order_by(DelegationRow.started_on, DelegationRow.id)
        )
        return {(evaluatee, evaluator): delegate for evaluatee, evaluator, delegate in self.session.execute(statement)}

    def delegations_in_body(self, body_id: int, on: date) -> dict[tuple[int, int], int]:
        """D-4: :meth:`delegations` for every evaluatee of the body, in one query whatever their number."""
        statement = (
            sa.select(DelegationRow.evaluatee_id, DelegationRow.evaluator_id, DelegationRow.delegate_id)
            .join(PersonRow, PersonRow.id == DelegationRow.evaluatee_id)
            .where(PersonRow.body_id == body_id, DelegationRow.started_on <= on)
            .order_by(DelegationRow.started_on, DelegationRow.id)
        )
        return {(evaluatee, evaluator): delegate for evaluatee, evaluator, delegate in self.session.execute(statement)}

    # --- absences, dismissals, probation, sanctions ------------------------------------------------------------

    def add_absence(self, *, person_id: int, kind: AbsenceKind, started_on: date, ended_on: date) -> None:
        """Record an absence, both days included (E-3, E-5)."""
        self._add(AbsenceRow(person_id=person_id, kind=kind.value, started_on=started_on, ended_on=ended_on))

    def dismiss(self, *, person_id: int, dismissed_on: date, reason: str | None = None) -> None:
        """Record a dismissal; ``dismissed_on`` is the last day in service, so open appointments end that day.

        Audited, because it changes who is evaluated in absentia (E-4).
        """
        self._add(DismissalRow(person_id=person_id, dismissed_on=dismissed_on, reason=reason))
        open_appointments = sa.select(AppointmentRow).where(
            AppointmentRow.person_id == person_id,
            AppointmentRow.ended_on.is_(None),
            AppointmentRow.started_on <= dismissed_on,
        )
        for row in self.session.execute(open_appointments).scalars():
            row.ended_on = dismissed_on
        self.session.flush()
        after = {"dismissed_on": dismissed_on.isoformat()}
        self._audit.record("person", person_id, "dismiss", after=after, reason=reason)

    def add_probation(self, *, person_id: int, ends_on: date, started_on: date | None = None) -> None:
        """Record a probation period ending on ``ends_on`` (E-5)."""
        self._add(ProbationRow(person_id=person_id, started_on=started_on, ends_on=ends_on))

    def add_sanction(self, *, person_id: int, kind: SanctionKind, imposed_on: date, basis: str | None = None) -> None:
        """Record a disciplinary sanction (the Q-3 register)."""
        self._add(SanctionRow(person_id=person_id, kind=kind.value, imposed_on=imposed_on, basis=basis))

    # --- contacts ----------------------------------------------------------------------------------------------

    def add_contact(
        self,
        *,
        person_id: int,
        kind: str,
        address: str,
        apprise_url: str | None = None,
        verified: bool = False,
        priority: int = 100,
    ) -> ContactChannel:
        """Add a way to reach a person; adding the same (kind, address) again returns the existing channel."""
        values = {
            "person_id": person_id,
            "kind": kind,
            "address": address,
            "apprise_url": apprise_url,
            "verified": verified,
            "priority": priority,
        }
        self._insert_new(ContactChannelRow.__table__, values, ("person_id", "kind", "address"))
        statement = sa.select(ContactChannelRow).filter_by(person_id=person_id, kind=kind, address=address)
        return _contact(self.session.execute(statement).scalar_one())

    def contacts(self, person_id: int) -> list[ContactChannel]:
        """A person's channels, by priority (lowest first)."""
        statement = (
            sa.select(ContactChannelRow)
            .where(ContactChannelRow.person_id == person_id)
            .order_by(ContactChannelRow.priority, ContactChannelRow.id)
        )
        return [_contact(row) for row in self.session.execute(statement).scalars()]

    def contacts_of(self, person_ids: Iterable[int]) -> dict[int, list[ContactChannel]]:
        """Each person's channels, by priority (lowest first), for a batch of people in one query."""
        ids = sorted(set(person_ids))
        found: dict[int, list[ContactChannel]] = {person_id: [] for person_id in ids}
        if not ids:
            return found
        statement = (
            sa.select(ContactChannelRow)
            .where(ContactChannelRow.person_id.in_(ids))
            .order_by(ContactChannelRow.person_id, ContactChannelRow.priority, ContactChannelRow.id)
        )
        for row in self.session.execute(statement).scalars():
            found[row.person_id].append(_contact(row))
        return found

    # --- body roles and the Commission -------------------------------------------------------------------------

    def add_role(
        self,
        *,
        body_id: int,
        person_id: int,
        role: Role,
        started_on: date | None = None,
        ended_on: date | None = None,
    ) -> None:
        """Give a person a body-level role (appointing official, HR, HR head) over an interval."""
        row = BodyRoleRow(
            body_id=body_id, person_id=person_id, role=role.value, started_on=started_on, ended_on=ended_on
        )
        self._add(row)

    def people_with_role(self, body_id: int, role: Role, on: date) -> list[int]:
        """Who holds ``role`` in the body on ``on``."""
        statement = (
            sa.select(BodyRoleRow.person_id)
            .where(
                BodyRoleRow.body_id == body_id,
                BodyRoleRow.role == role.value,
                _covers(BodyRoleRow.started_on, BodyRoleRow.ended_on, on),
            )
            .order_by(BodyRoleRow.id)
        )
        return list(self.session.execute(statement).scalars())

    def add_commission_member(
        self,
        *,
        body_id: int,
        person_id: int,
        is_chair: bool = False,
        is_secretary: bool = False,
        started_on: date | None = None,
        ended_on: date | None = None,
    ) -> None:
        """Add a member to the body's Evaluation Commission (M-7); the secretary does not vote."""
        row = CommissionMemberRow(
            body_id=body_id,
            person_id=person_id,
            is_chair=is_chair,
            is_secretary=is_secretary,
            started_on=started_on,
            ended_on=ended_on,
        )
        self._add(row)
        self._audit.record(
            "commission_member",
            row.id,
            "add",
            after={"person_id": person_id, "chair": is_chair, "secretary": is_secretary},
        )

    # --- the organization as domain facts ----------------------------------------------------------------------

    def organization(self, body_id: int, on: date) -> facts.Organization:
        """The body as the rules engine sees it on ``on``: ``domain.facts`` keyed by personnel number and unit code.

        Appointments that start after ``on`` are not known yet; an earlier appointment left open ends the day
        before the next one starts. Heads, HR, the appointing official and the Commission are those of ``on``.
        """
        with collecting_later():
            return self._organization(body_id, on)

    def _organization(self, body_id: int, on: date) -> facts.Organization:
        body = self._get(BodyRow, body_id)
        # Plain rows, not ORM instances: the facts are built from them and the session need not track 100,000
        # people (issue 13: loading them as entities was a quarter of building the organization).
        people: list[tuple[int, str, str, str]] = [
            (person_id, personnel_number, full_name, corps)
            for person_id, personnel_number, full_name, corps in self.session.execute(
                sa.select(PersonRow.id, PersonRow.personnel_number, PersonRow.full_name, PersonRow.corps)
                .where(PersonRow.body_id == body_id)
                .order_by(PersonRow.id)
            ).all()
        ]
        number = {person_id: personnel_number for person_id, personnel_number, _, _ in people}
        units = {
            row.id: row
            for row in self.session.execute(
                sa.select(UnitRow.id, UnitRow.code, UnitRow.name, UnitRow.parent_id)
                .where(UnitRow.body_id == body_id)
                .order_by(UnitRow.code)  # in the order of their codes, whatever plan reads them (0197)
            )
        }
        by_person = self._facts_by_person(body_id, on)
        employees = [self._employee(person, number, by_person, on) for person in people]
        return facts.Organization(
            name=body.name,
            employees=employees,
            units=[
                facts.Unit(id=row.code, name=row.name, parent=units[row.parent_id].code if row.parent_id else None)
                for row in units.values()
            ],
            hr=[number[p] for role in (Role.HR, Role.HR_HEAD) for p in self.people_with_role(body_id, role, on)],
            appointing_official=next(
                (number[p] for p in self.people_with_role(body_id, Role.APPOINTING_OFFICIAL, on)), None
            ),
            commission=self._commission(body_id, on, number),
        )

    def seat_holder(self, body_id: int, person_id: int, on: date) -> int:
        """G-7: who acts in the person's stead on ``on`` (:func:`domain.routing.seat_holder`: the person acting for
        them while they are away, else the person), decided on the facts of the person and of those assigned to act
        for them only, not of the whole body: an R-2 check of a page asks it (issue 13)."""
        acting = sa.select(SubstitutionRow.substitute_id).where(
            SubstitutionRow.replaced_id == person_id, _covers(SubstitutionRow.started_on, SubstitutionRow.ended_on, on)
        )
        ids = sorted({person_id, *self.session.execute(acting).scalars()})
        if len(ids) == 1:
            return person_id
        people = [
            (row.id, row.personnel_number, row.full_name, row.corps)
            for row in self.session.execute(
                sa.select(PersonRow.id, PersonRow.personnel_number, PersonRow.full_name, PersonRow.corps)
                .where(PersonRow.body_id == body_id, PersonRow.id.in_(ids))
                .order_by(PersonRow.id)
            )
        ]
        number = {key: personnel_number for key, personnel_number, _, _ in people}
        if person_id not in number:
            return person_id
        by_person = self._facts_by_person(body_id, on, people=ids)
        employees = [self._employee(person, number, by_person, on) for person in people]
        few = facts.Organization(name="", employees=employees)
        holder = routing.seat_holder(number[person_id], few, on)
        return next(key for key, personnel_number in number.items() if personnel_number == holder)

    def _facts_by_person(
        self, body_id: int, on: date, *, people: Sequence[int] | None = None
    ) -> dict[str, dict[int, list[Any]]]:
        """Every dated fact of the body's people (or of ``people`` of it), one query per kind, grouped by person id
        (the first column)."""
        in_body = sa.select(PersonRow.id).where(PersonRow.body_id == body_id)
        if people is not None:
            in_body = in_body.where(PersonRow.id.in_(people))
        queries = {
            "heads": sa.select(
                HeadRelationRow.person_id, HeadRelationRow.head_id, HeadRelationRow.started_on, HeadRelationRow.ended_on
            )
            .where(HeadRelationRow.person_id.in_(in_body), HeadRelationRow.started_on <= on)
            .order_by(HeadRelationRow.started_on, HeadRelationRow.id),
            "absences": sa.select(AbsenceRow.person_id, AbsenceRow.kind, AbsenceRow.started_on, AbsenceRow.ended_on)
            .where(AbsenceRow.person_id.in_(in_body))
            .order_by(AbsenceRow.started_on),
            "sanctions": sa.select(SanctionRow.person_id, SanctionRow.kind, SanctionRow.imposed_on)
            .where(SanctionRow.person_id.in_(in_body))
            .order_by(SanctionRow.imposed_on),
            "dismissals": sa.select(DismissalRow.person_id, DismissalRow.dismissed_on)
            .where(DismissalRow.person_id.in_(in_body))
            .order_by(DismissalRow.dismissed_on),
            "probations": sa.select(ProbationRow.person_id, ProbationRow.ends_on)
            .where(ProbationRow.person_id.in_(in_body))
            .order_by(ProbationRow.ends_on),
            "acting": sa.select(
                SubstitutionRow.substitute_id,
                SubstitutionRow.replaced_id,
                SubstitutionRow.started_on,
                SubstitutionRow.ended_on,
            )
            .where(SubstitutionRow.substitute_id.in_(in_body))
            .order_by(SubstitutionRow.started_on),
        }
        grouped: dict[str, dict[int, list[Any]]] = {}
        for name, statement in queries.items():
            grouped[name] = defaultdict(list)
            for person_id, *values in self.session.execute(statement).all():
                grouped[name][person_id].append(tuple(values))
        appointments = self._appointments_query().where(AppointmentRow.person_id.in_(in_body))
        grouped["appointments"] = defaultdict(list)
        for row in self.session.execute(appointments.order_by(AppointmentRow.started_on)).all():
            appointment = Appointment(*row)
            grouped["appointments"][appointment.person_id].append(appointment)
        return grouped

    @staticmethod
    def _employee(
        person: tuple[int, str, str, str],
        number: dict[int, str],
        by_person: dict[str, dict[int, list[Any]]],
        on: date,
    ) -> facts.Employee:
        person_id, personnel_number, full_name, corps = person
        current, earlier = _current_and_earlier(by_person["appointments"].get(person_id, []), on)
        head, spells = _reporting_line(by_person["heads"].get(person_id, []), number, on)
        tenure = _tenure_starts([*earlier, *([current] if current else [])])
        dismissals = by_person["dismissals"].get(person_id, [])
        probations = by_person["probations"].get(person_id, [])
        dismissed = next(
            (day for (day,) in reversed(dismissals) if current is None or day >= current.started_on),
            current.ended_on if current else None,
        )
        return facts.Employee(
            id=personnel_number,
            name=full_name,
            corps=Corps(corps),
            category=current.category if current else None,
            unit=current.unit_code if current else None,
            head=head,
            heads=spells,
            tenure_from=tenure[-1] if current else None,
            public_service=bool(current.public_service) if current else False,
            appointed=current.started_on if current else None,
            dismissed=dismissed,
            probation_until=probations[-1][0] if probations else None,
            absences=[
                facts.Absence(AbsenceKind(kind), start, end)
                for kind, start, end in by_person["absences"].get(person_id, [])
            ],
            sanctions=[
                facts.Sanction(SanctionKind(kind), day) for kind, day in by_person["sanctions"].get(person_id, [])
            ],
            acting_for=[
                facts.ActingAssignment(number[replaced], start, end)
                for replaced, start, end in by_person["acting"].get(person_id, [])
                if replaced in number
            ],
            appointments=[
                facts.Appointment(item.unit_code, item.category, item.started_on, item.ended_on, since)
                for item, since in zip(earlier, tenure, strict=False)
            ],
        )

    def _commission(self, body_id: int, on: date, number: dict[int, str]) -> facts.CommissionComposition | None:
        statement = (
            sa.select(CommissionMemberRow)
            .where(
                CommissionMemberRow.body_id == body_id,
                _covers(CommissionMemberRow.started_on, CommissionMemberRow.ended_on, on),
            )
            .order_by(CommissionMemberRow.id)
        )
        rows = list(self.session.execute(statement).scalars())
        chair = next((number[row.person_id] for row in rows if row.is_chair), None)
        secretary = next((number[row.person_id] for row in rows if row.is_secretary), None)
        if chair is None or secretary is None:
            return None
        members = [number[row.person_id] for row in rows if not row.is_secretary]
        return facts.CommissionComposition(chair=chair, secretary=secretary, members=members)


def _current_and_earlier(appointments: Sequence[Appointment], on: date) -> tuple[Appointment | None, list[Appointment]]:
    """The appointment current on ``on`` (latest started by then, else the first) and those before it, closed."""
    if not appointments:
        return None, []
    started = [item for item in appointments if item.started_on <= on]
    current = started[-1] if started else appointments[0]
    earlier = [item for item in appointments if item.started_on < current.started_on]
    return current, list(_closed(earlier, current.started_on))


def _closed(appointments: Iterable[Appointment], next_start: date) -> Iterable[Appointment]:
    items = list(appointments)
    for index, item in enumerate(items):
        following = items[index + 1].started_on if index + 1 < len(items) else next_start
        yield item if item.ended_on is not None else replace(item, ended_on=following - timedelta(days=1))


def _tenure_starts(positions: Sequence[Appointment]) -> list[date | None]:
    """E-1 (003 §5): for each position (oldest first, closed but the last), the day of the appointment to the post
    it continues — a position in the same category starting the day after the one before ended is the same post
    moved to another unit (decision 0110); ``None`` where the position is itself the appointment."""
    found: list[date | None] = []
    for index, item in enumerate(positions):
        before = positions[index - 1] if index else None
        continues = (
            before is not None
            and before.category == item.category
            and before.ended_on is not None
            and before.ended_on + timedelta(days=1) == item.started_on
        )
        found.append((found[-1] or before.started_on) if continues and before is not None else None)
    return found


def _reporting_line(
    lines: Sequence[tuple[int, date, date | None]], number: dict[int, str], on: date
) -> tuple[str | None, list[facts.HeadSpell]]:
    """The direct head on ``on`` and the earlier reporting lines as closed spells (the head at evaluation time
    evaluates, 0071); lines starting after ``on`` are not known yet, overlapping records end where the next starts."""
    current: str | None = None
    spells: list[facts.HeadSpell] = []
    ordered = sorted((line for line in lines if line[1] <= on), key=lambda line: line[1])
    for index, (head_id, start, end) in enumerate(ordered):
        following = ordered[index + 1][1] if index + 1 < len(ordered) else None
        last = end
        if following is not None and (last is None or last >= following):
            last = following - timedelta(days=1)
        if last is not None and last < start:
            continue
        if last is None or last >= on:
            current = number.get(head_id)
            continue
        spells.append(facts.HeadSpell(number.get(head_id), start, last))
    return current, spells
