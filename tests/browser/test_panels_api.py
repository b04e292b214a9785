"""The panels' JSON API over real HTTP (issue 10) on a played scenario: the calibration session composed (C-5 checked
before submitting), voted (C-6, once, idempotent), closed by the session step and refused after; R-2 refusals are
404 and recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from application.cycle.calibration import settle
from domain.vocabulary import Language
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, not_found_for
from tests.browser.panel_support import PanelWorld, Served, add_accounts, calibration_world, serve

pytestmark = pytest.mark.postgres

PEOPLE = {
    "E0": Language.EN,
    "E1": Language.KK,
    "E2": Language.KK,
    "E3": Language.KK,
    "H1": Language.RU,
    "H2": Language.KK,
    "E7": Language.KK,
}


@pytest.fixture
def world(db: sa.Engine) -> PanelWorld:
    built = calibration_world(db)
    add_accounts(db, PEOPLE)
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


def refusals(engine: sa.Engine) -> list[tuple[str, str]]:
    with UnitOfWork(engine, actor="test") as uow:
        rows = uow.session.execute(sa.text("SELECT actor, resource FROM access_refusal ORDER BY id")).all()
    return [(row.actor, row.resource) for row in rows]


def test_a_panel_is_composed_votes_and_reaches_a_calibrated_score(
    client: httpx.Client, world: PanelWorld, served: Served
) -> None:
    official = as_user(client, "e0")
    [case] = client.get("/api/v1/calibration", headers=official).json()
    assert (case["employee"]["number"], case["status"], case["role"]) == ("E3", "applied", "official")
    seen = client.get(f"/api/v1/calibration/{case['id']}", headers=official).json()
    # the appointing official composes the panel, knowing neither the score nor the category
    assert seen["may_compose"] and not seen["result_visible"]
    assert seen["sheet_score"] is None and seen["sheet_category"] is None and seen["votes"] == []
    assert [p["number"] for p in seen["rules"]["excluded"]] == ["E3", "E1"]
    check = f"/api/v1/calibration/{case['id']}/composition/check"
    problems = client.post(check, json={"members": ["E1", "E2"]}, headers=official).json()["problems"]
    assert "2 members; at least 3 are required" in problems
    assert "the evaluator E1 whose score is disputed cannot sit in the session" in problems
    assert client.post(check, json={"members": ["E2", "H1", "H2"]}, headers=official).json() == {"problems": []}
    refused = client.post(
        f"/api/v1/calibration/{case['id']}/composition", json={"members": ["E1", "E2", "H1"]}, headers=official
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "C-5"
    composition = {"members": ["E2", "H1", "H2"]}
    composed = client.post(f"/api/v1/calibration/{case['id']}/composition", json=composition, headers=official)
    assert composed.status_code == 200 and composed.json()["status"] == "composed"
    again = client.post(f"/api/v1/calibration/{case['id']}/composition", json=composition, headers=official)
    assert again.status_code == 200 and again.json() == composed.json()  # a double submit changes nothing

    world.move_to(date(2025, 4, 17))
    votes = f"/api/v1/calibration/{case['id']}/votes"
    e2 = as_user(client, "e2")
    assert client.post(votes, json={"score": "6"}, headers=e2).json()["rule"] == "C-6"  # off the scale
    first = client.post(votes, json={"score": "4.0"}, headers=e2)
    assert first.status_code == 200 and first.json()["my_vote"] == "4.0000"
    assert client.post(votes, json={"score": "4.00"}, headers=e2).json() == first.json()  # idempotent
    changed = client.post(votes, json={"score": "3.5"}, headers=e2)
    assert changed.status_code == 422 and (changed.json()["rule"], changed.json()["detail"]) == (
        "C-6",
        "E2 4 деп дауыс беріп қойған; мүше бір рет қана дауыс береді (C-6)",  # E2 reads Kazakh (decision 0150)
    )
    # the employee and her evaluator follow the case, and see its votes (R-2: parties to the result)
    assert client.get(f"/api/v1/calibration/{case['id']}", headers=as_user(client, "e3")).json()["votes"]
    not_member = client.post(votes, json={"score": "4"}, headers=as_user(client, "e1"))
    assert not_member.status_code == 422 and not_member.json()["rule"] == "C-6"

    world.move_to(date(2025, 4, 18))
    client.post(votes, json={"score": "3.75"}, headers=as_user(client, "h2"))
    last = client.post(votes, json={"score": "4.0"}, headers=as_user(client, "h1")).json()
    assert last["tally"]["decided"] and last["tally"]["score"] == "4.0000" and last["tally"]["votes_for_winner"] == 2
    assert settle(world.env, case["id"], date(2025, 4, 18)) == "closed"  # the session step, as the sweep runs it
    protocol = client.get(f"/api/v1/calibration/{case['id']}", headers=e2).json()
    final = (protocol["final_score"], protocol["final_category"], protocol["status"])
    assert final == ("4.0000", "effective", "closed")
    assert protocol["protocol_signed_on"] == "2025-04-18" and protocol["feedback_meeting_on"] == "2025-04-22"
    # C-8: the evaluator records the feedback meeting held with the employee (once; a member may not)
    world.move_to(date(2025, 4, 22))
    feedback = f"/api/v1/calibration/{case['id']}/feedback"
    assert client.post(feedback, headers=e2).json()["rule"] == "C-8"
    evaluator = as_user(client, "e1")
    held = client.post(feedback, headers=evaluator)
    assert held.status_code == 200 and held.json()["feedback_held_on"] == "2025-04-22"
    assert client.post(feedback, headers=evaluator).json() == held.json()  # a double submit changes nothing
    late = client.post(votes, json={"score": "4"}, headers=as_user(client, "h2"))
    assert late.status_code == 422
    assert (late.json()["rule"], late.json()["detail"]) == (
        "C-6",
        "E3 туралы калибрлеу сессиясы жабық: хаттамаға қол қойылды (2025\u202fж. 18 сәуір) (C-6)",  # h2 reads Kazakh
    )


def test_someone_with_no_part_in_a_case_gets_404_and_the_refusal_is_recorded(
    client: httpx.Client, world: PanelWorld, served: Served
) -> None:
    outsider = as_user(client, "e7")
    assert client.get("/api/v1/calibration", headers=outsider).json() == []
    official = as_user(client, "e0")
    [case] = client.get("/api/v1/calibration", headers=official).json()
    for answer, headers in (
        (client.get(f"/api/v1/calibration/{case['id']}", headers=outsider), outsider),
        (client.post(f"/api/v1/calibration/{case['id']}/votes", json={"score": "4"}, headers=outsider), outsider),
        (client.get("/api/v1/calibration/999999", headers=official), official),
    ):
        assert (answer.status_code, answer.json()) == (404, not_found_for(client, headers))
    assert refusals(served.engine) == [
        ("user:e7 (person:E7)", f"calibration:{case['id']}"),
        ("user:e7 (person:E7)", f"calibration:{case['id']}"),
        ("user:e0 (person:E0)", "calibration:999999"),
    ]
