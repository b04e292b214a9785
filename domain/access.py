"""Who acts (:class:`Principal`) and who may see what of an evaluation (R-2): one pure predicate for every door.

R-2 (000 §15, §20): results are strictly confidential, known only to the evaluatee, the evaluator, the HR head and
the calibration participants. In the Commission families (004, 002 chapter 6) the Commission — its members, chair
and secretary — and the appointing official who approves its results decide them, so they see them too (M-7), as
does the person acting for that official while they are away, who approves in their stead (G-7);
the superior head who reviews a sheet (M-5) reads the sheet he agrees with or returns. Everyone else who has a
duty in the cycle — HR staff who are not the HR head, the appointing official of a calibrated result — sees
*progress* (status, dates, who is late), never a score or a category.

The pages, the API, the exports and the notifications all ask :func:`visibility` (or its two shorthands); nothing
else decides it. A refusal is answered as if the evaluation did not exist (404) and recorded by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from domain.vocabulary import Role


@dataclass(frozen=True)
class Principal:
    """Who acts: a person (login, personnel number, body, roles) or a named system step (a flow, the simulator).

    ``name`` is the login of a user, or ``flow:<name>`` / ``simulation`` / ``operator:<what>`` for the system;
    ``person`` is the personnel number of the person acting (unique within ``body``, the body's code).
    """

    name: str
    person: str | None = None
    body: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def of_person(
        cls, person: str, *, body: str | None = None, roles: Iterable[Role] = (), login: str | None = None
    ) -> Principal:
        """A person acting (``login`` when they logged in; the simulator acts as the person itself)."""
        return cls(name=login or f"person:{person}", person=person, body=body, roles=frozenset(roles))

    @classmethod
    def system_step(cls, name: str) -> Principal:
        """A step of the system (``flow:daily_sweep``); it acts on behalf of the law, not of a person."""
        return cls(name=name if ":" in name else f"flow:{name}", system=True)

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def actor(self) -> str:
        """What the audit log records as the actor (R-4): ``person:E1``, ``user:login (E1)``, ``flow:…``."""
        if self.system or self.person is None:
            return self.name
        if self.name == f"person:{self.person}":
            return self.name
        return f"user:{self.name} (person:{self.person})"


@dataclass(frozen=True)
class EvaluationParties:
    """The people an evaluation's result is known to by law (R-2), by personnel number within ``body``."""

    body: str
    evaluatee: str
    evaluator: str | None = None
    approver: str | None = None  # M-5: the superior head who reviews the sheet
    calibration_members: frozenset[str] = frozenset()  # C-5: the panel of this evaluation's case
    commission: frozenset[str] = frozenset()  # M-7: chair, members and secretary, when the Commission decides it
    deciding_official: str | None = None  # M-7: the appointing official who approves the Commission's results
    acting_official: str | None = None  # G-7: who acts for that official while they are away, and approves instead


class Visibility(IntEnum):
    """How much of an evaluation a principal may see: nothing, its progress, or its result too."""

    NONE = 0
    PROGRESS = 1  # status, dates, evaluator, who is late — never a score or a category
    RESULT = 2  # score, category, sheet, justification, calibration votes


PROGRESS_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.APPOINTING_OFFICIAL, Role.ADMIN})
"""Roles whose holders follow the progress of every evaluation of their body (G-4, G-6, C-3, C-10)."""


def result_parties(parties: EvaluationParties) -> frozenset[str]:
    """The personnel numbers R-2 lets see the result (the HR head is a role, checked apart)."""
    named = {parties.evaluatee, parties.evaluator, parties.approver, parties.deciding_official, parties.acting_official}
    return frozenset(p for p in named if p) | parties.calibration_members | parties.commission


def visibility(principal: Principal, parties: EvaluationParties) -> Visibility:
    """R-2: how much of the evaluation ``parties`` describes ``principal`` may see."""
    if principal.system:
        return Visibility.RESULT
    if principal.body != parties.body:
        return Visibility.NONE
    if principal.has(Role.HR_HEAD) or (principal.person is not None and principal.person in result_parties(parties)):
        return Visibility.RESULT
    if principal.roles & PROGRESS_ROLES:
        return Visibility.PROGRESS
    return Visibility.NONE


def may_see_result(principal: Principal, parties: EvaluationParties) -> bool:
    """R-2: score, category, sheet and votes."""
    return visibility(principal, parties) >= Visibility.RESULT


def may_see_progress(principal: Principal, parties: EvaluationParties) -> bool:
    """R-2: that the evaluation exists, its status and its dates."""
    return visibility(principal, parties) >= Visibility.PROGRESS
