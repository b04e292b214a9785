"""Escalations that need a human decision reach HR (and the appointing official) as messages, not only as
records: nobody made acquainted in time (C-1) and a calibration panel without a majority (C-6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bagalau.simulate import runner
from bagalau.simulate.scenario import load_scenario
from tests.flows_support import prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]

SCENARIO = Path(__file__).parent / "scenarios" / "missed-acquaintance-and-split-panel.yaml"


@pytest.fixture(scope="module")
def report(prefect: None, pg_url: str, pg_owner_engine: sa.Engine) -> Any:  # noqa: F811
    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    return runner.run(load_scenario(SCENARIO), db_url=pg_url)


def test_c1_a_result_nobody_was_acquainted_with_is_escalated_to_hr_with_a_message(report: Any) -> None:
    """Result on Thu 3 April, acquaint by Mon 7 April (2 WD); escalated on Tue 8 April. The check runs after the
    day's delivery (a recorded delivery that day still counts as acquaintance), so the message leaves next morning."""
    escalations = [(e.about, e.to, e.kind, str(e.date)) for e in report.escalations if e.kind == "acquaintance_overdue"]
    assert escalations == [("E2", "H1", "acquaintance_overdue", "2025-04-08")]
    sent = [(n.to, str(n.date)) for n in report.notifications if n.kind == "acquaintance_overdue"]
    assert sent == [("H1", "2025-04-09")]


def test_c6_a_panel_without_a_majority_decides_nothing_and_tells_hr_and_the_official(report: Any) -> None:
    e3 = next(e for e in report.evaluations if e.employee == "E3")
    assert e3.calibration is not None
    assert e3.calibration.members == ["E4", "E5", "H1"]
    assert e3.calibration.score is None and e3.calibration.category is None
    recipients = sorted(n.to for n in report.notifications if n.kind == "calibration_no_majority")
    assert recipients == ["E0", "H1"]
