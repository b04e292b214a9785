"""The employee's side over real HTTP (issue 10): ``/api/v1/evaluations`` lists and shows what R-2 lets the
principal see, the evaluatee acknowledges (C-1) and disagrees within the C-2 window, a second submit changes nothing,
a late or second application is a 422 naming the rule, and ``/ack/{id}`` leads through the login to the result.

The Model 2018 quarter is played by the real flows to 6 April 2025; the app acts on 7 April (E3's result, 3.75
proper, was known on 3 April and is not acknowledged yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from tests.browser.conftest import not_found_for
from tests.browser.staff_support import StaffWorld, bearer, refusals, staff_world  # noqa: F401
from tests.flows_support import prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

DAY = date(2025, 4, 7)


@pytest.fixture
def served(staff_world: Callable[[date], StaffWorld]) -> StaffWorld:  # noqa: F811
    return staff_world(DAY)


@pytest.fixture
def client(served: StaffWorld) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        yield http


def test_the_list_has_the_report_fields_and_r2_withholds_scores(client: httpx.Client, served: StaffWorld) -> None:
    mine = client.get("/api/v1/evaluations", params={"period": "2025-Q1"}, headers=bearer(client, "e3"))
    assert mine.status_code == 200, mine.text
    [own] = mine.json()["evaluations"]
    report_fields = {
        "employee", "period", "method", "eligible", "ineligible_reason", "in_absentia", "evaluator", "notice_sent_on",
        "deadline", "submitted_on", "score", "category", "acquainted_on", "calibration",
    }  # fmt: skip
    assert report_fields | {"id", "status"} <= set(own)
    assert (own["id"], own["employee"], own["evaluator"]) == (served.ids["E3"], "E3", "E1")
    assert (own["score"], own["category"], own["method"]) == ("3.7500", "proper", "differentiation")
    staff = client.get("/api/v1/evaluations", params={"period": "2025-Q1"}, headers=bearer(client, "hs")).json()
    by_employee = {item["employee"]: item for item in staff["evaluations"]}
    assert {"E1", "E3", "E7", "E9"} <= set(by_employee)  # HR staff follow the whole body's progress
    assert all(item["score"] is None and item["category"] is None for item in staff["evaluations"])
    head = client.get("/api/v1/evaluations", params={"period": "2025-Q1"}, headers=bearer(client, "hh")).json()
    assert {item["employee"]: item["category"] for item in head["evaluations"]}["E3"] == "proper"
    # keyset pages: three at a time, in id order, the same rows as one page
    hs, pages, after = bearer(client, "hs"), [], None
    while True:
        params: dict[str, str | int] = {"period": "2025-Q1", "limit": 3, **({"after": after} if after else {})}
        listed = client.get("/api/v1/evaluations", params=params, headers=hs).json()
        pages.append([item["id"] for item in listed["evaluations"]])
        after = listed["next_after"]
        if after is None:
            break
    assert [key for page in pages for key in page] == [item["id"] for item in staff["evaluations"]]
    assert all(len(page) == 3 for page in pages[:-1]) and len(pages) > 2
    own = client.get("/api/v1/evaluations", params={"mine": "true"}, headers=bearer(client, "e1")).json()
    assert [item["employee"] for item in own["evaluations"]] == ["E1"]  # mine: the evaluatee's own only
    evaluator = client.get("/api/v1/evaluations", params={"period": "2025"}, headers=bearer(client, "e1")).json()
    assert evaluator["period"] == "2025" and evaluator["evaluations"] == []  # no yearly evaluation in this cycle


@pytest.mark.parametrize("period", ["2025Q1", "Q1-2025", "2025-Q5", "x" * 16])
def test_a_bad_period_is_a_422_naming_the_field_and_the_forms(client: httpx.Client, period: str) -> None:
    response = client.get("/api/v1/evaluations", params={"period": period}, headers=bearer(client, "e3"))
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", "period"]
    assert "2025-Q1" in problem["msg"] or "pattern" in problem["type"] or "string" in problem["type"]


def test_the_detail_gives_the_justification_and_the_c2_window(client: httpx.Client, served: StaffWorld) -> None:
    own = client.get(f"/api/v1/evaluations/{served.ids['E3']}", headers=bearer(client, "e3")).json()
    assert own["justification"] == "Тапсырмалар сапалы, бірақ бастамашылық жеткіліксіз"
    assert own["review"] == "calibration" and own["acquainted_on"] is None
    assert own["disagreement_until_if_acknowledged_today"] == "2025-04-14"  # C-2: 5 working days from 7 April
    assert own["may_acknowledge"] and own["may_disagree"]
    progress = client.get(f"/api/v1/evaluations/{served.ids['E3']}", headers=bearer(client, "hs")).json()
    assert progress["score"] is None and progress["justification"] is None and progress["status"] == "completed"
    assert not progress["may_acknowledge"]


def test_acknowledge_then_disagree_then_the_same_again(client: httpx.Client, served: StaffWorld) -> None:
    """C-1 then C-2: acquainted on 7 April, the window ends on 14 April; both forms sent twice change nothing."""
    e3 = bearer(client, "e3")
    key = served.ids["E3"]
    first = client.post(f"/api/v1/evaluations/{key}/acknowledgement", headers=e3)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "evaluation_id": key, "acquainted_on": "2025-04-07", "disagreement_until": "2025-04-14", "already": False,
    }  # fmt: skip
    again = client.post(f"/api/v1/evaluations/{key}/acknowledgement", headers=e3)
    assert again.status_code == 200 and again.json()["already"] is True
    with served.app.engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM acknowledgement WHERE evaluation_id = :k"), {"k": key})
        assert count.scalar_one() == 1
    text = "<script>alert(1)</script> my part in the projects is missing"
    applied = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": text}, headers=e3)
    assert applied.status_code == 201, applied.text
    case = applied.json()
    assert (case["applied_on"], case["decide_by"], case["already"]) == ("2025-04-07", "2025-04-10", False)
    assert served.launcher.started == [(case["case_id"], DAY)]  # C-3: the session is started once
    twice = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": text}, headers=e3)
    assert twice.status_code == 200 and twice.json()["already"] is True
    other = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": "another reason"}, headers=e3)
    assert other.status_code == 422
    assert (
        other.json()["rule"] == "C-2"
        and other.json()["key"] == "{employee} already applied for calibration on {applied_on}"
    )
    assert served.launcher.started == [(case["case_id"], DAY)]
    shown = client.get(f"/api/v1/evaluations/{key}", headers=e3).json()
    assert shown["status"] == "in_calibration" and shown["application_text"] == text
    assert shown["calibration"]["applied_on"] == "2025-04-07" and not shown["may_disagree"]


def test_someone_elses_evaluation_is_a_recorded_404(client: httpx.Client, served: StaffWorld) -> None:
    e7 = bearer(client, "e7")
    key = served.ids["E3"]
    assert client.get(f"/api/v1/evaluations/{key}", headers=e7).status_code == 404
    assert client.post(f"/api/v1/evaluations/{key}/acknowledgement", headers=e7).status_code == 404
    denied = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": "x"}, headers=e7)
    assert denied.status_code == 404 and denied.json() == not_found_for(client, e7)
    assert client.get("/api/v1/evaluations/999999", headers=e7).status_code == 404  # the same for what is not there
    assert refusals(served.app.engine) == [
        ("user:e7 (person:E7)", f"evaluation:{key}", "read", "R-2"),
        ("user:e7 (person:E7)", f"evaluation:{key}", "acknowledge", "C-1"),
        ("user:e7 (person:E7)", f"evaluation:{key}", "disagree", "C-2"),
        ("user:e7 (person:E7)", "evaluation:999999", "read", "R-2"),
    ]
    with served.app.engine.connect() as connection:
        status = connection.execute(sa.text("SELECT status FROM evaluation WHERE id = :k"), {"k": key}).scalar_one()
    assert status == "completed"  # nothing changed


def test_bad_bodies_are_refused_before_anything_changes(client: httpx.Client, served: StaffWorld) -> None:
    e3 = bearer(client, "e3")
    key = served.ids["E3"]
    for body in ({"text": ""}, {"text": "a\x00b"}, {"text": "x" * 10_001}, {}):
        response = client.post(f"/api/v1/evaluations/{key}/disagreement", json=body, headers=e3)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][:2] == ["body", "text"]
    huge = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": "x" * 10_000_000}, headers=e3)
    assert huge.status_code == 413
    assert client.get("/api/v1/evaluations/99999999999", headers=e3).status_code == 422
    shown = client.get(f"/api/v1/evaluations/{key}", headers=e3).json()
    assert shown["calibration"] is None and shown["acquainted_on"] is None


def test_without_a_session_every_evaluation_path_is_401(client: httpx.Client, served: StaffWorld) -> None:
    for method, path in (
        ("GET", "/api/v1/evaluations"),
        ("POST", f"/api/v1/evaluations/{served.ids['E3']}/acknowledgement"),
    ):
        assert client.request(method, path).status_code == 401


def test_the_ack_link_leads_through_the_login_to_the_result(client: httpx.Client, served: StaffWorld) -> None:
    key = served.ids["E3"]
    first = client.get(f"/ack/{key}")
    assert first.status_code == 303 and first.headers["location"] == f"/login?next=/ack/{key}"
    client.post("/api/v1/session", json={"login": "e3", "password": "correct horse battery staple"})
    landed = client.get(f"/ack/{key}")
    assert landed.status_code == 303 and landed.headers["location"] == f"/evaluations/{key}"


def test_the_result_notice_links_to_the_ack_page(served: StaffWorld) -> None:
    """The link of E3's result notice (queued on 3 April by the real action) is ``<base>/ack/<id>``."""
    key = served.ids["E3"]
    with served.app.engine.connect() as connection:
        payload = connection.execute(
            sa.text("SELECT payload FROM outbox_message WHERE evaluation_id = :k AND kind = 'result_ready'"), {"k": key}
        ).scalar_one()
    assert payload["ack_link"].endswith(f"/ack/{key}")


