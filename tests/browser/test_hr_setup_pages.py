"""Setting a body up from HR's dashboard in headless Chromium (issue 14): the staff upload (report first, import on
"apply", bad rows listed and nothing written), the calendar overrides (P-7), the rulebook assignment (G-3) and the
schedule approved by the appointing official only (G-4). Screenshots in build/screenshots.

``web_org``: body ``nchr``; ``dana`` is the HR head (Russian), ``erlan`` the appointing official E0 (English),
``aigul`` an employee without a role.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from persistence.importers import import_staff
from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, shoot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"


def log_in(page: Any, live_app: LiveApp, login: str, *, path: str) -> None:
    page.goto(f"{live_app.url}{path}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_app.url}{path}")


def scalar(live_app: LiveApp, sql: str) -> Any:
    with live_app.engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


def test_hr_uploads_staff_sees_the_report_then_applies_it(
    page: Any, live_app: LiveApp, web_org: WebOrg, tmp_path: Path
) -> None:
    log_in(page, live_app, "dana", path="/hr/staff")
    people_before = scalar(live_app, "SELECT count(*) FROM person")
    page.set_input_files("#upload input[type=file]", str(STAFF))
    page.click("#upload button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/staff/preview")
    assert page.locator("#report").get_attribute("data-applied") == "false"
    assert (
        page.locator("#changes tr[data-change='people_added'] .count").inner_text() == "4"
    )  # E1, H1, E0 are there already
    assert scalar(live_app, "SELECT count(*) FROM person") == people_before  # a preview writes nothing
    shoot(page, "hr-staff-preview-ru")
    page.click("#apply button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/staff/apply")
    assert page.locator("#applied").count() == 1
    assert scalar(live_app, "SELECT count(*) FROM person") == people_before + 4
    actor = scalar(live_app, "SELECT DISTINCT actor FROM audit_log WHERE entity = 'person' AND action = 'add'")
    assert actor is None or "dana" in actor  # R-4: audited as the HR member when the importer audits people


#: The importer's row problems as the page says them (decision 0150): where, and why — E1's impossible date, E2's
#: unknown head — never the CLI's English on a Kazakh or Russian page.
BAD_ROWS = {
    "kk": ("3-жол", "күн дұрыс емес (бұл айда мұндай күн жоқ)", "4-жол", "бұл табель нөмірімен файлда да"),
    "ru": ("строка 3", "неверная дата (такого дня в этом месяце нет)", "строка 4", "человека с таким"),
    "en": ("row 3", "not a calendar date (day is out of range for month)", "row 4", "no person with this personnel"),
}


WARNING = {
    "kk": '"Б" корпусынан тыс адамның санаты жоқ',
    "ru": "у лица вне корпуса «Б» нет категории",
    "en": "no category for a person outside the B corps",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_staff_file_with_bad_rows_is_listed_row_by_row_and_nothing_is_written(
    page: Any, live_app: LiveApp, web_org: WebOrg, tmp_path: Path, language: str
) -> None:
    bad = tmp_path / "staff.csv"
    lines = STAFF.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("01.01.2020", "31.02.2020")  # E1: a day that does not exist
    lines[3] = lines[3].replace(",B,E1,", ",B,E77,")  # E2: a head nobody knows
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log_in(page, live_app, "dana", path="/hr/staff")
    page.click(f"form.languages button[value='{language}']")
    page.wait_for_load_state()
    people_before = scalar(live_app, "SELECT count(*) FROM person")
    page.set_input_files("#upload input[type=file]", str(bad))
    page.click("#upload button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/staff/preview")
    rows = page.locator("#problems tbody tr").all_inner_texts()
    row_3, date_problem, row_4, no_head = BAD_ROWS[language]
    assert any(row_3 in row and "31.02.2020" in row and date_problem in row for row in rows), rows
    assert any(row_4 in row and "E77" in row and no_head in row for row in rows), rows
    if language != "en":
        assert not any("row " in row or "not a calendar date" in row or "no person" in row for row in rows), rows
    warning = page.locator("#warnings").inner_text()  # a person outside the B corps without a category
    assert WARNING[language] in warning and ("no category" in warning) == (language == "en"), warning
    assert page.locator("#apply").count() == 0
    assert scalar(live_app, "SELECT count(*) FROM person") == people_before
    shoot(page, f"hr-staff-bad-rows-{language}")


def test_the_calendar_takes_a_moved_day_with_its_legal_basis_and_refuses_one_without(
    page: Any, live_app: LiveApp, web_org: WebOrg
) -> None:
    log_in(page, live_app, "dana", path="/hr/calendar")
    day = (live_app.clock.today() + timedelta(days=30)).isoformat()
    page.fill("#override input[name=day]", day)
    page.select_option("#override select[name=kind]", "day_off")
    page.click("#override button[type=submit]")  # no legal basis
    assert page.locator("#error").get_attribute("data-field") == "legal_basis"
    assert "(P-7)" in page.locator("#error").inner_text()
    assert scalar(live_app, "SELECT count(*) FROM calendar_override") == 0
    page.fill("#override input[name=legal_basis]", "Government decree No. 1 <script>alert(1)</script>")
    page.click("#override button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/calendar?saved={day}")
    row = page.locator(f"#overrides tr[data-day='{day}']")
    assert "<script>" in row.inner_text()  # shown as text, escaped
    assert scalar(live_app, "SELECT legal_basis FROM calendar_override").startswith("Government decree No. 1")
    shoot(page, "hr-calendar-ru")


def test_a_past_day_under_an_open_period_is_refused_showing_what_it_would_move(
    page: Any, live_app: LiveApp, web_org: WebOrg
) -> None:
    """P-7 (issue 14, bad input): the refusal names the rule and the page lists every date the day would move."""
    _quarter_opened(live_app, web_org)  # a week into the period
    log_in(page, live_app, "dana", path="/hr/calendar")
    page.fill("#override input[name=day]", "2025-04-03")
    page.select_option("#override select[name=kind]", "day_off")
    page.fill("#override input[name=legal_basis]", "Government decree No. 7")
    page.click("#override button[type=submit]")
    assert page.locator("#error").get_attribute("data-field") == "day"
    assert "(P-7)" in page.locator("#error").inner_text()
    moved = page.locator("#moves tbody tr")
    assert moved.count() == 3  # the heads' KPI actuals (P-5): 3 → 2 April
    head = page.locator("#moves tr[data-employee='E1'][data-what='kpi_actuals_by']")
    assert "2025-04-03" in head.inner_text() and "2025-04-02" in head.inner_text()
    shoot(page, "hr-calendar-past-day-refused-ru")
    assert scalar(live_app, "SELECT count(*) FROM calendar_override") == 0


def test_a_future_day_off_moves_the_open_deadlines_and_the_page_lists_them(
    page: Any, live_app: LiveApp, web_org: WebOrg
) -> None:
    """P-7, decision 0196: saving a future day off recomputes the stored deadlines of the open period's sheets and
    the page lists every date it moved; saving it again moves nothing and redirects as before."""
    _quarter_opened_on_the_calendar_page(page, live_app, web_org)
    for time in ("first", "again"):
        page.fill("#override input[name=day]", "2025-04-10")  # Thursday, the sheets' deadline (P-1)
        page.select_option("#override select[name=kind]", "day_off")
        page.fill("#override input[name=legal_basis]", "Government decree No. 8")
        page.click("#override button[type=submit]")
        page.wait_for_load_state()
        if time == "first":
            assert page.locator("#moves").get_attribute("data-applied") == "true"
            deadline = page.locator("#moves tr[data-employee='E1'][data-what='deadline']")
            assert "2025-04-10" in deadline.inner_text() and "2025-04-11" in deadline.inner_text()
            assert page.locator("#saved").count() == 1 and page.locator("#error").count() == 0
            shoot(page, "hr-calendar-future-day-moved-ru")
        else:  # nothing left to move: the plain redirect, no list
            page.wait_for_url(f"{live_app.url}/hr/calendar?saved=2025-04-10")
            assert page.locator("#moves").count() == 0
    moved = scalar(live_app, "SELECT count(*) FROM audit_log WHERE action = 'calendar_move'")
    assert moved >= 1
    assert scalar(live_app, "SELECT count(*) FROM evaluation WHERE deadline = '2025-04-10' AND status = 'open'") == 0


def test_a_day_off_that_moves_more_dates_than_the_page_lists_counts_the_rest(
    page: Any, live_app: LiveApp, web_org: WebOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A national day off may move a deadline of every open sheet: the page lists the first ``MOVES_SHOWN`` and
    counts the rest, which the audit log keeps (here the page lists one)."""
    from web.routes import hr_setup

    monkeypatch.setattr(hr_setup, "MOVES_SHOWN", 1)
    _quarter_opened_on_the_calendar_page(page, live_app, web_org)
    page.fill("#override input[name=day]", "2025-04-10")
    page.select_option("#override select[name=kind]", "day_off")
    page.fill("#override input[name=legal_basis]", "Government decree No. 8")
    page.click("#override button[type=submit]")
    page.wait_for_load_state()
    moved = scalar(live_app, "SELECT count(*) FROM audit_log WHERE action = 'calendar_move'")
    assert moved >= 2 and page.locator("#moves tbody tr").count() == 1
    assert str(moved - 1) in page.locator("#moves-more").inner_text()


