"""Flow runs named after what they do (issue 14): ``daily-sweep-2025-04-11``, ``open-period-demo-2025-Q1-2025-04-01``.

Prefect's default run names (``fair-parrot``) say nothing in the UI's list of runs or on the board's stalled runs.
Each flow of :func:`flows.build_flows` gets :func:`run_namer` as its ``flow_run_name``: the flow's name with dashes,
then the body, period, year or case it was given, then its as-of day (the environment's today when none was given).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from application.environment import Environment

PARTS = ("body", "period", "year", "case_id", "case")
"""The parameters that say what a run is about, in the order they appear in its name."""
MAX_PART = 40


def run_name(flow_name: str, parameters: Mapping[str, Any], today: date) -> str:
    """``daily-sweep-2025-04-11``: the flow, what it is about, and its day (pure, for tests)."""
    parts = [flow_name.replace("_", "-")]
    for key in PARTS:
        value = parameters.get(key)
        if value is not None and value != "":
            parts.append(re.sub(r"[^\w.-]+", "_", str(value))[:MAX_PART])
    day = parameters.get("as_of")
    parts.append(str(day) if day else today.isoformat())
    return "-".join(parts)


def run_namer(env: Environment, flow_name: str) -> Callable[[], str]:
    """The ``flow_run_name`` callable of flow ``flow_name``: Prefect calls it when a run starts."""

    def name() -> str:
        from prefect.runtime import flow_run

        try:
            parameters = dict(flow_run.parameters or {})
        except Exception:  # noqa: BLE001 — a name is never worth a failed run
            parameters = {}
        return run_name(flow_name, parameters, env.clock.today())

    return name
