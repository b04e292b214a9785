"""The Model 2018 quarter (examples/scenarios/model-2018-q1-2025.yaml) played through the real flows on PostgreSQL.

Expected values are worked out by hand in the scenario's header from the Kazakhstan calendar (Nauryz, 1/7/9 May,
the operator's day off on 21 April) and the rules cited.
"""

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
    return runner.run(example("model-2018-q1-2025.yaml"), db_url=pg_url)


def by_employee(report: Any) -> dict[str, Any]:
    return {entry.employee: entry for entry in report.evaluations}


def test_the_period_opens_on_the_first_working_day_and_sends_every_notice_then(report: Any) -> None:
    """P-1, P-4: notices on Tuesday 1 April (31 March is a working Monday, the quarter's last day)."""
    notices = [n for n in report.notifications if n.kind == "evaluation_notice"]
    assert sorted(n.to for n in notices) == sorted(["E1", "E2", "H1", "E3", "E4", "E6", "E7", "E8", "E9", "H2"])
    assert {str(n.date) for n in notices} == {"2025-04-01"}
    assert {str(e.notice_sent_on) for e in report.evaluations if e.eligible} == {"2025-04-01"}


def test_every_deadline_is_the_tenth_and_methods_follow_the_category(report: Any) -> None:
    """P-1 (10 April, a Thursday: no roll), G-2: heads of units (C-1) by KPIs, others by differentiation."""
    found = by_employee(report)
    assert "E0" not in found  # A corps: not considered
    assert {e.method for k, e in found.items() if k in {"E1", "E2", "H1"}} == {"kpi"}
    assert {str(e.deadline) for e in report.evaluations if e.eligible} == {"2025-04-10"}
    assert found["E3"].evaluator == "E1" and found["E7"].evaluator == "E2" and found["H2"].evaluator == "H1"


def test_scores_are_the_means_of_the_sheets_rounded_once(report: Any) -> None:
    """K-5, D-3, S-1."""
    found = by_employee(report)
    expected = {
        "E1": (4.80, "effective"),
        "E2": (4.77, "effective"),
        "H1": (4.53, "effective"),
        "E3": (3.75, "proper"),
        "E4": (4.50, "effective"),
        "E6": (4.25, "effective"),
        "E7": (3.50, "proper"),
        "E8": (3.50, "proper"),
        "E9": (2.50, "satisfactory"),
        "H2": (4.00, "effective"),
    }
    assert {k: (round(float(e.score), 2), e.category) for k, e in found.items() if e.eligible} == expected


def test_a_newcomer_is_considered_but_not_evaluated(report: Any) -> None:
    """E-1: appointed 10 March, less than a month in Q1."""
    e5 = by_employee(report)["E5"]
    assert (e5.eligible, e5.ineligible_reason, e5.score) == (False, "tenure_under_one_month", None)


def test_absent_and_dismissed_people_are_evaluated_in_absentia_and_acquainted_by_delivery(report: Any) -> None:
    """E-3 (sick on the opening day), E-4 (dismissed 4 April, before the deadline), C-1 by recorded delivery."""
    found = by_employee(report)
    assert found["E4"].in_absentia and str(found["E4"].acquainted_on) == "2025-04-08"
    assert found["E6"].in_absentia and str(found["E6"].acquainted_on) == "2025-04-09"


def test_refused_events_are_listed_with_their_rule(report: Any) -> None:
    """D-1 wrong evaluator, K-4 range, unknown employee, C-2 window."""
    reasons = {r.event: r.reason for r in report.rejections}
    assert reasons == {
        1: "E1 is not the evaluator of E7 (D-1)",
        2: "score 4.6 is outside the allowed range 4.75–4.99 for 95% achievement (K-4)",
        21: "unknown employee E13",
        27: "the disagreement window closed on 2025-04-17 (C-2)",
    }


def test_a_calibration_decides_by_majority_and_dates_its_steps_in_working_days(report: Any) -> None:
    """C-2…C-7: applied 9 April; decide by 14 April; hold by 24 April (21 April off); 2 of 3 votes for 4.0;
    last vote 18 April → protocol posted by 24 April."""
    calibration = by_employee(report)["E3"].calibration
    assert calibration is not None
    assert str(calibration.applied_on) == "2025-04-09"
    assert str(calibration.decide_by) == "2025-04-14"
    assert str(calibration.hold_by) == "2025-04-24"
    assert calibration.members == ["E2", "H1", "H2"]
    assert (float(calibration.score), calibration.category) == (4.0, "effective")
    assert str(calibration.protocol_post_by) == "2025-04-24"


def test_a_late_sheet_is_accepted_after_each_level_was_escalated_once(report: Any) -> None:
    """P-1: E8's sheet came on 16 April; on 11 April the evaluator, their head and every HR member were told."""
    e8 = by_employee(report)["E8"]
    assert str(e8.submitted_on) == "2025-04-16"
    overdue = sorted((e.to, str(e.date)) for e in report.escalations if e.kind == "overdue_sheet")
    assert overdue == [("E0", "2025-04-11"), ("E2", "2025-04-11"), ("H1", "2025-04-11"), ("H2", "2025-04-11")]
    assert all(e.about == "E8" for e in report.escalations if e.kind == "overdue_sheet")


def test_reminders_go_three_and_one_working_days_before_the_deadline(report: Any) -> None:
    reminders = {str(n.date) for n in report.notifications if n.kind == "reminder"}
    assert reminders == {"2025-04-07", "2025-04-09"}
