"""Opening a period (P-1…P-6, E-1…E-6, G-2, G-7): one evaluation per (person, period, method), notices, sheets.

For every B-corps person of the body the rulebook's methods for the period apply (``methods_for``); each is
decided by ``decide_eligibility`` (E-6 may swap a KPI method for its fallback) and, when eligible, routed to its
evaluator on the opening day (``route_evaluator``, G-7 substitution). Every considered (person, method) gets a row,
eligible or not; eligible ones get the evaluatee's ``evaluation_notice`` and the evaluator's ``sheet_request``,
sent on the opening day (so "no later than the 5th/10th" holds whenever the period opens on time, P-4). A period
opened after a notice date is late: HR is told once, and each late notice is escalated (``period_opened_late``).

:func:`open_period` is the ``open_period`` flow's work (one body, one period, one unit of work);
:func:`due_openings` the requested periods the daily sweep opens; :func:`request_due_periods` what the
``open_periods`` opener requests in the week after a quarter (P-7).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from application import messages
from application.context import BodyContext, in_body
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.deadlines import PeriodSchedule, period_schedule
from domain.eligibility import (
    DISMISSED_BEFORE_PERIOD,
    NOT_B_CORPS,
    NOT_EMPLOYED_IN_PERIOD,
    category_in,
    decide_eligibility,
    methods_for,
)
from domain.facts import Employee
from domain.periods import Period, last_completed
from domain.routing import route_evaluator
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import EvaluationStatus, Method, PeriodKind
from notifications.kinds import MessageKind
from persistence import bulk, compose, flowstate
from persistence.heap import collecting_later
from persistence.models.base import now_utc
from persistence.records import NewEvaluation, NewMessage

NOT_CONSIDERED = frozenset({NOT_B_CORPS, NOT_EMPLOYED_IN_PERIOD, DISMISSED_BEFORE_PERIOD})
"""Decisions that mean the cycle does not consider the person at all (no evaluation row)."""

OPENED = "open"
"""The audit action recording that a period was opened (the state itself is ``evaluation_period.opened_on``)."""

OPEN_PERIOD = Principal.system_step("open_period")
OPENER = Principal.system_step("open_periods")
SWEEP = Principal.system_step("daily_sweep")
OPENER_WINDOW = timedelta(days=7)
"""The opener's cron runs on days 1–7 after a quarter; later, a missed period is opened by hand (``open_period``)."""


@dataclass(frozen=True)
class Decided:
    """One (person, method) as the opening decided it."""

    row: NewEvaluation
    schedule: PeriodSchedule | None


def opening_day(period: Period, ctx: BodyContext) -> date:
    """The first working day after the period ends: when its evaluations open (P-1, P-2, P-4)."""
    return ctx.calendar.next_working_day(period.end)


def is_opened(ctx: BodyContext, period_id: int) -> bool:
    return ctx.uow.periods.is_opened(period_id)


def approval_missing(ctx: BodyContext, period_id: int, label: str, book: Rulebook) -> str | None:
    """The opening gate (G-4): why period ``label`` may not open yet, or ``None`` when it may.

    A period opens only with its evaluation schedule approved by the appointing official, unless its rulebook says
    approval is not required (``schedule.approval_required``, default true; 000 §10, 001 §10).
    """
    if not book.schedule.approval_required or ctx.uow.periods.schedule_approval(period_id) is not None:
        return None
    return (
        f"the evaluation schedule of {label} is not approved: the appointing official approves it first "
        f"(`bagalau schedule approve BODY {label} --by PERSONNEL_NUMBER`), or the rulebook {book.id} says "
        f"approval is not required ({book.schedule.rule})"
    )


def approved(ctx: BodyContext, period_id: int, period: Period) -> bool:
    """Whether the opening gate lets the period open (G-4); a body without a rulebook is left to ``open_period``,
    which refuses it naming G-3."""
    try:
        book = ctx.rulebook_for(period.end, fallback=ctx.on)
    except Rejected:
        return True
    return approval_missing(ctx, period_id, period.label, book) is None


