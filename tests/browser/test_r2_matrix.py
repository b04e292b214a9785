"""R-2 over real HTTP: role × resource × action against the real app on a cycle the real flows played.

Each principal (evaluatee, evaluator, HR head, plain HR staff, calibration participant, appointing official, admin,
unrelated colleague; in the Commission family the Commission's members and secretary) asks for each evaluation:

- ``read``: ``GET /api/v1/evaluations/{id}`` and the page ``/evaluations/{id}`` — RESULT (score, category and the
  justification shown), PROGRESS (status and dates; score, category, justification ``null``/absent) or NONE (404,
  the refusal recorded); the list ``GET /api/v1/evaluations?period=…`` agrees with the detail;
- ``acknowledge`` (C-1), ``disagree`` (C-2): only the evaluatee; anyone else gets 404 and the refusal is recorded
  with the action's rule (nothing changes);
- ``timeline`` (HR's dashboard, G-6): the HR roles of the body only.

The expected matrix is written out in full below, from R-2 (000 §15, §20; 004 M-7): a score and a category are
known only to the evaluatee, the evaluator, the HR head and the calibration participants — and, when the
Commission decides, its members and the appointing official who approves its results; HR staff who are not the
head, the appointing official of a calibrated result and the body's admin see progress. While the Commission's
results wait for approval, the person acting for the away official (G-7), who approves them, reads them too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx
import pytest

from bagalau.simulate.scenario import AbsenceEvent, Substitute
from tests.browser.staff_support import COMMISSION_SCENARIO, StaffWorld, bearer, refusals, staff_world  # noqa: F401
from tests.flows_support import prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

R, P, N = "result", "progress", "none"


def seen_through_the_api(client: httpx.Client, headers: dict[str, str], key: int) -> str:
    response = client.get(f"/api/v1/evaluations/{key}", headers=headers)
    if response.status_code == 404:
        return N
    assert response.status_code == 200, response.text
    body = response.json()
    if body["result_visible"]:
        assert body["score"] is not None or body["category"] is not None
        return R
    assert (body["score"], body["category"], body["justification"], body["application_text"]) == (None,) * 4
    if body["calibration"] is not None:
        assert (body["calibration"]["score"], body["calibration"]["category"]) == (None, None)
    return P


def seen_on_the_page(client: httpx.Client, headers: dict[str, str], key: int) -> str:
    response = client.get(f"/evaluations/{key}", headers=headers)
    if response.status_code == 404:
        return N
    assert response.status_code == 200
    return R if 'id="category"' in response.text else P


Found = dict[tuple[str, str], tuple[str, ...]]


def walk(
    served: StaffWorld,
    client: httpx.Client,
    logins: list[str],
    resources: dict[str, int],
    period: str,
    own: dict[str, str],
) -> Found:
    """(login, resource) → what each action gave; every 404 is checked to have been recorded. The evaluatee's own
    actions are left out (they answer by the rules of C-1/C-2, tested apart)."""
    found: Found = {}
    for login in logins:
        headers = bearer(client, login)
        cookie = httpx.Client(base_url=served.url, timeout=30)
        cookie.post("/api/v1/session", json={"login": login, "password": "correct horse battery staple"})
        listed = client.get("/api/v1/evaluations", params={"period": period}, headers=headers).json()["evaluations"]
        by_id = {item["id"]: item for item in listed}
        for name, key in resources.items():
            before = len(refusals(served.app.engine))
            api = seen_through_the_api(client, headers, key)
            page = seen_on_the_page(cookie, {}, key)
            in_list = N if key not in by_id else (R if by_id[key]["result_visible"] else P)
            if in_list == P:
                assert by_id[key]["score"] is None and by_id[key]["category"] is None
            ack = dis = 0
            if own[name] != login:
                ack = client.post(f"/api/v1/evaluations/{key}/acknowledgement", headers=headers).status_code
                dis = client.post(
                    f"/api/v1/evaluations/{key}/disagreement", json={"text": "no"}, headers=headers
                ).status_code
            timeline = client.get(f"/api/v1/hr/evaluations/{key}/timeline", headers=headers).status_code
            answers = (api, page, in_list, str(ack), str(dis), str(timeline))
            found[(login, name)] = answers
            expected_refusals = sum(
                [api == N, page == N, ack == 404, dis == 404, timeline == 404]
            )  # each 404 recorded, nothing else
            recorded = refusals(served.app.engine)[before:]
            assert len(recorded) == expected_refusals, (login, name, recorded)
            assert all(row[0] == login or row[0].startswith(f"user:{login} ") for row in recorded), recorded
        cookie.close()
    return found


def matrix(found: Found, expected: dict[str, dict[str, str]], own: dict[str, str]) -> None:
    """Compare what was seen with ``expected`` (login → resource → R/P/N); ``own``: resource → its evaluatee."""
    problems = []
    for login, row in expected.items():
        for name, visibility in row.items():
            api, page, in_list, ack, dis, timeline = found[(login, name)]
            if (api, page, in_list) != (visibility,) * 3:
                problems.append(f"{login} reads {name}: api {api}, page {page}, list {in_list}; expected {visibility}")
            if own[name] != login and (ack, dis) != ("404", "404"):
                problems.append(f"{login} acts on {name}'s evaluation: acknowledge {ack}, disagree {dis}")
    assert problems == []


def test_r2_matrix_of_a_calibrated_quarter(staff_world: Callable[..., StaffWorld]) -> None:  # noqa: F811
    """Model 2018, 14 April 2025: E3 disagreed with her 3.75 (C-2); the panel E2, H1, H2 was composed on 11 April
    by the appointing official E0. E7 (evaluated by E2) acknowledged on 7 April; H2 is evaluated by H1."""
    served = staff_world(date(2025, 4, 14))
    resources = {"E3": served.ids["E3"], "E7": served.ids["E7"], "H2": served.ids["H2"]}
    expected = {
        "e3": {"E3": R, "E7": N, "H2": N},  # evaluatee of E3
        "e1": {"E3": R, "E7": N, "H2": N},  # E3's evaluator
        "hh": {"E3": R, "E7": R, "H2": R},  # the HR head
        "hs": {"E3": P, "E7": P, "H2": P},  # HR staff, not the head
        "e2": {"E3": R, "E7": R, "H2": N},  # E3's calibration panel; E7's evaluator
        "h1": {"E3": R, "E7": P, "H2": R},  # HR, on E3's panel, H2's evaluator
        "e0": {"E3": P, "E7": P, "H2": P},  # the appointing official: progress of a calibrated result
        "root": {"E3": P, "E7": P, "H2": P},  # the body's admin
        "e8": {"E3": N, "E7": N, "H2": N},  # an unrelated colleague
    }
    with httpx.Client(base_url=served.url, timeout=30) as client:
        own = {"E3": "e3", "E7": "e7", "H2": "h2"}
        found = walk(served, client, list(expected), resources, "2025-Q1", own)
        matrix(found, expected, own)
        # the timeline is HR's (G-6): the head, the staff and the admin; everyone else 404
        timelines = {login: found[(login, "E7")][5] for login in expected}
        assert timelines == {login: "200" if login in ("hh", "hs", "h1", "root") else "404" for login in expected}
        # the evaluatee's own actions answer by the rules, not by R-2: E3 acknowledged and applied already
        e3 = bearer(client, "e3")
        assert client.post(f"/api/v1/evaluations/{resources['E3']}/acknowledgement", headers=e3).json()["already"]
        again = client.post(f"/api/v1/evaluations/{resources['E3']}/disagreement", json={"text": "no"}, headers=e3)
        assert again.status_code == 422 and again.json()["rule"] == "C-2"


def test_r2_matrix_of_the_commission_family(staff_world: Callable[..., StaffWorld]) -> None:  # noqa: F811
    """004, 28 January 2026: the Commission (chair E0, members V1, V2, E1, H2, secretary H1) decided on 27 January.
    E3's competencies line was signed by her direct head E2; E1 is her superior head (M-5)."""
    served = staff_world(date(2026, 1, 28), COMMISSION_SCENARIO)
    resources = {"E3": served.ids["E3/competencies"], "H1": served.ids["H1/kpi_count"]}
    expected = {
        "e3": {"E3": R, "H1": N},  # the evaluatee
        "e2": {"E3": R, "H1": N},  # E3's evaluator (direct head)
        "v1": {"E3": R, "H1": R},  # a member of the Commission
        "h1": {"E3": R, "H1": R},  # the secretary (and HR); H1's own result
        "h2": {"E3": R, "H1": R},  # a member, H1's evaluator
        "e0": {"E3": R, "H1": R},  # the chair and appointing official
        "hh": {"E3": R, "H1": R},  # the HR head
        "hs": {"E3": P, "H1": P},  # HR staff, not the head
        "e4": {"E3": N, "H1": N},  # a colleague outside the Commission
    }
    with httpx.Client(base_url=served.url, timeout=30) as client:
        own = {"E3": "e3", "H1": "h1"}
        found = walk(served, client, list(expected), resources, "2025", own)
        matrix(found, expected, own)
        # M-8: HR draws up the refusal act with two witnesses; someone who cannot see it is refused (404, recorded)
        key = resources["E3"]
        outsider = client.post(
            f"/api/v1/evaluations/{key}/refusal-act", json={"witnesses": ["E4", "E5"]}, headers=bearer(client, "e4")
        )
        assert outsider.status_code == 404
        assert refusals(served.app.engine)[-1][1:] == (f"evaluation:{key}", "read", "R-2")
        employee = client.post(
            f"/api/v1/evaluations/{key}/refusal-act", json={"witnesses": ["E4", "E5"]}, headers=bearer(client, "e3")
        )
        assert employee.status_code == 422 and employee.json()["rule"] == "M-8"  # not HR
        act = client.post(
            f"/api/v1/evaluations/{key}/refusal-act", json={"witnesses": ["E4", "E5"]}, headers=bearer(client, "h1")
        )
        assert act.status_code == 201, act.text
        assert set(act.json()["evaluation_ids"]) == {served.ids["E3/competencies"], served.ids["E3/kpi_count"]}
        e3 = bearer(client, "e3")
        shown = client.get(f"/api/v1/evaluations/{key}", headers=e3).json()
        assert (shown["refusal_act_on"], shown["acquaintance_method"]) == ("2026-01-28", "refusal_act")
        assert shown["appeal_until"] == "2026-02-10" and shown["may_appeal"]  # M-9: 10 WD from 27 January
        # M-9: the evaluatee appeals the Commission's decision on both lines, within 10 working days (10 February)
        appealed = client.post(f"/api/v1/evaluations/{key}/appeal", json={"text": "I disagree"}, headers=e3)
        assert appealed.status_code == 201, appealed.text
        assert appealed.json()["authority"] == "authorised_body" and appealed.json()["appeal_by"] == "2026-02-10"
        again = client.post(f"/api/v1/evaluations/{key}/appeal", json={"text": "I disagree"}, headers=e3)
        assert again.status_code == 422 and again.json()["rule"] == "M-9"
        colleague = client.post(f"/api/v1/evaluations/{key}/appeal", json={"text": "x"}, headers=bearer(client, "e2"))
        assert colleague.status_code == 404  # the evaluator sees the result but does not appeal it
        assert refusals(served.app.engine)[-1][1:] == (f"evaluation:{key}", "appeal", "M-9")


