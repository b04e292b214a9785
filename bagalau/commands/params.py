"""The parameters every ``bagalau`` command shares, validated once, here, before anything runs.

Each parser turns the text of one argument into a value or refuses it with ``typer.BadParameter``: the command
line then exits 2 with ``Invalid value for '--as-of': …``, naming the argument and saying what is allowed. The
checks that need the database (an unreachable ``--db``, a ``--body`` that does not exist, a ``--case`` that is not
there) are the helpers at the bottom; they refuse the same way. Nothing past this module sees raw argument text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from domain.calendar import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, parse_iso_date

if TYPE_CHECKING:
    import sqlalchemy as sa

    from bagalau.settings import Settings

MAX_ID = 2**63 - 1
"""The largest id a database row can have (BIGINT); anything above cannot name a row."""

MAX_COUNT = 1_000_000
"""The largest count an option such as ``--batch-size`` accepts."""

LANGUAGES = ("kk", "ru", "en")
_CODE = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")
_PERIOD = re.compile(r"^(\d{4})(?:-[Qq]([1-4]))?$")
_YEARS = f"{FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}"


def fail(option: str, message: str) -> NoReturn:
    """Refuse the value of ``option``: exit 2 with ``Invalid value for 'OPTION': MESSAGE``."""
    raise typer.BadParameter(message, param_hint=f"'{option}'")


def _shown(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…'"


# --- parsers (typer.Option(parser=…)) ---------------------------------------------------------------------


def iso_date(value: str | date) -> date:
    """A calendar day the working-day calendar covers (``YYYY-MM-DD``, or ``dd.mm.yyyy`` as HR writes it)."""
    if isinstance(value, date):
        return value
    try:
        day = parse_iso_date(str(value), "date")
    except (TypeError, ValueError):
        raise typer.BadParameter(
            f"{_shown(value)} is not a date: write YYYY-MM-DD, a real calendar day (e.g. 2025-04-11)"
        ) from None
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        raise typer.BadParameter(f"{day.isoformat()} is outside the years the calendar covers ({_YEARS})")
    return day


def period_label(value: str) -> str:
    """``2025-Q1`` … ``2025-Q4`` or ``2025`` (a year), in the years the calendar covers; returned normalised."""
    match = _PERIOD.match(str(value).strip())
    if match is None:
        raise typer.BadParameter(
            f"{_shown(value)} is not a period: write YYYY-Q1 … YYYY-Q4 for a quarter or YYYY for a year (2025-Q1, 2025)"
        )
    year, quarter = int(match.group(1)), match.group(2)
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise typer.BadParameter(f"{value!r}: the year must be within {_YEARS}")
    return f"{year}-Q{quarter}" if quarter else str(year)


def year(value: str | int) -> int:
    """A year the working-day calendar covers."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,4}", text) or not FIRST_SUPPORTED_YEAR <= int(text) <= LAST_SUPPORTED_YEAR:
        raise typer.BadParameter(f"{_shown(value)} is not a year the calendar covers: a year within {_YEARS}")
    return int(text)


def code(value: str) -> str:
    """A state body's code: 1 to 64 characters, no spaces or control characters (``nchr``)."""
    text = str(value).strip()
    if not _CODE.match(text):
        raise typer.BadParameter(
            f"{_shown(value)} is not a body code: 1 to 64 characters without spaces or control characters (nchr)"
        )
    return text


def language(value: str) -> str:
    """``kk``, ``ru`` or ``en``."""
    text = str(value).strip().lower()
    if text not in LANGUAGES:
        raise typer.BadParameter(f"{_shown(value)} is not a language: one of {', '.join(LANGUAGES)}")
    return text


def database_url(value: str) -> str:
    """A database URL Bagalau can use (``postgresql://…`` or ``sqlite:///path``), normalised; not yet connected."""
    import sqlalchemy as sa

    from bagalau.settings import normalize_database_url

    text = str(value).strip()
    try:
        url = normalize_database_url(text)
    except ValueError as exc:
        raise typer.BadParameter(_hide(str(exc))) from None
    try:
        parsed = sa.make_url(url)
        _ = parsed.port  # a port that is not a number fails here
    except (ValueError, TypeError, sa.exc.ArgumentError) as exc:
        raise typer.BadParameter(
            f"{_shown(_hide(text))} is not a usable database URL ({_hide(str(exc))[:100]}); "
            "use postgresql://USER@HOST/DATABASE or sqlite:///path/to/file.db"
        ) from None
    if parsed.get_backend_name() == "postgresql" and not parsed.database:
        raise typer.BadParameter(f"{_hide(text)} names no database: postgresql://USER@HOST/DATABASE")
    return url


def text_value(limit: int = 200) -> Any:
    """A parser for free text of at most ``limit`` characters without control characters (an actor's name)."""

    def parse(value: str) -> str:
        text = str(value).strip()
        if not text or len(text) > limit or re.search(r"[\x00-\x1f\x7f]", text):
            raise typer.BadParameter(f"{_shown(value)}: 1 to {limit} characters, no control characters")
        return text

    return parse


