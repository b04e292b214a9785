"""Every date of the law from rulebook deadline rules and the Kazakhstan calendar (P-1…P-7, K-1, C-1…C-7, M-2…M-9).

Expected dates are worked out by hand on the Kazakhstan calendar of the ``holidays`` library: 2025-04-05 and
2025-04-20 are a Saturday and a Sunday, 2025-01-05 a Sunday made working by decree, 2025-05-01/07/09 and
2026-05-07/11 days off.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.deadlines import (
    MissingAnchor,
    WindowClosed,
    WindowNotOpen,
    annual_due,
    as_notice,
    calibration_schedule,
    check_within,
    commission_schedule,
    period_schedule,
    recomputed,
    resolve,
)
from domain.errors import RuleViolation
from domain.periods import Period
from domain.rulebook import (
    Calibration,
    Commission,
    DayOfMonthRule,
    MethodSpec,
    Reminders,
    Rulebook,
    WorkingDaysBeforeRule,
    WorkingDaysRule,
)

CALENDAR = WorkingCalendar()
Q1_2025 = Period.of_quarter(2025, 1)
TEXT = {"kk": "x", "ru": "x", "en": "x"}


def spec(method: str = "kpi", **fields: Any) -> MethodSpec:
    """A Model 2018 method with kz-model-2018's deadline rules (P-1, P-4, P-5, K-1)."""
    data: dict[str, Any] = {
        "method": method,
        "rules": ["P-1"],
        "name": TEXT,
        "cadence": "quarter",
        "evaluator": [{"route": "direct_head", "rule": "K-4"}],
        "scoring": "kpi_range",
        "notice": {"kind": "day_of_month", "day": 5, "months_after": 1, "roll": "roll_back", "rule": "P-4"},
        "deadline": {"kind": "day_of_month", "day": 10, "months_after": 1, "roll": "roll_forward", "rule": "P-1"},
        "kpi_actuals": {"kind": "working_days_before", "days": 5, "before": "deadline", "rule": "P-5"},
        "kpi_plan": {"kind": "working_days", "days": 10, "after": "period_start", "rule": "K-1"},
    }
    data.update(fields)
    return MethodSpec.model_validate(data)


def form2() -> MethodSpec:
    """003: the 20th of the month after the quarter (P-2), no notice rule."""
    return spec(
        "form2",
        notice=None,
        kpi_actuals=None,
        kpi_plan=None,
        deadline={"kind": "day_of_month", "day": 20, "months_after": 1, "roll": "roll_forward", "rule": "P-2"},
    )


CALIBRATION = Calibration.model_validate(
    {
        "rules": ["C-1"],
        "acquaintance": {"kind": "working_days", "days": 2, "after": "completed", "rule": "C-1"},
        "apply_within": {"kind": "working_days", "days": 5, "after": "acquainted", "rule": "C-2"},
        "decide_within": {"kind": "working_days", "days": 3, "after": "applied", "rule": "C-3"},
        "hold_within": {"kind": "working_days", "days": 10, "after": "applied", "rule": "C-4"},
        "protocol_post_within": {"kind": "working_days", "days": 3, "after": "signed", "rule": "C-7"},
        "min_members": 3,
        "odd_members": True,
    }
)


def commission(notice_days: int = 7) -> Commission:
    return Commission.model_validate(
        {
            "rules": ["M-7"],
            "min_members": 5,
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "notice_before_meeting": {
                "kind": "working_days_before",
                "days": notice_days,
                "before": "meeting",
                "rule": "M-7",
            },
            "resubmit_within": {"kind": "working_days", "days": 2, "after": "returned", "rule": "M-5"},
            "submit_to_commission_within": {"kind": "working_days", "days": 2, "after": "signed", "rule": "M-5"},
            "acquaintance": {"kind": "working_days", "days": 2, "after": "decided", "rule": "M-8"},
            "appeal_within": {"kind": "working_days", "days": 10, "after": "decided", "rule": "M-9"},
        }
    )


