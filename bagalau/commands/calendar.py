"""``bagalau calendar``: the Kazakhstan working-day calendar with operator overrides (P-6, P-7)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bagalau.commands import params
from domain.calendar import HOLIDAY_NAME_LANGUAGES, WorkingCalendar, parse_iso_date

app = typer.Typer(help="Kazakhstan working days (P-7), with operator overrides.", no_args_is_help=True)

MAX_DAYS = 100_000
"""More working days than the calendar's whole range holds; anything beyond is refused as an argument."""


def _holiday_language(value: str) -> str:
    if value not in HOLIDAY_NAME_LANGUAGES:
        raise typer.BadParameter(f"{value[:20]!r} has no holiday names: one of {', '.join(HOLIDAY_NAME_LANGUAGES)}")
    return value


DaysOption = Annotated[
    str | None,
    typer.Option(help="comma-separated ISO dates, e.g. 2025-04-02,2025-04-03", show_default=False),
]


def _dates(raw: str | None, field: str) -> list[date]:
    if not raw:
        return []
    return [parse_iso_date(part.strip(), field) for part in raw.split(",") if part.strip()]


def _calendar(days_off: str | None, working_days: str | None) -> WorkingCalendar:
    return WorkingCalendar(days_off=_dates(days_off, "--days-off"), working_days=_dates(working_days, "--working-days"))


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@app.command("add")
def add(
    day: Annotated[str, typer.Argument(metavar="DATE", help="the event date, YYYY-MM-DD")],
    n: Annotated[
        int,
        typer.Argument(
            metavar="N", min=-MAX_DAYS, max=MAX_DAYS, help="working days to add (counting starts the day after)"
        ),
    ],
    days_off: DaysOption = None,
    working_days: DaysOption = None,
) -> None:
    """Print the date N Kazakhstan working days after DATE (P-7: counting starts the day after)."""
    try:
        calendar = _calendar(days_off, working_days)
        start = parse_iso_date(day, "DATE")
        result = calendar.add_working_days(start, n) if n >= 0 else calendar.subtract_working_days(start, -n)
    except (TypeError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(result.isoformat())


@app.command("is-working")
def is_working(
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
    days_off: DaysOption = None,
    working_days: DaysOption = None,
) -> None:
    """Print `yes` if DATE is a Kazakhstan working day, else `no`."""
    try:
        working = _calendar(days_off, working_days).is_working_day(parse_iso_date(day, "DATE"))
    except (TypeError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo("yes" if working else "no")


@app.command("holidays")
def holidays(
    year: Annotated[int, typer.Argument(parser=params.year, metavar="YEAR", help="the year to list")],
    language: Annotated[str, typer.Option(parser=_holiday_language, help="kk, en or uk")] = "kk",
) -> None:
    """List the public holidays and decree days off of a year."""
    try:
        rows = WorkingCalendar().holidays_between(date(year, 1, 1), date(year, 12, 31), language=language)
    except (TypeError, ValueError) as exc:
        raise _fail(exc) from None
    for day, name in rows:
        typer.echo(f"{day.isoformat()}  {name}")
