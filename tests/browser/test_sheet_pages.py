"""The evaluator's pages in headless Chromium (issue 10): an evaluator fills and signs a Model 2018 differentiation
sheet with live hints; a KPI sheet is refused out of its K-4 range (the message names K-4 and the range) and
accepted in range; the superior head returns a sheet and then agrees with the corrected one (M-5); a forged form
is refused (CSRF); text is escaped. Screenshots of the inbox and each sheet form in kk, ru and en."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, shoot
from tests.browser.sheets_support import SheetWorld, build_sheet_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SCRIPT = "<script>alert('x')</script> жақсы жұмыс"


@pytest.fixture
def world(live_app: LiveApp, web_org: WebOrg) -> SheetWorld:
    return build_sheet_world(live_app.engine, web_org, live_app.app.state.env.clock.today())


def log_in(page: Any, live_app: LiveApp, login: str, *, path: str = "/") -> None:
    page.goto(f"{live_app.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_app.url}{path}")


def evaluation(live_app: LiveApp, evaluation_id: int) -> dict[str, Any]:
    with live_app.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT status, score, category FROM evaluation WHERE id = :id"), {"id": evaluation_id}
        )
        return dict(row.mappings().one())


def versions(live_app: LiveApp, evaluation_id: int) -> list[int]:
    with UnitOfWork(live_app.engine, actor="test") as uow:
        return [version.version for version in uow.sheets.versions(evaluation_id)]


def switch_language(page: Any, code: str) -> None:
    page.click(f"header form.languages button[value={code}]")
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_an_evaluator_fills_and_signs_a_differentiation_sheet(page: Any, live_app: LiveApp, world: SheetWorld) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_app, "vera")
    expect(page.locator("#sheets-due")).to_contain_text("Сізді 3 парақ күтіп тұр")  # the home page links the inbox
    page.click("header nav a[href='/inbox']")
    row = page.locator(f"#sheets tr[data-evaluation='{world.differentiation}']")
    expect(row).to_contain_text("E1 Айгерім Сәрсенова")
    expect(row.locator("td.days-left")).to_contain_text("жұмыс күні")
    for code in ("kk", "ru", "en"):
        switch_language(page, code)
        shoot(page, f"evaluator-inbox-{code}")
    switch_language(page, "kk")
    row.locator("a").click()
    page.wait_for_url(f"{live_app.url}/sheets/{world.differentiation}")
    expect(page.locator("#parameters")).to_contain_text("функционалдық міндеттерді орындау сапасы")
    expect(page.locator("#scale")).to_contain_text("D-2")
    page.fill("#score-quality", "7")
    expect(page.locator("#field-problems")).to_contain_text("7 рұқсат етілген мәндерден тыс: 0,00–5,00 (D-2)")
    expect(page.locator("#field-problems [data-field='quality']")).to_have_attribute("data-rule", "D-2")
    for parameter, score in (("quality", "4"), ("deadlines", "5"), ("independence_initiative", "4")):
        page.fill(f"#score-{parameter}", score)
    page.fill("#score-labour_discipline", "4")
    page.fill("#justification", SCRIPT)
    expect(page.locator("#preview")).to_contain_text("4,25")
    expect(page.locator("#field-problems")).to_have_count(0)
    for code in ("kk", "ru", "en"):
        if code != "kk":
            switch_language(page, code)
        shoot(page, f"evaluator-sheet-differentiation-{code}")
    switch_language(page, "kk")
    for parameter, score in (("quality", "4"), ("deadlines", "5"), ("independence_initiative", "4")):
        page.fill(f"#score-{parameter}", score)
    page.fill("#score-labour_discipline", "4")
    page.fill("#justification", SCRIPT)
    page.click("#sign")
    page.wait_for_url(f"{live_app.url}/sheets/{world.differentiation}?signed=1")
    expect(page.locator("#signed")).to_be_visible()
    expect(page.locator("#justification")).to_have_value(SCRIPT)  # kept as text, never run
    assert dialogs == []
    assert evaluation(live_app, world.differentiation)["status"] == "completed"
    assert str(evaluation(live_app, world.differentiation)["score"]) == "4.2500"
    page.click("#sign")  # the same form twice: still one version
    page.wait_for_url(f"{live_app.url}/sheets/{world.differentiation}?signed=1")
    assert versions(live_app, world.differentiation) == [1]


def test_a_kpi_sheet_is_refused_out_of_range_and_accepted_in_range(
    page: Any, live_app: LiveApp, world: SheetWorld
) -> None:
    log_in(page, live_app, "vera", path=f"/sheets/{world.kpi}")
    k1 = page.locator("#kpis tr[data-field='k1']")
    expect(k1.locator("td.allowed")).to_have_text("4,75–4,99")  # shown before typing anything (K-4)
    page.fill("#score-k1", "5")
    page.fill("#score-k2", "5")
    page.fill("#score-k3", "4")
    hint = page.locator("#field-problems [data-field='k1']")
    expect(hint).to_contain_text("5 рұқсат етілген мәндерден тыс: 4,75–4,99 (K-4)")
    expect(hint).to_have_attribute("data-rule", "K-4")
    shoot(page, "evaluator-sheet-kpi-refused-kk")
    page.click("#sign")
    expect(page.locator("#error")).to_contain_text("4,75–4,99 аралығынан тыс (K-4)")  # said in Kazakh (0150)
    expect(page.locator("#error")).to_contain_text("(K-4)")
    expect(page.locator("#score-k1")).to_have_value("5")  # what was typed is kept
    assert versions(live_app, world.kpi) == []
    page.fill("#score-k1", "4,9")  # a decimal comma, as Kazakh and Russian write it
    expect(page.locator("#preview")).to_contain_text("4,63")
    page.click("#sign")
    page.wait_for_url(f"{live_app.url}/sheets/{world.kpi}?signed=1")
    assert evaluation(live_app, world.kpi)["category"] == "effective"
    for code in ("ru", "en"):
        switch_language(page, code)
        shoot(page, f"evaluator-sheet-kpi-{code}")


def test_the_superior_head_returns_a_sheet_and_agrees_with_the_correction(
    page: Any, browser: Any, live_app: LiveApp, world: SheetWorld
) -> None:
    log_in(page, live_app, "erlan", path="/inbox")
    row = page.locator(f"#reviews tr[data-evaluation='{world.count}']")
    expect(row).to_contain_text("K2 Kamila Ospan")
    row.locator("a").click()
    expect(page.locator("#counts input[type=radio]:checked")).to_have_count(5)
    shoot(page, "evaluator-sheet-review-en")
    page.fill("#reason", "No evidence for <m3>")
    page.click("#return")
    page.wait_for_url(f"{live_app.url}/inbox?returned={world.count}")
    assert evaluation(live_app, world.count)["status"] == "returned"

    evaluator = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(evaluator, live_app, "vera", path=f"/sheets/{world.count}")
    expect(evaluator.locator("#review")).to_contain_text("No evidence for <m3>")
    evaluator.check("input[name='achieved.m3'][value=no]")
    for i in (1, 2, 4, 5):
        evaluator.check(f"input[name='achieved.m{i}'][value=yes]")
    evaluator.click("#sign")
    evaluator.wait_for_url(f"{live_app.url}/sheets/{world.count}?signed=2")
    evaluator.context.close()

    page.goto(f"{live_app.url}/sheets/{world.count}")
    page.click("#approve")
    page.wait_for_url(f"{live_app.url}/inbox?approved={world.count}")
    assert evaluation(live_app, world.count)["status"] == "approved"
    expect(page.locator("#reviews")).to_have_count(0)


def test_a_forged_form_and_another_persons_sheet_are_refused(page: Any, live_app: LiveApp, world: SheetWorld) -> None:
    log_in(page, live_app, "xenia", path="/inbox")
    response = page.goto(f"{live_app.url}/sheets/{world.differentiation}")
    assert response.status == 404
    with UnitOfWork(live_app.engine, actor="test") as uow:
        refused = uow.session.execute(
            sa.text("SELECT resource FROM access_refusal WHERE user_id = :id"), {"id": world.xenia}
        ).scalars()
        assert list(refused) == [f"sheet:{world.differentiation}"]  # recorded
    page.context.clear_cookies()
    log_in(page, live_app, "vera", path=f"/sheets/{world.differentiation}")
    page.evaluate("document.querySelector(\"#sheet input[name=csrf_token]\").value = 'forged'")
    for parameter in ("quality", "deadlines", "independence_initiative", "labour_discipline"):
        page.fill(f"#score-{parameter}", "4")
    page.fill("#justification", "ok")
    page.click("#sign")
    expect(page.locator("[role=alert]")).to_contain_text(re.compile("қауіпсіздік|token|таңба", re.I))
    assert versions(live_app, world.differentiation) == []


def test_the_quarterly_and_competency_forms_show_their_rules(page: Any, live_app: LiveApp, world: SheetWorld) -> None:
    log_in(page, live_app, "erlan", path=f"/sheets/{world.form2}")  # the B-1 head up the chain
    switch_language(page, "kk")
    expect(page.locator("#caps")).to_contain_text("Q-3")
    expect(page.locator("#binding-cap")).to_contain_text("сөгіс")  # reprimanded in the quarter
    expect(page.locator("#binding-cap")).to_contain_text("2,99")
    expect(page.locator("#scale")).to_contain_text("Q-1")
    for input_ in page.locator("#parameters input").all():
        input_.fill("5")
    expect(page.locator("#preview")).to_contain_text("2,99")
    shoot(page, "evaluator-sheet-form2-kk")
    page.context.clear_cookies()
    log_in(page, live_app, "vera", path=f"/sheets/{world.competencies}")
    expect(page.locator("#threshold")).to_contain_text("3/4")
    first = page.locator("fieldset[data-competency]").first
    boxes = first.locator("input[type=checkbox]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    expect(page.locator("#preview")).to_be_visible()
    switch_language(page, "en")
    expect(page.locator("#threshold")).to_contain_text("at least 3/4")
    shoot(page, "evaluator-sheet-competencies-en")
