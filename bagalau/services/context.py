"""What services and flows share: one transaction, and a body's facts, calendar and rulebooks as of a day.

:func:`transaction` opens a unit of work on an engine (committed when the block ends without an exception) or
joins the one a caller passes in (the caller commits). :class:`BodyContext` loads lazily, so that a sweep on a
day with nothing due reads only what its queries need.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from bagalau.services.errors import Rejected
from domain.calendar import WorkingCalendar
from domain.facts import Organization
from domain.periods import Period
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import Language, Method, PeriodKind, Role
from flows import runtime
from persistence import flowstate
from persistence.records import Evaluation, EvaluationPeriod
from persistence.uow import UnitOfWork

Target = sa.Engine | UnitOfWork
"""Where a service writes: an engine (the service opens and commits its own unit of work) or an open one."""


@contextmanager
def transaction(target: Target, actor: str) -> Iterator[UnitOfWork]:
    """A unit of work acting as ``actor``: new on an engine (committed on success), or the caller's (not committed)."""
    if isinstance(target, UnitOfWork):
        yield target
        return
    with UnitOfWork(target, actor=actor) as uow:
        yield uow
        uow.commit()


def audit_actor(actor: str) -> str:
    """``E1`` → ``person:E1``; ``flow:daily_sweep`` and logins with a colon stay as they are."""
    return actor if ":" in actor else f"person:{actor}"


_calendars: dict[tuple[tuple[date, str], ...], WorkingCalendar] = {}


def working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The Kazakhstan calendar with the operator's overrides (one calendar object per set of overrides)."""
    overrides = tuple(sorted(uow.rules.calendar_overrides().items()))
    found = _calendars.get(overrides)
    if found is None:
        found = WorkingCalendar(
            days_off=[day for day, kind in overrides if kind == "day_off"],
            working_days=[day for day, kind in overrides if kind == "working_day"],
        )
        _calendars.clear()
        _calendars[overrides] = found
    return found


def period_of(record: EvaluationPeriod) -> Period:
    return Period(PeriodKind(record.kind), record.year, record.quarter)


@dataclass
class BodyContext:
    """A body as of ``on``: ids, people, calendar, rulebooks; loaded on first use."""

    uow: UnitOfWork
    body_id: int
    on: date
    _cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return working_calendar(self.uow)

    @cached_property
    def org(self) -> Organization:
        """The body as domain facts on ``on`` (people by personnel number)."""
        return self.uow.org.organization(self.body_id, self.on)

    @cached_property
    def ids(self) -> dict[str, int]:
        """Personnel number → person id."""
        return self.uow.org.person_ids(self.body_id)

    @cached_property
    def numbers(self) -> dict[int, str]:
        """Person id → personnel number."""
        return {person_id: number for number, person_id in self.ids.items()}

    @cached_property
    def people(self) -> dict[int, flowstate.PersonInfo]:
        """Person id → name and language."""
        return flowstate.people(self.uow.session, self.body_id)

    @cached_property
    def hr(self) -> list[int]:
        """The HR service staff on ``on`` (they receive escalations and sit in sessions, G-6)."""
        return self.uow.org.people_with_role(self.body_id, Role.HR, self.on)

    @cached_property
    def appointing_official(self) -> int | None:
        found = self.uow.org.people_with_role(self.body_id, Role.APPOINTING_OFFICIAL, self.on)
        return found[0] if found else None

    def name(self, person_id: int | None) -> str:
        if person_id is None:
            return ""
        info = self.people.get(person_id)
        return info.name if info else str(person_id)

    def language(self, person_id: int) -> Language:
        info = self.people.get(person_id)
        return info.language if info else Language.KK

    def person_id(self, number: str) -> int:
        """The person with this personnel number, or a refusal naming the unknown id."""
        found = self.ids.get(number)
        if found is None:
            raise Rejected(f"unknown employee {number}")
        return found

    # --- rulebooks ---

    def rulebook_for(self, day: date, *, fallback: date | None = None) -> Rulebook:
        """The rulebook governing the body on ``day`` (a period's last day), else on ``fallback`` (G-3)."""
        for when in (day, fallback):
            if when is None:
                continue
            for rulebook_id in self.uow.rules.rulebooks_on(self.body_id, when):
                book = runtime.rulebook(rulebook_id)
                if book.in_force(when) or when == fallback:
                    return book
        raise Rejected.by_rule("G-3", f"no rulebook is assigned to the body on {day.isoformat()}")

    def rulebook_of(self, evaluation: Evaluation) -> Rulebook:
        return runtime.rulebook(evaluation.rulebook_id)


def method_spec(book: Rulebook, method: Method | str) -> MethodSpec:
    return book.method(method)


def resolve_body(uow: UnitOfWork, body: str | None) -> int:
    """The id of the body with code ``body``; without one, the only body there is."""
    if body is not None:
        found = uow.org.body_by_code(body)
        if found is None:
            raise Rejected(f"unknown state body {body}")
        return found.id
    ids = flowstate.body_ids(uow.session)
    if len(ids) != 1:
        raise Rejected(f"name the state body: the database holds {len(ids)}")
    return ids[0]
