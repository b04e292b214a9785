"""The app's cookies: their names (``__Host-`` with Secure cookies) and how they are dropped."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.config import WebSettings

SESSION_COOKIE = "bagalau_session"
PRESESSION_COOKIE = "bagalau_presession"


def cookie_name(settings: WebSettings, name: str) -> str:
    """``__Host-`` names with Secure cookies (bound to this host and path ``/``), plain names in development."""
    return f"__Host-{name}" if settings.cookies_secure else name


def drop_cookie(response: Response, settings: WebSettings, name: str) -> None:
    """Delete one of the app's cookies (with the same flags it was set with, or a ``__Host-`` one is kept)."""
    response.delete_cookie(
        cookie_name(settings, name), path="/", secure=settings.cookies_secure, httponly=True, samesite="lax"
    )


def forget_session_cookie(request: Request, response: Response) -> None:
    """Delete the session cookie from the browser."""
    settings: WebSettings = request.app.state.settings
    drop_cookie(response, settings, SESSION_COOKIE)
