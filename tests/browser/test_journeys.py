"""Whole quarters in the browser (issue 10, "Done when"): a Model 2018 quarter and a 003 quarter, from the period's
opening to the calibrated result on the employee's page, through the pages only, in Debian's Chromium.

The body is the example scenario's organisation (``examples/scenarios/``), loaded as ``bagalau simulate`` loads it
(rulebook assigned, G-3; Model 2018's schedule approved by the appointing official, G-4) — but none of its events is
played: every human step is taken in the browser. The automated steps are the application's own, called as the
deployments run them each day (``application.cycle``: the opening, the daily sweep's steps and the delivery of the
outbox through real apprise to a local SMTP server, ``tests.integration.smtp``). The employee follows the ``/ack/{id}``
link of the e-mail that was actually delivered. A screenshot per step lands in ``build/screenshots/journey-*.png``.

- **Model 2018, 2025-Q1** (kz-model-2018): E1 signs E3's differentiation sheet (4, 4, 3, 4 → 3.75 proper); E3 reads
  the notice, disagrees within C-2; the appointing official E0 composes the panel E2, H1, H2 (C-5); they vote 4,
  3.75, 4 → 4.00 effective (C-6), which E3 then reads on her result page.
- **003, 2026-Q1** (kz-quarterly-2026): E5 signs E6's form 2 (3, 3, 3, 4, 5 → 3.60 proper); E6 disagrees; E0's
  four-member panel is refused in Russian (C-5: odd), three members E1, E8, H1 vote 4, 4, 3.6 → 4.00 effective.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from application.cycle.calibration import settle
from application.cycle.opening import open_period
from application.cycle.sweep import AFTER_DELIVERY, BEFORE_DELIVERY, deliver, run_steps
from application.environment import Environment, FixedClock
from bagalau.simulate.loading import load
from bagalau.simulate.scenario import load_scenario
from domain.vocabulary import Language
from notifications.config import DeliveryConfig
from tests.browser.conftest import PASSWORD, MovableClock, ServedApp, free_port, shoot, web_settings
from tests.browser.panel_support import add_accounts
from tests.browser.staff_support import RecordingLauncher
from tests.flows_support import EXAMPLES
from tests.integration.smtp import Received, SmtpReceiver
from web.app import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ACK_LINK = re.compile(r"http://127\.0\.0\.1:\d+/ack/\d+")


@dataclass
class Quarter:
    """A body of an example scenario, served, with its clock the test moves day by day."""

    env: Environment
    clock: FixedClock
    body: int
    url: str
    smtp: SmtpReceiver

    def on(self, day: date) -> None:
        """The application's day (the sessions keep their own clock)."""
        self.clock.instant = datetime(day.year, day.month, day.day, 10, tzinfo=self.clock.zone)

    def sweep(self, day: date) -> None:
        """The day's automated work, as the daily sweep runs it: the steps, delivery (SMTP), the steps after."""
        self.on(day)
        run_steps(self.env, [step.name for step in BEFORE_DELIVERY], day, [self.body])
        deliver(self.env, day)
        run_steps(self.env, [step.name for step in AFTER_DELIVERY], day, [self.body])

    def evaluation(self, number: str) -> int:
        with self.env.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        "SELECT e.id FROM evaluation e JOIN person p ON p.id = e.person_id "
                        "WHERE p.personnel_number = :n"
                    ),
                    {"n": number},
                ).scalar_one()
            )

    def mail_to(self, address: str, needle: str) -> Received:
        """The delivered message to ``address`` whose text holds ``needle`` (waits for it)."""
        for _ in range(25):
            for mail in list(self.smtp.messages):
                if address in mail.recipients and needle in mail.text:
                    return mail
            self.smtp.wait_for(len(self.smtp.messages) + 1, timeout=0.2)
        raise AssertionError(f"no message to {address} with {needle!r}: {[m.recipients for m in self.smtp.messages]}")


@contextmanager
def quarter(
    db: sa.Engine, smtp: SmtpReceiver, scenario_file: str, day: date, languages: dict[str, Language]
) -> Iterator[Quarter]:
    scenario = load_scenario(EXAMPLES / scenario_file)
    clock = FixedClock(datetime(day.year, day.month, day.day, 10))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = Environment(
        engine=db,
        clock=clock,
        launcher=RecordingLauncher(),
        delivery=DeliveryConfig(url_templates={"email": smtp.url()}),
        base_url=url,
    )
    body = load(env, scenario, scenario.load_rulebook())
    add_accounts(db, languages)
    app = create_app(web_settings(), db, clock=MovableClock(), env=replace(env))
    served = ServedApp(app, port)
    served.start()
    try:
        yield Quarter(env, clock, body, url, smtp)
    finally:
        served.stop()


def log_in(page: Any, q: Quarter, login: str, path: str = "/") -> None:
    page.context.clear_cookies()
    page.goto(f"{q.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{q.url}{path}")


