"""``operator_alert``: a served step needs a person — tell HR and the operators (issue 14, docs/decisions/0160).

Run by Prefect's automations (``deployments.automations``) when a flow run of a served deployment fails, crashes,
is late or runs too long; the automation passes the run's facts as parameters (Prefect renders them from the
triggering event). The flow queues the ``operator_alert`` messages (``application.cycle.alerts``) and delivers
them at once through the outbox, so the warning does not wait for the next ``deliver-outbox``. Safe to run twice:
the messages are keyed by the run and the problem.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from prefect import Flow, flow

from application.cycle import sweep
from application.cycle.alerts import StepAlert, queue_operator_alert
from application.environment import Environment


def ui_link(flow_run_id: str) -> str | None:
    """The run's page in Prefect's UI: ``PREFECT_UI_URL``, else the API's address without ``/api``."""
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    base = PREFECT_UI_URL.value() or os.environ.get("PREFECT_UI_URL")
    if not base:
        api = PREFECT_API_URL.value() or ""
        base = api[: -len("/api")] if api.endswith("/api") else None
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}" if base and flow_run_id else None


def build(env: Environment) -> Flow[..., dict[str, Any]]:
    """The alert flow bound to ``env``."""

    @flow(name="operator_alert", log_prints=False)
    def operator_alert(
        flow_run_id: str,
        event: str = "prefect.flow-run.Failed",
        step: str | None = None,
        flow: str | None = None,
        run_name: str | None = None,
        error: str | None = None,
        run_parameters: dict[str, Any] | None = None,
        as_of: date | None = None,
    ) -> dict[str, Any]:
        """Queue ``operator_alert`` to HR and the operators about flow run ``flow_run_id`` and deliver it."""
        day = env.clock.as_of(as_of)
        alert = StepAlert(
            flow_run_id=str(flow_run_id),
            problem=StepAlert.problem_of(str(event)),
            step=str(step or flow or "?"),
            flow=str(flow or ""),
            run_name=str(run_name or flow_run_id),
            error=str(error or ""),
            parameters=dict(run_parameters or {}),
            run_link=ui_link(str(flow_run_id)),
        )
        queued = queue_operator_alert(env, alert, day)
        delivered = sweep.deliver(env, day)
        return {"queued": list(queued.queued), "bodies": list(queued.bodies), "delivery": delivered}

    return operator_alert
