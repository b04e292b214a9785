"""The panels in a real browser (Debian's Chromium through Playwright) on played scenarios (issue 10): the appointing
official composes a calibration session with the C-5 checks shown before submitting, the members vote to a
calibrated score (C-6) and read the protocol (C-7, C-8); a respondent answers the 360 questionnaire and the
evaluatee's published report says how many answered, never who (T-8). Screenshots in kk, ru and en."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from application.cycle.calibration import settle
from application.cycle.commission import commission_cycle
from application.cycle.survey import survey_360
from domain.vocabulary import Language
from tests.browser.conftest import PASSWORD, shoot
from tests.browser.panel_support import (
    PanelWorld,
    Served,
    add_accounts,
    calibration_world,
    serve,
    survey_world,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def log_in(page: Any, served: Served, login: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{served.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{served.url}{path}")


def speak(page: Any, language: str) -> None:
    page.click(f"header form.languages button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture
def calibration(db: sa.Engine) -> Iterator[tuple[PanelWorld, Served]]:
    world = calibration_world(db)
    add_accounts(db, {"E0": Language.EN, "E1": Language.RU, "E2": Language.KK, "H1": Language.RU, "H2": Language.KK})
    with serve(world) as served:
        yield world, served


def test_a_panel_is_composed_and_votes_to_a_calibrated_score(page: Any, calibration: tuple[PanelWorld, Served]) -> None:
    world, served = calibration
    log_in(page, served, "e0", "/calibration")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    for language in ("kk", "ru", "en"):
        speak(page, language)
        shoot(page, f"calibration-list-{language}")
    page.click("#cases a")
    expect(page.locator("h1")).to_contain_text("Calibration session: Дана Омарова · 2025-Q1")
    expect(page.locator("#sheet-score")).to_have_count(0)  # the official composes without seeing the score
    expect(page.locator("#c5-rules")).to_contain_text("At least 3 members.")
    # C-5 checked as the members are ticked, before anything is submitted
    expect(page.locator("input[name=members][value=E1]")).to_have_count(0)  # the disputed evaluator is not offered
    expect(page.locator("input[name=members][value=E6]")).to_have_count(0)  # nor someone dismissed (4 April)
    page.check("input[name=members][value=E2]")
    page.check("input[name=members][value=H1]")
    expect(page.locator("#c5-check .error")).to_contain_text("2 members; at least 3 are required")
    shoot(page, "calibration-compose-check-en")
    page.check("input[name=members][value=H2]")
    expect(page.locator("#c5-check")).to_contain_text("3 members: the composition meets C-5.")
    page.click("#compose button[type=submit]")
    expect(page.locator("#done")).to_contain_text("The composition is approved")
    expect(page.locator("#members")).to_contain_text("Нұрлан Жақыпов (E2)")
    for language in ("kk", "ru", "en"):
        speak(page, language)
        shoot(page, f"calibration-compose-{language}")

    world.move_to(date(2025, 4, 17))
    log_in(page, served, "e2", "/calibration")
    page.click("#cases a")
    expect(page.locator("#sheet-score")).to_contain_text("3,75")  # a member sees the disputed score
    page.fill("#score", "7")
    page.click("#vote button[type=submit]")
    expect(page.locator("#error")).to_have_text("E2 берген 7 дауысы 0,0–5,0 шкаласынан тыс (C-6)")  # in Kazakh (0150)
    page.fill("#score", "4,0")
    page.fill("#argument", "<script>alert(1)</script> бастамашылық ескерілмеген")
    token = page.locator("#vote input[name=csrf_token]").input_value()
    page.click("#vote button[type=submit]")
    expect(page.locator("#done")).to_have_text("Дауысыңыз тіркелді (C-6).")
    expect(page.locator("#my-vote")).to_contain_text("4,00")
    # the same form sent again (a double click): answered as the first, recorded once
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    again = httpx.post(f"{page.url.split('?')[0]}/vote", data={"csrf_token": token, "score": "4,0"}, cookies=cookies)
    assert (again.status_code, again.headers["location"].endswith("?done=voted")) == (303, True)
    with world.env.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM calibration_vote")).scalar_one() == 1
    shoot(page, "calibration-vote-kk")

    world.move_to(date(2025, 4, 18))
    log_in(page, served, "h2", "/calibration")
    page.click("#cases a")
    page.fill("#score", "3.75")
    page.click("#vote button[type=submit]")
    expect(page.locator("#tally")).to_contain_text("1")
    log_in(page, served, "h1", "/calibration")
    page.click("#cases a")
    page.fill("#score", "4")
    page.click("#vote button[type=submit]")
    expect(page.locator("#tally")).to_contain_text("Большинство: за 4,00 отдано 2 из 3 голосов членов (C-6).")
    case_id = int(page.url.rsplit("/", 1)[1].split("?")[0])
    assert settle(world.env, case_id, date(2025, 4, 18)) == "closed"  # the session step, as the sweep runs it
    page.reload()
    expect(page.locator("#final")).to_have_text(
        "Результат калибровки: 4,00, эффективно исполняет функциональные обязанности."
    )
    expect(page.locator("#feedback")).to_contain_text("22 апреля 2025")
    expect(page.locator("#closed")).to_be_visible()
    expect(page.locator("#vote")).to_have_count(0)
    for language in ("ru", "kk", "en"):
        speak(page, language)
        shoot(page, f"calibration-protocol-{language}")
    # C-8: the evaluator records the feedback meeting once it is held
    world.move_to(date(2025, 4, 22))
    log_in(page, served, "e1", f"/calibration/{case_id}")
    page.click("#feedback-form button[type=submit]")
    expect(page.locator("#done")).to_have_text("Встреча обратной связи записана (C-8).")
    expect(page.locator("#feedback-held")).to_have_text("22 апреля 2025\u202fг.")
    expect(page.locator("#feedback-form")).to_have_count(0)
    # the argument is shown as text, never run as markup
    expect(page.locator("#votes td.argument").first).to_have_text("<script>alert(1)</script> бастамашылық ескерілмеген")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()


@pytest.fixture
def surveys(db: sa.Engine) -> Iterator[tuple[PanelWorld, Served]]:
    world = survey_world(db)
    add_accounts(db, {"E0": Language.RU, "E1": Language.KK, "E2": Language.EN, "E3": Language.KK})
    with serve(world) as served:
        yield world, served


def test_a_360_answer_is_anonymous_in_the_evaluatees_report_and_api(
    page: Any, surveys: tuple[PanelWorld, Served]
) -> None:
    world, served = surveys
    log_in(page, served, "e0", "/surveys")
    expect(page.locator("#invitations tbody tr")).to_have_count(1)
    expect(page.locator("#invitations")).to_contain_text("Гүлмира Есенова")
    for language in ("kk", "en", "ru"):
        speak(page, language)
        shoot(page, f"survey-list-{language}")
    page.click("#invitations a")
    expect(page.locator("h1")).to_contain_text("Гүлмира Есенова")
    blocks = page.locator("#questionnaire section")
    expect(blocks).to_have_count(12)  # form 5: the twelve competencies of a head of unit (T-2)
    for language in ("kk", "en", "ru"):
        speak(page, language)
        shoot(page, f"survey-form-{language}")
    radios = page.locator("#questionnaire input[type=radio][value=mostly]")
    for index in range(radios.count()):
        radios.nth(index).check()
    page.locator("#questionnaire input[type=radio][value=always]").first.check()
    page.click("#questionnaire button[type=submit]")
    expect(page.locator("#done")).to_contain_text("анонимно (T-8)")
    expect(page.locator("#invitations")).to_contain_text("Ответ дан")
    page.go_back()
    expect(page.locator("#already")).to_be_visible()  # answered once (T-4): the form is gone

    # the other respondents and the evaluatee's self-assessment, as the scenario has them; then the survey closes
    world.play(date(2026, 1, 6), date(2026, 1, 12))
    survey_360(world.env, world.body, 2025, date(2026, 1, 13))
    world.move_to(date(2026, 1, 13))
    log_in(page, served, "e1", "/surveys")
    report = page.locator("article.report")
    expect(report).to_have_count(1)
    expect(report).to_contain_text("3 респондент жауап берді.")
    for language in ("kk", "ru", "en"):
        speak(page, language)
        shoot(page, f"survey-report-{language}")
    text = report.inner_text()
    for respondent in ("Серік Әбдірахманов", "Азамат Құрманов", "Ләззат Бекова", "E0", "E2", "E3", "E4"):
        assert respondent not in text, f"the report names {respondent} (T-8)"
    with httpx.Client(base_url=served.url, timeout=30) as client:
        token = client.post("/api/v1/session", json={"login": "e1", "password": PASSWORD}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        reports = client.get("/api/v1/surveys/reports", headers=headers)
        [mine] = reports.json()
        assert (mine["respondents"], mine["publishable"]) == (3, True)
        assert set(mine) == {
            "survey_id",
            "year",
            "respondents",
            "publishable",
            "min_respondents",
            "averages",
            "self_assessment",
        }
        for respondent in ("E0", "E2", "E3", "E4", "Серік", "Азамат", "Ләззат"):
            assert respondent not in reports.text, f"the API names {respondent} (T-8)"
        own = client.get(f"/api/v1/surveys/{mine['survey_id']}", headers=headers).json()  # the self-assessment
        assert own["invitation"]["self_assessment"] and "respondents" not in str(own)
        # E0 was asked about E1 only: another survey is not theirs to read (404, recorded)
        token = client.post("/api/v1/session", json={"login": "e0", "password": PASSWORD}).json()["token"]
        e0 = {"Authorization": f"Bearer {token}"}
        [asked] = client.get("/api/v1/surveys", headers=e0).json()
        other = next(i for i in range(1, 6) if i != asked["survey_id"])
        assert client.get(f"/api/v1/surveys/{other}", headers=e0).status_code == 404
        sent = client.post(f"/api/v1/surveys/{asked['survey_id']}/answers", json={"answers": {}}, headers=e0)
        assert (sent.status_code, sent.json()["rule"]) == (422, "P-1")  # closed on its deadline


@pytest.fixture
def commission(db: sa.Engine) -> Iterator[tuple[PanelWorld, Served]]:
    from tests.browser.panel_support import commission_world

    world = commission_world(db)
    add_accounts(db, {"H1": Language.RU, "E0": Language.EN, "V1": Language.KK})
    with serve(world) as served:
        yield world, served


def test_the_commission_meets_and_the_chair_votes(page: Any, commission: tuple[PanelWorld, Served]) -> None:
    world, served = commission
    log_in(page, served, "h1", "/commission")
    expect(page.locator("#notice-days")).to_contain_text("не менее чем за 7 рабочих дней (M-7)")
    expect(page.locator("#notice-days")).to_contain_text("23 января 2026")
    page.fill("#meeting_date", "2026-01-27")
    page.click("#schedule button[type=submit]")
    expect(page.locator("#done")).to_contain_text("Заседание назначено")
    expect(page.locator("#meetings")).to_contain_text("27 января 2026")
    for language in ("ru", "kk", "en"):
        speak(page, language)
        shoot(page, f"commission-schedule-{language}")

    world.move_to(date(2026, 1, 27))
    page.reload()
    for member in ("E0", "V1", "V2", "E1", "H2"):
        page.check(f"#attendance input[value={member}]")
    page.click("#attendance button[type=submit]")
    expect(page.locator("#done")).to_contain_text("Attendance recorded (M-7).")
    expect(page.locator("#meetings")).to_contain_text("E0, V1, V2, E1, H2")

    log_in(page, served, "e0", "/commission")
    expect(page.locator("main")).to_contain_text("As the chair, your vote decides a tie (M-7).")
    row = page.locator("#lines tr", has_text="H1").filter(has_text="KPIs achieved")
    row.locator("select[name=choice]").select_option("approve")
    row.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_contain_text("Your vote is recorded (M-7).")
    row = page.locator("#lines tr", has_text="H1").filter(has_text="KPIs achieved")
    expect(row).to_contain_text("E0: approve (chair)")
    expect(row).to_contain_text("You voted: approve")
    for language in ("en", "kk", "ru"):
        speak(page, language)
        shoot(page, f"commission-vote-{language}")

    # the other votes of the day; the Commission decides when the day is over; E3 refuses to acknowledge (M-8)
    world.play(date(2026, 1, 27), date(2026, 1, 27))
    commission_cycle(world.env, world.body, 2025, date(2026, 1, 28))
    world.move_to(date(2026, 1, 28))
    # M-7: the results wait for the appointing official; HR sees that, and no button
    log_in(page, served, "h1", "/commission")  # H1 switched to English above
    expect(page.locator("#meetings")).to_contain_text("Awaiting the appointing official's approval")
    expect(page.locator("form[action$='/approval']")).to_have_count(0)
    expect(page.locator("#lines tr", has_text="E3").filter(has_text="Competencies").locator("input")).to_have_count(0)
    log_in(page, served, "e0", "/")
    speak(page, "en")  # E0 switched to Russian above
    page.click("#approvals-due a")  # the home page says the results wait for him
    expect(page).to_have_url(f"{served.url}/commission")
    protocol = page.locator("section.protocol")
    expect(protocol.locator("tr", has_text="H1").filter(has_text="KPIs achieved")).to_contain_text("approve")
    expect(protocol.locator("tr", has_text="E2").filter(has_text="KPIs achieved")).to_contain_text("revise")
    for language in ("en", "kk", "ru"):
        speak(page, language)
        shoot(page, f"commission-approval-{language}")
    speak(page, "en")
    page.click("form[action$='/approval'] button[type=submit]")
    expect(page.locator("#done")).to_contain_text("The results are approved and recorded in the protocol")
    expect(page.locator("#meetings")).to_contain_text("Jan 28, 2026")
    expect(page.locator("form[action$='/approval']")).to_have_count(0)
    page.goto(f"{served.url}/")
    expect(page.locator("#approvals-due")).to_have_count(0)  # approved: nothing waits any more
    log_in(page, served, "h1", "/commission")
    row = page.locator("#lines tr", has_text="E3").filter(has_text="Competencies")
    row.locator("input[name=witness1]").fill("E3")
    row.locator("button[type=submit]").click()
    expect(page.locator("#error")).to_contain_text("(M-8)")
    row = page.locator("#lines tr", has_text="E3").filter(has_text="Competencies")
    row.locator("input[name=witness1]").fill("E4")
    row.locator("input[name=witness2]").fill("E5")
    row.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_have_text("The refusal act is drawn up (M-8).")
    shoot(page, "commission-refusal-act-en")
