"""The yearly Commission cycle (examples/scenarios/annual-commission-2025.yaml, kz-annual-commission-2018, seed 004)
played through the real flows on PostgreSQL: hand-worked values from the scenario's header, cited by rule."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bagalau.simulate import runner
from tests.flows_support import example, prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def played(prefect: None, pg_url: str, pg_owner_engine: sa.Engine) -> tuple[Any, sa.Engine]:  # noqa: F811
    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    return runner.run(example("annual-commission-2025.yaml"), db_url=pg_url), pg_owner_engine


@pytest.fixture(scope="module")
def report(played: tuple[Any, sa.Engine]) -> Any:
    return played[0]


def results(report: Any) -> dict[tuple[str, str], Any]:
    return {(entry.employee, entry.method): entry for entry in report.evaluations}


def test_two_lines_per_person_and_the_three_month_and_probation_rules(report: Any) -> None:
    """M-1: kpi_count and competencies for each B-corps employee; E-5: under three months, on probation."""
    found = results(report)
    assert {employee for employee, _ in found} == {"E1", "E2", "E3", "E4", "E5", "H1", "H2"}
    assert {method for _, method in found} == {"kpi_count", "competencies"}
    assert {(k, e.ineligible_reason) for k, e in found.items() if not e.eligible} == {
        (("E4", "kpi_count"), "tenure_under_three_months"),
        (("E4", "competencies"), "tenure_under_three_months"),
        (("E5", "kpi_count"), "probation"),
        (("E5", "competencies"), "probation"),
    }


def test_the_year_opens_on_its_first_working_day_with_the_evaluatees_notices(report: Any) -> None:
    notices = [n for n in report.notifications if n.kind == "evaluation_notice"]
    assert {str(n.date) for n in notices} == {"2026-01-05"}
    assert {n.to for n in notices} == {"E1", "E2", "E3", "H1", "H2"}
    assert {str(e.notice_sent_on) for e in report.evaluations if e.eligible} == {"2026-01-05"}
    assert {e.evaluator for e in report.evaluations if e.eligible and e.employee == "H1"} == {"H2"}


def test_results_are_the_counts_and_indicators_or_the_commissions_revision(report: Any) -> None:
    """M-4 counts, M-6 three quarters; M-7: E2's KPI result revised to effective 3–2; H1's 2–2 tie is decided by
    the chair's approve; a KPI-count or competency result carries no score."""
    found = results(report)
    expected = {
        "E1": ("excellent", "meets"),
        "E2": ("effective", "meets"),
        "E3": ("excellent", "does_not_meet"),
        "H1": ("effective", "meets"),
        "H2": ("satisfactory", "does_not_meet"),
    }
    assert {
        person: (found[(person, "kpi_count")].category, found[(person, "competencies")].category) for person in expected
    } == expected
    assert all(entry.score is None for entry in report.evaluations)


def test_a_returned_sheet_is_due_again_in_two_working_days(report: Any) -> None:
    """M-5: returned on Friday 9 January 2026, resubmission due Tuesday 13 January (7 January is off); the
    direct head is told (sheet_returned)."""
    e2 = results(report)[("E2", "kpi_count")]
    assert (str(e2.deadline), str(e2.submitted_on)) == ("2026-01-13", "2026-01-12")
    returned = [(n.to, str(n.date)) for n in report.notifications if n.kind == "sheet_returned"]
    assert returned == [("E1", "2026-01-09")]


def test_the_evaluators_are_told_of_the_meeting_when_hr_sets_it(report: Any) -> None:
    """M-7: set on 14 January for 27 January, at least 7 working days ahead; every evaluator notified."""
    notices = {(n.to, str(n.date)) for n in report.notifications if n.kind == "commission_schedule_notice"}
    assert notices == {(who, "2026-01-14") for who in ("V1", "V2", "E1", "E2", "H2")}


