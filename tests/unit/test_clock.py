"""The clock the environment hands in: today and the instant a step acts at, in Asia/Almaty."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from application.environment import FixedClock, ZoneClock

ALMATY = ZoneInfo("Asia/Almaty")


def test_a_fixed_clock_says_today_is_its_day_in_almaty() -> None:
    clock = FixedClock(datetime(2025, 3, 31, 20, 30, tzinfo=UTC))  # 01:30 on 1 April in Almaty (UTC+5)
    assert clock.today() == date(2025, 4, 1)
    assert clock.as_of(None) == date(2025, 4, 1) and clock.as_of(date(2025, 1, 2)) == date(2025, 1, 2)


def test_a_step_acts_now_today_and_at_the_last_second_of_any_other_day() -> None:
    clock = FixedClock(datetime(2026, 1, 27, 10, 0))
    assert clock.moment(date(2026, 1, 27)) == datetime(2026, 1, 27, 10, 0, tzinfo=ALMATY)
    assert clock.moment(date(2026, 1, 26)) == datetime(2026, 1, 26, 23, 59, 59, tzinfo=ALMATY)
    assert clock.day_start(date(2026, 1, 27)) == datetime.combine(date(2026, 1, 27), time.min, tzinfo=ALMATY)


def test_instants_are_read_as_almaty_days() -> None:
    clock = ZoneClock()
    assert clock.local_date("2025-04-09T19:30:00+00:00") == date(2025, 4, 10)
    assert clock.local_date(datetime(2025, 4, 9, 19, 30)) == date(2025, 4, 9)  # naive: taken as is
