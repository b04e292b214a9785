"""The facts about people the engine reasons on: employees, their absences, sanctions and positions, and the
organization they belong to (units, reporting lines, HR, the appointing official, the Commission).

Facts are frozen dataclasses built by the caller (the simulator, the persistence layer) and checked once, when
built: a fact that cannot be true (an absence that ends before it starts, a head who is not an employee, a
reporting line that loops back) is refused with :class:`FactError`, a ``ValueError`` naming the employee (or
unit) and the field.

Conventions used throughout ``domain/``:

* every interval is closed: an absence from 2025-04-01 to 2025-04-14 includes both days;
* ``appointed`` is the first day in the *current* position (E-1: tenure is "in the position"); ``None`` means
  "in the position since before anything the engine looks at";
* ``dismissed`` is the last day in service (the day of the dismissal order): the employee is in service on it;
* earlier positions are listed in ``appointments`` (each ended before ``appointed``); the current position is
  ``(unit, category, appointed, dismissed)``;
* a position may continue the post of the one before it (a move of unit without a new appointment): its
  ``tenure_from`` is the day of the appointment to the post, which E-1 tenure counts from (003 §5: "from the day
  of appointment to the evaluated position"); a new category is always a new appointment;
* the reporting line (``head``) is the one recorded now; earlier heads are listed in ``heads`` (each with its
  first and last day), so that "the head on a day" is known (the head at evaluation time evaluates);
* ``public_service``: the post provides public services (M-6: the two customer competencies are rated).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar

from domain.categories import ALLOWED_FORM, CategoryCodeError, normalize_category
from domain.vocabulary import AbsenceKind, Corps, SanctionKind

T = TypeVar("T")


class FactError(ValueError):
    """A fact that cannot be true; names who (an employee or unit id) and the field at fault."""

    def __init__(self, subject: str, field_name: str, message: str) -> None:
        self.subject = subject
        self.field = field_name
        self.message = f"{subject}, field '{field_name}': {message}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


_CANONICAL: set[str] = set()
"""Category codes already found canonical: a body has a dozen, checked once each rather than once per person
(issue 13: building a 100,000-person organization normalised 200,000 codes)."""


def _check_category(who: str, field_name: str, category: str | None) -> None:
    """A category must already be canonical here: normalising is the input layer's job (``normalize_category``)."""
    if category is None or category in _CANONICAL:
        return
    try:
        canonical = normalize_category(category, field_name)
    except CategoryCodeError as exc:
        raise FactError(
            who, field_name, f"{category!r} is not a position category code; expected {ALLOWED_FORM}"
        ) from exc
    if canonical != category:
        raise FactError(who, field_name, f"{category!r} is not canonical; write {canonical!r}")
    _CANONICAL.add(category)


def _closed(subject: str, start: date, end: date | None, what: str) -> None:
    if end is not None and end < start:
        raise FactError(subject, "end", f"{what} ends {end.isoformat()}, before it starts {start.isoformat()}")


@dataclass(frozen=True)
class Absence:
    """A period away from work, both days included (E-2, E-3, E-5; G-7 for evaluators)."""

    kind: AbsenceKind
    start: date
    end: date

    def __post_init__(self) -> None:
        _closed(f"absence {self.kind}", self.start, self.end, "the absence")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True)
class Sanction:
    """A disciplinary sanction applied on ``on`` (Q-3)."""

    kind: SanctionKind
    on: date


