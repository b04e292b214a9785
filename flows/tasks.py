"""The batch tasks flows are made of: each covers whole bodies in one unit of work per body, never one person.

Tasks take plain parameters (dates, ids, step names), so that Prefect can record and re-run them; they read the
engine and the channel from ``flows.runtime``. Results are not persisted and never cached: running a task again
must re-read the database, which is what makes a re-run safe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE

from bagalau.services.context import BodyContext
from flows import runtime
from persistence import flowstate
from persistence.uow import UnitOfWork

T = TypeVar("T")

batch_task = task(cache_policy=NO_CACHE, persist_result=False)


def body_ids(body: str | None) -> list[int]:
    """The ids of the bodies a run covers: one by code, or all."""
    with UnitOfWork(runtime.engine(), actor="flow:lookup") as uow:
        if body is None:
            return flowstate.body_ids(uow.session)
        found = uow.org.body_by_code(body)
        if found is None:
            raise LookupError(f"unknown state body {body!r}")
        return [found.id]


def in_body(body_id: int, day: date, actor: str, work: Callable[[BodyContext], T]) -> T:
    """Run ``work`` for one body as of ``day`` in one unit of work, committed when it returns."""
    with UnitOfWork(runtime.engine(), actor=actor) as uow:
        result = work(BodyContext(uow, body_id, day))
        uow.commit()
        return result


@batch_task(name="sweep-steps", task_run_name="{phase}")
def run_steps(phase: str, steps: list[str], day: date, bodies: list[int]) -> dict[str, dict[int, int]]:
    """Steps of the daily sweep over the given bodies, in order, each in its own unit of work per body
    (``flows.sweep_steps``); one task run per phase keeps a quiet day cheap."""
    from flows.sweep_steps import by_name

    done: dict[str, dict[int, int]] = {}
    for step in steps:
        run = by_name(step).run
        done[step] = {
            body_id: in_body(body_id, day, "flow:daily_sweep", lambda ctx, run=run: run(ctx, day)) for body_id in bodies
        }
    return done


@batch_task(name="deliver-due")
def deliver_due(day: date) -> dict[str, Any]:
    """Hand every message due by the end of ``day`` to its channel (``notifications.delivery``)."""
    from notifications.delivery import deliver_due as deliver

    current = runtime.current()
    report = deliver(runtime.engine(), runtime.moment(day), channels=current.channel, config=current.delivery_config)
    return {"delivered": len(report.delivered), "retrying": len(report.retrying), "dead": len(report.dead)}