def test_the_decision_is_told_with_the_appeal_window_and_acquaintance_follows(report: Any) -> None:
    """M-7 → commission_decision and appeal_window on the meeting day; M-8 acknowledged or refused on 28 January."""
    decided = {(n.to, str(n.date)) for n in report.notifications if n.kind == "commission_decision"}
    assert decided == {(who, "2026-01-27") for who in ("E1", "E2", "E3", "H1", "H2")}
    assert {(n.to, str(n.date)) for n in report.notifications if n.kind == "appeal_window"} == decided
    assert {str(e.acquainted_on) for e in report.evaluations if e.eligible} == {"2026-01-28"}
    assert [(n.to, str(n.date)) for n in report.notifications if n.kind == "refusal_act"] == [("E3", "2026-01-28")] * 2
    assert not report.escalations


def test_only_the_late_appeal_is_refused(report: Any) -> None:
    """M-9: 10 working days from 27 January run to 10 February."""
    assert [(r.event, r.reason) for r in report.rejections] == [(46, "the appeal window closed on 2026-02-10 (M-9)")]


def test_the_refusal_act_is_signed_by_hr_and_two_witnesses_and_the_appeal_is_recorded(
    played: tuple[Any, sa.Engine],
) -> None:
    """M-8: one act per result, HR (H1) and E4, E5; M-9: H2's appeal to the authorised body, outcome pending."""
    _, owner = played
    with owner.connect() as connection:
        acts = connection.execute(
            sa.text(
                "SELECT p.personnel_number, a.refused_on, d.personnel_number, w1.personnel_number, w2.personnel_number"
                " FROM refusal_act a JOIN evaluation e ON e.id = a.evaluation_id"
                " JOIN person p ON p.id = e.person_id JOIN person d ON d.id = a.drawn_up_by_id"
                " JOIN person w1 ON w1.id = a.witness_1_id JOIN person w2 ON w2.id = a.witness_2_id"
            )
        ).all()
        appeals = connection.execute(
            sa.text(
                "SELECT p.personnel_number, a.filed_on, a.authority, a.outcome FROM appeal a"
                " JOIN evaluation e ON e.id = a.evaluation_id JOIN person p ON p.id = e.person_id"
            )
        ).all()
    assert {tuple(map(str, act)) for act in acts} == {("E3", "2026-01-28", "H1", "E4", "E5")}
    assert len(acts) == 2
    assert {(who, str(day), authority, outcome) for who, day, authority, outcome in appeals} == {
        ("H2", "2026-02-04", "authorised_body", None)
    }
    assert len(appeals) == 2


def test_the_commissions_votes_and_decisions_are_kept_as_the_protocol(played: tuple[Any, sa.Engine]) -> None:
    """M-7: 39 votes cast, a decision per result, the revision in the 'corrected by the Commission' column; the
    protocol signed and approved by the appointing official on the meeting day; results closed after M-9."""
    _, owner = played
    with owner.connect() as connection:
        votes = connection.execute(sa.text("SELECT count(*) FROM commission_vote")).scalar_one()
        decisions = connection.execute(
            sa.text("SELECT decision, result_category, decided_on FROM commission_decision ORDER BY id")
        ).all()
        meeting = connection.execute(
            sa.text("SELECT meeting_date, notice_sent_on, protocol_signed_on, approved_on FROM commission_meeting")
        ).one()
        statuses = connection.execute(
            sa.text("SELECT status, count(*) FROM evaluation WHERE eligible GROUP BY status")
        ).all()
    assert votes == 39
    assert sorted((d, c) for d, c, _ in decisions) == sorted([("approve", None)] * 9 + [("revise", "effective")])
    assert {str(day) for _, _, day in decisions} == {"2026-01-27"}
    assert tuple(map(str, meeting)) == ("2026-01-27", "2026-01-14", "2026-01-27", "2026-01-27")
    assert dict(statuses) == {"closed": 8, "acquainted": 2}  # H2's two appealed results stay open
