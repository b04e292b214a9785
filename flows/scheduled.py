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

from datetime import date

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import annual, opening
from application.environment import Environment


def build(
    env: Environment, open_period: Flow[..., int], annual_final: Flow[..., int]
) -> tuple[Flow[..., dict[str, int]], Flow[..., dict[str, int]]]:
    @flow(name="open_periods", log_prints=False)
    def open_periods(as_of: date | None = None, body: str | None = None) -> dict[str, int]:
        """Open the periods that just ended, on their first working day (P-1, P-2, P-4), for every body."""
        day = env.clock.as_of(as_of)
        opened: dict[str, int] = {}
        for body_id in body_ids(env, body):
            code, labels = opening.request_due_periods(env, body_id, day)
            for label in labels:
                opened[f"{code} {label}"] = open_period(code, label, day)
        return opened

    @flow(name="annual_finals", log_prints=False)
    def annual_finals(as_of: date | None = None, year: int | None = None) -> dict[str, int]:
        """The annual final scores (P-3) of ``year`` (default: the year before the as-of day) for every body."""
        day = env.clock.as_of(as_of)
        target = annual.year_to_finalise(day, year)
        codes = [annual.body_code(env, body_id, day) for body_id in body_ids(env, None)]
        return {code: annual_final(code, target, day) for code in codes}

    return open_periods, annual_finals
