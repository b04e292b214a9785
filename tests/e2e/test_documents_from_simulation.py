"""Issue 15, end to end: HR downloads every document of a simulated Model 2018 quarter, a 003 quarter, a 004 year
and a Model 2018 360 survey through ``bagalau export`` — in Kazakh and Russian — and they read as the law's
appendices do.

Each scenario of ``examples/scenarios`` is played through the real flows on PostgreSQL; then the CLI (the
``bagalau`` Typer app, with its real argument parsing) exports the results as XLSX and every document as PDF.
The PDFs are read back with ``pdftotext`` (poppler-utils, installed by the test command) and checked for the
names, the scores with the decimal comma, the dates in words, the legal result names (S-1), the signatures
(R-3) and the content hash; the XLSX is compared value by value with the simulation report; someone R-2 does not
name is refused with exit 2. The first page of each PDF is kept as PNG in ``build/documents/`` (the curated
copies the README shows are in ``docs/documents/``).

Expected values are the hand-worked ones of the scenarios' headers.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate import runner
from tests.flows_support import example, prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]

BUILD = Path(__file__).resolve().parents[2] / "build" / "documents"
LANGUAGES = ("kk", "ru")


@dataclass
class Played:
    """One scenario played and exported: the report, the results rows by employee, the documents' text."""

    report: Any
    rows: dict[tuple[str, str], dict[str, Any]]  # (employee, method) → the results row
    ids: dict[str, int]
    texts: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, who, language) → text
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, who) → hash prefix the CLI printed
    refusals: dict[str, tuple[int, str]] = field(default_factory=dict)  # what → (exit code, output)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _xlsx_rows(path: Path) -> list[dict[str, Any]]:
    sheet = load_workbook(path, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in rows[1:]]


def _pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils missing: the test command installs them (.ci/ensure-poppler)"
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _document(played: Played, db: str, folder: Path, kind: str, who: str, number: int, language: str) -> None:
    out = folder / f"{kind}-{who}-{language}.pdf"
    code, output = _cli("export", "document", kind, str(number), "--language", language, "--out", str(out), "--db",
                        db, "--png")  # fmt: skip
    assert code == 0, output
    played.texts[(kind, who, language)] = _pdf_text(out)
    played.hashes[(kind, who)] = output.rsplit("hash ", 1)[1].strip()
    BUILD.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out.with_suffix(".png"), BUILD / f"{folder.name}-{out.stem}.png")


def _play(
    scenario: str, period: str, db: str, owner: sa.Engine, folder: Path, documents: list[tuple[str, str]]
) -> Played:
    """Empty the database, play ``scenario``, export the results of ``period`` and each (kind, employee) document."""
    from tests.conftest import _EMPTY_ALL_TABLES

    with owner.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    report = runner.run(example(scenario), db_url=db)
    folder.mkdir(parents=True, exist_ok=True)
    results = folder / f"results-{period}.xlsx"
    code, output = _cli("export", "results", "--period", period, "--format", "xlsx", "--out", str(results), "--db", db)
    assert code == 0, output
    rows = {(row["employee"], row["method"]): row for row in _xlsx_rows(results)}
    ids: dict[str, int] = {}
    for (employee, _), row in rows.items():  # a 004 year has two evaluations a person: documents take the first
        ids.setdefault(employee, int(row["id"]))
    played = Played(report=report, rows=rows, ids=ids)
    for kind, who in documents:
        for language in LANGUAGES:
            _document(played, db, folder, kind, who, ids[who], language)
    return played


