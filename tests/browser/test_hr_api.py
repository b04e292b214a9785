"""HR's dashboard over real HTTP (issue 14): the board, the timeline, "send again", the audit view and the stalled
runs, on PostgreSQL as the application role — with the R-2 split: the HR head sees scores, HR staff see progress
only, an employee or another body gets 404 and the refusal is recorded."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from deployments.runs import PrefectRuns
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, free_port
from tests.browser.hr_support import HrWorld, build_hr_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(live_app: LiveApp, web_org: WebOrg) -> HrWorld:
    # Prefect "configured" on a port nobody listens on: the runs page must say Prefect is down
    live_app.app.state.runs = PrefectRuns(f"http://127.0.0.1:{free_port()}/api")
    return build_hr_world(live_app.engine, web_org, live_app.clock.today())


@pytest.fixture
def client(live_app: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_app.url, timeout=30) as http:
        yield http


def as_user(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def refusals(live_app: LiveApp) -> list[tuple[str, str]]:
    with UnitOfWork(live_app.engine, actor="test") as uow:
        rows = uow.session.execute(sa.text("SELECT actor, resource FROM access_refusal ORDER BY id")).all()
    return [(row.actor, row.resource) for row in rows]


def test_board_counts_by_status_due_overdue_cases_and_dead_letters(client: httpx.Client, world: HrWorld) -> None:
    board = client.get("/api/v1/hr/board", headers=as_user(client, "saule")).json()
    counts = dict(board["counts"])
    assert board["period"]["label"] == "2025-Q1"
    # 5 people in the body, 3 considered (E1, E0, P1): S1 and H1 have no evaluation yet
    assert (counts["open"], counts["in_calibration"], counts["ineligible"], counts["not_yet_open"]) == (1, 1, 1, 2)
    assert board["ineligible"] == [["probation", 1]]  # E-5 with its reason
    sheet = next(step for step in board["due"] if step["step"] == "sheet")
    assert sheet["overdue"] == 1
    notice = next(step for step in board["due"] if step["step"] == "notice")
    assert notice["today"] == 1  # P-4: E1's notice is due today and not sent
    assert board["overdue"] == [{"step": "sheet", "level": 2, "count": 1}]
    assert [case["employee"] for case in board["cases"]] == ["E0"]  # C-2 … C-4 windows listed
    assert board["cases"][0]["decide_by"] is not None
    assert [(d["id"], d["kind"], d["to"]) for d in board["dead_letters"]] == [
        (world.dead_letter, "evaluation_notice", "E1")
    ]
    assert board["notices_undelivered"] == [["dead", 1]]
    assert "score" not in str(board)  # the board is progress: no score anywhere


def test_hr_staff_see_progress_never_scores_the_hr_head_sees_them(client: httpx.Client, world: HrWorld) -> None:
    """R-2: HR staff who are not the HR head see the status list without scores; the HR head sees the scores."""
    staff = client.get("/api/v1/hr/board/people", headers=as_user(client, "saule")).json()
    e0_staff = next(row for row in staff["rows"] if row["employee"] == "E0")
    assert (e0_staff["status"], e0_staff["score"], e0_staff["category"]) == ("in_calibration", None, None)
    assert e0_staff["result_visible"] is False
    head = client.get("/api/v1/hr/board/people", headers=as_user(client, "dana")).json()
    e0_head = next(row for row in head["rows"] if row["employee"] == "E0")
    assert (e0_head["score"], e0_head["category"]) == ("4.2500", "effective")
    timeline = client.get(f"/api/v1/hr/evaluations/{world.e0_evaluation}/timeline", headers=as_user(client, "saule"))
    assert timeline.status_code == 200
    assert timeline.json()["score"] is None and "quality" not in timeline.text  # sheet scores hidden too
    head_timeline = client.get(
        f"/api/v1/hr/evaluations/{world.e0_evaluation}/timeline", headers=as_user(client, "dana")
    ).json()
    assert head_timeline["category"] == "effective" and "quality=4" in str(head_timeline["events"])


def visible_text(page: str) -> str:
    """What a reader sees of a page: no tags, no attributes, no script or style."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


