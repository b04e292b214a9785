"""How the flows' batch tasks are declared: each covers whole bodies in one unit of work per body, never one person.

Tasks take plain parameters (dates, ids, step names), so that Prefect can record and re-run them. Results are not
persisted and never cached: running a task again must re-read the database, which is what makes a re-run safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from prefect import Task, task
from prefect.cache_policies import NO_CACHE

P = ParamSpec("P")
R = TypeVar("R")


def batch_task(name: str, *, task_run_name: str | None = None) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A batch task named ``name``: never cached, its result not persisted."""

    def declare(fn: Callable[P, R]) -> Task[P, R]:
        declared = task(name=name, task_run_name=task_run_name, cache_policy=NO_CACHE, persist_result=False)
        return declared(fn)

    return declare
