"""``retention_purge``: archive or purge documents past their retention (R-1, ``application.cycle.retention``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import retention
from application.environment import Environment


def build(env: Environment) -> Flow[..., dict[int, dict[str, int]]]:
    @flow(name="retention_purge", log_prints=False)
    def retention_purge(
        as_of: date | None = None, body: str | None = None, archive_dir: str | None = None
    ) -> dict[int, dict[str, int]]:
        """Archive or purge evaluation documents older than the rulebook's retention (R-1), with a record of each."""
        day = env.clock.as_of(as_of)
        folder = Path(archive_dir) if archive_dir else None
        return {body_id: retention.retention_purge(env, body_id, day, folder) for body_id in body_ids(env, body)}

    return retention_purge