def rulebook(annual_day: int = 10) -> Rulebook:
    return Rulebook.model_validate(
        {
            "id": "test-model",
            "title": TEXT,
            "family": "model-2018",
            "version": "1",
            "sources": [{"seed": "000", "title": "test"}],
            "valid_from": "2018-01-16",
            "results": {"bands": [{"category": "effective", "min": 0, "max": 5, "name": TEXT}]},
            "eligibility": {"rules": ["E-1"], "min_tenure_months": 1, "tenure_reason": "t", "absent": "in_absentia"},
            "methods": [spec().model_dump()],
            "kpi": {
                "min_count": 3,
                "max_count": 5,
                "ranges": [
                    {"min_pct": 0, "max_pct": 99.99, "min_score": 0, "max_score": 4.99},
                    {"min_pct": 100, "max_pct": None, "min_score": 5, "max_score": 5},
                ],
            },
            "calibration": CALIBRATION.model_dump(),
            "annual": {
                "methods": ["kpi"],
                "due": {"kind": "day_of_month", "day": annual_day, "months_after": 1, "rule": "P-3"},
            },
            "retention": {"years": 3},
        }
    )


# --- resolve -------------------------------------------------------------------------------------------------


def test_p1_model_2018_deadline_for_2025_q1_is_the_tenth_of_april() -> None:
    rule = DayOfMonthRule(day=10, rule="P-1")
    assert resolve(rule, Q1_2025.anchors(), CALENDAR) == date(2025, 4, 10)


def test_p4_p6_a_heads_notice_on_a_saturday_rolls_back_to_friday() -> None:
    rule = DayOfMonthRule(day=5, roll="roll_back", rule="P-4")
    assert resolve(rule, Q1_2025.anchors(), CALENDAR) == date(2025, 4, 4)


def test_p2_p6_a_deadline_of_the_twentieth_on_a_sunday_rolls_forward_to_monday() -> None:
    rule = DayOfMonthRule(day=20, roll="roll_forward", rule="P-2")
    assert resolve(rule, Q1_2025.anchors(), CALENDAR) == date(2025, 4, 21)


def test_p6_policy_none_keeps_a_deadline_on_a_day_off() -> None:
    rule = DayOfMonthRule(day=20, roll="none", rule="P-2")
    assert resolve(rule, Q1_2025.anchors(), CALENDAR) == date(2025, 4, 20)


def test_p1_2026_a_saturday_tenth_of_october_rolls_forward_to_monday_the_twelfth() -> None:
    rule = DayOfMonthRule(day=10, rule="P-1")
    assert resolve(rule, Period.of_quarter(2026, 3).anchors(), CALENDAR) == date(2026, 10, 12)
    assert resolve(rule, Period.of_quarter(2026, 4).anchors(), CALENDAR) == date(2027, 1, 11)


def test_p7_working_days_count_from_the_day_after_the_event() -> None:
    rule = WorkingDaysRule(days=3, after="applied", rule="C-3")
    assert resolve(rule, {"applied": date(2025, 4, 15)}, CALENDAR) == date(2025, 4, 18)


def test_p7_a_sunday_made_working_by_decree_counts_as_a_working_day() -> None:
    rule = WorkingDaysRule(days=10, after="period_start", rule="K-1")
    # 2025-01-05 (a Sunday) worked; 01-01…01-04 and 01-07 off: 5, 6, 8, 9, 10, 13, 14, 15, 16, 17.
    assert resolve(rule, Q1_2025.anchors(), CALENDAR) == date(2025, 1, 17)


def test_p5_working_days_before_count_back_from_the_day_before() -> None:
    rule = WorkingDaysBeforeRule(days=5, before="deadline", rule="P-5")
    assert resolve(rule, {"deadline": date(2025, 4, 10)}, CALENDAR) == date(2025, 4, 3)


