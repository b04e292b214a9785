"""Facts HR records about people during a cycle: absences (E-3, E-5, G-7) and dismissals (E-4, Q-4).

Eligibility and routing are decided when a period opens, from the facts of that day: an absence recorded before
the opening makes the evaluatee evaluated in absentia (E-3) or the evaluator replaced (G-7). A dismissal before an
evaluation's deadline makes the evaluatee evaluated without their participation from then on (E-4): the result
reaches them by a means that records delivery (Q-4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase
from domain.vocabulary import AbsenceKind, EvaluationStatus
from persistence import flowstate

BEFORE_RESULT = (
    EvaluationStatus.OPEN.value,
    EvaluationStatus.RETURNED.value,
    EvaluationStatus.SUBMITTED.value,
    EvaluationStatus.APPROVED.value,
    EvaluationStatus.DEFERRED.value,
)


@dataclass(frozen=True)
class Recorded:
    person_id: int
    in_absentia_evaluations: tuple[int, ...] = ()


def record_absence(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    kind: AbsenceKind | str,
    start: date,
    end: date,
) -> Recorded:
    """HR (``principal``) records that ``employee`` is away from ``start`` to ``end`` (both included)."""
    if end < start:
        raise Rejected(
            Phrase(
                "the absence of {employee} ends {end}, before it starts {start}",
                employee=employee,
                end=end,
                start=start,
            )
        )
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        uow.org.add_absence(person_id=person_id, kind=AbsenceKind(kind), started_on=start, ended_on=end)
        after = {"kind": str(kind), "from": start.isoformat(), "to": end.isoformat()}
        uow.audit("person", person_id, "absence", after=after, reason="recorded by HR (E-3, E-5, G-7)")
        return Recorded(person_id)


def dismiss(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    on: date | None = None,
    reason: str | None = None,
) -> Recorded:
    """HR (``principal``) records the dismissal of ``employee`` (last day in service ``on``, default ``as_of``);
    evaluations whose deadline is later go on without their participation (E-4)."""
    day = on or as_of
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        dismissed = ctx.org.employee(employee).dismissed
        if dismissed is not None and dismissed <= day:
            raise Rejected.by_rule(
                "E-4", Phrase("{employee} was already dismissed on {dismissed}", employee=employee, dismissed=dismissed)
            )
        uow.org.dismiss(person_id=person_id, dismissed_on=day, reason=reason)
        changed = []
        for row in flowstate.evaluations(uow.session, person_id=person_id, statuses=BEFORE_RESULT, eligible=True):
            if not row["in_absentia"] and (row["deadline"] is None or day < row["deadline"]):
                uow.evaluations.update(row["id"], in_absentia=True, reason="dismissed before the deadline (E-4)")
                changed.append(row["id"])
        return Recorded(person_id, tuple(changed))
