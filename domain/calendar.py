"""The Kazakhstan working-day calendar (жұмыс күні): P-6 (day-of-month deadlines on a day off) and P-7 (N working days).

A working day is Monday to Friday, minus public holidays (and the days off they are moved to when they fall on a
weekend), minus days off moved by government decree, plus weekend days made working by decree (P-7). The facts
come from the ``holidays`` library's Kazakhstan calendar; an operator can layer overrides on top (a decree the
library does not know yet, a regional day off), and an override always wins over the library.

The library is asked once per year (per process) and each calendar keeps, per year, the sorted ordinals of its
working days, so that ``is_working_day`` is a set lookup and ``add_working_days`` / ``working_days_between`` are
binary searches, whatever ``n`` is.

Dates outside the library's year range are refused (``CalendarRangeError``) rather than treated as plain
Monday-to-Friday weeks: a deadline computed on a calendar without holidays would be silently wrong.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

import holidays
from holidays.countries.kazakhstan import Kazakhstan

__all__ = [
    "ACCEPTED_DATE_FORMATS",
    "FIRST_SUPPORTED_YEAR",
    "HOLIDAY_NAME_LANGUAGES",
    "LAST_SUPPORTED_YEAR",
    "CalendarRangeError",
    "RollPolicy",
    "WorkingCalendar",
    "parse_iso_date",
]

RollPolicy = Literal["roll_forward", "roll_back", "none"]
"""P-6: what a day-of-month deadline does when it falls on a non-working day (same values as the rulebook's)."""

ROLL_POLICIES: Final[tuple[str, ...]] = get_args(RollPolicy)

_COUNTRY: Final = "KZ"
FIRST_SUPPORTED_YEAR: Final[int] = Kazakhstan.start_year
LAST_SUPPORTED_YEAR: Final[int] = Kazakhstan.end_year

# The library translates names with gettext and, without an explicit language, picks one from the process
# environment (LANG): never let it, the domain does not read the environment. It has no Russian names.
HOLIDAY_NAME_LANGUAGES: Final[Mapping[str, str]] = MappingProxyType(
    {"kk": "kk", "en": "en_US", "en_US": "en_US", "uk": "uk"}
)
_OPERATOR_DAY_OFF: Final[Mapping[str, str]] = MappingProxyType(
    {
        "kk": "Демалыс күні (оператор белгілеген)",
        "en_US": "Day off (set by the operator)",
        "uk": "Вихідний день (встановлено оператором)",
    }
)
_FACTS_LANGUAGE: Final = "en_US"  # any explicit language: working-day facts do not depend on it
_WEEKEND: Final = frozenset({5, 6})  # Saturday, Sunday

ACCEPTED_DATE_FORMATS: Final = "YYYY-MM-DD (ISO 8601) or dd.mm.yyyy"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class CalendarRangeError(ValueError):
    """A date the calendar cannot answer for: its year is outside the ``holidays`` library's Kazakhstan range (P-7).

    Carries the same structured fields as the domain's other refusals: ``rule``, ``field``, ``value``, ``allowed``.
    """

    def __init__(self, *, field: str, value: date | int) -> None:
        self.rule = "P-7"
        self.field = field
        self.value = value
        self.allowed = f"{FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}"
        shown = value.isoformat() if isinstance(value, date) else f"the year {value}"
        super().__init__(
            f"{field}: {shown} is outside the Kazakhstan working-day calendar, which covers the years "
            f"{self.allowed}; working days (P-7) cannot be counted there"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments break default exception pickling (Prefect pickles task exceptions).
        return (_rebuild_range_error, (self.field, self.value))


def _rebuild_range_error(field: str, value: date | int) -> CalendarRangeError:
    return CalendarRangeError(field=field, value=value)


# --- input checks -----------------------------------------------------------------------------------------------


def _require_date(value: object, field: str) -> date:
    # datetime is a date subclass, but datetime(2025, 3, 21) != date(2025, 3, 21): it would miss every holiday.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{field} must be a datetime.date, got {type(value).__name__} {value!r}")
    return value


def _require_count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be an int, got {type(value).__name__} {value!r}")
    return value


def _require_policy(value: object) -> RollPolicy:
    if value == "roll_forward":
        return "roll_forward"
    if value == "roll_back":
        return "roll_back"
    if value == "none":
        return "none"
    raise ValueError(f"policy: {value!r} is not a roll policy (P-6); use one of {', '.join(ROLL_POLICIES)}")


def _check_year(day: date, field: str) -> None:
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        raise CalendarRangeError(field=field, value=day)


def _language(language: str) -> str:
    try:
        return HOLIDAY_NAME_LANGUAGES[language]
    except KeyError:
        raise ValueError(
            f"language: {language!r} has no holiday names; use one of {', '.join(HOLIDAY_NAME_LANGUAGES)}"
        ) from None


def parse_iso_date(value: str, field: str) -> date:
    """A date from ``YYYY-MM-DD`` or, as HR files write it, ``dd.mm.yyyy``; the error names the field and the value."""
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a date text ({ACCEPTED_DATE_FORMATS}), got {type(value).__name__} {value!r}")
    text = value.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DOTTED_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(f"{field}: {value!r} is not a date; accepted formats: {ACCEPTED_DATE_FORMATS}")
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueError(
            f"{field}: {value!r} is not a calendar date ({exc}); accepted formats: {ACCEPTED_DATE_FORMATS}"
        ) from None


# --- library facts, once per year per process ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LibraryYear:
    """What the ``holidays`` library says about one year."""

    holidays: frozenset[date]  # every holiday and day off dated in the year (weekends included)
    weekend_workdays: frozenset[date]  # Saturdays/Sundays made working by decree


def _library_object(year: int, language: str) -> holidays.HolidayBase:
    # A decree moving a day off may name a weekday of the neighbouring year (2014: 3 January ← 28 December 2013),
    # and the library records that working weekend day while populating the decree's year: ask for both sides.
    years = [y for y in (year - 1, year, year + 1) if FIRST_SUPPORTED_YEAR <= y <= LAST_SUPPORTED_YEAR]
    return holidays.country_holidays(_COUNTRY, years=years, language=language)


@cache
def _library_year(year: int) -> _LibraryYear:
    library = _library_object(year, _FACTS_LANGUAGE)
    return _LibraryYear(
        holidays=frozenset(d for d in library if d.year == year),
        weekend_workdays=frozenset(d for d in library.weekend_workdays if d.year == year),
    )


@cache
def _library_names(year: int, language: str) -> Mapping[date, str]:
    library = _library_object(year, language)
    return MappingProxyType({d: name for d, name in sorted(library.items()) if d.year == year})


@dataclass(frozen=True, slots=True)
class _Year:
    """One calendar's working days of one year: a set for lookups, sorted ordinals for counting."""

    working: frozenset[date]
    ordinals: tuple[int, ...]


# --- the calendar ---------------------------------------------------------------------------------------------


class WorkingCalendar:
    """Kazakhstan working days (P-7), the ``holidays`` library's facts with operator overrides on top.

    ``days_off`` are made non-working and ``working_days`` working, whatever the library says; a date in both is
    refused. Immutable: :meth:`with_overrides` returns a new calendar. Equal calendars have equal overrides.
    """

    __slots__ = ("_days_off", "_working_days", "_years")

    _days_off: frozenset[date]
    _working_days: frozenset[date]
    _years: dict[int, _Year]

    def __init__(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> None:
        off = _override_set(days_off, "days_off")
        on = _override_set(working_days, "working_days")
        _refuse_dates_in_both(off, on)
        object.__setattr__(self, "_days_off", off)
        object.__setattr__(self, "_working_days", on)
        object.__setattr__(self, "_years", {})

    # immutability, equality, pickling

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkingCalendar is immutable; use with_overrides() (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"WorkingCalendar is immutable (tried to delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._days_off == other._days_off and self._working_days == other._working_days

    def __hash__(self) -> int:
        return hash((self._days_off, self._working_days))

    def __repr__(self) -> str:
        off = [d.isoformat() for d in sorted(self._days_off)]
        on = [d.isoformat() for d in sorted(self._working_days)]
        return f"WorkingCalendar(days_off={off}, working_days={on})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (WorkingCalendar, (tuple(sorted(self._days_off)), tuple(sorted(self._working_days))))

    @property
    def days_off(self) -> frozenset[date]:
        """The operator's days off (they win over the library)."""
        return self._days_off

    @property
    def working_days(self) -> frozenset[date]:
        """The operator's working days (they win over the library)."""
        return self._working_days

    def with_overrides(self, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> WorkingCalendar:
        """A new calendar with more overrides; a date this call lists replaces an earlier override of that date.

        The later layer wins (an operator correcting an override), but one call listing a date both as a day off
        and as a working day is refused, as in the constructor.
        """
        off = _override_set(days_off, "days_off")
        on = _override_set(working_days, "working_days")
        _refuse_dates_in_both(off, on)
        return WorkingCalendar(
            days_off=(self._days_off - on) | off,
            working_days=(self._working_days - off) | on,
        )

    # P-7: what a working day is

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a Kazakhstan working day (P-7), overrides first."""
        _require_date(day, "day")
        return day in self._year(day.year, day, "day").working

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self.subtract_working_days(day, 1)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (P-7: counting starts the day after the triggering event).

        ``n == 0`` returns ``day`` itself when it is a working day, else the next working day: "within 0 working
        days" of an event on a Sunday cannot end on that Sunday. Negative ``n`` counts backwards
        (:meth:`subtract_working_days`). The result is always a working day.
        """
        _require_date(day, "day")
        _require_count(n, "n")
        if n < 0:
            return self.subtract_working_days(day, -n)
        if n == 0:
            return day if self.is_working_day(day) else self.add_working_days(day, 1)
        ordinals = self._year(day.year, day, "day").ordinals
        index = bisect_right(ordinals, day.toordinal()) + n - 1  # index of the answer in this year's list
        year = day.year
        while index >= len(ordinals):
            index -= len(ordinals)
            year += 1
            ordinals = self._year(year, day, f"day + {n} working days").ordinals
        return date.fromordinal(ordinals[index])

    def subtract_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day before ``day`` (counting starts the day before); ``n == 0``: ``day`` if working,
        else the previous working day. Negative ``n`` counts forwards (:meth:`add_working_days`)."""
        _require_date(day, "day")
        _require_count(n, "n")
        if n < 0:
            return self.add_working_days(day, -n)
        if n == 0:
            return day if self.is_working_day(day) else self.subtract_working_days(day, 1)
        ordinals = self._year(day.year, day, "day").ordinals
        index = bisect_left(ordinals, day.toordinal()) - n  # working days strictly before day, minus n
        year = day.year
        while index < 0:
            year -= 1
            ordinals = self._year(year, day, f"day - {n} working days").ordinals
            index += len(ordinals)
        return date.fromordinal(ordinals[index])

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in ``start``..``end``, both ends included; ``start > end`` is refused."""
        _require_date(start, "start")
        _require_date(end, "end")
        if start > end:
            raise ValueError(f"start ({start.isoformat()}) is after end ({end.isoformat()})")
        _check_year(start, "start")
        _check_year(end, "end")
        first, last = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._year(year, start, "start").ordinals
            count += bisect_right(ordinals, last) - bisect_left(ordinals, first)
        return count

    # P-6: day-of-month deadlines

    def roll(self, day: date, policy: RollPolicy) -> date:
        """P-6: a deadline on a non-working day moves to the next (``roll_forward``) or previous (``roll_back``)
        working day, or stays (``none``); a deadline on a working day never moves."""
        _require_date(day, "day")
        policy = _require_policy(policy)
        if policy == "none" or self.is_working_day(day):
            return day
        if policy == "roll_forward":
            return self.next_working_day(day)
        return self.previous_working_day(day)

    def day_of_month_after(
        self,
        period_end: date,
        day: int,
        months_after: int = 1,
        policy: RollPolicy = "roll_forward",
    ) -> date:
        """The deadline "no later than the ``day``-th of the month after the period" (P-1, P-2, P-4), rolled per P-6.

        The month is ``months_after`` months after ``period_end``'s month (0: the same month). A ``day`` past the
        month's end (31 in April) means the month's last day.
        """
        _require_date(period_end, "period_end")
        _require_count(day, "day")
        _require_count(months_after, "months_after")
        policy = _require_policy(policy)
        _check_year(period_end, "period_end")
        if not 1 <= day <= 31:
            raise ValueError(f"day: {day} is not a day of the month (1–31)")
        if months_after < 0:
            raise ValueError(f"months_after: {months_after} must be 0 or more")
        year, month0 = divmod(period_end.year * 12 + period_end.month - 1 + months_after, 12)
        if year > LAST_SUPPORTED_YEAR:
            raise CalendarRangeError(field="deadline", value=year)
        last_day = _stdlib_calendar.monthrange(year, month0 + 1)[1]
        deadline = date(year, month0 + 1, min(day, last_day))
        _check_year(deadline, "deadline")
        return self.roll(deadline, policy)

    # display

    def holidays_between(self, start: date, end: date, language: str = "kk") -> list[tuple[date, str]]:
        """The named days off in ``start``..``end`` (inclusive), for display: library holidays not overridden as
        working days (those on weekends included) and the operator's days off, in date order.

        ``language``: ``kk`` (the authority), ``en`` or ``uk``; the library has no Russian names.
        """
        _require_date(start, "start")
        _require_date(end, "end")
        library_language = _language(language)
        if start > end:
            raise ValueError(f"start ({start.isoformat()}) is after end ({end.isoformat()})")
        _check_year(start, "start")
        _check_year(end, "end")
        found: dict[date, str] = {}
        for year in range(start.year, end.year + 1):
            for d, name in _library_names(year, library_language).items():
                if start <= d <= end and d not in self._working_days:
                    found[d] = name
        for d in self._days_off:
            if start <= d <= end and d not in found:
                found[d] = _OPERATOR_DAY_OFF[library_language]
        return sorted(found.items())

    # the per-year cache

    def _year(self, year: int, asked: date, field: str) -> _Year:
        try:
            return self._years[year]
        except KeyError:
            pass
        if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
            raise CalendarRangeError(field=field, value=asked if asked.year == year else year)
        built = self._build_year(year)
        self._years[year] = built
        return built

    def _build_year(self, year: int) -> _Year:
        facts = _library_year(year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        working: list[date] = []
        for ordinal in range(first, last + 1):
            d = date.fromordinal(ordinal)
            if d in self._working_days:
                is_working = True
            elif d in self._days_off:
                is_working = False
            elif d.weekday() in _WEEKEND:
                # As the library decides: a decree working weekend day works even if a holiday falls on it.
                is_working = d in facts.weekend_workdays
            else:
                is_working = d not in facts.holidays
            if is_working:
                working.append(d)
        return _Year(working=frozenset(working), ordinals=tuple(d.toordinal() for d in working))


def _override_set(values: Iterable[date], field: str) -> frozenset[date]:
    if isinstance(values, (str, bytes, date)):
        raise TypeError(f"{field} must be an iterable of datetime.date, got {type(values).__name__} {values!r}")
    result: set[date] = set()
    for index, value in enumerate(values):
        day = _require_date(value, f"{field}[{index}]")
        _check_year(day, f"{field}[{index}]")
        result.add(day)
    return frozenset(result)


def _refuse_dates_in_both(off: frozenset[date], on: frozenset[date]) -> None:
    if both := sorted(off & on):
        listed = ", ".join(d.isoformat() for d in both)
        raise ValueError(f"days_off and working_days both list {listed}: a date is either a day off or a working day")
