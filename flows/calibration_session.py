"""``calibration_session``: move one calibration case along as of a day (C-3…C-8)."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows import runtime
from flows.steps.calibration import settle_case
from flows.tasks import batch_task, in_body
from persistence import flowstate
from persistence.uow import UnitOfWork


@batch_task(name="settle-case")
def settle_case_task(case_id: int, day: date) -> str:
    """Windows, majority, protocol and closing of one case, in one unit of work."""
    with UnitOfWork(runtime.engine(), actor="flow:calibration_session") as uow:
        body_id = flowstate.body_of_case(uow.session, case_id)
    return in_body(body_id, day, "flow:calibration_session", lambda ctx: settle_case(ctx, case_id, day))


@flow(name="calibration_session", log_prints=False)
def calibration_session(case_id: int, as_of: date | None = None) -> str:
    """Move one calibration case along as of a day: missed windows, votes, protocol, feedback (C-3…C-8)."""
    return settle_case_task(case_id, runtime.as_of_or_today(as_of))


def launch_in_process(case_id: int, as_of: date) -> str:
    """How a simulation (and a single-process install) starts a session: a flow run in this process."""
    return calibration_session(case_id, as_of)


def launch_deployment(case_id: int, as_of: date) -> object:
    """How a served install starts a session: a run of the deployment, once per case (idempotency key)."""
    from prefect.deployments import run_deployment

    return run_deployment(
        "calibration_session/calibration-session",
        parameters={"case_id": case_id, "as_of": as_of.isoformat()},
        idempotency_key=f"calibration:{case_id}",
        timeout=0,
    )
