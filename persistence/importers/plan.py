"""What an import changes: the body's organization as the database holds it (:class:`Snapshot`), compared with the
file, gives a :class:`Plan` of set-based writes, or the problems that make the file unimportable.

The comparison is the whole of the import's semantics (docs/decisions/0020-staff-import.md):

- people are matched by personnel number; names, corps and language take the file's value (an absent column
  leaves the language alone);
- a post (unit, title, category) other than the current one is a **move** on the row's ``appointed`` date (the
  as-of date if empty): the old appointment ends the day before, the new one starts that day; the same date as
  the current appointment's start is a **correction** of that appointment; an earlier date is refused;
- the direct head, when the file has the column, is the file's (empty: none); a change takes effect on the move's
  date, or on the as-of date; an earlier relation ends the day before;
- roles named in the file's columns are granted or ended on the as-of date; facts about a person created by this
  import (first post, head, roles) start with the appointment or "since the records begin";
- dated facts and contacts are only added or corrected, never removed by an empty cell;
- nothing changes when the file says what the database already holds, so a re-import writes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.errors import Phrase
from domain.vocabulary import Role
from persistence.importers.spec import (
    AbsenceSpec,
    ContactSpec,
    PersonSpec,
    Problem,
    SanctionSpec,
    StaffFile,
    Where,
)
from persistence.importers.tabular import summarize

SINCE_EVER = date(1900, 1, 1)
"""The start of a post or a reporting line the file gives no date for: "since before the records begin"."""

DAY = timedelta(days=1)
PositionKey = tuple[str, str, str]  # unit code, title, category


# --- the database as it is ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DbUnit:
    id: int
    code: str
    name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class DbPerson:
    id: int
    number: str
    full_name: str
    corps: str
    language: str


@dataclass(frozen=True, slots=True)
class DbAppointment:
    id: int
    position: PositionKey
    started_on: date
    ended_on: date | None
    public_service: bool = False  # M-6


@dataclass(frozen=True, slots=True)
class DbHead:
    id: int
    head_id: int
    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class DbDated:
    """A row with an optional start and an optional end (roles, probation, Commission seats, dismissals)."""

    id: int
    started_on: date | None
    ended_on: date | None
    kind: str = ""
    flags: tuple[bool, bool] = (False, False)


@dataclass
class Snapshot:
    """The body's organization as stored: what the plan is compared against (loaded in the import's transaction)."""

    body_id: int
    body_name: str
    units: dict[str, DbUnit] = field(default_factory=dict)
    people: dict[str, DbPerson] = field(default_factory=dict)
    appointments: dict[int, list[DbAppointment]] = field(default_factory=dict)
    heads: dict[int, list[DbHead]] = field(default_factory=dict)
    dismissals: dict[int, list[DbDated]] = field(default_factory=dict)  # started_on: the dismissal day
    probations: dict[int, list[DbDated]] = field(default_factory=dict)
    contacts: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)
    contact_urls: dict[int, str | None] = field(default_factory=dict)
    """Contact row id → its apprise URL, opened (``None``: no URL, or sealed with a key this import lacks)."""
    roles: dict[int, list[DbDated]] = field(default_factory=dict)  # kind: the role
    absences: dict[int, set[tuple[str, date, date]]] = field(default_factory=dict)
    sanctions: dict[int, set[tuple[str, date]]] = field(default_factory=dict)
    seats: dict[int, list[DbDated]] = field(default_factory=dict)  # flags: (chair, secretary)
    numbers: dict[int, str] = field(default_factory=dict)  # person id → personnel number
    unit_codes: dict[int, str] = field(default_factory=dict)  # unit id → code

    def unit_code(self, unit_id: int | None) -> str | None:
        return None if unit_id is None else self.unit_codes.get(unit_id)

    def number_of(self, person_id: int) -> str | None:
        return self.numbers.get(person_id)


# --- the plan ----------------------------------------------------------------------------------------------------

Ref = int | str
"""A person or a row: a database id (``int``), or the personnel number of a person this import creates."""


@dataclass
class Change:
    """An audited update of one existing row: the columns' values before and after, and why."""

    entity: str
    id: int
    before: dict[str, Any]
    after: dict[str, Any]
    reasons: list[str] = field(default_factory=list)


