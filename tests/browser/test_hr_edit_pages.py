"""Issue 14, item 1, in headless Chromium: HR edits people's roles and contacts (G-6, G-4, C-1) and the Evaluation
Commission's composition (M-7) on the dashboard — refusals name the field, the rule and the allowed values and
write nothing; accepted changes are audited with before/after and the reason (R-4); an employee is answered 404
(recorded, R-2) and a form without its CSRF token 403.

``web_org``: body ``nchr``; ``dana`` (H1) is the HR head (Russian pages), ``erlan`` the appointing official E0,
``aigul`` an employee without a role, ``root`` the body's admin (an account without a person: Kazakh pages). A refusal
is said in the account's language (decision 0150).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, shoot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "annual-commission-2025.yaml"


def log_in(page: Any, live_app: LiveApp, login: str, *, path: str) -> None:
    page.goto(f"{live_app.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_app.url}{path}")


def rows(live_app: LiveApp, sql: str) -> list[Any]:
    with live_app.engine.connect() as connection:
        return list(connection.execute(sa.text(sql)).all())


def contacts_of(live_app: LiveApp, number: str) -> list[tuple[str, str]]:
    return [
        (kind, address)
        for kind, address in rows(
            live_app,
            "SELECT c.kind, c.address FROM contact_channel c JOIN person p ON p.id = c.person_id "
            f"WHERE p.personnel_number = '{number}' ORDER BY c.kind, c.address",
        )
    ]


STAFF = (
    "personnel_number,full_name,unit_code,unit_name,position_title,category,corps,head_personnel_number,appointed,"
    "language\n"
    "E0,Erlan Omarov,U0,Leadership,Chair,,political,,2020-01-01,en\n"
    "H1,Дана Ахметова,U0,,Head of HR,C-3,B,E0,2020-01-01,ru\n"
    "E1,Айгерім Сәрсенова,U0,,Expert,C-4,B,H1,2020-01-01,kk\n"
)


def test_hr_edits_a_persons_roles_contacts_and_language_with_the_reason(
    page: Any, live_app: LiveApp, web_org: WebOrg, tmp_path: Path
) -> None:
    from persistence.importers import import_staff

    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    import_staff(live_app.engine, staff, actor="test", as_of=date(2025, 1, 6), body="nchr")
    log_in(page, live_app, "dana", path="/hr/people")
    page.click("#people tr[data-person='E1'] a")
    page.wait_for_url(f"{live_app.url}/hr/people/E1")
    form = page.locator("#person-form")

    form.locator("input[name=email]").fill("not-an-address")
    form.locator("input[name=reason]").fill("Новый адрес")
    form.locator("button[type=submit]").click()
    error = page.locator("#error")
    assert error.get_attribute("data-field") == "email"
    assert "(C-1)" in error.inner_text() and "name@body.kz" in error.inner_text()
    assert error.inner_text().startswith("электронная почта: 'not-an-address' — не адрес электронной почты")  # ru
    assert page.locator("#person-form input[name=email]").input_value() == "not-an-address"  # kept to correct
    assert contacts_of(live_app, "E1") == []  # nothing written

    form = page.locator("#person-form")
    form.locator("input[name=email]").fill("a.sarsenova@example.kz")
    form.locator("input[name=phone]").fill("8 701 000 00 01")
    form.locator("input[name=reason]").fill("")
    form.locator("button[type=submit]").click()
    assert page.locator("#error").get_attribute("data-field") == "reason"
    assert "(R-4)" in page.locator("#error").inner_text()

    form = page.locator("#person-form")
    form.locator("input[value=appointing_official]").check()  # E0 is the body's appointing official (G-4)
    form.locator("input[name=reason]").fill("Приказ № 12")
    form.locator("button[type=submit]").click()
    assert page.locator("#error").get_attribute("data-field") == "roles"
    assert "(G-4)" in page.locator("#error").inner_text() and "E0" in page.locator("#error").inner_text()
    assert rows(live_app, "SELECT count(*) FROM body_role WHERE role = 'appointing_official'")[0][0] == 1

    form = page.locator("#person-form")
    form.locator("input[value=appointing_official]").uncheck()
    form.locator("input[value=hr]").check()
    form.locator("select[name=language]").select_option("ru")
    shoot(page, "hr-person-edit-ru")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_app.url}/hr/people?saved=E1")
    e1 = page.locator("#people tr[data-person='E1']")
    assert "+77010000001" in e1.locator(".contacts").inner_text()
    assert "a.sarsenova@example.kz" in e1.locator(".contacts").inner_text()
    assert e1.locator(".roles").inner_text().strip() != ""
    assert contacts_of(live_app, "E1") == [("email", "a.sarsenova@example.kz"), ("sms", "+77010000001")]
    assert rows(live_app, "SELECT language FROM person WHERE personnel_number = 'E1'")[0][0] == "ru"
    audited = rows(
        live_app,
        "SELECT entity, action, actor, reason FROM audit_log WHERE reason = 'Приказ № 12' ORDER BY entity, action",
    )
    assert {(entity, action) for entity, action, _, _ in audited} == {
        ("body_role", "grant"),
        ("contact_channel", "add"),
        ("person", "set_language"),
    }
    assert {actor for _, _, actor, _ in audited} == {"user:dana (person:H1)"}
    before_after = rows(
        live_app, "SELECT before, after FROM audit_log WHERE entity = 'person' AND action = 'set_language'"
    )
    assert before_after == [({"language": "kk"}, {"language": "ru"})]

    # taking the role away ends it yesterday (it was granted today: as if never granted) and is audited too
    page.goto(f"{live_app.url}/hr/people/E1")
    form = page.locator("#person-form")
    form.locator("input[value=hr]").uncheck()
    form.locator("input[name=reason]").fill("Ошибка")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_app.url}/hr/people?saved=E1")
    assert rows(live_app, "SELECT count(*) FROM body_role WHERE role = 'hr'")[0][0] == 0
    assert rows(live_app, "SELECT count(*) FROM audit_log WHERE entity = 'body_role' AND reason = 'Ошибка'")[0][0] == 1

    # the body's admin reads Kazakh pages: the same refusal in Kazakh, the rule and the allowed value kept (0150)
    page.context.clear_cookies()
    log_in(page, live_app, "root", path="/hr/people/E1")
    form = page.locator("#person-form")
    form.locator("input[name=telegram]").fill("x")
    form.locator("input[name=reason]").fill("Жаңа байланыс")
    form.locator("button[type=submit]").click()
    assert page.locator("#error").get_attribute("data-field") == "telegram"
    assert page.locator("#error").inner_text() == (
        "Telegram: 'x' — Telegram-дағы @username немесе чаттың сандық идентификаторы емес; рұқсат етілгені: "
        "Telegram-дағы @username немесе чаттың сандық идентификаторы (C-1)"
    )
    assert contacts_of(live_app, "E1") == [("email", "a.sarsenova@example.kz"), ("sms", "+77010000001")]


def test_hr_appoints_the_commission_with_the_m7_checks(page: Any, live_app: LiveApp, web_org: WebOrg) -> None:
    from application.actions.setup import assign_rulebook
    from application.environment import Environment
    from bagalau.staff_files import import_staff as import_organization
    from domain.access import Principal

    import_organization(live_app.engine, SCENARIO, actor="test", as_of=date(2025, 1, 6), body="nchr")
    env = Environment(live_app.engine)
    assign_rulebook(env, Principal.system_step("operator:test"), "nchr", "kz-annual-commission-2018", date(2025, 1, 1))
    log_in(page, live_app, "dana", path="/hr/commission")
    assert page.locator("#required").get_attribute("data-required") == "true"
    form = page.locator("#commission-form")
    assert form.locator("input[name=chair]").input_value() == "E0"  # the composition in force, to edit
    assert "5" in form.locator(".hint").inner_text()  # the rulebook's minimum is shown (M-7)
    seats_before = rows(live_app, "SELECT count(*) FROM commission_member")[0][0]

    form.locator("input[name=members]").fill("E0 V1 V2 E1")
    form.locator("input[name=reason]").fill("Приказ № 5")
    form.locator("button[type=submit]").click()
    error = page.locator("#error")
    assert error.get_attribute("data-field") == "members"
    assert "(M-7)" in error.inner_text() and "5" in error.inner_text()
    assert rows(live_app, "SELECT count(*) FROM commission_member")[0][0] == seats_before  # nothing written

    form = page.locator("#commission-form")
    form.locator("input[name=members]").fill("V1 V2 E1 H2 E2")
    form.locator("input[name=chair]").fill("V1")
    form.locator("input[name=secretary]").fill("E3")  # not an HR employee
    form.locator("button[type=submit]").click()
    assert page.locator("#error").get_attribute("data-field") == "secretary"
    assert "(M-7)" in page.locator("#error").inner_text() and "H1" in page.locator("#error").inner_text()
    said = page.locator("#error").inner_text()  # dana reads Russian pages (0150)
    assert said.startswith("секретарь: E3 не является сотрудником службы управления персоналом")

    form = page.locator("#commission-form")
    form.locator("input[name=secretary]").fill("H1")
    form.locator("input[name=members]").fill("V1 V2 E1 H2 H1")  # the secretary does not vote (M-7)
    form.locator("button[type=submit]").click()
    assert page.locator("#error").get_attribute("data-field") == "members"
    assert "H1" in page.locator("#error").inner_text()

    form = page.locator("#commission-form")
    form.locator("input[name=members]").fill("V1 V2 E1 H2 E2")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_app.url}/hr/commission?saved=true")
    assert "V1" in page.locator("#commission tr[data-seat='chair']").inner_text()
    assert "H1" in page.locator("#commission tr[data-seat='secretary']").inner_text()
    assert page.locator("#commission tr[data-seat='member']").count() == 5
    assert page.locator("#checks li[data-check='ok']").count() == 1
    shoot(page, "hr-commission-edit-ru")
    yesterday = live_app.clock.today() - timedelta(days=1)
    ended = rows(live_app, f"SELECT count(*) FROM commission_member WHERE ended_on = '{yesterday.isoformat()}'")
    assert ended[0][0] == seats_before  # the former seats end yesterday, kept for the history
    [(before, after, actor)] = rows(
        live_app,
        "SELECT before, after, actor FROM audit_log WHERE entity = 'commission' AND reason = 'Приказ № 5'",
    )
    assert before["chair"] == "E0" and after["chair"] == "V1" and after["members"] == ["V1", "V2", "E1", "H2", "E2"]
    assert actor == "user:dana (person:H1)"


def test_only_hr_edits_and_every_form_needs_its_token(page: Any, live_app: LiveApp, web_org: WebOrg) -> None:
    log_in(page, live_app, "dana", path="/hr/people/E1")
    forged = page.request.post(
        f"{live_app.url}/hr/people/E1", form={"email": "x@example.kz", "reason": "no token", "language": "kk"}
    )
    assert forged.status == 403
    assert rows(live_app, "SELECT count(*) FROM contact_channel")[0][0] == 0
    page.context.clear_cookies()
    log_in(page, live_app, "aigul", path="/account")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path in ("/hr/people/E1", "/hr/commission"):
        assert page.goto(f"{live_app.url}{path}").status == 404
        answer = page.request.post(
            f"{live_app.url}{path}", form={"csrf_token": token, "email": "x@example.kz", "reason": "mine"}
        )
        assert answer.status == 404
    assert rows(live_app, "SELECT count(*) FROM contact_channel")[0][0] == 0
    refused = rows(live_app, "SELECT resource FROM access_refusal ORDER BY id")
    assert {"hr:/hr/people/E1", "hr:/hr/commission"} <= {resource for (resource,) in refused}


def test_the_json_twins_edit_and_refuse_the_same_way(live_app: LiveApp, web_org: WebOrg, tmp_path: Path) -> None:
    import httpx

    from persistence.importers import import_staff

    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    import_staff(live_app.engine, staff, actor="test", as_of=date(2025, 1, 6), body="nchr")

    def client(login: str) -> httpx.Client:
        answer = httpx.post(f"{live_app.url}/api/v1/session", json={"login": login, "password": PASSWORD})
        answer.raise_for_status()
        return httpx.Client(base_url=live_app.url, headers={"Authorization": f"Bearer {answer.json()['token']}"})

    with client("dana") as dana:
        shown = dana.get("/api/v1/hr/people/E1").json()
        assert (shown["roles"], shown["email"], shown["language"]) == ([], [], "kk")
        bad = dana.patch("/api/v1/hr/people/E1", json={"phone": ["12"], "reason": "new phone"})
        assert bad.status_code == 422 and bad.json()["rule"] == "C-1" and "+7XXXXXXXXXX" in bad.json()["detail"]
        done = dana.patch("/api/v1/hr/people/E1", json={"phone": ["8 701 000 00 02"], "reason": "new phone"})
        assert (
            done.status_code == 200 and done.json()["phone"] == ["+77010000002"] and done.json()["changed"] == ["phone"]
        )
        assert contacts_of(live_app, "E1") == [("sms", "+77010000002")]
        refused = dana.put(
            "/api/v1/hr/commission", json={"chair": "E0", "secretary": "H1", "members": ["E0"], "reason": "x"}
        )
        assert refused.status_code == 422 and refused.json()["rule"] == "G-3"  # no rulebook assigned yet
    with client("root") as root:  # an account in Kazakh: the detail in Kazakh, the key and values for a client
        bad = root.patch("/api/v1/hr/people/E1", json={"language": "de", "reason": "тіл"})
        assert bad.status_code == 422 and bad.json() == {
            "rule": None,
            "detail": "тіл: 'de' — Bagalau тілдерінің бірі емес; рұқсат етілгендері: kk, ru, en",
            "key": "language: {language!r} is not a language of Bagalau; allowed: kk, ru, en",
            "params": {"language": "de"},
            "language": "kk",
            "field": "language",  # a program reads which field and what is allowed without parsing the sentence
            "allowed": "kk, ru, en",
        }
        bad = root.patch("/api/v1/hr/people/E1", json={"roles": ["hr"], "reason": " "})
        assert bad.json()["detail"] == (
            "себебі: өзгерістің себебін жазыңыз (1–500 таңба); "
            "әрбір өзгеріс осы себеппен аудит журналына жазылады (R-4)"
        )
        assert bad.json()["params"] == {"maximum": 500}
    with client("aigul") as aigul:
        assert aigul.get("/api/v1/hr/people/E1").status_code == 404
        assert aigul.patch("/api/v1/hr/people/E1", json={"reason": "mine"}).status_code == 404
        assert aigul.get("/api/v1/hr/commission").status_code == 404
