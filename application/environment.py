"""What the composition root hands in: :class:`Environment` — engine, clock, rulebooks, launcher, channel.

Built once per process by ``bagalau.bootstrap`` (from the settings), by the simulator, or by a test; passed to every
action, cycle step and query. Nothing below an entrance reads the environment variables or the settings.

The clock: an as-of date is a day in Asia/Almaty. :meth:`Clock.moment` turns it into the instant a step acts at —
now when the as-of date is today, else the last second of that day — so that a re-run of a past day, and every
simulated day, does exactly what was due that day. :class:`FixedClock` stops time for a test.

The rulebooks: the bundled ones, and those stored in the database (``rulebook`` table) — a scenario's file, later
HR's uploads — so that a Prefect worker or the web app finds a rulebook another process loaded. A stored rulebook
is found first (its id may shadow a bundled one); once read, a rulebook is kept in memory for the life of the
source (rulebooks are versioned by id: a new text is a new id).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from domain import rulebooks
from domain.access import Principal
from domain.rulebook import Rulebook
from notifications.channels import Channel
from notifications.config import DeliveryConfig
from persistence.repositories import RulesRepository
from persistence.uow import UnitOfWork

ALMATY = "Asia/Almaty"


# --- the clock -------------------------------------------------------------------------------------------------


class Clock(Protocol):
    """Today and the instants a step acts at, in the installation's time zone (Asia/Almaty)."""

    @property
    def zone(self) -> ZoneInfo: ...

    def now(self) -> datetime: ...

    def today(self) -> date: ...

    def as_of(self, day: date | None) -> date: ...

    def moment(self, day: date) -> datetime: ...

    def day_start(self, day: date) -> datetime: ...

    def local_date(self, instant: datetime | str) -> date: ...


class ZoneClock:
    """The wall clock in a time zone (``Asia/Almaty`` unless the settings say otherwise)."""

    def __init__(self, timezone: str = ALMATY) -> None:
        self._zone = ZoneInfo(timezone)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def now(self) -> datetime:
        return datetime.now(self._zone)

    def today(self) -> date:
        """Today in the zone (the default as-of date of every flow)."""
        return self.now().date()

    def as_of(self, day: date | None) -> date:
        """``day``, or today when none is given."""
        return self.today() if day is None else day

    def moment(self, day: date) -> datetime:
        """The instant a step acts at for ``day``: now when ``day`` is today, else the last second of ``day``."""
        now = self.now()
        if now.date() == day:
            return now
        return datetime.combine(day, time(23, 59, 59), tzinfo=self._zone)

    def day_start(self, day: date) -> datetime:
        """The first instant of ``day`` (when messages queued that day fall due)."""
        return datetime.combine(day, time.min, tzinfo=self._zone)

    def local_date(self, instant: datetime | str) -> date:
        """The day of an instant (an aware datetime, or its ISO text) in the zone; a naive one is taken as is."""
        value = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(self._zone).date()


class FixedClock(ZoneClock):
    """A clock stopped at ``instant`` (tests): today is its day, "now" is that instant (naive: in the zone)."""

    def __init__(self, instant: datetime, timezone: str = ALMATY) -> None:
        super().__init__(timezone)
        self.instant = instant if instant.tzinfo is not None else instant.replace(tzinfo=self.zone)

    def now(self) -> datetime:
        return self.instant.astimezone(self.zone)


# --- the launcher -----------------------------------------------------------------------------------------------


class Launcher(Protocol):
    """Starts the ``calibration_session`` of a case for an as-of date: a flow run in this process, a run of the
    deployment (served installs), or a recording fake (tests)."""

    def calibration_session(self, case_id: int, as_of: date) -> object: ...


@dataclass
class NoLauncher:
    """Starts nothing (a process that only reads, or runs no flows); the next daily sweep moves the case along."""

    def calibration_session(self, case_id: int, as_of: date) -> object:
        return None


# --- the rulebooks ----------------------------------------------------------------------------------------------


def rulebook_content(book: Rulebook) -> tuple[dict[str, Any], str]:
    """A rulebook as stored: its JSON content (``domain.rulebooks.to_json``) and the SHA-256 of the canonical text."""
    content: dict[str, Any] = json.loads(rulebooks.to_json(book))
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return content, hashlib.sha256(canonical.encode()).hexdigest()


class RulebookSource:
    """Rulebooks by id: stored in the database first, then the bundled set (G-3); each read once per source."""

    def __init__(self, bundled: Mapping[str, Rulebook] | None = None) -> None:
        self._bundled = dict(bundled) if bundled is not None else None
        self._known: dict[str, Rulebook] = {}
        self._lock = threading.Lock()

    def bundled(self) -> dict[str, Rulebook]:
        if self._bundled is None:
            self._bundled = dict(rulebooks.bundled())
        return self._bundled

    def get(self, rules: RulesRepository, rulebook_id: str) -> Rulebook:
        """The rulebook ``rulebook_id``, read through ``rules`` (a unit of work's repository) the first time."""
        with self._lock:
            found = self._known.get(rulebook_id)
        if found is not None:
            return found
        stored = rules.stored_rulebook(rulebook_id)
        if stored is not None:
            book = rulebooks.validate(dict(stored.content), f"rulebook {rulebook_id} (stored in the database)")
        else:
            bundled = self.bundled().get(rulebook_id)
            if bundled is None:
                known = sorted({*self.bundled(), *rules.stored_rulebook_ids()})
                raise LookupError(f"unknown rulebook {rulebook_id!r}: known are {', '.join(known)}")
            book = bundled
        with self._lock:
            return self._known.setdefault(rulebook_id, book)

    def store(self, rules: RulesRepository, book: Rulebook) -> bool:
        """Keep ``book`` in the database (and in this source) under its id; whether the stored text changed."""
        content, sha256 = rulebook_content(book)
        changed = rules.store_rulebook(book.id, content=content, sha256=sha256)
        with self._lock:
            self._known[book.id] = book
        return changed

    def forget(self) -> None:
        """Drop what was read (a test that empties the database between runs)."""
        with self._lock:
            self._known.clear()


# --- the environment --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """Everything the application needs from its surroundings; built once per process by the composition root."""

    engine: sa.Engine
    clock: Clock = field(default_factory=ZoneClock)
    rulebooks: RulebookSource = field(default_factory=RulebookSource)
    launcher: Launcher = field(default_factory=NoLauncher)
    channel: Channel | None = None
    """Where messages go (``None``: real apprise delivery)."""
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    base_url: str = "http://127.0.0.1:8000"
    """The public address of links in messages (``BAGALAU_BASE_URL``)."""
    archive_dir: Path = Path(".bagalau") / "archive"
    """Where the retention purge writes its archives (R-1)."""
    limit_bodies: bool = True
    """Whether the daily sweep's per-body task runs carry the tag of Prefect's concurrency limit (installations:
    yes; the simulator, one body in one process, leaves it out — each tagged task run asks the API for a slot)."""

    def unit_of_work(self, principal: Principal) -> UnitOfWork:
        """A unit of work on this environment's database, audited as ``principal``."""
        return UnitOfWork(self.engine, actor=principal.actor)

    def link(self, path: str) -> str:
        """A link into Bagalau for a message."""
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"