def test_a_missing_event_is_a_key_error_naming_the_event_and_the_rule() -> None:
    rule = WorkingDaysRule(days=5, after="acquainted", rule="C-2")
    with pytest.raises(MissingAnchor, match="C-2.*'acquainted'.*known events: applied") as caught:
        resolve(rule, {"applied": date(2025, 4, 15)}, CALENDAR)
    assert isinstance(caught.value, KeyError)
    assert (caught.value.event, caught.value.rule) == ("acquainted", "C-2")


def test_p6_a_notice_rule_never_rolls_forward() -> None:
    forward = DayOfMonthRule(day=5, roll="roll_forward", rule="P-4")
    assert as_notice(forward) == DayOfMonthRule(day=5, roll="roll_back", rule="P-4")
    assert as_notice(DayOfMonthRule(day=5, roll="none", rule="P-4")) == DayOfMonthRule(day=5, roll="none", rule="P-4")


# --- a period's schedule ---------------------------------------------------------------------------------------


def test_period_schedule_of_the_kpi_method_for_2025_q1() -> None:
    schedule = period_schedule(Q1_2025, spec(), CALENDAR)
    assert schedule.notice_by == date(2025, 4, 4)  # P-4: the 5th is a Saturday
    assert schedule.deadline == date(2025, 4, 10)  # P-1
    assert schedule.kpi_actuals_by == date(2025, 4, 3)  # P-5: 5 WD before the deadline
    assert schedule.kpi_plan_by == date(2025, 1, 17)  # K-1: 10 WD after the period starts
    assert schedule.reminders == (date(2025, 4, 7), date(2025, 4, 9))  # 3 and 1 WD before
    assert schedule.overdue_from == date(2025, 4, 11)
    assert not schedule.late


def test_p2_period_schedule_of_form2_for_2025_q1_has_no_notice_rule() -> None:
    schedule = period_schedule(Q1_2025, form2(), CALENDAR, opened_on=date(2025, 4, 1))
    assert schedule.deadline == date(2025, 4, 21)
    assert schedule.notice_by == date(2025, 4, 1)  # notified when the period opens
    assert schedule.reminders == (date(2025, 4, 16), date(2025, 4, 18))
    assert (schedule.kpi_plan_by, schedule.kpi_actuals_by) == (None, None)


def test_p4_a_period_opened_after_the_notice_date_notifies_on_opening_and_is_late() -> None:
    schedule = period_schedule(Q1_2025, spec(), CALENDAR, opened_on=date(2025, 4, 8))
    assert (schedule.notice_by, schedule.late) == (date(2025, 4, 8), True)
    assert schedule.deadline == date(2025, 4, 10)
    assert schedule.reminders == (date(2025, 4, 9),)  # the 3-WD reminder would precede the opening


def test_reminders_follow_the_rulebook_cadence() -> None:
    schedule = period_schedule(Q1_2025, spec(), CALENDAR, reminders=Reminders(before_deadline_working_days=[5, 2]))
    assert schedule.reminders == (date(2025, 4, 3), date(2025, 4, 8))


def test_p5_in_a_fourth_quarter_the_january_holidays_pull_the_kpi_actuals_into_the_quarter_itself() -> None:
    # Deadline 2026-01-12 (the 10th is a Saturday); 5 WD back over 01-01, 01-02 and 01-07: 9, 8, 6, 5, 2025-12-31.
    schedule = period_schedule(Period.of_quarter(2025, 4), spec(), CALENDAR)
    assert (schedule.deadline, schedule.kpi_actuals_by) == (date(2026, 1, 12), date(2025, 12, 31))


def test_k1_kpis_of_a_head_appointed_later_are_due_ten_working_days_after_the_appointment() -> None:
    schedule = period_schedule(Period.of_quarter(2025, 2), spec(), CALENDAR, appointed=date(2025, 4, 30))
    # 2025-05-01, 05-07 and 05-09 are days off: 2, 5, 6, 8, 12, 13, 14, 15, 16, 19.
    assert schedule.kpi_plan_by == date(2025, 5, 19)


