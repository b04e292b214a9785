"""What the door answers when something is wrong — never a traceback, never a hint of what exists.

- not logged in: the API answers 401 (``WWW-Authenticate: Bearer``; ``detail`` in the request's language); a page
  redirects to the login page with the wanted URL in ``next`` (an htmx request gets an ``HX-Redirect`` header
  instead), saying so when a session expired;
- a missing or forged CSRF token: 403 with a clear message (a page, or JSON under ``/api/``);
- a refused access (R-2): 404, as if the thing did not exist; the refusal was recorded by whoever raised it;
- an action the rules refuse (:class:`application.errors.Rejected`): 422 with ``{"rule": "C-2", "detail": …}``
  under ``/api/`` (``detail`` in the person's language, with the sentence's ``key`` and ``params``: decision 0150),
  the reason on a page in its language (routes that re-render their form catch it themselves);
- an unknown page: 404; a request too large: 413; bad input to the API: 422 (FastAPI's body); the API's plain
  404/405/429/500 answers say their ``detail`` in the request's language too (decision 0195);
- anything unexpected: 500 with a reference number; the traceback goes to the server's log only.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from application.errors import Rejected
from web.cookies import forget_session_cookie
from web.i18n import N_

if TYPE_CHECKING:
    from web.rendering import Pages

log = logging.getLogger("bagalau.web")

API_PREFIX = "/api/"


class NotAuthenticated(Exception):
    """The request needs a session and has none (``expired``: it had one that expired)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("not logged in")
        self.expired = expired


class CsrfRefused(Exception):
    """An unsafe request without the session's CSRF token (or with a forged one)."""


class NotFoundRefusal(Exception):
    """Answer 404: the resource does not exist for this principal (an R-2 refusal already recorded)."""


MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please sign in."),
    403: N_(
        "The form was refused: its security token is missing or does not match your session. Reload the page "
        "and try again."
    ),
    404: N_("There is no such page, or it is not yours to see."),
    405: N_("This address does not accept that kind of request."),
    413: N_("What was sent is too large."),
    422: N_("The action was refused."),
    429: N_("Too many requests; wait a little and try again."),
    500: N_("Something went wrong on our side. The error was recorded; please try again later."),
}
#: The API's 401 answers (``{"detail": …}``), in the request's language like every other JSON refusal: the account's
#: when there is one, else the ``bagalau_lang`` cookie, else Kazakh (``web.rendering.request_language``).
NOT_AUTHENTICATED = N_("not authenticated")
SESSION_EXPIRED = N_("session expired; log in again")
#: The API's other plain answers, in the request's language the same way. A 404 says the same sentence whether the
#: thing does not exist or is not the reader's to see (R-2); clients match on the status code, never the text.
API_NOT_FOUND = N_("not found")
API_METHOD_NOT_ALLOWED = N_("method not allowed")
API_INTERNAL_ERROR = N_("internal error")
API_RATE_LIMITED = N_("too many failed attempts; try again in %(seconds)d s")
API_DETAILS = {404: API_NOT_FOUND, 405: API_METHOD_NOT_ALLOWED, 500: API_INTERNAL_ERROR}
CSRF_API_DETAIL = N_(
    "CSRF token missing or invalid: send the session's token in the X-CSRF-Token header (a cookie session), "
    "or authenticate with Authorization: Bearer"
)


def refusal_body(exc: Rejected, said: str, language: str) -> dict[str, object]:
    """The API's answer to a refusal (decision 0150): ``rule`` and ``detail`` (in the person's language) as ever,
    plus the sentence's stable ``key`` (its English template), its ``params`` and the ``language`` of ``detail``,
    and what the refusal knows beside it (:meth:`Rejected.details`: the ``field``, what is ``allowed``)."""
    return {
        "rule": exc.rule,
        "detail": said,
        "key": exc.phrase.template,
        "params": {name: _plain(value) for name, value in exc.phrase.params.items()},
        "language": language,
        **exc.details(),
    }


