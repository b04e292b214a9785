"""The Evaluation Commission over real HTTP (issue 10) on the 004 scenario: HR sets the meeting with the M-7 notice
shown and enforced, records who is present, members vote openly (the secretary does not; a vote sent twice counts
once), the chair's vote decides a tie, and HR draws up the refusal act (M-8); outsiders get 404, recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from application.cycle.commission import commission_cycle
from domain.vocabulary import Language
from tests.browser.conftest import PASSWORD, not_found_for
from tests.browser.panel_support import PanelWorld, Served, add_accounts, commission_world, serve
from tests.browser.test_panels_api import refusals

pytestmark = pytest.mark.postgres

PEOPLE = ["E0", "V1", "V2", "E1", "E2", "E3", "H1", "H2"]


@pytest.fixture
def world(db: sa.Engine) -> PanelWorld:
    built = commission_world(db)
    add_accounts(db, {**dict.fromkeys(PEOPLE, Language.EN), "H2": Language.RU})  # H2, a member, reads Russian
    return built


@pytest.fixture
def served(world: PanelWorld) -> Iterator[Served]:
    with serve(world) as app:
        yield app


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        yield http


def as_user(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def line(view: dict, employee: str, method: str) -> dict:  # type: ignore[type-arg]
    return next(x for x in view["lines"] if x["employee"]["number"] == employee and x["method"] == method)


def test_hr_schedules_members_vote_the_chair_breaks_the_tie_and_hr_draws_up_the_act(
    client: httpx.Client, world: PanelWorld, served: Served
) -> None:
    hr = as_user(client, "h1")
    view = client.get("/api/v1/commission", headers=hr).json()
    assert (view["year"], view["notice_days"], view["notice_rule"], view["is_hr"]) == (2025, 7, "M-7", True)
    assert view["earliest_meeting"] == "2026-01-23"  # told by today, 7 working days before it (M-7)
    assert view["secretary"]["number"] == "H1" and view["chair"]["number"] == "E0"
    # H1 is the Commission's secretary: R-2 lets the Commission see the results it decides
    assert line(view, "E2", "kpi_count")["result_visible"]
    too_soon = client.post("/api/v1/commission/meetings", json={"meeting_date": "2026-01-20"}, headers=hr)
    assert too_soon.status_code == 422 and too_soon.json()["rule"] == "M-7"
    assert "at least 7 working days ahead" in too_soon.json()["detail"]
    set_ = client.post("/api/v1/commission/meetings", json={"meeting_date": "2026-01-27"}, headers=hr)
    assert set_.status_code == 201 and set_.json()["notify_by"] == "2026-01-16"
    e3 = as_user(client, "e3")
    outsider = client.get("/api/v1/commission", headers=e3)
    assert (outsider.status_code, outsider.json()) == (404, not_found_for(client, e3))
    assert refusals(served.engine) == [("user:e3 (person:E3)", "commission")]

    world.move_to(date(2026, 1, 27))
    present = client.post("/api/v1/commission/attendance", json={"present": ["E0", "V1", "V2", "E1", "H2"]}, headers=hr)
    assert present.status_code == 200 and present.json()["present"] == ["E0", "V1", "V2", "E1", "H2"]
    stranger = client.post("/api/v1/commission/attendance", json={"present": ["E3"]}, headers=hr)
    assert stranger.status_code == 422 and stranger.json()["rule"] == "M-7"
    world.play(date(2026, 1, 27), date(2026, 1, 27))  # the scenario's votes on E1, E2, E3 and H1
    chair = as_user(client, "e0")
    view = client.get("/api/v1/commission", headers=chair).json()
    h1 = line(view, "H1", "kpi_count")
    assert [(v["member"]["number"], v["decision"], v["casting"]) for v in h1["votes"]] == [
        ("E0", "approve", True),
        ("E1", "approve", False),
        ("V1", "revise", False),
        ("V2", "revise", False),
    ]
    again = client.post(
        f"/api/v1/commission/evaluations/{h1['evaluation_id']}/votes", json={"decision": "approve"}, headers=chair
    )
    assert again.status_code == 200  # the chair's vote sent twice: recorded once
    secretary = client.post(
        f"/api/v1/commission/evaluations/{h1['evaluation_id']}/votes", json={"decision": "approve"}, headers=hr
    )
    assert (secretary.json()["rule"], secretary.json()["detail"]) == ("M-7", "the secretary H1 does not vote (M-7)")

    commission_cycle(world.env, world.body, 2025, date(2026, 1, 28))  # the day is over: the Commission decides
    world.move_to(date(2026, 1, 28))
    view = client.get("/api/v1/commission", headers=chair).json()
    [meeting] = view["meetings"]
    # M-7: decided and signed, not in effect until the appointing official (E0) approves; he sees what he approves
    assert (meeting["state"], meeting["approved_on"], meeting["may_approve"]) == ("awaiting_approval", None, True)
    protocol = {(item["employee"]["number"], item["method"]): item for item in meeting["protocol"]}
    h1_line = protocol["H1", "kpi_count"]
    assert (h1_line["decision"], h1_line["category"]) == ("approve", "effective")
    assert protocol["E2", "kpi_count"]["category"] == "effective" and protocol["E2", "kpi_count"]["recorded"]
    assert line(view, "H1", "kpi_count")["status"] == "approved"  # before the Commission still
    board = client.get("/api/v1/hr/board", params={"period": "2025"}, headers=hr).json()
    assert dict(board["counts"])["awaiting_approval"] == len(meeting["protocol"])  # HR sees what waits for E0
    waiting = client.get(
        "/api/v1/hr/board/people", params={"period": "2025", "status": "awaiting_approval"}, headers=hr
    ).json()
    assert {row["status"] for row in waiting["rows"]} == {"awaiting_approval"}
    assert len(waiting["rows"]) == len(meeting["protocol"])
    approval = f"/api/v1/commission/meetings/{meeting['id']}/approval"
    not_official = client.post(approval, headers=hr)  # the secretary sees the Commission, but does not approve
    assert not_official.status_code == 422 and not_official.json()["rule"] == "M-7"
    assert "not the appointing official" in not_official.json()["detail"]
    member = client.post(approval, headers=as_user(client, "h2"))  # a member, not the official: in her Russian (0150)
    assert (member.status_code, member.json()["rule"], member.json()["language"]) == (422, "M-7", "ru")
    assert member.json()["detail"] == (
        "H2 не является должностным лицом органа, имеющим право назначения (E0), которое утверждает результаты "
        "Комиссии (M-7)"
    )
    assert member.json()["params"] == {"person": "H2", "official": "E0"}
    outsider_approves = client.post(approval, headers=as_user(client, "e3"))
    assert outsider_approves.status_code == 404
    elsewhere = client.post("/api/v1/commission/meetings/999999/approval", headers=chair)
    assert elsewhere.status_code == 404
    approved = client.post(approval, headers=chair)
    assert approved.status_code == 200, approved.text
    assert approved.json()["already"] is False and approved.json()["approved_on"] == "2026-01-28"
    twice = client.post(approval, headers=chair)  # a double submit: the first approval, nothing more
    assert twice.status_code == 200 and twice.json()["already"] is True
    assert sorted(twice.json()["evaluation_ids"]) == sorted(approved.json()["evaluation_ids"])
    view = client.get("/api/v1/commission", headers=chair).json()
    decided = line(view, "H1", "kpi_count")
    assert (decided["decision"], decided["category"]) == ("approve", "effective")  # 2–2, the chair's approve
    assert line(view, "E2", "kpi_count")["decided_category"] == "effective"  # revised 3 votes to 2
    [meeting] = view["meetings"]
    assert meeting["approved_by"]["number"] == "E0" and meeting["approved_on"] == "2026-01-28"
    assert meeting["state"] == "approved" and not meeting["may_approve"]
    e3 = line(client.get("/api/v1/commission", headers=hr).json(), "E3", "competencies")
    bad = client.post(
        f"/api/v1/commission/evaluations/{e3['evaluation_id']}/refusal-act", json={"witnesses": ["E3"]}, headers=hr
    )
    assert bad.status_code == 422 and bad.json()["rule"] == "M-8"
    act = client.post(
        f"/api/v1/commission/evaluations/{e3['evaluation_id']}/refusal-act",
        json={"witnesses": ["E4", "E5"]},
        headers=hr,
    )
    assert act.status_code == 200 and act.json()["evaluation_ids"] == [e3["evaluation_id"]], act.text
