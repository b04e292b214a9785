"""Issue 14, item 4 (decision 0160): ``bagalau serve`` installs Prefect automations, once, that tell HR and the
operators when a served step fails, crashes, is late or runs too long — through Bagalau's own outbox.

For real: ``bagalau serve`` as a child process (its Prefect server, every deployment served) on the PostgreSQL test
database, the local SMTP receiver as the mail server, examples/staff imported as body ``demo`` with no rulebook
assigned (G-3). The served ``daily-sweep`` of the quarter's first working day fails on it; the automation runs
``operator-alert``, and the alert arrives by e-mail at HR's members, the operators' mailbox and the body's admin.
Then a run of a step nobody serves turns Late, and they are told that too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.settings import get_settings
from deployments.automations import FAILED, NAMES, TOO_LONG, TOO_LONG_NAME, ensure_automations, specs
from deployments.schedules import ALERT
from tests.integration.smtp import SmtpReceiver
from tests.served_support import BagalauServe

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"
OPERATORS = "ops@example.kz"


def test_the_automations_watch_every_served_step_and_run_the_alert_deployment() -> None:
    from uuid import uuid4

    alert = uuid4()
    failed, too_long = specs(alert)
    assert (failed.name, too_long.name) == (FAILED, TOO_LONG_NAME)
    assert failed.trigger.expect == {  # type: ignore[union-attr]
        "prefect.flow-run.Failed",
        "prefect.flow-run.Crashed",
        "prefect.flow-run.TimedOut",
        "prefect.flow-run.Late",
    }
    assert failed.trigger.posture == "Reactive" and too_long.trigger.posture == "Proactive"  # type: ignore[union-attr]
    assert too_long.trigger.after == {"prefect.flow-run.Running"} and too_long.trigger.within == TOO_LONG  # type: ignore[union-attr]
    related = failed.trigger.match_related.model_dump()  # type: ignore[union-attr]
    assert related == {"prefect.resource.role": "tag", "prefect.resource.id": ["prefect.tag.bagalau"]}
    for automation in (failed, too_long):
        [action] = automation.actions
        assert (action.type, action.deployment_id) == ("run-deployment", alert)  # type: ignore[union-attr]
        assert action.parameters["flow_run_id"]["template"] == "{{ flow_run.id }}"  # type: ignore[union-attr]
    assert too_long.actions[0].parameters["event"]["template"] == "too_long"  # type: ignore[union-attr]


@pytest.fixture
def demo(pg_engine: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """examples/staff as body ``demo`` (HR: H2, H1; E1 has an admin account), no rulebook assigned."""
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(app, ["org", "import", str(STAFF), "--body", "demo", "--as-of", "2025-01-06"])
        assert done.exit_code == 0, done.output
        # an admin of the body who is a person with a contact is an operator too (decision 0160)
        done = runner.invoke(app, ["user", "add", "aigerim", "--person", "E1", "--role", "admin", "--sso-only"])
        assert done.exit_code == 0, done.output
        yield pg_engine
    finally:
        get_settings.cache_clear()


@pytest.fixture
def served(
    demo: Engine, pg_url: str, pg_app_url: str, smtp_server: SmtpReceiver, tmp_path: Path
) -> Iterator[BagalauServe]:
    serving = BagalauServe(
        tmp_path / "data",
        {
            "BAGALAU_DATABASE_URL": pg_app_url,
            "BAGALAU_OWNER_DATABASE_URL": pg_url,
            "BAGALAU_SMTP_URL": smtp_server.url(),
            "BAGALAU_OPERATOR_EMAILS": OPERATORS,
            "BAGALAU_BASE_URL": "https://bagalau.example.kz",
        },
    )
    try:
        serving.start()
        yield serving
    finally:
        serving.stop()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_failed_sweep_reaches_hr_and_the_operators_through_the_outbox(
    served: BagalauServe, demo: Engine, smtp_server: SmtpReceiver
) -> None:
    deployments = served.deployments()
    alert_id = deployments[ALERT].id
    assert "bagalau" not in deployments[ALERT].tags  # an alert that fails does not alert about itself
    with served.client() as client:
        installed = {name: client.read_automations_by_name(name) for name in NAMES}
        assert {name: len(found) for name, found in installed.items()} == dict.fromkeys(NAMES, 1)
        assert {found[0].actions[0].deployment_id for found in installed.values()} == {alert_id}
        # idempotent: serving again (the same call `bagalau serve` makes) changes nothing and adds nothing
        again = ensure_automations(client, alert_id)
        assert again.done == dict.fromkeys(NAMES, "unchanged")
        assert again.ids == {name: found[0].id for name, found in installed.items()}
        # a changed threshold is an update of the same automation, not a second one
        changed = ensure_automations(client, alert_id, too_long=timedelta(hours=3))
        assert changed.done == {FAILED: "unchanged", TOO_LONG_NAME: "updated"} and changed.ids == again.ids
        ensure_automations(client, alert_id)
        assert len(client.read_automations_by_name(TOO_LONG_NAME)) == 1

        # G-3: no rulebook is assigned, so the sweep of the quarter's first working day fails for body demo
        run = client.create_flow_run_from_deployment(
            deployments["daily-sweep"].id, parameters={"as_of": "2025-04-01", "body": "demo"}
        )
    failed = served.run_of(run.id, {"Failed", "Crashed"})
    assert failed.name == "daily-sweep-demo-2025-04-01"

    expected = {OPERATORS, "a.sarsenova@example.kz", "g.iskakova@example.kz", "o.bekbolatov@example.kz"}

    def alerts() -> list[object] | None:
        found = [mail for mail in smtp_server.messages if "daily-sweep-demo-2025-04-01" in mail.subject]
        return found if {r for mail in found for r in mail.recipients} >= expected else None

    mails = served.wait(alerts, 180, "alert e-mails to HR and the operators")
    by_recipient = {recipient: mail for mail in mails for recipient in mail.recipients}  # type: ignore[attr-defined]
    hr_head = by_recipient["g.iskakova@example.kz"]
    assert hr_head.subject == "Bagalau қадамы daily-sweep қатемен аяқталды: daily-sweep-demo-2025-04-01"
    assert "G-3" in hr_head.text and "https://bagalau.example.kz/hr/runs" in hr_head.text
    assert "bagalau rerun daily_sweep --as-of 2025-04-01 --body demo" in hr_head.text
    assert f"{served.api_url[: -len('/api')]}/runs/flow-run/{run.id}" in hr_head.text
    assert "Шаг Bagalau daily-sweep завершился ошибкой" in by_recipient["o.bekbolatov@example.kz"].subject  # ru

    with demo.connect() as connection:
        queued = connection.execute(
            sa.text(
                "SELECT idempotency_key, recipient_role, status FROM outbox_message WHERE kind = 'operator_alert' "
                "ORDER BY idempotency_key"
            )
        ).all()
        body_id = connection.execute(sa.text("SELECT id FROM body WHERE code = 'demo'")).scalar_one()
    assert [(key, role, status) for key, role, status in queued] == [
        (f"alert:{run.id}:failed:{body_id}:hr", "hr", "delivered"),
        (f"alert:{run.id}:failed:{body_id}:operator", "operator", "delivered"),
    ]

    # Late: a run of a step nobody serves (its process is down) whose time has passed; Prefect's late-runs service
    # marks it Late after 15 s, the same automation tells HR and the operators
    from prefect.states import Scheduled

    with served.client() as client:
        standby = client.create_deployment(
            flow_id=deployments["daily-sweep"].flow_id,
            name="daily-sweep-unserved",
            tags=["bagalau"],
            entrypoint="deployments.entrypoints.daily_sweep",
        )
        late = client.create_flow_run_from_deployment(
            standby, state=Scheduled(scheduled_time=datetime.now(UTC) - timedelta(minutes=5))
        )
    served.run_of(late.id, {"Late"}, timeout=120)

    def late_alerts() -> list[object] | None:
        found = [mail for mail in smtp_server.messages if late.name in mail.subject]
        return found if OPERATORS in {r for mail in found for r in mail.recipients} else None

    by_recipient = {r: mail for mail in served.wait(late_alerts, 180, "the late-run alert") for r in mail.recipients}
    assert by_recipient[OPERATORS].subject == f"Bagalau қадамы daily-sweep-unserved уақытында басталмады: {late.name}"
    assert "Шаг Bagalau daily-sweep-unserved не начат вовремя" in by_recipient["o.bekbolatov@example.kz"].subject
