"""The database side of an import: read the body's organization in a handful of queries, write a plan set-based.

Everything runs on the unit of work's connection, so it commits or rolls back with it. Reads are one query per
table for the whole body; writes are one ``executemany`` (or multi-row ``INSERT``) per table and kind of change,
never one round trip per person, so a 10,000-person file costs the same few dozen statements as a ten-person one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from persistence import bulk
from persistence.importers.plan import (
    Change,
    DbAppointment,
    DbDated,
    DbHead,
    DbPerson,
    DbUnit,
    Plan,
    PositionKey,
    Snapshot,
)
from persistence.models import (
    AbsenceRow,
    AppointmentRow,
    AuditLogRow,
    BodyRoleRow,
    BodyRow,
    CommissionMemberRow,
    ContactChannelRow,
    DismissalRow,
    HeadRelationRow,
    PersonRow,
    PositionRow,
    ProbationRow,
    SanctionRow,
    UnitRow,
)
from persistence.models.base import now_utc
from persistence.repositories.base import plain
from persistence.secrets import SecretBox, SecretUnavailable, open_secret

# --- the body ------------------------------------------------------------------------------------------------------


def lock_body(connection: sa.Connection, code: str, name: str) -> tuple[int, str, bool]:
    """The body ``code`` (its id, its name, whether this call created it, named ``name``), locked for this transaction.

    On PostgreSQL the row lock makes two imports into one body run one after the other (SQLite's ``BEGIN
    IMMEDIATE`` already does).
    """
    statement = bulk.insert_statement(connection, BodyRow.__table__).values(code=code, name=name)
    statement = statement.on_conflict_do_nothing(index_elements=["code"]).execution_options(preserve_rowcount=True)
    created = connection.execute(statement).rowcount == 1
    query = sa.select(BodyRow.id, BodyRow.name).where(BodyRow.code == code)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).one()
    return row.id, row.name, created


def body_codes(connection: sa.Connection) -> list[str]:
    return list(connection.execute(sa.select(BodyRow.code).order_by(BodyRow.code)).scalars())


# --- reading -------------------------------------------------------------------------------------------------------


def load_snapshot(
    connection: sa.Connection, body_id: int, body_name: str, *, scenario: bool, secrets: SecretBox | None = None
) -> Snapshot:
    """The body's units, people and their dated facts; ``scenario`` adds absences, sanctions, Commission seats."""
    snapshot = Snapshot(body_id=body_id, body_name=body_name)
    for unit in connection.execute(
        sa.select(UnitRow.id, UnitRow.code, UnitRow.name, UnitRow.parent_id).where(UnitRow.body_id == body_id)
    ).all():
        snapshot.units[unit.code] = DbUnit(unit.id, unit.code, unit.name, unit.parent_id)
        snapshot.unit_codes[unit.id] = unit.code
    people = sa.select(
        PersonRow.id, PersonRow.personnel_number, PersonRow.full_name, PersonRow.corps, PersonRow.language
    )
    for person in connection.execute(people.where(PersonRow.body_id == body_id)).all():
        snapshot.people[person.personnel_number] = DbPerson(*person)
        snapshot.numbers[person.id] = person.personnel_number
    in_body = sa.select(PersonRow.id).where(PersonRow.body_id == body_id).scalar_subquery()

    appointments = (
        sa.select(
            AppointmentRow.person_id,
            AppointmentRow.id,
            UnitRow.code,
            PositionRow.title,
            PositionRow.category,
            AppointmentRow.started_on,
            AppointmentRow.ended_on,
            AppointmentRow.public_service,
        )
        .join(PositionRow, PositionRow.id == AppointmentRow.position_id)
        .join(UnitRow, UnitRow.id == PositionRow.unit_id)
        .where(AppointmentRow.person_id.in_(in_body))
        .order_by(AppointmentRow.person_id, AppointmentRow.started_on, AppointmentRow.id)
    )
    for person_id, row_id, unit, title, category, started, ended, public in connection.execute(appointments).all():
        snapshot.appointments.setdefault(person_id, []).append(
            DbAppointment(row_id, (unit, title, category), started, ended, bool(public))
        )
    heads = (
        sa.select(
            HeadRelationRow.person_id,
            HeadRelationRow.id,
            HeadRelationRow.head_id,
            HeadRelationRow.started_on,
            HeadRelationRow.ended_on,
        )
        .where(HeadRelationRow.person_id.in_(in_body))
        .order_by(HeadRelationRow.person_id, HeadRelationRow.started_on, HeadRelationRow.id)
    )
    for person_id, *values in connection.execute(heads).all():
        snapshot.heads.setdefault(person_id, []).append(DbHead(*values))
    _dated(
        connection,
        snapshot.dismissals,
        sa.select(DismissalRow.person_id, DismissalRow.id, DismissalRow.dismissed_on, sa.null())
        .where(DismissalRow.person_id.in_(in_body))
        .order_by(DismissalRow.dismissed_on, DismissalRow.id),
    )
    _dated(
        connection,
        snapshot.probations,
        sa.select(ProbationRow.person_id, ProbationRow.id, ProbationRow.started_on, ProbationRow.ends_on)
        .where(ProbationRow.person_id.in_(in_body))
        .order_by(ProbationRow.ends_on, ProbationRow.id),
    )
    contacts = sa.select(
        ContactChannelRow.person_id,
        ContactChannelRow.id,
        ContactChannelRow.kind,
        ContactChannelRow.address,
        ContactChannelRow.apprise_url,
    ).where(ContactChannelRow.person_id.in_(in_body))
    for person_id, row_id, kind, address, url in connection.execute(contacts.order_by(ContactChannelRow.id)).all():
        snapshot.contacts.setdefault(person_id, []).append((row_id, kind, address))
        snapshot.contact_urls[row_id] = _opened(url, secrets)
    roles = (
        sa.select(BodyRoleRow.person_id, BodyRoleRow.id, BodyRoleRow.started_on, BodyRoleRow.ended_on, BodyRoleRow.role)
        .where(BodyRoleRow.body_id == body_id)
        .order_by(BodyRoleRow.id)
    )
    for person_id, row_id, started, ended, role in connection.execute(roles).all():
        snapshot.roles.setdefault(person_id, []).append(DbDated(row_id, started, ended, kind=role))
    if scenario:
        _scenario_facts(connection, snapshot, body_id, in_body)
    return snapshot


