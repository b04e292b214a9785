"""Scenario contract v2 through ``bagalau simulate`` on PostgreSQL (examples/scenarios/quarterly-2026-q1-v2.yaml):
moves with tenure (E-1, 003 §5), D-4 delegation above 20 evaluatees, acting appointments and the evaluator absent
on the deadline (G-7), refusals naming their rule, and the v2 report field ``status``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bagalau.cli import app
from tests.flows_support import EXAMPLES, prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(prefect: None, pg_url: str, pg_owner_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    out = tmp_path_factory.mktemp("v2") / "report.json"
    scenario = EXAMPLES / "quarterly-2026-q1-v2.yaml"
    result = CliRunner().invoke(app, ["simulate", str(scenario), "--out", str(out), "--db", pg_url])
    assert result.exit_code == 0, result.output
    return json.loads(Path(out).read_text(encoding="utf-8"))


def by_employee(report: Any) -> dict[str, Any]:
    return {entry["employee"]: entry for entry in report["evaluations"]}


def reasons(report: Any) -> dict[int, str]:
    return {item["event"]: item["reason"] for item in report["rejections"]}


def test_a_move_in_the_same_category_keeps_the_tenure_and_the_head_at_evaluation_time_evaluates(report: Any) -> None:
    """E-1 / 003 §5: E11 appointed 16 Feb, moved to U1 under E1 on 2 March — eligible; E1 evaluates (4.80)."""
    e11 = by_employee(report)["E11"]
    assert (e11["eligible"], e11["evaluator"], e11["score"], e11["category"]) == (True, "E1", 4.8, "effective")


def test_a_new_category_is_a_new_appointment(report: Any) -> None:
    """E-1: E12's new category on 10 March restarts tenure: under one month by 31 March."""
    e12 = by_employee(report)["E12"]
    assert (e12["eligible"], e12["ineligible_reason"], e12["status"]) == (False, "tenure_under_one_month", "ineligible")


def test_a_delegate_evaluates_above_the_threshold_and_only_whom_designated(report: Any) -> None:
    """D-4 (003 §17): 23 evaluatees > 20; D1 evaluates S01, S02; not S03 (Q-1)."""
    found = by_employee(report)
    assert [(found[p]["evaluator"], found[p]["score"]) for p in ("S01", "S02")] == [("D1", 4.4), ("D1", 4.0)]
    assert found["S03"]["evaluator"] == "E1" and found["S03"]["status"] == "open"
    assert reasons(report)[10] == "D1 is not the evaluator of S03 (Q-1)"


def test_a_delegation_at_or_below_the_threshold_or_outside_the_unit_is_refused(report: Any) -> None:
    found = reasons(report)
    assert "3 evaluatees, delegation needs more than 20 (D-4)" in found[4]
    assert "does not work in the unit U1" in found[5] and found[5].endswith("(D-4)")


def test_an_acting_head_evaluates_in_the_absent_heads_stead(report: Any) -> None:
    """G-7: H1 acts for E5 (on leave 13–24 April): E5's own sheet of 14 April is refused, H1's accepted."""
    found = by_employee(report)
    assert (found["E6"]["evaluator"], found["E6"]["score"]) == ("H1", 4.2)
    assert reasons(report)[12] == "E5 is not the evaluator of E6 (Q-1)"
    assert (found["E7"]["evaluator"], found["E7"]["submitted_on"]) == ("E5", "2026-04-08")


def test_an_evaluator_absent_on_the_deadline_is_replaced_by_their_head(report: Any) -> None:
    """G-7: E8 is sick over the deadline and nobody acts: E0 evaluates E10; E5's evaluatee H1 (who acts for E5
    but not about themself) goes to E0 too."""
    found = by_employee(report)
    assert (found["E10"]["evaluator"], found["E10"]["score"]) == ("E0", 4.4)
    assert (found["H1"]["evaluator"], found["H1"]["score"]) == ("E0", 4.2)


def test_a_substitute_for_someone_at_work_and_a_move_to_an_unknown_head_are_refused(report: Any) -> None:
    found = reasons(report)
    assert found[6].startswith("'E1' is not absent on 2026-04-06") and found[6].endswith("(G-7)")
    assert found[2] == "unknown head 'E99': not an employee of the organization (E-1)"
    assert set(found) == {2, 4, 5, 6, 10, 12}


def test_overdue_sheets_escalate_to_whoever_is_due(report: Any) -> None:
    """P-2/G-7: S03's sheet is missing on 21 April: E1, E1's head E0, HR."""
    about = {(e["to"], e["kind"]) for e in report["escalations"] if e["about"] == "S03"}
    assert {to for to, kind in about if kind == "overdue_sheet"} == {"E1", "E0", "H1"}


def test_every_evaluation_carries_a_status(report: Any) -> None:
    statuses = {entry["employee"]: entry["status"] for entry in report["evaluations"]}
    assert statuses["E6"] == "completed" and statuses["D1"] == "open"
    assert all(isinstance(value, str) for value in statuses.values())