@pytest.fixture(scope="module")
def played(
    prefect: None,  # noqa: F811
    pg_url: str,
    pg_owner_engine: sa.Engine,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Played]]:
    base = tmp_path_factory.mktemp("documents")
    out: dict[str, Played] = {}

    model = _play("model-2018-q1-2025.yaml", "2025-Q1", pg_url, pg_owner_engine, base / "model-2018-q1",
                  [("sheet", "E3"), ("sheet", "E1"), ("protocol", "E3"), ("notice", "E3")])  # fmt: skip
    # E7 is E3's colleague, neither party to E3's result nor to its calibration; E2 sat on the panel
    model.refusals["E7 takes E3's sheet"] = _cli("export", "document", "sheet", str(model.ids["E3"]), "--as", "E7",
                                                 "--out", str(base / "refused.pdf"), "--db", pg_url)  # fmt: skip
    model.refusals["E2 takes E3's protocol"] = _cli("export", "document", "protocol", str(model.ids["E3"]), "--as",
                                                    "E2", "--out", str(base / "panel.pdf"), "--db", pg_url)  # fmt: skip
    model.refusals["unknown id"] = _cli("export", "document", "sheet", "999999", "--out", str(base / "none.pdf"),
                                        "--db", pg_url)  # fmt: skip
    out["model"] = model

    out["003"] = _play("quarterly-2026-q1.yaml", "2026-Q1", pg_url, pg_owner_engine, base / "003-q1",
                       [("sheet", "E1"), ("sheet", "E3"), ("protocol", "E6"), ("notice", "E6")])  # fmt: skip

    year = _play("annual-commission-2025.yaml", "2025", pg_url, pg_owner_engine, base / "004-year",
                 [("sheet", "E3"), ("commission_protocol", "E3"), ("refusal_act", "E3"), ("notice", "E3")])  # fmt: skip
    out["004"] = year

    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    survey_report = runner.run(example("model-2018-360-2025.yaml"), db_url=pg_url)
    with pg_owner_engine.connect() as connection:
        surveys = dict(
            connection.execute(
                sa.text("SELECT p.personnel_number, s.id FROM survey_360 s JOIN person p ON p.id = s.evaluatee_id")
            ).all()
        )
    survey = Played(report=survey_report, rows={}, ids=surveys)
    folder = base / "model-2018-360"
    folder.mkdir()
    published = [entry.employee for entry in survey_report.survey_360 if entry.averages]
    for who in published:
        for language in LANGUAGES:
            _document(survey, pg_url, folder, "report_360", who, surveys[who], language)
    for entry in survey_report.survey_360:
        if not entry.averages:  # T-4: too few respondents, nothing to publish
            survey.refusals[entry.employee] = _cli("export", "document", "report_360", str(surveys[entry.employee]),
                                                   "--out", str(folder / "none.pdf"), "--db", pg_url)  # fmt: skip
    out["360"] = survey
    yield out


# -- the results XLSX, value by value ----------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A cell or a report value in one comparable shape: ISO dates, exact decimals, words for enums."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "value"):
        return _cell(value.value)
    return str(value)


def _flat(entry: Any) -> dict[str, Any]:
    data = entry.model_dump(mode="python")
    calibration = data.pop("calibration", None) or {}
    data.update({f"calibration.{key}": value for key, value in calibration.items()})
    return data


@pytest.mark.parametrize("name", ["model", "003", "004"])
def test_results_xlsx_equals_the_simulation_report_value_by_value(played: dict[str, Played], name: str) -> None:
    """Issue 15 §2: one row per evaluation (a quarter's, or a 004 year's), every field of the simulation report a
    column of the same name, every value equal."""
    entries = played[name].report.evaluations
    rows = played[name].rows
    assert entries and sorted(rows) == sorted((entry.employee, entry.method.value) for entry in entries)
    for entry in entries:
        row = rows[(entry.employee, entry.method.value)]
        flat = _flat(entry)
        assert not set(flat) - set(row), f"report fields that are no column: {sorted(set(flat) - set(row))}"
        for key, value in flat.items():
            assert _cell(row[key]) == _cell(value), f"{entry.employee} {key}: {row[key]!r} ≠ report {value!r}"
    assert any(entry.calibration for entry in entries) or name == "004"


# -- the PDFs, read back -------------------------------------------------------------------------------------------


def test_model_2018_differentiation_sheet_reads_as_appendix_4(played: dict[str, Played]) -> None:
    """000 app. 4: E3's sheet by E1, 3,75 'proper' (K-5, S-1), signed by the evaluator and the evaluatee (R-3)."""
    kk = played["model"].texts[("sheet", "E3", "kk")]
    ru = played["model"].texts[("sheet", "E3", "ru")]
    for text in (kk, ru):
        assert "Дана Омарова" in text and "Айгерім Сәрсенова" in text
        assert "3,75" in text and "3.75" not in text
        assert played["model"].hashes[("sheet", "E3")] in text.replace("\n", "")
    assert "Саралау әдісі бойынша бағалау парағы" in kk and "4-қосымша" in kk
    assert "Функционалдық міндеттерін тиісті түрде атқарады" in kk  # S-1 "proper", in Kazakh
    assert "2025 ж. 3 сәуір" in kk and "2025 ж. 7 сәуір" in kk  # submitted and acquainted (C-1)
    assert "Надлежащим образом исполняет" in ru and "3 апреля 2025 г." in ru


def test_model_2018_kpi_sheet_shows_the_achievement_and_the_score(played: dict[str, Played]) -> None:
    """K-4, K-5: E1's KPI sheet, (4.8 + 4.6 + 5) / 3 = 4,80."""
    for language in LANGUAGES:
        text = played["model"].texts[("sheet", "E1", language)]
        assert "Айгерім Сәрсенова" in text and "Ержан Төлеуов" in text
        assert "4,80" in text