def test_while_the_commissions_results_wait_the_acting_official_reads_them(
    staff_world: Callable[..., StaffWorld],  # noqa: F811
) -> None:
    """004, 28 January 2026: the Commission decided on the 27th and its results wait for approval (M-7): nothing is
    on the evaluations yet, the decisions are the Commission's lines. E0, the appointing official, is on leave from
    the 28th and E4, outside the Commission, acts for him (G-7): E4 was asked to approve and reads every decision he
    approves; E5, outside everything, reads nothing (404, recorded); HR staff follow the progress only."""
    away = AbsenceEvent.model_validate(
        {"employee": "E0", "kind": "annual_leave", "from": "2026-01-28", "to": "2026-02-06"}
    )
    acting = Substitute.model_validate({"for": "E0", "by": "E4", "from": "2026-01-28", "to": "2026-02-06"})
    extra = [(date(2026, 1, 26), "absence", away), (date(2026, 1, 26), "substitute", acting)]
    served = staff_world(date(2026, 1, 28), COMMISSION_SCENARIO, approve=False, extra=extra)
    key = served.ids["E3/competencies"]
    with httpx.Client(base_url=served.url, timeout=30) as client:

        def commission(login: str) -> httpx.Response:
            return client.get("/api/v1/commission", headers=bearer(client, login))

        seen = {}
        for login in ("e4", "e0", "v1", "hs"):
            view = commission(login)
            assert view.status_code == 200, (login, view.text)
            [meeting] = view.json()["meetings"]
            assert meeting["state"] == "awaiting_approval"
            lines = view.json()["lines"]
            assert lines, login
            seen[login] = {line["result_visible"] and line["decision"] is not None for line in lines}
        assert seen == {"e4": {True}, "e0": {True}, "v1": {True}, "hs": {False}}
        e4 = client.get(f"/api/v1/evaluations/{key}", headers=bearer(client, "e4"))
        assert e4.status_code == 200 and e4.json()["result_visible"]
        before = len(refusals(served.app.engine))
        assert commission("e5").status_code == 404
        assert client.get(f"/api/v1/evaluations/{key}", headers=bearer(client, "e5")).status_code == 404
        assert [row[1] for row in refusals(served.app.engine)[before:]] == ["commission", f"evaluation:{key}"]
