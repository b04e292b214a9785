"""What results are for and who carries the duties (G-5, G-6, M-1), and 004's own KPI result names (S-4).

G-5 (000 §8–9): KPI and differentiation results are the basis for bonuses, incentives, rotation, promotion,
demotion or dismissal; 360 results only for training. M-1 (004 §7): competency results drive development only.
G-6 (000 §17–19): the evaluator gives constructive feedback; the HR head sends notices and keeps records.
S-4 (METHODOLOGY: "Family 004 uses other result names for KPIs (S-4 below)"): the M-4 count grades.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import rulebooks
from domain.facts import Employee, Organization
from domain.routing import DueEvaluator, escalation_recipients
from domain.scoring import score_kpi_count
from domain.vocabulary import Method, ResultCategory

BOOKS = sorted(rulebooks.bundled())


@pytest.mark.parametrize("book_id", ["kz-model-2018", "kz-atyrau-2023"])
def test_g5_the_annual_final_averages_kpi_and_differentiation_and_never_the_360_survey(book_id: str) -> None:
    """G-5: the annual final (the basis of bonuses and dismissal) comes from KPI and differentiation only; the 360
    survey (T-1) has no result category and never enters it (training only, 000 §9)."""
    book = rulebooks.get(book_id)
    assert book.annual is not None and book.annual.methods == [Method.KPI, Method.DIFFERENTIATION]
    assert Method.SURVEY_360 not in {spec.method for spec in book.methods}
    assert book.survey_360 is not None


def test_g5_m1_004_keeps_competencies_apart_from_the_kpi_result() -> None:
    """M-1/G-5 (004 §6–7): two separate lines; the competency line has its own results (meets / does not meet),
    never a KPI result, and there is no annual average mixing them."""
    book = rulebooks.get("kz-annual-commission-2018")
    assert book.annual is None
    assert {spec.method: spec.scoring for spec in book.methods} == {
        Method.KPI_COUNT: "kpi_count",
        Method.COMPETENCIES: "competencies",
    }
    kpi_results = {grade.category for grade in book.count_grading.grades}  # type: ignore[union-attr]
    assert not kpi_results & {ResultCategory.MEETS, ResultCategory.DOES_NOT_MEET}


@pytest.mark.parametrize("book_id", BOOKS)
def test_g6_every_escalation_ladder_ends_with_hr_who_sends_notices_and_keeps_records(book_id: str) -> None:
    """G-6 (000 §19: the HR head answers for notices and records): whatever the evaluator does, HR hears last."""
    book = rulebooks.get(book_id)
    assert book.reminders.escalation[-1] == "hr"
    org = Organization(employees=[Employee(id="H1", name="H1", category="C-4", unit=None)], hr=["H1"])
    nobody = DueEvaluator(None, None, "G-7", "no_evaluator")
    for level in book.reminders.escalation:
        assert escalation_recipients(level, nobody, org, date(2025, 4, 11), org.hr) == ["H1"]


def test_s4_004_grades_kpi_counts_with_its_own_result_names_including_excellent() -> None:
    """S-4/M-4 (004 §18): all five KPIs achieved is "өте жақсы" (excellent), a result no S-1 band has."""
    book = rulebooks.get("kz-annual-commission-2018")
    grading = book.count_grading
    assert grading is not None
    ids = ["k1", "k2", "k3", "k4", "k5"]
    assert score_kpi_count([True] * 5, grading, ids).category == ResultCategory.EXCELLENT
    assert score_kpi_count([True] * 4 + [False], grading, ids).category == ResultCategory.EFFECTIVE
    assert ResultCategory.EXCELLENT not in {band.category for band in book.results.bands}
    assert book.results.name_of(ResultCategory.EXCELLENT).kk == "өте жақсы"
