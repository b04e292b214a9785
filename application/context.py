"""What actions and cycle steps share: one transaction, and a body's facts, calendar and rulebooks as of a day.

:func:`transaction` opens a unit of work audited as the acting :class:`~domain.access.Principal` (committed when
the block ends without an exception); :func:`in_body` runs one step for one body in one. :class:`BodyContext` loads
lazily, so that a sweep on a day with nothing due reads only what its queries need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TypeVar

from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.calendar import WorkingCalendar
from domain.errors import Phrase
from domain.facts import Organization
from domain.rulebook import Rulebook
from domain.vocabulary import Language, Role
from persistence import flowstate
from persistence.records import Evaluation
from persistence.uow import UnitOfWork

T = TypeVar("T")


@contextmanager
def transaction(env: Environment, principal: Principal) -> Iterator[UnitOfWork]:
    """A unit of work acting as ``principal``, committed when the block ends without an exception."""
    with env.unit_of_work(principal) as uow:
        yield uow
        uow.commit()


def in_body(env: Environment, body_id: int, day: date, principal: Principal, work: Callable[[BodyContext], T]) -> T:
    """Run ``work`` for one body as of ``day`` in one unit of work, committed when it returns."""
    with transaction(env, principal) as uow:
        return work(BodyContext(env, uow, body_id, day))


def body_ids(env: Environment, body: str | None) -> list[int]:
    """The ids of the bodies a run covers: one by code, or all."""
    with env.unit_of_work(Principal.system_step("lookup")) as uow:
        if body is None:
            return flowstate.body_ids(uow.session)
        found = uow.org.body_by_code(body)
        if found is None:
            raise LookupError(f"unknown state body {body!r}")
        return [found.id]


def resolve_body(uow: UnitOfWork, body: str | None) -> int:
    """The id of the body with code ``body``; without one, the only body there is."""
    if body is not None:
        found = uow.org.body_by_code(body)
        if found is None:
            raise Rejected(Phrase("unknown state body {body}", body=body))
        return found.id
    ids = flowstate.body_ids(uow.session)
    if len(ids) != 1:
        raise Rejected(Phrase("name the state body: the database holds {count}", count=len(ids)))
    return ids[0]


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


@dataclass
class BodyContext:
    """A body as of ``on`` in one unit of work: ids, people, calendar, rulebooks; loaded on first use."""

    env: Environment
    uow: UnitOfWork
    body_id: int
    on: date

    @classmethod
    def acting(cls, env: Environment, uow: UnitOfWork, principal: Principal, on: date) -> BodyContext:
        """The context of the body ``principal`` acts in (the only body when the principal names none)."""
        return cls(env, uow, resolve_body(uow, principal.body), on)

    @cached_property
    def seat_holders(self) -> dict[tuple[int, date], int]:
        """(person id, day) → who receives in their stead (G-7), as ``application.messages`` found it in this unit
        of work (the facts do not change within it)."""
        return {}

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
            raise Rejected(Phrase("unknown employee {number}", number=number))
        return found

    def acting_person(self, principal: Principal) -> int:
        """The person id of who acts; a refusal when the principal is no person of the body."""
        if principal.person is None:
            raise Rejected(Phrase("{actor} acts for no person of the body", actor=principal.actor))
        return self.person_id(principal.person)

    # --- rulebooks ---

    @cached_property
    def _books(self) -> dict[str, Rulebook]:
        return {}

    def book(self, rulebook_id: str) -> Rulebook:
        """A rulebook by id (stored in the database, else bundled); kept for this context, whose steps ask for it
        once or twice per evaluation (a rulebook id names one text for good: a new text is a new id)."""
        found = self._books.get(rulebook_id)
        if found is None:
            found = self._books[rulebook_id] = self.env.rulebooks.get(self.uow.rules, rulebook_id)
        return found

    def rulebook_for(self, day: date, *, fallback: date | None = None) -> Rulebook:
        """The rulebook governing the body on ``day`` (a period's last day), else on ``fallback`` (G-3)."""
        for when in (day, fallback):
            if when is None:
                continue
            for rulebook_id in self.uow.rules.rulebooks_on(self.body_id, when):
                book = self.book(rulebook_id)
                if book.in_force(when) or when == fallback:
                    return book
        raise Rejected.by_rule("G-3", Phrase("no rulebook is assigned to the body on {day}", day=day))

    def rulebook_of(self, evaluation: Evaluation) -> Rulebook:
        return self.book(evaluation.rulebook_id)
