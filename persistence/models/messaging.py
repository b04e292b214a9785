"""The notification outbox, delivery attempts, acknowledgements (proof of delivery) and escalations.

Flows never send: they write ``outbox_message`` rows in the same transaction as the decision that calls for them,
keyed by an idempotency key (``notice:<evaluation>``, ``reminder:<evaluation>:<date>`` …), so running a flow twice
queues nothing twice. A deliverer claims due rows, sends them, and records every attempt and the proof.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import Language, OutboxStatus
from persistence.models.base import BigId, Instant, Json, Table, now_utc, one_of, ref, text

UNDELIVERED_NOTICE = "kind = 'evaluation_notice' AND status <> 'delivered'"
"""The rows of ``ix_outbox_message_undelivered_notice`` (migration 0012b, decision 0190): legal notices (P-4) not
delivered yet. The board counts them per period through it instead of reading the whole outbox; a notice leaves
the index when it is delivered, so it holds the notices of the last opening until delivery, then the dead ones."""


class OutboxMessageRow(Table, table=True):
    """A message to send: to a person (all their channels, or one) or to a body role such as ``hr``.

    ``payload`` holds the template variables; rendering happens at delivery, in ``language``.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index(None, "status", "next_attempt_at"),
        sa.Index(
            "ix_outbox_message_undelivered_notice",
            "status",
            "evaluation_id",
            postgresql_where=sa.text(UNDELIVERED_NOTICE),
            sqlite_where=sa.text(UNDELIVERED_NOTICE),
        ),
        one_of("status", OutboxStatus),
        one_of("language", Language),
        sa.CheckConstraint("recipient_person_id IS NOT NULL OR recipient_role IS NOT NULL", name="has_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    idempotency_key: str = Field(max_length=300, unique=True)
    body_id: int = ref("body.id")
    recipient_person_id: int | None = ref("person.id", nullable=True)
    recipient_role: str | None = Field(
        default=None, max_length=32, sa_column_kwargs={"comment": "e.g. 'hr': every HR member of the body"}
    )
    kind: str = Field(max_length=64, sa_column_kwargs={"comment": "snake_case template name: evaluation_notice …"})
    language: str = Field(default=Language.KK.value, max_length=2)
    channel: str | None = Field(default=None, max_length=32, sa_column_kwargs={"comment": "NULL: every channel"})
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=Json)
    evaluation_id: int | None = ref("evaluation.id", nullable=True, ondelete="CASCADE")
    due_at: datetime = Field(sa_type=Instant)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        sa_type=Instant, sa_column_kwargs={"comment": "when to try next; due_at until the first attempt"}
    )
    last_error: str | None = text()
    delivered_at: datetime | None = Field(default=None, sa_type=Instant)
    delivered_address: str | None = Field(default=None, max_length=500)
    proof: dict[str, Any] | None = Field(default=None, sa_type=Json, sa_column_kwargs={"comment": "proof of delivery"})
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    lease_token: str | None = Field(
        default=None,
        max_length=64,
        sa_column_kwargs={"comment": "the delivery run holding the row: holder:claim:nonce"},
    )
    lease_until: datetime | None = Field(
        default=None, sa_type=Instant, sa_column_kwargs={"comment": "the lease ends at this instant of the run's time"}
    )
    lease_expires_at: datetime | None = Field(
        default=None, sa_type=Instant, sa_column_kwargs={"comment": "and at this instant of the wall clock"}
    )


class DeliveryAttemptRow(Table, table=True):
    """One attempt to deliver an outbox message on one channel, and what the channel answered."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    outbox_id: int = ref("outbox_message.id", ondelete="CASCADE", big=True)
    attempted_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    channel: str = Field(max_length=32)
    address: str | None = Field(default=None, max_length=500)
    ok: bool
    response: str | None = text(comment="the channel's answer or the error")


class AcknowledgementRow(Table, table=True):
    """A person acknowledged a result (таныстыру, C-1): the proof that they were made acquainted."""

    __tablename__ = "acknowledgement"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE", index=False)
    person_id: int = ref("person.id")
    acknowledged_at: datetime = Field(sa_type=Instant)
    via: str = Field(max_length=32, sa_column_kwargs={"comment": "system, email, sms, registered_letter …"})


class EscalationRow(Table, table=True):
    """A missed deadline escalated to someone (evaluator → their head → HR); each level once per evaluation."""

    __tablename__ = "escalation"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "kind", "level"),
        sa.CheckConstraint("to_person_id IS NOT NULL OR to_role IS NOT NULL", name="has_recipient"),
        sa.CheckConstraint("level >= 1", name="level_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE", index=False)
    about_person_id: int = ref("person.id", comment="whose step is late")
    to_person_id: int | None = ref("person.id", nullable=True)
    to_role: str | None = Field(default=None, max_length=32, sa_column_kwargs={"comment": "e.g. 'hr'"})
    kind: str = Field(max_length=64, sa_column_kwargs={"comment": "snake_case: overdue_sheet, overdue_acquaintance …"})
    level: int = Field(sa_column_kwargs={"comment": "1, 2, 3 …: how far up it went"})
    escalated_on: date
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
