"""The calibration session: its composition by the appointing official (C-3, C-5) and the members' votes (C-6).

A late composition (after the C-3 date) is accepted: the miss was already escalated by the sweep. The outcome —
majority, protocol, final result — is the ``calibration_session`` flow's to decide (``application.cycle.calibration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from application import messages
from application.actions.lookup import Row, evaluations_of
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain import votes
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.routing import voting_seat
from domain.scoring import Number
from domain.vocabulary import CalibrationStatus, Method
from notifications.kinds import MessageKind
from persistence.records import CalibrationCase

CLOSED = (CalibrationStatus.VOTED, CalibrationStatus.POSTED, CalibrationStatus.CLOSED)


@dataclass(frozen=True)
class Composed:
    case_id: int
    members: tuple[str, ...]
    decided_on: date
    late: bool


@dataclass(frozen=True)
class Voted:
    case_id: int
    member: str
    score: Decimal
    pending: tuple[str, ...]


def case_of(
    ctx: BodyContext, number: str, *, method: Method | str | None = None, period: str | None = None
) -> tuple[Row, CalibrationCase]:
    """The employee's latest evaluation under calibration, and its case; a refusal when there is none (C-2)."""
    person_id = ctx.person_id(number)
    for row in evaluations_of(ctx, person_id, method=method, period=period):
        case = ctx.uow.calibration.for_evaluation(row["id"])
        if case is not None:
            return row, case
    raise Rejected.by_rule("C-2", Phrase("{number} has not applied for calibration", number=number))


def compose_calibration(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    members: Sequence[str],
    method: Method | str | None = None,
    period: str | None = None,
) -> Composed:
    """The appointing official (``principal``) decides to hold the session and approves its members (C-3, C-5)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        official = ctx.acting_person(principal)
        actor = principal.person
        row, case = case_of(ctx, employee, method=method, period=period)
        book = ctx.book(row["rulebook_id"])
        assert book.calibration is not None  # a case exists only under a rulebook with calibration
        if official != ctx.appointing_official:
            raise Rejected.by_rule(
                book.calibration.decide_within.rule, Phrase("{actor} is not the appointing official", actor=actor)
            )
        if case.status in CLOSED or case.votes:
            raise Rejected.by_rule(
                "C-3",
                Phrase("the session about {employee} has already voted; its composition is fixed", employee=employee),
            )
        member_ids = [ctx.person_id(member) for member in members]
        evaluator = ctx.numbers.get(row["evaluator_id"]) if row["evaluator_id"] else None
        try:
            votes.check_calibration_composition(list(members), employee, evaluator, ctx.org.hr, book.calibration)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        hr = set(ctx.hr) | {ctx.ids[number] for number in ctx.org.hr if number in ctx.ids}
        uow.calibration.compose(
            case.id,
            members=member_ids,
            hr_members=[person for person in member_ids if person in hr],
            decided_on=as_of,
            decided_by_id=official,
            reason="composition approved (C-3, C-5)",
        )
        payload = {
            "period": row["period_label"],
            "employee_name": ctx.name(row["person_id"]),
            "members": [ctx.name(person) for person in member_ids],
            "hold_by": (case.hold_by or as_of).isoformat(),
        }
        for person in member_ids:
            messages.queue(
                ctx,
                person,
                key=f"calibration:{case.id}:decided:{person}",
                kind=MessageKind.CALIBRATION_DECIDED,
                day=as_of,
                payload=payload,
                evaluation_id=row["id"],
            )
        late = case.decide_by is not None and as_of > case.decide_by
        return Composed(case.id, tuple(members), as_of, late)


def calibration_vote(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    score: Number,
    method: Method | str | None = None,
    period: str | None = None,
    argument: str | None = None,
) -> Voted:
    """A member (``principal``) of the session about ``employee`` votes for a score (C-6): members only, once each."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        voter = ctx.acting_person(principal)
        actor = str(principal.person)
        row, case = case_of(ctx, employee, method=method, period=period)
        book = ctx.book(row["rulebook_id"])
        if case.status in CLOSED:
            signed = case.protocol_signed_on or Phrase("already")
            raise Rejected.by_rule(
                "C-6",
                Phrase(
                    "the calibration session about {employee} is closed: the protocol was signed {signed}",
                    employee=employee,
                    signed=signed,
                ),
            )
        if not case.members:
            raise Rejected.by_rule(
                "C-3", Phrase("no composition of the session about {employee} has been approved yet", employee=employee)
            )
        members = [ctx.numbers[person] for person in case.members]
        cast = {ctx.numbers[vote.person_id]: vote.score for vote in case.votes}
        # G-7: a person acting for an absent member votes in that member's seat (the vote is the seat's).
        seat = voting_seat(actor, members, ctx.org, as_of) if actor in ctx.org.employees_by_id else None
        if seat is not None and seat != actor:
            voter, actor = ctx.person_id(seat), seat
        try:
            recorded = votes.record_calibration_vote(cast, actor, score, members, book.results)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        uow.calibration.vote(case.id, person_id=voter, score=recorded[actor], voted_on=as_of, argument=argument)
        if str(principal.person) != actor:
            uow.audit("calibration_case", case.id, "vote", after={"seat": actor, "by": principal.person})
        pending = tuple(member for member in members if member not in recorded)
        return Voted(case.id, actor, recorded[actor], pending)
