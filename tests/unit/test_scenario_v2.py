"""The scenario contract v2 (SCENARIOS.md v2 additions): the employee field ``public_service``, the events
``move``, ``substitute``, ``delegate``, ``edit_respondents``, ``commission_attendance`` and the report field
``status``. A malformed file exits 2 naming the path; what the rules refuse (G-7, D-4, T-4, M-7) is not a file
error but a rejection at run time, so a file with such an event still loads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate.report import Evaluation, Report
from bagalau.simulate.scenario import (
    CommissionAttendance,
    Delegate,
    EditRespondents,
    Move,
    Substitute,
    load_scenario,
)
from tests.unit.test_scenario import VALID, problems_of, scenario_file

V2_EVENTS = """\
  - {date: 2025-05-12, move: {employee: H1, unit: U0, head: E0, category: С-3}}
  - {date: 2025-04-07, substitute: {for: E1, by: H1, from: 2025-04-07, to: 2025-04-18}}
  - {date: 2025-04-02, delegate: {by: E1, to: H1, evaluatees: [E2]}}
  - {date: 2026-01-06, edit_respondents: {evaluatee: E2, by: H1, add: [E1], remove: [E0]}}
  - {date: 2025-04-28, commission_attendance: {present: [E0, E1, H1]}}
"""


def v2(events: str = V2_EVENTS, employee_extra: str = "") -> str:
    text = VALID + events
    if employee_extra:
        text = text.replace("      appointed: 2021-05-03\n", f"      appointed: 2021-05-03\n{employee_extra}", 1)
    return text


def test_v2_events_load_with_their_keys_as_written_and_for_from_aliased(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path, v2()))
    kinds = [event.kind for event in scenario.events[-5:]]
    assert kinds == ["move", "substitute", "delegate", "edit_respondents", "commission_attendance"]
    move, substitute, delegate, edit, attendance = (event.action for event in scenario.events[-5:])
    assert move == Move(employee="H1", unit="U0", head="E0", category="C-3")  # Cyrillic С made Latin
    assert isinstance(substitute, Substitute)
    assert (substitute.for_, substitute.by, substitute.from_, substitute.to) == (
        "E1",
        "H1",
        date(2025, 4, 7),
        date(2025, 4, 18),
    )
    assert delegate == Delegate(by="E1", to="H1", evaluatees=["E2"])
    assert edit == EditRespondents(evaluatee="E2", by="H1", add=["E1"], remove=["E0"])
    assert attendance == CommissionAttendance(present=["E0", "E1", "H1"])


def test_m6_public_service_is_an_optional_strict_boolean_of_an_employee(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path, v2(employee_extra="      public_service: true\n")))
    assert [p.public_service for p in scenario.organization.employees] == [False, False, True, False]
    problems = problems_of(tmp_path, v2(employee_extra="      public_service: yes\n"))
    assert "organization.employees[2].public_service" in problems


@pytest.mark.parametrize(
    ("event", "path", "message"),
    [
        ("{employee: H1, unit: U9}", "events[5].move.unit", "unknown unit 'U9': not in organization.units"),
        ("{employee: H1, category: manager}", "events[5].move.category", "'manager' is not a position category"),
        ("{employee: H1}", "events[5].move", "a move names at least one of unit, head, category"),
        ("{employee: H1, head: H1}", "events[5].move.head", "an employee cannot be their own head"),
        ("{employee: H1, post: C-3}", "events[5].move.post", "unknown key 'post'"),
    ],
)
def test_e1_a_move_to_an_unknown_unit_or_with_a_malformed_category_is_a_file_error(
    tmp_path: Path, event: str, path: str, message: str
) -> None:
    problems = problems_of(tmp_path, v2(f"  - {{date: 2025-05-12, move: {event}}}\n"))
    assert message in problems[path]


@pytest.mark.parametrize(
    ("event", "path", "message"),
    [
        ("{for: E1, by: H1, from: 2025-04-18, to: 2025-04-07}", "events[5].substitute.to", "before it starts"),
        ("{for: E1, by: E1, from: 2025-04-07, to: 2025-04-18}", "events[5].substitute.by", "act for themself"),
        ("{by: H1, from: 2025-04-07, to: 2025-04-18}", "events[5].substitute.for", "required field is missing"),
        ("{for: E1, by: H1, from: 2025-04-07}", "events[5].substitute.to", "required field is missing"),
    ],
)
def test_g7_a_malformed_substitute_is_a_file_error(tmp_path: Path, event: str, path: str, message: str) -> None:
    problems = problems_of(tmp_path, v2(f"  - {{date: 2025-04-07, substitute: {event}}}\n"))
    assert message in problems[path]


@pytest.mark.parametrize(
    ("event", "path", "message"),
    [
        ("delegate: {by: E1, to: H1, evaluatees: []}", "events[5].delegate.evaluatees", "at least 1"),
        ("delegate: {by: E1, to: H1, evaluatees: [E2, E2]}", "events[5].delegate.evaluatees", "'E2' is listed twice"),
        ("edit_respondents: {evaluatee: E2, by: H1}", "events[5].edit_respondents", "at least one respondent"),
        (
            "edit_respondents: {evaluatee: E2, by: H1, add: [E1], remove: [E1]}",
            "events[5].edit_respondents.remove",
            "'E1' is both added and removed",
        ),
        ("commission_attendance: {present: []}", "events[5].commission_attendance.present", "at least 1"),
        ("commission_attendance: {present: [E0, E0]}", "events[5].commission_attendance.present", "listed twice"),
    ],
)
def test_d4_t4_m7_malformed_delegations_edits_and_attendance_are_file_errors(
    tmp_path: Path, event: str, path: str, message: str
) -> None:
    problems = problems_of(tmp_path, v2(f"  - {{date: 2025-04-28, {event}}}\n"))
    assert message in problems[path], problems


def test_refusals_of_the_rules_are_not_file_errors(tmp_path: Path) -> None:
    """G-7, D-4, T-4, M-7 (issue 11, bad input): a substitute for someone not absent, a delegation below the
    threshold or outside the unit, an edit after answers started, attendance by a non-member, a move to an unknown
    head: valid files whose events the simulation records under ``rejections``."""
    events = """\
  - {date: 2025-04-07, substitute: {for: E2, by: H1, from: 2025-04-20, to: 2025-04-25}}
  - {date: 2025-04-02, delegate: {by: E1, to: E9, evaluatees: [E2, E7]}}
  - {date: 2026-02-20, edit_respondents: {evaluatee: E2, by: E2, add: [E7]}}
  - {date: 2025-04-28, commission_attendance: {present: [E7, E9]}}
  - {date: 2025-05-12, move: {employee: E9, head: E13}}
