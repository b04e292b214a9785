"""The notification outbox and escalations: queue once per key, claim what is due, record every attempt.

``enqueue`` and ``escalate`` are ``INSERT … ON CONFLICT DO NOTHING`` on their unique keys and return whether the
row is new, so a flow can be re-run for the same day and queue nothing twice — even when two runs overlap.
``claim_due`` locks the rows it returns (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so that two deliverers never
send the same message; mark each one delivered or failed in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa

from domain.vocabulary import Language, OutboxStatus
from persistence.bulk import OUTBOX_KEY, outbox_values
from persistence.models import DeliveryAttemptRow, EscalationRow, OutboxMessageRow
from persistence.records import DeliveryAttempt, Escalation, NewMessage, OutboxMessage
from persistence.repositories.base import Repository


def _message(row: OutboxMessageRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        idempotency_key=row.idempotency_key,
        body_id=row.body_id,
        recipient_person_id=row.recipient_person_id,
        recipient_role=row.recipient_role,
        kind=row.kind,
        language=Language(row.language),
        channel=row.channel,
        payload=row.payload,
        evaluation_id=row.evaluation_id,
        due_at=row.due_at,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        delivered_address=row.delivered_address,
        proof=row.proof,
        created_at=row.created_at,
    )


def _escalation(row: EscalationRow) -> Escalation:
    return Escalation(
        id=row.id,
        evaluation_id=row.evaluation_id,
        about_person_id=row.about_person_id,
        to_person_id=row.to_person_id,
        to_role=row.to_role,
        kind=row.kind,
        level=row.level,
        escalated_on=row.escalated_on,
    )


class OutboxRepository(Repository):
    """Messages waiting to be delivered, and the record of their delivery."""

    def enqueue(self, message: NewMessage) -> bool:
        """Queue a message unless its idempotency key is queued already; ``True`` if it is new.

        For many messages at once use ``persistence.bulk.insert_outbox``.
        """
        return self._insert_new(OutboxMessageRow.__table__, outbox_values(message), OUTBOX_KEY) is not None

    def get(self, message_id: int) -> OutboxMessage:
        return _message(self._get(OutboxMessageRow, message_id))

    def by_key(self, idempotency_key: str) -> OutboxMessage | None:
        statement = sa.select(OutboxMessageRow).filter_by(idempotency_key=idempotency_key)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _message(row)

    def messages(
        self, *, evaluation_id: int | None = None, statuses: Iterable[OutboxStatus] | None = None
    ) -> list[OutboxMessage]:
        """Messages (of one evaluation, in some statuses), oldest first."""
        statement = sa.select(OutboxMessageRow)
        if evaluation_id is not None:
            statement = statement.where(OutboxMessageRow.evaluation_id == evaluation_id)
        if statuses is not None:
            statement = statement.where(OutboxMessageRow.status.in_([s.value for s in statuses]))
        return [_message(row) for row in self.session.execute(statement.order_by(OutboxMessageRow.id)).scalars()]

    def claim_due(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Pending or retrying messages whose time has come, oldest first, locked until this unit of work ends.

        Concurrent deliverers skip each other's claimed rows (PostgreSQL ``SKIP LOCKED``; SQLite has one writer).
        """
        statement = (
            sa.select(OutboxMessageRow)
            .where(
                OutboxMessageRow.status.in_([OutboxStatus.PENDING.value, OutboxStatus.RETRYING.value]),
                OutboxMessageRow.next_attempt_at <= now,
            )
            .order_by(OutboxMessageRow.next_attempt_at, OutboxMessageRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_message(row) for row in self.session.execute(statement).scalars()]

    def locked_waiting(self, message_ids: Iterable[int], lease_token: str, *, lock: bool) -> list[OutboxMessage]:
        """The messages of ``message_ids`` still pending or retrying under the lease ``lease_token``, in id order;
        ``lock``: their rows locked (``FOR UPDATE``) until this unit of work ends."""
        ids = sorted(set(message_ids))
        if not ids:
            return []
        statement = (
            sa.select(OutboxMessageRow)
            .where(
                OutboxMessageRow.id.in_(ids),
                OutboxMessageRow.status.in_([OutboxStatus.PENDING.value, OutboxStatus.RETRYING.value]),
                OutboxMessageRow.lease_token == lease_token,
            )
            .order_by(OutboxMessageRow.id)
        )
        if lock:
            statement = statement.with_for_update()
        return [_message(row) for row in self.session.execute(statement).scalars()]

    def record_attempts(self, attempts: list[dict[str, object]]) -> None:
        """Record many delivery attempts in one statement (each: ``outbox_id``, ``channel``, ``address``, ``ok``,
        ``response``, ``attempted_at``)."""
        if attempts:
            self.session.execute(sa.insert(DeliveryAttemptRow.__table__), attempts)

    def mark_many_delivered(self, delivered: list[dict[str, object]]) -> None:
        """:meth:`mark_delivered` for many messages in one statement (each: ``id``, ``at``, ``address``,
        ``proof``)."""
        if not delivered:
            return
        table = OutboxMessageRow.__table__
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                status=OutboxStatus.DELIVERED.value,
                attempts=table.c.attempts + 1,
                delivered_at=sa.bindparam("b_at", type_=table.c.delivered_at.type),
                delivered_address=sa.bindparam("b_address", type_=table.c.delivered_address.type),
                proof=sa.bindparam("b_proof", type_=table.c.proof.type),
                last_error=None,
            )
        )
        self.session.connection().execute(
            statement,
            [
                {"b_id": row["id"], "b_at": row["at"], "b_address": row["address"], "b_proof": row["proof"]}
                for row in delivered
            ],
        )

    def record_attempt(
        self,
        message_id: int,
        *,
        channel: str,
        address: str | None,
        ok: bool,
        response: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record one delivery attempt on one channel and what the channel answered."""
        row = DeliveryAttemptRow(outbox_id=message_id, channel=channel, address=address, ok=ok, response=response)
        if at is not None:
            row.attempted_at = at
        self._add(row)

    def attempts(self, message_id: int) -> list[DeliveryAttempt]:
        statement = sa.select(DeliveryAttemptRow).filter_by(outbox_id=message_id).order_by(DeliveryAttemptRow.id)
        return [
            DeliveryAttempt(row.outbox_id, row.attempted_at, row.channel, row.address, row.ok, row.response)
            for row in self.session.execute(statement).scalars()
        ]

    def mark_delivered(
        self, message_id: int, *, at: datetime, address: str | None, proof: dict[str, object] | None = None
    ) -> None:
        """The message reached its recipient: status ``delivered``, with the address and the channel's proof."""
        self.session.execute(
            sa.update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message_id)
            .values(
                status=OutboxStatus.DELIVERED.value,
                attempts=OutboxMessageRow.attempts + 1,
                delivered_at=at,
                delivered_address=address,
                proof=proof,
                last_error=None,
            )
        )

    def mark_failed(self, message_id: int, *, error: str, retry_at: datetime | None) -> None:
        """An attempt failed: retry at ``retry_at``, or give up (status ``dead``) when it is ``None``."""
        values: dict[str, object] = {"attempts": OutboxMessageRow.attempts + 1, "last_error": error}
        if retry_at is None:
            values["status"] = OutboxStatus.DEAD.value
        else:
            values.update(status=OutboxStatus.RETRYING.value, next_attempt_at=retry_at)
        self.session.execute(sa.update(OutboxMessageRow).where(OutboxMessageRow.id == message_id).values(**values))


