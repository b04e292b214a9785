"""``bagalau db``: migrate the configured database (``BAGALAU_DATABASE_URL``) up or down, and show where it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from bagalau.commands import params
from bagalau.settings import Settings

app = typer.Typer(help="Create, migrate and inspect the Bagalau database.", no_args_is_help=True)

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        metavar="URL",
        parser=params.database_url,
        help="database URL (default: BAGALAU_DATABASE_URL or the embedded SQLite file)",
    ),
]
RevisionArgument = Annotated[str, typer.Argument(metavar="REVISION", parser=params.text_value(64))]


def _settings(url: str | None) -> Settings:
    """The settings; ``--url`` names the database to migrate (the owner's: migrations run as the schema owner)."""
    settings = params.settings_for(url, option="--url")
    return settings.model_copy(update={"owner_database_url": url}) if url else settings


def _reachable(settings: Settings, url: str | None) -> None:
    """Exit 2 naming ``--url`` (or the variable) when the database cannot be reached."""
    with params.connected(settings.migration_url, option=_option(settings, url)):
        pass


def _option(settings: Settings, url: str | None) -> str:
    if url:
        return "--url"
    return "BAGALAU_OWNER_DATABASE_URL" if settings.owner_database_url else "BAGALAU_DATABASE_URL"


@contextmanager
def _alembic_refusal(option: str) -> Iterator[None]:
    """Alembic's refusal (a revision it cannot reach from the database's own) as an exit 2 naming ``option``."""
    from alembic.util.exc import CommandError

    try:
        yield
    except CommandError as exc:
        params.fail(option, str(exc).splitlines()[0][:300])


def _check_revision(revision: str, *, down: bool) -> None:
    """A revision Alembic knows: ``head``, ``base``, a relative step (``-1``, ``+1``) or one of ours."""
    from alembic.script import ScriptDirectory

    from persistence.db import alembic_config

    if revision in {"head", "heads", "base"} or (revision[:1] in "+-" and revision[1:].isdigit() and revision[1:]):
        if down and revision.startswith("+") or not down and revision.startswith("-"):
            params.fail("REVISION", f"{revision!r} goes the other way: {'downgrade' if down else 'upgrade'} here")
        return
    known = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    if revision not in known:
        params.fail("REVISION", f"{revision!r} is not a revision: head, base, -1 or one of {', '.join(sorted(known))}")


def _where(settings: Settings) -> str:
    from sqlalchemy import make_url

    return make_url(settings.migration_url).render_as_string(hide_password=True)


@app.command()
def upgrade(
    revision: RevisionArgument = "head",
    url: UrlOption = None,
) -> None:
    """Migrate the database up to REVISION (default: the latest), creating it from nothing if needed."""
    from persistence import db

    _check_revision(revision, down=False)
    settings = _settings(url)
    _reachable(settings, url)
    with _alembic_refusal("REVISION"):
        db.upgrade(settings.migration_url, revision, app_role=settings.app_role)
    typer.echo(f"{_where(settings)}: at revision {db.current(settings.migration_url)}")


@app.command()
def downgrade(
    revision: RevisionArgument = "-1",
    url: UrlOption = None,
) -> None:
    """Migrate the database down one step (or to REVISION; 'base' drops every table)."""
    from persistence import db

    _check_revision(revision, down=True)
    settings = _settings(url)
    _reachable(settings, url)
    with _alembic_refusal("REVISION"):
        db.downgrade(settings.migration_url, revision, app_role=settings.app_role)
    typer.echo(f"{_where(settings)}: at revision {db.current(settings.migration_url) or 'base (empty)'}")


@app.command()
def current(url: UrlOption = None) -> None:
    """Show the database's revision and whether it is the latest; exit 1 if it needs `bagalau db upgrade`."""
    from persistence import db

    settings = _settings(url)
    _reachable(settings, url)
    revision, latest = db.current(settings.migration_url), db.head()
    state = "up to date" if revision == latest else f"behind: the latest is {latest}, run `bagalau db upgrade`"
    typer.echo(f"{_where(settings)}: at revision {revision or 'base (empty)'} ({state})")
    if revision != latest:
        raise typer.Exit(1)


@app.command("seal-secrets")
def seal_secrets(url: UrlOption = None) -> None:
    """Encrypt the contacts' apprise URLs stored in clear (written before 0006) with BAGALAU_SECRET_KEY."""
    import sqlalchemy as sa

    from persistence.models import ContactChannelRow
    from persistence.secrets import is_sealed

    settings = params.settings_for(url, option="--url", secrets=True)
    box = settings.secret_box()
    table: sa.Table = ContactChannelRow.__table__  # type: ignore[attr-defined]
    with params.connected(settings.database_url, option="--url" if url else "BAGALAU_DATABASE_URL") as engine:
        params.require_schema(engine, "db seal-secrets")
        with engine.begin() as connection:
            query = sa.select(table.c.id, table.c.apprise_url).where(table.c.apprise_url.is_not(None))
            rows = connection.execute(query)
            plain = [(row_id, value) for row_id, value in rows if not is_sealed(value)]
            for row_id, value in plain:
                connection.execute(sa.update(table).where(table.c.id == row_id).values(apprise_url=box.seal(value)))
    typer.echo(f"{_where(settings)}: sealed {len(plain)} contact URL(s) stored in clear")
