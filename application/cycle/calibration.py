"""One calibration case as of a day (C-3…C-8): missed windows, the majority, the protocol, the final result.

* C-3 / C-4: no composition the working day after ``decide_by``, or no decision the working day after
  ``hold_by`` → HR is told once (``calibration_window_missed``), the case goes on.
* C-6: a score voted by more than half of all the members is the outcome; it becomes the evaluation's final
  result (audited, the sheet's score stays as submitted). The protocol counts as signed on the day the last
  member votes; C-7 gives the day it must be posted by. Every member voted and no majority → HR is told.
* C-7 / C-8: once signed with an outcome, the protocol is posted (to the employee and the participants) and the
  feedback meeting is called (employee and evaluator); the case and the evaluation are closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from application import messages
from application.context import BodyContext, in_body
from application.environment import Environment
from domain import votes
from domain.access import Principal
from domain.deadlines import calibration_schedule
from domain.rulebook import Rulebook
from domain.vocabulary import CalibrationStatus, EvaluationStatus
from notifications.kinds import MessageKind
from persistence import flowstate
from persistence.records import CalibrationCase

WINDOW_MISSED = "calibration_window_missed"
NO_MAJORITY = "calibration_no_majority"
SESSION = Principal.system_step("calibration_session")
SWEEP = Principal.system_step("daily_sweep")


def settle(env: Environment, case_id: int, day: date) -> str:
    """The ``calibration_session`` flow's work: one case moved along as of ``day``, in one unit of work."""
    with env.unit_of_work(SESSION) as uow:
        body_id = flowstate.body_of_case(uow.session, case_id)
    return in_body(env, body_id, day, SESSION, lambda ctx: settle_case(ctx, case_id, day))


def open_cases(env: Environment, bodies: list[int]) -> list[int]:
    """The calibration cases not closed yet of the given bodies (the daily sweep runs a session for each)."""
    with env.unit_of_work(SWEEP) as uow:
        return [case for body_id in bodies for case in flowstate.open_cases(uow.session, body_id)]


def settle_case(ctx: BodyContext, case_id: int, day: date) -> str:
    """Move one case along as of ``day``; returns what happened (for the flow's log)."""
    uow = ctx.uow
    case = uow.calibration.get(case_id)
    if case.status == CalibrationStatus.CLOSED:
        return "closed"
    row = uow.evaluations.get(case.evaluation_id)
    evaluation: dict[str, Any] = {"id": row.id, "person_id": row.person_id, "evaluator_id": row.evaluator_id}
    evaluation["period_label"] = uow.periods.get(row.period_id).label
    book = ctx.book(row.rulebook_id)
    _watch_windows(ctx, case, evaluation, day)
    if not case.members or not case.votes:
        return case.status.value
    members = [ctx.numbers[person] for person in case.members]
    cast = [(ctx.numbers[vote.person_id], vote.score) for vote in case.votes]
    outcome = votes.calibration_outcome(cast, members, book.results)
    if outcome.decided and case.final_score is None:
        _adopt(ctx, case, row.score, row.category, outcome, reason=outcome.reason)
    if outcome.pending:
        return "voting"
    signed_on = max(vote.voted_on for vote in case.votes)
    if not outcome.decided:
        _tell_no_majority(ctx, case, evaluation, signed_on)
        _escalate(ctx, case, evaluation, NO_MAJORITY, 3, signed_on)
        if case.status != CalibrationStatus.VOTED:
            uow.calibration.update(
                case.id, status=CalibrationStatus.VOTED, protocol_signed_on=signed_on, reason=outcome.reason
            )
        return "no majority"
    _close(ctx, case, evaluation, book, signed_on, outcome.score, outcome.category)
    return "closed"


def _tell_no_majority(ctx: BodyContext, case: CalibrationCase, evaluation: Mapping[str, Any], day: date) -> None:
    """C-6: every member voted and no score has a majority: HR and the appointing official decide what next."""
    payload = {
        "period": evaluation["period_label"],
        "employee_name": ctx.name(evaluation["person_id"]),
        "voted_on": day.isoformat(),
    }
    messages.queue(
        ctx,
        messages.OFFICIAL_AND_HR,
        key=f"calibration:{case.id}:no_majority",
        kind=MessageKind.CALIBRATION_NO_MAJORITY,
        day=day,
        payload=payload,
        evaluation_id=evaluation["id"],
    )