def _api_as(live_app: LiveApp, login: str) -> Any:
    """An API client logged in as ``login`` (a bearer token from ``POST /api/v1/session``)."""
    import httpx

    answer = httpx.post(f"{live_app.url}/api/v1/session", json={"login": login, "password": PASSWORD})
    answer.raise_for_status()
    return httpx.Client(base_url=live_app.url, headers={"Authorization": f"Bearer {answer.json()['token']}"})


def _quarter_opened_on_the_calendar_page(page: Any, live_app: LiveApp, web_org: WebOrg) -> None:
    """2025-Q1 opened for the body's staff (its deadline 2025-04-10), HR on /hr/calendar on 2025-04-08."""
    _quarter_opened(live_app, web_org)
    log_in(page, live_app, "dana", path="/hr/calendar")


def _quarter_opened(live_app: LiveApp, web_org: WebOrg) -> None:
    """2025-Q1 opened for the body's staff (its deadline 2025-04-10); the app's clock on 2025-04-08."""
    from application.actions.schedule import approve_schedule
    from application.actions.setup import assign_rulebook
    from application.cycle import opening
    from application.environment import Environment
    from domain.access import Principal

    import_staff(live_app.engine, STAFF, actor="test", as_of=date(2025, 1, 6), body="nchr")
    env = Environment(live_app.engine)
    operator = Principal.system_step("operator:test")
    assign_rulebook(env, operator, "nchr", "kz-model-2018", date(2025, 1, 1))
    approve_schedule(env, operator, "nchr", "2025-Q1", by="E0", day=date(2025, 3, 20))
    opening.open_period(env, web_org.body, "2025-Q1", date(2025, 4, 1))
    live_app.clock.advance(days=(date(2025, 4, 8) - live_app.clock.today()).days)