#: The board's words of the cycle as a reader sees them (the vocabulary of web.routes.evaluations): P1's reason
#: (E-5), E0's calibration case (C-2), the method, E0's category (the HR head sees it, R-2), the dead notice (P-4).
BOARD_WORDS = {
    "kk": ["сынақ мерзімінде (E-5)", "Өтініш қабылданды", "Сараланған бағалау", "тиімді", "жеткізілмеді (барлық"],
    "ru": [
        "в период испытательного срока (E-5)",
        "Заявление получено",
        "Дифференцированная оценка",
        "эффективно",
        "не доставлено (все попытки",
    ],
    "en": ["on probation (E-5)", "Application received", "Differentiated evaluation", "effective", "not delivered"],
}
BOARD_CODES = ["probation", "applied", "differentiation", "effective", "evaluation_notice", "dead"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_board_page_says_the_words_of_the_cycle_in_the_readers_language(
    client: httpx.Client, world: HrWorld, language: str
) -> None:
    """The board shows reasons, case statuses, methods, categories, notice states and message kinds in the page's
    language; the raw codes stay only in the data attributes and links (and in the JSON twin, checked above)."""
    auth = as_user(client, "dana")  # the HR head: sees E0's category (R-2)
    assert client.patch("/api/v1/me", json={"language": language}, headers=auth).status_code == 200
    page = client.get("/hr/board", headers=auth)
    assert page.status_code == 200 and page.headers["content-language"] == language
    text = visible_text(page.text)
    for word in BOARD_WORDS[language]:
        assert word in text, f"{word!r} not on the {language} board"
    if language != "en":
        shown = [code for code in BOARD_CODES if re.search(rf"\b{code}\b", text)]
        assert shown == [], f"raw codes on the {language} board: {shown}"
    # the codes stay where links and scripts read them
    assert 'data-reason="probation"' in page.text and 'data-status="applied"' in page.text
    assert 'data-method="differentiation"' in page.text and 'data-category="effective"' in page.text
    assert 'data-kind="evaluation_notice"' in page.text and 'data-status="dead"' in page.text
    assert "status=ineligible" in page.text


def test_people_list_is_keyset_paginated(client: httpx.Client, world: HrWorld) -> None:
    auth = as_user(client, "saule")
    first = client.get("/api/v1/hr/board/people", params={"limit": 2}, headers=auth).json()
    assert [row["employee"] for row in first["rows"]] == ["E0", "E1"]
    number, key = first["next_after"]
    second = client.get(
        "/api/v1/hr/board/people", params={"limit": 2, "after_number": number, "after_id": key}, headers=auth
    ).json()
    assert [row["employee"] for row in second["rows"]] == ["P1"] and second["next_after"] is None


def test_timeline_tells_the_evaluations_story(client: httpx.Client, world: HrWorld) -> None:
    events = client.get(
        f"/api/v1/hr/evaluations/{world.e1_evaluation}/timeline", headers=as_user(client, "saule")
    ).json()["events"]
    kinds = [event["kind"] for event in events]
    assert "opened" in kinds and "escalation" in kinds and "message" in kinds
    assert any(event["state"] == "dead" for event in events if event["kind"] == "message")


@pytest.mark.parametrize("path", ["/api/v1/hr/board", "/api/v1/hr/board/people", "/api/v1/hr/runs"])
def test_an_employee_gets_404_and_the_refusal_is_recorded(
    client: httpx.Client, live_app: LiveApp, world: HrWorld, path: str
) -> None:
    response = client.get(path, headers=as_user(client, "aigul"))
    assert response.status_code == 404
    assert ("user:aigul (person:E1)", f"hr:{path}") in refusals(live_app)


def test_another_bodys_board_and_an_unknown_evaluation_do_not_exist(
    client: httpx.Client, live_app: LiveApp, world: HrWorld
) -> None:
    auth = as_user(client, "saule")
    assert client.get("/api/v1/hr/board", params={"body": "other"}, headers=auth).status_code == 404
    assert client.get("/api/v1/hr/evaluations/999999/timeline", headers=auth).status_code == 404
    assert client.get("/api/v1/hr/board", params={"period": "2019-Q1"}, headers=auth).status_code == 404
    resources = [resource for _, resource in refusals(live_app)]
    assert "body:other" in resources and "evaluation:999999" in resources


def test_send_again_requeues_the_dead_letter_once_and_audits_who(
    client: httpx.Client, live_app: LiveApp, world: HrWorld
) -> None:
    auth = as_user(client, "saule")
    sent = client.post(f"/api/v1/hr/dead-letters/{world.dead_letter}/send-again", headers=auth)
    assert sent.status_code == 200 and sent.json() == {"message_id": world.dead_letter, "kind": "evaluation_notice"}
    with UnitOfWork(live_app.engine, actor="test") as uow:
        status, attempts = uow.session.execute(
            sa.text("SELECT status, attempts FROM outbox_message WHERE id = :id"), {"id": world.dead_letter}
        ).one()
        audit = uow.session.execute(
            sa.text("SELECT actor, action, reason FROM audit_log WHERE entity = 'outbox_message' AND entity_id = :id"),
            {"id": str(world.dead_letter)},
        ).all()
    assert (status, attempts) == ("retrying", 0)
    assert [tuple(row) for row in audit] == [("user:saule (person:S1)", "requeue", "sent again from the cycle board")]
    again = client.post(f"/api/v1/hr/dead-letters/{world.dead_letter}/send-again", headers=auth)
    assert again.status_code == 422 and "not a dead letter" in again.json()["key"]


def test_the_audit_view_is_the_hr_heads_and_shows_changes_and_refusals(
    client: httpx.Client, live_app: LiveApp, world: HrWorld
) -> None:
    """R-4 for the HR head and admins; HR staff get 404 (R-2), and that refusal shows in the view."""
    staff = as_user(client, "saule")
    client.post(f"/api/v1/hr/dead-letters/{world.dead_letter}/send-again", headers=staff)
    assert client.get("/api/v1/hr/audit", headers=staff).status_code == 404
    head = as_user(client, "dana")
    found = client.get("/api/v1/hr/audit", params={"evaluation": world.e1_evaluation}, headers=head).json()
    assert [(e["entity"], e["action"]) for e in found["entries"]] == [("outbox_message", "requeue")]
    assert found["entries"][0]["before"]["status"] == "dead"
    assert "hr:/api/v1/hr/audit" not in str(found["refusals"])  # the evaluation filter narrows refusals too
    everything = client.get("/api/v1/hr/audit", params={"person": "S1"}, headers=head).json()
    assert any(r["resource"] == "audit:/api/v1/hr/audit" for r in everything["refusals"])
    assert client.get("/api/v1/hr/audit", headers=as_user(client, "root")).status_code == 200
    # dates at the edge of the calendar bound nothing (their instant in UTC would not fit a date): no server error
    edges = {"evaluation": world.e1_evaluation, "since": "0001-01-01", "until": "9999-12-31"}
    at_the_edges = client.get("/api/v1/hr/audit", params=edges, headers=head)
    assert at_the_edges.status_code == 200 and at_the_edges.json()["entries"] == found["entries"]
    before_time = client.get("/api/v1/hr/audit", params={"since": "0001-01-01", "until": "0001-01-01"}, headers=head)
    assert before_time.status_code == 200 and before_time.json()["entries"] == []


def test_runs_say_prefect_is_down_and_the_pages_still_work(client: httpx.Client, world: HrWorld) -> None:
    auth = as_user(client, "saule")
    runs = client.get("/api/v1/hr/runs", headers=auth)
    assert runs.status_code == 503 and runs.json()["prefect"] == "down"
    assert client.get("/api/v1/hr/board", headers=auth).status_code == 200


#: The export's refusal of a period it cannot read (the schedule's sentence), as the page says it.
PERIOD_REFUSED = {
    "kk": "'2025-Q5' кезең емес: 2025-Q1 … 2025-Q4 немесе 2025",
    "ru": "'2025-Q5' — не период: 2025-Q1 … 2025-Q4 или 2025",
    "en": "'2025-Q5' is not a period: 2025-Q1 … 2025-Q4 or 2025",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_export_refuses_a_period_it_cannot_read_in_the_readers_language(
    client: httpx.Client, world: HrWorld, language: str
) -> None:
    """``/exports/results.xlsx?period=…``: a malformed period is a 422 page naming the forms a period takes, in the
    person's language; nothing is exported. A well-formed one still downloads."""
    auth = as_user(client, "dana")
    assert client.patch("/api/v1/me", json={"language": language}, headers=auth).status_code == 200
    for written in ("2025-Q5", "", "Q1-2025 and more"):
        refused = client.get("/exports/results.xlsx", params={"period": written}, headers=auth)
        assert refused.status_code == 422 and refused.headers["content-language"] == language
        assert "spreadsheetml" not in refused.headers["content-type"]
    refused = client.get("/exports/results.xlsx", params={"period": "2025-Q5"}, headers=auth)
    assert PERIOD_REFUSED[language] in visible_text(refused.text)
    exported = client.get("/exports/results.xlsx", params={"period": "2025-Q1"}, headers=auth)
    assert exported.status_code == 200 and "spreadsheetml" in exported.headers["content-type"]


#: A file that is no staff file, refused by the upload page in the reader's language (it was a server error: the
#: sentence's template named a value the refusal did not give).
NOT_A_STAFF_FILE = {
    "kk": "'staff.txt' файлы: қызметкерлер файлы .csv немесе .xlsx болады (рұқсат етілгені: .csv, .xlsx)",
    "ru": "файл 'staff.txt': файл сотрудников — .csv или .xlsx (допустимо: .csv, .xlsx)",
    "en": "file 'staff.txt': a staff file is .csv or .xlsx (allowed: .csv, .xlsx)",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_staff_upload_refuses_a_file_of_another_kind_in_the_readers_language(
    client: httpx.Client, world: HrWorld, language: str
) -> None:
    auth = as_user(client, "dana")
    assert client.patch("/api/v1/me", json={"language": language}, headers=auth).status_code == 200
    refused = client.post("/hr/staff/preview", files={"file": ("staff.txt", b"personnel_number\n")}, headers=auth)
    assert refused.status_code == 422 and NOT_A_STAFF_FILE[language] in visible_text(refused.text)
    empty = client.post("/hr/staff/preview", files={"file": ("staff.csv", b"")}, headers=auth)
    assert empty.status_code == 422 and EMPTY_FILE[language] in visible_text(empty.text)


#: A file-level problem in the problems table: where ("file") and why, in the reader's language.
EMPTY_FILE = {
    "kk": "файл файл бос: тақырып жолы жоқ",
    "ru": "файл файл пуст: нет строки заголовков",
    "en": "file the file is empty: no header row",
}
