"""Server-side sheet drafts (decision 0141) in headless Chromium and over the API: the evaluator saves a half-filled
sheet, logs out, logs in again and finds it restored, then signs it — the draft is gone, one version signed. A draft
never counts as signed, an impossible score is refused naming its rule, and nobody but the evaluator sees it (R-2):
not the evaluatee, not HR, not the superior head. See ``tests/browser/sheets_support.py`` for the world."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, shoot
from tests.browser.sheets_support import SheetWorld, build_sheet_world
from tests.browser.test_sheet_pages import evaluation, log_in, versions

pytestmark = [pytest.mark.postgres]

NOTE = "Жоба: екі параметр әлі бағаланбаған"


@pytest.fixture
def world(live_app: LiveApp, web_org: WebOrg) -> SheetWorld:
    return build_sheet_world(live_app.engine, web_org, live_app.app.state.env.clock.today())


@pytest.fixture
def client(live_app: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_app.url, timeout=30) as http:
        yield http


def bearer(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def drafts(live_app: LiveApp, evaluation_id: int) -> list[dict[str, Any]]:
    with live_app.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT scores, justification FROM sheet_draft WHERE evaluation_id = :id"), {"id": evaluation_id}
        )
        return [dict(row) for row in rows.mappings()]


@pytest.mark.slow
def test_a_draft_survives_logout_and_is_signed_later(page: Any, live_app: LiveApp, world: SheetWorld) -> None:
    sheet = world.differentiation
    log_in(page, live_app, "vera", path=f"/sheets/{sheet}")
    page.fill("#score-quality", "7")
    page.fill("#score-deadlines", "5")
    page.click("#save-draft")  # out of the D-2 scale: refused, nothing kept
    expect(page.locator("#error")).to_contain_text("(D-2)")
    expect(page.locator("#error")).to_contain_text("шкаласынан тыс")  # vera reads her refusal in Kazakh (0150)
    expect(page.locator("#error")).to_have_attribute("data-rule", "D-2")
    expect(page.locator("#score-quality")).to_have_value("7")  # what was typed is shown again
    assert drafts(live_app, sheet) == []
    page.fill("#score-quality", "4")
    page.fill("#justification", NOTE)
    page.click("#save-draft")  # incomplete (two parameters empty): a draft may be
    page.wait_for_url(f"{live_app.url}/sheets/{sheet}?draft=saved")
    expect(page.locator("#drafted")).to_be_visible()
    shoot(page, "evaluator-sheet-draft-kk")
    assert drafts(live_app, sheet) == [{"scores": {"quality": "4", "deadlines": "5"}, "justification": NOTE}]
    assert versions(live_app, sheet) == [] and evaluation(live_app, sheet)["status"] == "open"  # never signed

    page.click("header form[action='/logout'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/login.*"))
    log_in(page, live_app, "vera", path=f"/sheets/{sheet}")
    expect(page.locator("#draft")).to_be_visible()  # "your draft of … is shown, not signed yet"
    expect(page.locator("#score-quality")).to_have_value("4")
    expect(page.locator("#score-deadlines")).to_have_value("5")
    expect(page.locator("#score-independence_initiative")).to_have_value("")
    expect(page.locator("#justification")).to_have_value(NOTE)
    page.fill("#score-independence_initiative", "4")
    page.fill("#score-labour_discipline", "4")
    expect(page.locator("#preview")).to_contain_text("4,25")
    page.click("#sign")
    page.wait_for_url(f"{live_app.url}/sheets/{sheet}?signed=1")
    assert versions(live_app, sheet) == [1] and evaluation(live_app, sheet)["status"] == "completed"
    assert drafts(live_app, sheet) == []  # signed: the draft is discarded
    expect(page.locator("#draft")).to_have_count(0)


def test_only_the_evaluator_sees_the_draft_and_impossible_values_are_refused(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    sheet, path = world.kpi, f"/api/v1/sheets/{world.kpi}/draft"
    vera = bearer(client, "vera")
    assert client.get(path, headers=vera).status_code == 404  # none yet
    wrong = client.put(path, json={"scores": {"k1": "5"}}, headers=vera)  # K-4: 4.75–4.99 for k1
    assert wrong.status_code == 422 and wrong.json()["rule"] == "K-4" and "4,75–4,99" in wrong.json()["detail"]
    assert wrong.json()["key"].startswith("score {score} is outside the allowed range {allowed} for {achievement}%")
    assert wrong.json()["params"]["allowed"] == "4.75–4.99"  # the values as they are; the detail in vera's Kazakh
    unknown = client.put(path, json={"scores": {"k9": "4"}}, headers=vera)
    assert unknown.status_code == 422 and unknown.json()["language"] == "kk"
    assert unknown.json()["detail"] == "scores.k9: бұл парақта мұндай өріс жоқ; рұқсат етілгені: k1, k2, k3 (K-4)"
    saved = client.put(path, json={"scores": {"k1": "4,8"}, "justification": "half"}, headers=vera)
    assert saved.status_code == 200 and saved.json()["fields"] == 1, saved.text
    again = client.put(path, json={"scores": {"k1": "4.9", "k3": "4"}}, headers=vera)  # saving again replaces it
    assert again.status_code == 200 and again.json()["fields"] == 2
    shown = client.get(path, headers=vera).json()
    assert (shown["scores"], shown["justification"]) == ({"k1": "4.9", "k3": "4"}, None)
    form = client.get(f"/api/v1/sheets/{sheet}", headers=vera).json()
    assert form["draft"] is not None and form["current"] is None  # restored into the form, never signed
    assert [kpi["value"] for kpi in form["kpis"]] == ["4.9", "", "4"]
    # the evaluatee, HR and a reviewer of another sheet get nothing, as if it did not exist
    own = f"/api/v1/sheets/{world.differentiation}/draft"
    assert client.put(own, json={"scores": {"quality": "3"}, "justification": "SECRET DRAFT"}, headers=vera).is_success
    aigul = bearer(client, "aigul")  # E1, whose differentiation sheet it is
    assert client.get(own, headers=aigul).status_code == 404
    assert "SECRET DRAFT" not in client.get(f"/api/v1/evaluations/{world.differentiation}", headers=aigul).text
    for login in ("aigul", "dana", "erlan", "xenia"):
        headers = bearer(client, login)
        assert client.get(path, headers=headers).status_code == 404, login
        assert client.put(path, json={"scores": {"k1": "4.8"}}, headers=headers).status_code == 404, login
    # the superior head reviews K2's count sheet but has no draft of it: 404 there too
    erlan = bearer(client, "erlan")
    assert client.get(f"/api/v1/sheets/{world.count}", headers=erlan).status_code == 200
    assert client.get(f"/api/v1/sheets/{world.count}/draft", headers=erlan).status_code == 404
    # signed: the draft is discarded
    signed = client.post(
        f"/api/v1/sheets/{sheet}/signature", json={"scores": {"k1": "4.9", "k2": "5", "k3": "4"}}, headers=vera
    )
    assert signed.status_code == 201, signed.text
    assert client.get(path, headers=vera).status_code == 404
    assert drafts(live_app, sheet) == [] and len(drafts(live_app, world.differentiation)) == 1  # only the signed one
