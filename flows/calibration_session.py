"""``calibration_session``: move one calibration case along as of a day (C-3…C-8)."""

from __future__ import annotations

from datetime import date

from prefect import Flow, flow

from application.cycle import calibration
from application.environment import Environment
from flows.tasks import batch_task


def build(env: Environment) -> Flow[..., str]:
    @batch_task("settle-case")
    def settle_case_task(case_id: int, day: date) -> str:
        """Windows, majority, protocol and closing of one case, in one unit of work."""
        return calibration.settle(env, case_id, day)

    @flow(name="calibration_session", log_prints=False)
    def calibration_session(case_id: int, as_of: date | None = None) -> str:
        """Move one calibration case along as of a day: missed windows, votes, protocol, feedback (C-3…C-8)."""
        return settle_case_task(case_id, env.clock.as_of(as_of))

    return calibration_session
