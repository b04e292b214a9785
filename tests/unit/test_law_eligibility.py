"""Who is evaluated, after issue 11: unpaid leave is social leave (E-3, E-5, M-10), a business trip is work (E-2),
and tenure counts from the appointment to the evaluated post across moves (E-1, 003 §5).

Golden values are worked by hand from the Kazakhstan calendar: Q2 2026 has 61 working days (April 22; May 17 —
1, 7, 11 (for Saturday 9) and 27 May (Kurban ait) off; June 22); 22–30 June 2026 are 7 working days.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.eligibility import decide_eligibility, methods_for, worked_days
from domain.facts import Absence, Employee, Organization, Unit
from domain.moves import Move, apply_move
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.vocabulary import AbsenceKind, Method

CALENDAR = WorkingCalendar()
ATYRAU = rulebooks.get("kz-atyrau-2023")
MODEL = rulebooks.get("kz-model-2018")
QUARTERLY = rulebooks.get("kz-quarterly-2026")
ANNUAL = rulebooks.get("kz-annual-commission-2018")
Q2_2026 = Period.of_quarter(2026, 2)


def employee(*absences: Absence, category: str = "C-4", appointed: date = date(2019, 3, 4)) -> Employee:
    return Employee(id="E2", name="E2", category=category, unit="U1", head="E1", appointed=appointed, absences=absences)


def away(kind: AbsenceKind, start: date, end: date) -> Absence:
    return Absence(kind, start, end)


# --- E-3 / M-10: unpaid leave is social leave (Labour Code art. 87 §5) ------------------------------------------


@pytest.mark.parametrize("book", [ATYRAU, MODEL], ids=lambda b: b.id)
def test_e3_unpaid_leave_on_the_opening_day_is_evaluated_in_absentia_in_atyrau_as_in_the_model(book: Rulebook) -> None:
    """E-3 (002 new §5, 000 §5 "әлеуметтік демалыс"): someone on unpaid leave when the evaluation runs is
    evaluated without their participation, within the deadline — in kz-atyrau-2023 as in kz-model-2018."""
    person = employee(away(AbsenceKind.UNPAID_LEAVE, date(2023, 9, 25), date(2023, 10, 20)))
    quarter = Period.of_quarter(2023, 3)
    decision = decide_eligibility(
        person, quarter, book.eligibility, CALENDAR, book.method("differentiation"), opened_on=date(2023, 10, 2)
    )
    assert (decision.eligible, decision.in_absentia, decision.rule) == (True, True, "E-3")


def test_m10_unpaid_leave_in_the_window_puts_a_person_in_chapter_6s_population() -> None:
    """M-10 (002 §5 second paragraph, chapter 6 title: "social leave"): unpaid leave between 01.07.2021 and
    31.12.2022 brings the person into chapter 6 (kpi_count for 2022), replacing KPI and differentiation."""
    person = employee(away(AbsenceKind.UNPAID_LEAVE, date(2022, 2, 1), date(2022, 3, 15)), category="C-O-5")
    assert [spec.method for spec in methods_for(person, Period.of_year(2022), ATYRAU)] == [Method.KPI_COUNT]
    assert methods_for(person, Period.of_quarter(2022, 4), ATYRAU) == []  # replaced for that year (M-10)
    outside = employee(away(AbsenceKind.UNPAID_LEAVE, date(2021, 5, 1), date(2021, 6, 30)), category="C-O-5")
    assert methods_for(outside, Period.of_year(2022), ATYRAU) == []


def test_e5_unpaid_leave_restarts_the_three_months_like_social_leave_in_004() -> None:
    """E-5 (004 §4: "including after social leave"), E-3: unpaid leave is a social leave, so the three months
    count again from the return: back on 6 October 2025, less than three months remain in 2025."""
    person = employee(away(AbsenceKind.UNPAID_LEAVE, date(2025, 3, 1), date(2025, 10, 5)))
    year = Period.of_year(2025)
    decision = decide_eligibility(person, year, ANNUAL.eligibility, CALENDAR, ANNUAL.method("kpi_count"))
    assert (decision.eligible, decision.reason, decision.rule) == (False, "tenure_under_three_months", "E-5")


@pytest.mark.parametrize("book_id", sorted(rulebooks.bundled()))
def test_e3_every_bundled_list_that_names_social_leave_names_unpaid_leave_too(book_id: str) -> None:
    """E-3, E-5, M-10: wherever a rule says "social leave", unpaid leave is meant too, in every family alike."""
    book = rulebooks.get(book_id)
    lists = {
        "eligibility.in_absentia_kinds": book.eligibility.in_absentia_kinds,
        "eligibility.tenure_restarts_after": book.eligibility.tenure_restarts_after,
        **{
            f"methods[{spec.method}].population.absent_kinds": spec.population.absent_kinds
            for spec in book.methods
            if spec.population is not None
        },
    }
    wrong = [
        where
        for where, kinds in lists.items()
        if AbsenceKind.SOCIAL_LEAVE in kinds and AbsenceKind.UNPAID_LEAVE not in kinds
    ]
    assert not wrong, f"{book_id}: social leave without unpaid leave in {wrong}"


# --- E-2: a business trip is work ------------------------------------------------------------------------


def test_e2_a_business_trip_most_of_the_quarter_is_worked_and_the_person_is_evaluated() -> None:
    """E-2 (003 §5 "нақты жұмыс істеген"): a trip from 1 April to 19 June 2026 leaves all 61 working days of Q2
    worked; it was refused as under_15_working_days when every absence was subtracted (issue 11)."""
    person = employee(away(AbsenceKind.BUSINESS_TRIP, date(2026, 4, 1), date(2026, 6, 19)))
    decision = decide_eligibility(person, Q2_2026, QUARTERLY.eligibility, CALENDAR, QUARTERLY.method("form2"))
    assert (decision.eligible, decision.worked_days) == (True, 61)
    assert decision.in_absentia is False  # back at work on the opening day, 1 July 2026


def test_e2_sick_leave_over_the_same_days_leaves_seven_worked_days_and_refuses() -> None:
    """E-2: sickness is not work: 22–30 June 2026 are 7 working days, fewer than 15."""
    person = employee(away(AbsenceKind.SICK, date(2026, 4, 1), date(2026, 6, 19)))
    decision = decide_eligibility(person, Q2_2026, QUARTERLY.eligibility, CALENDAR, QUARTERLY.method("form2"))
    assert (decision.eligible, decision.reason, decision.rule, decision.worked_days) == (
        False,
        "under_15_working_days",
        "E-2",
        7,
    )


def test_e2_which_absences_count_as_worked_is_rulebook_data() -> None:
    """E-2: ``eligibility.worked_absence_kinds`` (default business_trip) decides; an empty list subtracts trips."""
    assert QUARTERLY.eligibility.worked_absence_kinds == [AbsenceKind.BUSINESS_TRIP]
    strict = QUARTERLY.eligibility.model_copy(update={"worked_absence_kinds": []})
    person = employee(away(AbsenceKind.BUSINESS_TRIP, date(2026, 4, 1), date(2026, 6, 19)))
    decision = decide_eligibility(person, Q2_2026, strict, CALENDAR, QUARTERLY.method("form2"))
    assert (decision.eligible, decision.worked_days) == (False, 7)


def test_e2_worked_days_default_counts_a_trip_as_work_and_a_trip_inside_sickness_once() -> None:
    """E-2: ``worked_days`` keeps its signature; ``worked_kinds`` defaults to business_trip."""
    person = employee(
        away(AbsenceKind.BUSINESS_TRIP, date(2026, 6, 1), date(2026, 6, 19)),
        away(AbsenceKind.SICK, date(2026, 6, 15), date(2026, 6, 30)),
    )
    # June 2026: 22 working days; sick 15–30 June = 12 of them; the trip days before the 15th are worked.
    assert worked_days(person, date(2026, 6, 1), date(2026, 6, 30), CALENDAR) == 10
    assert worked_days(person, date(2026, 6, 1), date(2026, 6, 30), CALENDAR, worked_kinds=()) == 0


# --- E-1: tenure from the appointment to the evaluated post (003 §5) --------------------------------------------


def agency(person: Employee) -> Organization:
    head = Employee(id="E1", name="E1", category="B-1", unit="U1", appointed=date(2015, 1, 5))
    other = Employee(id="E6", name="E6", category="B-1", unit="U2", appointed=date(2015, 1, 5))
    return Organization(employees=[head, other, person], units=[Unit("U1"), Unit("U2")])


def test_e1_a_new_category_is_a_new_appointment_and_restarts_tenure() -> None:
    """E-1 (003 §5: "from the day of appointment to the evaluated position"): moved to C-3 on 10 June 2026,
    less than a month in the post by 30 June: not evaluated for Q2."""
    org = apply_move(agency(employee(category="C-4")), Move("E2", date(2026, 6, 10), category="C-3"))
    person = org.employee("E2")
    decision = decide_eligibility(person, Q2_2026, QUARTERLY.eligibility, CALENDAR, QUARTERLY.method("form2"))
    assert (decision.eligible, decision.reason, decision.rule) == (False, "tenure_under_one_month", "E-1")
    assert decision.tenure == (date(2026, 6, 10), date(2026, 6, 30))


def test_e1_a_move_of_unit_in_the_same_category_is_the_same_post_and_keeps_tenure() -> None:
    """E-1 (SCENARIOS v2 move: a new category is a new appointment; a new unit alone is not)."""
    org = apply_move(agency(employee(category="C-4")), Move("E2", date(2026, 6, 10), unit="U2", head="E6"))
    person = org.employee("E2")
    decision = decide_eligibility(person, Q2_2026, QUARTERLY.eligibility, CALENDAR, QUARTERLY.method("form2"))
    assert decision.eligible and decision.worked_days == 61
    assert decision.tenure == (date(2026, 4, 1), date(2026, 6, 30))
    assert org.unit_of("E2", date(2026, 6, 9)) == "U1" and org.unit_of("E2", date(2026, 6, 10)) == "U2"


def test_e6_a_kpi_head_moved_within_the_post_keeps_the_months_of_the_appointment() -> None:
    """E-6 (000 §22): the three months left are counted from the appointment to the post, not from a re-assignment
    of unit; a new appointment in October leaves fewer than three months: the fallback method."""
    head = employee(category="C-1", appointed=date(2024, 1, 9))
    moved_unit = apply_move(agency(head), Move("E2", date(2025, 10, 6), unit="U2")).employee("E2")
    moved_post = apply_move(agency(head), Move("E2", date(2025, 10, 6), category="C-3")).employee("E2")
    q4 = Period.of_quarter(2025, 4)
    kept = decide_eligibility(moved_unit, q4, MODEL.eligibility, CALENDAR, MODEL.method("kpi"))
    fallback = decide_eligibility(moved_post, q4, MODEL.eligibility, CALENDAR, MODEL.method("kpi"))
    assert (kept.method, kept.fallback_from) == (Method.KPI, None)
    assert (fallback.method, fallback.fallback_from, fallback.rule) == (Method.DIFFERENTIATION, Method.KPI, "E-6")
