"""Evaluation periods: quarters (P-1, P-2) and years (P-3, T-1, M-1), their dates, labels and neighbours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.periods import Period, cycle_periods, last_completed, period_of, quarter_of, year_of
from domain.vocabulary import PeriodKind

Q1_2025 = Period.of_quarter(2025, 1)


def test_p1_a_quarter_runs_from_its_first_to_its_last_day() -> None:
    assert (Q1_2025.start, Q1_2025.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert (Period.of_quarter(2025, 2).start, Period.of_quarter(2025, 2).end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert (Period.of_quarter(2025, 3).start, Period.of_quarter(2025, 3).end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert (Period.of_quarter(2025, 4).start, Period.of_quarter(2025, 4).end) == (date(2025, 10, 1), date(2025, 12, 31))


def test_p3_a_year_runs_from_january_first_to_december_thirty_first() -> None:
    year = Period.of_year(2026)
    assert (year.start, year.end, year.kind) == (date(2026, 1, 1), date(2026, 12, 31), PeriodKind.YEAR)


def test_a_leap_year_first_quarter_has_ninety_one_days() -> None:
    assert Period.of_quarter(2024, 1).days == 91
    assert Period.of_quarter(2025, 1).days == 90
    assert Period.of_year(2024).days == 366


def test_labels_are_written_as_reports_write_them() -> None:
    assert Q1_2025.label == "2025-Q1" == str(Q1_2025)
    assert Period.of_year(2025).label == "2025"


@pytest.mark.parametrize("label", ["2025-Q1", "2025-Q4", "2025", "2026-Q3"])
def test_a_label_parses_back_to_its_period(label: str) -> None:
    assert Period.parse(label).label == label


@pytest.mark.parametrize("label", ["2025-Q5", "2025-Q0", "25-Q1", "2025Q1", "2025-q1", "Q1-2025", ""])
def test_a_malformed_label_is_refused_naming_the_allowed_forms(label: str) -> None:
    with pytest.raises(ValueError, match="YYYY-Q1…YYYY-Q4 or YYYY"):
        Period.parse(label)


def test_a_quarter_period_needs_a_quarter_and_a_year_period_has_none() -> None:
    with pytest.raises(ValueError, match="quarter 1 to 4"):
        Period(PeriodKind.QUARTER, 2025, None)
    with pytest.raises(ValueError, match="no quarter"):
        Period(PeriodKind.YEAR, 2025, 2)


def test_quarter_of_a_day_is_the_quarter_containing_it() -> None:
    assert quarter_of(date(2025, 3, 31)) == Q1_2025
    assert quarter_of(date(2025, 4, 1)) == Period.of_quarter(2025, 2)
    assert year_of(date(2025, 4, 1)) == Period.of_year(2025)
    assert period_of(date(2025, 12, 31), PeriodKind.QUARTER) == Period.of_quarter(2025, 4)


def test_neighbours_cross_the_year_boundary() -> None:
    assert Q1_2025.previous() == Period.of_quarter(2024, 4)
    assert Period.of_quarter(2025, 4).next() == Period.of_quarter(2026, 1)
    assert Period.of_year(2025).next() == Period.of_year(2026)
    assert Period.of_year(2025).previous() == Period.of_year(2024)


def test_the_last_completed_quarter_on_an_april_day_is_the_first_quarter() -> None:
    assert last_completed(PeriodKind.QUARTER, date(2025, 4, 3)) == Q1_2025
    assert last_completed(PeriodKind.YEAR, date(2026, 1, 5)) == Period.of_year(2025)


def test_p3_a_year_contains_its_four_quarters() -> None:
    assert Period.of_year(2025).quarters() == [Period.of_quarter(2025, q) for q in (1, 2, 3, 4)]
    assert Period.of_year(2025).within(PeriodKind.YEAR) == [Period.of_year(2025)]
    assert Q1_2025.within(PeriodKind.YEAR) == []


def test_a_cycle_runs_only_the_methods_of_its_own_cadence() -> None:
    assert cycle_periods(Q1_2025, PeriodKind.QUARTER) == [Q1_2025]
    assert cycle_periods(Q1_2025, PeriodKind.YEAR) == []
    assert cycle_periods(Period.of_year(2025), PeriodKind.YEAR) == [Period.of_year(2025)]
    assert cycle_periods(Period.of_year(2025), PeriodKind.QUARTER) == []


def test_a_period_contains_its_own_days_only() -> None:
    assert date(2025, 2, 28) in Q1_2025
    assert date(2025, 4, 1) not in Q1_2025
    assert Q1_2025.anchors() == {"period_start": date(2025, 1, 1), "period_end": date(2025, 3, 31)}


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)))
def test_every_day_is_in_exactly_one_quarter_whose_next_starts_the_day_after_it_ends(day: date) -> None:
    quarter = quarter_of(day)
    assert quarter.contains(day)
    assert quarter.next().start == quarter.end + timedelta(days=1)
    assert quarter.next().previous() == quarter
    assert Period.parse(quarter.label) == quarter
