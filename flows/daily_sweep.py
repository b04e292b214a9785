"""``daily_sweep``: everything due on a day, for every body (or one), in a fixed order.

1. open the requested periods whose opening day has come (``open_period`` sub-flows);
2. the steps before delivery (``application.cycle.sweep.BEFORE_DELIVERY``: reminders, overdue escalations, C-2
   windows, annual finals, the 360 survey, the Commission cycle), one task run;
3. each open calibration case (``calibration_session`` sub-flows, in this process);
4. deliver the outbox (what every step above queued goes out today);
5. the steps that read deliveries (``AFTER_DELIVERY``: notice dates, acquaintance by recorded delivery, C-1).

On a day with nothing due this is one flow run, three task runs and a few indexed queries per step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import Flow, Task, flow

from application.context import body_ids
from application.cycle import calibration, opening, sweep
from application.environment import Environment
from flows.tasks import batch_task


def build(
    env: Environment,
    open_period: Flow[..., int],
    calibration_session: Flow[..., str],
    deliver_due: Task[[date], dict[str, Any]],
) -> Flow[..., dict[str, Any]]:
    @batch_task("sweep-steps", task_run_name="{phase}")
    def run_steps(phase: str, steps: list[str], day: date, bodies: list[int]) -> dict[str, dict[int, int]]:
        """Steps of the daily sweep over the given bodies, in order, each in its own unit of work per body; one
        task run per phase keeps a quiet day cheap."""
        return sweep.run_steps(env, steps, day, bodies)

    @flow(name="daily_sweep", log_prints=False)
    def daily_sweep(as_of: date | None = None, body: str | None = None) -> dict[str, Any]:
        """Run everything due on the as-of day (default: today in Asia/Almaty), for one body or all."""
        day = env.clock.as_of(as_of)
        bodies = body_ids(env, body)
        done: dict[str, Any] = {}
        for body_code, label in opening.due_openings(env, day, bodies):
            done[f"open {body_code} {label}"] = open_period(body_code, label, day)
        done["steps"] = run_steps("before-delivery", [step.name for step in sweep.BEFORE_DELIVERY], day, bodies)
        for case_id in calibration.open_cases(env, bodies):
            done[f"calibration {case_id}"] = calibration_session(case_id, day)
        done["delivery"] = deliver_due(day)
        done["after"] = run_steps("after-delivery", [step.name for step in sweep.AFTER_DELIVERY], day, bodies)
        return done

    return daily_sweep
