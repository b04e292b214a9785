"""Issue 12: killing ``bagalau rerun daily_sweep`` during delivery left the batch leased past that day, so the
notices went out with the next sweep and ``notice_sent_on`` moved (146 evaluations from 04-11 to 04-14).

Reproduced as an operator would: two copies of the same body; in one the sweep of 2025-04-01 runs undisturbed; in
the other it is killed with SIGKILL after a few e-mails went out (the mail server is slow), then re-run for the same
day. Both end with the same notice dates and the same outbox (kinds, statuses); the recipients may hold the e-mails
of the groups in flight when the process died once more: at most ``SENDERS × COMMIT_EVERY`` (docs/decisions/0180;
0010 before it: one). Real PostgreSQL, real Prefect runs in separate processes, real SMTP."""

from __future__ import annotations

import asyncio
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
from aiosmtpd.controller import Controller

from bagalau.simulate.loading import load
from bagalau.simulate.runner import IDLE_SERVER_SERVICES, environment
from bagalau.simulate.scenario import load_scenario
from persistence.db import make_engine, upgrade
from persistence.secrets import generate_key
from tests.conftest import APP_ROLE, create_database, drop_database, ensure_app_login
from tests.integration.smtp import SmtpReceiver, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "model-2018-q1-2025.yaml"
DAY = "2025-04-01"
SENDERS, COMMIT_EVERY = 2, 5
"""Delivery's threads and messages per transaction in the runs below: a kill repeats at most their product."""


class SlowSmtp(SmtpReceiver):
    """A mail server that takes its time over each message (so that a kill lands mid-batch)."""

    delay: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[SlowSmtp]:
    receiver = SlowSmtp("127.0.0.1", free_port())
    controller = Controller(receiver, hostname=receiver.host, port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


@pytest.fixture
def databases(pg_server_url: sa.URL) -> Iterator[tuple[str, str]]:
    """Two databases holding the same body, its Q1 2025 period not opened yet."""
    urls = [create_database(pg_server_url, prefix="bagalau_test_crash") for _ in range(2)]
    scenario = load_scenario(SCENARIO)
    try:
        for url in urls:
            env = environment(url.render_as_string(hide_password=False), deliver=False)
            upgrade(env.engine, app_role=APP_ROLE)
            load(env, scenario, scenario.load_rulebook())
            env.engine.dispose()
        yield urls[0].render_as_string(hide_password=False), urls[1].render_as_string(hide_password=False)
    finally:
        for url in urls:
            drop_database(pg_server_url, str(url.database))


def bagalau(url: str, smtp: SmtpReceiver, home: Path, *argv: str) -> subprocess.Popen[str]:
    """``bagalau …`` in a process of its own (and its own group, so that a kill takes Prefect's server too)."""
    (home / "prefect").mkdir(parents=True, exist_ok=True)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")},
        "BAGALAU_DATABASE_URL": ensure_app_login(url),  # two roles (issue 12): the application's login …
        "BAGALAU_OWNER_DATABASE_URL": url,  # … and the owner's, for migrations
        "BAGALAU_SMTP_URL": smtp.url(),
        "BAGALAU_SECRET_KEY": os.environ.get("BAGALAU_SECRET_KEY") or generate_key(),
        "BAGALAU_DATA_DIR": str(home),
        "BAGALAU_NOTIFY_SENDERS": str(SENDERS),
        "BAGALAU_NOTIFY_COMMIT_EVERY": str(COMMIT_EVERY),
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",  # a busy test machine starts it slowly
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in IDLE_SERVER_SERVICES},
    }
    command = [sys.executable, "-c", "from bagalau.cli import app; app()", *argv]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    assert "Traceback" not in err and "telemetry" not in err.lower(), err[-3000:]  # issue 12: no phoning home
    return out


def state(url: str) -> tuple[dict[int, Any], Counter[tuple[str, str]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            notices = dict(connection.execute(sa.text("SELECT id, notice_sent_on FROM evaluation")).all())
            outbox = Counter(connection.execute(sa.text("SELECT kind, status FROM outbox_message")).all())
    finally:
        engine.dispose()
    return notices, outbox


def test_a_sweep_killed_during_delivery_and_rerun_the_same_day_moves_no_date(
    databases: tuple[str, str], smtp: SlowSmtp, tmp_path: Path
) -> None:
    undisturbed, crashed = databases
    for url, name in ((undisturbed, "a"), (crashed, "b")):
        finish(
            bagalau(
                url,
                smtp,
                tmp_path / name,
                "rerun",
                "open_period",
                "--body",
                "scenario",
                "--period",
                "2025-Q1",
                "--as-of",
                DAY,
            )
        )

    finish(bagalau(undisturbed, smtp, tmp_path / "a", "rerun", "daily_sweep", "--as-of", DAY))
    expected = len(smtp.messages)
    smtp.clear()

    smtp.delay = 0.5
    victim = bagalau(crashed, smtp, tmp_path / "b", "rerun", "daily_sweep", "--as-of", DAY)
    deadline = time.monotonic() + 300
    while len(smtp.messages) < 3 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.poll() is None, "the sweep ended before it could be killed mid-batch"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    sent_before_the_kill = len(smtp.messages)
    assert 3 <= sent_before_the_kill < expected
    smtp.delay = 0.0
    time.sleep(1)  # PostgreSQL notices the killed connections

    finish(bagalau(crashed, smtp, tmp_path / "b", "rerun", "daily_sweep", "--as-of", DAY))

    (dates_a, outbox_a), (dates_b, outbox_b) = state(undisturbed), state(crashed)
    assert dates_b == dates_a and {str(day) for day in dates_a.values() if day} == {DAY}
    assert outbox_b == outbox_a and not any(status != "delivered" for _, status in outbox_b)
    repeated = len(smtp.messages) - expected
    assert 0 <= repeated <= SENDERS * COMMIT_EVERY  # at most the groups in flight, twice
