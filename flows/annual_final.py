"""``annual_final``: the annual final score of a body's year (P-3), when it is due."""

from __future__ import annotations

from datetime import date

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import annual
from application.environment import Environment
from flows.tasks import batch_task


def build(env: Environment) -> Flow[..., int]:
    @batch_task("annual-final")
    def annual_final_task(body_id: int, year: int, day: date) -> int:
        return annual.annual_final(env, body_id, year, day)

    @flow(name="annual_final", log_prints=False)
    def annual_final(body: str, year: int, as_of: date | None = None) -> int:
        """Average each person's quarterly final scores of ``year`` (P-3), once due; returns how many were computed."""
        day = env.clock.as_of(as_of)
        (body_id,) = body_ids(env, body)
        return annual_final_task(body_id, year, day)

    return annual_final
