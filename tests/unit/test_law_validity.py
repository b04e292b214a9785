"""Chapter 6 of 002 after its sunset (M-10): actions dated after 31.08.2023 are refused, HR is warned 10 working
days before, evaluations still open close as ``not_completed``.

Hand-worked: 30 August 2023 (Constitution Day, a Wednesday) is off, so the tenth working day before Thursday
31 August 2023 is Wednesday 16 August (29, 28, 25, 24, 23, 22, 21, 18, 17, 16).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.errors import RuleViolation
from domain.rulebook import MethodSpec
from domain.validity import check_in_force, sunset_steps, warning_day
from domain.vocabulary import Method

CALENDAR = WorkingCalendar()
ATYRAU = rulebooks.get("kz-atyrau-2023")
CHAPTER_6 = ATYRAU.method("kpi_count")
OPEN = [("E2", "kpi_count"), ("E3", Method.KPI_COUNT), ("E5", "differentiation")]


def test_m10_a_chapter_6_sheet_dated_after_the_sunset_is_refused_citing_m10() -> None:
    """M-10 (issue 11): a chapter-6 sheet dated 2023-09-04 was accepted; validity is now checked against the
    date of the action, whatever period it is about (2022)."""
    with pytest.raises(RuleViolation, match=r"sheet on 2023-09-04 is refused: .* valid until 2023-08-31") as caught:
        check_in_force(CHAPTER_6, date(2023, 9, 4), "sheet")
    assert (caught.value.rule, caught.value.field) == ("M-10", "sheet")
    assert str(caught.value).endswith("(M-10)")


@pytest.mark.parametrize("what", ["sheet", "vote", "approval"])
def test_m10_every_chapter_6_action_on_the_last_day_is_still_accepted_and_the_day_after_refused(what: str) -> None:
    check_in_force(CHAPTER_6, date(2023, 8, 31), what)
    with pytest.raises(RuleViolation, match=f"{what} on 2023-09-01 is refused"):
        check_in_force(CHAPTER_6, date(2023, 9, 1), what)


def test_m10_the_model_part_of_the_atyrau_rulebook_does_not_expire() -> None:
    check_in_force(ATYRAU.method("differentiation"), date(2030, 1, 1), "sheet")
    assert warning_day(ATYRAU.method("differentiation"), CALENDAR) is None


def test_m10_hr_is_warned_ten_working_days_before_the_sunset() -> None:
    assert CHAPTER_6.sunset is not None and CHAPTER_6.sunset.warn.days == 10  # rulebook data
    assert warning_day(CHAPTER_6, CALENDAR) == date(2023, 8, 16)


def test_m10_before_the_warning_day_nothing_is_due() -> None:
    assert sunset_steps(date(2023, 8, 15), OPEN, ATYRAU, CALENDAR) == []


def test_m10_from_the_warning_day_each_open_chapter_6_evaluation_is_warned_about_once() -> None:
    steps = sunset_steps(date(2023, 8, 16), OPEN, ATYRAU, CALENDAR)
    assert [(s.evaluation, s.action, s.on, s.status) for s in steps] == [
        ("E2", "warn", date(2023, 8, 16), None),
        ("E3", "warn", date(2023, 8, 16), None),
    ]
    assert "valid until 2023-08-31" in steps[0].reason and steps[0].reason.endswith("(M-10)")
    later = sunset_steps(date(2023, 8, 31), OPEN, ATYRAU, CALENDAR, warned={"E2"})
    assert [(s.evaluation, s.action) for s in later] == [("E3", "warn")]  # caught up, E2 not twice


def test_m10_on_the_sunset_open_chapter_6_evaluations_close_as_not_completed_with_the_reason() -> None:
    steps = sunset_steps(date(2023, 9, 1), OPEN, ATYRAU, CALENDAR, warned={"E2", "E3"})
    assert [(s.evaluation, s.action, s.on, s.status, s.rule) for s in steps] == [
        ("E2", "close", date(2023, 9, 1), "not_completed", "M-10"),
        ("E3", "close", date(2023, 9, 1), "not_completed", "M-10"),
    ]
    assert "was not completed by then and closes as not_completed (M-10)" in steps[0].reason


def test_m10_a_sunset_needs_a_validity_end_and_counts_back_from_it() -> None:
    data: dict[str, Any] = CHAPTER_6.model_dump()
    with pytest.raises(ValidationError, match="'sunset' needs 'valid_until'"):
        MethodSpec.model_validate({**data, "valid_until": None})
    warn = {"kind": "working_days_before", "days": 10, "before": "deadline", "rule": "M-10"}
    with pytest.raises(ValidationError, match="counts back from 'sunset'"):
        MethodSpec.model_validate({**data, "sunset": {"warn": warn}})
