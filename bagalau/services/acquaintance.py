"""Acquaintance with a result (C-1) and disagreement with it (C-2), which opens a calibration case (C-3, C-4).

An acknowledgement is the proof that the employee saw the result; it opens the C-2 window of 5 working days.
A disagreement before any acknowledgement counts as acquaintance on that day. One case per evaluation: a second
application about the same result is refused, as is one after the window closed. An accepted disagreement tells
the appointing official and HR (C-3: decide within 3 working days) and starts the ``calibration_session`` flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bagalau.services import messages
from bagalau.services.context import BodyContext, Target, audit_actor, resolve_body, transaction
from bagalau.services.errors import Rejected
from bagalau.services.lookup import Row, evaluations_of, with_result
from domain.deadlines import calibration_schedule
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, Method
from flows import runtime
from notifications.kinds import MessageKind
from persistence.uow import UnitOfWork


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
    target: Target,
    *,
    as_of: date,
    actor: str,
    employee: str | None = None,
    method: Method | str | None = None,
    period: str | None = None,
    via: str = "system",
    body: str | None = None,
) -> Acknowledged:
    """The employee acknowledges their latest result (C-1); a second acknowledgement changes nothing."""
    employee = employee or actor
    with transaction(target, audit_actor(actor)) as uow:
        ctx = BodyContext(uow, resolve_body(uow, body), as_of)
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
        book = runtime.rulebook(row["rulebook_id"])
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
    ctx.uow.evaluations.acknowledge(row["id"], person_id=person_id, at=runtime.moment(day), via=via)
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
    target: Target,
    *,
    as_of: date,
    actor: str,
    text: str,
    employee: str | None = None,
    method: Method | str | None = None,
    period: str | None = None,
    body: str | None = None,
) -> Applied:
    """The employee applies for a calibration session about their latest result (C-2)."""
    employee = employee or actor
    with transaction(target, audit_actor(actor)) as uow:
        ctx = BodyContext(uow, resolve_body(uow, body), as_of)
        person_id = ctx.person_id(employee)
        row = with_result(ctx, person_id, employee, method=method, period=period)
        book = runtime.rulebook(row["rulebook_id"])
        if book.calibration is None or book.method(row["method"]).review != "calibration":
            raise Rejected.by_rule(
                "M-9", f"results of {row['period_label']} are reviewed by the Commission, not calibrated"
            )
        existing = uow.calibration.for_evaluation(row["id"])
        if existing is not None:
            raise Rejected.by_rule(
                "C-2", f"{employee} already applied for calibration on {existing.applied_on.isoformat()}"
            )
        rule = book.calibration.apply_within.rule
        acquainted = row["acquainted_on"]
        if acquainted is None:  # a disagreement before any acknowledgement: acquainted that day
            record_acquaintance(ctx, row, book, person_id=person_id, day=as_of, via="disagreement")
            acquainted = as_of
        apply_by = calibration_schedule(book.calibration, ctx.calendar, acquainted_on=acquainted).apply_by
        if apply_by is not None and as_of > apply_by:
            raise Rejected.by_rule(rule, f"the disagreement window closed on {apply_by.isoformat()}")
        case_id, applied = _open_case(ctx, row, book, text=text, day=as_of)
    launch = runtime.current().launch_calibration
    if launch is not None and not isinstance(target, UnitOfWork):  # a caller's unit of work launches after commit
        launch(case_id, as_of)
    return applied


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
    for message in messages.to_official_and_hr(
        ctx,
        key=f"disagreement:{case.id}",
        kind=MessageKind.DISAGREEMENT_RECEIVED.value,
        day=day,
        payload=payload,
        evaluation_id=row["id"],
    ):
        ctx.uow.outbox.enqueue(message)
    return case.id, Applied(row["id"], case.id, day, dates.decide_by, dates.hold_by)
