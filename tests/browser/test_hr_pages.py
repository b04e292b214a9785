"""HR's dashboard in headless Chromium (issue 14): the board, a timeline, "send again", the R-2 split on the page,
Prefect down on the runs page; and the board's screenshots in Kazakh, Russian and English (``docs/screenshots``)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from deployments.runs import PrefectRuns
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, free_port, shoot
from tests.browser.hr_support import HrWorld, build_hr_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def world(live_app: LiveApp, web_org: WebOrg) -> HrWorld:
    # Prefect "configured" on a port nobody listens on: the runs page must say Prefect is down
    live_app.app.state.runs = PrefectRuns(f"http://127.0.0.1:{free_port()}/api")
    return build_hr_world(live_app.engine, web_org, live_app.clock.today())


def log_in(page: Any, live_app: LiveApp, login: str, *, path: str) -> None:
    page.goto(f"{live_app.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_app.url}{path}")


def test_hr_staff_follow_the_board_and_send_a_dead_letter_again(page: Any, live_app: LiveApp, world: HrWorld) -> None:
    log_in(page, live_app, "saule", path="/hr/board")
    assert page.locator("#counts .count[data-status='open']").inner_text() == "1"
    assert page.locator("#counts .count[data-status='ineligible']").inner_text() == "1"
    e0 = page.locator(f"#people tr[data-evaluation='{world.e0_evaluation}'] td.result")
    assert "4,25" not in e0.inner_text() and e0.inner_text().strip() != ""  # HR staff see no score
    page.click(f"#dead-letters tr[data-message='{world.dead_letter}'] button")
    page.wait_for_url(f"{live_app.url}/hr/board?sent={world.dead_letter}")
    assert str(world.dead_letter) in page.locator("#sent").inner_text()
    assert page.locator("#dead-letters").count() == 0  # nothing dead any more
    with UnitOfWork(live_app.engine, actor="test") as uow:
        actor = uow.session.execute(
            sa.text("SELECT actor FROM audit_log WHERE entity = 'outbox_message' AND action = 'requeue'")
        ).scalar_one()
    assert actor == "user:saule (person:S1)"  # who sent it again


def test_the_timeline_shows_the_story_and_the_hr_head_sees_the_score(
    page: Any, live_app: LiveApp, world: HrWorld
) -> None:
    log_in(page, live_app, "dana", path="/hr/board")  # the HR head
    e0 = page.locator(f"#people tr[data-evaluation='{world.e0_evaluation}']")
    assert "4,25" in e0.locator("td.result").inner_text()  # Russian account: decimal comma
    e0.locator("a").click()
    page.wait_for_url(f"{live_app.url}/hr/evaluations/{world.e0_evaluation}/timeline")
    kinds = page.locator("#events li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert {"opened", "sheet", "calibration"} <= set(kinds)
    assert "quality=4" in page.locator("#events").inner_text()
    # the words in the page's language (Russian), the codes in the data attributes
    shoot(page, "hr-timeline-ru")
    sheet = page.locator("#events li[data-kind='sheet']").first.inner_text()
    assert "Версия листа" in sheet and "[текущая]" in sheet
    assert "подписал" in sheet and " by " not in sheet  # the details in Russian too, the scores as written
    calibration = page.locator("#events li[data-kind='calibration']").all_inner_texts()
    assert any("заявление подано (C-2)" in line for line in calibration), calibration
    assert page.locator("#events li[data-kind='opened'] strong").first.inner_text() == "Открыто"
    method = page.locator("dd[data-method]")
    assert method.inner_text() != method.get_attribute("data-method")  # the method's name, not its code


def test_the_timeline_names_messages_and_escalations_in_the_readers_language(
    page: Any, live_app: LiveApp, world: HrWorld
) -> None:
    """The codes inside an event's details (a message's kind, an escalation's kind, a recipient role) are words of
    the page's language (Russian); the JSON twin keeps the codes."""
    log_in(page, live_app, "dana", path=f"/hr/evaluations/{world.e1_evaluation}/timeline")
    messages = page.locator("#events li[data-kind='message']").all_inner_texts()
    escalations = page.locator("#events li[data-kind='escalation']").all_inner_texts()
    assert any("Уведомление об оценке →" in line for line in messages), messages
    assert any("Просрочен оценочный лист, уровень" in line for line in escalations), escalations
    assert not [line for line in messages + escalations if "_" in line or "attempt" in line]  # no code, no English
    shoot(page, "hr-timeline-messages-ru")


def test_an_employee_finds_no_board(page: Any, live_app: LiveApp, world: HrWorld) -> None:
    page.goto(f"{live_app.url}/hr/board")
    page.fill("#login", "aigul")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "404" in page.locator("h1").inner_text()


def test_the_runs_page_says_prefect_is_down(page: Any, live_app: LiveApp, world: HrWorld) -> None:
    log_in(page, live_app, "saule", path="/hr/runs")
    assert page.locator("#prefect-down").is_visible()
    page.click("nav.subnav a[href='/hr/board']")
    page.wait_for_url(f"{live_app.url}/hr/board")  # the board still works
    assert page.locator("#counts").is_visible()
    page.locator("#stalled-runs #runs-down").wait_for(state="visible")  # and says that Prefect does not answer


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_board_screenshots(page: Any, live_app: LiveApp, world: HrWorld, language: str) -> None:
    log_in(page, live_app, "dana", path="/hr/board")
    page.click(f"form.languages button[value='{language}']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    shot = shoot(page, f"hr-board-{language}")  # build/screenshots; docs/screenshots keeps a curated copy
    assert shot.stat().st_size > 10_000
    # the words of the cycle in the page's language, the codes in the data attributes (E-5, C-2, P-4)
    reason = page.locator("#people .reason[data-reason='probation']").inner_text()
    case = page.locator("#cases td.status[data-status='applied']").inner_text()
    letter = page.locator(f"#dead-letters tr[data-message='{world.dead_letter}'] td").first.inner_text()
    assert (reason, case) == BOARD_WORDS[language]
    assert "evaluation_notice" not in letter and "dead" not in page.locator("#notices").inner_text()
    if language != "en":  # English says "on probation", "effective": the codes' own words
        assert "probation" not in page.locator("#reasons").inner_text()
        assert "effective" not in page.locator("#people").inner_text()


#: P1's reason and E0's calibration case status, as the board says them.
BOARD_WORDS = {
    "kk": ("сынақ мерзімінде (E-5)", "Өтініш қабылданды"),
    "ru": ("в период испытательного срока (E-5)", "Заявление получено"),
    "en": ("on probation (E-5)", "Application received"),
}
