"""Entry flows for the cron schedules: the steps whose own flows need a body and a period, run for every body.

Cron cannot say "the first working day after a quarter" (holidays move it, P-7), so ``open_periods`` runs on
days 1–7 of January, April, July and October and decides itself: for each body and each kind of period its
rulebook evaluates (quarters; the year for yearly methods, the annual final P-3 and the 360 survey T-1), the
period that just ended is requested and opened once its first working day has come (P-1, P-2, M-1), and the run
ends after a few queries on any other day. A period the opener missed for a whole week is opened by hand
(``bagalau rerun open_period``, docs/runbook.md). ``annual_finals`` runs the P-3 average of the year just ended
for every body. Both are idempotent, as the flows they call.
"""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow

from bagalau.services.context import BodyContext
from domain.periods import Period, last_completed
from domain.rulebook import Rulebook
from domain.vocabulary import PeriodKind
from flows import runtime
from flows.annual_final import annual_final
from flows.open_period import open_period
from flows.steps import opening
from flows.tasks import body_ids, in_body

ACTOR = "flow:open_periods"
OPENER_WINDOW = timedelta(days=7)
"""The opener's cron runs on days 1–7 after a quarter; later, a missed period is opened by hand (``open_period``)."""


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
        if not opening.opening_day(period, ctx) <= day <= period.end + OPENER_WINDOW:
            continue
        found = ctx.uow.periods.open(body_id=ctx.body_id, kind=kind, year=period.year, quarter=period.quarter)
        if not opening.is_opened(ctx, found.id):
            due.append(period.label)
    return due


@flow(name="open_periods", log_prints=False)
def open_periods(as_of: date | None = None, body: str | None = None) -> dict[str, int]:
    """Open the periods that just ended, on their first working day (P-1, P-2, P-4), for every body."""
    day = runtime.as_of_or_today(as_of)
    opened: dict[str, int] = {}
    for body_id in body_ids(body):
        code, labels = in_body(
            body_id, day, ACTOR, lambda ctx: (ctx.uow.org.body(ctx.body_id).code, due_periods(ctx, day))
        )
        for label in labels:
            opened[f"{code} {label}"] = open_period(code, label, day)
    return opened


@flow(name="annual_finals", log_prints=False)
def annual_finals(as_of: date | None = None, year: int | None = None) -> dict[str, int]:
    """The annual final scores (P-3) of ``year`` (default: the year before the as-of day) for every body."""
    day = runtime.as_of_or_today(as_of)
    target = last_completed(PeriodKind.YEAR, day).year if year is None else year
    codes = [in_body(body_id, day, ACTOR, lambda ctx: ctx.uow.org.body(ctx.body_id).code) for body_id in body_ids(None)]
    return {code: annual_final(code, target, day) for code in codes}