def sign_sheet(page: Any, q: Quarter, evaluator: str, evaluatee: str, scores: list[str], justification: str) -> int:
    """The evaluator finds the sheet in the inbox, fills it (live preview) and signs it."""
    key = q.evaluation(evaluatee)
    log_in(page, q, evaluator, "/inbox")
    row = page.locator(f"#sheets tr[data-evaluation='{key}']")
    expect(row).to_contain_text(evaluatee)
    row.locator("a").click()
    expect(page).to_have_url(f"{q.url}/sheets/{key}")
    inputs = page.locator("input[id^='score-']")
    expect(inputs).to_have_count(len(scores))
    for index, score in enumerate(scores):
        inputs.nth(index).fill(score)
    page.fill("#justification", justification)
    return key


def vote(page: Any, q: Quarter, member: str, score: str) -> None:
    log_in(page, q, member, "/calibration")
    page.click("#cases a")
    page.fill("#score", score)
    page.click("#vote button[type=submit]")
    expect(page.locator("#done")).to_be_visible()


def test_a_model_2018_quarter_from_the_opening_to_the_calibrated_result(
    page: Any, db: sa.Engine, smtp_server: SmtpReceiver
) -> None:
    languages = {"E0": Language.EN, "E1": Language.KK, "E2": Language.KK, "E3": Language.KK, "H1": Language.RU}
    languages["H2"] = Language.KK
    with quarter(db, smtp_server, "model-2018-q1-2025.yaml", date(2025, 3, 31), languages) as q:
        # the appointing official sees the schedule approved (G-4): the period may open on its day
        log_in(page, q, "e0", "/hr/schedule")
        shoot(page, "journey-model2018-01-schedule-en")

        # 1 April: the period opens and the notices go out (real apprise → SMTP)
        open_period(q.env, q.body, "2025-Q1", date(2025, 4, 1))
        q.sweep(date(2025, 4, 1))
        q.mail_to("d.omarova@example.kz", "2025")  # E3's evaluation notice (P-4)

        # 3 April: the evaluator E1 follows the inbox, fills E3's sheet and signs it
        q.on(date(2025, 4, 3))
        key = sign_sheet(
            page, q, "e1", "E3", ["4", "4", "3", "4"], "Тапсырмалар сапалы, бірақ бастамашылық жеткіліксіз"
        )
        expect(page.locator("#preview")).to_contain_text("3,75")
        shoot(page, "journey-model2018-02-sheet-kk")
        page.click("#sign")
        expect(page).to_have_url(re.compile(rf"/sheets/{key}\?signed=1$"))
        shoot(page, "journey-model2018-03-signed-kk")
        q.sweep(date(2025, 4, 3))

        # the employee's notice of the result arrives with its link; she follows it and signs in
        notice = q.mail_to("d.omarova@example.kz", "/ack/")
        [link] = ACK_LINK.findall(notice.text)
        assert link == f"{q.url}/ack/{key}"
        q.on(date(2025, 4, 7))
        page.context.clear_cookies()
        page.goto(link)
        expect(page).to_have_url(f"{q.url}/login?next=/ack/{key}")
        page.fill("#login", "e3")
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        expect(page).to_have_url(f"{q.url}/evaluations/{key}")
        expect(page.locator("#score")).to_have_text("3,75")
        expect(page.locator("#category")).to_have_text("тиісінше")
        shoot(page, "journey-model2018-04-result-kk")

        # she disagrees within the C-2 window (its last day shown)
        expect(page.locator("#deadline")).to_contain_text("C-2")
        page.fill("#text", "Жобаларға қосқан үлесім ескерілмеген")
        page.click("#disagree button[type=submit]")
        expect(page).to_have_url(f"{q.url}/evaluations/{key}?done=disagreed")
        expect(page.locator("#calibration")).to_be_visible()
        shoot(page, "journey-model2018-05-disagreed-kk")

        # 9 April: the appointing official composes the panel, the C-5 checks shown before submitting
        q.sweep(date(2025, 4, 7))
        q.on(date(2025, 4, 9))
        log_in(page, q, "e0", "/calibration")
        page.click("#cases a")
        for member in ("E2", "H1"):
            page.check(f"input[name=members][value={member}]")
        expect(page.locator("#c5-check .error")).to_contain_text("2 members; at least 3 are required")
        page.check("input[name=members][value=H2]")
        expect(page.locator("#c5-check")).to_contain_text("3 members: the composition meets C-5.")
        shoot(page, "journey-model2018-06-compose-en")
        page.click("#compose button[type=submit]")
        expect(page.locator("#done")).to_be_visible()
        case_url = page.url.split("?")[0]
        q.sweep(date(2025, 4, 9))
        q.mail_to("n.zhakypov@example.kz", "Құрамы")  # the members are told by e-mail (C-3)

        # the members vote (C-6); the session step settles the case
        q.on(date(2025, 4, 11))
        vote(page, q, "e2", "4")
        vote(page, q, "h1", "3,75")
        vote(page, q, "h2", "4")
        expect(page.locator("#tally")).to_contain_text("4,00")
        shoot(page, "journey-model2018-07-votes-kk")
        assert settle(q.env, int(case_url.rsplit("/", 1)[1]), date(2025, 4, 11)) == "closed"
        q.sweep(date(2025, 4, 11))
        posted = q.mail_to("d.omarova@example.kz", "Қорытынды балл: 4,00")  # the protocol's notice (C-7)
        assert "хаттамасы" in posted.subject

        # the calibrated result reaches the employee's page
        log_in(page, q, "e3", f"/evaluations/{key}")
        expect(page.locator("#calibrated")).to_contain_text("4,00")
        expect(page.locator("#calibrated")).to_contain_text("тиімді")
        shoot(page, "journey-model2018-08-calibrated-kk")
        # and the list shows the result in force, the calibration's (C-5), not the sheet's 3,75
        page.goto(f"{q.url}/evaluations")
        row = page.locator(f"tr[data-evaluation='{key}']")
        expect(row.locator("td.result")).to_contain_text("4,00")
        expect(row.locator("td.result")).to_contain_text("калибрлеуден кейін")
        expect(row.locator("td.category")).to_contain_text("тиімді")
        shoot(page, "journey-model2018-09-list-kk")