def test_model_2018_calibration_protocol_names_members_votes_and_the_final_score(played: dict[str, Played]) -> None:
    """C-5…C-7: members E2, H1, H2; votes 4,00 / 4,00 / 3,75 → 4,00 by 2 of 3; to be posted by 24 April."""
    ru = played["model"].texts[("protocol", "E3", "ru")]
    kk = played["model"].texts[("protocol", "E3", "kk")]
    for text in (kk, ru):
        for member in ("Нұрлан Жақыпов", "Сәуле Ибраева", "Әлия Тоқтарова"):
            assert member in text
        assert "3,75" in text and "4,00" in text
    assert "Протокол калибровочной сессии" in ru and "24 апреля 2025 г." in ru
    assert "2 из 3" in ru
    assert "г.." not in ru  # a date ending in "г." closes its own sentence
    assert "2025 ж. 24 сәуір" in kk


def test_model_2018_notice_tells_until_when_to_disagree(played: dict[str, Played]) -> None:
    """C-1, C-2: acquainted 7 April, five working days → 14 April; the calibrated 4,00 'effective'."""
    ru = played["model"].texts[("notice", "E3", "ru")]
    assert "14 апреля 2025 г." in ru and "4,00" in ru and "Эффективно исполняет" in ru


def test_003_forms_show_five_parameters_and_the_q3_cap(played: dict[str, Played]) -> None:
    """003 forms 1 and 2 (Q-1, Q-2): E1 by form 1, 4,80; E3 by form 2, mean 3,40 capped at 2,99 (Q-3)."""
    e1 = played["003"].texts[("sheet", "E1", "ru")]
    e3 = {language: played["003"].texts[("sheet", "E3", language)] for language in LANGUAGES}
    assert "4,80" in e1
    for text in e3.values():
        assert "2,99" in text and "3,40" in text
    assert "2026" in e3["kk"] and "ж." in e3["kk"]


def test_003_protocol_and_notice_of_the_calibrated_e6(played: dict[str, Played]) -> None:
    """003 §19–22: E6's 3,60 calibrated to 4,00 by E1, E8, H1."""
    for language in LANGUAGES:
        protocol = played["003"].texts[("protocol", "E6", language)]
        assert "3,60" in protocol and "4,00" in protocol
    assert "4,00" in played["003"].texts[("notice", "E6", "ru")]


def test_004_commission_protocol_refusal_act_and_notice(played: dict[str, Played]) -> None:
    """004 app. 5 with its 'corrected by the Commission' column (M-7); the act of refusal signed by HR and two
    employees (M-8); the notice points to the appeal (M-9)."""
    year = played["004"]
    for language in LANGUAGES:
        protocol = year.texts[("commission_protocol", "E3", language)]
        act = year.texts[("refusal_act", "E3", language)]
        assert year.hashes[("commission_protocol", "E3")] in protocol.replace("\n", "")
        name = next(row["employee_name"] for (who, _), row in year.rows.items() if who == "E3")
        assert name in act and name in year.texts[("notice", "E3", language)]
    assert "28 января 2026 г." in year.texts[("refusal_act", "E3", "ru")]  # E3 refused on 2026-01-28
    assert "2026 ж. 28 қаңтар" in year.texts[("refusal_act", "E3", "kk")]


def test_360_report_averages_without_respondents(played: dict[str, Played]) -> None:
    """T-6, T-8: each published report is rendered in kk and ru, with averages and no respondent named."""
    survey = played["360"]
    reported = {entry.employee: entry for entry in survey.report.survey_360 if entry.averages}
    assert reported, "the 360 scenario publishes at least one report"
    for who, entry in reported.items():
        for language in LANGUAGES:
            text = survey.texts[("report_360", who, language)]
            some_average = next(iter(entry.averages.values()))
            assert f"{Decimal(str(some_average)):.2f}".replace(".", ",") in text
    assert survey.refusals, "the scenario has a survey with too few respondents (T-4)"
    for who, (code, output) in survey.refusals.items():
        assert code == 2 and "T-4" in output, (who, output)


# -- who may not take them -----------------------------------------------------------------------------------------


def test_r2_refuses_a_colleague_and_an_unknown_id_with_exit_2(played: dict[str, Played]) -> None:
    """R-2: E7 is no party to E3's result → exit 2 naming R-2; an unknown id → exit 2 saying there is none."""
    code, output = played["model"].refusals["E7 takes E3's sheet"]
    assert code == 2 and "R-2" in output and "Traceback" not in output
    code, output = played["model"].refusals["unknown id"]
    assert code == 2 and "999999" in output and "Traceback" not in output


def test_a_panel_member_takes_the_protocol_of_the_session_she_sat_on(played: dict[str, Played]) -> None:
    """R-2 names the calibration participants: E2 sat on E3's panel and may take its protocol."""
    code, output = played["model"].refusals["E2 takes E3's protocol"]
    assert code == 0, output
