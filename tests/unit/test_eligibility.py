"""Who is evaluated (E-1…E-6, G-2) and by which methods (G-2, M-10)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.eligibility import (
    decide_eligibility,
    methods_for,
    months_reached,
    return_day,
    worked_days,
)
from domain.facts import Absence, Appointment, Employee
from domain.periods import Period
from domain.rulebook import Eligibility, Rulebook
from domain.vocabulary import AbsenceKind, Corps, Method

CALENDAR = WorkingCalendar()
Q1_2025 = Period.of_quarter(2025, 1)
YEAR_2025 = Period.of_year(2025)
TEXT = {"kk": "x", "ru": "x", "en": "x"}

MODEL_2018 = Eligibility.model_validate(
    {
        "rules": ["E-1", "E-3", "E-4", "E-6"],
        "min_tenure_months": 1,
        "tenure_reason": "tenure_under_one_month",
        "absent": "in_absentia",
        "kpi_min_remaining_months": 3,
        "kpi_fallback_method": "differentiation",
    }
)
QUARTERLY_003 = Eligibility.model_validate(
    {
        "rules": ["E-1", "E-2", "E-4"],
        "min_tenure_months": 1,
        "tenure_reason": "tenure_under_one_month",
        "min_worked_days": 15,
        "absent": "in_absentia",
    }
)
ANNUAL_004 = Eligibility.model_validate(
    {
        "rules": ["E-5"],
        "min_tenure_months": 3,
        "tenure_reason": "tenure_under_three_months",
        "tenure_restarts_after": ["social_leave"],
        "exclude_probation": True,
        "absent": "after_return",
        "after_return": {"kind": "working_days", "days": 5, "after": "returned", "rule": "E-5"},
        "in_absentia_kinds": [k for k in AbsenceKind if k != AbsenceKind.SOCIAL_LEAVE],
    }
)


def method(name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "method": name,
        "rules": ["G-2"],
        "name": TEXT,
        "cadence": "quarter",
        "evaluator": [{"route": "direct_head", "rule": "K-4"}],
        "scoring": "kpi_count",
        "deadline": {"kind": "day_of_month", "day": 10, "rule": "P-1"},
    }
    data.update(fields)
    return data


def rulebook(*methods: dict[str, Any]) -> Rulebook:
    return Rulebook.model_validate(
        {
            "id": "test-model",
            "title": TEXT,
            "family": "model-2018",
            "version": "1",
            "sources": [{"seed": "000", "title": "test"}],
            "valid_from": "2018-01-16",
            "category_groups": {"heads_of_units": {"rule": "G-2", "categories": ["C-1", "C-3", "C-O-1"]}},
            "results": {"bands": [{"category": "effective", "min": 0, "max": 5, "name": TEXT}]},
            "eligibility": MODEL_2018.model_dump(),
            "methods": list(methods),
            "count_grading": {"kpi_count": 5, "grades": [{"min_achieved": 0, "category": "unsatisfactory"}]},
            "calibration": {
                "rules": ["C-1"],
                "acquaintance": {"kind": "working_days", "days": 2, "after": "completed", "rule": "C-1"},
                "apply_within": {"kind": "working_days", "days": 5, "after": "acquainted", "rule": "C-2"},
                "decide_within": {"kind": "working_days", "days": 3, "after": "applied", "rule": "C-3"},
                "hold_within": {"kind": "working_days", "days": 10, "after": "applied", "rule": "C-4"},
                "protocol_post_within": {"kind": "working_days", "days": 3, "after": "signed", "rule": "C-7"},
                "min_members": 3,
                "odd_members": False,
            },
            "retention": {"years": 3},
        }
    )


MODEL_BOOK = rulebook(
    method("kpi", applies_to={"include": ["heads_of_units"]}),
    method("differentiation", applies_to={"exclude": ["heads_of_units"]}),
)
KPI = MODEL_BOOK.method("kpi")
DIFFERENTIATION = MODEL_BOOK.method("differentiation")


def employee(
    appointed: date = date(2020, 1, 1), *, category: str = "C-4", absences: list[Absence] | None = None, **facts: Any
) -> Employee:
    return Employee(
        id="E2", name="E2", category=category, unit="U1", appointed=appointed, absences=absences or [], **facts
    )


def away(kind: AbsenceKind, start: date, end: date) -> Absence:
    return Absence(kind, start, end)


# --- calendar months ---


def test_e1_one_month_from_the_first_of_a_month_is_that_whole_month() -> None:
    assert months_reached(date(2025, 3, 1), date(2025, 3, 31), 1)
    assert not months_reached(date(2025, 3, 1), date(2025, 3, 30), 1)
    assert months_reached(date(2025, 1, 15), date(2025, 2, 14), 1)
    assert not months_reached(date(2025, 1, 15), date(2025, 2, 13), 1)


def test_e1_one_month_from_the_end_of_january_ends_with_february() -> None:
    # relativedelta clips 01-31 + 1 month to 02-28; minus a day: reached on 02-27.
    assert months_reached(date(2025, 1, 31), date(2025, 2, 27), 1)
    assert not months_reached(date(2025, 1, 31), date(2025, 2, 26), 1)
    assert months_reached(date(2024, 1, 31), date(2024, 2, 28), 1)  # leap year: 02-29 - 1 day


# --- E-1 tenure ---


def test_e1_appointed_on_first_of_last_month_is_eligible() -> None:
    decision = decide_eligibility(employee(date(2025, 3, 1)), Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION)
    assert decision.eligible and decision.reason is None
    assert decision.tenure == (date(2025, 3, 1), date(2025, 3, 31))


def test_e1_appointed_on_second_of_last_month_is_not_evaluated() -> None:
    decision = decide_eligibility(employee(date(2025, 3, 2)), Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION)
    assert (decision.eligible, decision.reason, decision.rule) == (False, "tenure_under_one_month", "E-1")


def test_e1_dismissed_a_day_short_of_a_month_into_the_quarter_is_not_evaluated() -> None:
    short = employee(date(2025, 2, 1), dismissed=date(2025, 2, 27))
    full = employee(date(2025, 2, 1), dismissed=date(2025, 2, 28))
    assert not decide_eligibility(short, Q1_2025, MODEL_2018, CALENDAR).eligible
    assert decide_eligibility(full, Q1_2025, MODEL_2018, CALENDAR).eligible


def test_e1_in_a_leap_year_february_has_twenty_nine_days() -> None:
    short = employee(date(2024, 2, 1), dismissed=date(2024, 2, 28))
    full = employee(date(2024, 2, 1), dismissed=date(2024, 2, 29))
    q1_2024 = Period.of_quarter(2024, 1)
    assert not decide_eligibility(short, q1_2024, MODEL_2018, CALENDAR).eligible
    assert decide_eligibility(full, q1_2024, MODEL_2018, CALENDAR).eligible


def test_e1_appointment_after_the_period_ends_is_not_employed_in_the_period() -> None:
    decision = decide_eligibility(employee(date(2025, 4, 1)), Q1_2025, MODEL_2018, CALENDAR)
    assert (decision.eligible, decision.reason) == (False, "not_employed_in_period")


def test_e1_dismissal_before_the_period_starts_is_reported_as_such() -> None:
    decision = decide_eligibility(employee(dismissed=date(2024, 12, 31)), Q1_2025, MODEL_2018, CALENDAR)
    assert (decision.eligible, decision.reason) == (False, "dismissed_before_period")


def test_e1_a_move_to_another_position_restarts_tenure() -> None:
    moved = employee(date(2025, 3, 10), appointments=[Appointment("U1", "C-5", date(2019, 1, 1), date(2025, 3, 9))])
    decision = decide_eligibility(moved, Q1_2025, MODEL_2018, CALENDAR)
    assert (decision.eligible, decision.tenure) == (False, (date(2025, 3, 10), date(2025, 3, 31)))
    assert decide_eligibility(moved, Period.of_quarter(2024, 4), MODEL_2018, CALENDAR).eligible


def test_g2_a_corps_and_political_officials_are_not_evaluated() -> None:
    for corps in (Corps.A, Corps.POLITICAL):
        official = Employee(id="P1", name="P1", corps=corps, appointed=date(2020, 1, 1))
        decision = decide_eligibility(official, Q1_2025, MODEL_2018, CALENDAR)
        assert (decision.eligible, decision.reason) == (False, "not_b_corps")


# --- E-2 worked days ---


def test_e2_fifteen_working_days_worked_are_enough() -> None:
    # March 2025 has 17 working days (03-10, 03-21, 03-24, 03-25 off); sick 03-03…03-04 leaves 15.
    person = employee(date(2025, 3, 1), absences=[away(AbsenceKind.SICK, date(2025, 3, 3), date(2025, 3, 4))])
    decision = decide_eligibility(person, Q1_2025, QUARTERLY_003, CALENDAR)
    assert (decision.eligible, decision.worked_days) == (True, 15)


def test_e2_fourteen_working_days_worked_are_not() -> None:
    person = employee(date(2025, 3, 1), absences=[away(AbsenceKind.SICK, date(2025, 3, 3), date(2025, 3, 5))])
    decision = decide_eligibility(person, Q1_2025, QUARTERLY_003, CALENDAR)
    assert (decision.eligible, decision.reason, decision.rule, decision.worked_days) == (
        False,
        "under_15_working_days",
        "E-2",
        14,
    )


def test_e2_overlapping_absences_are_counted_once() -> None:
    absences = [
        away(AbsenceKind.SICK, date(2025, 3, 3), date(2025, 3, 5)),
        away(AbsenceKind.BUSINESS_TRIP, date(2025, 3, 4), date(2025, 3, 5)),
        away(AbsenceKind.TRAINING, date(2025, 3, 3), date(2025, 3, 3)),
    ]
    assert worked_days(employee(absences=absences), date(2025, 3, 1), date(2025, 3, 31), CALENDAR) == 17 - 3


def test_e2_an_absence_spanning_the_whole_period_leaves_no_day_worked() -> None:
    person = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2024, 6, 1), date(2025, 6, 1))])
    decision = decide_eligibility(person, Q1_2025, QUARTERLY_003, CALENDAR)
    assert (decision.eligible, decision.reason, decision.worked_days) == (False, "under_15_working_days", 0)


# --- E-3 / E-4 ---


def test_e3_absent_on_the_day_the_period_opens_is_evaluated_in_absentia() -> None:
    person = employee(absences=[away(AbsenceKind.SICK, date(2025, 4, 1), date(2025, 4, 14))])
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION, opened_on=date(2025, 4, 1))
    assert (decision.eligible, decision.in_absentia, decision.rule) == (True, True, "E-3")
    assert decision.evaluation_day == date(2025, 4, 1)


def test_e3_the_evaluation_day_defaults_to_the_first_working_day_after_the_period() -> None:
    person = employee(absences=[away(AbsenceKind.ANNUAL_LEAVE, date(2025, 4, 1), date(2025, 4, 1))])
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR)
    assert (decision.evaluation_day, decision.in_absentia) == (date(2025, 4, 1), True)


def test_e3_back_before_the_period_opens_participates() -> None:
    person = employee(absences=[away(AbsenceKind.SICK, date(2025, 3, 20), date(2025, 3, 31))])
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR, opened_on=date(2025, 4, 1))
    assert (decision.eligible, decision.in_absentia) == (True, False)


def test_e4_dismissed_before_the_deadline_is_evaluated_in_absentia() -> None:
    person = employee(dismissed=date(2025, 4, 9))
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION)
    assert (decision.eligible, decision.in_absentia, decision.rule) == (True, True, "E-4")


def test_e4_dismissed_after_the_deadline_is_evaluated_normally() -> None:
    person = employee(dismissed=date(2025, 4, 10))  # the deadline day itself: still in service
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION)
    assert (decision.eligible, decision.in_absentia) == (True, False)


def test_e4_an_explicit_deadline_overrides_the_methods_rule() -> None:
    person = employee(dismissed=date(2025, 4, 15))
    decision = decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR, DIFFERENTIATION, deadline=date(2025, 4, 21))
    assert decision.in_absentia


def test_e4_a_rulebook_may_leave_people_dismissed_before_the_deadline_unevaluated() -> None:
    rules = MODEL_2018.model_copy(update={"dismissed": "not_evaluated"})
    decision = decide_eligibility(employee(dismissed=date(2025, 4, 2)), Q1_2025, rules, CALENDAR, DIFFERENTIATION)
    assert (decision.eligible, decision.reason, decision.rule) == (False, "dismissed_before_deadline", "E-4")


# --- E-5 ---


def test_e5_under_three_months_in_the_position_is_not_evaluated() -> None:
    decision = decide_eligibility(employee(date(2025, 10, 2)), YEAR_2025, ANNUAL_004, CALENDAR)
    assert (decision.eligible, decision.reason, decision.rule) == (False, "tenure_under_three_months", "E-5")
    assert decide_eligibility(employee(date(2025, 10, 1)), YEAR_2025, ANNUAL_004, CALENDAR).eligible


def test_e5_three_months_count_again_after_social_leave() -> None:
    back_in_october = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2024, 3, 1), date(2025, 10, 5))])
    decision = decide_eligibility(back_in_october, YEAR_2025, ANNUAL_004, CALENDAR)
    assert (decision.eligible, decision.reason) == (False, "tenure_under_three_months")
    back_in_september = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2024, 3, 1), date(2025, 9, 30))])
    assert decide_eligibility(back_in_september, YEAR_2025, ANNUAL_004, CALENDAR).eligible


def test_e1_social_leave_does_not_restart_tenure_in_model_2018() -> None:
    person = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2024, 3, 1), date(2025, 3, 20))])
    assert decide_eligibility(person, Q1_2025, MODEL_2018, CALENDAR).eligible


def test_e5_on_probation_at_the_end_of_the_period_is_not_evaluated() -> None:
    decision = decide_eligibility(employee(probation_until=date(2025, 12, 31)), YEAR_2025, ANNUAL_004, CALENDAR)
    assert (decision.eligible, decision.reason, decision.rule) == (False, "probation", "E-5")
    assert decide_eligibility(employee(probation_until=date(2025, 12, 30)), YEAR_2025, ANNUAL_004, CALENDAR).eligible


def test_e5_absent_at_the_evaluation_is_evaluated_within_five_working_days_after_return() -> None:
    person = employee(absences=[away(AbsenceKind.ANNUAL_LEAVE, date(2025, 12, 25), date(2026, 1, 9))])
    decision = decide_eligibility(person, YEAR_2025, ANNUAL_004, CALENDAR, opened_on=date(2026, 1, 5))
    # back on Monday 2026-01-12; 5 WD: 13, 14, 15, 16, 19.
    assert (decision.eligible, decision.in_absentia, decision.rule) == (True, False, "E-5")
    assert decision.deferred_until == date(2026, 1, 19)


def test_e5_back_to_back_absences_return_after_the_last_one() -> None:
    leave = away(AbsenceKind.ANNUAL_LEAVE, date(2025, 4, 1), date(2025, 4, 4))
    sick = away(AbsenceKind.SICK, date(2025, 4, 7), date(2025, 4, 10))  # the weekend between: never back
    assert return_day(employee(absences=[leave, sick]), leave, CALENDAR) == date(2025, 4, 11)
    assert return_day(employee(absences=[leave]), leave, CALENDAR) == date(2025, 4, 7)


def test_e5_an_absence_of_a_listed_kind_defers_even_when_an_unlisted_one_overlaps_it() -> None:
    rules = ANNUAL_004.model_copy(update={"in_absentia_kinds": [AbsenceKind.SICK]})
    leave = away(AbsenceKind.ANNUAL_LEAVE, date(2026, 1, 1), date(2026, 1, 6))
    sick = away(AbsenceKind.SICK, date(2026, 1, 5), date(2026, 1, 9))
    decision = decide_eligibility(
        employee(absences=[leave, sick]), YEAR_2025, rules, CALENDAR, opened_on=date(2026, 1, 5)
    )
    assert decision.deferred_until == date(2026, 1, 19)


def test_e5_social_leave_is_not_in_the_deferral_list() -> None:
    person = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2026, 1, 1), date(2026, 6, 1))])
    decision = decide_eligibility(person, YEAR_2025, ANNUAL_004, CALENDAR, opened_on=date(2026, 1, 5))
    assert (decision.eligible, decision.deferred_until, decision.in_absentia) == (True, None, False)


# --- E-6 ---


def test_e6_a_head_appointed_with_under_three_months_left_in_the_year_is_evaluated_by_differentiation() -> None:
    head = employee(date(2025, 10, 2), category="C-3")
    decision = decide_eligibility(head, Period.of_quarter(2025, 4), MODEL_2018, CALENDAR, KPI)
    assert (decision.eligible, decision.method, decision.fallback_from, decision.rule) == (
        True,
        Method.DIFFERENTIATION,
        Method.KPI,
        "E-6",
    )


def test_e6_exactly_three_months_left_keeps_the_kpi_method() -> None:
    head = employee(date(2025, 10, 1), category="C-3")
    decision = decide_eligibility(head, Period.of_quarter(2025, 4), MODEL_2018, CALENDAR, KPI)
    assert (decision.method, decision.fallback_from) == (Method.KPI, None)


def test_e6_a_head_appointed_mid_quarter_early_in_the_year_keeps_the_kpi_method() -> None:
    head = employee(date(2025, 2, 17), category="C-3")
    assert decide_eligibility(head, Q1_2025, MODEL_2018, CALENDAR, KPI).method == Method.KPI


def test_e6_without_a_fallback_method_the_head_is_not_evaluated() -> None:
    rules = MODEL_2018.model_copy(update={"kpi_fallback_method": None})
    decision = decide_eligibility(
        employee(date(2025, 10, 2), category="C-3"), Period.of_quarter(2025, 4), rules, CALENDAR, KPI
    )
    assert (decision.eligible, decision.reason, decision.rule) == (False, "kpi_not_set", "E-6")


def test_e6_does_not_touch_the_differentiation_method() -> None:
    decision = decide_eligibility(
        employee(date(2025, 10, 2)), Period.of_quarter(2025, 4), MODEL_2018, CALENDAR, DIFFERENTIATION
    )
    assert (decision.method, decision.rule) == (Method.DIFFERENTIATION, "E-1")


# --- methods_for ---


def test_g2_heads_of_units_get_kpis_and_everyone_else_differentiation() -> None:
    assert [s.method for s in methods_for(employee(category="C-3"), Q1_2025, MODEL_BOOK)] == [Method.KPI]
    assert [s.method for s in methods_for(employee(category="C-4"), Q1_2025, MODEL_BOOK)] == [Method.DIFFERENTIATION]


def test_methods_follow_the_category_held_in_the_period() -> None:
    promoted = employee(
        date(2025, 4, 1), category="C-3", appointments=[Appointment("U1", "C-4", date(2019, 1, 1), date(2025, 3, 31))]
    )
    assert [s.method for s in methods_for(promoted, Q1_2025, MODEL_BOOK)] == [Method.DIFFERENTIATION]
    assert [s.method for s in methods_for(promoted, Period.of_quarter(2025, 2), MODEL_BOOK)] == [Method.KPI]


def test_a_method_out_of_force_at_the_period_end_does_not_apply() -> None:
    book = rulebook(method("differentiation", valid_until="2025-03-30"), method("kpi", valid_from="2025-03-31"))
    assert [s.method for s in methods_for(employee(), Q1_2025, book)] == [Method.KPI]


def test_m10_002_chapter_6_replaces_the_quarterly_methods_for_those_on_leave_in_the_window() -> None:
    chapter_6 = method(
        "kpi_count",
        cadence="year",
        valid_until="2023-08-31",
        population={
            "rule": "M-10",
            "absent_kinds": ["social_leave", "sick"],
            "absent_from": "2021-07-01",
            "absent_to": "2022-12-31",
        },
        replaces=["kpi", "differentiation"],
    )
    book = rulebook(method("differentiation"), chapter_6)
    on_leave = employee(absences=[away(AbsenceKind.SICK, date(2022, 12, 20), date(2023, 1, 10))])
    year_2022, q3_2022 = Period.of_year(2022), Period.of_quarter(2022, 3)
    assert [s.method for s in methods_for(on_leave, year_2022, book)] == [Method.KPI_COUNT]
    assert methods_for(on_leave, q3_2022, book) == []
    assert [s.method for s in methods_for(employee(), q3_2022, book)] == [Method.DIFFERENTIATION]
    assert methods_for(employee(), year_2022, book) == []


# --- properties ---


@settings(max_examples=200)
@given(
    earlier=st.dates(min_value=date(2024, 10, 1), max_value=date(2025, 4, 5)),
    later_by=st.integers(min_value=0, max_value=60),
    rules=st.sampled_from([MODEL_2018, QUARTERLY_003, ANNUAL_004]),
)
def test_eligibility_is_monotone_in_tenure(earlier: date, later_by: int, rules: Eligibility) -> None:
    period = YEAR_2025 if rules is ANNUAL_004 else Q1_2025
    later = earlier + timedelta(days=later_by)
    if decide_eligibility(employee(later), period, rules, CALENDAR).eligible:
        assert decide_eligibility(employee(earlier), period, rules, CALENDAR).eligible


@settings(max_examples=200)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    months=st.integers(min_value=0, max_value=12),
    extra=st.integers(min_value=-3, max_value=3),
)
def test_months_reached_is_a_threshold_on_the_last_day(start: date, months: int, extra: int) -> None:
    last = start + timedelta(days=30 * months + extra)
    if months_reached(start, last, months):
        assert months_reached(start, last + timedelta(days=1), months)
    if not months_reached(start, last, months):
        assert not months_reached(start, last - timedelta(days=1), months)


@pytest.mark.parametrize("rules", [MODEL_2018, QUARTERLY_003, ANNUAL_004])
def test_every_refusal_names_a_rule_and_a_snake_case_reason(rules: Eligibility) -> None:
    decision = decide_eligibility(employee(date(2025, 3, 20)), Q1_2025, rules, CALENDAR)
    assert not decision.eligible
    assert decision.rule.startswith("E-") and decision.reason and decision.reason.islower()


# --- the bundled rulebooks ---


def test_bundled_kz_annual_commission_2018_restarts_tenure_after_social_leave_and_defers_the_absent() -> None:
    book = rulebooks.get("kz-annual-commission-2018")
    back_late = employee(absences=[away(AbsenceKind.SOCIAL_LEAVE, date(2024, 3, 1), date(2025, 10, 5))])
    assert decide_eligibility(back_late, YEAR_2025, book.eligibility, CALENDAR).reason == "tenure_under_three_months"
    on_leave = employee(absences=[away(AbsenceKind.ANNUAL_LEAVE, date(2025, 12, 25), date(2026, 1, 9))])
    decision = decide_eligibility(on_leave, YEAR_2025, book.eligibility, CALENDAR, opened_on=date(2026, 1, 5))
    assert decision.deferred_until == date(2026, 1, 19)
    assert [s.method for s in methods_for(employee(), YEAR_2025, book)] == [Method.KPI_COUNT, Method.COMPETENCIES]


def test_bundled_kz_model_2018_gives_a_late_appointed_head_the_differentiation_method() -> None:
    book = rulebooks.get("kz-model-2018")
    head = employee(date(2025, 10, 2), category="C-1")
    [kpi] = methods_for(head, Period.of_quarter(2025, 4), book)
    decision = decide_eligibility(head, Period.of_quarter(2025, 4), book.eligibility, CALENDAR, kpi)
    assert (decision.method, decision.rule) == (Method.DIFFERENTIATION, "E-6")
