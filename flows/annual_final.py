"""``annual_final``: the annual final score of a body's year (P-3), when it is due."""

from __future__ import annotations

from datetime import date

from prefect import flow

from bagalau.services.context import BodyContext
from flows import runtime
from flows.steps import annual
from flows.tasks import batch_task, body_ids, in_body


@batch_task(name="annual-final")
def annual_final_task(body_id: int, year: int, day: date) -> int:
    def work(ctx: BodyContext) -> int:
        book = ctx.rulebook_for(date(year, 12, 31), fallback=day)
        if book.annual is None or not annual.is_due(ctx, book, year, day):
            return 0
        return annual.compute(ctx, book, year, day)

    return in_body(body_id, day, "flow:annual_final", work)


@flow(name="annual_final", log_prints=False)
def annual_final(body: str, year: int, as_of: date | None = None) -> int:
    """Average each person's quarterly final scores of ``year`` (P-3), once due; returns how many were computed."""
    day = runtime.as_of_or_today(as_of)
    (body_id,) = body_ids(body)
    return annual_final_task(body_id, year, day)
