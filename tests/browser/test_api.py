"""The JSON API over real HTTP (httpx against uvicorn, PostgreSQL as the application role): sessions, bearer tokens,
cookies with CSRF, rate limits, expiry, the login log, and answers that never leak (R-2, no account enumeration)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import Request

from persistence.uow import UnitOfWork
from tests.browser.conftest import NOT_FOUND, PASSWORD, LiveApp, WebOrg
from web.deps import CurrentPrincipal, refuse

pytestmark = pytest.mark.postgres


@pytest.fixture
def client(live_app: LiveApp) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_app.url, timeout=30) as http:
        yield http


def log_in(client: httpx.Client, login: str = "aigul", password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/session", json={"login": login, "password": password})


def bearer(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['token']}"}


def attempts(live_app: LiveApp, login: str) -> list[str]:
    with UnitOfWork(live_app.engine, actor="test") as uow:
        return [attempt.outcome for attempt in reversed(uow.users.attempts(login=login))]


def test_health_answers_without_a_session(client: httpx.Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("PATCH", "/api/v1/me"),
        ("DELETE", "/api/v1/session"),
        ("GET", "/api/v1/evaluations"),
        ("POST", "/api/v1/anything/else"),
        ("GET", "/api/v1/"),
    ],
)
def test_every_other_api_path_answers_401_without_a_session(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": NOT_AUTHENTICATED["kk"]}  # no account, no cookie: Kazakh, as the pages


#: The 401 answers in each language: the same negotiation as every JSON refusal (the account's language, else the
#: ``bagalau_lang`` cookie, else Kazakh); the shape stays ``{"detail"}``.
NOT_AUTHENTICATED = {
    "kk": "жүйеге кірмегенсіз: алдымен жүйеге кіріңіз",
    "ru": "вход не выполнен: сначала войдите в систему",
    "en": "not authenticated",
}
SESSION_EXPIRED = {
    "kk": "сеанс мерзімі өтті; жүйеге қайта кіріңіз",
    "ru": "сеанс истёк; войдите в систему снова",
    "en": "session expired; log in again",
}
WRONG_CREDENTIALS = {
    "kk": "логин немесе құпиясөз қате",
    "ru": "неверный логин или пароль",
    "en": "wrong login or password",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_401_answers_speak_the_language_of_the_request(client: httpx.Client, language: str) -> None:
    client.cookies.set("bagalau_lang", language)
    missing = client.get("/api/v1/evaluations")
    assert missing.status_code == 401 and missing.json() == {"detail": NOT_AUTHENTICATED[language]}
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token-at-all"})
    assert forged.status_code == 401 and forged.json() == {"detail": NOT_AUTHENTICATED[language]}
    wrong = log_in(client, "aigul", "not the password at all")
    assert wrong.status_code == 401 and wrong.json() == {"detail": WRONG_CREDENTIALS[language]}


def test_a_login_opens_a_bearer_session_and_a_cookie_session(client: httpx.Client, live_app: LiveApp) -> None:
    response = log_in(client)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["token"]) >= 40
    assert body["me"]["login"] == "aigul"
    assert body["me"]["person"] == {"personnel_number": "E1", "full_name": "Айгерім Сәрсенова"}
    assert body["me"]["body"] == {"code": "nchr", "name": "Ұлттық орталық"}
    assert body["me"]["roles"] == [] and body["me"]["language"] == "kk"
    assert "bagalau_session" in response.cookies
    set_cookie = response.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie and "Path=/" in set_cookie
    with UnitOfWork(live_app.engine, actor="test") as uow:
        [token, cookie] = sorted(uow.users.sessions_of(1), key=lambda s: s.kind)
        stored = uow.session.execute(sa.text("SELECT token_hash FROM web_session")).scalars().all()
    assert (cookie.kind, token.kind) == ("cookie", "bearer")
    assert body["token"] not in stored, "only the token's SHA-256 is stored"
    assert attempts(live_app, "aigul") == ["ok"]


def test_me_with_a_bearer_token_names_the_roles_of_today(client: httpx.Client, web_org: WebOrg) -> None:
    """R-2: the principal's roles are the account's granted roles and the person's body roles valid today."""
    me = client.get("/api/v1/me", headers=bearer(log_in(client, "dana")))
    assert me.status_code == 200
    assert me.json()["roles"] == ["hr", "hr_head"]  # granted hr, body role hr_head
    assert me.json()["language"] == "ru" and me.json()["session"]["kind"] == "bearer"
    admin = client.get("/api/v1/me", headers=bearer(log_in(client, "root"))).json()
    assert admin["person"] is None and admin["body"]["code"] == "nchr" and admin["roles"] == ["admin"]