def test_k2_the_approved_plan_is_in_the_system_five_working_days_after_approval() -> None:
    upload = {"kind": "working_days", "days": 5, "after": "approved", "rule": "K-2"}
    schedule = period_schedule(Q1_2025, spec(kpi_plan_upload=upload), CALENDAR, plan_approved_on=date(2025, 1, 17))
    assert schedule.kpi_plan_upload_by == date(2025, 1, 24)
    assert period_schedule(Q1_2025, spec(kpi_plan_upload=upload), CALENDAR).kpi_plan_upload_by is None


def test_a_period_schedule_names_its_events_for_other_rules() -> None:
    schedule = period_schedule(Q1_2025, spec(), CALENDAR, opened_on=date(2025, 4, 1))
    assert schedule.anchors()["deadline"] == date(2025, 4, 10)
    assert schedule.anchors()["opened"] == date(2025, 4, 1)


# --- calibration and Commission ------------------------------------------------------------------------------


def test_c3_c4_applied_on_april_15_decide_by_april_18_hold_by_april_29() -> None:
    schedule = calibration_schedule(CALIBRATION, CALENDAR, applied_on=date(2025, 4, 15))
    assert (schedule.decide_by, schedule.hold_by) == (date(2025, 4, 18), date(2025, 4, 29))
    assert (schedule.acquaint_by, schedule.apply_by, schedule.protocol_post_by) == (None, None, None)


def test_c1_c2_c7_acquaintance_application_and_protocol_dates() -> None:
    schedule = calibration_schedule(
        CALIBRATION,
        CALENDAR,
        completed_on=date(2025, 4, 3),
        acquainted_on=date(2025, 4, 14),
        signed_on=date(2025, 4, 24),
    )
    assert schedule.acquaint_by == date(2025, 4, 7)  # C-1: 2 WD after completion (a weekend between)
    assert schedule.apply_by == date(2025, 4, 21)  # C-2: 5 WD after acquaintance
    assert schedule.protocol_post_by == date(2025, 4, 29)  # C-7: 3 WD after signing


def test_q4_a_dismissed_employee_is_made_acquainted_within_the_month_after_the_quarter() -> None:
    q4_rule = {"kind": "day_of_month", "day": 31, "months_after": 1, "roll": "roll_back", "rule": "Q-4"}
    calibration = Calibration.model_validate({**CALIBRATION.model_dump(), "dismissed_acquaintance": q4_rule})
    schedule = calibration_schedule(calibration, CALENDAR, period=Q1_2025)
    assert schedule.dismissed_acquaint_by == date(2025, 4, 30)  # April has no 31st
    assert calibration_schedule(CALIBRATION, CALENDAR, period=Q1_2025).dismissed_acquaint_by is None


def test_c3_c4_in_may_2026_the_victory_day_holidays_push_the_dates() -> None:
    schedule = calibration_schedule(CALIBRATION, CALENDAR, applied_on=date(2026, 5, 5))
    assert (schedule.decide_by, schedule.hold_by) == (date(2026, 5, 12), date(2026, 5, 21))


def test_m_rules_commission_schedule() -> None:
    yearly = spec(
        "kpi_count",
        cadence="year",
        kpi_plan={"kind": "working_days", "days": 10, "after": "period_start", "rule": "M-2"},
        kpi_plan_resubmit={"kind": "working_days", "days": 2, "after": "returned", "rule": "M-2"},
    )
    schedule = commission_schedule(
        Period.of_year(2025),
        yearly,
        commission(),
        CALENDAR,
        plan_returned_on=date(2025, 1, 10),
        returned_on=date(2025, 4, 10),
        signed_on=date(2025, 4, 11),
        meeting_on=date(2025, 4, 28),
        decided_on=date(2025, 4, 28),
    )
    assert schedule.kpi_plan_by == date(2025, 1, 17)  # M-2
    assert schedule.plan_resubmit_by == date(2025, 1, 14)  # M-2: 2 WD after the plan is returned
    assert schedule.resubmit_by == date(2025, 4, 14)  # M-2/M-5: 2 WD after the return
    assert schedule.submit_to_commission_by == date(2025, 4, 15)  # M-5: 2 WD after the signature
    assert schedule.notify_evaluators_by == date(2025, 4, 17)  # M-7: 7 WD before the meeting
    assert schedule.acquaint_by == date(2025, 4, 30)  # M-8
    assert schedule.appeal_by == date(2025, 5, 15)  # M-9: 10 WD, three days off in May


