"""Production scale-out: the deployments on a Prefect **process work pool**, run by one or more ``prefect worker``
processes (issue 13, docs/decisions/0180).

``bagalau serve`` runs every deployment inside its own process against a local server; a larger installation runs
Prefect's server on PostgreSQL (``PREFECT_API_DATABASE_CONNECTION_URL``) and registers the same deployments
(``deployments.schedules.SCHEDULES``: the same crons, concurrency limit and tags) on a work pool of type
``process``. Each machine then starts ``prefect worker start --pool <pool>`` with Bagalau installed and its
``BAGALAU_*`` settings; a worker polls the pool and runs each flow run in a process of its own. The code reaches
the worker as the installed package plus the source directory recorded with the deployment (a pull step that
changes into it, and the process's working directory), so a worker runs the code of that checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from deployments.schedules import SCHEDULES, build_deployments

if TYPE_CHECKING:
    from uuid import UUID

POOL_TYPE = "process"


class UnknownDeployment(ValueError):
    """A deployment name that ``SCHEDULES`` does not list."""


def ensure_pool(name: str) -> bool:
    """Create the process work pool ``name`` unless it exists; ``True`` when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type=POOL_TYPE))
            return True


def deploy_to_pool(
    pool: str, source: Path, only: list[str] | None = None, concurrency: int | None = None
) -> dict[str, UUID]:
    """Register the deployments (every one of ``SCHEDULES``, or those named in ``only``) on the process work pool
    ``pool``, created if missing; each runs in ``source`` (a checkout of Bagalau). ``concurrency``: runs of one
    deployment at once (default the served one, 1) — e.g. ``daily_sweep`` runs of several bodies
    (``body=…``) on several machines; every step is idempotent, so overlapping runs do nothing twice. Returns
    name → deployment id."""
    from prefect.runner.storage import LocalStorage

    known = {item.name for item in SCHEDULES}
    unknown = sorted(set(only or []) - known)
    if unknown:
        raise UnknownDeployment(
            f"no deployment {', '.join(map(repr, unknown))}: the deployments are {', '.join(sorted(known))}"
        )
    directory = Path(source).resolve()
    ensure_pool(pool)
    registered: dict[str, UUID] = {}
    for deployment in build_deployments():
        if only and deployment.name not in only:
            continue
        deployment.storage = LocalStorage(str(directory))
        if concurrency is not None:
            deployment.concurrency_limit = concurrency
        deployment.job_variables = {**(deployment.job_variables or {}), "working_dir": str(directory)}
        applied = deployment.apply(work_pool_name=pool, _sync=True)  # type: ignore[call-arg]
        registered[deployment.name] = cast("UUID", applied)
    return registered
