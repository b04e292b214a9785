"""R-2 for every door: who may see what of an evaluation, from the parties one query gathers.

:func:`parties_of` reads the people R-2 names (``persistence.access``); :func:`visibility_of` asks the one pure
predicate, ``domain.access.visibility``. The notifications ask the same predicate on the same query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from application.environment import Environment
from domain.access import EvaluationParties, Principal, Visibility, visibility
from persistence import access


def parties_of(env: Environment, evaluation_ids: Iterable[int], on: date | None = None) -> dict[int, EvaluationParties]:
    """Evaluation id → the people its result is known to by law (R-2), as of ``on`` (default: today)."""
    day = env.clock.as_of(on)
    with env.unit_of_work(Principal.system_step("lookup")) as uow:
        return access.evaluation_parties(uow.session, evaluation_ids, day)


def visibility_of(
    env: Environment, principal: Principal, evaluation_ids: Iterable[int], on: date | None = None
) -> dict[int, Visibility]:
    """Evaluation id → how much of it ``principal`` may see (R-2); unknown ids are left out."""
    return {key: visibility(principal, parties) for key, parties in parties_of(env, evaluation_ids, on).items()}
