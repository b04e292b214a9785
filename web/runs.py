"""What the stalled-steps page needs from an orchestrator (issue 14): stalled runs, and running one again.

The web tier never imports Prefect (docs/decisions/0021): the composition root (``bagalau web``) hands
``create_app`` a :class:`RunsReader` — ``deployments.runs.PrefectRuns``, which reads the Prefect API of the served
deployments with a short timeout. Without one the page says that no Prefect API is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class PrefectDown(Exception):
    """The Prefect API did not answer (down, unreachable, too slow, or not configured)."""


class RunNotFound(LookupError):
    """No flow run of a served deployment with that id."""


@dataclass(frozen=True)
class StalledRun:
    """A flow run that needs a person: its date, step, state and error, and where Prefect's UI shows it."""

    id: str
    name: str
    step: str  # the deployment's name (daily-sweep …)
    flow: str
    state: str  # Failed, Crashed, Late, Running
    problem: str  # failed, crashed, late, too_long
    when: datetime | None
    error: str
    parameters: dict[str, Any]
    ui_url: str | None


class RunsReader(Protocol):
    """Reads stalled runs and triggers a run again; raises :class:`PrefectDown` when the orchestrator is away."""

    api_url: str | None

    async def stalled(self, now: datetime | None = None) -> list[StalledRun]: ...

    async def run_again(self, run_id: str) -> str: ...


class NoRuns:
    """No orchestrator configured: every question is answered :class:`PrefectDown` with the setting to set."""

    api_url: str | None = None

    async def stalled(self, now: datetime | None = None) -> list[StalledRun]:
        raise PrefectDown("no Prefect API is configured (BAGALAU_WEB_PREFECT_API_URL)")

    async def run_again(self, run_id: str) -> str:
        raise PrefectDown("no Prefect API is configured (BAGALAU_WEB_PREFECT_API_URL)")