class EscalationRepository(Repository):
    """Escalations of missed deadlines: each (evaluation, kind, level) at most once."""

    def escalate(
        self,
        evaluation_id: int,
        *,
        kind: str,
        level: int,
        about_person_id: int,
        escalated_on: date,
        to_person_id: int | None = None,
        to_role: str | None = None,
    ) -> bool:
        """Record an escalation unless this level of this kind was escalated already; ``True`` if it is new."""
        if to_person_id is None and to_role is None:
            raise ValueError(f"escalation {kind} of evaluation {evaluation_id}: escalate to a person or to a role")
        values = {
            "evaluation_id": evaluation_id,
            "kind": kind,
            "level": level,
            "about_person_id": about_person_id,
            "to_person_id": to_person_id,
            "to_role": to_role,
            "escalated_on": escalated_on,
        }
        key = ("evaluation_id", "kind", "level")
        return self._insert_new(EscalationRow.__table__, values, key) is not None

    def of_evaluation(self, evaluation_id: int) -> list[Escalation]:
        statement = (
            sa.select(EscalationRow)
            .filter_by(evaluation_id=evaluation_id)
            .order_by(EscalationRow.kind, EscalationRow.level)
        )
        return [_escalation(row) for row in self.session.execute(statement).scalars()]

    def between(self, first: date, last: date) -> list[Escalation]:
        """Escalations made from ``first`` to ``last`` (both included), in order."""
        statement = (
            sa.select(EscalationRow)
            .where(EscalationRow.escalated_on >= first, EscalationRow.escalated_on <= last)
            .order_by(EscalationRow.escalated_on, EscalationRow.id)
        )
        return [_escalation(row) for row in self.session.execute(statement).scalars()]
