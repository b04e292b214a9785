"""What time it is for the web app: the instant (sessions, logs) and today's date in Asia/Almaty (body roles).

A protocol so that the composition root can hand in the application's clock (``application.environment``) and the
tests a clock they move (an expired session without waiting eight hours).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """The current instant and the current day."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...

    def today(self) -> date:
        """Today's date where the body works (Asia/Almaty)."""
        ...


class SystemClock:
    """The machine's clock, days taken in ``zone``."""

    def __init__(self, zone: str = "Asia/Almaty") -> None:
        self.zone = ZoneInfo(zone)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.zone).date()