def _dated(connection: sa.Connection, into: dict[int, list[DbDated]], statement: sa.Select[Any]) -> None:
    for person_id, row_id, started, ended in connection.execute(statement).all():
        into.setdefault(person_id, []).append(DbDated(row_id, started, ended))


def _scenario_facts(connection: sa.Connection, snapshot: Snapshot, body_id: int, in_body: Any) -> None:
    absences = sa.select(AbsenceRow.person_id, AbsenceRow.kind, AbsenceRow.started_on, AbsenceRow.ended_on)
    for person_id, kind, started, ended in connection.execute(absences.where(AbsenceRow.person_id.in_(in_body))).all():
        snapshot.absences.setdefault(person_id, set()).add((kind, started, ended))
    sanctions = sa.select(SanctionRow.person_id, SanctionRow.kind, SanctionRow.imposed_on)
    for person_id, kind, imposed in connection.execute(sanctions.where(SanctionRow.person_id.in_(in_body))).all():
        snapshot.sanctions.setdefault(person_id, set()).add((kind, imposed))
    seats = sa.select(
        CommissionMemberRow.person_id,
        CommissionMemberRow.id,
        CommissionMemberRow.started_on,
        CommissionMemberRow.ended_on,
        CommissionMemberRow.is_chair,
        CommissionMemberRow.is_secretary,
    ).where(CommissionMemberRow.body_id == body_id)
    for person_id, row_id, started, ended, chair, secretary in connection.execute(
        seats.order_by(CommissionMemberRow.id)
    ).all():
        snapshot.seats.setdefault(person_id, []).append(DbDated(row_id, started, ended, flags=(chair, secretary)))