def _watch_windows(ctx: BodyContext, case: CalibrationCase, evaluation: Mapping[str, Any], day: date) -> None:
    """C-3 / C-4: tell HR once when a step was not taken within its working-day window."""
    if not ctx.calendar.is_working_day(day):
        return
    if not case.members and case.decide_by is not None and day > case.decide_by:
        _window_missed(ctx, case, evaluation, "decision", case.decide_by, level=1, day=day)
    undecided = case.final_score is None and case.protocol_signed_on is None
    if undecided and case.hold_by is not None and day > case.hold_by:
        _window_missed(ctx, case, evaluation, "session", case.hold_by, level=2, day=day)


def _window_missed(
    ctx: BodyContext,
    case: CalibrationCase,
    evaluation: Mapping[str, Any],
    step: str,
    due: date,
    *,
    level: int,
    day: date,
) -> None:
    payload = {
        "period": evaluation["period_label"],
        "employee_name": ctx.name(evaluation["person_id"]),
        "step": step,
        "due_on": due.isoformat(),
    }
    messages.queue(
        ctx,
        messages.HR,
        key=f"calibration:{case.id}:missed:{step}",
        kind=MessageKind.CALIBRATION_WINDOW_MISSED,
        day=day,
        payload=payload,
        evaluation_id=evaluation["id"],
    )
    _escalate(ctx, case, evaluation, WINDOW_MISSED, level, day)


def _escalate(
    ctx: BodyContext, case: CalibrationCase, evaluation: Mapping[str, Any], kind: str, level: int, day: date
) -> None:
    ctx.uow.escalations.escalate(
        evaluation["id"],
        kind=kind,
        level=level,
        about_person_id=evaluation["person_id"],
        escalated_on=day,
        to_role="hr",
    )


def _adopt(ctx: BodyContext, case: CalibrationCase, score: Any, category: Any, outcome: Any, *, reason: str) -> None:
    """C-6: the majority's score is the final result of the evaluation (audited; the sheet keeps its own)."""
    ctx.uow.calibration.update(case.id, final_score=outcome.score, final_category=outcome.category, reason=reason)
    ctx.uow.audit(
        "evaluation",
        case.evaluation_id,
        "calibrate",
        before={
            "score": None if score is None else str(score),
            "category": None if category is None else str(category),
        },
        after={"score": str(outcome.score), "category": str(outcome.category)},
        reason=reason,
    )


def _close(
    ctx: BodyContext,
    case: CalibrationCase,
    evaluation: Mapping[str, Any],
    book: Rulebook,
    signed_on: date,
    score: Any,
    category: Any,
) -> None:
    """C-7 / C-8: protocol signed on the last vote, posted, feedback meeting called; case and evaluation closed."""
    assert book.calibration is not None
    post_by = calibration_schedule(book.calibration, ctx.calendar, signed_on=signed_on).protocol_post_by
    meeting = ctx.calendar.next_working_day(signed_on)
    ctx.uow.calibration.update(
        case.id,
        status=CalibrationStatus.CLOSED,
        held_on=signed_on,
        protocol_signed_on=signed_on,
        protocol_post_by=post_by,
        posted_on=signed_on,
        feedback_meeting_on=meeting,
        reason="protocol signed by the last vote, posted; feedback meeting called (C-6, C-7, C-8)",
    )
    ctx.uow.evaluations.update(
        case.evaluation_id, status=EvaluationStatus.CLOSED, closed_on=signed_on, reason="calibration closed (C-8)"
    )
    base = {"period": evaluation["period_label"], "employee_name": ctx.name(evaluation["person_id"])}
    posted = {**base, **messages.result_payload(book, score, category)}
    for person in dict.fromkeys([evaluation["person_id"], *case.members]):
        _send(ctx, case, evaluation, f"protocol:{person}", MessageKind.PROTOCOL_POSTED, person, posted, signed_on)
    feedback = {
        **base,
        "evaluator_name": ctx.name(evaluation["evaluator_id"]),
        "meeting_at": datetime.combine(meeting, time(10, 0), tzinfo=ctx.env.clock.zone).isoformat(),
    }
    for person in dict.fromkeys(p for p in (evaluation["person_id"], evaluation["evaluator_id"]) if p is not None):
        _send(ctx, case, evaluation, f"feedback:{person}", MessageKind.FEEDBACK_MEETING, person, feedback, signed_on)


def _send(
    ctx: BodyContext,
    case: CalibrationCase,
    evaluation: Mapping[str, Any],
    suffix: str,
    kind: MessageKind,
    person: int,
    payload: Mapping[str, Any],
    day: date,
) -> None:
    messages.queue(
        ctx,
        person,
        key=f"calibration:{case.id}:{suffix}",
        kind=kind,
        day=day,
        payload=payload,
        evaluation_id=evaluation["id"],
    )
