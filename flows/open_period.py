"""``open_period``: open one period of one body — evaluations, notices, sheet requests (P-1…P-6, E-1…E-6, G-7)."""

from __future__ import annotations

from datetime import date

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import opening
from application.environment import Environment
from flows.tasks import batch_task


def build(env: Environment) -> Flow[..., int]:
    @batch_task("open-period")
    def open_period_task(body_id: int, label: str, day: date) -> int:
        """Decide every (person, method) of the period and persist them with their notices, in one unit of work."""
        return opening.open_period(env, body_id, label, day)

    @flow(name="open_period", log_prints=False)
    def open_period(body: str, period: str, as_of: date | None = None) -> int:
        """Open a period of a body (``2025-Q1`` or ``2025``) as of a day: evaluations, notices, sheets."""
        day = env.clock.as_of(as_of)
        (body_id,) = body_ids(env, body)
        return open_period_task(body_id, period, day)

    return open_period
