"""``bagalau export``: the documents HR prints and files, from the database (issue 15).

* ``export results`` — the results of a quarter or a year of a body, one row per evaluation, as XLSX or CSV; the
  columns are the simulation report's field names plus the evaluation's ``id`` (what ``export document`` takes);
* ``export document KIND ID`` — one document as a PDF in kk, ru or en (typst, docs/decisions/0040);
* ``export status`` / ``export survey`` / ``export audit`` — the cycle status list, the 360 summary per
  competency (no respondent, T-8) and an audit extract (R-4), as XLSX.

Who asks is ``--as`` (a login or a personnel number; R-2 decides what they may take: a result only for its
parties and the HR head); without ``--as`` the operator at the console acts, as for every ``bagalau`` command.
An unknown id or kind, or a document the actor may not see, exits 2 with one line saying which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bagalau.commands import params

if TYPE_CHECKING:
    from application.environment import Environment
    from domain.access import Principal

app = typer.Typer(help="Documents and exports: results (XLSX/CSV), PDF documents, status lists.", no_args_is_help=True)

OPERATOR = "operator:export"
KINDS = ("sheet", "protocol", "commission_protocol", "refusal_act", "report_360", "notice")
FORMATS = ("xlsx", "csv")
EXIT_REFUSED = 2

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="LOGIN|NUMBER",
        parser=params.text_value(200),
        help="who takes the document (a login or a personnel number); R-2 applies. Default: the operator",
    ),
]
OutOption = Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="the file to write")]


def _kind(value: str) -> str:
    text = str(value).strip().lower()
    if text not in KINDS:
        raise typer.BadParameter(f"{value[:40]!r} is not a document kind: one of {', '.join(KINDS)}")
    return text


def _format(value: str) -> str:
    text = str(value).strip().lower()
    if text not in FORMATS:
        raise typer.BadParameter(f"{value[:40]!r} is not an export format: xlsx or csv")
    return text


def _writable(path: Path, option: str = "--out") -> Path:
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        params.fail(option, f"{str(path)[:200]}: the folder {folder} does not exist")
    if path.exists() and path.is_dir():
        params.fail(option, f"{str(path)[:200]} is a folder: name a file")
    return path


@contextmanager
def _environment(db: str | None) -> Iterator[Environment]:
    """The installation's environment on ``--db`` (default: the configured database), checked to be reachable and
    migrated; no flow is started by an export, so no launcher is needed."""
    from application.environment import NoLauncher
    from bagalau.bootstrap import build_environment

    settings = params.settings_for(db)
    option = "--db" if db else "BAGALAU_DATABASE_URL"
    with params.connected(settings.database_url, option=option) as engine:
        params.require_schema(engine, "export")
        yield build_environment(settings, engine=engine, launcher=NoLauncher())


def _principal(env: Environment, who: str | None) -> Principal:
    from application.errors import Rejected
    from application.queries.documents import principal_of
    from domain.access import Principal

    if who is None:
        return Principal.system_step(OPERATOR)
    try:
        return principal_of(env, who)
    except Rejected as exc:
        params.fail("--as", exc.reason)


def _refused(command: str, message: str) -> typer.Exit:
    typer.echo(f"bagalau export {command}: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A Rich progress line on stderr (rows written so far) for long exports; nothing when stderr is no terminal."""
    if not enabled:
        yield lambda count: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None)
        yield lambda count: progress.update(task, completed=count)


@app.command("results")
def results(
    period: Annotated[
        str, typer.Option("--period", metavar="PERIOD", parser=params.period_label, help="2025-Q1 … 2025-Q4, or 2025")
    ],
    out: OutOption,
    body: params.BodyOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", parser=_format, help="xlsx or csv")] = "xlsx",
    language: Annotated[
        str | None,
        typer.Option(
            "--language", "-l", parser=params.language, help="add category_name, the S-1 name in kk, ru or en"
        ),
    ] = None,
    db: params.DatabaseOption = None,
    who: AsOption = None,
) -> None:
    """Export the results of a period (a quarter, or a year with its quarters) of a body: one row per evaluation.

    The columns are the simulation report's field names (employee, period, method, score, category,
    calibration.score …) plus id, employee_name, unit and category_code. R-2: only the evaluations whose result
    the actor may see; an actor who may see none is refused (exit 2).
    """
    from application.errors import Rejected
    from application.queries.documents import result_rows, scope
    from documents.xlsx import write_results, write_results_csv
    from domain.vocabulary import Language

    target = _writable(out)
    with _environment(db) as env:
        if body is not None:
            params.require_body(env.engine, body)
        principal = _principal(env, who)
        try:
            where = scope(env, body, period)
        except Rejected as exc:
            params.fail("--period" if "period" in exc.reason else "--body", exc.reason)
        found, hidden = result_rows(env, principal, where)
        if not found and hidden:
            raise _refused("results", f"{principal.actor} may see no result of {where.body_code} {period} (R-2)")
        writer = write_results if fmt == "xlsx" else write_results_csv
        lang = Language(language) if language else None
        with _progress(f"{where.body_code} {period}", len(found) >= 2000) as progress:
            count = writer(found, target, language=lang, progress=progress)
    note = f" ({hidden} not shown: R-2)" if hidden else ""
    typer.echo(f"{target}: {count} evaluation(s) of {where.body_code} {period}{note}")


