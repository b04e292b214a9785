"""The pages of the door itself: login (password or single sign-on), logout, language, the home and account pages.

Every form carries the CSRF token (``{{ csrf_token }}``); the global :func:`~web.deps.csrf_protect` checks it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from application.queries.inbox import inbox
from application.queries.panels import approvals_waiting
from domain.facts import FactError
from web import i18n
from web.auth import BadCredentials, LoggedIn, RateLimited
from web.cookies import PRESESSION_COOKIE, SESSION_COOKIE, cookie_name, drop_cookie, forget_session_cookie
from web.deps import (
    AuthenticatorDep,
    CurrentLogin,
    EnvDep,
    OptionalLogin,
    PagesDep,
    SessionDep,
    SettingsDep,
    client_address,
    presession_token,
    set_cookie,
)
from web.errors import log, safe_next
from web.i18n import N_
from web.oidc import STATE_MAX_AGE, OidcClient, SsoFailed
from web.rendering import LANGUAGE_COOKIE
from web.security import sign, unsign

router = APIRouter(include_in_schema=False)

SSO_COOKIE = "bagalau_sso"
BAD_CREDENTIALS = N_("Wrong login or password.")
SSO_FAILED = N_("Single sign-on did not succeed. Try again, or sign in with your password.")
SSO_NO_ACCOUNT = N_("There is no Bagalau account for this sign-in, or it is disabled. Ask the HR service.")
EXPIRED = N_("Your session has expired. Please sign in again.")
YEAR = 365 * 24 * 3600


def _login_page(
    request: Request,
    pages: PagesDep,
    settings: SettingsDep,
    *,
    next_url: str,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
    login_value: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    cookies: dict[str, str] = {}
    token = presession_token(request, cookies, settings)
    response = pages.render(
        request,
        "login.html",
        status_code=status_code,
        headers=headers,
        csrf_token=token,
        next_url=next_url,
        error=error,
        notice=notice,
        login_value=login_value,
    )
    for name, value in cookies.items():
        set_cookie(response, settings, name, value, max_age=None)
    return response


@router.get("/")
def home(login: CurrentLogin, pages: PagesDep, request: Request, env: EnvDep) -> Response:
    """The home page of a logged-in person (with the sheets waiting for them, if any: the inbox's link)."""
    try:
        waiting = inbox(env, login.principal, language=login.language)
        sheets_due = len(waiting.of("sheet")) + len(waiting.of("review"))
    except FactError:  # the body's facts are inconsistent: the home page still opens, the inbox says why
        sheets_due = 0
    approvals = approvals_waiting(env, login.principal)  # M-7: Commission results waiting for the official
    return pages.render(
        request, "home.html", user=login.user, principal=login.principal, sheets_due=sheets_due, approvals=approvals
    )


@router.get("/login")
def login_page(
    request: Request,
    pages: PagesDep,
    settings: SettingsDep,
    login: OptionalLogin,
    next_url: Annotated[str, Query(alias="next", max_length=2000)] = "/",
    expired: bool = False,
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The login form (``?lang=ru`` chooses the visitor's language; ``?expired=1`` says the session expired)."""
    next_url = safe_next(next_url)
    chosen = i18n.language_of(lang)
    if chosen is not None:
        target = f"/login?next={quote(next_url, safe='/')}" + ("&expired=1" if expired else "")
        response: Response = RedirectResponse(target, status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, chosen.value, max_age=YEAR, path="/", samesite="lax")
        return response
    if login is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, pages, settings, next_url=next_url, notice=EXPIRED if expired else None)


@router.post("/login")
def login_submit(
    request: Request,
    pages: PagesDep,
    settings: SettingsDep,
    authenticator: AuthenticatorDep,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the login and password (rate-limited, logged); on success a session cookie and back to ``next``."""
    next_url = safe_next(next_url)
    outcome = authenticator.password_login(login, password, client=client_address(request))
    if isinstance(outcome, LoggedIn):
        token, _ = authenticator.open_session(outcome.user, kind="cookie", client=client_address(request))
        response: Response = RedirectResponse(next_url, status_code=303)
        set_cookie(response, settings, SESSION_COOKIE, token, max_age=settings.session_lifetime_minutes * 60)
        drop_cookie(response, settings, PRESESSION_COOKIE)
        return response
    translator = pages.translator(request)
    if isinstance(outcome, RateLimited):
        minutes = max(1, -(-outcome.retry_after // 60))
        message = translator.ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.",
            minutes,
        ) % {"num": minutes}
        return _login_page(
            request,
            pages,
            settings,
            next_url=next_url,
            status_code=429,
            error=message,
            login_value=login[:200],
            headers={"Retry-After": str(outcome.retry_after)},
        )
    assert isinstance(outcome, BadCredentials)
    return _login_page(
        request, pages, settings, next_url=next_url, status_code=401, error=BAD_CREDENTIALS, login_value=login[:200]
    )


@router.post("/logout")
def logout(request: Request, login: OptionalLogin, authenticator: AuthenticatorDep) -> Response:
    """End the session and go back to the login page."""
    if login is not None:
        authenticator.end_session(login)
    response = RedirectResponse("/login", status_code=303)
    forget_session_cookie(request, response)
    return response


@router.post("/language")
def choose_language(
    request: Request,
    login: OptionalLogin,
    authenticator: AuthenticatorDep,
    language: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Store the language of the pages: in the account when logged in, else in a cookie."""
    chosen = i18n.language_of(language)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    if chosen is None:
        return response
    if login is not None:
        authenticator.set_language(login, chosen)
    else:
        response.set_cookie(LANGUAGE_COOKIE, chosen.value, max_age=YEAR, path="/", samesite="lax")
    return response


@router.get("/account")
def account(
    login: CurrentLogin, pages: PagesDep, request: Request, session: SessionDep, authenticator: AuthenticatorDep
) -> Response:
    """Who is logged in: person, body, roles, language, session."""
    from persistence.models import BodyRow

    body_name = None
    if login.user.body_id is not None:
        body_name = session.get(BodyRow, login.user.body_id)
    return pages.render(
        request,
        "account.html",
        user=login.user,
        principal=login.principal,
        body=body_name,
        web_session=login.session,
        minutes_left=max(0, int((login.session.expires_at - authenticator.clock.now()).total_seconds() // 60)),
    )


# --- single sign-on ----------------------------------------------------------------------------------------------


def _oidc(request: Request) -> OidcClient | None:
    client: OidcClient | None = request.app.state.oidc
    return client


def _callback_url(request: Request, settings: SettingsDep) -> str:
    return settings.oidc_redirect_url or str(request.url_for("sso_callback"))


@router.get("/login/sso")
async def sso_start(
    request: Request,
    pages: PagesDep,
    settings: SettingsDep,
    next_url: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    """Go to the identity provider (OpenID Connect), coming back to ``/login/sso/callback``."""
    client = _oidc(request)
    if client is None:
        return RedirectResponse("/login", status_code=303)
    try:
        url, kept = await client.start(_callback_url(request, settings))
    except SsoFailed as exc:
        log.warning("single sign-on could not start: %s", exc)
        return _login_page(request, pages, settings, next_url=safe_next(next_url), status_code=502, error=SSO_FAILED)
    kept["next"] = safe_next(next_url)
    response = RedirectResponse(url, status_code=303)
    signed = sign(settings.secret_key.get_secret_value(), "sso", kept, max_age=STATE_MAX_AGE)
    set_cookie(response, settings, SSO_COOKIE, signed, max_age=STATE_MAX_AGE)
    return response


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(
    request: Request, pages: PagesDep, settings: SettingsDep, authenticator: AuthenticatorDep
) -> Response:
    """Back from the identity provider: verify, find the account, open a session."""
    client = _oidc(request)
    if client is None:
        return RedirectResponse("/login", status_code=303)
    kept: Any = unsign(
        settings.secret_key.get_secret_value(), "sso", request.cookies.get(cookie_name(settings, SSO_COOKIE))
    )
    next_url = safe_next(kept.get("next")) if isinstance(kept, dict) else "/"
    params = {key: value for key, value in request.query_params.items() if key in ("code", "state", "error")}
    try:
        if not isinstance(kept, dict):
            raise SsoFailed("no sign-in in progress (or it took more than 10 minutes)")
        identity = await client.finish(kept, params)
    except SsoFailed as exc:
        log.warning("single sign-on refused: %s", exc)
        response = _login_page(request, pages, settings, next_url=next_url, status_code=401, error=SSO_FAILED)
        drop_cookie(response, settings, SSO_COOKIE)
        return response
    from starlette.concurrency import run_in_threadpool

    client_ip = client_address(request)
    user = await run_in_threadpool(authenticator.sso_login, identity.login, identity.groups, client=client_ip)
    if user is None:
        response = _login_page(request, pages, settings, next_url=next_url, status_code=403, error=SSO_NO_ACCOUNT)
    else:
        token, _ = await run_in_threadpool(
            authenticator.open_session, user, kind="cookie", client=client_ip, method="oidc"
        )
        response = RedirectResponse(next_url, status_code=303)
        set_cookie(response, settings, SESSION_COOKIE, token, max_age=settings.session_lifetime_minutes * 60)
    drop_cookie(response, settings, SSO_COOKIE)
    return response
