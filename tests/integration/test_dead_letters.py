"""Issue 12: dead letters come back. An SMTP outage longer than the retry schedule killed the legal notice *and*
HR's warning about it (same server), and nothing re-queued them after recovery. Now HR's warning goes through HR's
other channel (an SMS gateway), and ``bagalau notify retry --dead`` re-queues, audited and idempotently. A delivery
run killed with SIGKILL leaves its lease to a dead holder, which the next run takes back at once. PostgreSQL (as the
application role) and SQLite; real apprise, a real SMTP server, a real SMS webhook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.settings import get_settings
from notifications import store
from notifications.channels import AppriseChannel
from notifications.dead_letters import requeue
from notifications.delivery import deliver_due
from tests.integration.smtp import SmtpReceiver
from tests.integration.test_delivery_outbox import NOW, World, build_world

SMS = "json://127.0.0.1:{port}/sms?to={{address}}"


@pytest.fixture(params=[pytest.param("pg_engine", marks=pytest.mark.postgres), "sqlite_engine"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(request.param)


@pytest.fixture
def gateway() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """An SMS gateway taking apprise's JSON posts: the port, and what it received (``to`` and the message)."""
    received: list[dict[str, Any]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            received.append({"path": self.path, **body})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1]), received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def world(engine: Engine, smtp_server: SmtpReceiver, gateway: tuple[int, list[dict[str, Any]]]) -> World:
    world = build_world(engine, smtp_server.url())
    world.add_contact("H1", "sms", "+77010000009", SMS.format(port=gateway[0]).replace("{address}", "+77010000009"), 5)
    return world


def outage(world: World, smtp_server: SmtpReceiver, **changes: Any) -> Any:
    """The body's mail server is down (a port nothing listens on)."""
    return world.config(url_templates={"email": smtp_server.unreachable_url("x@y.kz").split("&to=")[0]}, **changes)


def test_hrs_warning_about_a_dead_notice_goes_by_sms_when_the_mail_server_is_down(
    world: World, smtp_server: SmtpReceiver, gateway: tuple[int, list[dict[str, Any]]]
) -> None:
    """Issue 12: the notice died, and so did HR's warning about it, on the same server."""
    notice = world.queue("evaluation_notice", "E2")
    down = outage(world, smtp_server, max_attempts=1)

    first = deliver_due(world.engine, NOW, channels=AppriseChannel(), config=down)

    assert first.dead == [notice] and first.escalations == [f"dead:{notice}"]
    warning = world.row(f"dead:{notice}")
    assert warning.status == "delivered" and first.delivered == [warning.id]  # the same run, by SMS
    [sms] = gateway[1]
    assert "evaluation_notice" in json.dumps(sms, ensure_ascii=False)  # HR is told what failed, by SMS
    assert [attempt.channel for attempt in world.attempts(warning.id)] == ["sms"]  # SMS first: e-mail just failed


def test_dead_letters_come_back_when_asked_once_and_audited(world: World, smtp_server: SmtpReceiver) -> None:
    notice = world.queue("evaluation_notice", "E2")
    for minutes in (0, 1, 3):
        deliver_due(
            world.engine, NOW + timedelta(minutes=minutes), channels=AppriseChannel(), config=outage(world, smtp_server)
        )
    assert world.row(notice).status == "dead"

    waiting_only = requeue(world.engine, NOW + timedelta(hours=1), actor="test:operator")
    assert waiting_only.count == 0 and world.row(notice).status == "dead"  # dead letters only when asked

    done = requeue(world.engine, NOW + timedelta(hours=1), actor="test:operator", dead=True, kind="evaluation_notice")
    again = requeue(world.engine, NOW + timedelta(hours=1), actor="test:operator", dead=True)

    row = world.row(notice)
    assert done.dead == [notice] and again.count == 0
    assert (row.status, row.attempts, row.next_attempt_at) == ("retrying", 0, NOW + timedelta(hours=1))
    with world.engine.connect() as connection:
        audit = connection.execute(
            sa.text("SELECT actor, action, before, after FROM audit_log WHERE entity = 'outbox_message'")
        ).all()
    assert [(actor, action) for actor, action, *_ in audit] == [("test:operator", "requeue")]
    before = audit[0][2] if isinstance(audit[0][2], dict) else json.loads(audit[0][2])
    assert before["status"] == "dead" and before["attempts"] == 3

    back = deliver_due(world.engine, NOW + timedelta(hours=1), channels=AppriseChannel(), config=world.config())
    assert back.delivered == [notice] and any(mail.recipients == ("e2@example.kz",) for mail in smtp_server.messages)
    assert len(world.attempts(notice)) == 4  # the three failures stay in the record