def test_the_same_answer_for_an_unknown_login_and_a_wrong_password(client: httpx.Client, live_app: LiveApp) -> None:
    unknown = log_in(client, "nobody", PASSWORD)
    wrong = log_in(client, "aigul", "not the password at all")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() == {"detail": WRONG_CREDENTIALS["kk"]}
    assert attempts(live_app, "nobody") == ["no_account"]
    assert attempts(live_app, "aigul") == ["bad_credentials"]


def test_a_disabled_account_gets_the_same_answer_and_loses_its_sessions(
    client: httpx.Client, live_app: LiveApp, web_org: WebOrg
) -> None:
    headers = bearer(log_in(client, "erlan"))
    with UnitOfWork(live_app.engine, actor="test") as uow:
        uow.users.set_disabled(web_org.erlan, True, at=live_app.clock.now())
        uow.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refused = log_in(client, "erlan")
    assert refused.status_code == 401 and refused.json() == {"detail": WRONG_CREDENTIALS["kk"]}
    assert attempts(live_app, "erlan") == ["ok", "disabled"]


def test_failed_logins_are_rate_limited_per_login(client: httpx.Client, live_app: LiveApp) -> None:
    for _ in range(3):  # the limit of the test settings
        assert log_in(client, "aigul", "wrong password!").status_code == 401
    limited = log_in(client, "aigul", PASSWORD)  # even the right password waits
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 15 * 60 + 1
    assert log_in(client, "AIGUL", PASSWORD).status_code == 429, "logins are case-insensitive"
    assert log_in(client, "dana").status_code == 201, "another login from the same address still works"
    live_app.clock.advance(minutes=16)
    assert log_in(client, "aigul").status_code == 201, "the window slides on"
    assert attempts(live_app, "aigul") == ["bad_credentials"] * 3 + ["rate_limited"] * 2 + ["ok"]


def test_failed_logins_are_rate_limited_per_client_address(client: httpx.Client) -> None:
    for index in range(8):  # eight different logins, one address
        assert log_in(client, f"guess{index}", "wrong password!").status_code == 401
    assert log_in(client, "dana").status_code == 429


