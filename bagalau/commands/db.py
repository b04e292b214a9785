"""``bagalau db``: migrate the configured database (``BAGALAU_DATABASE_URL``) up or down, and show where it is."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from bagalau.settings import Settings, get_settings

app = typer.Typer(help="Create, migrate and inspect the Bagalau database.", no_args_is_help=True)

UrlOption = Annotated[
    str | None, typer.Option("--url", help="database URL (default: BAGALAU_DATABASE_URL or the embedded SQLite file)")
]


def _settings(url: str | None) -> Settings:
    try:
        return Settings(database_url=url) if url else get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            setting = "BAGALAU_" + "_".join(str(part) for part in error["loc"]).upper()
            typer.echo(f"bagalau db: {setting}: {error['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None


def _where(settings: Settings) -> str:
    from sqlalchemy import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
    url: UrlOption = None,
) -> None:
    """Migrate the database up to REVISION (default: the latest), creating it from nothing if needed."""
    from persistence import db

    settings = _settings(url)
    db.upgrade(settings.database_url, revision, app_role=settings.app_role)
    typer.echo(f"{_where(settings)}: at revision {db.current(settings.database_url)}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="target revision; 'base' empties the database")] = "-1",
    url: UrlOption = None,
) -> None:
    """Migrate the database down one step (or to REVISION; 'base' drops every table)."""
    from persistence import db

    settings = _settings(url)
    db.downgrade(settings.database_url, revision, app_role=settings.app_role)
    typer.echo(f"{_where(settings)}: at revision {db.current(settings.database_url) or 'base (empty)'}")


@app.command()
def current(url: UrlOption = None) -> None:
    """Show the database's revision and whether it is the latest; exit 1 if it needs `bagalau db upgrade`."""
    from persistence import db

    settings = _settings(url)
    revision, latest = db.current(settings.database_url), db.head()
    state = "up to date" if revision == latest else f"behind: the latest is {latest}, run `bagalau db upgrade`"
    typer.echo(f"{_where(settings)}: at revision {revision or 'base (empty)'} ({state})")
    if revision != latest:
        raise typer.Exit(1)