@dataclass
class NewAppointment:
    person: str
    position: PositionKey
    started_on: date
    ended_on: date | None = None
    public_service: bool = False  # M-6


@dataclass(frozen=True)
class Audit:
    """An audit row to write once ids are known: ``entity_id`` is an id or a personnel number (→ person id)."""

    entity: str
    entity_id: Ref
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: str | None = None


@dataclass
class Plan:
    """Every write of the import, grouped by table; ``counts`` says what changed, for the report."""

    body_name: str | None = None
    new_units: list[tuple[str, str]] = field(default_factory=list)
    unit_changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → {name, parent (code)}
    new_people: list[PersonSpec] = field(default_factory=list)
    person_changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    positions: set[PositionKey] = field(default_factory=set)
    appointment_changes: dict[int, Change] = field(default_factory=dict)  # position: a PositionKey
    new_appointments: list[NewAppointment] = field(default_factory=list)
    head_changes: dict[int, Change] = field(default_factory=dict)
    head_removals: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_heads: list[tuple[str, str, date]] = field(default_factory=list)  # person, head (numbers), started_on
    new_dismissals: list[tuple[str, date]] = field(default_factory=list)
    dismissal_changes: dict[int, Change] = field(default_factory=dict)
    new_probations: list[tuple[str, date | None, date]] = field(default_factory=list)
    probation_changes: dict[int, Change] = field(default_factory=dict)
    new_contacts: list[tuple[str, ContactSpec]] = field(default_factory=list)
    removed_contacts: list[tuple[int, int, str, str]] = field(default_factory=list)  # id, person id, kind, address
    new_roles: list[tuple[str, Role, date | None]] = field(default_factory=list)
    role_changes: dict[int, Change] = field(default_factory=dict)
    removed_roles: list[tuple[int, int, str]] = field(default_factory=list)  # id, person id, role
    new_absences: list[tuple[str, AbsenceSpec]] = field(default_factory=list)
    new_sanctions: list[tuple[str, SanctionSpec]] = field(default_factory=list)
    new_seats: list[tuple[str, bool, bool, date | None]] = field(default_factory=list)
    seat_changes: dict[int, Change] = field(default_factory=dict)
    removed_seats: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def changes_anything(self) -> bool:
        return any(self.counts.values())


COUNTS = (
    "body_renamed",
    "units_added",
    "units_updated",
    "people_added",
    "people_updated",
    "posts_added",
    "moves",
    "posts_corrected",
    "appointment_dates_corrected",
    "public_service_changed",
    "heads_set",
    "heads_changed",
    "heads_removed",
    "dismissals",
    "dismissal_dates_corrected",
    "probations_added",
    "probations_corrected",
    "contacts_added",
    "contacts_replaced",
    "roles_granted",
    "roles_ended",
    "absences_added",
    "sanctions_added",
    "commission_seats_added",
    "commission_seats_ended",
)
"""What a report counts, in the order it shows them."""


# --- planning ----------------------------------------------------------------------------------------------------


