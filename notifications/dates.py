"""Dates, times and scores written the way each language writes them, without a locale database.

``10 сәуір 2025 ж.`` (kk), ``10 апреля 2025 г.`` (ru), ``10 April 2025`` (en); scores with two decimals and the
decimal comma in Kazakh and Russian.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.vocabulary import Language

MONTHS: dict[Language, tuple[str, ...]] = {
    Language.KK: (
        "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
        "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
    ),
    Language.RU: (  # genitive: "10 апреля"
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
    Language.EN: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

YEAR_SUFFIX: dict[Language, str] = {Language.KK: " ж.", Language.RU: " г.", Language.EN: ""}

DECIMAL_SEPARATOR: dict[Language, str] = {Language.KK: ",", Language.RU: ",", Language.EN: "."}


def as_date(value: date | str) -> date:
    """A date from a ``date``, a ``datetime`` or an ISO string (payloads come from JSON)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: datetime | str) -> datetime:
    """A datetime from a ``datetime`` or an ISO string."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def format_date(value: date | str, language: Language | str) -> str:
    """``10 сәуір 2025 ж.`` / ``10 апреля 2025 г.`` / ``10 April 2025``."""
    day = as_date(value)
    lang = Language(language)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}{YEAR_SUFFIX[lang]}"


def format_datetime(value: datetime | str, language: Language | str) -> str:
    """The date as :func:`format_date`, then the 24-hour time: ``10 April 2025, 14:30``."""
    moment = as_datetime(value)
    return f"{format_date(moment.date(), language)}, {moment:%H:%M}"


def format_score(value: float | Decimal | str, language: Language | str) -> str:
    """A score as S-1 shows it, two decimals: ``4,25`` in kk/ru, ``4.25`` in en.

    Flows put scores already rounded by ``domain.scoring.round_score`` in the payload; an unrounded one is rounded
    half-up here the same way, so a message never shows more decimals than the rulebook's bands.
    """
    try:
        rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"not a score: {value!r}") from None
    return f"{rounded}".replace(".", DECIMAL_SEPARATOR[Language(language)])
