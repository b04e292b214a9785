"""The yearly Commission cycle (004; 002 chapter 6 for its population, M-10) as one idempotent step per day.

For every yearly cycle of a body whose rulebook sends results to the Commission:

1. **Open** (M-1, E-5) on the first working day after the year: one evaluation per person and method
   (``kpi_count``, ``competencies``), decided like any period (``application.cycle.opening.decide``): three months in
   the position and not on probation, else ineligible; absent that day → ``deferred``, due 5 working days after
   the return (E-5); the superior head who will review the sheet is recorded (M-5). Each evaluatee present gets
   the ``evaluation_notice`` that day (its date is the Commission's, M-7); the evaluators are told when HR sets
   the meeting (``schedule_commission``).
2. **Returns** (E-5): a deferred evaluation opens the day the person is back, due N working days later, with its
   notice and the evaluator's sheet request.
3. **To the Commission** (M-5, M-6): HR submits every approved sheet within 2 working days (recorded once).
4. **Decide** (M-7) once the meeting day is over (the sweep of that evening, or of the next morning): per
   evaluation voted on, quorum of two thirds of the members present (those HR recorded as attending, else those
   who voted that day: the chair is never assumed present), simple majority, the chair's vote breaking a tie
   (``domain.votes.commission_outcome``). The result is the sheet's (M-4 count, M-6 indicators) or the one the
   Commission revised it to; the decisions go into the signed protocol and the appointing official is asked to
   approve them (``commission_approval_request``). **Nothing takes effect until they do** (004 §39, decision
   0140): their approval (``application.actions.commission_results``) completes the evaluations, tells the
   employee (``commission_decision``) with the appeal window (``appeal_window``, M-9), and acquaintance is due
   within 2 working days of it (M-8).
5. **Close** (M-9): a result acknowledged and not appealed within 10 working days of the approval is closed.

What is done is read from columns, never from the audit log (which still records each step as a trail):
``evaluation_period.commission_opened_on`` (opened), ``evaluation.submitted_to_commission_on`` (submitted) and
``evaluation.commission_undecided_on`` (a vote that decided nothing was recorded).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from application import messages
from application.actions.commission import approver_of, commission_rules, evaluation_notice, spec_of
from application.actions.commission_results import (
    SESSION_CLOSES,
    UNDECIDED,
    ask_for_approval,
    effective_day,
    record_decisions,
    session_over,
)

__all__ = ["SESSION_CLOSES", "UNDECIDED", "commission_book", "commission_cycle", "commission_step", "session_over"]
from application.actions.lookup import Row
from application.context import BodyContext, in_body
from application.cycle import opening
from application.environment import Environment
from domain.access import Principal
from domain.deadlines import commission_schedule, resolve
from domain.eligibility import return_day
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, PeriodKind
from notifications.kinds import MessageKind
from persistence import annual_state, bulk, flowstate

COMMISSION_CYCLE = Principal.system_step("commission_cycle")
OPENED = "open_commission"
SUBMITTED = "submit_to_commission"


def commission_book(ctx: BodyContext, year: int) -> Rulebook | None:
    """The rulebook of the year if some of its methods go to the Commission (M-1, M-10), else ``None``."""
    book = ctx.rulebook_for(date(year, 12, 31), fallback=ctx.on)
    if book.commission is None or not any(spec.review == "commission" for spec in book.methods):
        return None
    return book


def run_commission_step(ctx: BodyContext, day: date, year: int | None = None) -> int:
    """Every step of the Commission cycle due on ``day`` for the body's yearly cycles (of ``year``, or all)."""
    done = 0
    for period in flowstate.periods(ctx.uow.session, body_id=ctx.body_id):
        if period.kind != PeriodKind.YEAR or (year is not None and period.year != year):
            continue
        book = commission_book(ctx, period.year)
        if book is None:
            continue
        done += _open(ctx, book, period.id, period.year, day)
        evaluations = flowstate.evaluations(ctx.uow.session, period_id=period.id, eligible=True)
        rows = [row for row in evaluations if spec_of(ctx, row)[1].review == "commission"]
        done += _returns(ctx, book, period.id, rows, day)
        done += _submit_to_commission(ctx, book, rows, day)
        done += _decide(ctx, book, period.year, day)
        done += _close_after_appeal_window(ctx, book, rows, day)
    return done


def commission_step(ctx: BodyContext, day: date) -> int:
    """The daily sweep's step: the Commission cycle of every yearly cycle of the body."""
    return run_commission_step(ctx, day)


# --- 1. open ---------------------------------------------------------------------------------------------------


def _open(ctx: BodyContext, book: Rulebook, period_id: int, year: int, day: date) -> int:
    """M-1, E-5, M-5: the year's Commission evaluations, once, on or after the first working day after the year."""
    period = Period.of_year(year)
    if day < ctx.calendar.next_working_day(period.end) or ctx.uow.periods.commission_opened_on(period_id) is not None:
        return 0
    decided = opening.decide(ctx, period, period_id, book, day, review="commission")
    rows = []
    for item in decided:
        row = item.row
        if row.eligible and row.evaluator_id is not None:
            approver = approver_of(ctx, {"approver_id": None, "evaluator_id": row.evaluator_id})
            row = replace(row, approver_id=approver)
        rows.append(row)
    inserted = bulk.insert_evaluations(ctx.uow.connection, rows)
    stored = flowstate.evaluations(ctx.uow.session, period_id=period_id, eligible=True)
    notices = [
        message
        for row in stored
        if row["status"] == EvaluationStatus.OPEN.value and spec_of(ctx, row)[1].review == "commission"
        for message in evaluation_notice(ctx, row, None)
    ]
    bulk.insert_outbox(ctx.uow.connection, notices)
    ctx.uow.periods.mark_commission_opened(period_id, day)
    after = {"opened_on": day.isoformat(), "evaluations": len(rows)}
    ctx.uow.audit("evaluation_period", period_id, OPENED, after=after, reason="yearly Commission cycle opened (M-1)")
    return inserted