def test_the_appointing_official_approves_the_schedule_and_hr_may_not(
    page: Any, live_app: LiveApp, web_org: WebOrg
) -> None:
    import_staff(live_app.engine, STAFF, actor="test", as_of=date(2025, 1, 6), body="nchr")  # posts, categories
    log_in(page, live_app, "dana", path="/hr/schedule")
    page.select_option("#assign select[name=rulebook]", "kz-model-2018")
    page.fill("#assign input[name=valid_from]", "2017-01-01")  # before the rulebook is in force
    page.click("#assign button[type=submit]")
    assert page.locator("#error").get_attribute("data-field") == "valid_from"
    assert "(G-3)" in page.locator("#error").inner_text() and "2018-01-16" in page.locator("#error").inner_text()
    page.select_option("#assign select[name=rulebook]", "kz-model-2018")
    page.fill("#assign input[name=valid_from]", "2025-01-01")
    page.click("#assign button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/schedule?assigned=true")
    assert page.locator("#assignments tr[data-rulebook='kz-model-2018']").count() == 1
    page.goto(f"{live_app.url}/hr/schedule?period=2025-Q1")
    assert page.locator("#approval").get_attribute("data-approved") == "false"
    assert page.locator("#approve").count() == 0  # HR compiles, the appointing official approves (G-4)
    # HR forging the approval is refused naming G-4
    token = page.locator("#assign input[name=csrf_token]").get_attribute("value")
    answer = page.request.post(f"{live_app.url}/hr/schedule/approve", form={"csrf_token": token, "period": "2025-Q1"})
    assert answer.status == 422 and "(G-4)" in answer.text()
    assert scalar(live_app, "SELECT count(*) FROM evaluation_period WHERE schedule_approved_on IS NOT NULL") == 0
    page.context.clear_cookies()
    log_in(page, live_app, "erlan", path="/hr/schedule?period=2025-Q1")
    shoot(page, "hr-schedule-en")
    page.click("#approve button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/schedule?period=2025-Q1&approved=true")
    assert page.locator("#approval").get_attribute("data-approved") == "true"
    assert scalar(live_app, "SELECT count(*) FROM evaluation_period WHERE schedule_approved_on IS NOT NULL") == 1


