"""The yearly 360 survey of 2025 (examples/scenarios/model-2018-360-2025.yaml, kz-model-2018) played through the
real flows on PostgreSQL: hand-worked averages from the scenario's header (T-4…T-8)."""

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
    return runner.run(example("model-2018-360-2025.yaml"), db_url=pg_url)


def surveys(report: Any) -> dict[str, Any]:
    return {entry.employee: entry for entry in report.survey_360}


def as_floats(values: dict[str, Any] | None) -> dict[str, float] | None:
    return None if values is None else {key: float(value) for key, value in values.items()}


def test_the_head_of_units_report_averages_respondents_with_the_self_assessment_apart(report: Any) -> None:
    """T-5, T-6: E1's 12 competencies over E0, E2, E3 (E4's answer came late); her own answers shown apart."""
    e1 = surveys(report)["E1"]
    assert (e1.year, e1.respondents) == (2025, 3)
    assert as_floats(e1.averages) == {
        "management": 3.89,
        "communications": 3.78,
        "ethics": 3.44,
        "change_management": 3.56,
        "result_orientation": 3.78,
        "independence_decisions": 3.33,
        "team_management": 4.0,
        "leadership": 3.56,
        "cooperation": 4.11,
        "promptness": 3.44,
        "self_development": 4.11,
        "initiative": 3.78,
    }
    assert as_floats(e1.self_assessment) == {
        "management": 4.33,
        "communications": 4.33,
        "ethics": 4.67,
        "change_management": 4.67,
        "result_orientation": 4.33,
        "independence_decisions": 4.0,
        "team_management": 4.67,
        "leadership": 4.67,
        "cooperation": 5.0,
        "promptness": 4.33,
        "self_development": 5.0,
        "initiative": 5.0,
    }


def test_other_employees_reports_use_form_6(report: Any) -> None:
    found = surveys(report)
    assert as_floats(found["E2"].averages) == {
        "communications": 3.67,
        "ethics": 4.22,
        "change_management": 3.56,
        "result_orientation": 4.0,
        "independence_decisions": 4.33,
        "cooperation": 3.67,
        "promptness": 3.67,
        "self_development": 4.11,
    }
    assert found["E3"].respondents == 3 and found["E3"].self_assessment is None
    assert as_floats(found["E3"].averages)["communications"] == 3.22  # type: ignore[index]


def test_a_report_below_the_minimum_is_not_published_and_hr_is_told_the_count_only(report: Any) -> None:
    """T-4: E4 closed with 2 respondents; survey_360_closed to HR (E2) the day after the deadline (T-8: no names)."""
    e4 = surveys(report)["E4"]
    assert (e4.respondents, e4.averages, e4.self_assessment) == (2, {}, None)
    closed = [(n.to, str(n.date)) for n in report.notifications if n.kind == "survey_360_closed"]
    assert closed == [("E2", "2026-01-13")]


def test_invitations_go_out_on_the_first_working_day_and_reminders_before_the_deadline(report: Any) -> None:
    """T-1, T-4, T-5: 13 respondents and 4 self-assessments invited on Monday 5 January 2026; reminders 3 and 1
    working days before the 12 January deadline (6 and 9 January; 7 January is off) to those who had not answered."""
    invitations = [n for n in report.notifications if n.kind == "survey_360_invitation"]
    assert len(invitations) == 17 and {str(n.date) for n in invitations} == {"2026-01-05"}
    reminders = {str(n.date) for n in report.notifications if n.kind == "survey_360_reminder"}
    assert reminders == {"2026-01-06", "2026-01-09"}
    assert not any(n.kind == "evaluation_notice" for n in report.notifications)


def test_an_answer_after_the_deadline_is_refused(report: Any) -> None:
    assert [(r.event, str(r.date), r.reason) for r in report.rejections] == [
        (13, "2026-01-13", "the 360 survey of E1 for 2025 closed on 2026-01-12 (P-1)")
    ]
