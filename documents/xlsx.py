"""The exports HR downloads: results of a period or year, the cycle status list, the 360 summary, the audit extract.

XLSX through openpyxl's write-only (streaming) workbook: rows go to disk as they come, so 10,000 evaluations take
a second or two and constant memory; CSV for the same results. The first row holds the column names, which are
the simulation report's field names (``../shared/SCENARIOS.md``: ``employee``, ``period``, ``method``, ``score``,
``category`` …; the nested ``calibration`` object flattened as ``calibration.score`` …) plus ``id``, ``unit`` and
``category_code``, so that a script reads an export the way it reads a report.

Values keep their types: dates are Excel dates (``yyyy-mm-dd``), scores numbers, flags booleans; in CSV dates are
ISO ``YYYY-MM-DD``, scores use the decimal point, flags are ``true``/``false``, and a missing value is empty.
Who may download what (R-2) is decided before the rows are built; the 360 summary has no column that could name a
respondent (T-8). Each writer returns the number of rows written; ``progress`` is called every ``PROGRESS_EVERY``
rows (the CLI shows it).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from documents.labels import result_name
from documents.views import AnnualResultRow, AuditRow, CycleStatusRow, ResultRow, SurveySummaryRow
from domain.vocabulary import Language

Row = TypeVar("Row")
Kind = Literal["text", "int", "score", "date", "datetime", "bool"]
Progress = Callable[[int], None]
PROGRESS_EVERY = 1000
_WIDTHS: dict[Kind, int] = {"text": 22, "int": 8, "score": 8, "date": 12, "datetime": 18, "bool": 9}


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column: its header (a report field name), how to read it from a row, and its kind."""

    name: str
    get: Callable[[Row], Any]
    kind: Kind = "text"
    width: int | None = None


def _calibration(attribute: str) -> Callable[[ResultRow], Any]:
    def get(row: ResultRow) -> Any:
        value = getattr(row.calibration, attribute) if row.calibration is not None else None
        return ", ".join(value) if isinstance(value, tuple) else value

    return get


RESULT_COLUMNS: tuple[Column[ResultRow], ...] = (
    Column("id", lambda r: r.id, "int"),
    Column("employee", lambda r: r.employee, width=10),
    Column("employee_name", lambda r: r.employee_name, width=30),
    Column("unit", lambda r: r.unit, width=30),
    Column("category_code", lambda r: r.category_code, width=9),
    Column("period", lambda r: r.period, width=9),
    Column("method", lambda r: r.method, width=15),
    Column("status", lambda r: r.status, width=13),
    Column("eligible", lambda r: r.eligible, "bool"),
    Column("ineligible_reason", lambda r: r.ineligible_reason),
    Column("in_absentia", lambda r: r.in_absentia, "bool"),
    Column("evaluator", lambda r: r.evaluator, width=10),
    Column("evaluator_name", lambda r: r.evaluator_name, width=30),
    Column("notice_sent_on", lambda r: r.notice_sent_on, "date"),
    Column("deadline", lambda r: r.deadline, "date"),
    Column("submitted_on", lambda r: r.submitted_on, "date"),
    Column("score", lambda r: r.score, "score"),
    Column("category", lambda r: r.category, width=15),
    Column("acquainted_on", lambda r: r.acquainted_on, "date"),
    Column("calibration.applied_on", _calibration("applied_on"), "date"),
    Column("calibration.decide_by", _calibration("decide_by"), "date"),
    Column("calibration.hold_by", _calibration("hold_by"), "date"),
    Column("calibration.members", _calibration("members"), width=16),
    Column("calibration.score", _calibration("score"), "score"),
    Column("calibration.category", _calibration("category"), width=15),
    Column("calibration.protocol_post_by", _calibration("protocol_post_by"), "date"),
)

ANNUAL_COLUMNS: tuple[Column[AnnualResultRow], ...] = (
    Column("employee", lambda r: r.employee, width=10),
    Column("employee_name", lambda r: r.employee_name, width=30),
    Column("unit", lambda r: r.unit, width=30),
    Column("category_code", lambda r: r.category_code, width=9),
    Column("year", lambda r: r.year, "int"),
    Column("score", lambda r: r.score, "score"),
    Column("category", lambda r: r.category, width=15),
    Column("quarters", lambda r: r.quarters, "int", width=9),
)

CYCLE_STATUS_COLUMNS: tuple[Column[CycleStatusRow], ...] = (
    Column("id", lambda r: r.id, "int"),
    Column("employee", lambda r: r.employee, width=10),
    Column("employee_name", lambda r: r.employee_name, width=30),
    Column("unit", lambda r: r.unit, width=30),
    Column("period", lambda r: r.period, width=9),
    Column("method", lambda r: r.method, width=15),
    Column("status", lambda r: r.status, width=14),
    Column("evaluator", lambda r: r.evaluator, width=10),
    Column("evaluator_name", lambda r: r.evaluator_name, width=30),
    Column("deadline", lambda r: r.deadline, "date"),
    Column("notice_sent_on", lambda r: r.notice_sent_on, "date"),
    Column("submitted_on", lambda r: r.submitted_on, "date"),
    Column("acquaint_by", lambda r: r.acquaint_by, "date"),
    Column("acquainted_on", lambda r: r.acquainted_on, "date"),
    Column("overdue", lambda r: r.overdue, "bool"),
)

