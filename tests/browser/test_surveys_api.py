"""The 360 survey's JSON API over real HTTP (issue 10): a respondent answers once (T-4), the answers are checked
against the form (T-2, T-3) with nothing stored when refused, nobody reads a questionnaire they were not asked to
answer (404, recorded), and no answer anywhere says who answered what (T-8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from domain.vocabulary import Language
from tests.browser.conftest import PASSWORD
from tests.browser.panel_support import PanelWorld, Served, add_accounts, serve, survey_world
from tests.browser.test_panels_api import refusals

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(db: sa.Engine) -> PanelWorld:
    built = survey_world(db)
    add_accounts(db, {"E0": Language.EN, "E1": Language.KK, "E2": Language.RU})
    return built


@pytest.fixture
def client(world: PanelWorld) -> Iterator[tuple[httpx.Client, Served]]:
    with serve(world) as served, httpx.Client(base_url=served.url, timeout=30) as http:
        yield http, served


def as_user(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def answered(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM survey_respondent WHERE answered")).scalar_one())


def test_a_respondent_answers_once_checked_against_the_form(
    client: tuple[httpx.Client, Served], world: PanelWorld
) -> None:
    http, served = client
    e0 = as_user(http, "e0")
    [asked] = http.get("/api/v1/surveys", headers=e0).json()
    assert (asked["evaluatee"], asked["self_assessment"], asked["answered"], asked["open"]) == (
        "E1",
        False,
        False,
        True,
    )
    form = http.get(f"/api/v1/surveys/{asked['survey_id']}", headers=e0).json()
    assert [choice["id"] for choice in form["choices"]] == ["never", "rarely", "half", "mostly", "always"]
    assert len(form["competencies"]) == 12 and form["competencies"][0]["questions"]  # form 5, in English
    answers = {block["id"]: ["mostly"] * len(block["questions"]) for block in form["competencies"]}
    url = f"/api/v1/surveys/{asked['survey_id']}/answers"

    wrong = http.post(url, json={"answers": {**answers, "ethics": ["sometimes", "mostly", "mostly"]}}, headers=e0)
    assert wrong.status_code == 422 and wrong.json()["rule"] == "T-3" and "sometimes" in wrong.json()["detail"]
    short = {key: value for key, value in answers.items() if key != "ethics"}
    assert http.post(url, json={"answers": short}, headers=e0).status_code == 422
    assert answered(served.engine) == 0, "a refused answer stores nothing"

    sent = http.post(url, json={"answers": answers}, headers=e0)
    assert (sent.status_code, sent.json()) == (
        201,
        {"survey_id": asked["survey_id"], "answered": True, "self_assessment": False},
    )
    twice = http.post(url, json={"answers": answers}, headers=e0)
    assert twice.status_code == 422
    assert twice.json()["detail"] == "E0 has already answered the 360 survey of E1; once only (T-4)"
    assert (twice.json()["rule"], twice.json()["language"]) == ("T-4", "en")
    assert answered(served.engine) == 1

    # E2 was not asked about E2's head's peers; reading or answering a survey not theirs is 404, recorded
    e2 = as_user(http, "e2")
    mine = {item["survey_id"] for item in http.get("/api/v1/surveys", headers=e2).json()}
    other = next(number for number in range(1, 10) if number not in mine)
    assert http.get(f"/api/v1/surveys/{other}", headers=e2).status_code == 404
    assert http.post(f"/api/v1/surveys/{other}/answers", json={"answers": answers}, headers=e2).status_code == 404
    assert refusals(served.engine) == [("user:e2 (person:E2)", f"survey:{other}")] * 2

    # the evaluatee sees nothing of who answered while the survey runs: no report before it closes (T-6, T-8)
    e1 = as_user(http, "e1")
    assert http.get("/api/v1/surveys/reports", headers=e1).json() == []
    world.move_to(date(2026, 1, 13))
    late = http.post(url, json={"answers": answers}, headers=as_user(http, "e2"))  # E2 is asked about E1 too
    assert (late.status_code, late.json()["rule"]) == (422, "P-1")
    assert late.json()["detail"] == "опрос 360 по E1 за 2025 год закрыт 12 января 2026\u202fг. (P-1)"  # in Russian
    assert late.json()["key"].format(**late.json()["params"]) == "the 360 survey of E1 for 2025 closed on 2026-01-12"