def test_an_employee_is_refused_the_setup_pages(page: Any, live_app: LiveApp, web_org: WebOrg) -> None:
    page.goto(f"{live_app.url}/hr/calendar")
    page.fill("#login", "aigul")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    for path in ("/hr/calendar", "/hr/staff", "/hr/schedule"):
        assert page.goto(f"{live_app.url}{path}").status == 404


def test_hr_sees_the_people_with_roles_and_contacts_and_the_commission(
    page: Any, live_app: LiveApp, web_org: WebOrg
) -> None:
    from bagalau.staff_files import import_staff as import_organization

    scenario = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "annual-commission-2025.yaml"
    import_organization(live_app.engine, scenario, actor="test", as_of=date(2025, 1, 6), body="nchr")
    log_in(page, live_app, "dana", path="/hr/people")
    h1 = page.locator("#people tr[data-person='H1']")
    assert h1.count() == 1 and h1.locator(".roles").inner_text().strip() != ""
    shoot(page, "hr-people-ru")
    page.goto(f"{live_app.url}/hr/commission")
    chair = page.locator("#commission tr[data-seat='chair']").inner_text()
    assert chair.startswith("Председатель")  # dana reads Russian
    assert "E0" in page.locator("#commission tr[data-seat='chair']").inner_text()
    assert "H1" in page.locator("#commission tr[data-seat='secretary']").inner_text()
    assert page.locator("#commission tr[data-seat='member']").count() >= 4
    shoot(page, "hr-commission-ru")


def test_hr_edits_the_360_respondents_with_the_reason_before_anyone_answers(
    page: Any, live_app: LiveApp, web_org: WebOrg, tmp_path: Path
) -> None:
    from application.actions.setup import assign_rulebook
    from application.cycle.survey import survey_360
    from application.environment import Environment
    from bagalau.staff_files import import_staff as import_organization
    from domain.access import Principal
    from domain.vocabulary import Role
    from persistence.uow import UnitOfWork

    scenario = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "model-2018-360-2025.yaml"
    import_organization(live_app.engine, scenario, actor="test", as_of=date(2025, 1, 6), body="nchr")
    h1 = tmp_path / "h1.csv"  # dana (H1) gets a post in the HR department and the HR role (T-7: HR edits)
    h1.write_text(
        "personnel_number,full_name,unit_code,position_title,category,corps,head_personnel_number,appointed\n"
        "H1,Дана Ахметова,U1,Сарапшы,C-4,B,E1,2020-01-01\n",
        encoding="utf-8",
    )
    import_staff(live_app.engine, h1, actor="test", as_of=date(2025, 1, 6), body="nchr")
    with UnitOfWork(live_app.engine, actor="test") as uow:
        uow.org.add_role(body_id=web_org.body, person_id=web_org.h1, role=Role.HR, started_on=date(2020, 1, 1))
        uow.commit()
    env = Environment(live_app.engine)
    assign_rulebook(env, Principal.system_step("operator:test"), "nchr", "kz-model-2018", date(2025, 1, 1))
    live_app.clock.advance(days=(date(2027, 1, 5) - live_app.clock.today()).days)  # the 2026 survey is open
    survey_360(env, web_org.body, 2026, live_app.clock.today())
    log_in(page, live_app, "dana", path="/hr/surveys?year=2026")
    e3 = page.locator("section[data-evaluatee='E3']")
    before = e3.locator("li").evaluate_all("items => items.map(i => i.dataset.respondent)")
    assert before and "E4" in before
    kept = [number for number in before if number != "E4"]
    e3.locator("input[name=respondents]").fill(" ".join(kept))
    e3.locator("button[type=submit]").click()  # no reason
    assert page.locator("#error").get_attribute("data-field") == "reason"
    assert "(T-4)" in page.locator("#error").inner_text()
    e3 = page.locator("section[data-evaluatee='E3']")
    e3.locator("input[name=respondents]").fill(" ".join(kept))
    e3.locator("input[name=reason]").fill("E4 is on long leave")
    e3.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error").count() == 0, page.locator("#error").inner_text()
    page.wait_for_url(f"{live_app.url}/hr/surveys?year=2026&saved=E3")
    after = page.locator("section[data-evaluatee='E3'] li").evaluate_all(
        "items => items.map(i => i.dataset.respondent)"
    )
    assert sorted(after) == sorted(kept)
    reason = scalar(live_app, "SELECT reason FROM audit_log WHERE action = 'edit_respondents'")
    assert reason == "E4 is on long leave"
    shoot(page, "hr-surveys-ru")


