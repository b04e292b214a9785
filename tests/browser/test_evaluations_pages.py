"""The employee's pages in headless Chromium (issue 10): the notice's ``/ack/{id}`` link through the login to the
result, acknowledging it (C-1), disagreeing within the C-2 window with the deadline shown, a colleague's 404 (R-2,
recorded), HTML in the text escaped; and screenshots of "My evaluations" and the result page in kk, ru and en
(``build/screenshots``).

The Model 2018 quarter is played by the real flows to 6 April 2025; the app acts on 7 April: E3's result (3.75
proper, evaluator E1) is known and not acknowledged yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import PASSWORD, shoot
from tests.browser.staff_support import COMMISSION_SCENARIO, StaffWorld, refusals, staff_world  # noqa: F401
from tests.flows_support import prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]

DAY = date(2025, 4, 7)


@pytest.fixture
def served(staff_world: Callable[..., StaffWorld]) -> StaffWorld:  # noqa: F811
    return staff_world(DAY)


def through_the_ack_link(page: Any, served: StaffWorld, login: str, key: int) -> None:
    """Open the notice's link, land on the login page (``next`` kept), sign in, arrive at the result."""
    page.goto(f"{served.url}/ack/{key}")
    page.wait_for_url(f"{served.url}/login?next=/ack/{key}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{served.url}/evaluations/{key}")


def test_the_employee_follows_the_notice_link_and_acknowledges(page: Any, served: StaffWorld) -> None:
    key = served.ids["E3"]
    through_the_ack_link(page, served, "e3", key)
    assert page.locator("#score").inner_text() == "3,75"  # Kazakh: decimal comma
    assert page.locator("#category").inner_text() == "тиісінше"
    assert page.locator("#justification").inner_text() == "Тапсырмалар сапалы, бірақ бастамашылық жеткіліксіз"
    assert "2025" in page.locator("#window").inner_text()  # the C-2 window if acquainted today: 14 April
    page.click("#acknowledge button[type=submit]")
    page.wait_for_url(f"{served.url}/evaluations/{key}?done=acknowledged")
    assert page.locator("#done").is_visible()
    assert page.locator("#acknowledge").count() == 0  # acknowledged once: the button is gone
    assert "14" in page.locator("#window").inner_text() and "сәуір" in page.locator("#window").inner_text()
    assert "14" in page.locator("#deadline").inner_text()  # the disagreement form says until when
    with served.app.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT acquainted_on, acquaintance_method, disagreement_until FROM evaluation WHERE id = :k"),
            {"k": key},
        ).one()
    assert (row.acquainted_on, row.acquaintance_method, row.disagreement_until) == (DAY, "web", date(2025, 4, 14))


def test_the_employee_disagrees_within_the_window(page: Any, served: StaffWorld) -> None:
    """C-2 before acknowledging: the application counts as acquaintance today; the deadline is shown; an empty text
    is refused beside the form; HTML in the text is shown as text."""
    key = served.ids["E3"]
    through_the_ack_link(page, served, "e3", key)
    assert "14" in page.locator("#deadline").inner_text()
    page.fill("#text", "   ")
    page.evaluate("document.querySelector('#text').removeAttribute('required')")
    page.click("#disagree button[type=submit]")
    page.wait_for_selector("#error")
    assert "C-2" in page.locator("#error").inner_text()
    text = "<img src=x onerror=alert(1)> менің жобаларға қосқан үлесім ескерілмеген"
    page.fill("#text", text)
    page.click("#disagree button[type=submit]")
    page.wait_for_url(f"{served.url}/evaluations/{key}?done=disagreed")
    assert page.locator("#application").inner_text() == text  # escaped: shown as written, no element made
    assert page.locator("#application img").count() == 0
    assert page.locator("#calibration").is_visible() and page.locator("#disagree").count() == 0
    assert served.launcher.started and served.launcher.started[0][1] == DAY  # C-3: the session started once
    shoot(page, "evaluation-disagreed-kk")


def test_a_colleague_opening_someone_elses_evaluation_gets_the_404_page(page: Any, served: StaffWorld) -> None:
    key = served.ids["E3"]
    through_the_ack_link(page, served, "e7", key)  # the link leads to a page that does not exist for E7
    assert page.locator("#error-title").inner_text().endswith("404")
    assert page.locator("#score").count() == 0 and "3,75" not in page.content()
    assert refusals(served.app.engine)[-1] == ("user:e7 (person:E7)", f"evaluation:{key}", "read", "R-2")


def test_screenshots_of_my_evaluations_in_three_languages(page: Any, served: StaffWorld) -> None:
    key = served.ids["E3"]
    through_the_ack_link(page, served, "e3", key)
    words = {"kk": "Менің бағалауларым", "ru": "Мои оценки", "en": "My evaluations"}
    for language in ("kk", "ru", "en"):
        page.goto(f"{served.url}/evaluations")
        page.click(f"form.languages button[value='{language}']")
        page.wait_for_url(f"{served.url}/evaluations")
        assert page.locator("h1").inner_text() == words[language]
        assert page.locator(f"#evaluations tr[data-evaluation='{key}'] td.result").inner_text() in ("3,75", "3.75")
        shoot(page, f"my-evaluations-{language}")
        page.goto(f"{served.url}/evaluations/{key}")
        assert page.locator("html").get_attribute("lang") == language
        shoot(page, f"evaluation-{language}")


def test_commission_results_are_acknowledged_together_or_hr_draws_up_the_refusal_act(
    page: Any,
    staff_world: Callable[..., StaffWorld],  # noqa: F811
) -> None:
    """004, 28 January 2026 (the Commission decided on 27 January): HR (H1) draws up E3's refusal act with two
    witnesses on the result page (M-8); E3 then sees the act on her page. E1 acknowledges her two lines at once."""
    served = staff_world(date(2026, 1, 28), COMMISSION_SCENARIO)
    key = served.ids["E3/competencies"]
    through_the_ack_link(page, served, "h1", key)
    page.fill("#witness-1", "E4")
    page.fill("#witness-2", "E3")  # the employee herself cannot witness: refused beside the form (M-8)
    page.click("#refusal-act button[type=submit]")
    page.wait_for_selector("#error")
    assert "M-8" in page.locator("#error").inner_text()
    page.fill("#witness-1", "E4")
    page.fill("#witness-2", "E5")
    page.click("#refusal-act button[type=submit]")
    page.wait_for_url(f"{served.url}/evaluations/{key}?done=act")
    assert page.locator("#act").is_visible()
    page.context.clear_cookies()
    through_the_ack_link(page, served, "e3", key)
    assert page.locator("#act").is_visible() and page.locator("#acknowledge").count() == 0
    assert page.locator("#category").inner_text() != ""
    page.context.clear_cookies()
    through_the_ack_link(page, served, "e1", served.ids["E1/kpi_count"])
    page.click("#acknowledge button[type=submit]")
    page.wait_for_url(f"{served.url}/evaluations/{served.ids['E1/kpi_count']}?done=acknowledged")
    with served.app.engine.connect() as connection:
        methods = connection.execute(
            sa.text(
                "SELECT e.method, e.acquaintance_method FROM evaluation e JOIN person p ON p.id = e.person_id"
                " WHERE p.personnel_number = 'E1' ORDER BY e.method"
            )
        ).all()
    assert [tuple(row) for row in methods] == [("competencies", "web"), ("kpi_count", "web")]  # M-8: together
    shoot(page, "evaluation-commission-kk")
