"""``commission_cycle``: the yearly Commission cycle (M-1…M-9) of one body or all (``application.cycle.commission``)."""

from __future__ import annotations

from datetime import date

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import commission
from application.environment import Environment


def build(env: Environment) -> Flow[..., dict[int, int]]:
    @flow(name="commission_cycle", log_prints=False)
    def commission_cycle(body: str | None = None, year: int | None = None, as_of: date | None = None) -> dict[int, int]:
        """The yearly Commission cycle (M-1…M-9): open, returns (E-5), submission, decisions, appeal windows.

        Run by a deployment (``year`` defaults to the year before the as-of day), it first makes sure the yearly
        cycle exists for every body whose rulebook sends that year's results to the Commission.
        """
        day = env.clock.as_of(as_of)
        target_year = day.year - 1 if year is None else year
        return {body_id: commission.commission_cycle(env, body_id, target_year, day) for body_id in body_ids(env, body)}

    return commission_cycle