# --- writing -------------------------------------------------------------------------------------------------------


def _opened(url: str | None, secrets: SecretBox | None) -> str | None:
    try:
        return open_secret(url, secrets) if url else None
    except SecretUnavailable:
        return None  # compared as different: the file's URL replaces it, sealed with the current key


class Writer:
    """Applies a :class:`Plan` on one connection, then writes its audit rows (actor and reason on every one).

    A contact's apprise URL (it may hold a bot token or a webhook key) is written sealed with ``secrets``
    (``persistence.secrets``); the audit rows name the contact by its kind and masked address only.
    """

    def __init__(
        self,
        connection: sa.Connection,
        snapshot: Snapshot,
        *,
        actor: str,
        reason: str,
        secrets: SecretBox | None = None,
    ) -> None:
        self.secrets = secrets
        self.connection = connection
        self.db = snapshot
        self.body_id = snapshot.body_id
        self.actor = actor
        self.reason = reason
        self.people = {number: person.id for number, person in snapshot.people.items()}
        self.units = {code: unit.id for code, unit in snapshot.units.items()}
        self.positions: dict[PositionKey, int] = {}
        self.audit_rows: list[dict[str, Any]] = []

    def apply(self, plan: Plan) -> None:
        if plan.body_name is not None:
            self._update(BodyRow, [{"row_id": self.body_id, "name": plan.body_name}])
        self._units(plan)
        self._people(plan)
        self._positions(plan)
        self._appointments(plan)
        self._heads(plan)
        self._dismissals(plan)
        self._probations(plan)
        self._contacts(plan)
        self._roles(plan)
        self._scenario_facts(plan)
        for audit in plan.audits:
            self._audit(audit.entity, self._id(audit.entity_id), audit.action, audit.before, audit.after, audit.detail)

    def summary(self, after: Mapping[str, Any]) -> None:
        """The import's own audit row on the body: which file, its hash, what it changed."""
        self._audit("body", self.body_id, "import_staff", None, dict(after), None)

    def flush_audit(self) -> None:
        self._insert(AuditLogRow, self.audit_rows)
        self.audit_rows = []

    # --- tables ---

    def _units(self, plan: Plan) -> None:
        new = [
            {"body_id": self.body_id, "code": code, "name": name, "parent_id": None} for code, name in plan.new_units
        ]
        if new:
            self._insert(UnitRow, new)
            query = sa.select(UnitRow.code, UnitRow.id).where(UnitRow.body_id == self.body_id)
            self.units = dict(self.connection.execute(query).tuples().all())
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for code, changes in plan.unit_changes.items():
            values: dict[str, Any] = {"row_id": self.units[code]}
            if "name" in changes:
                values["name"] = changes["name"]
            if "parent" in changes:
                values["parent_id"] = None if changes["parent"] is None else self.units[changes["parent"]]
            by_columns[tuple(sorted(values))].append(values)
        for rows in by_columns.values():
            self._update(UnitRow, rows)

    def _people(self, plan: Plan) -> None:
        if plan.new_people:
            now = now_utc()
            self._insert(
                PersonRow,
                [
                    {
                        "body_id": self.body_id,
                        "personnel_number": person.personnel_number,
                        "full_name": person.full_name,
                        "corps": person.corps.value,
                        "language": (person.language.value if person.language else "kk"),
                        "created_at": now,
                    }
                    for person in plan.new_people
                ],
            )
            query = sa.select(PersonRow.personnel_number, PersonRow.id).where(PersonRow.body_id == self.body_id)
            self.people = dict(self.connection.execute(query).tuples().all())
        rows = [{"row_id": person_id, **values} for person_id, values in plan.person_changes.items()]
        self._update(PersonRow, rows)

    def _positions(self, plan: Plan) -> None:
        wanted = set(plan.positions)
        wanted.update(change.after["position"] for change in plan.appointment_changes.values())
        if not wanted:
            return
        rows = [{"unit_id": self.units[unit], "title": title, "category": category} for unit, title, category in wanted]
        bulk.insert_ignoring_duplicates(self.connection, PositionRow.__table__, rows, ("unit_id", "title", "category"))
        query = (
            sa.select(UnitRow.code, PositionRow.title, PositionRow.category, PositionRow.id)
            .join(UnitRow, UnitRow.id == PositionRow.unit_id)
            .where(UnitRow.body_id == self.body_id)
        )
        self.positions = {
            (code, title, category): row_id for code, title, category, row_id in self.connection.execute(query)
        }

    def _appointments(self, plan: Plan) -> None:
        updates = []
        for change in plan.appointment_changes.values():
            after = change.after
            updates.append(
                {
                    "row_id": change.id,
                    "position_id": self.positions[after["position"]],
                    "started_on": after["started_on"],
                    "ended_on": after["ended_on"],
                    "public_service": bool(after.get("public_service", False)),
                }
            )
            self._change(change)
        self._update(AppointmentRow, updates)
        self._insert(
            AppointmentRow,
            [
                {
                    "person_id": self.people[item.person],
                    "position_id": self.positions[item.position],
                    "started_on": item.started_on,
                    "ended_on": item.ended_on,
                    "public_service": item.public_service,
                }
                for item in plan.new_appointments
            ],
        )

    def _heads(self, plan: Plan) -> None:
        updates = []
        for change in plan.head_changes.values():
            updates.append(
                {
                    "row_id": change.id,
                    "head_id": self.people[change.after["head"]],
                    "ended_on": change.after["ended_on"],
                }
            )
            self._change(change)
        self._update(HeadRelationRow, updates)
        self._delete(HeadRelationRow, plan.head_removals, "head_relation")
        self._insert(
            HeadRelationRow,
            [
                {"person_id": self.people[person], "head_id": self.people[head], "started_on": start}
                for person, head, start in plan.new_heads
            ],
        )

    def _dismissals(self, plan: Plan) -> None:
        self._changes(DismissalRow, plan.dismissal_changes.values())
        self._insert(
            DismissalRow,
            [
                {"person_id": self.people[person], "dismissed_on": day, "reason": self.reason}
                for person, day in plan.new_dismissals
            ],
        )

    def _probations(self, plan: Plan) -> None:
        self._changes(ProbationRow, plan.probation_changes.values())
        self._insert(
            ProbationRow,
            [
                {"person_id": self.people[person], "started_on": started, "ends_on": ends}
                for person, started, ends in plan.new_probations
            ],
        )

    def _contacts(self, plan: Plan) -> None:
        removed = [
            (row_id, {"person_id": person, "kind": kind, "address": address})
            for row_id, person, kind, address in plan.removed_contacts
        ]
        self._delete(ContactChannelRow, removed, "contact_channel")
        self._insert(
            ContactChannelRow,
            [
                {
                    "person_id": self.people[person],
                    "kind": contact.kind,
                    "address": contact.address,
                    "apprise_url": self._sealed(contact.apprise_url),
                    "verified": False,
                    "priority": contact.priority,
                }
                for person, contact in plan.new_contacts
            ],
        )

    def _sealed(self, url: str | None) -> str | None:
        if url is None or self.secrets is None:
            return url
        return self.secrets.seal(url)

    def _roles(self, plan: Plan) -> None:
        self._changes(BodyRoleRow, plan.role_changes.values())
        removed = [(row_id, {"person_id": person, "role": role}) for row_id, person, role in plan.removed_roles]
        self._delete(BodyRoleRow, removed, "body_role")
        self._insert(
            BodyRoleRow,
            [
                {"body_id": self.body_id, "person_id": self.people[person], "role": role.value, "started_on": started}
                for person, role, started in plan.new_roles
            ],
        )

    def _scenario_facts(self, plan: Plan) -> None:
        self._insert(
            AbsenceRow,
            [
                {
                    "person_id": self.people[person],
                    "kind": absence.kind.value,
                    "started_on": absence.started_on,
                    "ended_on": absence.ended_on,
                }
                for person, absence in plan.new_absences
            ],
        )
        self._insert(
            SanctionRow,
            [
                {"person_id": self.people[person], "kind": sanction.kind.value, "imposed_on": sanction.imposed_on}
                for person, sanction in plan.new_sanctions
            ],
        )
        self._changes(CommissionMemberRow, plan.seat_changes.values())
        self._delete(CommissionMemberRow, plan.removed_seats, "commission_member")
        self._insert(
            CommissionMemberRow,
            [
                {
                    "body_id": self.body_id,
                    "person_id": self.people[person],
                    "is_chair": chair,
                    "is_secretary": secretary,
                    "started_on": started,
                }
                for person, chair, secretary, started in plan.new_seats
            ],
        )

    # --- statements ---

    def _insert(self, row_type: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """One executemany; from ``ANALYZE_FROM`` rows the table's statistics are re-read at once, as the bulk
        writes do: the import of a new body is followed by its opening, planned on them (decision 0197)."""
        if rows:
            self.connection.execute(sa.insert(row_type.__table__), list(rows))
            if len(rows) >= bulk.ANALYZE_FROM:
                bulk.analyze(self.connection, row_type.__table__.name)

    def _update(self, row_type: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """``UPDATE … SET <columns> WHERE id = :row_id`` for many rows (all with the same columns), one executemany."""
        if not rows:
            return
        table = row_type.__table__
        columns = [name for name in rows[0] if name != "row_id"]
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("b_row_id"))
            .values({name: sa.bindparam(f"b_{name}") for name in columns})
        )
        self.connection.execute(statement, [{f"b_{name}": value for name, value in row.items()} for row in rows])

    def _changes(self, row_type: Any, changes: Iterable[Change]) -> None:
        """Write the changed columns of simple rows (one column per table kind here) and audit them."""
        rows = []
        for change in changes:
            rows.append({"row_id": change.id, **change.after})
            self._change(change)
        self._update(row_type, rows)

    def _delete(self, row_type: Any, rows: Sequence[tuple[int, Mapping[str, Any]]], entity: str) -> None:
        if not rows:
            return
        table = row_type.__table__
        self.connection.execute(table.delete().where(table.c.id.in_([row_id for row_id, _ in rows])))
        for row_id, before in rows:
            self._audit(entity, row_id, "remove", {name: _shown(value) for name, value in before.items()}, None, None)

    # --- audit ---

    def _change(self, change: Change) -> None:
        changed = [name for name in change.after if change.before.get(name) != change.after[name]]
        if not changed:
            return
        before = {name: _shown(change.before.get(name)) for name in changed}
        after = {name: _shown(change.after[name]) for name in changed}
        self._audit(change.entity, change.id, "update", before, after, "; ".join(change.reasons))

    def _id(self, ref: int | str) -> int:
        return ref if isinstance(ref, int) else self.people[ref]

    def _audit(
        self,
        entity: str,
        entity_id: object,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        detail: str | None,
    ) -> None:
        self.audit_rows.append(
            {
                "at": now_utc(),
                "actor": self.actor,
                "entity": entity,
                "entity_id": str(entity_id),
                "action": action,
                "before": _plain(before),
                "after": _plain(after),
                "reason": f"{self.reason}: {detail}" if detail else self.reason,
            }
        )


def _shown(value: Any) -> Any:
    """A value as the audit log shows it: posts as ``U1 / C-4``, dates ISO."""
    if isinstance(value, tuple) and len(value) == 3:
        unit, title, category = value
        return f"{unit} / {category}" if title == category else f"{unit} / {title} / {category}"
    return plain(value)


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else {name: plain(value) for name, value in values.items()}
