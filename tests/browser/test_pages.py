"""The pages in a real browser (Debian's Chromium through Playwright) against the served app on PostgreSQL: login
(good, bad, rate-limited), logout, the language switch, forged forms (CSRF), an expired session, and a screenshot
of every page in Kazakh, Russian and English (``build/screenshots/``)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, LiveApp, shoot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def log_in(page: Any, live_app: LiveApp, login: str = "aigul", password: str = PASSWORD, *, path: str = "/") -> None:
    page.goto(f"{live_app.url}{path}")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")


def test_a_person_logs_in_and_lands_on_the_page_they_wanted(page: Any, live_app: LiveApp) -> None:
    page.goto(f"{live_app.url}/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))
    expect(page.locator("h1")).to_have_text("Кіру")  # Kazakh by default
    page.fill("#login", "Aigul")  # logins are case-insensitive
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{live_app.url}/account")
    expect(page.locator("dl.facts")).to_contain_text("Айгерім Сәрсенова")
    expect(page.locator("dl.facts")).to_contain_text("E1")


def test_a_wrong_password_and_an_unknown_login_get_the_same_message(page: Any, live_app: LiveApp) -> None:
    log_in(page, live_app, "aigul", "wrong password!")
    wrong = page.locator("[role=alert]").inner_text()
    expect(page.locator("#login")).to_have_value("aigul")
    log_in(page, live_app, "nobody", PASSWORD)
    assert page.locator("[role=alert]").inner_text() == wrong == "Логин немесе құпиясөз қате."


def test_failed_logins_are_rate_limited(page: Any, live_app: LiveApp) -> None:
    for _ in range(3):
        log_in(page, live_app, "aigul", "wrong password!")
    log_in(page, live_app, "aigul", PASSWORD)
    expect(page.locator("[role=alert]")).to_have_text(re.compile(r"Сәтсіз әрекеттер тым көп\. 1[45] минуттан кейін"))
    expect(page).to_have_url(re.compile(r"/login$"))
    shoot(page, "login-rate-limited-kk")


def test_logging_out_ends_the_session(page: Any, live_app: LiveApp) -> None:
    log_in(page, live_app)
    expect(page.locator("h1")).to_contain_text("Қош келдіңіз, Айгерім Сәрсенова")
    expect(page.locator("main a[href='/hr/board']")).to_have_count(0)  # no HR role: no HR dashboard offered
    page.click("text=Шығу")
    expect(page).to_have_url(f"{live_app.url}/login")
    page.goto(f"{live_app.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    with UnitOfWork(live_app.engine, actor="test") as uow:
        [session] = uow.users.sessions_of(1)
    assert session.ended_at is not None


def test_the_language_is_switched_and_kept_in_the_account(page: Any, live_app: LiveApp) -> None:
    page.goto(f"{live_app.url}/login")
    page.click("text=Русский")
    expect(page.locator("h1")).to_have_text("Войти")
    log_in(page, live_app, path="/login")  # aigul's account says Kazakh: the account wins once logged in
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.click("header form.languages button[value=en]")
    expect(page.locator("h1")).to_contain_text("Welcome, Айгерім Сәрсенова")
    page.goto(f"{live_app.url}/account")
    page.check("input[name=language][value=ru]")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Моя учётная запись")
    with UnitOfWork(live_app.engine, actor="test") as uow:
        assert uow.users.by_login("aigul").language.value == "ru"  # type: ignore[union-attr]


def test_a_forged_or_missing_csrf_token_is_refused(page: Any, live_app: LiveApp) -> None:
    """CSRF: every form carries the session's token; a forged one is refused with 403 and a clear message."""
    log_in(page, live_app)
    page.goto(f"{live_app.url}/account")
    page.eval_on_selector("main form input[name=csrf_token]", "input => input.value = 'forged'")
    page.check("input[name=language][value=ru]")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Қате 403")
    expect(page.locator("[role=alert]")).to_contain_text("қауіпсіздік белгісі")
    with UnitOfWork(live_app.engine, actor="test") as uow:
        assert uow.users.by_login("aigul").language.value == "kk", "nothing changed"  # type: ignore[union-attr]
    shoot(page, "csrf-refused-kk")
    # another site's form, posting with the victim's cookie (SameSite=Lax does not stop a same-site attacker)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.post(f"{live_app.url}/language", data={"language": "en"}, cookies=cookies)
    assert answer.status_code == 403