def _hide(text: str) -> str:
    """A URL or message with any password in it replaced by ``****``."""
    from bagalau.commands.last_resort import mask

    return mask(text)


# --- shared option types ----------------------------------------------------------------------------------

Id = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="a row id: a whole number from 1")]

AsOfOption = Annotated[
    date | None,
    typer.Option("--as-of", metavar="DATE", parser=iso_date, help="the day to act for, YYYY-MM-DD; default: today"),
]
PeriodOption = Annotated[
    str | None, typer.Option("--period", metavar="PERIOD", parser=period_label, help="2025-Q1 … 2025-Q4, or 2025")
]
BodyOption = Annotated[
    str | None,
    typer.Option("--body", metavar="CODE", parser=code, help="state body code; default: every body (or the only one)"),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--db", metavar="URL", parser=database_url, help="database URL (default: BAGALAU_DATABASE_URL)"),
]
LanguageOption = Annotated[str, typer.Option("--language", "-l", parser=language, help="kk, ru or en")]


# --- checks that need the settings or the database --------------------------------------------------------


def settings_for(url: str | None = None, *, option: str = "--db", secrets: bool = False) -> Settings:
    """The settings, with ``url`` (already parsed) as the database when given; a bad setting exits 2 naming it.

    ``secrets``: the command reads or writes channel secrets, so ``BAGALAU_SECRET_KEY`` must be usable (required
    outside development: Bagalau refuses to start without it).
    """
    from pydantic import ValidationError

    from bagalau.settings import Settings, SettingsError, get_settings

    try:
        settings = Settings(database_url=url) if url else get_settings()
        if secrets:
            settings.secret_box()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "BAGALAU_" + "_".join(str(part) for part in error["loc"]).upper()
        where = option if url and name == "BAGALAU_DATABASE_URL" else name
        fail(where, _hide(str(error["msg"]).removeprefix("Value error, ")))
    except SettingsError as exc:
        fail("BAGALAU_SECRET_KEY", str(exc))
    return settings


@contextmanager
def connected(url: str, *, option: str = "--db", role: str | None = None) -> Iterator[sa.Engine]:
    """An engine on ``url`` whose database answered; exit 2 naming ``option`` if it cannot be reached."""
    import sqlalchemy as sa

    from persistence.db import make_engine

    shown = shown_url(url)
    try:
        engine = make_engine(url, role=role) if role else make_engine(url)
    except (ValueError, OSError, sa.exc.ArgumentError) as exc:
        fail(option, f"{shown}: {_hide(str(exc))}")
    try:
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            fail(option, f"cannot connect to {shown}: {_hide(reason)}")
        yield engine
    finally:
        engine.dispose()


@contextmanager
def connected_app(settings: Settings, *, option: str = "BAGALAU_DATABASE_URL") -> Iterator[sa.Engine]:
    """The application's engine (``SET ROLE`` to ``BAGALAU_APP_ROLE`` on PostgreSQL), reachable, and past the
    start-up check: outside development a superuser or owner login exits 2 naming ``option`` (issue 12)."""
    from bagalau.bootstrap import check_app_engine
    from bagalau.settings import SettingsError

    role = None if settings.is_sqlite else settings.app_role
    with connected(settings.database_url, option=option, role=role) as engine:
        try:
            check_app_engine(settings, engine)
        except SettingsError as exc:
            fail(option, str(exc).removeprefix("BAGALAU_DATABASE_URL "))
        yield engine


def shown_url(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (ValueError, sa.exc.ArgumentError):
        return _hide(url)


def require_schema(engine: sa.Engine, command: str) -> None:
    """Exit 1 unless the database is at the latest revision (``bagalau db upgrade`` creates and updates it)."""
    from persistence import db as database

    revision = database.current(engine)
    if revision != database.head():
        typer.echo(
            f"bagalau {command}: the database is at revision {revision or 'base (empty)'}; "
            "run `bagalau db upgrade` first",
            err=True,
        )
        raise typer.Exit(1)


def require_body(engine: sa.Engine, body: str | None, *, option: str = "--body") -> None:
    """Exit 2 when ``body`` is given and no state body has that code (listing the codes there are)."""
    if body is None:
        return
    import sqlalchemy as sa

    from persistence.models import BodyRow

    table: sa.Table = BodyRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        codes = list(connection.scalars(sa.select(table.c.code).order_by(table.c.code).limit(21)))
    if body in codes:
        return
    if len(codes) > 20 or not codes:
        known = "the database has no state body yet" if not codes else "see `bagalau org import --help`"
    else:
        known = "known: " + ", ".join(codes)
    fail(option, f"no state body has the code {body!r} ({known})")


def require_row(engine: sa.Engine, table_name: str, row_id: int, *, option: str, what: str) -> None:
    """Exit 2 when ``table_name`` has no row ``row_id`` (an evaluation, a calibration case …)."""
    import sqlalchemy as sa

    from persistence.models import metadata

    table = metadata.tables[table_name]
    with engine.connect() as connection:
        found = connection.scalar(sa.select(table.c.id).where(table.c.id == row_id))
    if found is None:
        fail(option, f"there is no {what} {row_id}")
