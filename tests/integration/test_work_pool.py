"""Scale-out on Prefect (issue 13, docs/decisions/0180): Prefect's server on PostgreSQL, the deployments on a process
work pool, two ``prefect worker`` processes sharing the daily sweep.

Everything real and in processes of its own: a throwaway PostgreSQL database for Prefect's server
(``PREFECT_API_DATABASE_CONNECTION_URL``) and one for Bagalau holding two bodies; ``bagalau deploy`` registers
the daily sweep on a process work pool; two workers poll it. The sweep of 2025-04-01 is triggered for each body
and once more for every body (a schedule that fires while someone re-runs the day by hand). Each body's day is done
exactly once: every notice is dated once, with one audit row, and every message reaches the SMTP receiver once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bagalau.simulate import loading
from bagalau.simulate.runner import IDLE_SERVER_SERVICES, environment
from bagalau.simulate.scenario import load_scenario
from deployments.local_server import LocalPrefectServer, free_port
from persistence.db import make_engine, upgrade
from persistence.secrets import generate_key
from tests.conftest import APP_ROLE, create_database, drop_database, ensure_app_login
from tests.integration.smtp import SmtpReceiver
from tests.integration.smtp import free_port as smtp_port
from tests.integration.test_delivery_crash import SlowSmtp

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "examples" / "scenarios" / "model-2018-q1-2025.yaml"
DAY = "2025-04-01"
POOL = "bagalau-test"
BODIES = ("north", "south")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
COMMIT_EVERY = 25
"""Delivery's group (the default): what a kill may repeat with one sender."""


class PostgresPrefectServer(LocalPrefectServer):
    """``prefect server start`` on a PostgreSQL database of its own, as production runs it."""

    def __init__(self, home: Path, database_url: str) -> None:
        super().__init__(home, port=free_port(), ui=False)
        self._database_url = database_url

    @property
    def database_url(self) -> str:
        return self._database_url


@pytest.fixture
def bagalau_url(pg_server_url: sa.URL) -> Iterator[str]:
    """Bagalau's database: the Model 2018 example loaded twice, as the bodies ``north`` and ``south``."""
    url = create_database(pg_server_url, prefix="bagalau_test_pool")
    owner = url.render_as_string(hide_password=False)
    scenario = load_scenario(SCENARIO)
    try:
        env = environment(owner, deliver=False)
        upgrade(env.engine, app_role=APP_ROLE)
        for code in BODIES:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(loading, "BODY_CODE", code)
                loading.load(env, scenario, scenario.load_rulebook())
        env.engine.dispose()
        yield owner
    finally:
        drop_database(pg_server_url, str(url.database))


@pytest.fixture
def prefect_server(pg_server_url: sa.URL, tmp_path: Path) -> Iterator[PostgresPrefectServer]:
    url = create_database(pg_server_url, prefix="prefect_test_pool")
    database = url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    server = PostgresPrefectServer(tmp_path / "server", database)
    try:
        server.start(timeout=300)
        yield server
    finally:
        server.stop()
        drop_database(pg_server_url, str(url.database))