@app.command("document")
def document(
    kind: Annotated[str, typer.Argument(metavar="KIND", parser=_kind, help=", ".join(KINDS))],
    document_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            min=1,
            max=params.MAX_ID,
            help="the evaluation's id (the results export's id column); for report_360 the survey's id",
        ),
    ],
    out: OutOption,
    language: params.LanguageOption = "kk",
    db: params.DatabaseOption = None,
    who: AsOption = None,
    png: Annotated[bool, typer.Option("--png", help="also write the first page as FILE.png (a preview)")] = False,
) -> None:
    """Render one document as a PDF: sheet (any method), protocol (calibration), commission_protocol,
    refusal_act (M-8), report_360 (with the radar chart) or notice (the result notice), in kk, ru or en.

    Exit 2 for an unknown id, an evaluation without that document, or a document the actor may not see (R-2).
    """
    from application.queries.documents import DocumentNotFound, DocumentRefused
    from application.queries.documents import document as build
    from documents.pdf import render_pages, render_pdf

    target = _writable(out)
    with _environment(db) as env:
        principal = _principal(env, who)
        try:
            view = build(env, principal, kind, document_id, language)
        except DocumentNotFound as exc:
            raise _refused("document", str(exc)) from None
        except DocumentRefused:
            raise _refused("document", f"{principal.actor} may not see {kind} {document_id} (R-2)") from None
    target.write_bytes(render_pdf(view))
    if png:
        target.with_suffix(".png").write_bytes(render_pages(view, fmt="png")[0])
    typer.echo(f"{target}: {kind} {document_id} ({language}), hash {view.content_hash[:16] or '—'}")


@app.command("status")
def status(
    period: Annotated[
        str, typer.Option("--period", metavar="PERIOD", parser=params.period_label, help="2025-Q1 … 2025-Q4, or 2025")
    ],
    out: OutOption,
    body: params.BodyOption = None,
    as_of: params.AsOfOption = None,
    db: params.DatabaseOption = None,
    who: AsOption = None,
) -> None:
    """Export the cycle status list (XLSX): where each evaluation stands and who is late — no score (R-2)."""
    from application.errors import Rejected
    from application.queries.documents import cycle_status_rows, scope
    from documents.xlsx import write_cycle_status

    target = _writable(out)
    with _environment(db) as env:
        if body is not None:
            params.require_body(env.engine, body)
        principal = _principal(env, who)
        try:
            where = scope(env, body, period)
        except Rejected as exc:
            params.fail("--period", exc.reason)
        found = cycle_status_rows(env, principal, where, on=as_of)
        if not found:
            raise _refused("status", f"{principal.actor} may follow no evaluation of {where.body_code} {period} (R-2)")
        count = write_cycle_status(found, target)
    typer.echo(f"{target}: {count} evaluation(s) of {where.body_code} {period}")


@app.command("survey")
def survey(
    year: Annotated[int, typer.Option("--year", metavar="YEAR", parser=params.year, help="the surveyed year")],
    out: OutOption,
    body: params.BodyOption = None,
    language: params.LanguageOption = "kk",
    db: params.DatabaseOption = None,
    who: AsOption = None,
) -> None:
    """Export the 360 summary (XLSX): per evaluatee and competency the average, self apart, how many answered —
    never who (T-8)."""
    from application.errors import Rejected
    from application.queries.documents import survey_summary_rows
    from documents.xlsx import write_survey_summary

    target = _writable(out)
    with _environment(db) as env:
        if body is not None:
            params.require_body(env.engine, body)
        principal = _principal(env, who)
        try:
            found = survey_summary_rows(env, principal, body, year, language)
        except Rejected as exc:
            params.fail("--body", exc.reason)
        count = write_survey_summary(found, target)
    typer.echo(f"{target}: {count} competency row(s) of {year}")


@app.command("audit")
def audit(
    out: OutOption,
    since: Annotated[
        date | None, typer.Option("--since", metavar="DATE", parser=params.iso_date, help="first day (UTC)")
    ] = None,
    until: Annotated[
        date | None, typer.Option("--until", metavar="DATE", parser=params.iso_date, help="last day (UTC)")
    ] = None,
    entity: Annotated[
        str | None, typer.Option("--entity", parser=params.text_value(64), help="one table, e.g. evaluation")
    ] = None,
    db: params.DatabaseOption = None,
    who: AsOption = None,
) -> None:
    """Export an extract of the audit log (XLSX, instants in UTC): the HR head, an administrator or the operator."""
    from application.queries.documents import DocumentRefused, audit_extract
    from documents.xlsx import write_audit_extract

    target = _writable(out)
    with _environment(db) as env:
        principal = _principal(env, who)
        try:
            rows = list(audit_extract(env, principal, entity=entity, since=since, until=until))
        except DocumentRefused as exc:
            raise _refused("audit", str(exc)) from None
        with _progress("audit", len(rows) >= 2000) as progress:
            count = write_audit_extract(rows, target, progress=progress)
    typer.echo(f"{target}: {count} audit row(s)")