class Planner:
    """Compares a checked :class:`StaffFile` with a :class:`Snapshot`; ``plan()`` returns the writes or problems."""

    def __init__(self, staff: StaffFile, snapshot: Snapshot, as_of: date) -> None:
        self.staff = staff
        self.db = snapshot
        self.as_of = as_of
        self.plan = Plan()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.in_file = {person.personnel_number: person for person in staff.people}
        self.known = self.in_file.keys() | snapshot.people.keys() | staff.bad_numbers
        self._defaulted: list[Where] = []
        self._kept_dismissals: list[Where] = []
        self._moved_on_as_of: list[Where] = []
        self._new_posts: dict[str, NewAppointment] = {}

    def run(self) -> tuple[Plan, list[Problem], list[Problem]]:
        self._body()
        self._units()
        for person in self.staff.people:
            self._person(person)
        self._head_cycles()
        self._commission()
        self._order_roles()
        if self._defaulted:
            self.warnings.append(
                summarize(
                    self._defaulted, Phrase("appointed is empty for a new post: held since before the records begin")
                )
            )
        if self._moved_on_as_of:
            message = Phrase("a new post without an appointed date: the move takes effect on {day}", day=self.as_of)
            self.warnings.append(summarize(self._moved_on_as_of, message))
        if self._kept_dismissals:
            message = Phrase("dismissed in the database, the dismissed cell is empty: the dismissal is kept")
            self.warnings.append(summarize(self._kept_dismissals, message))
        return self.plan, self.problems, self.warnings

    # --- body and units ---

    def _body(self) -> None:
        name = self.staff.body_name
        if name and name != self.db.body_name:
            self.plan.body_name = name
            self.plan.audits.append(
                Audit("body", self.db.body_id, "update", {"name": self.db.body_name}, {"name": name})
            )
            self.plan.counts["body_renamed"] += 1

    def _units(self) -> None:
        parents: dict[str, str | None] = {
            code: self.db.unit_code(unit.parent_id) for code, unit in self.db.units.items()
        }
        for code, spec in self.staff.units.items():
            stored = self.db.units.get(code)
            if stored is None:
                parents[code] = spec.parent
                if spec.name is None:
                    message = Phrase("unit {code} is new: give its unit_name (on one of its rows)", code=code)
                    self._fail(spec.where, "unit_name", None, message)
                    continue
                self.plan.new_units.append((code, spec.name))
                self.plan.counts["units_added"] += 1
                if spec.parent is not None:
                    self.plan.unit_changes[code] = {"parent": spec.parent}
                continue
            changes: dict[str, Any] = {}
            if spec.name is not None and spec.name != stored.name:
                changes["name"] = spec.name
            if spec.parent_given and spec.parent != parents[code]:
                changes["parent"] = spec.parent
                parents[code] = spec.parent
            if changes:
                self.plan.unit_changes[code] = changes
                self.plan.counts["units_updated"] += 1
                before = {"name": stored.name} if "name" in changes else {}
                if "parent" in changes:
                    before["parent"] = self.db.unit_code(stored.parent_id)
                self.plan.audits.append(Audit("unit", stored.id, "update", before, dict(changes)))
        for spec in self.staff.units.values():
            if spec.parent is not None and spec.parent not in parents:
                message = Phrase("unknown unit {unit}: neither in the file nor in the database", unit=spec.parent)
                self._fail(spec.parent_where or spec.where, "parent_unit_code", spec.parent, message)
        for loop in _cycles(parents, list(self.staff.units)):
            unit = self.staff.units[loop[0]]
            where = unit.parent_where or unit.where
            self._fail(where, "parent_unit_code", parents[loop[0]], Phrase("unit cycle: {loop}", loop=" → ".join(loop)))

    # --- people ---

    def _person(self, spec: PersonSpec) -> None:
        stored = self.db.people.get(spec.personnel_number)
        if stored is None:
            self.plan.new_people.append(spec)
            self.plan.counts["people_added"] += 1
        else:
            self._attributes(spec, stored)
        if spec.head is not None and spec.head not in self.known:
            message = Phrase("no person with this personnel number in the file or in the body")
            self._fail(spec.where, "head_personnel_number", spec.head, message)
        person_id = None if stored is None else stored.id
        moved_on, start = self._post(spec, person_id)
        self._dismissal(spec, person_id, start)
        if spec.head_given:
            self._head(spec, person_id, moved_on)
        if spec.probation_until is not None:
            self._probation(spec, person_id, start)
        self._contacts(spec, person_id)
        if spec.managed_roles:
            self._roles(spec, person_id)
        self._absences_and_sanctions(spec, person_id)

    def _attributes(self, spec: PersonSpec, stored: DbPerson) -> None:
        wanted = {"full_name": spec.full_name, "corps": spec.corps.value}
        if spec.language is not None:
            wanted["language"] = spec.language.value
        current = {"full_name": stored.full_name, "corps": stored.corps, "language": stored.language}
        changed = {name: value for name, value in wanted.items() if current[name] != value}
        if changed:
            self.plan.person_changes[stored.id] = {**current, **changed}
            before = {name: current[name] for name in changed}
            self.plan.audits.append(Audit("person", stored.id, "update", before, changed))
            self.plan.counts["people_updated"] += 1

    def _post(self, spec: PersonSpec, person_id: int | None) -> tuple[date | None, date | None]:
        """Plan the person's post; returns the date a move took effect (or ``None``) and the current post's start."""
        position = spec.position
        history = self.db.appointments.get(person_id, []) if person_id is not None else []
        current = history[-1] if history else None
        if position is None:
            return None, current.started_on if current else spec.appointed
        self.plan.positions.add(position)
        if current is None:
            start = spec.appointed or (SINCE_EVER if person_id is None else self.as_of)
            if spec.appointed is None and person_id is None:
                self._defaulted.append(spec.where)
            self._appoint(NewAppointment(spec.personnel_number, position, start, public_service=spec.public_service))
            self.plan.counts["posts_added"] += 1
            return (start if person_id is not None else None), start
        if current.ended_on is not None and spec.appointed is not None and spec.appointed > current.ended_on:
            self._appoint(  # back in service
                NewAppointment(spec.personnel_number, position, spec.appointed, public_service=spec.public_service)
            )
            self.plan.counts["posts_added"] += 1
            return spec.appointed, spec.appointed
        if current.position == position:
            if spec.appointed is not None and spec.appointed != current.started_on:
                self._correct_start(spec, history)
            if current.public_service != spec.public_service:
                word = "provides" if spec.public_service else "no longer provides"
                self._change_appointment(
                    current, {"public_service": spec.public_service}, f"post {word} public services (M-6)"
                )
                self.plan.counts["public_service_changed"] += 1
            return None, spec.appointed or current.started_on
        moved_on = spec.appointed or self.as_of
        if moved_on > current.started_on:
            if spec.appointed is None:
                self._moved_on_as_of.append(spec.where)
            if current.ended_on is None or current.ended_on >= moved_on:
                detail = f"moved to {_post_text(position)} on {moved_on.isoformat()}"
                self._change_appointment(current, {"ended_on": moved_on - DAY}, detail)
            self._appoint(NewAppointment(spec.personnel_number, position, moved_on, public_service=spec.public_service))
            self.plan.counts["moves"] += 1
            return moved_on, moved_on
        if moved_on == current.started_on:
            self._change_appointment(current, {"position": position}, "post corrected (same start date)")
            self.plan.counts["posts_corrected"] += 1
            return None, moved_on
        post, since = _post_text(current.position), current.started_on
        if spec.appointed is not None:
            message = Phrase(
                "before the current post ({post} since {since}): a move needs a later date", post=post, since=since
            )
            self._fail(spec.where, "appointed", spec.appointed.isoformat(), message)
        else:
            message = Phrase(
                "the post changed from {post} since {since}; without an appointed date the move would take effect on "
                "{as_of}, before it: give the date of the move",
                post=post,
                since=since,
                as_of=self.as_of,
            )
            self._fail(spec.where, "appointed", None, message)
        return None, None

    def _appoint(self, appointment: NewAppointment) -> None:
        self.plan.new_appointments.append(appointment)
        self._new_posts[appointment.person] = appointment

    def _correct_start(self, spec: PersonSpec, history: list[DbAppointment]) -> None:
        assert spec.appointed is not None
        current = history[-1]
        previous = history[-2] if len(history) > 1 else None
        if previous is not None and spec.appointed <= previous.started_on:
            message = Phrase(
                "the current post started {started}; the earlier post {post} started {earlier}: "
                "the date must be after it",
                started=current.started_on,
                post=_post_text(previous.position),
                earlier=previous.started_on,
            )
            self._fail(spec.where, "appointed", spec.appointed.isoformat(), message)
            return
        if current.ended_on is not None and spec.appointed > current.ended_on:
            message = Phrase("after the end of this post on {day}", day=current.ended_on)
            self._fail(spec.where, "appointed", spec.appointed.isoformat(), message)
            return
        self._change_appointment(current, {"started_on": spec.appointed}, "appointment date corrected")
        self.plan.counts["appointment_dates_corrected"] += 1
        if previous is not None and (
            previous.ended_on is None
            or previous.ended_on >= spec.appointed
            or previous.ended_on == current.started_on - DAY
        ):
            self._change_appointment(previous, {"ended_on": spec.appointed - DAY}, "next appointment date corrected")

    def _change_appointment(self, row: DbAppointment, changes: dict[str, Any], detail: str) -> None:
        change = self.plan.appointment_changes.get(row.id)
        if change is None:
            before = {
                "position": row.position,
                "started_on": row.started_on,
                "ended_on": row.ended_on,
                "public_service": row.public_service,
            }
            change = self.plan.appointment_changes[row.id] = Change("appointment", row.id, before, dict(before))
        change.after.update(changes)
        change.reasons.append(detail)

    def _current_appointment(self, spec: PersonSpec, person_id: int | None) -> NewAppointment | Change | None:
        """The post the person holds after this plan: a new appointment, or the change of a stored one."""
        new = self._new_posts.get(spec.personnel_number)
        if new is not None:
            return new
        history = self.db.appointments.get(person_id, []) if person_id is not None else []
        if not history:
            return None
        current = history[-1]
        if current.id not in self.plan.appointment_changes:
            before = {
                "position": current.position,
                "started_on": current.started_on,
                "ended_on": current.ended_on,
                "public_service": current.public_service,
            }
            return Change("appointment", current.id, before, dict(before))
        return self.plan.appointment_changes[current.id]

    def _dismissal(self, spec: PersonSpec, person_id: int | None, start: date | None) -> None:
        stored = [
            row
            for row in (self.db.dismissals.get(person_id, []) if person_id is not None else [])
            if start is None or (row.started_on is not None and row.started_on >= start)
        ]
        day = spec.dismissed
        if day is None:
            if stored:
                self._kept_dismissals.append(spec.where)
            return
        if start is not None and start != SINCE_EVER and day < start:
            message = Phrase("before the current post's start on {day}", day=start)
            self._fail(spec.where, "dismissed", day.isoformat(), message)
            return
        if any(row.started_on == day for row in stored):
            return
        post = self._current_appointment(spec, person_id)
        if stored:
            latest = stored[-1]
            assert latest.started_on is not None
            change = Change("dismissal", latest.id, {"dismissed_on": latest.started_on}, {"dismissed_on": day})
            change.reasons.append("dismissal date corrected")
            self.plan.dismissal_changes[latest.id] = change
            self.plan.counts["dismissal_dates_corrected"] += 1
            if isinstance(post, Change) and post.after["ended_on"] == latest.started_on:
                self._end(post, day, "dismissal date corrected")
            return
        self.plan.new_dismissals.append((spec.personnel_number, day))
        self.plan.audits.append(
            Audit("person", person_id or spec.personnel_number, "dismiss", after={"dismissed_on": day.isoformat()})
        )
        self.plan.counts["dismissals"] += 1
        if isinstance(post, NewAppointment):
            if post.started_on <= day:
                post.ended_on = day
        elif post is not None and post.after["ended_on"] is None and post.after["started_on"] <= day:
            self._end(post, day, "dismissed")

    def _end(self, post: Change, day: date, detail: str) -> None:
        if post.id not in self.plan.appointment_changes:
            self.plan.appointment_changes[post.id] = post
        post.after["ended_on"] = day
        post.reasons.append(detail)

    def _head(self, spec: PersonSpec, person_id: int | None, moved_on: date | None) -> None:
        relations = self.db.heads.get(person_id, []) if person_id is not None else []
        latest = relations[-1] if relations else None
        open_relation = latest if latest is not None and latest.ended_on is None else None
        current = self.db.number_of(open_relation.head_id) if open_relation else None
        if spec.head == current:
            return
        if person_id is None:
            effective = spec.appointed or SINCE_EVER
        else:
            effective = moved_on or self.as_of
        self.plan.counts["heads_set" if current is None else "heads_changed" if spec.head else "heads_removed"] += 1
        if open_relation is not None:
            before = {"head": current, "started_on": open_relation.started_on, "ended_on": None}
            if effective > open_relation.started_on:
                change = Change("head_relation", open_relation.id, before, {**before, "ended_on": effective - DAY})
                change.reasons.append(f"new direct head {spec.head}" if spec.head else "no direct head any more")
                self.plan.head_changes[open_relation.id] = change
            elif spec.head is not None:
                change = Change("head_relation", open_relation.id, before, {**before, "head": spec.head})
                change.reasons.append("direct head corrected (same start date)")
                self.plan.head_changes[open_relation.id] = change
                return
            else:
                self.plan.head_removals.append((open_relation.id, before))
                return
        if spec.head is None:
            return
        start = effective
        if latest is not None and latest.ended_on is not None and latest.ended_on >= start:
            start = latest.ended_on + DAY
        self.plan.new_heads.append((spec.personnel_number, spec.head, start))

    def _head_cycles(self) -> None:
        links: dict[str, str | None] = {}
        for number, person in self.db.people.items():
            relations = self.db.heads.get(person.id, [])
            if relations and relations[-1].ended_on is None:
                links[number] = self.db.number_of(relations[-1].head_id)
        for person in self.staff.people:
            if person.head_given:
                links[person.personnel_number] = person.head
        for loop in _cycles(links, list(self.in_file)):
            first = self.in_file[loop[0]]
            self._fail(
                first.where, "head_personnel_number", first.head, Phrase("head cycle: {loop}", loop=" → ".join(loop))
            )

    def _probation(self, spec: PersonSpec, person_id: int | None, start: date | None) -> None:
        ends_on = spec.probation_until
        assert ends_on is not None
        stored = self.db.probations.get(person_id, []) if person_id is not None else []
        if any(row.ended_on == ends_on for row in stored):
            return
        started = spec.appointed or (start if start not in (None, SINCE_EVER) else None)
        if started is not None and ends_on < started:
            message = Phrase("before the current post's start on {day}", day=started)
            self._fail(spec.where, "probation_until", ends_on.isoformat(), message)
            return
        same = next((row for row in reversed(stored) if started is not None and row.started_on == started), None)
        if same is not None:
            change = Change("probation", same.id, {"ends_on": same.ended_on}, {"ends_on": ends_on})
            change.reasons.append("end of probation corrected")
            self.plan.probation_changes[same.id] = change
            self.plan.counts["probations_corrected"] += 1
            return
        self.plan.new_probations.append((spec.personnel_number, started, ends_on))
        self.plan.counts["probations_added"] += 1

    def _contacts(self, spec: PersonSpec, person_id: int | None) -> None:
        stored = self.db.contacts.get(person_id, []) if person_id is not None else []
        for contact in spec.contacts:
            if any(self._same_contact(contact, row_id, kind, address) for row_id, kind, address in stored):
                continue
            self.plan.new_contacts.append((spec.personnel_number, contact))
            self.plan.counts["contacts_added"] += 1
            for contact_id, kind, address in stored:
                if kind == contact.kind:
                    assert person_id is not None
                    self.plan.removed_contacts.append((contact_id, person_id, kind, address))
                    self.plan.counts["contacts_replaced"] += 1

    def _same_contact(self, contact: ContactSpec, row_id: int, kind: str, address: str) -> bool:
        """The stored contact says what the file says: same kind and address, and the same URL when one is given
        (two URLs may read the same once their secrets are masked: a new bot token is a change)."""
        if kind != contact.kind or address != contact.address:
            return False
        return contact.apprise_url is None or self.db.contact_urls.get(row_id) == contact.apprise_url

    def _roles(self, spec: PersonSpec, person_id: int | None) -> None:
        held: dict[str, list[DbDated]] = defaultdict(list)
        for row in self.db.roles.get(person_id, []) if person_id is not None else []:
            if row.ended_on is None or row.ended_on >= self.as_of:
                held[row.kind].append(row)
        who: Ref = person_id if person_id is not None else spec.personnel_number
        for role in sorted(spec.roles - {Role(kind) for kind in held}):
            started = None if person_id is None else self.as_of
            self.plan.new_roles.append((spec.personnel_number, role, started))
            after = {"role": role.value, "started_on": started.isoformat() if started else None}
            self.plan.audits.append(Audit("person", who, "grant_role", after=after))
            self.plan.counts["roles_granted"] += 1
        for kind, rows in held.items():
            if Role(kind) in spec.roles or Role(kind) not in spec.managed_roles:
                continue
            for row in rows:
                assert person_id is not None
                self.plan.counts["roles_ended"] += 1
                if row.started_on is not None and row.started_on >= self.as_of:
                    self.plan.removed_roles.append((row.id, person_id, kind))
                    continue
                change = Change("body_role", row.id, {"ended_on": row.ended_on}, {"ended_on": self.as_of - DAY})
                change.reasons.append(f"{kind} role ended")
                self.plan.role_changes[row.id] = change

    def _absences_and_sanctions(self, spec: PersonSpec, person_id: int | None) -> None:
        absences = self.db.absences.get(person_id, set()) if person_id is not None else set()
        for absence in spec.absences:
            if (absence.kind.value, absence.started_on, absence.ended_on) not in absences:
                self.plan.new_absences.append((spec.personnel_number, absence))
                self.plan.counts["absences_added"] += 1
        sanctions = self.db.sanctions.get(person_id, set()) if person_id is not None else set()
        for sanction in spec.sanctions:
            if (sanction.kind.value, sanction.imposed_on) not in sanctions:
                self.plan.new_sanctions.append((spec.personnel_number, sanction))
                self.plan.counts["sanctions_added"] += 1

    def _order_roles(self) -> None:
        """New roles in the order a scenario lists their holders (``hr: [H1, H2]``), else in file order."""
        order = {
            (role, number): index
            for role, numbers in self.staff.role_order.items()
            for index, number in enumerate(numbers)
        }
        self.plan.new_roles.sort(key=lambda item: order.get((item[1].value, item[0]), len(order)))

    # --- the Commission (scenario files) ---

    def _commission(self) -> None:
        commission = self.staff.commission
        if commission is None:
            return
        if commission.chair == commission.secretary:
            message = Phrase("the chair cannot be the secretary (M-7)")
            self._fail(commission.where, "secretary", commission.secretary, message)
            return
        wanted: dict[str, tuple[bool, bool]] = {}
        for number in (commission.chair, *commission.members):
            if number != commission.secretary:
                wanted.setdefault(number, (number == commission.chair, False))
        wanted[commission.secretary] = (False, True)
        seated: dict[str, list[DbDated]] = defaultdict(list)
        for person_id, rows in self.db.seats.items():
            number = self.db.number_of(person_id)
            for row in rows:
                if number is not None and (row.ended_on is None or row.ended_on >= self.as_of):
                    seated[number].append(row)
        for number, flags in wanted.items():
            rows = seated.pop(number, [])
            if any(row.flags == flags for row in rows):
                continue
            self._end_seats(rows)
            stored = self.db.people.get(number)
            started = None if stored is None else self.as_of
            self.plan.new_seats.append((number, *flags, started))
            after = {"chair": flags[0], "secretary": flags[1], "started_on": started.isoformat() if started else None}
            self.plan.audits.append(Audit("person", stored.id if stored else number, "commission_seat", after=after))
            self.plan.counts["commission_seats_added"] += 1
        for rows in seated.values():
            self._end_seats(rows)

    def _end_seats(self, rows: Iterable[DbDated]) -> None:
        for row in rows:
            self.plan.counts["commission_seats_ended"] += 1
            if row.started_on is not None and row.started_on >= self.as_of:
                before = {"chair": row.flags[0], "secretary": row.flags[1], "started_on": row.started_on}
                self.plan.removed_seats.append((row.id, before))
                continue
            change = Change("commission_member", row.id, {"ended_on": row.ended_on}, {"ended_on": self.as_of - DAY})
            change.reasons.append("Commission composition changed")
            self.plan.seat_changes[row.id] = change

    # --- helpers ---

    def _fail(self, where: Where, column: str | None, value: str | None, message: str) -> None:
        self.problems.append(Problem(where, column, value, message))


