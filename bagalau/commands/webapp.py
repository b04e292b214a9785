"""``bagalau web``: serve the web app and JSON API alone (uvicorn), on the configured database; Ctrl-C stops.

The composition root of the door: it reads ``Settings`` (the database, the time zone) and ``WebSettings``
(``BAGALAU_WEB_*``), checks that the database is at the latest revision, builds the app with
``web.app.create_app`` and hands it to uvicorn.
"""

from __future__ import annotations

from typing import Annotated

import typer

EXIT_BAD_SETTINGS = 2
EXIT_DATABASE = 1


def web(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    db: Annotated[
        str | None, typer.Option("--db", metavar="URL", help="database URL (default: BAGALAU_DATABASE_URL)")
    ] = None,
    proxy_headers: Annotated[
        bool, typer.Option("--proxy-headers", help="trust X-Forwarded-For/-Proto from 127.0.0.1 (behind a proxy)")
    ] = False,
) -> None:
    """Serve the web app (pages and /api/v1) until Ctrl-C; the database must be at the latest revision."""
    import uvicorn
    from pydantic import ValidationError

    from bagalau.commands.user import _engine, _settings
    from web.app import create_app
    from web.clock import SystemClock
    from web.config import WebSettings

    settings = _settings(db)
    try:
        web_settings = WebSettings()
    except ValidationError as exc:
        for error in exc.errors():
            where = "_".join(str(part) for part in error["loc"]).upper()
            name = f"BAGALAU_WEB_{where}: " if where else ""
            typer.echo(f"bagalau web: {name}{error['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(EXIT_BAD_SETTINGS) from None
    engine = _engine(settings)
    from bagalau.bootstrap import build_environment

    env = build_environment(settings, engine=engine)
    from deployments.runs import PrefectRuns

    runs = PrefectRuns(web_settings.prefect_api_url, ui_url=web_settings.prefect_ui_url)
    app = create_app(web_settings, engine, clock=SystemClock(settings.timezone), env=env, runs=runs)
    if web_settings.environment == "development":
        typer.echo("development mode: cookies are not Secure; set BAGALAU_WEB_ENVIRONMENT=production behind HTTPS")
    typer.echo(f"Bagalau web app on http://{host}:{port}/ — Ctrl-C to stop")
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=proxy_headers,
            forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
            server_header=False,
            log_level="info",
        )
    except KeyboardInterrupt:  # a second Ctrl-C while uvicorn shuts down
        pass
    finally:
        engine.dispose()
    typer.echo("stopped")
