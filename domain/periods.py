"""Evaluation periods: a quarter (P-1, P-2: KPI, differentiation, forms 1/2) or a year (P-3, T-1, M-1).

A period is labelled the way reports and scenario files write it: ``2025-Q1`` for a quarter, ``2025`` for a
year. Both ends are included: ``2025-Q1`` runs from 2025-01-01 to 2025-03-31.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from domain.vocabulary import PeriodKind

_LABEL = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")
MIN_YEAR = 1900
MAX_YEAR = 2200


@dataclass(frozen=True)
class Period:
    """A reporting quarter (``quarter`` 1–4) or a reporting year (``quarter`` ``None``)."""

    kind: PeriodKind
    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"period year: {self.year} is outside {MIN_YEAR}–{MAX_YEAR}")
        if self.kind == PeriodKind.QUARTER and self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"period quarter: a quarter period needs quarter 1 to 4, got {self.quarter!r}")
        if self.kind == PeriodKind.YEAR and self.quarter is not None:
            raise ValueError(f"period quarter: a year period has no quarter, got {self.quarter!r}")

    # --- constructors ---

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        return cls(PeriodKind.QUARTER, year, quarter)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, year)

    @classmethod
    def parse(cls, label: str) -> Period:
        """``2025-Q1`` → the first quarter of 2025; ``2025`` → the year 2025."""
        match = _LABEL.match(label.strip()) if isinstance(label, str) else None
        if match is None:
            raise ValueError(f"period label: {label!r} is not a period; write YYYY-Q1…YYYY-Q4 or YYYY (2025-Q1, 2025)")
        year, quarter = int(match.group(1)), match.group(2)
        return cls.of_year(year) if quarter is None else cls.of_quarter(year, int(quarter))

    # --- dates ---

    @property
    def start(self) -> date:
        """The first day of the period."""
        return _bounds(self.year, self.quarter)[0]

    @property
    def end(self) -> date:
        """The last day of the period."""
        return _bounds(self.year, self.quarter)[1]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.contains(day)

    def anchors(self) -> dict[str, date]:
        """The period's events as deadline rules name them (``domain.deadlines``)."""
        return {"period_start": self.start, "period_end": self.end}

    @property
    def days(self) -> int:
        """How many calendar days the period has (a leap-year Q1 has 91)."""
        return (self.end - self.start).days + 1

    # --- labels ---

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.label

    # --- neighbours ---

    def next(self) -> Period:
        """The period of the same kind right after this one (2025-Q4 → 2026-Q1, 2025 → 2026)."""
        return self.shifted(1)

    def previous(self) -> Period:
        """The period of the same kind right before this one (2025-Q1 → 2024-Q4, 2025 → 2024)."""
        return self.shifted(-1)

    def shifted(self, step: int) -> Period:
        """The period ``step`` periods of the same kind away (negative: earlier)."""
        if self.quarter is None:
            return Period.of_year(self.year + step)
        year, index = divmod(self.year * 4 + self.quarter - 1 + step, 4)
        return Period.of_quarter(year, index + 1)

    # --- what a cycle covers ---

    @property
    def year_period(self) -> Period:
        """The reporting year this period belongs to (itself for a year)."""
        return Period.of_year(self.year)

    def quarters(self) -> list[Period]:
        """The quarters of this period: the four of a year (P-3 averages them), or the quarter itself."""
        if self.quarter is not None:
            return [self]
        return [Period.of_quarter(self.year, quarter) for quarter in (1, 2, 3, 4)]

    def within(self, cadence: PeriodKind) -> list[Period]:
        """The periods of ``cadence`` inside this one: a year's four quarters, a quarter itself; none for a year
        inside a quarter."""
        if cadence == PeriodKind.QUARTER:
            return self.quarters()
        return [self] if self.quarter is None else []


def cycle_periods(cycle: Period, cadence: PeriodKind) -> list[Period]:
    """The periods a cycle HR runs evaluates with the methods of ``cadence``.

    A quarter cycle evaluates its quarter with the quarterly methods (P-1, P-2); a year cycle evaluates the year
    with the yearly methods (T-1, M-1) and takes the quarters as already evaluated: its P-3 annual final averages
    ``cycle.quarters()``. A cycle of one kind never runs the methods of the other.
    """
    return [cycle] if cycle.kind == cadence else []


def quarter_of(day: date) -> Period:
    """The quarter containing ``day``."""
    return Period.of_quarter(day.year, (day.month - 1) // 3 + 1)


def year_of(day: date) -> Period:
    """The reporting year containing ``day``."""
    return Period.of_year(day.year)


def period_of(day: date, kind: PeriodKind) -> Period:
    """The period of ``kind`` containing ``day``."""
    return quarter_of(day) if kind == PeriodKind.QUARTER else year_of(day)


def last_completed(kind: PeriodKind, on: date) -> Period:
    """The latest period of ``kind`` that ended before ``on`` (the one an evaluation on ``on`` is about)."""
    return period_of(on, kind).previous()


@lru_cache(maxsize=1024)
def _bounds(year: int, quarter: int | None) -> tuple[date, date]:
    """The first and last day of a period, remembered: asked several times per person and method when a period
    opens for 100,000 people (issue 13)."""
    start = date(year, 1 if quarter is None else 3 * quarter - 2, 1)
    if quarter is None or quarter == 4:
        return start, date(year, 12, 31)
    return start, date(year, 3 * quarter + 1, 1) - timedelta(days=1)