def test_the_login_form_is_protected_too(page: Any, live_app: LiveApp) -> None:
    page.goto(f"{live_app.url}/login")
    page.eval_on_selector("form[action='/login'] input[name=csrf_token]", "input => input.value = 'forged'")
    page.fill("#login", "aigul")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("Қате 403")


def test_an_expired_session_goes_back_to_login_and_then_to_the_wanted_page(page: Any, live_app: LiveApp) -> None:
    log_in(page, live_app)
    live_app.clock.advance(minutes=61)
    page.goto(f"{live_app.url}/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account&expired=1$"))
    expect(page.locator("[role=status]")).to_have_text("Сеанс уақыты аяқталды. Қайта кіріңіз.")
    shoot(page, "login-expired-kk")
    page.fill("#login", "aigul")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{live_app.url}/account")


def test_a_form_sent_after_the_session_expired_goes_to_login_not_403(page: Any, live_app: LiveApp) -> None:
    log_in(page, live_app, path="/account")
    expect(page).to_have_url(f"{live_app.url}/account")
    live_app.clock.advance(minutes=61)
    page.check("input[name=language][value=en]")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login\?next=/account&expired=1$"))


def test_an_htmx_request_of_an_expired_session_is_redirected_by_header(live_app: LiveApp) -> None:
    with httpx.Client(base_url=live_app.url) as client:
        client.post("/api/v1/session", json={"login": "aigul", "password": PASSWORD})
        live_app.clock.advance(minutes=61)
        answer = client.get(
            "/account", headers={"HX-Request": "true", "HX-Current-URL": f"{live_app.url}/account?tab=2"}
        )
    assert answer.status_code == 401
    assert answer.headers["hx-redirect"] == "/login?next=/account%3Ftab%3D2&expired=1"


@pytest.mark.parametrize(
    ("language", "login_title", "date_pattern", "minutes"),
    [
        ("kk", "Кіру", r"\d{4}\sж\.\s\d{1,2}\s[а-яәғқңөұүһі]+", r"\d+ минуттан кейін"),
        ("ru", "Войти", r"\d{1,2}\s[а-яё]+\s\d{4}\sг\.", r"через \d+ минут[ау]?"),
        ("en", "Sign in", r"[A-Z][a-z]+\s\d{1,2},\s\d{4}", r"in \d+ minutes?"),
    ],
)
def test_every_page_in_each_language(
    page: Any, live_app: LiveApp, language: str, login_title: str, date_pattern: str, minutes: str
) -> None:
    """Screenshots of each page in kk, ru and en (build/screenshots/), with the dates and plurals of the language."""
    page.goto(f"{live_app.url}/login?lang={language}")
    expect(page.locator("h1")).to_have_text(login_title)
    expect(page.locator("html")).to_have_attribute("lang", language)
    shoot(page, f"login-{language}")
    log_in(page, live_app, "aigul", "wrong password!", path=f"/login?lang={language}")
    shoot(page, f"login-refused-{language}")
    log_in(page, live_app, "root", path="/login")
    page.click(f"header form.languages button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("p.today")).to_have_text(re.compile(date_pattern))
    assert ".." not in page.locator("p.today").inner_text()  # "7 декабря 2026 г." ends its sentence itself
    expect(page.locator("main a[href='/hr/board']")).to_have_count(1)  # an admin finds the HR dashboard from home
    assert "<" not in page.title()  # the title is text, never markup
    shoot(page, f"home-{language}")
    page.goto(f"{live_app.url}/account")
    expect(page.locator("dl.facts")).to_contain_text(re.compile(minutes))
    shoot(page, f"account-{language}")
    page.goto(f"{live_app.url}/no-such-page")
    expect(page.locator("h1")).to_contain_text("404")
    shoot(page, f"not-found-{language}")
