"""The Kazakhstan working-day calendar: P-6 (day-of-month deadlines on a day off) and P-7 (N working days)."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    CalendarRangeError,
    WorkingCalendar,
    parse_iso_date,
)

KZ = WorkingCalendar()


def days(*isos: str) -> list[date]:
    return [date.fromisoformat(iso) for iso in isos]


# --- P-7: which days are working, as the library and the decrees say -----------------------------------------

DAYS_OFF_2024_2026 = days(
    # 2024
    "2024-01-01", "2024-01-02", "2024-03-08", "2024-03-21", "2024-03-22",
    "2024-03-25",  # Nauryz on Saturday 23 March, moved to Monday
    "2024-05-01", "2024-05-07",
    "2024-05-08",  # decree: the day off of Saturday 4 May moved to Wednesday 8 May
    "2024-05-09",
    "2024-07-08",  # Capital Day on Saturday 6 July, moved to Monday
    "2024-08-30", "2024-10-25", "2024-12-16",
    # 2025
    "2025-01-01", "2025-01-02",
    "2025-01-03",  # decree: the day off of Sunday 5 January moved to Friday 3 January
    "2025-01-07",  # Orthodox Christmas
    "2025-03-10",  # Women's Day on Saturday 8 March, moved to Monday
    "2025-03-21", "2025-03-24", "2025-03-25",  # Nauryz: Friday, then Saturday and Sunday moved to Mon, Tue
    "2025-05-01", "2025-05-07", "2025-05-09",
    "2025-06-06",  # Kurban Ait
    "2025-07-07",  # Capital Day on Sunday 6 July
    "2025-09-01",  # Constitution Day on Saturday 30 August
    "2025-10-27",  # Republic Day on Saturday 25 October
    "2025-12-16",
    # 2026 (the library knows no decree transfers for 2026)
    "2026-01-01", "2026-01-02", "2026-01-07",
    "2026-03-09",  # Women's Day on Sunday 8 March
    "2026-03-23", "2026-03-24", "2026-03-25",  # Nauryz Monday, plus Saturday and Sunday moved
    "2026-05-01", "2026-05-07",
    "2026-05-11",  # Victory Day on Saturday 9 May
    "2026-07-06",
    "2026-10-26",  # Republic Day on Sunday 25 October
    "2026-12-16",
)  # fmt: skip

WORKING_DAYS_2024_2026 = days(
    "2024-05-04",  # decree: working Saturday (its day off moved to 8 May)
    "2024-06-17",  # Kurban Ait on Sunday 16 June is not moved
    "2025-01-05",  # decree: working Sunday (its day off moved to 3 January)
    "2025-01-06",
    "2025-03-26",
    "2025-05-02", "2025-05-05", "2025-05-06", "2025-05-08",  # no bridges between the May holidays in 2025
    "2026-01-05", "2026-01-06",  # no New Year transfer in 2026
    "2026-01-08",
    "2026-05-08", "2026-05-12",
    "2026-08-31",  # the library has no Constitution Day in 2026 (moved to 15 March from 2027)
)  # fmt: skip


@pytest.mark.parametrize("day", DAYS_OFF_2024_2026, ids=str)
def test_p7_public_holidays_and_decree_days_off_are_not_working_days(day: date) -> None:
    assert not KZ.is_working_day(day)


@pytest.mark.parametrize("day", WORKING_DAYS_2024_2026, ids=str)
def test_p7_decree_working_weekend_days_and_ordinary_weekdays_are_working_days(day: date) -> None:
    assert KZ.is_working_day(day)


def test_p7_ordinary_saturdays_and_sundays_are_not_working_days() -> None:
    assert not KZ.is_working_day(date(2025, 3, 29))
    assert not KZ.is_working_day(date(2025, 3, 30))


def test_p7_a_decree_in_one_year_can_make_a_weekend_day_of_the_previous_year_working() -> None:
    # The 2014 decree moved the day off of Saturday 28 December 2013 to Friday 3 January 2014.
    assert KZ.is_working_day(date(2013, 12, 28))
    assert not KZ.is_working_day(date(2014, 1, 3))


def test_p7_the_calendar_agrees_with_the_holidays_library_every_day_of_2023_to_2027() -> None:
    library = holidays.country_holidays("KZ", years=range(2022, 2029), language="en_US")
    day = date(2023, 1, 1)
    while day <= date(2027, 12, 31):
        assert KZ.is_working_day(day) == library.is_working_day(day), day
        day += timedelta(days=1)


def test_p7_2025_has_246_working_days_on_the_library_data() -> None:
    # 261 weekdays, 16 of them days off, plus the working Sunday of 5 January.
    assert KZ.working_days_between(date(2025, 1, 1), date(2025, 12, 31)) == 246


# --- P-7: counting N working days ---------------------------------------------------------------------------------


def test_p7_acceptance_five_working_days_after_20_march_2025_is_1_april() -> None:
    # Friday 21 (Nauryz), the weekend, Monday 24 and Tuesday 25 (Nauryz moved) are not counted.
    assert KZ.add_working_days(date(2025, 3, 20), 5) == date(2025, 4, 1)


def test_p7_counting_starts_the_day_after_the_event() -> None:
    assert KZ.add_working_days(date(2025, 4, 7), 1) == date(2025, 4, 8)
    assert KZ.add_working_days(date(2025, 4, 11), 1) == date(2025, 4, 14)  # Friday → Monday


def test_p7_an_event_on_a_day_off_counts_from_the_next_day_too() -> None:
    assert KZ.add_working_days(date(2025, 3, 22), 1) == date(2025, 3, 26)


def test_p7_counting_runs_over_the_new_year_and_counts_the_decree_working_sunday() -> None:
    assert KZ.add_working_days(date(2024, 12, 30), 1) == date(2024, 12, 31)
    assert KZ.add_working_days(date(2024, 12, 30), 2) == date(2025, 1, 5)
    assert KZ.add_working_days(date(2024, 12, 30), 3) == date(2025, 1, 6)


def test_p7_zero_working_days_is_the_day_itself_if_working_else_the_next_working_day() -> None:
    assert KZ.add_working_days(date(2025, 4, 8), 0) == date(2025, 4, 8)
    assert KZ.add_working_days(date(2025, 3, 21), 0) == date(2025, 3, 26)


def test_p7_negative_counts_go_backwards_starting_the_day_before() -> None:
    assert KZ.add_working_days(date(2025, 4, 1), -5) == date(2025, 3, 20)
    assert KZ.subtract_working_days(date(2025, 4, 1), 5) == date(2025, 3, 20)
    assert KZ.subtract_working_days(date(2025, 3, 25), 0) == date(2025, 3, 20)
    assert KZ.subtract_working_days(date(2025, 1, 6), 1) == date(2025, 1, 5)


def test_p5_five_working_days_before_a_deadline() -> None:
    # P-5: HR sends the KPI values no later than 5 working days before the last day (10 April 2025).
    assert KZ.subtract_working_days(date(2025, 4, 10), 5) == date(2025, 4, 3)


def test_p7_a_large_count_runs_over_several_years() -> None:
    start = date(2024, 1, 3)
    end = KZ.add_working_days(start, 1000)
    assert KZ.working_days_between(start + timedelta(days=1), end) == 1000
    assert KZ.subtract_working_days(end, 1000) == start


def test_p7_next_and_previous_working_days_are_strictly_after_and_before() -> None:
    assert KZ.next_working_day(date(2025, 3, 20)) == date(2025, 3, 26)
    assert KZ.previous_working_day(date(2025, 3, 26)) == date(2025, 3, 20)
    assert KZ.next_working_day(date(2025, 4, 8)) == date(2025, 4, 9)


def test_p7_working_days_between_counts_both_ends() -> None:
    assert KZ.working_days_between(date(2025, 4, 7), date(2025, 4, 11)) == 5
    assert KZ.working_days_between(date(2025, 4, 7), date(2025, 4, 7)) == 1
    assert KZ.working_days_between(date(2025, 3, 21), date(2025, 3, 25)) == 0
    assert KZ.working_days_between(date(2024, 12, 30), date(2025, 1, 6)) == 4


def test_p7_working_days_between_refuses_a_start_after_the_end() -> None:
    with pytest.raises(ValueError, match="start.*after end"):
        KZ.working_days_between(date(2025, 4, 8), date(2025, 4, 7))


# --- P-6: day-of-month deadlines ---------------------------------------------------------------------------------


def test_p6_a_deadline_on_a_sunday_rolls_forward_past_the_moved_victory_day() -> None:
    # Sunday 10 May 2026; Monday 11 May is Victory Day (Saturday 9 May) moved.
    assert KZ.roll(date(2026, 5, 10), "roll_forward") == date(2026, 5, 12)


def test_p6_a_deadline_on_a_sunday_rolls_back_to_the_friday() -> None:
    assert KZ.roll(date(2026, 5, 10), "roll_back") == date(2026, 5, 8)


def test_p6_policy_none_leaves_the_deadline_where_it_falls() -> None:
    assert KZ.roll(date(2026, 5, 10), "none") == date(2026, 5, 10)


def test_p6_a_deadline_on_a_working_day_never_moves() -> None:
    for policy in ("roll_forward", "roll_back", "none"):
        assert KZ.roll(date(2025, 4, 10), policy) == date(2025, 4, 10)


def test_p6_an_unknown_roll_policy_is_refused_naming_the_policies() -> None:
    with pytest.raises(ValueError, match="policy.*roll_forward, roll_back, none"):
        KZ.roll(date(2026, 5, 10), "sideways")  # type: ignore[arg-type]


def test_p1_the_10th_of_the_month_after_q1_2025_is_a_working_thursday() -> None:
    assert KZ.day_of_month_after(date(2025, 3, 31), 10) == date(2025, 4, 10)


def test_p1_p6_the_10th_after_2025_falls_on_a_saturday_and_rolls_per_policy() -> None:
    assert KZ.day_of_month_after(date(2025, 12, 31), 10) == date(2026, 1, 12)
    assert KZ.day_of_month_after(date(2025, 12, 31), 10, policy="roll_back") == date(2026, 1, 9)
    assert KZ.day_of_month_after(date(2025, 12, 31), 10, policy="none") == date(2026, 1, 10)


def test_p2_p6_the_20th_after_q1_2025_is_a_sunday_and_rolls_to_monday() -> None:
    assert KZ.day_of_month_after(date(2025, 3, 31), 20) == date(2025, 4, 21)


def test_p3_the_30th_of_january_after_the_year() -> None:
    assert KZ.day_of_month_after(date(2025, 12, 31), 30) == date(2026, 1, 30)


def test_day_of_month_after_months_after_zero_is_the_same_month_and_day_31_means_the_months_end() -> None:
    assert KZ.day_of_month_after(date(2025, 4, 1), 10, months_after=0) == date(2025, 4, 10)
    assert KZ.day_of_month_after(date(2025, 3, 31), 31) == date(2025, 4, 30)
    assert KZ.day_of_month_after(date(2024, 1, 31), 31) == date(2024, 2, 29)


def test_day_of_month_after_refuses_days_outside_1_to_31_and_negative_months() -> None:
    with pytest.raises(ValueError, match="day: 0"):
        KZ.day_of_month_after(date(2025, 3, 31), 0)
    with pytest.raises(ValueError, match="day: 32"):
        KZ.day_of_month_after(date(2025, 3, 31), 32)
    with pytest.raises(ValueError, match="months_after"):
        KZ.day_of_month_after(date(2025, 3, 31), 10, months_after=-1)


# --- operator overrides ----------------------------------------------------------------------------------------


def test_an_operator_day_off_wins_over_the_library() -> None:
    calendar = WorkingCalendar(days_off=[date(2025, 5, 8)])
    assert not calendar.is_working_day(date(2025, 5, 8))
    assert calendar.add_working_days(date(2025, 5, 6), 1) == date(2025, 5, 12)


def test_an_operator_working_day_wins_over_the_library() -> None:
    calendar = WorkingCalendar(working_days=[date(2025, 3, 24), date(2025, 3, 29)])
    assert calendar.is_working_day(date(2025, 3, 24))  # Nauryz moved
    assert calendar.is_working_day(date(2025, 3, 29))  # a Saturday
    assert calendar.add_working_days(date(2025, 3, 20), 1) == date(2025, 3, 24)


def test_a_date_in_both_override_lists_is_refused_naming_both_lists() -> None:
    with pytest.raises(ValueError, match="days_off and working_days both list 2025-05-08"):
        WorkingCalendar(days_off=[date(2025, 5, 8)], working_days=[date(2025, 5, 8)])


def test_with_overrides_returns_a_new_calendar_and_its_later_layer_wins() -> None:
    first = WorkingCalendar(days_off=[date(2025, 5, 8)])
    second = first.with_overrides(working_days=[date(2025, 5, 8)], days_off=[date(2025, 5, 2)])
    assert not first.is_working_day(date(2025, 5, 8))
    assert second.is_working_day(date(2025, 5, 8))
    assert not second.is_working_day(date(2025, 5, 2))
    assert second.days_off == {date(2025, 5, 2)}
    assert second.working_days == {date(2025, 5, 8)}


def test_with_overrides_refuses_one_call_listing_a_date_both_ways() -> None:
    with pytest.raises(ValueError, match="days_off and working_days"):
        KZ.with_overrides(days_off=[date(2025, 5, 8)], working_days=[date(2025, 5, 8)])


def test_the_calendar_is_immutable_comparable_and_picklable() -> None:
    calendar = WorkingCalendar(days_off=[date(2025, 5, 8)])
    with pytest.raises(AttributeError, match="immutable"):
        calendar._days_off = frozenset()
    assert calendar == WorkingCalendar(days_off=(date(2025, 5, 8),))
    assert hash(calendar) == hash(WorkingCalendar(days_off=(date(2025, 5, 8),)))
    assert calendar != KZ
    copy = pickle.loads(pickle.dumps(calendar))
    assert copy == calendar
    assert not copy.is_working_day(date(2025, 5, 8))


def test_overrides_must_be_dates_and_the_error_names_the_position() -> None:
    with pytest.raises(TypeError, match=r"days_off\[1\] must be a datetime.date"):
        WorkingCalendar(days_off=[date(2025, 5, 8), "2025-05-09"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="working_days must be an iterable"):
        WorkingCalendar(working_days=date(2025, 5, 8))  # type: ignore[arg-type]


# --- holidays for display --------------------------------------------------------------------------------------


def test_holidays_between_lists_named_days_off_in_kazakh_by_default() -> None:
    listed = KZ.holidays_between(date(2025, 3, 20), date(2025, 3, 26))
    assert [d for d, _ in listed] == days("2025-03-21", "2025-03-22", "2025-03-23", "2025-03-24", "2025-03-25")
    assert all(name.startswith("Наурыз мейрамы") for _, name in listed)


def test_holidays_between_names_decree_transfers_in_english() -> None:
    listed = dict(KZ.holidays_between(date(2025, 1, 1), date(2025, 1, 10), language="en"))
    assert listed[date(2025, 1, 3)] == "Day off (substituted from 01/05/2025)"
    assert listed[date(2025, 1, 7)] == "Orthodox Christmas"


def test_holidays_between_shows_operator_days_off_and_hides_days_made_working() -> None:
    calendar = WorkingCalendar(days_off=[date(2025, 5, 8)], working_days=[date(2025, 5, 9)])
    listed = dict(calendar.holidays_between(date(2025, 5, 1), date(2025, 5, 31), language="en"))
    assert listed[date(2025, 5, 8)] == "Day off (set by the operator)"
    assert date(2025, 5, 9) not in listed
    assert date(2025, 5, 7) in listed


def test_holidays_between_refuses_a_language_the_library_does_not_have() -> None:
    with pytest.raises(ValueError, match="language: 'ru'.*kk"):
        KZ.holidays_between(date(2025, 1, 1), date(2025, 1, 10), language="ru")


# --- out of range and bad input ----------------------------------------------------------------------------------


def test_p7_dates_outside_the_library_years_are_refused_naming_the_rule_and_the_range() -> None:
    assert (FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR) == (1991, 2100)
    with pytest.raises(CalendarRangeError, match=r"day: 1990-12-31 .*1991–2100.*P-7") as info:
        KZ.is_working_day(date(1990, 12, 31))
    assert info.value.rule == "P-7"
    assert isinstance(info.value, ValueError)


def test_p7_counting_out_of_the_library_years_is_refused() -> None:
    with pytest.raises(CalendarRangeError, match="the year 2101"):
        KZ.add_working_days(date(2100, 12, 30), 5)
    with pytest.raises(CalendarRangeError, match="the year 1990"):
        KZ.subtract_working_days(date(1991, 1, 3), 5)
    with pytest.raises(CalendarRangeError, match="end: 2101-01-01"):
        KZ.working_days_between(date(2100, 1, 1), date(2101, 1, 1))
    with pytest.raises(CalendarRangeError, match=r"days_off\[0\]"):
        WorkingCalendar(days_off=[date(2200, 1, 1)])


def test_a_range_error_survives_pickling() -> None:
    error = CalendarRangeError(field="day", value=date(1990, 1, 1))
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_a_datetime_or_a_text_is_not_a_date_and_the_error_names_the_field() -> None:
    with pytest.raises(TypeError, match="day must be a datetime.date, got datetime"):
        KZ.is_working_day(datetime(2025, 3, 21, 9, 0))
    with pytest.raises(TypeError, match="start must be a datetime.date, got str"):
        KZ.working_days_between("2025-03-21", date(2025, 3, 22))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="n must be an int, got float"):
        KZ.add_working_days(date(2025, 3, 21), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        KZ.add_working_days(date(2025, 3, 21), True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-20", date(2025, 3, 20)),
        ("20.03.2025", date(2025, 3, 20)),
        (" 1.4.2025 ", date(2025, 4, 1)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_parse_iso_date_reads_iso_and_hr_dotted_dates(text: str, expected: date) -> None:
    assert parse_iso_date(text, "event_date") == expected


@pytest.mark.parametrize("text", ["", "2025/03/20", "20-03-2025", "2025-3-20", "2025-02-30", "31.04.2025", "soon"])
def test_parse_iso_date_refuses_other_texts_naming_field_value_and_formats(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_iso_date(text, "event_date")
    message = str(info.value)
    assert message.startswith("event_date: ")
    assert repr(text) in message
    assert "YYYY-MM-DD" in message and "dd.mm.yyyy" in message


def test_parse_iso_date_refuses_a_non_text_naming_the_field() -> None:
    with pytest.raises(TypeError, match="hired_on must be a date text"):
        parse_iso_date(20250320, "hired_on")  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------------------------------

some_days = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=400)
override_days = st.sets(some_days, max_size=20)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    off = draw(override_days)
    on = draw(override_days) - off
    return WorkingCalendar(days_off=off, working_days=on)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), day=some_days, n=counts)
def test_p7_adding_working_days_never_lands_on_a_non_working_day(calendar: WorkingCalendar, day: date, n: int) -> None:
    assert calendar.is_working_day(calendar.add_working_days(day, n))
    assert calendar.is_working_day(calendar.subtract_working_days(day, n))


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), day=some_days, n=st.integers(min_value=1, max_value=400))
def test_p7_n_working_days_after_an_event_span_exactly_n_working_days(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    end = calendar.add_working_days(day, n)
    assert end > day
    assert calendar.working_days_between(day + timedelta(days=1), end) == n
    start = calendar.subtract_working_days(day, n)
    assert calendar.working_days_between(start, day - timedelta(days=1)) == n


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), day=some_days, n=st.integers(min_value=1, max_value=400))
def test_p7_adding_is_strictly_monotone_in_n(calendar: WorkingCalendar, day: date, n: int) -> None:
    assert calendar.add_working_days(day, n) < calendar.add_working_days(day, n + 1)
    assert calendar.subtract_working_days(day, n) > calendar.subtract_working_days(day, n + 1)
    # n == 0 is the day itself or, on a day off, the same day as n == 1 (the documented choice).
    assert calendar.add_working_days(day, 0) <= calendar.add_working_days(day, 1)
    assert (calendar.add_working_days(day, 0) == day) == calendar.is_working_day(day)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), day=some_days, n=st.integers(min_value=1, max_value=400))
def test_p7_subtracting_undoes_adding_back_to_the_event_or_the_working_day_before_it(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    assert calendar.subtract_working_days(calendar.add_working_days(day, n), n) == calendar.roll(day, "roll_back")


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=some_days, length=st.integers(min_value=0, max_value=60))
def test_p7_working_days_between_matches_counting_day_by_day(
    calendar: WorkingCalendar, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    expected = sum(calendar.is_working_day(start + timedelta(days=i)) for i in range(length + 1))
    assert calendar.working_days_between(start, end) == expected


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), day=some_days)
def test_p6_rolling_gives_the_nearest_working_day_on_the_chosen_side(calendar: WorkingCalendar, day: date) -> None:
    forward = calendar.roll(day, "roll_forward")
    back = calendar.roll(day, "roll_back")
    assert calendar.is_working_day(forward) and calendar.is_working_day(back)
    assert back <= day <= forward
    assert calendar.working_days_between(back, forward) == (1 if back == forward else 2)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), day=some_days)
def test_overrides_always_win(calendar: WorkingCalendar, day: date) -> None:
    assert not calendar.with_overrides(days_off=[day]).is_working_day(day)
    assert calendar.with_overrides(working_days=[day]).is_working_day(day)
