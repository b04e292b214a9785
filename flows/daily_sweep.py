"""``daily_sweep``: everything due on a day, for every body (or one), in a fixed order.

1. open the requested periods whose opening day has come (``open_period`` sub-flows);
2. the sweep steps (``flows.sweep_steps.SWEEP_STEPS``: reminders, overdue escalations, C-2 windows, annual finals);
3. each open calibration case (``calibration_session`` sub-flows, in this process);
4. deliver the outbox (what every step above queued goes out today);
5. the steps that read deliveries (``AFTER_DELIVERY``: notice dates, acquaintance by recorded delivery, C-1).

On a day with nothing due this is one flow run, three task runs and a few indexed queries per step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows import runtime
from flows.calibration_session import calibration_session
from flows.open_period import due_openings, open_period
from flows.sweep_steps import AFTER_DELIVERY, SWEEP_STEPS
from flows.tasks import body_ids, deliver_due, run_steps
from persistence import flowstate
from persistence.uow import UnitOfWork


@flow(name="daily_sweep", log_prints=False)
def daily_sweep(as_of: date | None = None, body: str | None = None) -> dict[str, Any]:
    """Run everything due on the as-of day (default: today in Asia/Almaty), for one body or all."""
    day = runtime.as_of_or_today(as_of)
    bodies = body_ids(body)
    done: dict[str, Any] = {}
    for body_code, label in due_openings(day, bodies):
        done[f"open {body_code} {label}"] = open_period(body_code, label, day)
    done["steps"] = run_steps("before-delivery", [step.name for step in SWEEP_STEPS], day, bodies)
    for case_id in _open_cases(bodies):
        done[f"calibration {case_id}"] = calibration_session(case_id, day)
    done["delivery"] = deliver_due(day)
    done["after"] = run_steps("after-delivery", [step.name for step in AFTER_DELIVERY], day, bodies)
    return done


def _open_cases(bodies: list[int]) -> list[int]:
    with UnitOfWork(runtime.engine(), actor="flow:daily_sweep") as uow:
        return [case for body_id in bodies for case in flowstate.open_cases(uow.session, body_id)]
