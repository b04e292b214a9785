"""The web app's factory: ``create_app(config, engine)`` builds the FastAPI app of the people's door.

::

    app = create_app(WebSettings(), make_engine(settings.database_url))
    uvicorn.run(app)                       # what `bagalau web` does

Nothing is read from the environment here: the settings, the engine and (optionally) the clock are handed in by
the composition root (``bagalau web``) or a test. The app holds them in ``app.state`` (``settings``, ``engine``,
``clock``, ``env``, ``authenticator``, ``pages``, ``catalogs``, ``oidc``) and the routes reach them through the typed
dependencies of :mod:`web.deps`.

Around every request: a body-size limit (413), the security headers (a strict Content-Security-Policy: scripts
and styles from this site only, no inline code; no framing; no referrer to other sites), and the CSRF check
(:func:`web.deps.csrf_protect`). Errors are answered by :mod:`web.errors` — never with a traceback.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.environment import Environment
from web import errors
from web.auth import Authenticator
from web.clock import Clock, SystemClock
from web.config import WebSettings
from web.deps import csrf_protect
from web.i18n import Catalogs
from web.oidc import OidcClient
from web.rendering import Pages
from web.routes import api, documents, evaluations, hr, hr_setup, pages, panels, sheets
from web.runs import NoRuns, RunsReader

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 1024 * 1024  # a justification is text: a megabyte is far more than any form needs


class BodyLimit:
    """Answer 413 to a request whose body is larger than ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"detail":"request body too large"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """The headers every answer carries (and ``Cache-Control: no-store`` on everything but static files)."""

    def __init__(self, app: ASGIApp, *, form_targets: str = "'self'") -> None:
        self.app = app
        policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"form-action {form_targets}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
        self.headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in self.headers if name not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    config: WebSettings,
    engine: Engine,
    *,
    clock: Clock | None = None,
    env: Environment | None = None,
    runs: RunsReader | None = None,
) -> FastAPI:
    """The web app over ``engine`` configured by ``config``; ``clock`` defaults to the system's (Asia/Almaty days).

    ``env`` is the application's environment the actions and queries run in (``bagalau web`` builds it with the
    deployment launcher and the configured links); without one, a plain environment over ``engine`` (no sub-flow
    launcher: a calibration session is then started by the next daily sweep). ``runs`` reads the stalled Prefect
    runs for ``/hr/runs`` (``bagalau web`` passes ``deployments.runs.PrefectRuns``; default: none configured)."""
    app = FastAPI(
        title="Bagalau",
        summary="Performance evaluation of B-corps civil servants: the people's door (web pages and JSON API).",
        version="1",
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI loads its scripts from a CDN: no network, and the CSP forbids it
        redoc_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    catalogs = Catalogs()
    app.state.settings = config
    app.state.engine = engine
    app.state.env = env if env is not None else Environment(engine=engine)
    app.state.clock = clock or SystemClock()
    app.state.catalogs = catalogs
    app.state.authenticator = Authenticator(engine, config, app.state.clock)
    app.state.pages = Pages(catalogs, sso_enabled=config.sso_enabled)
    app.state.oidc = OidcClient(config) if config.sso_enabled else None
    app.state.runs = runs if runs is not None else NoRuns()
    errors.install(app, app.state.pages)
    app.include_router(api.public)
    app.include_router(hr.api)  # before api.private: its catch-all answers every other /api/v1 path
    app.include_router(hr_setup.api)  # before api.private too
    app.include_router(evaluations.api)  # before api.private too
    app.include_router(sheets.api)  # before api.private too
    app.include_router(panels.api)  # likewise
    app.include_router(api.private)
    app.include_router(pages.router)
    app.include_router(hr.pages)
    app.include_router(hr_setup.pages)
    app.include_router(evaluations.pages)
    app.include_router(sheets.pages)
    app.include_router(panels.pages)
    app.include_router(documents.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)
    return app
