"""The schedule of every flow, as data, and the Prefect deployments built from it.

Times are Asia/Almaty. Every flow takes its as-of date (default: today there) and is idempotent, so a schedule
that fires twice, or a run repeated by hand (``bagalau rerun``), changes nothing the second time; a concurrency
limit of one per deployment keeps two runs of the same step from overlapping.

``SCHEDULES`` lists them; docs/runbook.md says what each does and when to run it again by hand. Each deployment's
entrypoint is the module path ``deployments.entrypoints.<flow>``: the flows there are built from the installation's
environment when a worker (or ``bagalau serve``) imports the module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

ENTRYPOINTS = "deployments.entrypoints"
"""The module whose attributes are the deployed flows."""
TIMEZONE = "Asia/Almaty"
CONCURRENCY_LIMIT = 1
TAGS = ["bagalau"]
"""Every served step's tag: the automations watch the flow runs carrying it (``deployments.automations``)."""
ALERT_TAGS = ["bagalau-alert"]
"""The alert deployment's own tag: not ``bagalau``, so that an alert that fails does not alert about itself."""
ALERT = "operator-alert"


@dataclass(frozen=True)
class Scheduled:
    """One deployment: its name, the flow (an attribute of ``deployments.entrypoints``) and its cron in Asia/Almaty
    (``None``: on demand)."""

    name: str
    flow: str
    cron: str | None
    why: str
    tags: tuple[str, ...] = tuple(TAGS)


SCHEDULES: tuple[Scheduled, ...] = (
    Scheduled(
        "open-periods",
        "open_periods",
        "0 8 1-7 1,4,7,10 *",
        "open the periods that ended, on their first working day (P-1, P-2, P-4, P-7)",
    ),
    Scheduled("daily-sweep", "daily_sweep", "0 7 * * *", "everything due today, then delivery"),
    Scheduled("deliver-outbox", "deliver_outbox", "*/5 * * * *", "deliver queued messages"),
    Scheduled("survey-360", "survey_360", "30 7 * 1 *", "the yearly 360 survey (T-1…T-8)"),
    Scheduled("annual-final", "annual_finals", "0 9 * 1 *", "the annual final scores (P-3)"),
    Scheduled("commission-cycle", "commission_cycle", "15 7 * 1 *", "the yearly Commission cycle (M-1…M-9)"),
    Scheduled("retention-purge", "retention_purge", "0 3 1 * *", "archive or purge old documents (R-1)"),
    Scheduled(
        "calibration-session",
        "calibration_session",
        None,
        "move one calibration case along (C-3…C-8), started when an employee disagrees",
    ),
    Scheduled(
        ALERT,
        "operator_alert",
        None,
        "tell HR and the operators that a step failed, crashed, is late or runs too long (run by the automations)",
        tags=tuple(ALERT_TAGS),
    ),
)


def entrypoint(name: str) -> str:
    """The module path Prefect loads the flow ``name`` from."""
    return f"{ENTRYPOINTS}.{name}"


def load_flow(name: str) -> object:
    """The deployed flow ``name`` (importing ``deployments.entrypoints`` builds the installation's flows)."""
    return getattr(importlib.import_module(ENTRYPOINTS), name)


def build_deployments() -> list[RunnerDeployment]:
    """Every deployment of ``SCHEDULES``: cron in Asia/Almaty, concurrency limit one, tagged ``bagalau``."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    built = []
    for item in SCHEDULES:
        flow = load_flow(item.flow)
        schedules = [Cron(item.cron, timezone=TIMEZONE)] if item.cron else None
        deployment = flow.to_deployment(  # type: ignore[attr-defined]
            item.name,
            schedules=schedules,
            concurrency_limit=CONCURRENCY_LIMIT,
            tags=list(item.tags),
            description=item.why,
            # Module paths, not file paths: the runner imports the installed package from any directory.
            entrypoint_type=EntrypointType.MODULE_PATH,
            _sync=True,  # the synchronous build even where an event loop runs in this thread (a browser driver's)
        )
        # Prefect would derive ``<defining module>.<function>``; the flows are built per environment inside
        # ``flows.<module>.build``, so the loadable name is the entrypoints module's attribute.
        deployment.entrypoint = entrypoint(item.flow)
        built.append(deployment)
    return built
