"""Scenario contract v2 on the Commission family through ``bagalau simulate`` (examples/scenarios/
annual-commission-2025-v2.yaml): a public-service post (M-6), recorded attendance and quorum from it (M-7), the
secretary's vote refused, and an appeal's outcome that replaces the decided result (M-9)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.v2_support import evaluations, rejections, simulate
from tests.flows_support import prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(prefect: None, pg_url: str, pg_owner_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    out = tmp_path_factory.mktemp("v2c") / "report.json"
    return simulate("annual-commission-2025-v2.yaml", pg_url, pg_owner_engine, out)


def test_a_public_service_post_is_rated_on_the_customer_competencies(report: Any) -> None:
    """M-6: H1's post provides public services: a sheet without the two customer competencies is refused;
    informing_customers 2 of 3 → does_not_meet."""
    assert rejections(report)[5] == "scores: missing competencies customer_orientation, informing_customers (M-6)"
    assert evaluations(report)[("H1", "competencies")]["category"] == "does_not_meet"


def test_attendance_by_a_non_member_and_a_vote_by_the_secretary_are_refused(report: Any) -> None:
    found = rejections(report)
    assert found[19].startswith("E3 is not a member of the Commission") and found[19].endswith("(M-7)")
    assert found[21] == "the secretary H1 does not vote (M-7)"


def test_a_member_not_recorded_present_does_not_vote_and_the_quorum_counts_the_present(report: Any) -> None:
    """M-7: H2 is absent; 4 of 5 present reach the quorum; E2 revised to effective by 3 of the 4."""
    found = rejections(report)
    assert {found[i] for i in (25, 30, 35)} == {"H2 is not recorded as present at the meeting of 2026-01-27 (M-7)"}
    results = evaluations(report)
    assert results[("E2", "kpi_count")]["category"] == "effective"
    assert results[("H1", "kpi_count")]["category"] == "effective"  # 2–2, the chair's approve decides
    assert results[("E1", "kpi_count")]["category"] == "excellent"


def test_a_revised_appeal_outcome_replaces_the_decided_result_and_is_recorded(
    report: Any, pg_owner_engine: sa.Engine
) -> None:
    """M-9: the KPI line of H2 revised satisfactory → effective; the competencies line upheld; a third outcome
    finds nothing pending; the outcome is in the appeal row and the change in the audit trail (R-4)."""
    results = evaluations(report)
    assert results[("H2", "kpi_count")]["category"] == "effective"
    assert results[("H2", "competencies")]["category"] == "does_not_meet"
    assert rejections(report)[53] == "H2 has no appeal waiting for its outcome (M-9)"
    assert {(n["to"], n["kind"], n["date"]) for n in report["notifications"] if n["kind"] == "appeal_outcome"} == {
        ("H2", "appeal_outcome", "2026-02-20")
    }
    with pg_owner_engine.connect() as connection:
        outcomes = connection.exec_driver_sql(
            "SELECT outcome, revised_category, decided_on FROM appeal ORDER BY id"
        ).all()
        audited = connection.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE entity = 'evaluation' AND reason LIKE :reason"),
            {"reason": "%replaces the decided one (M-9)%"},
        ).scalar_one()
    assert sorted((o, c) for o, c, _ in outcomes) == [("revise", "effective"), ("unchanged", None)]
    assert audited == 1
