"""Numbers, dates, periods and plurals as each language writes them, through Babel's CLDR data (no system locale).

``4,25`` (kk, ru) / ``4.25`` (en); ``2025 ж. 21 сәуір`` / ``21 апреля 2025 г.`` / ``21 April 2025``; ``2025 ж.
1-тоқсан`` / ``1 квартал 2025 г.`` / ``Q1 2025``; ``3 члена`` / ``5 членов``. Scores are shown with two decimals,
rounded half up (S-1's one rounding rule); a value already rounded by ``domain.scoring`` is shown unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal

from domain.periods import Period
from domain.vocabulary import Language, PeriodKind

# English documents follow British usage (21 April 2025), like the notifications.
LOCALES: dict[Language, str] = {Language.KK: "kk_KZ", Language.RU: "ru_RU", Language.EN: "en_GB"}

_QUARTER: dict[Language, str] = {
    Language.KK: "{year} ж. {quarter}-тоқсан",
    Language.RU: "{quarter} квартал {year} г.",
    Language.EN: "Q{quarter} {year}",
}
_YEAR: dict[Language, str] = {Language.KK: "{year} жыл", Language.RU: "{year} год", Language.EN: "{year}"}


def locale_of(language: Language | str) -> Locale:
    return Locale.parse(LOCALES[Language(language)])


def _hundredths(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_score(value: Decimal | float | int | None, language: Language | str) -> str:
    """A score with two decimals, half up (S-1): ``4,25`` in kk/ru, ``4.25`` in en; None is an empty string."""
    if value is None:
        return ""
    return format_decimal(_hundredths(value), format="0.00", locale=locale_of(language))


def format_number(value: Decimal | float | int | None, language: Language | str, *, decimals: int = 2) -> str:
    """A measured value (KPI plan/actual) with up to ``decimals`` decimals and grouping: ``1 250,5``."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=locale_of(language))


def format_percent(value: Decimal | float | int | None, language: Language | str) -> str:
    """An achievement percentage with two decimals: ``95,00 %`` (kk/ru), ``95.00%`` (en)."""
    if value is None:
        return ""
    number = format_decimal(_hundredths(value), format="#,##0.00", locale=locale_of(language))
    return f"{number}%" if Language(language) == Language.EN else f"{number}\u00a0%"


def format_date(value: date | None, language: Language | str) -> str:
    """``2025 ж. 21 сәуір`` / ``21 апреля 2025 г.`` / ``21 April 2025``; None is an empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return babel_date(value, format="long", locale=locale_of(language))


def format_datetime(value: datetime, language: Language | str) -> str:
    """The date as :func:`format_date` and the 24-hour time, in the instant's own zone."""
    time = babel_datetime(value, format="HH:mm", locale=locale_of(language))
    return f"{format_date(value.date(), language)}, {time}"


def format_period(label: str, language: Language | str) -> str:
    """A period label written out: ``2025-Q1`` → ``2025 ж. 1-тоқсан`` / ``1 квартал 2025 г.`` / ``Q1 2025``."""
    period = Period.parse(label)
    lang = Language(language)
    if period.kind == PeriodKind.YEAR:
        return _YEAR[lang].format(year=period.year)
    return _QUARTER[lang].format(year=period.year, quarter=period.quarter)


def plural(count: int, language: Language | str, forms: Mapping[str, str]) -> str:
    """``count`` and the noun in the CLDR plural form of the language: ``3 члена``, ``5 членов``, ``1 member``.

    ``forms`` maps CLDR categories (``one``, ``few``, ``many``, ``other``) to the noun; ``other`` is required.
    """
    category = locale_of(language).plural_form(count)
    return f"{count} {forms.get(category, forms['other'])}"