@dataclass(frozen=True)
class Appointment:
    """A position held from ``start`` to ``end`` (``None``: still held), both days included.

    ``tenure_from`` is the day of the appointment to the post this position continues (E-1, 003 §5), when the
    position is not a new appointment (a move of unit or head in the same category); ``None``: ``start``.
    """

    unit: str | None
    category: str | None
    start: date
    end: date | None = None
    tenure_from: date | None = None

    def __post_init__(self) -> None:
        _closed(f"appointment in unit {self.unit}", self.start, self.end, "the appointment")
        if self.tenure_from is not None and self.tenure_from > self.start:
            message = f"tenure_from {self.tenure_from.isoformat()} is after the start {self.start.isoformat()}"
            raise FactError(f"appointment in unit {self.unit}", "tenure_from", message)

    @property
    def tenure_start(self) -> date:
        """E-1: the first day of tenure in the post (the appointment to it), ``start`` unless continued."""
        return self.start if self.tenure_from is None else self.tenure_from

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and (self.end is None or start <= self.end)


@dataclass(frozen=True)
class ActingAssignment:
    """G-7: the holder acts for ``person`` (substitutes for them) from ``start`` to ``end``, both included."""

    person: str
    start: date
    end: date

    def __post_init__(self) -> None:
        _closed(f"acting for {self.person}", self.start, self.end, "the acting assignment")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class HeadSpell:
    """A direct head held over a closed interval in the past (the history of the reporting line)."""

    head: str | None
    start: date
    end: date

    def __post_init__(self) -> None:
        _closed(f"head {self.head}", self.start, self.end, "the reporting line")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, kw_only=True)
