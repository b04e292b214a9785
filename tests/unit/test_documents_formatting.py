"""Numbers, dates, periods and plurals as the documents print them (Babel, kk/ru/en; S-1 rounding for scores)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from documents.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_period,
    format_score,
    plural,
)
from domain.vocabulary import Language

KK, RU, EN = Language.KK, Language.RU, Language.EN


def spaced(text: str) -> str:
    """CLDR puts no-break spaces (U+00A0, U+202F) where a line must not break; compare them as spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "expected"),
    [(KK, "4,25"), (RU, "4,25"), (EN, "4.25")],
)
def test_scores_use_the_decimal_comma_in_kazakh_and_russian(language: Language, expected: str) -> None:
    assert format_score(Decimal("4.25"), language) == expected


def test_scores_are_shown_with_two_decimals_rounded_half_up_as_s1_says() -> None:
    assert format_score(Decimal("2.995"), KK) == "3,00"
    assert format_score(Decimal("2.994"), KK) == "2,99"
    assert format_score(4, RU) == "4,00"
    assert format_score(None, RU) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [(KK, "2025 ж. 21 сәуір"), (RU, "21 апреля 2025 г."), (EN, "21 April 2025")],
)
def test_dates_are_written_the_way_each_language_writes_them(language: Language, expected: str) -> None:
    assert spaced(format_date(date(2025, 4, 21), language)) == expected


def test_an_instant_shows_its_date_and_24_hour_time() -> None:
    assert spaced(format_datetime(datetime(2025, 4, 3, 14, 30, tzinfo=UTC), RU)) == "3 апреля 2025 г., 14:30"


@pytest.mark.parametrize(
    ("label", "language", "expected"),
    [
        ("2025-Q1", KK, "2025 ж. 1-тоқсан"),
        ("2025-Q1", RU, "1 квартал 2025 г."),
        ("2025-Q1", EN, "Q1 2025"),
        ("2025", KK, "2025 жыл"),
        ("2025", RU, "2025 год"),
        ("2025", EN, "2025"),
    ],
)
def test_periods_are_written_out(label: str, language: Language, expected: str) -> None:
    assert format_period(label, language) == expected


def test_measured_values_keep_their_decimals_and_group_thousands() -> None:
    assert format_number(Decimal("1250.5"), RU) == "1\u00a0250,5"
    assert format_number(Decimal("87.5"), EN) == "87.5"
    assert format_number(Decimal(100), KK) == "100"


def test_achievement_percentages_have_two_decimals() -> None:
    assert format_percent(Decimal("81.25"), KK) == "81,25\u00a0%"
    assert format_percent(Decimal("95"), EN) == "95.00%"


@pytest.mark.parametrize(("count", "expected"), [(1, "1 член"), (3, "3 члена"), (5, "5 членов"), (21, "21 член")])
def test_russian_plurals_follow_cldr(count: int, expected: str) -> None:
    forms = {"one": "член", "few": "члена", "many": "членов", "other": "члена"}
    assert plural(count, RU, forms) == expected


def test_english_and_kazakh_plurals() -> None:
    assert plural(1, EN, {"one": "member", "other": "members"}) == "1 member"
    assert plural(4, EN, {"one": "member", "other": "members"}) == "4 members"
    assert plural(4, KK, {"other": "мүше"}) == "4 мүше"