def test_the_calendar_json_twin_moves_lists_and_refuses_as_the_page(live_app: LiveApp, web_org: WebOrg) -> None:
    """``PUT /api/v1/hr/calendar/{day}`` saves a moved day as the page does (P-7, decision 0196): the body's moved
    dates listed, the override in ``GET /api/v1/hr/calendar``; a bad kind, a bad date and a past day under an open
    window are refused with the rule, the field and what is allowed (the past day with the dates it would move),
    and nothing is written; an employee is refused the calendar."""
    _quarter_opened(live_app, web_org)

    basis = {"kind": "day_off", "legal_basis": "Government decree No. 8"}
    with _api_as(live_app, "dana") as dana:
        bad = dana.put("/api/v1/hr/calendar/2025-04-10", json={**basis, "kind": "holiday"})
        assert bad.status_code == 422 and bad.json()["rule"] == "P-7"
        assert (bad.json()["field"], bad.json()["allowed"]) == ("kind", "day_off, working_day")
        bad = dana.put("/api/v1/hr/calendar/10.04.2025", json=basis)
        assert bad.status_code == 422 and bad.json()["field"] == "day" and bad.json()["allowed"] == "YYYY-MM-DD"
        past = dana.put("/api/v1/hr/calendar/2025-04-03", json=basis)  # Thursday, under the open windows
        assert past.status_code == 422 and past.json()["rule"] == "P-7" and past.json()["field"] == "day"
        first = past.json()["moves"][0]
        assert {"period", "employee", "what", "before", "after"} <= set(first) and first["period"] == "2025-Q1"
        assert dana.get("/api/v1/hr/calendar").json() == {"overrides": []}  # nothing written
        done = dana.put("/api/v1/hr/calendar/2025-04-10", json=basis)
        assert done.status_code == 200, done.text
        assert done.json()["override"]["day"] == "2025-04-10" and done.json()["override"]["kind"] == "day_off"
        moved = {(move["employee"], move["what"]): move for move in done.json()["moved"]}
        assert (moved[("E1", "deadline")]["before"], moved[("E1", "deadline")]["after"]) == ("2025-04-10", "2025-04-11")
        again = dana.put("/api/v1/hr/calendar/2025-04-10", json=basis)  # nothing left to move
        assert again.status_code == 200 and again.json()["moved"] == []
        listed = dana.get("/api/v1/hr/calendar").json()["overrides"]
        assert [(item["day"], item["kind"], item["legal_basis"]) for item in listed] == [
            ("2025-04-10", "day_off", "Government decree No. 8")
        ]
    with _api_as(live_app, "aigul") as aigul:
        assert aigul.get("/api/v1/hr/calendar").status_code == 404
        assert aigul.put("/api/v1/hr/calendar/2025-04-11", json=basis).status_code == 404
    assert scalar(live_app, "SELECT count(*) FROM calendar_override") == 1


