"""What follows a decided result, as recorded steps: the feedback meeting (C-8) and an appeal's outcome (C-9, M-9).

Filing an appeal is ``application.actions.commission.appeal`` (the M-9 window, or C-9 under the administrative
procedure code). Here:

* :func:`hold_feedback_meeting` — the evaluator records the feedback meeting held with the employee after the
  calibration session (000 §42): after the protocol is signed, by the evaluator due (G-7), within the rulebook's
  term when it sets one (``domain.followup.check_feedback_meeting``).
* :func:`record_appeal_outcome` — HR records what the authority decided: ``upheld`` (the decision stands) or
  ``revised`` with the revised result, which replaces the decided one — the session's score (C-9, banded by S-1)
  or the Commission's result (M-9) — audited before/after (R-4); the employee is told (``appeal_outcome``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from application import messages
from application.actions.commission import allowed_results, require_hr, spec_of
from application.actions.lookup import Row, evaluations_of
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.followup import Review, check_feedback_meeting, decide_appeal
from domain.vocabulary import ResultCategory
from notifications.kinds import MessageKind
from persistence import annual_state

OUTCOME_WORDS = {"upheld": "unchanged", "revised": "revise"}
"""The domain's outcome words → the ``appeal.outcome`` column's vocabulary."""


@dataclass(frozen=True)
class FeedbackHeld:
    case_id: int
    held_on: date
    term: date | None


@dataclass(frozen=True)
class AppealDecided:
    appeal_id: int
    evaluation_id: int
    outcome: str
    score: Decimal | None
    category: ResultCategory
    replaced: bool


def _calibrated(ctx: BodyContext, employee: str, rule: str) -> tuple[Row, Any]:
    """The employee's latest evaluation whose calibration session signed its protocol, and the case."""
    for row in evaluations_of(ctx, ctx.person_id(employee)):
        case = ctx.uow.calibration.for_evaluation(row["id"])
        if case is not None and case.protocol_signed_on is not None:
            return row, case
    raise Rejected.by_rule(
        rule, Phrase("{employee} has no calibration session whose protocol is signed", employee=employee)
    )


def hold_feedback_meeting(env: Environment, principal: Principal, *, as_of: date, employee: str) -> FeedbackHeld:
    """C-8: the evaluator (``principal``) records the feedback meeting held with ``employee`` on ``as_of``.

    Refused naming C-8: no signed session protocol, a meeting before it, anyone but the evaluator, after the
    rulebook's term, a meeting already recorded.
    """
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row, case = _calibrated(ctx, employee, "C-8")
        if case.feedback_held_on is not None:
            raise Rejected.by_rule(
                "C-8",
                Phrase(
                    "the feedback meeting with {employee} was held on {held_on}",
                    employee=employee,
                    held_on=case.feedback_held_on,
                ),
            )
        book = ctx.book(row["rulebook_id"])
        if book.calibration is None:
            raise Rejected.by_rule("C-8", Phrase("rulebook {book_id} has no calibration session", book_id=book.id))
        evaluator = ctx.numbers.get(row["evaluator_id"]) if row["evaluator_id"] is not None else None
        try:
            term = check_feedback_meeting(
                as_of,
                principal.person or principal.actor,
                evaluator,
                case.protocol_signed_on,
                book.calibration,
                ctx.calendar,
            )
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        uow.calibration.update(case.id, feedback_held_on=as_of, reason="feedback meeting held (C-8)")
        return FeedbackHeld(case.id, as_of, term)


def _pending_appeal(ctx: BodyContext, employee: str, result: str | None) -> tuple[Row, Row]:
    """The employee's appeal with no outcome yet (the latest period first) and its evaluation; with two lines
    appealed (004: KPI count and competencies), the one whose results include the revised ``result``."""
    rows = evaluations_of(ctx, ctx.person_id(employee))
    appeals = annual_state.appeals_of(ctx.uow.session, [row["id"] for row in rows])
    pending = [(row, appeals[row["id"]]) for row in rows if appeals.get(row["id"], {}).get("outcome", 1) is None]
    if result is not None:
        matching = [(row, found) for row, found in pending if result in allowed_results(*spec_of(ctx, row))]
        pending = matching or pending
    if pending:
        return pending[0]
    rule = "M-9" if any(found["authority"] == "authorised_body" for found in appeals.values()) else "C-9"
    raise Rejected.by_rule(rule, Phrase("{employee} has no appeal waiting for its outcome", employee=employee))


def record_appeal_outcome(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    outcome: str,
    score: Decimal | float | str | None = None,
    result: ResultCategory | str | None = None,
) -> AppealDecided:
    """HR (``principal``) records the outcome of ``employee``'s pending appeal (C-9, M-9): ``upheld``, or
    ``revised`` with the revised ``score`` (a calibration decision, C-9) or ``result`` (a Commission decision, M-9),
    which replaces the decided one (audited). Refused naming the rule: no pending appeal, an outcome before the
    filing, an unknown outcome word, an upheld outcome with a result, a revision that changes nothing or is not a
    result of that review."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row, filed = _pending_appeal(ctx, employee, None if result is None else str(result))
        review: Review = "commission" if filed["authority"] == "authorised_body" else "calibration"
        require_hr(
            ctx, principal, Phrase("records the outcome of an appeal"), "M-9" if review == "commission" else "C-9"
        )
        book, spec = spec_of(ctx, row)
        case = uow.calibration.for_evaluation(row["id"]) if review == "calibration" else None
        decided_score = case.final_score if case is not None else row["score"]
        decided = case.final_category if case is not None else row["category"]
        if decided is None:
            raise Rejected.by_rule(
                "C-9", Phrase("the decision on {employee} has no result to appeal", employee=employee)
            )
        categories = [ResultCategory(word) for word in allowed_results(book, spec)]
        try:
            found = decide_appeal(
                outcome,
                review,
                decided_score=decided_score,
                decided_category=ResultCategory(decided),
                filed_on=filed["filed_on"],
                outcome_on=as_of,
                results=book.results,
                revised_score=score,
                revised_category=result,
                categories=categories,
            )
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        uow.evaluations.decide_appeal(
            filed["id"],
            outcome=OUTCOME_WORDS[found.outcome],
            decided_on=as_of,
            revised_score=found.score if found.replaced else None,
            revised_category=found.category if found.replaced else None,
        )
        if found.replaced and case is not None:
            uow.calibration.update(case.id, final_score=found.score, final_category=found.category, reason=found.reason)
        elif found.replaced:
            uow.evaluations.update(row["id"], category=found.category, reason=found.reason)
        payload = {"period": row["period_label"], "outcome": found.outcome}
        payload.update(messages.result_payload(book, found.score, found.category))
        messages.queue(
            ctx,
            row["person_id"],
            key=f"appeal_outcome:{filed['id']}",
            kind=MessageKind.APPEAL_OUTCOME,
            day=as_of,
            payload=payload,
            evaluation_id=row["id"],
        )
        return AppealDecided(filed["id"], row["id"], found.outcome, found.score, found.category, found.replaced)
