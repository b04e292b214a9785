"""Atyrau 2023 chapter 6 (examples/scenarios/atyrau-2023-chapter6.yaml, kz-atyrau-2023, seed 002): the yearly KPI
count before a Commission for the M-10 population, played through the real flows on PostgreSQL."""

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
    return runner.run(example("atyrau-2023-chapter6.yaml"), db_url=pg_url)


def test_only_the_chapter_6_population_is_evaluated_by_kpi_count(report: Any) -> None:
    """M-10: social leave or sick between 1 July 2021 and 31 December 2022 (E2, E3); E4's sickness was earlier."""
    assert sorted((e.employee, e.period, e.method) for e in report.evaluations) == [
        ("E2", "2022", "kpi_count"),
        ("E3", "2022", "kpi_count"),
    ]
    assert {e.evaluator for e in report.evaluations} == {"E1"}
    assert [r.event for r in report.rejections] == [2]


def test_results_use_the_s1_names_and_the_commission_revises_by_majority(report: Any) -> None:
    """M-4 (002 §49): 4 of 5 → proper; 3 of 5 → satisfactory, revised to proper 3–1 (M-7)."""
    found = {e.employee: e for e in report.evaluations}
    assert (found["E2"].category, found["E3"].category) == ("proper", "proper")
    assert found["E2"].score is None and found["E3"].score is None


def test_the_return_and_the_three_day_notice(report: Any) -> None:
    """M-5: returned 10 July, due again 12 July; M-7 (002 §56): set on 12 July for 20 July, 3 working days' notice."""
    e3 = next(e for e in report.evaluations if e.employee == "E3")
    assert (str(e3.deadline), str(e3.submitted_on)) == ("2023-07-12", "2023-07-11")
    schedule = [(n.to, str(n.date)) for n in report.notifications if n.kind == "commission_schedule_notice"]
    assert schedule == [("E1", "2023-07-12")]


def test_acquaintance_follows_the_decision(report: Any) -> None:
    """M-8: decided 20 July, acquainted 21 and 24 July (by 24 July: 2 working days)."""
    found = {e.employee: str(e.acquainted_on) for e in report.evaluations}
    assert found == {"E2": "2023-07-21", "E3": "2023-07-24"}
    decided = {(n.to, str(n.date)) for n in report.notifications if n.kind == "commission_decision"}
    assert decided == {("E2", "2023-07-20"), ("E3", "2023-07-20")}
    assert not report.escalations
