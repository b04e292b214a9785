"""The JSON API under ``/api/v1`` (OpenAPI at ``/openapi.json``): sessions, who am I, health.

The shape is fixed so that outside tools can rely on it:

- ``POST /api/v1/session`` ``{"login", "password"}`` → 201 with a bearer ``token`` (send it as
  ``Authorization: Bearer …``) and, for a browser, an HttpOnly session cookie whose CSRF token is ``csrf_token``
  (send it as ``X-CSRF-Token`` on unsafe requests carried by the cookie); 401 for bad credentials (one message for
  unknown login, wrong password, disabled account); 429 with ``Retry-After`` when rate-limited;
- ``DELETE /api/v1/session`` ends the session the request is carried by (204);
- ``GET /api/v1/me`` says who is logged in (login, person, body, roles, language); ``PATCH`` changes the language;
- ``GET /api/v1/health`` answers without a session (checks the database);
- every other ``/api/v1`` path answers 401 without a session (and 404/405 with one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Match

from domain.vocabulary import Language, Role
from persistence.models import BodyRow, PersonRow
from web.auth import LoggedIn, Login, RateLimited
from web.cookies import SESSION_COOKIE, forget_session_cookie
from web.deps import (
    AuthenticatorDep,
    CurrentLogin,
    EngineDep,
    PagesDep,
    SessionDep,
    SettingsDep,
    client_address,
    current_login,
    set_cookie,
)
from web.errors import API_METHOD_NOT_ALLOWED, API_NOT_FOUND, API_RATE_LIMITED
from web.i18n import N_

API_V1 = "/api/v1"
#: The answer to bad credentials, in the request's language (the login cookie's, else Kazakh), like the other 401s.
WRONG_CREDENTIALS = N_("wrong login or password")


class Problem(BaseModel):
    """What went wrong, in one sentence."""

    detail: str


class Credentials(BaseModel):
    """A login and its password."""

    login: str = Field(min_length=1, max_length=200, examples=["aigul.n"])
    password: str = Field(min_length=1, max_length=1024, examples=["correct horse battery staple"])


class PersonOut(BaseModel):
    personnel_number: str
    full_name: str


class BodyOut(BaseModel):
    code: str
    name: str


class SessionOut(BaseModel):
    """The session a request is carried by."""

    kind: Literal["cookie", "bearer"]
    method: str
    expires_at: datetime


class Me(BaseModel):
    """Who is logged in: the account, the person and body it acts for, and its roles today (R-2)."""

    login: str
    person: PersonOut | None
    body: BodyOut | None
    roles: list[Role]
    language: Language
    session: SessionOut


class SessionOpened(BaseModel):
    """A new session: the bearer token (shown once) and the CSRF token of the browser's cookie session."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    csrf_token: str
    me: Me


class LanguageIn(BaseModel):
    language: Language


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"model": Problem, "description": "no session, or it expired"}}