def test_m7_002_chapter_6_notifies_three_working_days_before_the_meeting() -> None:
    schedule = commission_schedule(
        Period.of_year(2022), spec(), commission(notice_days=3), CALENDAR, meeting_on=date(2025, 4, 28)
    )
    assert schedule.notify_evaluators_by == date(2025, 4, 23)
    assert schedule.appeal_by is None


# --- yearly dates --------------------------------------------------------------------------------------------


def test_p3_the_annual_final_of_2025_is_due_the_first_working_day_from_january_tenth() -> None:
    assert annual_due(2025, rulebook(), CALENDAR) == date(2026, 1, 12)  # the 10th is a Saturday


def test_p3_003_the_annual_final_is_due_by_january_thirtieth() -> None:
    assert annual_due(2025, rulebook(annual_day=30), CALENDAR) == date(2026, 1, 30)
    assert annual_due(2026, rulebook(annual_day=30), CALENDAR) == date(2027, 2, 1)  # a Saturday, rolled forward


def test_a_rulebook_without_a_360_survey_has_no_survey_deadline() -> None:
    from domain.deadlines import survey_deadline

    with pytest.raises(KeyError, match="T-1"):
        survey_deadline(2025, rulebook(), CALENDAR)


# --- windows ---------------------------------------------------------------------------------------------------


def test_an_action_on_the_deadline_day_is_in_time() -> None:
    check_within(date(2025, 4, 10), date(2025, 4, 10), "P-1", "the sheet")


def test_an_action_after_the_deadline_is_refused_naming_the_rule_and_the_dates() -> None:
    with pytest.raises(
        WindowClosed, match=r"the sheet on 2025-04-11 is too late: the deadline was 2025-04-10 \(P-1\)"
    ) as caught:
        check_within(date(2025, 4, 11), date(2025, 4, 10), "P-1", "the sheet")
    assert isinstance(caught.value, RuleViolation)
    assert (caught.value.rule, caught.value.field) == ("P-1", "the sheet")


def test_an_action_before_the_window_opens_is_refused() -> None:
    with pytest.raises(WindowNotOpen, match="C-2"):
        check_within(date(2025, 4, 1), date(2025, 4, 21), "C-2", "calibration application", opens=date(2025, 4, 14))


# --- properties ------------------------------------------------------------------------------------------------

years = st.integers(min_value=2015, max_value=2030)
quarters = st.builds(Period.of_quarter, years, st.integers(min_value=1, max_value=4))
rolls = st.sampled_from(["roll_forward", "roll_back", "none"])


@settings(max_examples=200)
@given(period=quarters, day=st.integers(min_value=1, max_value=31), roll=rolls)
def test_p6_a_day_of_month_deadline_is_a_working_day_unless_the_policy_is_none(
    period: Period, day: int, roll: str
) -> None:
    rule = DayOfMonthRule.model_validate({"day": day, "roll": roll, "rule": "P-1"})
    resolved = resolve(rule, period.anchors(), CALENDAR)
    if roll != "none":
        assert CALENDAR.is_working_day(resolved)
    assert abs((resolved - period.end).days) < 50


@settings(max_examples=200)
@given(
    event=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 1)), days=st.integers(min_value=1, max_value=30)
)
def test_p7_a_working_day_count_always_lands_on_a_working_day_after_the_event(event: date, days: int) -> None:
    after = resolve(WorkingDaysRule(days=days, after="x", rule="C-4"), {"x": event}, CALENDAR)
    before = resolve(WorkingDaysBeforeRule(days=days, before="x", rule="M-7"), {"x": event}, CALENDAR)
    assert CALENDAR.is_working_day(after) and after > event
    assert CALENDAR.is_working_day(before) and before < event
    assert CALENDAR.working_days_between(event + timedelta(days=1), after) == days