def test_a_form_without_its_csrf_token_changes_nothing(served: StaffWorld) -> None:
    """Every page form carries the session's CSRF token: without it, or with a forged one, 403 and nothing done."""
    key = served.ids["E3"]
    with httpx.Client(base_url=served.url, timeout=30) as browser:
        opened = browser.post("/api/v1/session", json={"login": "e3", "password": "correct horse battery staple"})
        token = opened.json()["csrf_token"]
        for data in ({}, {"csrf_token": "forged"}):
            refused = browser.post(f"/evaluations/{key}/acknowledge", data=data)
            assert refused.status_code == 403
        page = browser.get(f"/evaluations/{key}")
        assert page.text.count('name="csrf_token"') >= 3  # sign out, language, acknowledge, disagree
        assert "acknowledge" in page.text and 'id="acquainted">—' in page.text
        done = browser.post(f"/evaluations/{key}/acknowledge", data={"csrf_token": token})
        assert done.status_code == 303 and done.headers["location"] == f"/evaluations/{key}?done=acknowledged"
        empty = browser.post(f"/evaluations/{key}/disagree", data={"csrf_token": token, "text": " "})
        assert empty.status_code == 422 and "C-2" in empty.text
        hostile = "<script>alert(1)</script>"
        applied = browser.post(f"/evaluations/{key}/disagree", data={"csrf_token": token, "text": hostile})
        assert applied.status_code == 303
        shown = browser.get(f"/evaluations/{key}").text
        assert hostile not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


