"""``deliver_outbox``: hand every due outbox message to its channel and record the proof."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows import runtime
from flows.tasks import deliver_due


@flow(name="deliver_outbox", log_prints=False)
def deliver_outbox(as_of: date | None = None) -> dict[str, Any]:
    """Deliver the messages due by the end of the as-of day (now, for today) through the configured channels."""
    return deliver_due(runtime.as_of_or_today(as_of))
