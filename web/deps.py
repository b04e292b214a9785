"""Typed dependencies of the routes (as full-stack-fastapi-template's ``api/deps.py``): no globals, no lookups.

::

    @router.get("/evaluations/{evaluation_id}")
    def evaluation(evaluation_id: int, principal: CurrentPrincipal, session: SessionDep) -> …: …

- :data:`SessionDep`: a SQLAlchemy session on the app's engine for the request (rolled back unless committed);
- :data:`OptionalLogin`: the request's :class:`~web.auth.Login` or ``None`` (a bearer token in
  ``Authorization: Bearer …`` first, else the session cookie);
- :data:`CurrentLogin` / :data:`CurrentPrincipal`: the same, required: without a session the API answers 401 and a
  page redirects to the login page keeping the wanted URL;
- :func:`csrf_protect`: installed on the whole app; every unsafe request carried by the session cookie must carry
  the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``), and every unsafe page request
  without a session the signed pre-session token of the login form (docs/decisions/0031);
- :func:`refuse`: record an R-2 refusal and answer 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.responses import Response

from application.environment import Environment
from domain.access import Principal
from web import security
from web.auth import Authenticator, Expired, Login
from web.config import WebSettings
from web.cookies import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    cookie_name,
)
from web.errors import API_PREFIX, CsrfRefused, NotAuthenticated, NotFoundRefusal
from web.rendering import Pages

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PRESESSION_MAX_AGE = 2 * 3600
#: Unsafe requests that need no CSRF token without a session: the JSON login (a browser cannot send JSON
#: cross-site without CORS, which is off) and logging out when already logged out.
ANONYMOUS_EXEMPT = frozenset({"/logout"})
#: The JSON login opens a new session whatever cookie the client has; it takes JSON only (FastAPI's strict content
#: type), which a cross-site form cannot send, so it needs no token.
CSRF_EXEMPT = frozenset({("POST", "/api/v1/session")})

bearer_scheme = HTTPBearer(auto_error=False, description="the token of `POST /api/v1/session`")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="the browser's session cookie")


def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_env(request: Request) -> Environment:
    """The application's environment (database, clock, rulebooks, launcher) the actions and queries run in."""
    env: Environment = request.app.state.env
    return env


EnvDep = Annotated[Environment, Depends(get_env)]


def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


SettingsDep = Annotated[WebSettings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
AuthenticatorDep = Annotated[Authenticator, Depends(get_authenticator)]
PagesDep = Annotated[Pages, Depends(get_pages)]


def get_db(engine: EngineDep) -> Iterator[Session]:
    """A database session for the request; rolled back at the end unless the route committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: what uvicorn's ``--proxy-headers`` made of ``X-Forwarded-For``)."""
    return request.client.host if request.client else "unknown"


def resolved_login(request: Request, authenticator: AuthenticatorDep, settings: SettingsDep) -> Login | None:
    """The request's login, or ``None``: a bearer token first, else the session cookie; resolved once per request
    (``request.state.login``). Undocumented in the OpenAPI schema (the CSRF check uses it on every route)."""
    if hasattr(request.state, "login"):
        cached = request.state.login
        return cached if isinstance(cached, Login) else None
    result: Login | Expired | None = None
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        result = authenticator.resolve(credentials.strip(), kind="bearer")
    else:
        token = request.cookies.get(cookie_name(settings, SESSION_COOKIE))
        if token:
            result = authenticator.resolve(token, kind="cookie")
    login = result if isinstance(result, Login) else None
    request.state.session_expired = isinstance(result, Expired)
    request.state.login = login
    if login is not None:
        request.state.today = authenticator.clock.today()
    return login


ResolvedLogin = Annotated[Login | None, Depends(resolved_login)]


def optional_login(
    login: ResolvedLogin,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Login | None:
    """The request's login, or ``None`` (the OpenAPI schema shows the two ways to carry a session)."""
    return login


OptionalLogin = Annotated[Login | None, Depends(optional_login)]


def current_login(request: Request, login: OptionalLogin) -> Login:
    """The request's login; without one: 401 (API) or the login page (pages)."""
    if login is None:
        raise NotAuthenticated(expired=bool(getattr(request.state, "session_expired", False)))
    return login


CurrentLogin = Annotated[Login, Depends(current_login)]


def current_principal(login: CurrentLogin) -> Principal:
    """Who acts (R-2): the logged-in person with their roles of today."""
    return login.principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def csrf_protect(request: Request, login: ResolvedLogin, settings: SettingsDep) -> None:
    """Refuse (403) an unsafe request that lacks the CSRF token its session or the login form gave out."""
    if request.method not in UNSAFE_METHODS or (request.method, request.url.path) in CSRF_EXEMPT:
        return
    if login is not None:
        if login.via == "bearer":
            return  # a browser never adds an Authorization header by itself
        if not security.csrf_matches(login.session.csrf_secret, await _submitted_token(request)):
            raise CsrfRefused()
        return
    if request.url.path in ANONYMOUS_EXEMPT:
        return
    if getattr(request.state, "session_expired", False):
        raise NotAuthenticated(expired=True)  # a form left open past its session: log in again, not "forged"
    if request.url.path.startswith(API_PREFIX):
        return
    nonce = request.cookies.get(cookie_name(settings, PRESESSION_COOKIE))
    signed = security.unsign(settings.secret_key.get_secret_value(), "presession", await _submitted_token(request))
    if not nonce or signed != nonce:
        raise CsrfRefused()


async def _submitted_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def presession_token(request: Request, response_cookies: dict[str, str], settings: WebSettings) -> str:
    """The login form's CSRF token: a signed copy of the browser's pre-session nonce (``response_cookies`` gets the
    nonce cookie, by its short name, when the browser has none yet)."""
    nonce = request.cookies.get(cookie_name(settings, PRESESSION_COOKIE))
    if not nonce or len(nonce) > 100:
        nonce = security.new_token()
        response_cookies[PRESESSION_COOKIE] = nonce
    return security.sign(settings.secret_key.get_secret_value(), "presession", nonce, max_age=PRESESSION_MAX_AGE)


def set_cookie(response: Response, settings: WebSettings, name: str, value: str, *, max_age: int | None) -> None:
    """An HttpOnly, SameSite=Lax cookie for the whole site (Secure outside development)."""
    response.set_cookie(
        cookie_name(settings, name),
        value,
        max_age=max_age,
        path="/",
        secure=settings.cookies_secure,
        httponly=True,
        samesite="lax",
    )


#: The pattern of every free-text query parameter: no control character (PostgreSQL text cannot hold a NUL), so
#: such input is a 422 naming the parameter, never a server error.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def refuse(
    request: Request, principal: Principal, *, resource: str, action: str = "read", rule: str = "R-2"
) -> NotFoundRefusal:
    """Record that ``principal`` was refused ``resource`` (``access_refusal``); raise the result: 404 follows.

    ::

        if not may_see_result(principal, parties):
            raise refuse(request, principal, resource=f"evaluation:{evaluation_id}")
    """
    login: Login | None = getattr(request.state, "login", None)
    get_authenticator(request).record_refusal(
        principal,
        resource=resource.replace("\x00", "\\x00"),  # PostgreSQL text holds no NUL; the attempt is still recorded
        action=action,
        rule=rule,
        user_id=login.user.id if login else None,
        path=request.url.path,
        client=client_address(request),
    )
    return NotFoundRefusal()