def test_a_bearer_session_ends_with_delete(client: httpx.Client) -> None:
    headers = bearer(log_in(client))
    assert client.delete("/api/v1/session", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_cookie_session_needs_its_csrf_token_for_unsafe_requests(client: httpx.Client) -> None:
    """CSRF: a request carried by the cookie must carry the session's token (X-CSRF-Token); bearer ones need not."""
    opened = log_in(client)
    csrf = opened.json()["csrf_token"]
    assert client.get("/api/v1/me").json()["session"]["kind"] == "cookie"
    missing = client.patch("/api/v1/me", json={"language": "en"})
    assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["detail"]
    forged = client.patch("/api/v1/me", json={"language": "en"}, headers={"X-CSRF-Token": csrf[:-4] + "AAA="})
    assert forged.status_code == 403
    changed = client.patch("/api/v1/me", json={"language": "en"}, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200 and changed.json()["language"] == "en"
    assert client.delete("/api/v1/session").status_code == 403
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_session_is_refused_and_says_so(client: httpx.Client, live_app: LiveApp) -> None:
    headers = bearer(log_in(client))
    live_app.clock.advance(minutes=29)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # used: the idle timeout restarts
    live_app.clock.advance(minutes=29)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    live_app.clock.advance(minutes=3)  # 61 minutes after login: past the absolute lifetime of the test settings
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and expired.json() == {"detail": SESSION_EXPIRED["kk"]}
    for language in ("ru", "en"):  # the visitor's cookie decides once the session is gone
        headers = bearer(log_in(client))
        client.cookies.set("bagalau_lang", language)
        live_app.clock.advance(minutes=61)
        again = client.get("/api/v1/me", headers=headers)
        assert again.status_code == 401 and again.json() == {"detail": SESSION_EXPIRED[language]}


def test_an_idle_session_expires(client: httpx.Client, live_app: LiveApp) -> None:
    headers = bearer(log_in(client))
    live_app.clock.advance(minutes=31)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


#: The API's other plain answers, in the request's language the same way as its 401s.
METHOD_NOT_ALLOWED = {
    "kk": "бұл мекенжай мұндай сұрауды қабылдамайды",
    "ru": "этот адрес не принимает такой запрос",
    "en": "method not allowed",
}
RATE_LIMITED = {
    "kk": "сәтсіз әрекеттер тым көп; {seconds} с кейін қайталаңыз",
    "ru": "слишком много неудачных попыток; повторите через {seconds} с",
    "en": "too many failed attempts; try again in {seconds} s",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_unknown_paths_and_methods_with_a_session(client: httpx.Client, language: str) -> None:
    headers = bearer(log_in(client))
    assert client.patch("/api/v1/me", json={"language": language}, headers=headers).status_code == 200
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert (missing.status_code, missing.json()) == (404, {"detail": NOT_FOUND[language]})
    wrong_method = client.put("/api/v1/me", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET, PATCH"
    assert wrong_method.json() == {"detail": METHOD_NOT_ALLOWED[language]}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_rate_limit_speaks_the_language_of_the_request(client: httpx.Client, language: str) -> None:
    client.cookies.set("bagalau_lang", language)
    for _ in range(3):  # the limit of the test settings
        assert log_in(client, "aigul", "wrong password!").status_code == 401
    limited = log_in(client, "aigul", PASSWORD)
    assert limited.status_code == 429
    said = RATE_LIMITED[language].format(seconds=int(limited.headers["retry-after"]))
    assert limited.json() == {"detail": said}


@pytest.mark.parametrize(
    "payload",
    [
        {"login": "ai\x00gul", "password": PASSWORD},
        {"login": "a" * 201, "password": PASSWORD},
        {"login": "aigul", "password": "x" * 1025},
        {"login": "<script>alert(1)</script>", "password": "' OR 1=1 --"},
        {"login": 42, "password": None},
        {},
    ],
)
def test_bad_login_input_is_refused_without_a_server_error(client: httpx.Client, payload: dict[str, object]) -> None:
    response = client.post("/api/v1/session", json=payload)
    assert response.status_code in (401, 422)
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def test_a_login_must_be_json(client: httpx.Client) -> None:
    """A cross-site form cannot log a victim in: the JSON login refuses form and text bodies."""
    form = client.post("/api/v1/session", data={"login": "aigul", "password": PASSWORD})
    body = f'{{"login":"aigul","password":"{PASSWORD}"}}'
    text = client.post("/api/v1/session", content=body, headers={"content-type": "text/plain"})
    assert form.status_code == text.status_code == 422


def test_a_body_over_a_megabyte_is_refused(client: httpx.Client) -> None:
    response = client.post("/api/v1/session", json={"login": "aigul", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_the_openapi_schema_describes_the_api(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/health", "/api/v1/session", "/api/v1/me"} <= paths
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)  # pages stay out of the API's schema
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_a_refused_access_is_answered_404_and_recorded(client: httpx.Client, live_app: LiveApp) -> None:
    """R-2: a refusal looks like a missing thing, and it is written to access_refusal."""

    @live_app.app.get("/probe/{number}")
    def probe(number: int, request: Request, principal: CurrentPrincipal) -> dict[str, int]:
        if principal.person != "E1":
            raise refuse(request, principal, resource=f"evaluation:{number}")
        return {"number": number}

    live_app.app.router.routes.insert(0, live_app.app.router.routes.pop())  # before the pages' routes
    assert client.get("/probe/7", headers=bearer(log_in(client, "aigul"))).json() == {"number": 7}
    refused = client.get("/probe/8", headers=bearer(log_in(client, "dana")))
    # nothing of the refused thing shows (the page's menu links to "My evaluations", so the word itself may)
    assert refused.status_code == 404 and "evaluation:8" not in refused.text
    with UnitOfWork(live_app.engine, actor="test") as uow:
        [refusal] = uow.users.refusals()
    assert (refusal.actor, refusal.resource, refusal.rule, refusal.path) == (
        "user:dana (person:H1)",
        "evaluation:8",
        "R-2",
        "/probe/8",
    )


def test_a_server_error_shows_no_internals(client: httpx.Client, live_app: LiveApp) -> None:
    @live_app.app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    live_app.app.router.routes.insert(0, live_app.app.router.routes.pop())
    response = client.get("/api/v1/boom", headers=bearer(log_in(client)))
    assert response.status_code == 500
    assert set(response.json()) == {"detail", "reference"} and "hunter2" not in response.text