def _plain(value: object) -> object:
    """A refusal's value as JSON: numbers and truth as they are, decimals and texts as strings, dates in ISO."""
    if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str.__str__(value) if isinstance(value, str) else str(value)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def safe_next(value: str | None) -> str:
    """A local path to go back to after login; anything else (another site, ``//host``) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(c in value for c in "\r\n"):
        return "/"
    return value


def wanted_url(request: Request) -> str:
    """The path and query of the page a person wanted: for htmx the page the fragment belongs to, for a form the
    page it was on (this site's ``Referer``), else the requested page."""
    from urllib.parse import urlsplit

    current = request.headers.get("HX-Current-URL")
    if current is None and request.method != "GET":
        referer = request.headers.get("Referer", "")
        current = referer if urlsplit(referer).netloc == request.url.netloc else "/"
    if current:
        parts = urlsplit(current)
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_redirect(request: Request, *, expired: bool = False) -> Response:
    """Back to the login page, keeping the wanted URL (htmx: ``HX-Redirect``)."""
    target = f"/login?next={quote(wanted_url(request), safe='/')}"
    if expired:
        target += "&expired=1"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def install(app: FastAPI, pages: Pages) -> None:
    """Register the handlers on ``app``."""

    def page(
        request: Request, status: int, *, headers: dict[str, str] | None = None, ref: str | None = None
    ) -> Response:
        return pages.render(
            request,
            "error.html",
            status_code=status,
            headers=headers,
            status=status,
            message=MESSAGES[status],
            reference=ref,
        )

    async def not_authenticated(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotAuthenticated)
        if wants_json(request):
            detail = pages.translator(request).gettext(SESSION_EXPIRED if exc.expired else NOT_AUTHENTICATED)
            return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        response = login_redirect(request, expired=exc.expired)
        if exc.expired:
            forget_session_cookie(request, response)
        return response

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        log.warning("CSRF token refused: %s %s", request.method, request.url.path)
        if wants_json(request):
            translator = pages.translator(request)  # a cookie session: its account's language
            said = {"detail": translator.gettext(CSRF_API_DETAIL), "language": translator.language.value}
            return JSONResponse(said, status_code=403)
        return page(request, 403)

    def detail(request: Request, status: int) -> dict[str, str]:
        return {"detail": pages.translator(request).gettext(API_DETAILS[status])}

    async def refused(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return JSONResponse(detail(request, 404), status_code=404)
        return page(request, 404)

    async def rejected(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Rejected)
        said = pages.say(request, exc)
        if wants_json(request):
            return JSONResponse(refusal_body(exc, said, pages.translator(request).language.value), status_code=422)
        return pages.render(request, "error.html", status_code=422, status=422, message=said, reference=None)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if wants_json(request):
            # A missing thing and a refused one answer alike; a refusal's own words stay as they are.
            said = detail(request, exc.status_code) if exc.status_code in (404, 405) else {"detail": exc.detail}
            return JSONResponse(said, status_code=exc.status_code, headers=headers)
        status = exc.status_code if exc.status_code in MESSAGES else 400
        return page(request, status, headers=headers)

    async def invalid_page_input(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if wants_json(request):
            from fastapi.encoders import jsonable_encoder

            errors = [{k: v for k, v in error.items() if k != "ctx" and k != "input"} for error in exc.errors()]
            return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
        return page(request, 400)

    async def unexpected(request: Request, exc: Exception) -> Response:
        reference = secrets.token_hex(4)
        log.error("unexpected error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
        if wants_json(request):
            return JSONResponse({**detail(request, 500), "reference": reference}, status_code=500)
        try:
            return page(request, 500, ref=reference)
        except Exception:  # the error page itself failed: plain text, still without internals
            return Response(f"Internal error (reference {reference})", status_code=500, media_type="text/plain")

    app.add_exception_handler(NotAuthenticated, not_authenticated)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(NotFoundRefusal, refused)
    app.add_exception_handler(Rejected, rejected)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_page_input)
    app.add_exception_handler(Exception, unexpected)
