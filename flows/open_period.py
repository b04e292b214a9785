"""``open_period``: open one period of one body — evaluations, notices, sheet requests (P-1…P-6, E-1…E-6, G-7)."""

from __future__ import annotations

from datetime import date

from prefect import flow

from bagalau.services.context import BodyContext
from domain.periods import Period
from flows import runtime
from flows.steps import opening
from flows.tasks import batch_task, body_ids, in_body
from persistence import flowstate


@batch_task(name="open-period")
def open_period_task(body_id: int, label: str, day: date) -> int:
    """Decide every (person, method) of the period and persist them with their notices, in one unit of work."""

    def work(ctx: BodyContext) -> int:
        found = ctx.uow.periods.by_label(body_id, label)
        if found is None:
            period = Period.parse(label)
            found = ctx.uow.periods.open(body_id=body_id, kind=period.kind, year=period.year, quarter=period.quarter)
        if opening.is_opened(ctx, found.id):
            return 0
        period = Period.parse(label)
        book = ctx.rulebook_for(period.end, fallback=day)
        decided = opening.decide(ctx, period, found.id, book, day)
        return opening.persist(ctx, period, found.id, decided, day)

    return in_body(body_id, day, "flow:open_period", work)


@flow(name="open_period", log_prints=False)
def open_period(body: str, period: str, as_of: date | None = None) -> int:
    """Open a period of a body (``2025-Q1`` or ``2025``) as of a day: evaluations, notices, sheets."""
    day = runtime.as_of_or_today(as_of)
    (body_id,) = body_ids(body)
    return open_period_task(body_id, period, day)


def due_openings(day: date, bodies: list[int]) -> list[tuple[str, str]]:
    """The requested periods whose opening day has come and that are not opened yet: (body code, label)."""
    due: list[tuple[str, str]] = []
    for body_id in bodies:

        def work(ctx: BodyContext) -> list[tuple[str, str]]:
            found = []
            for row in flowstate.periods(ctx.uow.session, body_id=ctx.body_id):
                period = Period.parse(row.label)
                if opening.opening_day(period, ctx) <= day and not opening.is_opened(ctx, row.id):
                    found.append((ctx.uow.org.body(ctx.body_id).code, row.label))
            return found

        due += in_body(body_id, day, "flow:daily_sweep", work)
    return due