def decide(
    ctx: BodyContext, period: Period, period_id: int, book: Rulebook, day: date, *, review: str = "calibration"
) -> list[Decided]:
    """Every (person, method) the period considers, decided (pure but for the ids of ``ctx``).

    Only the methods whose results are reviewed by ``review``: the Commission's methods (M-1…M-9) are opened
    by ``application.cycle.commission``, which sends their notices when HR sets the meeting (M-7).
    """
    return _Decider(ctx, period, period_id, book, day, review).decide(ctx.org.employees)


class _Decider:
    """:func:`decide` for any run of the body's employees, remembering what people share across runs (the methods
    of a category, the schedules) — so a period decided in parts decides exactly what one pass decides."""

    def __init__(
        self, ctx: BodyContext, period: Period, period_id: int, book: Rulebook, day: date, review: str
    ) -> None:
        self.ctx = ctx
        self.period = period
        self.period_id = period_id
        self.book = book
        self.day = day
        self.review = review
        self.schedules: Schedules = {}
        # Without a population filter (M-10) the methods depend on the category held in the period alone: asked
        # once per category (issue 13).
        self.by_category = all(spec.population is None for spec in book.methods)
        self.methods: dict[str | None, list[MethodSpec]] = {}

    def decide(self, employees: Iterable[Employee]) -> list[Decided]:
        """The decisions of ``employees``, in their order (one per person and method)."""
        ctx, period, book = self.ctx, self.period, self.book
        decided: dict[tuple[int, Method], Decided] = {}
        methods = self.methods
        for employee in employees:
            if self.by_category:
                category = category_in(employee, period)
                if category not in methods:
                    methods[category] = methods_for(employee, period, book)
                specs = methods[category]
            else:
                specs = methods_for(employee, period, book)
            for spec in specs:
                if spec.review != self.review:
                    continue
                item = _decide_one(ctx, employee, spec, period, self.period_id, book, self.day, self.schedules)
                if item is not None:
                    decided.setdefault((item.row.person_id, item.row.method), item)
        return list(decided.values())


Schedules = dict[tuple[Method, date | None], PeriodSchedule]


def _schedule(
    period: Period,
    spec: MethodSpec,
    ctx: BodyContext,
    day: date,
    book: Rulebook,
    appointed: date | None,
    known: Schedules,
) -> PeriodSchedule:
    """``period_schedule`` of one method, computed once per method and appointment date that changes it: an
    appointment on or before the period's start counts from the period's start like none (K-1), so most people
    share one schedule (issue 13: a schedule per person was a fifth of deciding a quarter)."""
    later = appointed if appointed is not None and appointed > period.start else None
    found = known.get((spec.method, later))
    if found is None:
        found = period_schedule(period, spec, ctx.calendar, day, reminders=book.reminders, appointed=appointed)
        known[(spec.method, later)] = found
    return found


def _decide_one(
    ctx: BodyContext,
    employee: Employee,
    spec: MethodSpec,
    period: Period,
    period_id: int,
    book: Rulebook,
    day: date,
    schedules: Schedules | None = None,
) -> Decided | None:
    schedule = _schedule(period, spec, ctx, day, book, employee.appointed, {} if schedules is None else schedules)
    decision = decide_eligibility(
        employee, period, book.eligibility, ctx.calendar, spec, opened_on=day, deadline=schedule.deadline
    )
    if decision.reason in NOT_CONSIDERED:
        return None
    person_id = ctx.ids[employee.id]
    method = decision.method or spec.method
    if not decision.eligible:
        row = NewEvaluation(person_id, period_id, method, book.id, eligible=False, ineligible_reason=decision.reason)
        return Decided(row, None)
    if method != spec.method:  # E-6: evaluated by the fallback method, with its own schedule and evaluator
        spec = book.method(method)
        schedule = period_schedule(period, spec, ctx.calendar, day, reminders=book.reminders)
    routing = route_evaluator(employee, spec, ctx.org, day, book)
    row = NewEvaluation(
        person_id,
        period_id,
        method,
        book.id,
        status=EvaluationStatus.DEFERRED if decision.deferred_until else EvaluationStatus.OPEN,
        in_absentia=decision.in_absentia,
        evaluator_id=ctx.ids.get(routing.evaluator) if routing.evaluator else None,
        deadline=decision.deferred_until or schedule.deadline,
        notice_due_on=schedule.notice_by,
    )
    return Decided(row, schedule)


