"""R-2 for every door: who may see what of an evaluation, from the parties one query gathers.

:func:`parties_of` reads the people R-2 names (``persistence.access``); :func:`visibility_of` asks the one pure
predicate, ``domain.access.visibility``. The notifications ask the same predicate on the same query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from application.environment import Environment
from domain.access import EvaluationParties, Principal, Visibility, visibility
from persistence import access


def parties_of(
    env: Environment, evaluation_ids: Iterable[int], on: date | None = None, *, session: Session | None = None
) -> dict[int, EvaluationParties]:
    """Evaluation id → the people its result is known to by law (R-2), as of ``on`` (default: today).

    ``session``: the caller's open session, read in its transaction. A query that already holds a unit of work
    passes it: a second transaction beside the first would wait for it on SQLite, where every transaction takes
    the write lock (``BEGIN IMMEDIATE``), until the busy timeout ends it with "database is locked"."""
    day = env.clock.as_of(on)
    if session is not None:
        return access.evaluation_parties(session, evaluation_ids, day)
    with env.unit_of_work(Principal.system_step("lookup")) as uow:
        return access.evaluation_parties(uow.session, evaluation_ids, day)


def visibility_of(
    env: Environment,
    principal: Principal,
    evaluation_ids: Iterable[int],
    on: date | None = None,
    *,
    session: Session | None = None,
) -> dict[int, Visibility]:
    """Evaluation id → how much of it ``principal`` may see (R-2); unknown ids are left out (``session``: as
    :func:`parties_of`)."""
    found = parties_of(env, evaluation_ids, on, session=session)
    return {key: visibility(principal, parties) for key, parties in found.items()}