class Employee:
    """A person of the state body; only the B corps is evaluated, but anyone may head, appoint or sit on a panel.

    ``category`` is the canonical position code (``C-O-1``: Latin letters, letter O), required for the B corps.
    Sequences given as lists are stored as tuples, so an employee is immutable and hashable.
    """

    id: str
    name: str
    corps: Corps = Corps.B
    category: str | None = None
    unit: str | None = None
    head: str | None = None
    appointed: date | None = None
    dismissed: date | None = None
    probation_until: date | None = None
    absences: Sequence[Absence] = ()
    sanctions: Sequence[Sanction] = ()
    acting_for: Sequence[ActingAssignment] = ()
    appointments: Sequence[Appointment] = ()
    heads: Sequence[HeadSpell] = ()
    tenure_from: date | None = None
    public_service: bool = False

    def __post_init__(self) -> None:
        for name in ("absences", "sanctions", "acting_for", "appointments", "heads"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        self._check()

    def _check(self) -> None:
        who = f"employee '{self.id}'"
        if not self.id:
            raise FactError("employee ''", "id", "an employee needs a non-empty id")
        if self.head == self.id:
            raise FactError(who, "head", "an employee cannot be their own head")
        if self.corps == Corps.B and self.category is None:
            raise FactError(who, "category", "required for the B corps (a canonical code such as C-3 or C-O-1)")
        if self.appointed and self.dismissed and self.dismissed < self.appointed:
            message = f"dismissed {self.dismissed.isoformat()}, before the appointment on {self.appointed.isoformat()}"
            raise FactError(who, "dismissed", message)
        if any(assignment.person == self.id for assignment in self.acting_for):
            raise FactError(who, "acting_for", "an employee cannot act for themself")
        if self.tenure_from and self.appointed and self.tenure_from > self.appointed:
            message = f"{self.tenure_from.isoformat()} is after the appointment on {self.appointed.isoformat()}"
            raise FactError(who, "tenure_from", message)
        self._check_history(who)
        self._check_heads(who)
        _check_category(who, "category", self.category)
        for index, appointment in enumerate(sorted(self.appointments, key=lambda a: a.start)):
            _check_category(who, f"appointments[{index}].category", appointment.category)

    def _check_history(self, who: str) -> None:
        earlier = sorted(self.appointments, key=lambda appointment: appointment.start)
        for index, appointment in enumerate(earlier):
            if appointment.end is None:
                raise FactError(who, f"appointments[{index}].end", "an earlier position needs its last day")
            if self.appointed is not None and appointment.end >= self.appointed:
                message = (
                    f"an earlier position ends {appointment.end.isoformat()}, "
                    f"not before the current appointment on {self.appointed.isoformat()}"
                )
                raise FactError(who, f"appointments[{index}].end", message)
        for before, after in zip(earlier, earlier[1:], strict=False):
            if before.end is not None and after.start <= before.end:
                raise FactError(who, "appointments", f"positions from {before.start} and {after.start} overlap")

    def _check_heads(self, who: str) -> None:
        spells = sorted(self.heads, key=lambda spell: spell.start)
        for index, spell in enumerate(spells):
            if spell.head == self.id:
                raise FactError(who, f"heads[{index}].head", "an employee cannot be their own head")
        for before, after in zip(spells, spells[1:], strict=False):
            if after.start <= before.end:
                raise FactError(who, "heads", f"reporting lines from {before.start} and {after.start} overlap")

    # --- service and positions ---

    @cached_property
    def current_position(self) -> Appointment:
        """The position held now: ``(unit, category, appointed, dismissed)``, continuing from ``tenure_from``."""
        start = self.appointed or date.min
        tenure_from = None if self.tenure_from is None else min(self.tenure_from, start)
        return Appointment(self.unit, self.category, start, self.dismissed, tenure_from)

    @cached_property
    def positions(self) -> tuple[Appointment, ...]:
        """Every position, oldest first: the earlier ``appointments`` then the current one (computed once: the
        employee is immutable, and routing asks for it several times per evaluation)."""
        earlier = sorted(self.appointments, key=lambda appointment: appointment.start)
        return (*earlier, self.current_position)

    def position_on(self, day: date) -> Appointment | None:
        """The position held on ``day``, or ``None`` when not in service that day."""
        return next((position for position in self.positions if position.covers(day)), None)

    def in_service_on(self, day: date) -> bool:
        return self.position_on(day) is not None

    def first_day(self) -> date:
        """The first day in service (the oldest position's start)."""
        return self.positions[0].start

    # --- absences ---

    def absence_on(self, day: date, kinds: Iterable[AbsenceKind] | None = None) -> Absence | None:
        """The absence (of ``kinds``, default any) covering ``day``, the one that started first when several
        overlap; ``None`` when there is none."""
        allowed = None if kinds is None else set(kinds)
        covering = [a for a in self.absences if a.covers(day) and (allowed is None or a.kind in allowed)]
        return min(covering, key=lambda absence: (absence.start, absence.end), default=None)

    def is_absent_on(self, day: date) -> bool:
        return self.absence_on(day) is not None

    def absences_between(self, start: date, end: date, kinds: Iterable[AbsenceKind] | None = None) -> list[Absence]:
        """The absences (of ``kinds``, default any) that overlap ``[start, end]``, in start order."""
        allowed = None if kinds is None else set(kinds)
        found = [a for a in self.absences if a.overlaps(start, end) and (allowed is None or a.kind in allowed)]
        return sorted(found, key=lambda absence: (absence.start, absence.end))

    def head_on(self, day: date) -> str | None:
        """The direct head on ``day``: the earlier reporting line covering it (``heads``), else the current one."""
        spell = next((spell for spell in self.heads if spell.covers(day)), None)
        return self.head if spell is None else spell.head

    def is_acting_for(self, person: str, day: date) -> bool:
        """G-7: whether this employee acts for ``person`` on ``day``."""
        return any(assignment.person == person and assignment.covers(day) for assignment in self.acting_for)


@dataclass(frozen=True)
class Unit:
    """A structural unit; ``parent`` is ``None`` at the top."""

    id: str
    name: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class CommissionComposition:
    """M-7: the Evaluation Commission as appointed; the secretary (an HR employee) does not vote by default."""

    chair: str
    secretary: str
    members: Sequence[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))


