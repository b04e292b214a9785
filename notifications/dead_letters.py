"""Dead letters come back: re-queue messages that failed, by command (``bagalau notify retry``), audited.

A message is dead after its last attempt (docs/decisions/0010), and HR is told. When the cause is gone (the mail
server is back, a contact was corrected), an operator re-queues it:

- without ``dead``: messages waiting for their next retry are made due now (their backoff is skipped);
- with ``dead``: dead letters too, with a fresh set of attempts (``attempts`` back to 0; every earlier attempt
  stays in ``delivery_attempt``, and the audit row keeps the status, attempts and error it had).

A dead legal notice may have been delivered by hand meanwhile (the escalation asks HR to), so dead letters come
back only when asked. Re-queuing is idempotent: a message already due is left alone, so running the command
twice re-queues nothing the second time. ``kind`` and ``since`` (messages due on or after that day) narrow it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from domain.vocabulary import OutboxStatus
from notifications.store import outbox
from persistence.uow import UnitOfWork

ALMATY = ZoneInfo("Asia/Almaty")


@dataclass
class Requeued:
    """What :func:`requeue` did: the ids made due now, by the status they had."""

    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.retrying) + len(self.dead)

    def summary(self) -> str:
        """One line for the command line."""
        if not self.count:
            return "nothing to re-queue"
        return (
            f"re-queued {self.count} message(s) (dead: {len(self.dead)}, waiting for a retry: {len(self.retrying)}); "
            "they go out with the next delivery (`bagalau notify deliver`, or the daily sweep)"
        )


def requeue(
    engine: sa.Engine,
    now: datetime,
    *,
    actor: str,
    dead: bool = False,
    kind: str | None = None,
    since: date | None = None,
    ids: Collection[int] | None = None,
    body_id: int | None = None,
    reason: str = "re-queued by an operator (bagalau notify retry)",
    zone: ZoneInfo = ALMATY,
) -> Requeued:
    """Make failed messages due at ``now`` in one transaction, with one audit row each (R-4).

    ``ids`` and ``body_id`` narrow it to those messages of that body (the board's "send again"), ``reason`` is what
    the audit row says."""
    statuses = [OutboxStatus.RETRYING.value] + ([OutboxStatus.DEAD.value] if dead else [])
    query = (
        sa.select(outbox.c.id, outbox.c.status, outbox.c.attempts, outbox.c.last_error, outbox.c.next_attempt_at)
        .where(outbox.c.status.in_(statuses))
        .order_by(outbox.c.id)
    )
    if kind is not None:
        query = query.where(outbox.c.kind == kind)
    if ids is not None:
        query = query.where(outbox.c.id.in_(list(ids)))
    if body_id is not None:
        query = query.where(outbox.c.body_id == body_id)
    if since is not None:
        query = query.where(outbox.c.due_at >= datetime.combine(since, time.min, tzinfo=zone))
    done = Requeued()
    with UnitOfWork(engine, actor=actor) as uow:
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)  # a row a delivery run holds is not ours to change
        for row in uow.connection.execute(query).all():
            is_dead = row.status == OutboxStatus.DEAD.value
            if not is_dead and row.next_attempt_at <= now:
                continue  # already due: nothing to do (and a second run changes nothing)
            values: dict[str, object] = {
                "next_attempt_at": now,
                "lease_token": None,
                "lease_until": None,
                "lease_expires_at": None,
            }
            if is_dead:
                values.update(status=OutboxStatus.RETRYING.value, attempts=0)
            uow.connection.execute(sa.update(outbox).where(outbox.c.id == row.id).values(**values))
            uow.audit(
                "outbox_message",
                row.id,
                "requeue",
                before={"status": row.status, "attempts": row.attempts, "last_error": (row.last_error or "")[:500]},
                after={"status": OutboxStatus.RETRYING.value, "attempts": 0 if is_dead else row.attempts},
                reason=reason,
            )
            (done.dead if is_dead else done.retrying).append(row.id)
        uow.commit()
    return done