def _post_text(position: PositionKey) -> str:
    unit, title, category = position
    return f"{unit} / {category}" if title == category else f"{unit} / {title} / {category}"


def _cycles(links: dict[str, str | None], starts: list[str]) -> list[list[str]]:
    """Each loop of ``links`` reachable from ``starts``, once, beginning at its first member in ``starts`` order."""
    order = {key: index for index, key in enumerate(starts)}
    seen: set[str] = set()
    loops = []
    for start in starts:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current not in chain and current not in seen:
            chain.append(current)
            current = links.get(current)
        seen.update(chain)
        if current is not None and current in chain:
            loop = chain[chain.index(current) :]
            first = min(loop, key=lambda key: order.get(key, len(order)))
            turn = loop.index(first)
            loops.append([*loop[turn:], *loop[:turn], first])
    return loops


def plan_import(staff: StaffFile, snapshot: Snapshot, as_of: date) -> tuple[Plan, list[Problem], list[Problem]]:
    """The writes that make the database say what ``staff`` says, or the problems that forbid any write."""
    return Planner(staff, snapshot, as_of).run()


__all__ = [
    "SINCE_EVER",
    "Audit",
    "Change",
    "DbAppointment",
    "DbDated",
    "DbHead",
    "DbPerson",
    "DbUnit",
    "NewAppointment",
    "Plan",
    "Snapshot",
    "plan_import",
]