def test_a_disagreement_after_the_c2_window_is_a_422_naming_the_rule(
    staff_world: Callable[[date], StaffWorld],  # noqa: F811
) -> None:
    """E9 acknowledged on 10 April: the window closed on 17 April; on 22 April the API refuses with C-2 (the
    scenario's rejection [27]) and nothing changes; the detail no longer offers the form."""
    served = staff_world(date(2025, 4, 22))
    key = served.ids["E9"]
    with httpx.Client(base_url=served.url, timeout=30) as client:
        e9 = bearer(client, "e9")
        shown = client.get(f"/api/v1/evaluations/{key}", headers=e9).json()
        assert shown["disagreement_until"] == "2025-04-17" and not shown["may_disagree"]
        late = client.post(f"/api/v1/evaluations/{key}/disagreement", json={"text": "Бағамен келіспеймін"}, headers=e9)
        assert late.status_code == 422
        assert late.json() == {  # E9 reads Kazakh: the refusal in Kazakh, its key and values for any client (0150)
            "rule": "C-2",
            "detail": "келіспеушілік білдіру мерзімі 2025\u202fж. 17 сәуір аяқталды (C-2)",
            "key": "the disagreement window closed on {apply_by}",
            "params": {"apply_by": "2025-04-17"},
            "language": "kk",
        }
        assert client.get(f"/api/v1/evaluations/{key}", headers=e9).json()["calibration"] is None
    assert served.launcher.started == []
