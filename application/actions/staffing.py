"""HR's facts about posts and stand-ins during a cycle: moves (E-1, 003 §5), acting appointments (G-7) and the
evaluator's delegation (D-4).

Each action checks the law in the domain (``domain.moves.apply_move``, ``domain.routing.check_substitution``,
``domain.routing.check_delegation``) on the body as of the day, and records the fact with its history — nothing is
overwritten: a move ends the position or reporting line the day before and starts the new one on the day. Who is
due to evaluate then follows from the facts, day by day (``application.cycle.routing``). A refusal names the rule
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.moves import Move, apply_move
from domain.routing import check_delegation, check_substitution


@dataclass(frozen=True)
class Moved:
    """What a move recorded: a new position (``new_post``: a new category, a new appointment) and/or head."""

    person_id: int
    on: date
    new_position: bool
    new_post: bool
    new_head: bool


@dataclass(frozen=True)
class ActingAppointed:
    replaced_id: int
    substitute_id: int
    start: date
    end: date


@dataclass(frozen=True)
class Delegated:
    evaluator_id: int
    delegate_id: int
    evaluatee_ids: tuple[int, ...]
    delegations: tuple[int, ...]


def _refused(violation: RuleViolation) -> Rejected:
    return Rejected.from_violation(violation)


def move(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    unit: str | None = None,
    head: str | None = None,
    category: str | None = None,
    on: date | None = None,
) -> Moved:
    """HR records that ``employee`` holds, from ``on`` (default ``as_of``), a new unit, head and/or category.

    E-1 (003 §5): a new category is a new appointment (tenure restarts); a new unit alone continues the post
    (tenure from the appointment to it); a new head changes the reporting line from the day (the head at
    evaluation time evaluates). Refused naming E-1: an unknown employee, unit or head, a malformed category, a
    person not in service that day, a loop in the reporting line, a move that changes nothing.
    """
    day = on or as_of
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        try:
            moved = apply_move(ctx.org, Move(employee, day, unit=unit, head=head, category=category))
        except RuleViolation as violation:
            raise _refused(violation) from None
        person_id = ctx.person_id(employee)
        before, after = ctx.org.employee(employee), moved.employee(employee)
        new_position = (after.unit, after.category) != (before.unit, before.category)
        new_head = after.head != before.head_on(day)
        if new_position:
            _new_position(ctx, person_id, after.unit, after.category, day)
        if new_head:
            uow.org.end_head(person_id=person_id, ended_on=day - timedelta(days=1), reason="moved (E-1)")
            if after.head is not None:
                uow.org.set_head(person_id=person_id, head_id=ctx.person_id(after.head), started_on=day)
        changes = {"unit": after.unit, "head": after.head, "category": after.category, "from": day.isoformat()}
        previous = {"unit": before.unit, "head": before.head_on(day), "category": before.category}
        new_post = after.category != before.category
        why = "a new appointment (E-1)" if new_post else "the same post continues (E-1, 003 §5)"
        uow.audit("person", person_id, "move", before=previous, after=changes, reason=why)
        return Moved(person_id, day, new_position, new_post, new_head)


def _new_position(ctx: BodyContext, person_id: int, unit: str | None, category: str | None, day: date) -> None:
    current = ctx.uow.org.appointment_on(person_id, day)
    if current is None or unit is None or category is None:
        raise Rejected.by_rule(
            "E-1", Phrase("{numbers} holds no position on {day} to move from", numbers=ctx.numbers[person_id], day=day)
        )
    found = ctx.uow.org.unit_by_code(ctx.body_id, unit)
    if found is None:
        raise Rejected.by_rule("E-1", Phrase("unknown unit {unit}", unit=unit))
    ctx.uow.org.end_appointment(current.id, ended_on=day - timedelta(days=1), reason="moved (E-1)")
    ctx.uow.org.appoint(
        person_id=person_id,
        unit_id=found.id,
        category=category,
        started_on=day,
        public_service=current.public_service,
    )


def appoint_acting(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    replaced: str,
    substitute: str,
    start: date,
    end: date,
    basis: str | None = None,
) -> ActingAppointed:
    """HR records that ``substitute`` acts for ``replaced`` from ``start`` to ``end`` (G-7, 003 §3): while it
    lasts the acting person evaluates, votes and receives notices in the absent person's stead.

    Refused naming G-7: an unknown person, acting for oneself, a substitute out of service, an appointment that
    ends before it starts, a person not absent on a working day of it, an overlapping acting appointment.
    """
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        try:
            check_substitution(replaced, substitute, start, end, ctx.org, ctx.calendar)
        except RuleViolation as violation:
            raise _refused(violation) from None
        replaced_id, substitute_id = ctx.person_id(replaced), ctx.person_id(substitute)
        uow.org.add_substitution(
            replaced_id=replaced_id,
            substitute_id=substitute_id,
            started_on=start,
            ended_on=end,
            basis=basis or f"acting appointment recorded on {as_of.isoformat()} (G-7)",
        )
        after = {"for": replaced, "by": substitute, "from": start.isoformat(), "to": end.isoformat()}
        uow.audit("person", replaced_id, "acting_appointment", after=after, reason="acting head appointed (G-7)")
        return ActingAppointed(replaced_id, substitute_id, start, end)


def delegate(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    delegate_to: str,
    evaluatees: Sequence[str],
    evaluator: str | None = None,
) -> Delegated:
    """The evaluator (``principal``) designates ``delegate_to`` to evaluate ``evaluatees`` from ``as_of`` (D-4,
    000 §31: more than 50 B-corps employees in the unit; 003 §17: more than 20 evaluatees — the rulebook's
    threshold). The delegate is due from that day (``application.cycle.routing``) while the evaluator is the one
    routed; the delegation is recorded and audited.

    Refused naming D-4: at or below the threshold, a delegate outside the evaluator's unit, out of service, the
    evaluator, an evaluatee or a subordinate of one, an evaluatee the evaluator does not evaluate.
    """
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        by = evaluator or principal.person
        if by is None or (principal.person is not None and by != principal.person):
            raise Rejected.by_rule(
                "D-4", Phrase("{actor} cannot designate evaluators for {by}", actor=principal.actor, by=by)
            )
        book = ctx.rulebook_for(as_of)
        try:
            check_delegation(by, delegate_to, list(evaluatees), ctx.org, as_of, book)
        except RuleViolation as violation:
            raise _refused(violation) from None
        evaluator_id, delegate_id = ctx.person_id(by), ctx.person_id(delegate_to)
        evaluatee_ids = tuple(ctx.person_id(person) for person in evaluatees)
        made = tuple(
            uow.org.add_delegation(
                evaluator_id=evaluator_id, delegate_id=delegate_id, evaluatee_id=evaluatee_id, started_on=as_of
            )
            for evaluatee_id in evaluatee_ids
        )
        return Delegated(evaluator_id, delegate_id, evaluatee_ids, made)