def persist(ctx: BodyContext, period: Period, period_id: int, decided: list[Decided], day: date) -> int:
    """Insert the evaluations (existing ones kept), queue notices and sheets, escalate lateness; mark opened."""
    uow = ctx.uow
    inserted = bulk.insert_evaluations(uow.connection, [item.row for item in decided])
    if inserted == len(decided) and compose.supported(uow.connection) and not any(_late(item) for item in decided):
        compose.fresh_statistics(uow.connection, "evaluation", inserted)
        _queue_in_database(ctx, period, period_id, decided)
        late_count = 0
    else:
        late_count = _queue(ctx, period, period_id, decided, day)
    _mark_opened(ctx, period_id, day, len(decided), late_count)
    return inserted


def _mark_opened(ctx: BodyContext, period_id: int, day: date, evaluations: int, late_count: int) -> None:
    ctx.uow.periods.mark_opened(period_id, day)
    after = {"opened_on": day.isoformat(), "evaluations": evaluations, "late_notices": late_count}
    ctx.uow.audit("evaluation_period", period_id, OPENED, after=after, reason="period opened (P-1, P-4)")


PARTS = (1, 2, 3, 4)
"""The shares of the body's employees a period is opened in when its evaluations are all new (PostgreSQL): a fixed
number of parts whatever the size of the body, so the statements stay flat (issue 13, decision 0191). The first is
the smallest, so the server starts writing early; each later part is decided while the one before it is written
(the server's part takes longer than deciding the next)."""


