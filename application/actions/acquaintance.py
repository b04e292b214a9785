"""Acquaintance with a result (C-1) and disagreement with it (C-2), which opens a calibration case (C-3, C-4).

An acknowledgement is the proof that the employee saw the result; it opens the C-2 window of 5 working days.
A disagreement before any acknowledgement counts as acquaintance on that day. One case per evaluation: a second
application about the same result is refused, as is one after the window closed. An accepted disagreement tells
the appointing official and HR (C-3: decide within 3 working days) and starts the ``calibration_session`` flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application import messages
from application.actions.lookup import Row, evaluations_of, with_result
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.deadlines import calibration_schedule
from domain.errors import Phrase
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, Method
from notifications.kinds import MessageKind


@dataclass(frozen=True)
class Acknowledged:
    evaluation_id: int
    acquainted_on: date
    disagreement_until: date | None
    already: bool


@dataclass(frozen=True)
class Applied:
    """An accepted disagreement: the case and its C-3 / C-4 dates."""

    evaluation_id: int
    case_id: int
    applied_on: date
    decide_by: date | None
    hold_by: date | None


def acknowledge(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str | None = None,
    method: Method | str | None = None,
    period: str | None = None,
    via: str = "system",
) -> Acknowledged:
    """The employee (``principal``, or ``employee`` for them) acknowledges their latest result (C-1); a second
    acknowledgement changes nothing."""
    employee = employee or _person(principal)
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        row = with_result(ctx, person_id, employee, method=method, period=period)
        # M-8: results decided together (a Commission's KPI and competency lines) are acknowledged together.
        together = [
            other
            for other in evaluations_of(ctx, person_id, method=method, period=row["period_label"])
            if other["eligible"] and other["completed_on"] == row["completed_on"] and other["acquainted_on"] is None
        ]
        if not together:
            return Acknowledged(row["id"], row["acquainted_on"], row["disagreement_until"], already=True)
        book = ctx.book(row["rulebook_id"])
        for other in together:
            until = record_acquaintance(ctx, other, book, person_id=person_id, day=as_of, via=via)
        return Acknowledged(together[0]["id"], as_of, until, already=False)


def record_acquaintance(
    ctx: BodyContext, row: Row, book: Rulebook, *, person_id: int, day: date, via: str
) -> date | None:
    """Acquainted on ``day`` (C-1): the proof, the status, and the last day to disagree (C-2)."""
    until = None
    if book.calibration is not None:
        until = calibration_schedule(book.calibration, ctx.calendar, acquainted_on=day).apply_by
    ctx.uow.evaluations.acknowledge(row["id"], person_id=person_id, at=ctx.env.clock.moment(day), via=via)
    ctx.uow.evaluations.update(
        row["id"],
        status=EvaluationStatus.ACQUAINTED,
        acquainted_on=day,
        acquaintance_method=via,
        disagreement_until=until,
        reason=f"acquainted by {via} (C-1)",
    )
    return until


def disagree(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    text: str,
    employee: str | None = None,
    method: Method | str | None = None,
    period: str | None = None,
) -> Applied:
    """The employee applies for a calibration session about their latest result (C-2); once committed, the
    session is started through ``env.launcher`` (exactly once per accepted disagreement)."""
    employee = employee or _person(principal)
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        row = with_result(ctx, person_id, employee, method=method, period=period)
        book = ctx.book(row["rulebook_id"])
        if book.calibration is None or book.method(row["method"]).review != "calibration":
            raise Rejected.by_rule(
                "M-9",
                Phrase(
                    "results of {period_label} are reviewed by the Commission, not calibrated",
                    period_label=row["period_label"],
                ),
            )
        existing = uow.calibration.for_evaluation(row["id"])
        if existing is not None:
            raise Rejected.by_rule(
                "C-2",
                Phrase(
                    "{employee} already applied for calibration on {applied_on}",
                    employee=employee,
                    applied_on=existing.applied_on,
                ),
            )
        rule = book.calibration.apply_within.rule
        acquainted = row["acquainted_on"]
        if acquainted is None:  # a disagreement before any acknowledgement: acquainted that day
            record_acquaintance(ctx, row, book, person_id=person_id, day=as_of, via="disagreement")
            acquainted = as_of
        apply_by = calibration_schedule(book.calibration, ctx.calendar, acquainted_on=acquainted).apply_by
        if apply_by is not None and as_of > apply_by:
            raise Rejected.by_rule(rule, Phrase("the disagreement window closed on {apply_by}", apply_by=apply_by))
        case_id, applied = _open_case(ctx, row, book, text=text, day=as_of)
    env.launcher.calibration_session(case_id, as_of)
    return applied


def _person(principal: Principal) -> str:
    if principal.person is None:
        raise Rejected(Phrase("{actor} acts for no person: name the employee", actor=principal.actor))
    return principal.person


def _open_case(ctx: BodyContext, row: Row, book: Rulebook, *, text: str, day: date) -> tuple[int, Applied]:
    assert book.calibration is not None
    dates = calibration_schedule(book.calibration, ctx.calendar, applied_on=day)
    case, _ = ctx.uow.calibration.open_case(
        row["id"], applied_on=day, application_text=text, decide_by=dates.decide_by, hold_by=dates.hold_by
    )
    ctx.uow.evaluations.update(row["id"], status=EvaluationStatus.IN_CALIBRATION, reason="disagreement (C-2)")
    payload = {
        "period": row["period_label"],
        "employee_name": ctx.name(row["person_id"]),
        "applied_on": day.isoformat(),
        "decide_by": (dates.decide_by or day).isoformat(),
        "text": text,
    }
    messages.queue(
        ctx,
        messages.OFFICIAL_AND_HR,
        key=f"disagreement:{case.id}",
        kind=MessageKind.DISAGREEMENT_RECEIVED,
        day=day,
        payload=payload,
        evaluation_id=row["id"],
    )
    return case.id, Applied(row["id"], case.id, day, dates.decide_by, dates.hold_by)
