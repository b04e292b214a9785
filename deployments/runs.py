"""Stalled steps, read from the Prefect API the served deployments report to (issue 14): the web tier's adapter
(a :class:`web.runs.RunsReader`, handed to ``create_app`` by ``bagalau web``).

The runs page lists the flow runs of deployments that need a person: failed, crashed, late (scheduled but not
started), or running longer than :data:`TOO_LONG`. Each has a "run again" that triggers the same deployment with
the same parameters (every step is idempotent: docs/decisions/0004). Prefect stays out of ``application/`` and
``web/`` (docs/decisions/0021): this module talks to Prefect, through ``PrefectClient`` with a short timeout, so a
Prefect server that is down or slow makes the page say so instead of hanging (:class:`PrefectDown`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from web.runs import PrefectDown, RunNotFound, StalledRun

TIMEOUT_SECONDS = 3.0
TOO_LONG = timedelta(hours=2)
LIMIT = 50


class PrefectRuns:
    """Reads stalled runs from, and triggers runs on, the Prefect API at ``api_url`` (``None``: not configured)."""

    def __init__(self, api_url: str | None, *, ui_url: str | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        self.api_url = api_url.rstrip("/") if api_url else None
        self.ui_url = ui_url or (
            self.api_url[: -len("/api")] if self.api_url and self.api_url.endswith("/api") else None
        )
        self.timeout = timeout

    def _client(self) -> Any:
        if not self.api_url:
            raise PrefectDown("no Prefect API is configured (BAGALAU_WEB_PREFECT_API_URL)")
        from prefect.client.orchestration import PrefectClient

        return PrefectClient(self.api_url, httpx_settings={"timeout": self.timeout})

    def link(self, run_id: str) -> str | None:
        return f"{self.ui_url.rstrip('/')}/runs/flow-run/{run_id}" if self.ui_url else None

    async def stalled(self, now: datetime | None = None) -> list[StalledRun]:
        """Failed, crashed, late and too-long runs of served deployments, newest first; :class:`PrefectDown` if
        the API does not answer."""
        from prefect.client.schemas.filters import (
            FlowRunFilter,
            FlowRunFilterDeploymentId,
            FlowRunFilterStartTime,
            FlowRunFilterState,
            FlowRunFilterStateName,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType
        from prefect.client.schemas.sorting import FlowRunSort

        now = now or datetime.now(UTC)
        served = FlowRunFilterDeploymentId(is_null_=False)
        wanted = [
            FlowRunFilter(
                deployment_id=served,
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.FAILED, StateType.CRASHED])),
            ),
            FlowRunFilter(deployment_id=served, state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Late"]))),
            FlowRunFilter(
                deployment_id=served,
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING])),
                start_time=FlowRunFilterStartTime(before_=now - TOO_LONG),
            ),
        ]
        try:
            async with self._client() as client:
                runs: dict[UUID, Any] = {}
                for flow_filter in wanted:
                    for run in await client.read_flow_runs(
                        flow_run_filter=flow_filter, sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=LIMIT
                    ):
                        runs.setdefault(run.id, run)
                deployments = {d: await client.read_deployment(d) for d in {r.deployment_id for r in runs.values()}}
                flows = {f: await client.read_flow(f) for f in {r.flow_id for r in runs.values()}}
        except PrefectDown:
            raise
        except Exception as exc:  # connection refused, timeout, a server error: the page says so
            raise PrefectDown(f"{type(exc).__name__}: {exc}"[:300]) from exc
        found = [self._view(run, deployments, flows) for run in runs.values()]
        return sorted(found, key=lambda run: run.when or now, reverse=True)

    def _view(self, run: Any, deployments: dict[Any, Any], flows: dict[Any, Any]) -> StalledRun:
        state = run.state
        state_name = state.name if state else "?"
        state_type = state.type.value if state else ""
        problem = {"FAILED": "failed", "CRASHED": "crashed", "RUNNING": "too_long"}.get(state_type, "late")
        deployment = deployments.get(run.deployment_id)
        flow = flows.get(run.flow_id)
        return StalledRun(
            id=str(run.id),
            name=run.name,
            step=deployment.name if deployment else "?",
            flow=flow.name if flow else "?",
            state=state_name,
            problem=problem,
            when=run.start_time or run.expected_start_time,
            error=((state.message or "") if state else "")[:500],
            parameters=dict(run.parameters or {}),
            ui_url=self.link(str(run.id)),
        )

    async def run_again(self, run_id: str) -> str:
        """Trigger the run's deployment again with the same parameters; the new run's id."""
        try:
            key = UUID(run_id)
        except ValueError:
            raise RunNotFound(run_id) from None
        try:
            async with self._client() as client:
                try:
                    run = await client.read_flow_run(key)
                except Exception as exc:
                    if "404" in str(exc) or type(exc).__name__ == "ObjectNotFound":
                        raise RunNotFound(run_id) from exc
                    raise
                if run.deployment_id is None:
                    raise RunNotFound(run_id)
                again = await client.create_flow_run_from_deployment(
                    run.deployment_id, parameters=dict(run.parameters or {}), tags=["run-again"]
                )
                return str(again.id)
        except (RunNotFound, PrefectDown):
            raise
        except Exception as exc:
            raise PrefectDown(f"{type(exc).__name__}: {exc}"[:300]) from exc