@pytest.fixture
def slow_smtp() -> Iterator[SlowSmtp]:
    from aiosmtpd.controller import Controller

    receiver = SlowSmtp("127.0.0.1", smtp_port())
    controller = Controller(receiver, hostname=receiver.host, port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


def process_environment(server: LocalPrefectServer, owner_url: str, smtp: SmtpReceiver, home: Path) -> dict[str, str]:
    """A machine of the installation: Bagalau's settings, and Prefect pointed at the shared server."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "BAGALAU_"))},
        "BAGALAU_DATABASE_URL": ensure_app_login(owner_url),
        "BAGALAU_OWNER_DATABASE_URL": owner_url,
        "BAGALAU_SMTP_URL": smtp.url(),
        "BAGALAU_SECRET_KEY": os.environ.get("BAGALAU_SECRET_KEY") or generate_key(),
        "BAGALAU_DATA_DIR": str(home),
        "PREFECT_API_URL": server.api_url,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
        **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in IDLE_SERVER_SERVICES},
    }


def flow_runs(api_url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    import httpx

    with httpx.Client(base_url=api_url, timeout=30) as client:
        return {run_id: client.get(f"/flow_runs/{run_id}").raise_for_status().json() for run_id in ids}


def trigger(api_url: str, deployment_id: str, parameters: dict[str, Any]) -> str:
    import httpx

    with httpx.Client(base_url=api_url, timeout=30) as client:
        created = client.post(f"/deployments/{deployment_id}/create_flow_run", json={"parameters": parameters})
        return str(created.raise_for_status().json()["id"])


def deployment_id(api_url: str) -> str:
    import httpx

    with httpx.Client(base_url=api_url, timeout=30) as client:
        return str(client.get("/deployments/name/daily_sweep/daily-sweep").raise_for_status().json()["id"])


def test_two_workers_on_a_process_work_pool_sweep_each_body_once_a_day(
    bagalau_url: str, prefect_server: PostgresPrefectServer, smtp_server: SmtpReceiver, tmp_path: Path
) -> None:
    cli = [sys.executable, "-c", "from bagalau.cli import app; app()"]
    deployer = process_environment(prefect_server, bagalau_url, smtp_server, tmp_path / "deployer")
    done = subprocess.run(
        [*cli, "deploy", "--work-pool", POOL, "--source", str(ROOT), "--only", "daily-sweep", "--concurrency", "2"],
        env=deployer,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"daily-sweep: on work pool {POOL!r}" in done.stdout

    workers = []
    for name in ("worker-a", "worker-b"):
        log = (tmp_path / f"{name}.log").open("w")
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--name", name, "--limit", "1"]
        env = process_environment(prefect_server, bagalau_url, smtp_server, tmp_path / name)
        workers.append((subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log, name))
    try:
        deployment = deployment_id(prefect_server.api_url)
        runs = [trigger(prefect_server.api_url, deployment, {"as_of": DAY, "body": code}) for code in BODIES]
        runs.append(trigger(prefect_server.api_url, deployment, {"as_of": DAY}))  # the whole day, once more
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            states = {run: found["state"]["type"] for run, found in flow_runs(prefect_server.api_url, runs).items()}
            if set(states.values()) <= FINAL:
                break
            assert all(worker.poll() is None for worker, _, _ in workers), "a worker died"
            time.sleep(2)
        assert set(states.values()) == {"COMPLETED"}, (states, _tails(tmp_path))
    finally:
        for worker, log, _ in workers:
            stop(worker)
            log.close()

    logs = {name: (tmp_path / f"{name}.log").read_text() for _, _, name in workers}
    lines = "\n".join(line for text in logs.values() for line in text.splitlines() if any(run in line for run in runs))
    ran = {run: [name for name, text in logs.items() if f"/runs/flow-run/{run}" in text] for run in runs}
    assert all(len(names) == 1 for names in ran.values()), lines  # each run was executed by one worker only
    assert {names[0] for names in ran.values()} == {"worker-a", "worker-b"}, lines  # and both workers took runs

    engine = make_engine(bagalau_url)
    try:
        with engine.connect() as connection:
            dated = connection.execute(
                sa.text(
                    "SELECT b.code, e.notice_sent_on, count(*) FROM evaluation e "
                    "JOIN evaluation_period p ON p.id = e.period_id JOIN body b ON b.id = p.body_id "
                    "WHERE e.eligible GROUP BY b.code, e.notice_sent_on"
                )
            ).all()
            audited = connection.execute(
                sa.text(
                    "SELECT entity_id, count(*) FROM audit_log WHERE entity = 'evaluation' "
                    "AND after::text LIKE '%notice_sent_on%' GROUP BY entity_id"
                )
            ).all()
            outbox = Counter(connection.execute(sa.text("SELECT status FROM outbox_message")).scalars())
    finally:
        engine.dispose()
    assert {(code, str(day)) for code, day, _ in dated} == {(code, DAY) for code in BODIES}, dated
    assert audited and all(count == 1 for _, count in audited), audited  # each notice date recorded once
    assert set(outbox) == {"delivered"}, outbox
    keys = Counter(mail.header("X-Bagalau-Message") for mail in smtp_server.wait_for(outbox["delivered"]))
    assert sum(keys.values()) == outbox["delivered"] and max(keys.values()) == 1, keys  # no notice sent twice


def _tails(folder: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-40:])
        for path in sorted(folder.glob("*.log"))
    )


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker as an operator would (SIGTERM), and kill it with what it started if it has not gone within
    30 s: the tests are about the sweep, not about how fast Prefect's worker shuts down (it once took over a
    minute after its flow run had completed, on a loaded machine)."""
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in [*descendants(worker.pid), worker.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.wait(timeout=60)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, theirs …), read from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_a_worker_killed_mid_sweep_leaves_the_day_to_the_next_run_without_moving_a_date(
    bagalau_url: str, prefect_server: PostgresPrefectServer, slow_smtp: SlowSmtp, tmp_path: Path
) -> None:
    """issue 13: worker A is killed (SIGKILL, with the flow run it started) while the sweep of 2025-04-01 delivers;
    the same day's sweep run again on worker B finishes the day: every notice dated that day, every message
    delivered, at most one group (``COMMIT_EVERY``, one sender) sent twice."""
    cli = [sys.executable, "-c", "from bagalau.cli import app; app()"]
    deployer = process_environment(prefect_server, bagalau_url, slow_smtp, tmp_path / "deployer")
    done = subprocess.run(
        [*cli, "deploy", "--work-pool", POOL, "--only", "daily-sweep", "--concurrency", "2"],
        env=deployer,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    deployment = deployment_id(prefect_server.api_url)

    def worker(name: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--name", name, "--limit", "1"]
        env = process_environment(prefect_server, bagalau_url, slow_smtp, tmp_path / name)
        env["BAGALAU_NOTIFY_SENDERS"] = "1"
        with (tmp_path / f"{name}.log").open("w") as log:
            return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    slow_smtp.delay = 0.3
    victim = worker("worker-a")
    try:
        trigger(prefect_server.api_url, deployment, {"as_of": DAY})
        deadline = time.monotonic() + 600
        while len(slow_smtp.messages) < 3 and time.monotonic() < deadline:
            assert victim.poll() is None, _tails(tmp_path)
            time.sleep(0.1)
        assert len(slow_smtp.messages) >= 3, _tails(tmp_path)
    finally:
        for pid in [*descendants(victim.pid), victim.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        victim.wait(timeout=60)
    sent_before = len(slow_smtp.messages)
    slow_smtp.delay = 0.0
    time.sleep(1)  # PostgreSQL notices the killed connections (the lease holder's advisory lock goes with them)

    rescuer = worker("worker-b")
    try:
        again = trigger(prefect_server.api_url, deployment, {"as_of": DAY})
        deadline = time.monotonic() + 900
        state = ""
        while time.monotonic() < deadline:
            state = flow_runs(prefect_server.api_url, [again])[again]["state"]["type"]
            if state in FINAL:
                break
            time.sleep(2)
        assert state == "COMPLETED", _tails(tmp_path)
    finally:
        stop(rescuer)

    engine = make_engine(bagalau_url)
    try:
        with engine.connect() as connection:
            dates = set(connection.execute(sa.text("SELECT notice_sent_on FROM evaluation WHERE eligible")).scalars())
            outbox = Counter(connection.execute(sa.text("SELECT status FROM outbox_message")).scalars())
    finally:
        engine.dispose()
    assert {str(day) for day in dates} == {DAY}, dates  # no date moved to a later day
    assert set(outbox) == {"delivered"}, outbox
    keys = Counter(mail.header("X-Bagalau-Message") for mail in slow_smtp.messages)
    assert len(keys) == outbox["delivered"] and sent_before < outbox["delivered"]  # the kill landed mid-delivery
    assert sum(keys.values()) - len(keys) <= COMMIT_EVERY, keys  # at most one group (one sender) sent twice