@settings(max_examples=100)
@given(period=quarters, opened_late_by=st.integers(min_value=-5, max_value=20))
def test_schedule_dates_are_ordered(period: Period, opened_late_by: int) -> None:
    opened = period.end + timedelta(days=max(1, opened_late_by))
    schedule = period_schedule(period, spec(), CALENDAR, opened_on=opened)
    assert schedule.deadline is not None and schedule.overdue_from is not None
    assert schedule.kpi_plan_by is not None and schedule.kpi_actuals_by is not None
    assert period.start < schedule.kpi_plan_by < period.end < schedule.deadline
    assert schedule.kpi_actuals_by < schedule.deadline  # may fall inside a fourth quarter (see the P-5 test)
    assert schedule.deadline < schedule.overdue_from == schedule.deadline + timedelta(days=1)
    assert list(schedule.reminders) == sorted(set(schedule.reminders))
    assert all(opened < reminder < schedule.deadline for reminder in schedule.reminders)
    assert schedule.notice_by is not None and schedule.notice_by >= min(opened, schedule.notice_by)
    notice = spec().notice
    assert notice is not None
    assert schedule.late == (opened > resolve(as_notice(notice), period.anchors(), CALENDAR))


# --- the bundled rulebooks ---------------------------------------------------------------------------------------


def test_bundled_kz_model_2018_reproduces_the_2025_q1_dates() -> None:
    book = rulebooks.get("kz-model-2018")
    kpi = period_schedule(Q1_2025, book.method("kpi"), CALENDAR, reminders=book.reminders)
    others = period_schedule(Q1_2025, book.method("differentiation"), CALENDAR, reminders=book.reminders)
    assert (kpi.notice_by, kpi.deadline, kpi.kpi_actuals_by) == (date(2025, 4, 4), date(2025, 4, 10), date(2025, 4, 3))
    assert (others.notice_by, others.deadline) == (date(2025, 4, 10), date(2025, 4, 10))
    assert book.calibration is not None
    calibration = calibration_schedule(book.calibration, CALENDAR, applied_on=date(2025, 4, 15))
    assert (calibration.decide_by, calibration.hold_by) == (date(2025, 4, 18), date(2025, 4, 29))


def test_bundled_kz_quarterly_2026_deadlines_fall_on_the_twentieth_or_the_next_working_day() -> None:
    book = rulebooks.get("kz-quarterly-2026")
    assert period_schedule(Period.of_quarter(2026, 2), book.method("form2"), CALENDAR).deadline == date(2026, 7, 20)
    assert period_schedule(Period.of_quarter(2026, 4), book.method("form2"), CALENDAR).deadline == date(2027, 1, 20)
    assert annual_due(2025, book, CALENDAR) == date(2026, 1, 30)


def test_p7_a_stored_date_moves_with_the_calendar_only_forward_in_time_and_only_as_computed() -> None:
    """Decision 0196: a calendar override recomputes a stored date only when it is still the old calendar's date,
    neither it nor the new one lies before today, and they differ."""
    today, was, now = date(2025, 4, 8), date(2025, 4, 10), date(2025, 4, 11)
    assert recomputed(was, was, now, today) == now
    assert recomputed(date(2025, 4, 15), was, now, today) is None  # set otherwise (E-5, a return): stays
    assert recomputed(was, was, now, date(2025, 4, 11)) is None  # already passed: kept or missed
    assert recomputed(was, was, date(2025, 4, 7), today) is None  # would close in the past
    assert recomputed(was, was, was, today) is None
    assert recomputed(None, was, now, today) is None and recomputed(was, was, None, today) is None
    assert recomputed(today, today, now, today) == now  # today itself still counts as open