# --- 2. returns from absence (E-5) ---------------------------------------------------------------------------------


def _returns(ctx: BodyContext, book: Rulebook, period_id: int, rows: list[Row], day: date) -> int:
    """E-5: a deferred evaluation opens on the person's return, due N working days after it."""
    deferred = [row for row in rows if row["status"] == EvaluationStatus.DEFERRED.value]
    rule = book.eligibility.after_return
    if not deferred or rule is None:
        return 0
    opened_on = ctx.uow.periods.commission_opened_on(period_id) or day
    count = 0
    for row in deferred:
        employee = ctx.org.employee(ctx.numbers[row["person_id"]])
        absence = employee.absence_on(opened_on)
        back = return_day(employee, absence, ctx.calendar) if absence is not None else day
        if day < back:
            continue
        due = resolve(rule, {rule.after: back}, ctx.calendar)
        ctx.uow.evaluations.update(
            row["id"], status=EvaluationStatus.OPEN, deadline=due, reason=f"back on {back.isoformat()} (E-5)"
        )
        for notice in evaluation_notice(ctx, row, due):
            ctx.uow.outbox.enqueue(notice)
        if row["evaluator_id"] is not None:
            payload = {
                "period": row["period_label"],
                "method": row["method"],
                "deadline": due.isoformat(),
                "evaluatee_name": ctx.name(row["person_id"]),
            }
            messages.queue(
                ctx,
                row["evaluator_id"],
                key=f"sheet:{row['id']}",
                kind=MessageKind.SHEET_REQUEST,
                day=day,
                payload=payload,
                evaluation_id=row["id"],
            )
        count += 1
    return count


# --- 3. HR submits the approved sheets (M-5, M-6) -----------------------------------------------------------------


def _submit_to_commission(ctx: BodyContext, book: Rulebook, rows: list[Row], day: date) -> int:
    """M-5 / M-6: every approved sheet goes to the Commission, recorded once with the day it was due by."""
    approved = [row for row in rows if row["status"] == EvaluationStatus.APPROVED.value]
    if not approved:
        return 0
    rules = commission_rules(book)
    count = 0
    for row in approved:
        if row["submitted_to_commission_on"] is not None:
            continue
        reviews = ctx.uow.sheets.reviews(row["id"])
        signed = reviews[-1].decided_on if reviews else row["submitted_on"] or day
        _, spec = spec_of(ctx, row)
        due = commission_schedule(Period.parse(row["period_label"]), spec, rules, ctx.calendar, signed_on=signed)
        ctx.uow.evaluations.mark_submitted_to_commission(row["id"], day)
        after = {"submitted_on": day.isoformat(), "due_by": (due.submit_to_commission_by or day).isoformat()}
        ctx.uow.audit("evaluation", row["id"], SUBMITTED, after=after, reason="HR submits the sheet (M-5, M-6)")
        count += 1
    return count


# --- 4. the Commission decides (M-7); the appointing official approves --------------------------------------------


def _decide(ctx: BodyContext, book: Rulebook, year: int, day: date) -> int:
    """M-7: the decisions of every meeting whose vote is closed, recorded in its signed protocol; the appointing
    official is asked to approve them (``commission_approval_request``, once). The results take effect only when
    they approve (``application.actions.commission_results.approve_commission_results``, decision 0140)."""
    count = 0
    for meeting in ctx.uow.commission.meetings(ctx.body_id, year):
        if session_over(ctx, meeting.meeting_date, day):
            count += record_decisions(ctx, book, meeting)
            count += ask_for_approval(ctx, ctx.uow.commission.get(meeting.id))
    return count


# --- 5. the appeal window closes (M-9) -----------------------------------------------------------------------------


def _close_after_appeal_window(ctx: BodyContext, book: Rulebook, rows: list[Row], day: date) -> int:
    """M-9: an acquainted result not appealed within the window (from the approval) is final (``closed``)."""
    acquainted = [row for row in rows if row["status"] == EvaluationStatus.ACQUAINTED.value]
    if not acquainted:
        return 0
    ids = [row["id"] for row in acquainted]
    appealed = annual_state.appeals_of(ctx.uow.session, ids)
    decisions = annual_state.decisions_of(ctx.uow.session, ids)
    count = 0
    for row in acquainted:
        decision = decisions.get(row["id"])
        if decision is None or row["id"] in appealed:
            continue
        _, spec = spec_of(ctx, row)
        period = Period.parse(row["period_label"])
        until = commission_schedule(
            period, spec, commission_rules(book), ctx.calendar, decided_on=effective_day(decision)
        ).appeal_by
        if until is not None and day > until:
            ctx.uow.evaluations.update(
                row["id"], status=EvaluationStatus.CLOSED, closed_on=day, reason="appeal window over (M-9)"
            )
            count += 1
    return count


# --- the flow's work -----------------------------------------------------------------------------------------------


def commission_cycle(env: Environment, body_id: int, year: int, day: date) -> int:
    """The ``commission_cycle`` flow's work for one body: the yearly cycle of ``year`` is made sure to exist when
    the rulebook sends that year's results to the Commission, then every step due on ``day`` runs."""

    def work(ctx: BodyContext) -> int:
        if commission_book(ctx, year) is not None:
            ctx.uow.periods.open(body_id=ctx.body_id, kind=PeriodKind.YEAR, year=year)
        return run_commission_step(ctx, day, year)

    return in_body(env, body_id, day, COMMISSION_CYCLE, work)
