"""How a disagreement starts its ``calibration_session`` (``application.environment.Launcher``).

* :class:`InProcessLauncher` — a flow run in this process (the simulator, the tests, a single-process install);
  ``flows.build_flows`` binds it to the environment's own ``calibration_session`` flow.
* :class:`DeploymentLauncher` — a run of the ``calibration-session`` deployment, once per case (idempotency key),
  for served installs: the web app or the CLI hands the run to the Prefect workers and returns at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

SessionFlow = Callable[[int, date], object]


class InProcessLauncher:
    """Runs the ``calibration_session`` flow in this process (bound by ``flows.build_flows``)."""

    def __init__(self) -> None:
        self._flow: SessionFlow | None = None

    def bind(self, flow: SessionFlow) -> None:
        self._flow = flow

    def calibration_session(self, case_id: int, as_of: date) -> object:
        if self._flow is None:
            raise RuntimeError("the in-process launcher is not bound to a flow: build the flows of its environment")
        return self._flow(case_id, as_of)


class DeploymentLauncher:
    """Starts a run of the ``calibration-session`` deployment (no waiting), once per case."""

    deployment = "calibration_session/calibration-session"

    def calibration_session(self, case_id: int, as_of: date) -> object:
        from prefect.deployments import run_deployment

        return run_deployment(
            self.deployment,
            parameters={"case_id": case_id, "as_of": as_of.isoformat()},
            idempotency_key=f"calibration:{case_id}",
            timeout=0,
        )