def _parts(count: int) -> list[tuple[int, int]]:
    """[start, end) of each part of ``count`` employees, by :data:`PARTS` (empty parts left out)."""
    total = sum(PARTS)
    bounds = [0]
    for weight in itertools.accumulate(PARTS):
        bounds.append(count * weight // total)
    return [(start, end) for start, end in itertools.pairwise(bounds) if end > start]


def _may_be_late(ctx: BodyContext, period: Period, book: Rulebook, day: date) -> bool:
    """Whether any notice of the period could be late when it opens on ``day``: lateness depends on the method,
    the period and the day only (never on the person's appointment, ``domain.deadlines._notice``)."""
    return any(period_schedule(period, spec, ctx.calendar, day, reminders=book.reminders).late for spec in book.methods)


def _open_in_parts(ctx: BodyContext, period: Period, period_id: int, book: Rulebook, day: date) -> int:
    """A period opened on time whose evaluations are all new (``compose.unopened_and_empty``), on PostgreSQL:
    decided in the :data:`PARTS` runs of the body's employees, each written — its evaluations and their notices and
    sheet requests, one statement (``compose.open_part``) — by a writer thread on the unit of work's connection
    while the next run is decided, so the server writes part k while Python decides part k+1 (psycopg waits for
    the server without the GIL). The same rows, ids and order as :func:`decide` then :func:`persist`; one
    transaction. Returns how many evaluations were written."""
    connection = ctx.uow.connection
    employees = ctx.org.employees
    # What deciding and the seat holders read from the database is read here, before the writer owns the
    # connection: the main thread touches it again only after the writer is done.
    _ = ctx.ids, ctx.numbers, ctx.calendar
    decider = _Decider(ctx, period, period_id, book, day, "calibration")
    write = partial(
        compose.open_part,
        connection,
        body_id=ctx.body_id,
        period_id=period_id,
        label=period.label,
        due_at=ctx.env.clock.day_start(ctx.on),
        now=now_utc(),
        sheets=messages.sheets_prefix(ctx),
    )

    def written(
        before: Future[tuple[int, int]] | None, rows: list[NewEvaluation], seats: dict[int, int]
    ) -> tuple[int, int]:
        if before is not None:
            before.result()  # a part whose predecessor failed writes nothing: the transaction is lost anyway
        return write(rows=rows, seat_holders=seats)

    parts: list[Future[tuple[int, int]]] = []
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bagalau-open-period")
    try:
        for start, end in _parts(len(employees)):
            decided = decider.decide(employees[start:end])
            if any(_late(item) for item in decided):  # _may_be_late said no notice can be
                raise RuntimeError(f"period {period.label}: a late notice in an opening decided on time")
            rows = [item.row for item in decided]
            evaluators = sorted({row.evaluator_id for row in rows if row.eligible and row.evaluator_id is not None})
            seats = {evaluator: messages.seat_holder_of(ctx, evaluator, ctx.on) for evaluator in evaluators}
            parts.append(writer.submit(written, parts[-1] if parts else None, rows, seats))
        counts = [part.result() for part in parts]
    finally:
        writer.shutdown(wait=True, cancel_futures=True)
    evaluations = sum(count for count, _ in counts)
    compose.analyzed_after_opening(connection, evaluations, sum(count for _, count in counts))
    return evaluations


def _late(item: Decided) -> bool:
    return item.row.eligible and item.schedule is not None and item.schedule.late


def _queue_in_database(ctx: BodyContext, period: Period, period_id: int, decided: list[Decided]) -> None:
    """The notices and sheet requests of a period opened on time, every evaluation new: composed by the database
    (``persistence.compose``) exactly as :func:`_notices` composes them, in the same order (issue 13)."""
    wanted = [item.row for item in decided if item.row.eligible and item.schedule is not None]
    evaluators = {row.evaluator_id for row in wanted if row.evaluator_id is not None}
    compose.queue_opening_notices(
        ctx.uow.connection,
        body_id=ctx.body_id,
        period_id=period_id,
        label=period.label,
        due_at=ctx.env.clock.day_start(ctx.on),
        evaluations=[(row.person_id, row.method.value) for row in wanted],
        seat_holders={evaluator: messages.seat_holder_of(ctx, evaluator, ctx.on) for evaluator in sorted(evaluators)},
        sheets=messages.sheets_prefix(ctx),
    )


def _queue(ctx: BodyContext, period: Period, period_id: int, decided: list[Decided], day: date) -> int:
    """The notices and sheet requests composed one by one (SQLite, a late opening, evaluations kept from before);
    lateness told to HR and escalated. Returns how many notices were late."""
    uow = ctx.uow
    stored = {(row["person_id"], row["method"]): row for row in flowstate.evaluations(uow.session, period_id=period_id)}
    notices: list[NewMessage] = []
    late: list[tuple[int, int, date]] = []
    for item in decided:
        row = stored[(item.row.person_id, item.row.method.value)]
        if not row["eligible"] or item.schedule is None:
            continue
        notices += _notices(ctx, period, row)
        if item.schedule.late:
            late.append((row["id"], row["person_id"], item.schedule.notice_by or day))
    if late:
        notices += _late_notice(ctx, period, period_id, day, min(due for _, _, due in late))
        _escalate_lateness(ctx, late, day)
    bulk.insert_outbox(uow.connection, notices)
    return len(late)


def _notices(ctx: BodyContext, period: Period, row: Mapping[str, Any]) -> list[NewMessage]:
    evaluation_id = row["id"]
    base = {"period": period.label, "method": row["method"], "deadline": row["deadline"].isoformat()}
    evaluator = row["evaluator_id"]
    found = messages.compose(
        ctx,
        row["person_id"],
        key=f"notice:{evaluation_id}",
        kind=MessageKind.EVALUATION_NOTICE,
        day=ctx.on,
        payload={**base, **({"evaluator_name": ctx.name(evaluator)} if evaluator else {})},
        evaluation_id=evaluation_id,
    )
    if evaluator is not None:
        found += messages.compose(
            ctx,
            evaluator,
            key=f"sheet:{evaluation_id}",
            kind=MessageKind.SHEET_REQUEST,
            day=ctx.on,
            payload={**base, "evaluatee_name": ctx.name(row["person_id"])},
            evaluation_id=evaluation_id,
        )
    return found


def _late_notice(ctx: BodyContext, period: Period, period_id: int, day: date, notice_due: date) -> list[NewMessage]:
    payload = {"period": period.label, "opened_on": day.isoformat(), "notice_due": notice_due.isoformat()}
    return messages.compose(
        ctx, messages.HR, key=f"period_late:{period_id}", kind=MessageKind.PERIOD_OPENED_LATE, day=day, payload=payload
    )


def _escalate_lateness(ctx: BodyContext, late: list[tuple[int, int, date]], day: date) -> None:
    rows = [
        {
            "evaluation_id": evaluation_id,
            "about_person_id": person_id,
            "to_person_id": None,
            "to_role": "hr",
            "kind": "period_opened_late",
            "level": 1,
            "escalated_on": day,
        }
        for evaluation_id, person_id, _ in late
    ]
    bulk.insert_ignoring_duplicates(ctx.uow.connection, flowstate.escalation, rows, ("evaluation_id", "kind", "level"))


# --- the flows' work ------------------------------------------------------------------------------------------


def open_period(env: Environment, body_id: int, label: str, day: date, principal: Principal = OPEN_PERIOD) -> int:
    """Decide every (person, method) of the period and persist them with their notices, in one unit of work;
    returns how many evaluations were new (0 when the period was opened already)."""

    def work(ctx: BodyContext) -> int:
        found = ctx.uow.periods.by_label(body_id, label)
        if found is None:
            period = Period.parse(label)
            found = ctx.uow.periods.open(body_id=body_id, kind=period.kind, year=period.year, quarter=period.quarter)
        if is_opened(ctx, found.id):
            return 0
        period = Period.parse(label)
        book = ctx.rulebook_for(period.end, fallback=day)
        missing = approval_missing(ctx, found.id, label, book)
        if missing is not None:
            raise Rejected.by_rule("G-4", missing)
        with collecting_later():  # a whole body's decisions and messages in memory: no cycles, many objects
            connection = ctx.uow.connection
            if (
                compose.supported(connection)
                and not _may_be_late(ctx, period, book, day)
                and compose.unopened_and_empty(connection, found.id)
            ):
                inserted = _open_in_parts(ctx, period, found.id, book, day)
                _mark_opened(ctx, found.id, day, inserted, 0)
                return inserted
            decided = decide(ctx, period, found.id, book, day)
            return persist(ctx, period, found.id, decided, day)

    return in_body(env, body_id, day, principal, work)


def due_openings(env: Environment, day: date, bodies: list[int]) -> list[tuple[str, str]]:
    """The requested periods whose opening day has come and that are not opened yet: (body code, label)."""
    due: list[tuple[str, str]] = []
    for body_id in bodies:

        def work(ctx: BodyContext) -> list[tuple[str, str]]:
            found = []
            for row in flowstate.periods(ctx.uow.session, body_id=ctx.body_id):
                period = Period.parse(row.label)
                if opening_day(period, ctx) <= day and not is_opened(ctx, row.id) and approved(ctx, row.id, period):
                    found.append((ctx.uow.org.body(ctx.body_id).code, row.label))
            return found

        due += in_body(env, body_id, day, SWEEP, work)
    return due


def kinds_evaluated(book: Rulebook) -> list[PeriodKind]:
    """The kinds of period a rulebook evaluates: its methods' cadences, and the year for P-3 or the 360 survey."""
    kinds = {spec.cadence for spec in book.methods}
    if book.annual is not None or book.survey_360 is not None:
        kinds.add(PeriodKind.YEAR)
    return sorted(kinds, key=lambda kind: kind.value, reverse=True)  # quarter before year


def due_periods(ctx: BodyContext, day: date) -> list[str]:
    """The periods that ended with the last quarter, from their first working day to the end of the opener's
    window (the first week after them), not opened yet; they are requested (created) here."""
    due: list[str] = []
    for kind in kinds_evaluated(ctx.rulebook_for(day)):
        period: Period = last_completed(kind, day)
        if not opening_day(period, ctx) <= day <= period.end + OPENER_WINDOW:
            continue
        found = ctx.uow.periods.open(body_id=ctx.body_id, kind=kind, year=period.year, quarter=period.quarter)
        if not is_opened(ctx, found.id) and approved(ctx, found.id, period):
            due.append(period.label)
    return due


def request_due_periods(env: Environment, body_id: int, day: date) -> tuple[str, list[str]]:
    """The opener's work for one body: its code and the labels of the periods it requested (P-1, P-2, P-7)."""
    return in_body(env, body_id, day, OPENER, lambda ctx: (ctx.uow.org.body(ctx.body_id).code, due_periods(ctx, day)))