def test_the_schedule_json_twin_shows_and_approves_as_the_page(live_app: LiveApp, web_org: WebOrg) -> None:
    """``GET /api/v1/hr/schedule/{period}`` is the page's schedule (G-4) and ``POST …/approve`` its approval: HR sees
    it and is refused the approval naming G-4, the appointing official approves it, a period that is no period is
    a 422 naming the field, and an employee finds nothing (404, R-2)."""
    from application.actions.setup import assign_rulebook
    from application.environment import Environment
    from domain.access import Principal

    import_staff(live_app.engine, STAFF, actor="test", as_of=date(2025, 1, 6), body="nchr")
    assign_rulebook(
        Environment(live_app.engine), Principal.system_step("operator:test"), "nchr", "kz-model-2018", date(2025, 1, 1)
    )

    with _api_as(live_app, "dana") as dana:
        shown = dana.get("/api/v1/hr/schedule/2025-Q1")
        assert shown.status_code == 200, shown.text
        schedule = shown.json()
        assert (schedule["period"], schedule["rulebook"], schedule["approved_on"]) == ("2025-Q1", "kz-model-2018", None)
        e1 = next(entry for entry in schedule["entries"] if entry["employee"] == "E1")
        assert e1["eligible"] and e1["deadline"] == "2025-04-10"  # the 10th of the month after the quarter (P-1)
        refused = dana.post("/api/v1/hr/schedule/2025-Q1/approve")
        assert refused.status_code == 422 and refused.json()["rule"] == "G-4"
        bad = dana.get("/api/v1/hr/schedule/2025-Q5")
        assert bad.status_code == 422 and "period" in bad.text
    assert scalar(live_app, "SELECT count(*) FROM evaluation_period WHERE schedule_approved_on IS NOT NULL") == 0
    with _api_as(live_app, "erlan") as erlan:
        approved = erlan.post("/api/v1/hr/schedule/2025-Q1/approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["approved_by"] and approved.json()["may_open"] is True
    assert scalar(live_app, "SELECT count(*) FROM evaluation_period WHERE schedule_approved_on IS NOT NULL") == 1
    with _api_as(live_app, "aigul") as aigul:
        assert aigul.get("/api/v1/hr/schedule/2025-Q1").status_code == 404


def test_the_staff_json_twin_reports_then_applies_and_lists_bad_rows(
    live_app: LiveApp, web_org: WebOrg, tmp_path: Path
) -> None:
    """``POST /api/v1/hr/staff``: the importer's report first (a dry run, nothing written), the import with
    ``apply=true``; a file with bad rows is a 422 listing each row in the account's language (dana's is Russian) and
    writes nothing; a file that is no staff file is refused naming what is allowed; an employee finds nothing."""
    bad = tmp_path / "staff.csv"
    lines = STAFF.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("01.01.2020", "31.02.2020")  # E1: a day that does not exist
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    people_before = scalar(live_app, "SELECT count(*) FROM person")
    form = {"as_of": "2025-01-06"}
    with _api_as(live_app, "dana") as dana:
        wrong = dana.post("/api/v1/hr/staff", files={"file": ("staff.txt", b"x")}, data=form)
        assert wrong.status_code == 422 and ".csv, .xlsx" in wrong.json()["detail"]
        refused = dana.post("/api/v1/hr/staff", files={"file": ("staff.csv", bad.read_bytes())}, data=form)
        assert refused.status_code == 422 and refused.json()["ok"] is False and refused.json()["language"] == "ru"
        assert any(
            row["where"] == "строка 3" and row["value"] == "31.02.2020" and "неверная дата" in row["message"]
            for row in refused.json()["problems"]
        ), refused.json()["problems"]
        report = dana.post("/api/v1/hr/staff", files={"file": ("staff.csv", STAFF.read_bytes())}, data=form)
        assert report.status_code == 200 and report.json()["applied"] is False
        assert report.json()["changes"]["people_added"] == 4  # E1, H1, E0 are there already
        assert scalar(live_app, "SELECT count(*) FROM person") == people_before  # a report writes nothing
        done = dana.post(
            "/api/v1/hr/staff", files={"file": ("staff.csv", STAFF.read_bytes())}, data={**form, "apply": "true"}
        )
        assert done.status_code == 200 and done.json()["applied"] is True
    assert scalar(live_app, "SELECT count(*) FROM person") == people_before + 4
    with _api_as(live_app, "aigul") as aigul:
        answer = aigul.post("/api/v1/hr/staff", files={"file": ("staff.csv", STAFF.read_bytes())}, data=form)
        assert answer.status_code == 404