class InvalidField(BaseModel):
    """One malformed field: where it is, what is wrong, of which kind."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidInput(BaseModel):
    """The request is malformed: every field at fault, each named."""

    detail: list[InvalidField]


class Refusal(BaseModel):
    """An action the rules refuse: the rule's id (``C-2``) where the methodology has one, and the reason in the
    person's language (``language``); ``key`` is the sentence's stable English template and ``params`` the values
    put in it, for a client that says it its own way (decision 0150); ``field`` and ``allowed`` where the refusal
    names them (a setup or schedule action), ``moves`` for a calendar day refused under open windows (P-7)."""

    rule: str | None
    detail: str
    key: str | None = None
    params: dict[str, Any] | None = None
    language: str | None = None
    field: str | None = None
    allowed: str | None = None
    moves: list[dict[str, str]] | None = None


#: 422 has two shapes: FastAPI's list of malformed fields, and a refusal of the rules (``{"rule", "detail"}``).
REJECTED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": InvalidInput | Refusal,
        "description": "malformed input (each field named), or an action the rules refuse (the rule named)",
    }
}
public = APIRouter(prefix=API_V1, tags=["session"])
private = APIRouter(prefix=API_V1, dependencies=[Depends(current_login)], responses={**UNAUTHORIZED, **REJECTED})


def _me(login: Login, session: SessionDep) -> Me:
    person = body = None
    if login.user.person_id is not None:
        row = session.get(PersonRow, login.user.person_id)
        if row is not None:
            person = PersonOut(personnel_number=row.personnel_number, full_name=row.full_name)
    if login.user.body_id is not None:
        body_row = session.get(BodyRow, login.user.body_id)
        if body_row is not None:
            body = BodyOut(code=body_row.code, name=body_row.name)
    return Me(
        login=login.user.login,
        person=person,
        body=body,
        roles=sorted(login.principal.roles),
        language=login.language,
        session=SessionOut(kind=login.via, method=login.session.method, expires_at=login.session.expires_at),
    )


@public.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(engine: EngineDep) -> JSONResponse:
    """Whether the app and its database answer (no session needed)."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@public.post(
    "/session",
    status_code=201,
    response_model=SessionOpened,
    responses={
        401: {"model": Problem, "description": "wrong login or password (the same for an unknown login)"},
        429: {"model": Problem, "description": "too many failed attempts; see Retry-After"},
    },
)
def open_session(
    credentials: Annotated[Credentials, Body()],
    request: Request,
    response: Response,
    authenticator: AuthenticatorDep,
    settings: SettingsDep,
    session: SessionDep,
    pages: PagesDep,
) -> SessionOpened | JSONResponse:
    """Log in: a bearer token for API clients and a session cookie for browsers (rate-limited, logged)."""
    client = client_address(request)
    outcome = authenticator.password_login(credentials.login, credentials.password, client=client)
    if isinstance(outcome, RateLimited):
        said = pages.translator(request).gettext(API_RATE_LIMITED) % {"seconds": outcome.retry_after}
        return JSONResponse(
            {"detail": said},
            status_code=429,
            headers={"Retry-After": str(outcome.retry_after)},
        )
    if not isinstance(outcome, LoggedIn):
        return JSONResponse({"detail": pages.translator(request).gettext(WRONG_CREDENTIALS)}, status_code=401)
    token, bearer = authenticator.open_session(outcome.user, kind="bearer", client=client)
    cookie_token, _ = authenticator.open_session(outcome.user, kind="cookie", client=client)
    cookie_login = authenticator.resolve(cookie_token, kind="cookie")
    assert isinstance(cookie_login, Login)
    set_cookie(response, settings, SESSION_COOKIE, cookie_token, max_age=settings.session_lifetime_minutes * 60)
    bearer_login = Login(session=bearer, user=cookie_login.user, principal=cookie_login.principal, via="bearer")
    return SessionOpened(
        token=token, expires_at=bearer.expires_at, csrf_token=cookie_login.csrf_token(), me=_me(bearer_login, session)
    )


@private.delete("/session", status_code=204, responses={403: {"model": Problem}})
def close_session(login: CurrentLogin, request: Request, authenticator: AuthenticatorDep) -> Response:
    """Log out: the session this request is carried by ends (a cookie session needs its X-CSRF-Token)."""
    authenticator.end_session(login)
    response = Response(status_code=204)
    if login.via == "cookie":
        forget_session_cookie(request, response)
    return response


@private.get("/me", response_model=Me)
def me(login: CurrentLogin, session: SessionDep) -> Me:
    """Who is logged in: login, person, body, roles (granted ∪ body roles of today), language."""
    return _me(login, session)


@private.patch("/me", response_model=Me, responses={403: {"model": Problem}})
def change_language(
    change: Annotated[LanguageIn, Body()], login: CurrentLogin, authenticator: AuthenticatorDep, session: SessionDep
) -> Me:
    """Change the account's language (kk, ru, en)."""
    authenticator.set_language(login, change.language)
    user = authenticator.user(login.user.id)
    return _me(Login(session=login.session, user=user, principal=login.principal, via=login.via), session)


@private.api_route(
    "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], include_in_schema=False
)
def not_here(request: Request, pages: PagesDep) -> JSONResponse:
    """Any other ``/api/v1`` path: 401 without a session (the router's dependency), else 404 or 405."""
    allowed: set[str] = set()
    for route in [*public.routes, *private.routes]:
        if getattr(route, "endpoint", None) is not_here:
            continue
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            allowed |= set(getattr(route, "methods", set()) or set())
    translator = pages.translator(request)
    if allowed:
        return JSONResponse(
            {"detail": translator.gettext(API_METHOD_NOT_ALLOWED)},
            status_code=405,
            headers={"Allow": ", ".join(sorted(allowed))},
        )
    return JSONResponse({"detail": translator.gettext(API_NOT_FOUND)}, status_code=404)
