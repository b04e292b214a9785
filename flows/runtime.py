"""What every flow needs from its surroundings: the database, the channel, the rulebooks, the as-of clock.

Flow parameters stay plain (dates, ids, labels) so that Prefect can show, store and re-run them; the engine, the
delivery channel and the way sub-flows are launched are process-level choices made by the composition root
(``bagalau serve``, the CLI, the simulator, the tests) through :func:`configure`. Without a call, flows use the
database of ``Settings`` and real apprise delivery, and launch calibration sessions as deployments.

The clock: an as-of date is a day in Asia/Almaty (``BAGALAU_TIMEZONE``). :func:`moment` turns it into the instant
a flow acts at — now when the as-of date is today, else the last second of that day — so that a re-run of a past
day, and every simulated day, delivers exactly what was due that day.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from domain import rulebooks
from domain.rulebook import Rulebook
from notifications.channels import Channel

Launcher = Callable[[int, date], Any]
"""Starts the ``calibration_session`` of a case for an as-of date (a deployment run, or in-process)."""


@dataclass(frozen=True)
class Runtime:
    """The process-level choices flows and services read (see the module docstring)."""

    database_url: str | None = None
    channel: Channel | None = None
    delivery_config: Any = None
    launch_calibration: Launcher | None = None
    timezone: str = "Asia/Almaty"
    extra_rulebooks: dict[str, Rulebook] = field(default_factory=dict)


_lock = threading.Lock()
_runtime = Runtime()


def configure(**changes: Any) -> Runtime:
    """Replace some of the process-level choices; returns the new :class:`Runtime`."""
    global _runtime
    with _lock:
        _runtime = replace(_runtime, **changes)
        return _runtime


def reset() -> None:
    """Back to the defaults (tests)."""
    global _runtime
    with _lock:
        _runtime = Runtime()


def current() -> Runtime:
    return _runtime


# --- the database ----------------------------------------------------------------------------------------------


_engines: dict[str, sa.Engine] = {}


def engine() -> sa.Engine:
    """The engine of the configured database (one per URL per process)."""
    url = _runtime.database_url
    if url is None:
        from bagalau.settings import get_settings

        url = get_settings().database_url
    with _lock:
        if url not in _engines:
            from persistence.db import make_engine

            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (end of a simulation; tests that drop their database)."""
    with _lock:
        for built in _engines.values():
            built.dispose()
        _engines.clear()


# --- rulebooks -------------------------------------------------------------------------------------------------


def register_rulebook(book: Rulebook) -> None:
    """Make a rulebook loaded from a file known by its id (assignments store ids)."""
    configure(extra_rulebooks={**_runtime.extra_rulebooks, book.id: book})


def rulebook(rulebook_id: str) -> Rulebook:
    """A rulebook by id: registered ones first, then the bundled set, then a file path."""
    return _runtime.extra_rulebooks.get(rulebook_id) or rulebooks.get(rulebook_id)


def books() -> dict[str, Rulebook]:
    """Every rulebook known by id."""
    return {**rulebooks.bundled(), **_runtime.extra_rulebooks}


# --- the clock -------------------------------------------------------------------------------------------------


def zone() -> ZoneInfo:
    return ZoneInfo(_runtime.timezone)


def today() -> date:
    """Today in Asia/Almaty (the default as-of date of every flow)."""
    return datetime.now(zone()).date()


def as_of_or_today(as_of: date | None) -> date:
    return today() if as_of is None else as_of


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in Asia/Almaty (when messages queued that day fall due)."""
    return datetime.combine(day, time.min, tzinfo=zone())


def moment(day: date) -> datetime:
    """The instant a flow acts at for ``day``: now when ``day`` is today, else the last second of ``day``."""
    now = datetime.now(zone())
    if now.date() == day:
        return now
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone())


def local_date(instant: datetime | str) -> date:
    """The Asia/Almaty day of an instant (an aware datetime, or its ISO text)."""
    value = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(zone()).date()
