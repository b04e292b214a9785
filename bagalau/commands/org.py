"""``bagalau org``: the state body's organization — import HR's staff files (CSV, XLSX, a scenario's organization)."""

from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from bagalau.commands import params

if TYPE_CHECKING:
    from persistence.importers import Problem

app = typer.Typer(help="The state body's organization: import staff from HR's files.", no_args_is_help=True)

EXIT_BAD_FILE = 2
EXIT_DATABASE = 1


def _today(timezone: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return "cli:org-import"


def _warn(source: str, warnings: list[Problem]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning.render(source)}", err=True)


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(metavar="FILE", help="staff file: .csv, .xlsx, or a scenario .yaml")],
    body: Annotated[
        str | None,
        typer.Option(
            "--body", metavar="CODE", parser=params.code, help="the state body (created if new); default: the only one"
        ),
    ] = None,
    body_name: Annotated[
        str | None,
        typer.Option(
            "--body-name", metavar="NAME", parser=params.text_value(500), help="name of a body this import creates"
        ),
    ] = None,
    db: params.DatabaseOption = None,
    as_of: Annotated[
        date | None,
        typer.Option(
            "--as-of", metavar="DATE", parser=params.iso_date, help="day undated changes take effect (default: today)"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and count the changes, write nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report (or the problems) as JSON")] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor", parser=params.text_value(200), help="who imports, for the audit log (default: cli:<login>)"
        ),
    ] = None,
) -> None:
    """Import staff from FILE in one transaction; exit 2 listing every bad row, writing nothing, if any is bad."""
    import sqlalchemy as sa

    from bagalau.staff_files import import_staff, read_staff_file
    from notifications.channels import mask, url_problem
    from persistence.importers import ImportRefused, StaffFileError, UrlPolicy

    settings = params.settings_for(db, secrets=True)
    day = as_of or _today(settings.timezone)
    option = "--db" if db else "BAGALAU_DATABASE_URL"
    try:
        staff = read_staff_file(file, strict=False, urls=UrlPolicy(problem=url_problem, shown=mask))
        with params.connected_app(settings, option=option) as engine:
            params.require_schema(engine, "org import")
            report = import_staff(
                engine,
                staff,
                actor=_actor(actor),
                as_of=day,
                body=body,
                body_name=body_name,
                dry_run=dry_run,
                secrets=settings.secret_box(),
            )
    except StaffFileError as exc:
        if as_json:
            problems = [problem.as_dict() for problem in exc.problems]
            warnings = [warning.as_dict() for warning in exc.warnings]
            payload = {"file": exc.source, "written": False, "problems": problems, "warnings": warnings}
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            _warn(exc.source, exc.warnings)
            typer.echo(str(exc), err=True)
            rows = f"{exc.bad_rows} bad row(s), " if exc.bad_rows else ""
            typer.echo(f"{exc.source}: {rows}{len(exc.problems)} problem(s); nothing written", err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    except ImportRefused as exc:
        typer.echo(f"bagalau org import: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        typer.echo(f"bagalau org import: the database refused the import, nothing written: {reason}", err=True)
        raise typer.Exit(EXIT_DATABASE) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _warn(report.source, report.warnings)
        typer.echo(report.render())
