"""The quarterly 5-parameter family (examples/scenarios/quarterly-2026-q1.yaml) through the real flows on
PostgreSQL: the 20th deadline (P-2), E-2 worked days, the Q-3 cap, an odd panel (C-5), the C-2 window."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bagalau.simulate import runner
from tests.flows_support import example, prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(prefect: None, pg_url: str, pg_owner_engine: sa.Engine) -> Any:  # noqa: F811
    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    return runner.run(example("quarterly-2026-q1.yaml"), db_url=pg_url)


def by_employee(report: Any) -> dict[str, Any]:
    return {entry.employee: entry for entry in report.evaluations}


def test_deadline_is_the_twentieth_and_notices_go_on_the_opening_day(report: Any) -> None:
    """P-2: 20 April 2026 is a Monday; the period opens Wednesday 1 April."""
    eligible = [e for e in report.evaluations if e.eligible]
    assert len(eligible) == 9
    assert {str(e.deadline) for e in eligible} == {"2026-04-20"}
    assert {str(e.notice_sent_on) for e in eligible} == {"2026-04-01"}


def test_forms_and_evaluators_follow_q1(report: Any) -> None:
    found = by_employee(report)
    assert {k: (e.method, e.evaluator) for k, e in found.items() if k in {"E1", "E2", "E8", "E10"}} == {
        "E1": ("form1", "E0"),
        "E2": ("form2", "E1"),
        "E8": ("form1", "E0"),
        "E10": ("form2", "E8"),
    }


def test_ineligibility_by_worked_days_and_tenure(report: Any) -> None:
    """E-2: 14 working days worked; E-1: appointed 9 March."""
    found = by_employee(report)
    assert (found["E4"].eligible, found["E4"].ineligible_reason) == (False, "under_15_working_days")
    assert (found["E9"].eligible, found["E9"].ineligible_reason) == (False, "tenure_under_one_month")


def test_a_sanction_in_the_quarter_caps_the_score(report: Any) -> None:
    """Q-3: mean 3.40, reprimand on 12 February → 2.99 satisfactory; a December warning caps nothing."""
    found = by_employee(report)
    assert (round(float(found["E3"].score), 2), found["E3"].category) == (2.99, "satisfactory")
    assert (round(float(found["E7"].score), 2), found["E7"].category) == (4.40, "effective")


def test_rejections_name_their_rule(report: Any) -> None:
    reasons = {r.event: r.reason for r in report.rejections}
    assert set(reasons) == {14, 18, 21}
    assert "(Q-1)" in reasons[14] and "5.5" in reasons[14]
    assert "odd" in reasons[18] and "(C-5)" in reasons[18]
    assert reasons[21] == "the disagreement window closed on 2026-04-21 (C-2)"


def test_the_calibration_of_e6(report: Any) -> None:
    """C-3: 3 WD → 21 April; C-4: 10 WD → 30 April; C-6: 4.0 by 2 of 3; C-7: last vote 24 April → 29 April."""
    calibration = by_employee(report)["E6"].calibration
    assert calibration is not None
    assert (str(calibration.applied_on), str(calibration.decide_by), str(calibration.hold_by)) == (
        "2026-04-16",
        "2026-04-21",
        "2026-04-30",
    )
    assert calibration.members == ["E1", "E8", "H1"]
    assert (float(calibration.score), calibration.category) == (4.0, "effective")
    assert str(calibration.protocol_post_by) == "2026-04-29"


def test_a_dismissed_evaluatee_is_acquainted_by_recorded_delivery(report: Any) -> None:
    """E-4, Q-4."""
    e10 = by_employee(report)["E10"]
    assert e10.in_absentia and str(e10.acquainted_on) == "2026-04-16"