def test_a_003_quarter_from_the_opening_to_the_calibrated_result(
    page: Any, db: sa.Engine, smtp_server: SmtpReceiver
) -> None:
    languages = {"E0": Language.RU, "E1": Language.KK, "E5": Language.KK, "E6": Language.RU, "E8": Language.EN}
    languages["H1"] = Language.KK
    with quarter(db, smtp_server, "quarterly-2026-q1.yaml", date(2026, 3, 31), languages) as q:
        # 1 April: no schedule approval in this rulebook; the period opens and the notices go out
        open_period(q.env, q.body, "2026-Q1", date(2026, 4, 1))
        q.sweep(date(2026, 4, 1))
        log_in(page, q, "e5", "/inbox")
        expect(page.locator("#sheets")).to_contain_text("E6")
        shoot(page, "journey-003-01-inbox-kk")

        # 14 April: E5 fills E6's form 2 (five parameters, Q-1) and signs it
        q.on(date(2026, 4, 14))
        key = sign_sheet(page, q, "e5", "E6", ["3", "3", "3", "4", "5"], "Бастамашылық төмен")
        expect(page.locator("#preview")).to_contain_text("3,60")
        shoot(page, "journey-003-02-sheet-kk")
        page.click("#sign")
        expect(page).to_have_url(re.compile(rf"/sheets/{key}\?signed=1$"))
        q.sweep(date(2026, 4, 14))

        # E6 follows the delivered notice's link, reads her result in Russian and disagrees within C-2
        notice = q.mail_to("a.nurlankyzy@example.kz", "/ack/")
        [link] = ACK_LINK.findall(notice.text)
        q.on(date(2026, 4, 15))
        page.context.clear_cookies()
        page.goto(link)
        page.fill("#login", "e6")
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        expect(page).to_have_url(f"{q.url}/evaluations/{key}")
        expect(page.locator("#score")).to_have_text("3,60")
        shoot(page, "journey-003-03-result-ru")
        page.fill("#text", "Тапсырмалардың көлемі мен күрделілігі ескерілмеді")
        page.click("#disagree button[type=submit]")
        expect(page).to_have_url(f"{q.url}/evaluations/{key}?done=disagreed")
        shoot(page, "journey-003-04-disagreed-ru")

        # 20 April: E0 composes; four members are refused in Russian (C-5: the panel is odd), three are approved
        q.sweep(date(2026, 4, 15))
        q.on(date(2026, 4, 20))
        log_in(page, q, "e0", "/calibration")
        page.click("#cases a")
        for member in ("E1", "E8", "H1", "E2"):
            page.check(f"input[name=members][value={member}]")
        expect(page.locator("#c5-check .error")).to_contain_text("членов: 4; число членов должно быть нечётным")
        page.click("#compose button[type=submit]")
        expect(page.locator("#error")).to_contain_text("число членов должно быть нечётным")
        expect(page.locator("#error")).to_contain_text("(C-5)")
        shoot(page, "journey-003-05-compose-refused-ru")
        expect(page.locator("input[name=members]:checked")).to_have_count(4)  # the refused choice is kept
        page.uncheck("input[name=members][value=E2]")
        page.click("#compose button[type=submit]")
        expect(page.locator("#done")).to_be_visible()
        case_id = int(page.url.split("?")[0].rsplit("/", 1)[1])

        # 24 April: the members vote; the session step settles it
        q.on(date(2026, 4, 24))
        vote(page, q, "e1", "4")
        vote(page, q, "e8", "4.0")
        vote(page, q, "h1", "3,6")
        shoot(page, "journey-003-06-votes-kk")
        assert settle(q.env, case_id, date(2026, 4, 24)) == "closed"

        log_in(page, q, "e6", f"/evaluations/{key}")
        expect(page.locator("#calibrated")).to_contain_text("4,00")
        shoot(page, "journey-003-07-calibrated-ru")