# T-8: no respondent column exists, and SurveySummaryRow has no field that could hold one.
SURVEY_SUMMARY_COLUMNS: tuple[Column[SurveySummaryRow], ...] = (
    Column("employee", lambda r: r.employee, width=10),
    Column("employee_name", lambda r: r.employee_name, width=30),
    Column("unit", lambda r: r.unit, width=30),
    Column("year", lambda r: r.year, "int"),
    Column("competency", lambda r: r.competency, width=22),
    Column("competency_name", lambda r: r.competency_name, width=40),
    Column("respondents", lambda r: r.respondents, "int", width=12),
    Column("average", lambda r: r.average, "score"),
    Column("self", lambda r: r.self_score, "score"),
)

AUDIT_COLUMNS: tuple[Column[AuditRow], ...] = (
    Column("id", lambda r: r.id, "int"),
    Column("at", lambda r: r.at, "datetime"),
    Column("actor", lambda r: r.actor),
    Column("action", lambda r: r.action, width=14),
    Column("entity", lambda r: r.entity, width=20),
    Column("entity_id", lambda r: r.entity_id, width=10),
    Column("before", lambda r: r.before, width=40),
    Column("after", lambda r: r.after, width=40),
    Column("reason", lambda r: r.reason, width=40),
)


# --- cell values -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value openpyxl writes as its own type: enums as their word, aware instants as naive UTC."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no zones: the extract is in UTC
    return value


def _csv_value(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --- writers ---------------------------------------------------------------------------------------------


def write_xlsx(
    rows: Iterable[Row],
    path: str | Path,
    columns: Sequence[Column[Row]],
    *,
    title: str,
    progress: Progress | None = None,
) -> int:
    """Stream ``rows`` into a one-sheet workbook at ``path``; return how many rows were written."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        # write-only sheets do take column widths before the first row; the stubs only list the normal sheet's
        dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
        dimensions[get_column_letter(index)].width = column.width or _WIDTHS[column.kind]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    getters = [column.get for column in columns]
    count = 0
    for row in rows:
        # Plain values: openpyxl gives dates and instants their yyyy-mm-dd formats itself, and a styled cell per
        # value would cost more than the row (10,000 rows stay within seconds).
        sheet.append([_plain(get(row)) for get in getters])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(str(path))
    if progress is not None and count % PROGRESS_EVERY:
        progress(count)
    return count


def write_csv(
    rows: Iterable[Row], path: str | Path, columns: Sequence[Column[Row]], *, progress: Progress | None = None
) -> int:
    """The same columns as CSV (UTF-8 with a BOM, so that Excel reads the Cyrillic); return the row count."""
    count = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([_csv_value(column.get(row)) for column in columns])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    if progress is not None and count % PROGRESS_EVERY:
        progress(count)
    return count


def _result_columns(language: Language | None) -> tuple[Column[ResultRow], ...]:
    if language is None:
        return RESULT_COLUMNS
    lang = Language(language)
    name = Column[ResultRow](
        "category_name",
        lambda r: result_name(r.category, lang, method=r.method) if r.category is not None else None,
        width=45,
    )
    return (*RESULT_COLUMNS, name)


def write_results(
    rows: Iterable[ResultRow],
    path: str | Path,
    *,
    language: Language | None = None,
    progress: Progress | None = None,
) -> int:
    """Results of a period or year per body, one row per evaluation (XLSX). ``language`` adds ``category_name``."""
    return write_xlsx(rows, path, _result_columns(language), title="results", progress=progress)


def write_results_csv(
    rows: Iterable[ResultRow],
    path: str | Path,
    *,
    language: Language | None = None,
    progress: Progress | None = None,
) -> int:
    """The results export as CSV, same columns as :func:`write_results`."""
    return write_csv(rows, path, _result_columns(language), progress=progress)


def write_annual_results(rows: Iterable[AnnualResultRow], path: str | Path, *, progress: Progress | None = None) -> int:
    """The annual final scores of a year (P-3), the report's ``annual`` fields plus name, unit and category code."""
    return write_xlsx(rows, path, ANNUAL_COLUMNS, title="annual", progress=progress)


def write_cycle_status(rows: Iterable[CycleStatusRow], path: str | Path, *, progress: Progress | None = None) -> int:
    """The cycle status list: where each evaluation stands, who is late (no scores: HR staff see progress, R-2)."""
    return write_xlsx(rows, path, CYCLE_STATUS_COLUMNS, title="cycle_status", progress=progress)


def write_survey_summary(
    rows: Iterable[SurveySummaryRow], path: str | Path, *, progress: Progress | None = None
) -> int:
    """The 360 summary per evaluatee and competency: averages, self apart, respondent counts, never who (T-8)."""
    return write_xlsx(rows, path, SURVEY_SUMMARY_COLUMNS, title="survey_360", progress=progress)


def write_audit_extract(rows: Iterable[AuditRow], path: str | Path, *, progress: Progress | None = None) -> int:
    """An extract of the audit log (R-4); instants in UTC."""
    return write_xlsx(rows, path, AUDIT_COLUMNS, title="audit", progress=progress)
