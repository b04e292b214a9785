"""Issue 12: secrets never stored or printed. A password is planted in ``BAGALAU_SMTP_URL`` (the issue's form,
``mailto://…?user=hr&pass=SECRET``), a Telegram bot token and a webhook token in contacts' apprise URLs; messages
are delivered for real (an SMTP server that requires the password, a webhook receiver, Telegram unreachable), one
dies on a mail server that is down, and ``notify proof``/``notify test``/``notify deliver`` are run. Then every
table, every log record, the proofs and the command lines' output are searched for the three secrets — and for the
message bodies in the logs. PostgreSQL, as the application role."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.bootstrap import delivery_config
from bagalau.cli import app
from bagalau.settings import get_settings
from domain.vocabulary import EvaluationStatus, Language, Method, PeriodKind, ResultCategory
from notifications.channels import AppriseChannel
from notifications.config import DeliveryConfig
from notifications.delivery import deliver_due
from notifications.samples import SAMPLE_PAYLOADS
from persistence.models import metadata
from persistence.records import NewEvaluation, NewMessage
from persistence.uow import UnitOfWork
from tests.integration.smtp import SmtpReceiver, closed_port, free_port

pytestmark = pytest.mark.postgres

PASSWORD = "Pl4nted-SMTP-pass"
TELEGRAM_TOKEN = "987654321:AAFplantedTelegramToken0123456789"
WEBHOOK_TOKEN = "whk-Planted-Token-0451"
SECRETS = (PASSWORD, TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":")[1], WEBHOOK_TOKEN)
NOW = datetime(2025, 4, 14, 9, 0, tzinfo=UTC)
BODY_TEXT = "Балл: 4,37."  # what result_ready tells the evaluatee: never in a log


# --- an SMTP server that wants the password, a webhook receiver --------------------------------------------------


class AuthenticatingSmtp(SmtpReceiver):
    logins: list[tuple[str, str]]

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("hr", PASSWORD))


@pytest.fixture
def smtp() -> Iterator[AuthenticatingSmtp]:
    receiver = AuthenticatingSmtp("127.0.0.1", free_port())
    receiver.logins = []
    controller = Controller(
        receiver,
        hostname=receiver.host,
        port=receiver.port,
        authenticator=receiver,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


@dataclass
class Webhook:
    port: int
    received: list[tuple[str, bytes]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A webhook receiver on 127.0.0.1 (what a json:// apprise URL posts to)."""
    received: list[tuple[str, bytes]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append((self.path, self.rfile.read(int(self.headers.get("Content-Length") or 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Webhook(int(server.server_address[1]), received)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log record of the process, at every level, as text (the console and any log file see less)."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith("mail.log"):  # the test's own SMTP server (aiosmtpd), not Bagalau
                records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# --- the world ------------------------------------------------------------------------------------------------


def smtp_url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?user=hr&pass={PASSWORD}&from=hr@body.kz"


ORGANIZATION = """\
organization:
  name: Demo agency
  appointing_official: E1
  hr: [H1]
  units: [{{id: U1, name: Unit}}]
  employees:
    - {{id: E1, name: Айгерім Сәрсенова, unit: U1, category: C-1, appointed: 2020-01-01,
       contacts: {{email: e1@example.kz}}}}
    - {{id: E2, name: Аружан Ахметова, unit: U1, category: C-4, head: E1, appointed: 2020-01-01,
       contacts: {{email: e2@example.kz, telegram: "{telegram}", webhook: "{hook}"}}}}
    - {{id: H1, name: Гүлнар Ысқақова, unit: U1, category: C-4, head: E1, appointed: 2020-01-01,
       contacts: {{email: h1@body.kz}}}}
"""


def build(engine: Engine, webhook_port: int, folder: Path) -> dict[str, int]:
    """The people come in through `bagalau org import` (which seals their channel URLs), the rest by hand."""
    telegram = f"tgram://{TELEGRAM_TOKEN}/401234567"
    hook = f"json://127.0.0.1:{webhook_port}/hook?token={WEBHOOK_TOKEN}"
    path = folder / "org.yaml"
    path.write_text(ORGANIZATION.format(telegram=telegram, hook=hook), encoding="utf-8")
    imported = CliRunner().invoke(app, ["org", "import", str(path), "--body", "demo", "--as-of", "2025-01-01"])
    assert imported.exit_code == 0, imported.output
    ids: dict[str, int] = {}
    with UnitOfWork(engine, actor="test:setup") as uow:
        body = uow.org.body_by_code("demo")
        assert body is not None
        body = body.id
        for number in ("E1", "E2", "H1"):
            ids[number] = next(p.id for p in uow.org.people(body) if p.personnel_number == number)
        period = uow.periods.open(body_id=body, kind=PeriodKind.QUARTER, year=2025, quarter=1)
        evaluation, _ = uow.evaluations.ensure(
            NewEvaluation(
                person_id=ids["E2"],
                period_id=period.id,
                method=Method.DIFFERENTIATION,
                rulebook_id="kz-model-2018",
                evaluator_id=ids["E1"],
            )
        )
        uow.evaluations.update(
            evaluation.id, status=EvaluationStatus.COMPLETED, score=Decimal("4.37"), category=ResultCategory.EFFECTIVE
        )
        ids["evaluation"], ids["body"] = evaluation.id, body
        for key, channel in (
            ("result_ready:email", None),
            ("result_ready:telegram", "telegram"),
            ("result_ready:webhook", "webhook"),
        ):
            uow.outbox.enqueue(
                NewMessage(
                    idempotency_key=key,
                    body_id=body,
                    kind="result_ready",
                    due_at=NOW,
                    language=Language.KK,
                    payload=SAMPLE_PAYLOADS["result_ready"],
                    evaluation_id=evaluation.id,
                    recipient_person_id=ids["E2"],
                    channel=channel,
                )
            )
        uow.commit()
    return ids


def everything_stored(engine: Engine) -> str:
    """Every row of every table (as the owner: raw 360 answers included), as one text."""
    with engine.connect() as connection:
        return "\n".join(repr(row) for table in metadata.sorted_tables for row in connection.execute(sa.select(table)))


def test_no_planted_secret_is_stored_logged_proved_or_printed(
    pg_engine: Engine,
    pg_owner_engine: Engine,
    pg_app_url: str,
    smtp: AuthenticatingSmtp,
    webhook: Webhook,
    logs: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAGALAU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    monkeypatch.setenv("BAGALAU_SMTP_URL", smtp_url(smtp.port))
    get_settings.cache_clear()
    settings = get_settings()
    box = settings.secret_box()
    ids = build(pg_engine, webhook.port, tmp_path)
    config = delivery_config(settings)

    report = deliver_due(pg_engine, NOW, channels=AppriseChannel(), config=config)
    # the mail server behind the same password goes down: the next message dies there, HR is told
    down = DeliveryConfig(url_templates={"email": smtp_url(closed_port())}, max_attempts=1, secrets=box)
    with UnitOfWork(pg_engine, actor="test") as uow:
        uow.outbox.enqueue(
            NewMessage(
                idempotency_key="notice:down",
                body_id=ids["body"],
                kind="test_message",
                due_at=NOW,
                language=Language.EN,
                payload={"channel": "email"},
                recipient_person_id=ids["E1"],
                evaluation_id=ids["evaluation"],
            )
        )
        uow.commit()
    died = deliver_due(pg_engine, NOW + timedelta(minutes=1), channels=AppriseChannel(), config=down)

    runner = CliRunner()
    outputs = [
        runner.invoke(app, ["notify", "proof", str(ids["evaluation"]), "--json"]),
        runner.invoke(app, ["notify", "proof", str(ids["evaluation"])]),
        runner.invoke(app, ["notify", "test", "E2"]),
        runner.invoke(app, ["notify", "deliver"]),
        runner.invoke(app, ["notify", "retry", "--dead"]),
    ]
    get_settings.cache_clear()

    # it really happened: the password opened the mail server, the webhook got its message, Telegram failed
    assert ("hr", PASSWORD) in smtp.logins and len(smtp.wait_for(1)) >= 1
    assert any(path.startswith("/hook") for path, _ in webhook.received)
    assert len(report.delivered) == 2 and len(report.retrying) == 1 and died.dead
    assert all(result.exception is None or isinstance(result.exception, SystemExit) for result in outputs)

    stored = everything_stored(pg_owner_engine)
    printed = "\n".join(result.output for result in outputs)
    logged = "\n".join(logs)
    error_log = tmp_path / "data" / "logs" / "errors.log"
    files = error_log.read_text(encoding="utf-8") if error_log.exists() else ""
    for secret in SECRETS:
        assert secret not in stored, f"{secret!r} is stored"
        assert secret not in printed, f"{secret!r} is printed"
        assert secret not in logged, f"{secret!r} is logged"
        assert secret not in files, f"{secret!r} is in the error log"
    assert BODY_TEXT not in logged and "4,37" not in logged  # message bodies are never logged
    assert "JSON Payload" not in stored and "Response Details" not in stored  # apprise DEBUG is never kept

    proof = json.loads(outputs[0].output)
    urls = [message["proof"]["url"] for message in proof["messages"] if message["proof"]]
    assert "mailto://127.0.0.1:" in urls[0] and "pass=****" in urls[0]
    assert "****" in outputs[2].output and "tgram://****:****/401234567" in outputs[2].output
