"""Moves during a period: a new post, unit or head from a day on, kept as history (E-1, 003 §5, D-1, Q-1).

:func:`apply_move` is pure: an organization and a move in, the organization as it is from the move's day on
(every earlier fact kept), or a :class:`~domain.errors.RuleViolation` and nothing changed.

* A new **category** is a new appointment: the position held until the day before closes, a new one starts on
  the day, and E-1 tenure counts from it (003 §5: "from the day of appointment to the evaluated position").
* A new **unit** in the same category is the same post, re-assigned: the position closes and a new one starts
  (``unit_of`` answers by day) but tenure still counts from the appointment to the post (``tenure_from``).
* A new **head** changes the reporting line from the day: the earlier line is kept (``Employee.heads``), so
  ``Organization.head_of(person, day)`` answers for any day and the head at evaluation time evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.categories import ALLOWED_FORM, CategoryCodeError, normalize_category
from domain.errors import RuleViolation
from domain.facts import Appointment, Employee, FactError, HeadSpell, Organization

RULE = "E-1"


@dataclass(frozen=True)
class Move:
    """``employee`` holds from ``on`` the given ``unit``, ``head`` and/or ``category`` (``None``: unchanged)."""

    employee: str
    on: date
    unit: str | None = None
    head: str | None = None
    category: str | None = None


def _refuse(field: str, value: object, allowed: object, message: str) -> RuleViolation:
    return RuleViolation(rule=RULE, field=field, value=value, allowed=allowed, message=message)


def apply_move(org: Organization, move: Move) -> Organization:
    """The organization with ``move`` applied (see the module docstring).

    Refused, naming E-1: an unknown employee, unit or head; a malformed category code; an employee not in
    service on the day; a move dated on or before the start of the position or reporting line it would end
    (history is not rewritten); a move that changes nothing; the employee as their own head, or a head that
    would close a loop in the reporting line on that day.
    """
    person = _employee(org, move)
    category = _category(move.category)
    if move.unit is not None:
        try:
            org.unit(move.unit)
        except KeyError:
            raise _refuse("unit", move.unit, [u.id for u in org.units], f"unknown unit '{move.unit}'") from None
    if not person.in_service_on(move.on):
        message = f"'{person.id}' is not in service on {move.on.isoformat()} and cannot be moved"
        raise _refuse("date", move.on, "a day in service", message)
    new_category = category is not None and category != person.category
    new_unit = move.unit is not None and move.unit != person.unit
    new_head = move.head is not None and move.head != person.head_on(move.on)
    if not (new_category or new_unit or new_head):
        message = f"the move of '{person.id}' on {move.on.isoformat()} changes neither unit, head nor category"
        raise _refuse("move", move, "a new unit, head or category", message)
    moved = person
    if new_category or new_unit:
        moved = _new_position(moved, move.on, move.unit, category, continues=not new_category)
    if new_head and move.head is not None:
        moved = _new_head(org, moved, move.on, move.head)
    people = [moved if other.id == person.id else other for other in org.employees]
    try:
        return replace(org, employees=people)
    except FactError as exc:
        raise _refuse(exc.field, move, "a valid organization", exc.message) from None


def _employee(org: Organization, move: Move) -> Employee:
    try:
        return org.employee(move.employee)
    except KeyError:
        raise _refuse("employee", move.employee, "an employee", f"unknown employee '{move.employee}'") from None


def _category(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return normalize_category(raw)
    except CategoryCodeError:
        raise _refuse("category", raw, ALLOWED_FORM, f"{raw!r} is not a position category code") from None


def _new_position(person: Employee, on: date, unit: str | None, category: str | None, *, continues: bool) -> Employee:
    current = person.current_position
    if on <= current.start:
        message = (
            f"'{person.id}' holds the current position since {current.start.isoformat()}; a move on "
            f"{on.isoformat()} would rewrite it"
        )
        raise _refuse("date", on, f"after {current.start.isoformat()}", message)
    closed = Appointment(current.unit, current.category, current.start, on - timedelta(days=1), current.tenure_from)
    return replace(
        person,
        appointments=[*person.appointments, closed],
        unit=unit or person.unit,
        category=category or person.category,
        appointed=on,
        tenure_from=current.tenure_start if continues else None,
    )


def _new_head(org: Organization, person: Employee, on: date, head: str) -> Employee:
    if head == person.id:
        raise _refuse("head", head, "another employee", f"'{person.id}' cannot be their own head")
    if head not in org.employees_by_id:
        raise _refuse("head", head, "an employee", f"unknown head '{head}': not an employee of the organization")
    if person.id in org.heads_above(head, on):
        message = f"'{head}' reports to '{person.id}' on {on.isoformat()}: the reporting line would loop"
        raise _refuse("head", head, "someone outside the employee's own line", message)
    since = max((spell.end + timedelta(days=1) for spell in person.heads), default=date.min)
    if on <= since:
        message = (
            f"'{person.id}' reports to the current head since {since.isoformat()}; a move on {on.isoformat()} "
            "would rewrite it"
        )
        raise _refuse("date", on, f"after {since.isoformat()}", message)
    earlier = HeadSpell(person.head, since, on - timedelta(days=1))
    return replace(person, heads=[*person.heads, earlier], head=head)
