"""The evaluator's notices carry the link to the sheet (P-1, P-2, issue 10): the sheet request, its reminder and the
overdue escalation addressed to the evaluator say where to fill it in — ``{BAGALAU_BASE_URL}/sheets/{id}``, as the
result notice says ``/ack/{id}`` — in the evaluator's language.

Real steps on PostgreSQL (the period opened, the reminders and escalations of the daily sweep), then real apprise
delivery to a real local SMTP server; the mails are read back as a mail client decodes them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from application.context import body_ids
from application.cycle import opening, sweep
from notifications.channels import AppriseChannel
from notifications.config import DeliveryConfig
from notifications.delivery import deliver_due
from tests.flows_support import World, example, prefect, world  # noqa: F401
from tests.integration.smtp import SmtpReceiver

pytestmark = [pytest.mark.postgres]

BASE = "https://bagalau.example.kz"
OPENS, DEADLINE = date(2025, 4, 1), date(2025, 4, 10)
#: model-2018-q1-2025.yaml: E1 (a.sarsenova@) evaluates E3…E6, E0 (e.toleuov@) evaluates E1 and E2.
LANGUAGES = {"E1": "ru", "E0": "en"}


def test_the_sheet_request_reminder_and_escalation_link_to_the_sheet(
    world: World,  # noqa: F811
    smtp_server: SmtpReceiver,
) -> None:
    engine = world(example("model-2018-q1-2025.yaml"))
    with engine.begin() as connection:
        for number, language in LANGUAGES.items():
            connection.execute(
                sa.text("UPDATE person SET language = :language WHERE personnel_number = :number"),
                {"language": language, "number": number},
            )
    env = replace(world.env, base_url=BASE + "/")
    [body] = body_ids(env, None)
    opening.open_period(env, body, "2025-Q1", OPENS)
    day = OPENS
    while day <= date(2025, 4, 11):
        sweep.run_steps(env, ["reminders", "overdue_sheets"], day, [body])
        day = date.fromordinal(day.toordinal() + 1)
    with engine.connect() as connection:
        ids = dict(
            connection.execute(
                sa.text(
                    "SELECT p.personnel_number, e.id FROM evaluation e JOIN person p ON p.id = e.person_id"
                    " WHERE e.method IN ('kpi', 'differentiation')"
                )
            ).all()
        )
    moment = datetime.combine(date(2025, 4, 11), time(23, 0), tzinfo=ZoneInfo("Asia/Almaty"))
    config = DeliveryConfig(url_templates={"email": smtp_server.url()})
    report = deliver_due(engine, moment, channels=AppriseChannel(), config=config)
    assert report.delivered
    smtp_server.wait_for(len(report.delivered))

    def mails(address: str, subject: str) -> list[str]:
        return [mail.text for mail in smtp_server.to(address) if subject in mail.subject]

    e3 = f"{BASE}/sheets/{ids['E3']}"
    # Russian: E1 evaluates E3 (the request, a reminder before the deadline, the escalation after it)
    [request] = mails("a.sarsenova@example.kz", "Оценочный лист: Дана Омарова")
    assert f"Оценочный лист: {e3}" in request
    reminders = mails("a.sarsenova@example.kz", "Напоминание")
    assert reminders and all(e3 in text for text in reminders if "Дана Омарова" in text)
    overdue = [text for text in mails("a.sarsenova@example.kz", "Просрочено") if "Дана Омарова" in text]
    assert overdue and all(f"Оценочный лист: {e3}" in text for text in overdue)
    # English: E0 evaluates E2
    e2 = f"{BASE}/sheets/{ids['E2']}"
    [request] = [text for text in mails("e.toleuov@example.kz", "Evaluation sheet for") if e2 in text]
    assert f"The sheet: {e2}" in request