def test_retry_narrows_by_kind_and_by_day(world: World, smtp_server: SmtpReceiver) -> None:
    notice = world.queue("evaluation_notice", "E2")
    reminder = world.queue("reminder", "E1")
    deliver_due(world.engine, NOW, channels=AppriseChannel(), config=outage(world, smtp_server, max_attempts=1))

    later = NOW + timedelta(hours=1)
    assert requeue(world.engine, later, actor="t", dead=True, since=date(2025, 4, 15)).count == 0
    assert requeue(world.engine, later, actor="t", dead=True, kind="reminder").dead == [reminder]
    assert world.row(notice).status == "dead"


@pytest.mark.postgres
def test_notify_retry_on_the_command_line(
    pg_engine: Engine, pg_app_url: str, smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(pg_engine, smtp_server.url())
    notice = world.queue("evaluation_notice", "E2")
    deliver_due(pg_engine, NOW, channels=AppriseChannel(), config=outage(world, smtp_server, max_attempts=1))
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)  # as the application logs in (issue 12)
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(
            app, ["notify", "retry", "--dead", "--since", "2025-04-14", "--kind", "evaluation_notice"]
        )
        second = CliRunner().invoke(app, ["notify", "retry", "--dead", "--kind", "evaluation_notice"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and "re-queued 1 message(s) (dead: 1" in first.output, first.output
    assert second.exit_code == 0 and "nothing to re-queue" in second.output
    assert world.row(notice).status == "retrying"


# --- a delivery run killed with SIGKILL ----------------------------------------------------------------------

CLAIMER = """
import sys, time
from datetime import datetime, timedelta
from notifications import store
from persistence.db import make_engine
engine = make_engine(sys.argv[1])
token, ids = store.claim_due(engine, datetime.fromisoformat(sys.argv[2]), 100, timedelta(minutes=15))
print(token, len(ids), flush=True)
time.sleep(600)  # killed here, its batch leased
"""


def test_a_batch_leased_by_a_killed_run_is_taken_back_at_once_at_the_same_instant(world: World) -> None:
    """Issue 12: a re-run of the same day acts at the same instant, so the dead run's lease never ran out for it."""
    ids = [world.queue("test_message", number) for number in ("E1", "E2", "E3")]
    url = world.engine.url.render_as_string(hide_password=False)
    end_of_day = datetime(2025, 4, 14, 23, 59, 59, tzinfo=UTC)  # a re-run of a past day acts at its last second
    killed = subprocess.Popen(
        [sys.executable, "-c", CLAIMER, url, end_of_day.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert killed.stdout is not None
        token, claimed = killed.stdout.readline().split()
        assert int(claimed) == 3
        with world.engine.connect() as connection:
            assert store.leases.holder_number(token) in store.leases.live_holders(
                world.engine, {store.leases.holder_number(token) or 0}
            )
            leased = connection.execute(
                sa.text("SELECT count(*) FROM outbox_message WHERE lease_token = :t"), {"t": token}
            ).scalar()
            assert leased == 3
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
    time.sleep(0.5)  # the database notices the closed connection

    report = world.deliver(end_of_day)

    assert sorted(report.delivered) == ids
    assert {world.row(outbox_id).delivered_at for outbox_id in ids} == {end_of_day}  # the same day, not the next
