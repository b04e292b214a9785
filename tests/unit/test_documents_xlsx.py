"""The exports read back value by value: results (report field names), cycle status, 360 summary (T-8), audit."""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from documents import samples
from documents.views import ResultRow, SurveySummaryRow
from documents.xlsx import (
    PROGRESS_EVERY,
    RESULT_COLUMNS,
    write_annual_results,
    write_audit_extract,
    write_cycle_status,
    write_results,
    write_results_csv,
    write_survey_summary,
)
from domain.vocabulary import Language

# The simulation report's fields of one evaluation (../shared/SCENARIOS.md), flattened for `calibration`.
REPORT_FIELDS = [
    "employee", "period", "method", "eligible", "ineligible_reason", "in_absentia", "evaluator", "notice_sent_on",
    "deadline", "submitted_on", "score", "category", "acquainted_on", "calibration.applied_on",
    "calibration.decide_by", "calibration.hold_by", "calibration.members", "calibration.score",
    "calibration.category", "calibration.protocol_post_by",
]  # fmt: skip


def _read(path: Path) -> list[dict[str, Any]]:
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    # read-only sheets drop a row's trailing empty cells: pad them back as None
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in rows[1:]]


def _expected(row: ResultRow, field: str) -> Any:
    """The value a row should have in the export, from the view itself."""
    if field.startswith("calibration."):
        value = getattr(row.calibration, field.split(".", 1)[1]) if row.calibration else None
        return ", ".join(value) if isinstance(value, tuple) else value
    return getattr(row, field)


def _same(cell: Any, expected: Any) -> bool:
    if expected is None:
        return cell is None
    if isinstance(expected, Decimal):
        return Decimal(str(cell)) == expected
    if isinstance(expected, date):
        return isinstance(cell, datetime) and cell.date() == expected
    if hasattr(expected, "value"):  # enums are written as their word
        return cell == expected.value
    return bool(cell == expected)


def test_results_columns_carry_the_report_field_names_plus_id_unit_and_category_code() -> None:
    names = [column.name for column in RESULT_COLUMNS]
    assert set(REPORT_FIELDS) <= set(names)
    assert {"id", "unit", "category_code", "employee_name", "evaluator_name"} <= set(names)
    assert names[0] == "id"


def test_results_xlsx_reads_back_value_by_value(tmp_path: Path) -> None:
    rows = samples.result_rows(40)
    assert write_results(rows, tmp_path / "results.xlsx") == 40
    read = _read(tmp_path / "results.xlsx")
    assert len(read) == len(rows)
    for row, back in zip(rows, read, strict=True):
        for column in RESULT_COLUMNS:
            assert _same(back[column.name], _expected(row, column.name)), (row.id, column.name, back[column.name])
    # the sample has calibrated, ineligible and absent people: the comparison covered every kind of value
    assert any(r.calibration for r in rows) and any(not r.eligible for r in rows) and any(r.in_absentia for r in rows)


def test_results_with_a_language_add_the_legal_category_name(tmp_path: Path) -> None:
    rows = samples.result_rows(5)
    write_results(rows, tmp_path / "results.xlsx", language=Language.KK)
    read = _read(tmp_path / "results.xlsx")
    assert read[1]["category"] == "effective"
    assert read[1]["category_name"] == "Функционалдық міндеттерін тиімді атқарады"
    kpi = next(r for r in read if r["method"] == "kpi")
    assert kpi["category_name"].startswith("Функционалдық")


def test_results_csv_has_the_same_columns_iso_dates_and_the_decimal_point(tmp_path: Path) -> None:
    rows = samples.result_rows(12)
    write_results_csv(rows, tmp_path / "results.csv")
    with (tmp_path / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == [column.name for column in RESULT_COLUMNS]
    for row, back in zip(rows, read, strict=True):
        assert back["id"] == str(row.id)
        assert back["employee_name"] == row.employee_name
        assert back["score"] == ("" if row.score is None else format(row.score, "f"))
        assert back["deadline"] == "2025-04-10"
        assert back["eligible"] == ("true" if row.eligible else "false")
        assert back["calibration.members"] == (", ".join(row.calibration.members) if row.calibration else "")


def test_progress_is_reported_while_streaming(tmp_path: Path) -> None:
    seen: list[int] = []
    count = PROGRESS_EVERY * 2 + 5
    write_results(samples.result_rows(count), tmp_path / "r.xlsx", progress=seen.append)
    assert seen == [PROGRESS_EVERY, PROGRESS_EVERY * 2, count]


def test_cycle_status_list_has_no_score_column(tmp_path: Path) -> None:
    """R-2: HR staff who are not the HR head follow progress, never a score or a category."""
    rows = samples.cycle_status_rows()
    write_cycle_status(rows, tmp_path / "status.xlsx")
    read = _read(tmp_path / "status.xlsx")
    assert "score" not in read[0] and "category" not in read[0]
    assert [r["status"] for r in read] == [r.status for r in rows]
    assert read[0]["overdue"] is True and read[1]["overdue"] is False


def test_the_360_summary_names_no_respondent(tmp_path: Path) -> None:
    """T-8: averages per competency and how many answered, never who."""
    rows = samples.survey_summary_rows(Language.KK)
    write_survey_summary(rows, tmp_path / "survey.xlsx")
    read = _read(tmp_path / "survey.xlsx")
    assert set(read[0]) == {f.name for f in dataclasses.fields(SurveySummaryRow)} - {"self_score"} | {"self"}
    assert not any("respondent" in key and key != "respondents" for key in read[0])
    for row, back in zip(rows, read, strict=True):
        assert Decimal(str(back["average"])) == row.average
        assert back["respondents"] == row.respondents
        assert back["competency_name"] == row.competency_name


def test_the_audit_extract_writes_instants_in_utc(tmp_path: Path) -> None:
    """R-4: who, when, what, before, after, why."""
    rows = samples.audit_rows()
    write_audit_extract(rows, tmp_path / "audit.xlsx")
    read = _read(tmp_path / "audit.xlsx")
    assert read[0]["at"] == rows[0].at.astimezone(UTC).replace(tzinfo=None)
    assert read[2]["reason"] == "Бағаны жоғарылату негізді"
    assert read[1]["before"] == '{"status": "submitted"}'


def test_annual_finals_read_back_value_by_value(tmp_path: Path) -> None:
    """P-3: the report's ``annual`` fields (employee, year, score, category) plus name, unit and quarters."""
    rows = samples.annual_rows()
    write_annual_results(rows, tmp_path / "annual.xlsx")
    read = _read(tmp_path / "annual.xlsx")
    for row, back in zip(rows, read, strict=True):
        assert (back["employee"], back["year"], back["category"]) == (row.employee, row.year, row.category.value)
        assert Decimal(str(back["score"])) == row.score
        assert back["quarters"] == 4