@dataclass(frozen=True, kw_only=True)
class Organization:
    """The state body: units, people, HR staff, the appointing official and the Commission (if any).

    Built once and checked: duplicate ids, unknown units, unknown heads, unit and head cycles and unknown people
    in ``hr``, ``appointing_official``, ``commission`` or acting assignments are refused with :class:`FactError`.
    """

    employees: Sequence[Employee]
    units: Sequence[Unit] = ()
    hr: Sequence[str] = ()
    appointing_official: str | None = None
    commission: CommissionComposition | None = None
    name: str = ""
    _people: Mapping[str, Employee] = field(init=False, repr=False, compare=False, hash=False)
    _units: Mapping[str, Unit] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "employees", tuple(self.employees))
        object.__setattr__(self, "units", tuple(self.units))
        object.__setattr__(self, "hr", tuple(self.hr))
        object.__setattr__(self, "_people", _index("employee", [(p.id, p) for p in self.employees]))
        object.__setattr__(self, "_units", _index("unit", [(u.id, u) for u in self.units]))
        self._check_units()
        self._check_people()
        self._check_roles()

    # --- validation ---

    def _check_units(self) -> None:
        for unit in self.units:
            if unit.parent is not None and unit.parent not in self._units:
                raise FactError(f"unit '{unit.id}'", "parent", f"unknown unit '{unit.parent}'")
        _refuse_cycles("unit", "parent", {unit.id: unit.parent for unit in self.units})

    def _check_people(self) -> None:
        for person in self.employees:
            who = f"employee '{person.id}'"
            positions = person.positions
            for index, position in enumerate(positions):
                if position.unit is not None and self._units and position.unit not in self._units:
                    where = "unit" if index == len(positions) - 1 else f"appointments[{index}].unit"
                    raise FactError(who, where, f"unknown unit '{position.unit}'")
            if person.head is not None and person.head not in self._people:
                raise FactError(who, "head", f"unknown head '{person.head}': not an employee of the organization")
            for index, spell in enumerate(person.heads):
                if spell.head is not None and spell.head not in self._people:
                    raise FactError(who, f"heads[{index}].head", f"unknown head '{spell.head}'")
            for assignment in person.acting_for:
                if assignment.person not in self._people:
                    raise FactError(who, "acting_for", f"acts for unknown employee '{assignment.person}'")
        _refuse_cycles("employee", "head", {person.id: person.head for person in self.employees})

    def _check_roles(self) -> None:
        named = [("hr", person) for person in self.hr]
        if self.appointing_official is not None:
            named.append(("appointing_official", self.appointing_official))
        if self.commission is not None:
            named += [("commission.chair", self.commission.chair), ("commission.secretary", self.commission.secretary)]
            named += [("commission.members", member) for member in self.commission.members]
        for role, person in named:
            if person not in self._people:
                raise FactError(f"organization '{self.name}'", role, f"unknown employee '{person}'")

    # --- lookups ---

    @property
    def employees_by_id(self) -> Mapping[str, Employee]:
        return self._people

    def employee(self, person: str) -> Employee:
        """The employee with this id; ``KeyError`` naming the id when there is none."""
        try:
            return self._people[person]
        except KeyError:
            raise KeyError(f"unknown employee '{person}'") from None

    def unit(self, unit_id: str) -> Unit:
        try:
            return self._units[unit_id]
        except KeyError:
            raise KeyError(f"unknown unit '{unit_id}'") from None

    def in_service(self, person: str, on: date) -> bool:
        return self.employee(person).in_service_on(on)

    # --- the reporting line ---

    def head_of(self, person: str, on: date) -> str | None:
        """The direct head (тікелей басшы) of ``person`` on ``on``; ``None`` at the top.

        The reporting line of that day (``Employee.heads``, else the current one): after a move the new head is
        the head (the head at evaluation time evaluates). The head is returned whether or not either serves on
        ``on`` (G-7 substitution is the router's decision).
        """
        return self.employee(person).head_on(on)

    def superior_head_of(self, person: str, on: date) -> str | None:
        """The superior head (жоғары тұрған басшы): the direct head's own head."""
        head = self.head_of(person, on)
        return None if head is None else self.head_of(head, on)

    def heads_above(self, person: str, on: date) -> list[str]:
        """The whole head chain above ``person`` on ``on``, nearest first (the current lines are checked acyclic
        when built; a loop in the history of the lines stops the chain where it would repeat)."""
        chain: list[str] = []
        head = self.head_of(person, on)
        while head is not None and head != person and head not in chain:
            chain.append(head)
            head = self.head_of(head, on)
        return chain

    def subordinates_of(self, person: str, on: date, *, transitive: bool = True) -> list[str]:
        """Those in service on ``on`` whose head chain contains ``person`` (only direct reports if not transitive)."""
        self.employee(person)
        found = [
            other.id
            for other in self.employees
            if other.in_service_on(on)
            and (other.head_on(on) == person if not transitive else person in self.heads_above(other.id, on))
        ]
        return sorted(found)

    def peers_of(self, person: str, on: date) -> list[str]:
        """Those in service on ``on`` with the same direct head (T-4 "peers at the same level"); none at the top."""
        head = self.head_of(person, on)
        if head is None:
            return []
        return sorted(
            other.id
            for other in self.employees
            if other.head_on(on) == head and other.id != person and other.in_service_on(on)
        )

    def acting_for(self, person: str, on: date) -> list[str]:
        """G-7: who acts for ``person`` on ``on`` (in service that day), earliest assignment first."""
        self.employee(person)
        acting = [
            (assignment.start, other.id)
            for other, assignment in self._acting_by_person.get(person, ())
            if assignment.covers(on) and other.in_service_on(on)
        ]
        return [holder for _, holder in sorted(acting)]

    @cached_property
    def _acting_by_person(self) -> dict[str, list[tuple[Employee, ActingAssignment]]]:
        """Acting assignments by the person they cover: :meth:`acting_for` reads one list, not every employee
        (issue 13: a scan per call made routing quadratic in the body's size)."""
        index: dict[str, list[tuple[Employee, ActingAssignment]]] = {}
        for other in self.employees:
            for assignment in other.acting_for:
                index.setdefault(assignment.person, []).append((other, assignment))
        return index

    # --- units ---

    def unit_of(self, person: str, on: date) -> str | None:
        """The unit of the position held on ``on`` (``None`` when not in service then)."""
        position = self.employee(person).position_on(on)
        return None if position is None else position.unit

    def subunits_of(self, unit_id: str) -> list[str]:
        """``unit_id`` and every unit below it, the unit itself first."""
        self.unit(unit_id)
        found = [unit_id]
        for unit in self.units:
            if unit.id != unit_id and unit_id in self._units_above(unit.id):
                found.append(unit.id)
        return found

    def _units_above(self, unit_id: str) -> list[str]:
        above: list[str] = []
        parent = self._units[unit_id].parent
        while parent is not None:
            above.append(parent)
            parent = self._units[parent].parent
        return above

    def unit_members(self, unit_id: str, on: date, *, include_subunits: bool = False) -> list[str]:
        """Those whose position on ``on`` is in ``unit_id`` (or, if asked, in a unit below it)."""
        units = set(self.subunits_of(unit_id)) if include_subunits else {self.unit(unit_id).id}
        return sorted(person.id for person in self.employees if self.unit_of(person.id, on) in units)


def _index(what: str, pairs: Sequence[tuple[str, T]]) -> dict[str, T]:
    index: dict[str, T] = {}
    for key, value in pairs:
        if key in index:
            raise FactError(f"{what} '{key}'", "id", "duplicate id")
        index[key] = value
    return index


def _refuse_cycles(what: str, field_name: str, links: Mapping[str, str | None]) -> None:
    """Refuse a chain of ``field_name`` links that comes back to where it started, naming the whole loop."""
    for start in links:
        chain = [start]
        current = links.get(start)
        while current is not None and current in links:
            if current in chain:
                loop = [*chain[chain.index(current) :], current]
                raise FactError(f"{what} '{current}'", field_name, f"{field_name} cycle: {' → '.join(loop)}")
            chain.append(current)
            current = links[current]
