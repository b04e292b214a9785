"""``deliver_outbox``: hand every due outbox message to its channel and record the proof."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import Flow, Task, flow

from application.cycle import sweep
from application.environment import Environment
from flows.tasks import batch_task


def build(env: Environment) -> tuple[Flow[..., dict[str, Any]], Task[[date], dict[str, Any]]]:
    """The flow, and its delivery task (the daily sweep delivers through the same task)."""

    @batch_task("deliver-due")
    def deliver_due(day: date) -> dict[str, Any]:
        """Hand every message due by the end of ``day`` to its channel (``notifications.delivery``)."""
        return sweep.deliver(env, day)

    @flow(name="deliver_outbox", log_prints=False)
    def deliver_outbox(as_of: date | None = None) -> dict[str, Any]:
        """Deliver the messages due by the end of the as-of day (now, for today) through the configured channels."""
        return deliver_due(env.clock.as_of(as_of))

    return deliver_outbox, deliver_due
