"""Issue 14, stalled steps: ``bagalau rerun`` records its flow run on the served Prefect server (the one
``bagalau serve`` runs under the data dir, or ``PREFECT_API_URL`` / ``BAGALAU_PREFECT_API_URL``), so the run shows in
the Prefect UI the runbook points to and on the board; a throwaway local server only when none runs. Runs are
named after what they do (``deliver-outbox-2025-04-11``).

A real local Prefect server (``prefect server start``) and a real ``bagalau rerun`` process on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bagalau.commands.rerun import prefect_api
from bagalau.settings import Settings
from deployments.local_server import LocalPrefectServer, free_port, served_api_url
from flows.naming import run_name


def test_runs_are_named_after_what_they_do() -> None:
    today = date(2025, 4, 11)
    assert run_name("daily_sweep", {"as_of": None, "body": None}, today) == "daily-sweep-2025-04-11"
    assert (
        run_name("open_period", {"body": "demo", "period": "2025-Q1", "as_of": date(2025, 4, 1)}, today)
        == "open-period-demo-2025-Q1-2025-04-01"
    )
    assert run_name("calibration_session", {"case_id": 7}, today) == "calibration-session-7-2025-04-11"
    assert run_name("open_period", {"body": "a b/../c"}, today) == "open-period-a_b_.._c-2025-04-11"


def test_without_a_served_server_a_rerun_says_its_run_is_seen_nowhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    api_url, where = prefect_api(settings, environ={})
    assert api_url is None and "throwaway local Prefect server" in where and "bagalau serve" in where
    down = f"http://127.0.0.1:{free_port()}/api"
    api_url, where = prefect_api(settings, environ={"PREFECT_API_URL": down})
    assert api_url is None and f"{down} (PREFECT_API_URL) does not answer" in where


@pytest.fixture
def served(tmp_path: Path) -> Iterator[LocalPrefectServer]:
    """A local Prefect server under a data dir, marked as ``bagalau serve`` marks the one it serves against."""
    local = LocalPrefectServer(tmp_path / "data", port=free_port(), ui=False)
    with local:
        local.mark_served()
        yield local
        local.unmark_served()


@pytest.mark.postgres
def test_a_rerun_is_recorded_on_the_served_server_under_its_name(
    served: LocalPrefectServer, pg_engine: object, pg_app_url: str
) -> None:
    data_dir = served.home.parent
    assert served_api_url(data_dir) == served.api_url
    assert prefect_api(Settings(data_dir=data_dir), environ={}) == (
        served.api_url,
        f"the served Prefect server at {served.api_url} (bagalau serve)",
    )
    environ = {name: value for name, value in os.environ.items() if not name.startswith(("PREFECT_", "BAGALAU_"))}
    environ.update(
        BAGALAU_DATABASE_URL=pg_app_url,
        BAGALAU_DATA_DIR=str(data_dir),
        BAGALAU_ENVIRONMENT="development",
        PREFECT_HOME=str(data_dir / "client-home"),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bagalau.cli import app; app()",
            "rerun",
            "deliver_outbox",
            "--as-of",
            "2025-04-11",
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"recorded by the served Prefect server at {served.api_url}" in done.stderr
    assert "deliver-outbox-2025-04-11" in asyncio.run(_run_names(served.api_url))


async def _run_names(api_url: str) -> list[str]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api_url) as client:
        return [run.name for run in await client.read_flow_runs()]