"""
    scenario = load_scenario(scenario_file(tmp_path, v2(events)))
    assert [event.kind for event in scenario.events[-5:]] == [
        "substitute",
        "delegate",
        "edit_respondents",
        "commission_attendance",
        "move",
    ]


def test_v2_a_misspelt_v2_action_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, v2("  - {date: 2025-04-07, substitue: {for: E1, by: H1}}\n"))
    assert "did you mean 'substitute'" in problems["events[5].substitue"]


# --- the report's v2 field ---------------------------------------------------------------------------------


def evaluation(**fields: object) -> Evaluation:
    base = {"employee": "E2", "period": "2022", "method": "kpi_count", "eligible": True}
    return Evaluation.model_validate({**base, **fields})


def test_m10_status_is_written_after_the_v1_fields_once_known() -> None:
    data = json.loads(Report(rulebook="kz-atyrau-2023", evaluations=[evaluation(status="not_completed")]).to_json())
    entry = data["evaluations"][0]
    assert list(entry)[-2:] == ["calibration", "status"] and entry["status"] == "not_completed"


def test_v2_a_report_without_status_reads_as_v1_byte_for_byte() -> None:
    text = Report(rulebook="x", evaluations=[evaluation()]).to_json()
    assert "status" not in json.loads(text)["evaluations"][0]
    assert Report.model_validate_json(text).to_json() == text


def test_v2_status_is_snake_case() -> None:
    with pytest.raises(ValidationError, match="status"):
        evaluation(status="Not completed")


def test_e1_the_command_exits_2_on_a_move_to_an_unknown_unit_and_writes_nothing(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, v2("  - {date: 2025-05-12, move: {employee: H1, unit: U7, category: C-O-3}}\n"))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["simulate", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{path}: events[5].move.unit: unknown unit 'U7': not in organization.units" in result.stderr
    assert not out.exists()
