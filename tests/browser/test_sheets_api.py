"""The evaluator's JSON API over real HTTP (issue 10): the inbox, a sheet's form from its rulebook, the live check,
signing (K-4 range and D-2 scale refusals naming the rule and the allowed values, idempotent double submit), the
superior head's approval and return (M-5), and R-2: another person's sheet is 404 and the refusal recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa

from domain.vocabulary import AbsenceKind
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, PASSWORD_HASH, LiveApp, WebOrg
from tests.browser.sheets_support import KPI_RANGES, SheetWorld, build_sheet_world

pytestmark = pytest.mark.postgres

FOURS = {"quality": 4, "deadlines": 5, "independence_initiative": 4, "labour_discipline": 4}


@pytest.fixture
def world(live_app: LiveApp, web_org: WebOrg) -> SheetWorld:
    return build_sheet_world(live_app.engine, web_org, live_app.app.state.env.clock.today())


@pytest.fixture
def client(live_app: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_app.url, timeout=30) as http:
        yield http


def as_user(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sheet_rows(live_app: LiveApp, evaluation_id: int) -> list[tuple[int, bool]]:
    with UnitOfWork(live_app.engine, actor="test") as uow:
        return [(v.version, v.signed_at is not None) for v in uow.sheets.versions(evaluation_id)]


def status_of(live_app: LiveApp, evaluation_id: int) -> str:
    with live_app.engine.connect() as connection:
        return str(
            connection.execute(sa.text("SELECT status FROM evaluation WHERE id = :id"), {"id": evaluation_id}).scalar()
        )


def test_the_inbox_lists_the_sheets_due_with_deadline_and_working_days_left(
    client: httpx.Client, world: SheetWorld
) -> None:
    response = client.get("/api/v1/inbox", headers=as_user(client, "vera"))
    assert response.status_code == 200, response.text
    items = {item["evaluation_id"]: item for item in response.json()["items"]}
    tasks = {key: item["task"] for key, item in items.items()}
    # K2's signed sheet waits for the superior head (M-5); V1 may still correct it
    assert tasks == {
        world.differentiation: "sheet",
        world.kpi: "sheet",
        world.competencies: "sheet",
        world.count: "signed",
    }
    due = items[world.differentiation]
    assert (due["task"], due["employee"], due["period"], due["method"]) == ("sheet", "E1", "2026-Q3", "differentiation")
    assert due["deadline"] == world.deadline.isoformat()
    assert 1 <= due["working_days_left"] <= 6 and due["late"] is False
    assert due["method_name"] == "Саралау әдісі бойынша бағалау"  # vera reads Kazakh
    signed = items[world.count]
    assert signed["working_days_left"] is None and signed["late"] is False  # done: nothing left to count


def test_the_superior_head_sees_the_sheet_to_review(client: httpx.Client, world: SheetWorld) -> None:
    items = client.get("/api/v1/inbox", headers=as_user(client, "erlan")).json()["items"]
    assert [(item["evaluation_id"], item["task"]) for item in items] == [
        (world.count, "review"),
        (world.form2, "sheet"),
    ]
    assert items[0]["working_days_left"] < 0  # its deadline was two days ago: overdue, even over a weekend


def test_the_differentiation_form_comes_from_the_rulebook(client: httpx.Client, world: SheetWorld) -> None:
    form = client.get(f"/api/v1/sheets/{world.differentiation}", headers=as_user(client, "vera")).json()
    assert form["scoring"] == "parameters" and form["role"] == "evaluator" and form["may_sign"] is True
    assert [p["id"] for p in form["parameters"]] == [
        "quality",
        "deadlines",
        "independence_initiative",
        "labour_discipline",
    ]
    assert form["parameters"][0]["name"] == "функционалдық міндеттерді орындау сапасы"
    assert (form["scale_min"], form["scale_max"], form["scale_rule"]) == ("0", "5", "D-2")
    assert form["justification_required"] is True


def test_the_kpi_form_shows_each_kpis_allowed_range(client: httpx.Client, world: SheetWorld) -> None:
    form = client.get(f"/api/v1/sheets/{world.kpi}", headers=as_user(client, "vera")).json()
    ranges = {k["id"]: (k["allowed_min"], k["allowed_max"]) for k in form["kpis"]}
    assert ranges == KPI_RANGES
    assert {k["id"]: k["achievement"] for k in form["kpis"]}["k1"] == "96.5"


def test_a_kpi_score_out_of_range_is_refused_naming_k4_and_the_range_then_accepted(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "vera")
    check = client.post(
        f"/api/v1/sheets/{world.kpi}/check", headers=headers, json={"scores": {"k1": 5, "k2": 5, "k3": 4}}
    ).json()
    assert check["kpis"][0]["hint"]["rule"] == "K-4" and check["kpis"][0]["hint"]["allowed"] == "4.75–4.99"
    assert check["preview"]["complete"] is False
    refused = client.post(
        f"/api/v1/sheets/{world.kpi}/signature", headers=headers, json={"scores": {"k1": 5, "k2": 5, "k3": 4}}
    )
    assert refused.status_code == 422
    answer = refused.json()  # vera reads Kazakh: the range with its decimal comma; key and params stay English
    assert answer["rule"] == "K-4" and "4,75–4,99" in answer["detail"] and answer["language"] == "kk"
    assert answer["key"].startswith("score {score} is outside the allowed range") and answer["params"]["allowed"] == (
        "4.75–4.99"
    )
    assert sheet_rows(live_app, world.kpi) == []  # nothing written
    accepted = client.post(
        f"/api/v1/sheets/{world.kpi}/signature", headers=headers, json={"scores": {"k1": 4.9, "k2": 5, "k3": 4.1}}
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["score"].startswith("4.66") and accepted.json()["category"] == "effective"
    assert status_of(live_app, world.kpi) == "completed"


def test_signing_twice_the_same_content_is_one_version(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "vera")
    body = {"scores": FOURS, "justification": "Жұмысы <b>жақсы</b>"}
    first = client.post(f"/api/v1/sheets/{world.differentiation}/signature", headers=headers, json=body)
    again = client.post(f"/api/v1/sheets/{world.differentiation}/signature", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["version"] == again.json()["version"] == 1 and again.json()["unchanged"] is True
    # the stored score, as every score of the API: an exact decimal string at the stored precision (decision 0070)
    assert (Decimal(first.json()["score"]), first.json()["category"]) == (Decimal("4.25"), "effective")
    changed = client.post(
        f"/api/v1/sheets/{world.differentiation}/signature",
        headers=headers,
        json={**body, "scores": {**FOURS, "quality": 5}},
    )
    assert changed.status_code == 201 and changed.json()["version"] == 2  # a correction before acquaintance
    assert sheet_rows(live_app, world.differentiation) == [(1, True), (2, True)]
    form = client.get(f"/api/v1/sheets/{world.differentiation}", headers=headers).json()
    assert form["justification"] == "Жұмысы <b>жақсы</b>" and form["current"]["version"] == 2


@pytest.mark.parametrize(
    ("scores", "justification", "rule", "allowed"),
    [
        ({**FOURS, "quality": 6}, "ok", "D-2", "0–5"),
        ({**FOURS, "quality": -1}, "ok", "D-2", "0–5"),
        ({**FOURS, "quality": "many"}, "ok", "D-2", "number"),
        ({"quality": 4}, "ok", "D-2", "deadlines"),
        (FOURS, "   ", "D-3", "justification"),
    ],
)
def test_scores_outside_the_scale_or_a_blank_justification_are_refused_naming_the_rule(
    client: httpx.Client,
    live_app: LiveApp,
    world: SheetWorld,
    scores: dict[str, object],
    justification: str,
    rule: str,
    allowed: str,
) -> None:
    response = client.post(
        f"/api/v1/sheets/{world.differentiation}/signature",
        headers=as_user(client, "vera"),
        json={"scores": scores, "justification": justification},
    )
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["rule"] == rule and allowed in answer["key"].format(**answer["params"])  # the English sentence
    assert sheet_rows(live_app, world.differentiation) == []


def test_a_ten_megabyte_justification_is_refused_and_a_long_one_named(client: httpx.Client, world: SheetWorld) -> None:
    headers = as_user(client, "vera")
    path = f"/api/v1/sheets/{world.differentiation}/signature"
    huge = client.post(path, headers=headers, json={"scores": FOURS, "justification": "я" * (10 * 1024 * 1024)})
    assert huge.status_code == 413
    long = client.post(path, headers=headers, json={"scores": FOURS, "justification": "a" * 10_001})
    assert long.status_code == 422 and long.json()["detail"][0]["loc"] == ["body", "justification"]
    nul = client.post(path, headers=headers, json={"scores": FOURS, "justification": "a\x00b"})
    assert nul.status_code == 422


def test_another_persons_sheet_is_404_and_the_refusal_recorded(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "xenia")
    assert client.get(f"/api/v1/sheets/{world.differentiation}", headers=headers).status_code == 404
    signed = client.post(f"/api/v1/sheets/{world.kpi}/signature", headers=headers, json={"scores": {"k1": 4.8}})
    assert signed.status_code == 404
    assert client.post(f"/api/v1/sheets/{world.count}/approval", headers=headers).status_code == 404
    assert client.get("/api/v1/sheets/2147483647", headers=headers).status_code == 404
    assert client.get("/api/v1/inbox", headers=headers).json()["items"] == []
    with UnitOfWork(live_app.engine, actor="test") as uow:
        resources = uow.session.execute(
            sa.text("SELECT resource FROM access_refusal WHERE user_id = :id ORDER BY id"), {"id": world.xenia}
        ).scalars()
        assert list(resources) == [
            f"sheet:{world.differentiation}",
            f"sheet:{world.kpi}",
            f"sheet:{world.count}",
            "sheet:2147483647",
        ]
    assert sheet_rows(live_app, world.kpi) == []


def test_the_evaluatee_cannot_sign_their_own_sheet(client: httpx.Client, world: SheetWorld) -> None:
    response = client.post(
        f"/api/v1/sheets/{world.differentiation}/signature", headers=as_user(client, "aigul"), json={"scores": FOURS}
    )
    assert response.status_code == 404


def test_the_superior_head_returns_then_agrees(client: httpx.Client, live_app: LiveApp, world: SheetWorld) -> None:
    erlan, vera = as_user(client, "erlan"), as_user(client, "vera")
    form = client.get(f"/api/v1/sheets/{world.count}", headers=erlan).json()
    assert form["role"] == "reviewer" and form["may_review"] is True and form["may_sign"] is False
    assert [c["value"] for c in form["counts"]] == [True] * 5
    assert client.post(f"/api/v1/sheets/{world.count}/approval", headers=vera).json()["rule"] == "M-5"
    returned = client.post(f"/api/v1/sheets/{world.count}/return", headers=erlan, json={"reason": "no evidence, m3"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["decision"] == "return" and returned.json()["resubmit_by"]
    assert status_of(live_app, world.count) == "returned"
    again = client.post(f"/api/v1/sheets/{world.count}/approval", headers=erlan)
    assert again.status_code == 422 and again.json()["rule"] == "M-5"
    scores = {f"m{i}": i != 3 for i in range(1, 6)}
    resubmitted = client.post(f"/api/v1/sheets/{world.count}/signature", headers=vera, json={"scores": scores})
    assert resubmitted.status_code == 201 and resubmitted.json()["version"] == 2
    assert resubmitted.json()["completed"] is False and resubmitted.json()["category"] == "effective"
    approved = client.post(f"/api/v1/sheets/{world.count}/approval", headers=erlan)
    assert approved.status_code == 200 and approved.json()["decision"] == "approve"
    assert status_of(live_app, world.count) == "approved"


def test_a_cookie_session_needs_the_csrf_token_to_sign(client: httpx.Client, world: SheetWorld) -> None:
    opened = client.post("/api/v1/session", json={"login": "vera", "password": PASSWORD})
    path = f"/api/v1/sheets/{world.differentiation}/signature"
    body = {"scores": FOURS, "justification": "ok"}
    assert client.post(path, json=body).status_code == 403  # the cookie alone
    signed = client.post(path, json=body, headers={"X-CSRF-Token": opened.json()["csrf_token"]})
    assert signed.status_code == 201, signed.text


def test_a_quarterly_form_shows_the_q3_caps_and_caps_the_result(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "erlan")
    form = client.get(f"/api/v1/sheets/{world.form2}", headers=headers).json()
    assert (form["scale_rule"], form["zero_means_not_performed"], form["cap_rule"]) == ("Q-1", True, "Q-3")
    assert [p["id"] for p in form["parameters"]][-1] == "no_sanctions"
    assert form["caps"] == [
        {"sanctions": ["warning", "reprimand", "severe_reprimand"], "max_score": "2.99"},
        {"sanctions": ["other"], "max_score": "1.99"},
    ]
    assert (form["sanctions_in_period"], form["binding_cap"]) == (["reprimand"], "2.99")
    fives = {p["id"]: 5 for p in form["parameters"]}
    check = client.post(f"/api/v1/sheets/{world.form2}/check", headers=headers, json={"scores": fives}).json()
    assert check["preview"] == {
        "complete": True,
        "score": "2.99",
        "category": "satisfactory",
        "category_name": check["preview"]["category_name"],
        "capped_at": "2.99",
        "problem": None,
    }
    signed = client.post(f"/api/v1/sheets/{world.form2}/signature", headers=headers, json={"scores": fives})
    assert signed.status_code == 201, signed.text
    assert (Decimal(signed.json()["score"]), signed.json()["category"]) == (Decimal("2.99"), "satisfactory")
    assert status_of(live_app, world.form2) == "completed"


def test_a_competencies_sheet_shows_the_indicators_of_the_category_and_the_three_quarters_rule(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "vera")
    form = client.get(f"/api/v1/sheets/{world.competencies}", headers=headers).json()
    assert (form["scoring"], form["threshold"], form["competency_rule"]) == ("competencies", [3, 4], "M-6")
    assert form["competencies"] and all(item["indicators"] for item in form["competencies"])
    observed = {item["id"]: [True] * len(item["indicators"]) for item in form["competencies"]}
    first = form["competencies"][0]
    total = len(first["indicators"])
    observed[first["id"]] = [i >= 2 for i in range(total)]  # two indicators not observed
    check = client.post(f"/api/v1/sheets/{world.competencies}/check", headers=headers, json={"scores": observed})
    meets = {item["id"]: item["meets"] for item in check.json()["competencies"]}
    assert meets[first["id"]] is ((total - 2) * 4 >= 3 * total)  # 3/4 (M-6): 2 of 4 do not meet, 6 of 8 do
    assert all(meets[key] for key in meets if key != first["id"])
    signed = client.post(f"/api/v1/sheets/{world.competencies}/signature", headers=headers, json={"scores": observed})
    assert signed.status_code == 201, signed.text
    assert signed.json()["completed"] is False  # M-6: to the Commission as signed
    assert status_of(live_app, world.competencies) == "approved"


HOSTILE: list[object] = [
    None,
    True,
    "NaN",
    "1e999999",
    "1e-999999999",
    "4\x00",
    "<script>alert(1)</script>",
    [],
    [True] * 50,
    {"nested": {"deeper": [1, 2, 3]}},
    10**40,
    -(10**40),
    1.5e308,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_scores_are_refused_naming_a_rule_never_a_server_error(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld, value: object
) -> None:
    headers = as_user(client, "vera")
    competencies = client.get(f"/api/v1/sheets/{world.competencies}", headers=headers).json()["competencies"]
    observed: dict[str, object] = {item["id"]: [True] * len(item["indicators"]) for item in competencies}
    erlan = as_user(client, "erlan")
    form2 = {p["id"]: 4 for p in client.get(f"/api/v1/sheets/{world.form2}", headers=erlan).json()["parameters"]}
    for evaluation_id, valid, first, who in (
        (world.differentiation, FOURS, "quality", headers),
        (world.kpi, {"k1": 4.9, "k2": 5, "k3": 4.1}, "k1", headers),
        (world.form2, form2, "quality", erlan),
        (world.competencies, observed, competencies[0]["id"], headers),
    ):
        body = {"scores": {**valid, first: value}, "justification": "ok"}  # one hostile value among valid ones
        check = client.post(f"/api/v1/sheets/{evaluation_id}/check", headers=who, json=body)
        assert check.status_code == 200, check.text
        assert check.json()["preview"]["complete"] is False
        signed = client.post(f"/api/v1/sheets/{evaluation_id}/signature", headers=who, json=body)
        assert signed.status_code == 422, signed.text
        assert signed.json()["rule"], signed.text
        assert sheet_rows(live_app, evaluation_id) == []
        extra = client.post(
            f"/api/v1/sheets/{evaluation_id}/signature", headers=who, json={"scores": {**valid, "<b>x": value}}
        )
        assert extra.status_code == 422 and "&lt;" not in extra.json()["detail"]  # JSON carries text, unescaped


def test_the_person_acting_for_an_absent_evaluator_gets_the_form_and_signs(
    client: httpx.Client, live_app: LiveApp, web_org: WebOrg, world: SheetWorld
) -> None:
    today = live_app.app.state.env.clock.today()
    with UnitOfWork(live_app.engine, actor="test") as uow:
        ids = uow.org.person_ids(web_org.body)
        acting = uow.org.add_person(body_id=web_org.body, personnel_number="A1", full_name="Әсел Нұр")
        unit = uow.org.unit_by_code(web_org.body, "U1")
        assert unit is not None
        uow.org.appoint(person_id=acting.id, unit_id=unit.id, category="C-2", started_on=date(2020, 1, 1))
        uow.org.set_head(person_id=acting.id, head_id=ids["V1"], started_on=date(2020, 1, 1))
        uow.org.add_absence(
            person_id=ids["V1"],
            kind=AbsenceKind.ANNUAL_LEAVE,
            started_on=today - timedelta(1),
            ended_on=today + timedelta(30),
        )
        uow.org.add_substitution(
            replaced_id=ids["V1"],
            substitute_id=acting.id,
            started_on=today - timedelta(1),
            ended_on=today + timedelta(30),
        )
        uow.users.add(login="asel", person_id=acting.id, password_hash=PASSWORD_HASH)
        uow.commit()
    headers = as_user(client, "asel")
    form = client.get(f"/api/v1/sheets/{world.differentiation}", headers=headers)
    assert form.status_code == 200 and form.json()["role"] == "evaluator"  # G-7: due to evaluate today
    signed = client.post(
        f"/api/v1/sheets/{world.differentiation}/signature",
        headers=headers,
        json={"scores": FOURS, "justification": "ok"},
    )
    assert signed.status_code == 201, signed.text
    assert client.get(f"/api/v1/sheets/{world.kpi}", headers=as_user(client, "xenia")).status_code == 404


def test_once_the_employee_has_seen_the_result_the_sheet_is_read_only(
    client: httpx.Client, live_app: LiveApp, world: SheetWorld
) -> None:
    headers = as_user(client, "vera")
    path = f"/api/v1/sheets/{world.differentiation}"
    assert client.post(f"{path}/signature", headers=headers, json={"scores": FOURS, "justification": "ok"}).is_success
    with UnitOfWork(live_app.engine, actor="test") as uow:
        today = live_app.app.state.env.clock.today()
        uow.evaluations.update(world.differentiation, status="acquainted", acquainted_on=today, reason="test (C-1)")
        uow.commit()
    form = client.get(path, headers=headers).json()
    assert (form["status"], form["may_sign"], form["current"]["version"]) == ("acquainted", False, 1)
    items = client.get("/api/v1/inbox", headers=headers).json()["items"]
    assert world.differentiation not in [item["evaluation_id"] for item in items]
    again = client.post(f"{path}/signature", headers=headers, json={"scores": {**FOURS, "quality": 5}})
    assert again.status_code == 422 and again.json()["rule"] == "C-2"  # only calibration changes it now
    assert sheet_rows(live_app, world.differentiation) == [(1, True)]
