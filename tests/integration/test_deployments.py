"""The deployments ``bagalau serve`` serves: names, crons in Asia/Almaty, a concurrency limit of one; the opener's
cron window against the Kazakhstan calendar; the period opener's own check; and the local Prefect server helper
started once, briefly (about 20 s on a fresh directory, 10 s afterwards)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bagalau.commands.serve import pointed_at
from deployments import SCHEDULES, TIMEZONE, build_deployments
from deployments.local_server import LocalPrefectServer, free_port
from domain.calendar import WorkingCalendar
from domain.periods import Period
from tests.flows_support import World, example, prefect, world  # noqa: F401

EXPECTED = {
    "open-periods": ("open_periods", "0 8 1-7 1,4,7,10 *"),
    "daily-sweep": ("daily_sweep", "0 7 * * *"),
    "deliver-outbox": ("deliver_outbox", "*/5 * * * *"),
    "survey-360": ("survey_360", "30 7 * 1 *"),
    "annual-final": ("annual_finals", "0 9 * 1 *"),
    "commission-cycle": ("commission_cycle", "15 7 * 1 *"),
    "retention-purge": ("retention_purge", "0 3 1 * *"),
    "calibration-session": ("calibration_session", None),
    "operator-alert": ("operator_alert", None),
}


def crons(deployment: Any) -> list[tuple[str | None, str | None]]:
    return [(item.schedule.cron, item.schedule.timezone) for item in deployment.schedules]


def test_every_flow_is_deployed_with_its_cron_in_almaty_and_a_concurrency_of_one() -> None:
    built = {deployment.name: deployment for deployment in build_deployments()}
    assert {name: (d.flow_name, (crons(d) or [(None, None)])[0][0]) for name, d in built.items()} == EXPECTED
    assert {zone for d in built.values() for _, zone in crons(d)} == {TIMEZONE} == {"Asia/Almaty"}
    assert {d.concurrency_limit for d in built.values()} == {1}
    for deployment in built.values():  # module entrypoints: importable from any working directory
        module, _, name = str(deployment.entrypoint).rpartition(".")
        assert getattr(importlib.import_module(module), name).name == deployment.flow_name


def test_the_openers_window_holds_the_first_working_day_after_every_quarter() -> None:
    """P-7: holidays and decrees move the first working day, never beyond the 7th (2019–2035)."""
    calendar = WorkingCalendar()
    firsts = [calendar.next_working_day(Period.of_quarter(y, q).end) for y in range(2019, 2036) for q in (1, 2, 3, 4)]
    assert {day.month for day in firsts} == {1, 4, 7, 10}
    assert max(day.day for day in firsts) <= 7
    opener = next(item for item in SCHEDULES if item.name == "open-periods")
    assert opener.cron == "0 8 1-7 1,4,7,10 *"


@pytest.mark.postgres
@pytest.mark.prefect
def test_the_opener_opens_the_quarter_on_its_first_working_day_and_only_then(
    world: World,  # noqa: F811
    pg_engine: sa.Engine,
) -> None:
    """P-1, P-4: Q1 2025 ends on Monday 31 March; the opener's run of 1 April opens it, a second run does nothing,
    and a run outside the first week after the quarter exits without requesting anything."""
    world(example("model-2018-q1-2025.yaml"))
    assert world.flows.open_periods(as_of=date(2025, 3, 31)) == {}
    assert list(world.flows.open_periods(as_of=date(2025, 4, 1))) == ["scenario 2025-Q1"]
    assert world.flows.open_periods(as_of=date(2025, 4, 2)) == {}
    assert world.flows.open_periods(as_of=date(2025, 5, 15)) == {}
    with pg_engine.connect() as connection:
        labels = connection.execute(sa.text("SELECT label FROM evaluation_period ORDER BY label")).scalars().all()
        notices = connection.execute(
            sa.text("SELECT count(*) FROM outbox_message WHERE kind = 'evaluation_notice'")
        ).scalar_one()
    assert labels == ["2025-Q1"] and notices == 10


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalPrefectServer]:
    local = LocalPrefectServer(tmp_path / "data", port=free_port(), ui=False)
    try:
        yield local
    finally:
        local.stop()


@pytest.mark.slow
def test_the_local_server_starts_takes_the_deployments_and_stops(server: LocalPrefectServer) -> None:
    """What ``bagalau serve`` starts: a Prefect server on SQLite under the data dir, healthy, which stores the
    deployments with their Asia/Almaty schedules and limits, and stops on SIGINT."""
    from prefect.client.orchestration import get_client

    server.start(timeout=120)
    assert server.healthy() and (server.home / "prefect.db").exists()
    with pointed_at(server):
        for deployment in build_deployments():
            deployment.apply()
        with get_client(sync_client=True) as client:
            stored = {d.name: d for d in client.read_deployments()}
    assert set(stored) == set(EXPECTED)
    daily = stored["daily-sweep"]
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in daily.schedules] == [
        ("0 7 * * *", "Asia/Almaty", True)
    ]
    assert {d.global_concurrency_limit.limit for d in stored.values() if d.global_concurrency_limit} == {1}
    process = server._process
    assert process is not None
    server.stop()
    assert process.poll() is not None and not server.healthy()


def test_a_fresh_server_needs_no_more_than_its_own_directory(tmp_path: Path) -> None:
    local = LocalPrefectServer(tmp_path / "data", port=4399)
    assert local.home == (tmp_path / "data" / "prefect").resolve()
    environment = local.environment()
    assert environment["PREFECT_API_DATABASE_CONNECTION_URL"].endswith(str(local.home / "prefect.db"))
    assert environment["PREFECT_HOME"] == str(local.home)
    assert local.client_environment()["PREFECT_API_URL"] == "http://127.0.0.1:4399/api"
    assert local.stop() is None  # nothing started, nothing to stop
