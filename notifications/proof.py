"""Proof of delivery for acquaintance (C-1, Q-4, M-8): what was sent about an evaluation, to which address, when,
what each channel answered, and the employee's acknowledgement if any — the record HR shows in a dispute.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from notifications.channels import last_line, redact
from notifications.kinds import MessageKind
from persistence.records import DeliveryAttempt, OutboxMessage, Person
from persistence.uow import UnitOfWork


@dataclass(frozen=True)
class AttemptRecord:
    at: datetime
    channel: str
    address: str | None
    ok: bool
    response: str | None


@dataclass(frozen=True)
class MessageRecord:
    """One message about the evaluation, with every attempt and, when delivered, its proof."""

    outbox_id: int
    key: str
    kind: str
    to: str
    status: str
    due_at: datetime
    delivered_at: datetime | None
    delivered_address: str | None
    last_error: str | None
    proof: Mapping[str, Any] | None
    attempts: tuple[AttemptRecord, ...]


@dataclass(frozen=True)
class AcknowledgementRecord:
    person_id: int
    at: datetime
    via: str


@dataclass(frozen=True)
class AcquaintanceProof:
    """Everything the system knows about making the employee acquainted with one evaluation's result."""

    evaluation_id: int
    employee_id: int
    employee: str
    acquaint_by: date | None
    acquainted_on: date | None
    acquaintance_method: str | None
    messages: tuple[MessageRecord, ...]
    acknowledgements: tuple[AcknowledgementRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=_json_default)

    def to_text(self) -> str:
        """A readable account, oldest first."""
        lines = [
            f"Evaluation {self.evaluation_id}: {self.employee} (person {self.employee_id})",
            f"  acquaint by {_show(self.acquaint_by)}; acquainted on {_show(self.acquainted_on)}"
            f" ({self.acquaintance_method or 'no method recorded'})",
        ]
        for message in self.messages:
            lines.append(f"- {message.kind} [{message.key}] to {message.to}: {message.status}")
            lines.extend(f"    {_attempt_line(attempt)}" for attempt in message.attempts)
            if message.proof:
                lines.append(f"    content sha256 {message.proof.get('content_sha256')}")
            if message.last_error and message.status != "delivered":
                lines.append(f"    last error: {message.last_error}")
        if not self.messages:
            lines.append("- no message about this evaluation was sent to the employee")
        lines.extend(f"Acknowledged {_show(ack.at)} via {ack.via}" for ack in self.acknowledgements)
        if not self.acknowledgements:
            lines.append("Not acknowledged by the employee.")
        return "\n".join(lines)


def proof_for(engine: sa.Engine, evaluation_id: int, *, actor: str = "notifications:proof") -> AcquaintanceProof:
    """The proof of acquaintance for an evaluation; ``LookupError`` if there is no such evaluation.

    Reading it is an access to a result (R-2), so it is written to the audit log under ``actor``.
    """
    with UnitOfWork(engine, actor=actor) as uow:
        evaluation = uow.evaluations.get(evaluation_id)
        employee = uow.org.person(evaluation.person_id)
        messages = [
            _message(queued, employee, uow.outbox.attempts(queued.id))
            for queued in uow.outbox.messages(evaluation_id=evaluation_id)
            if _concerns(queued, employee.id)
        ]
        acknowledgements = uow.evaluations.acknowledgements(evaluation_id)
        uow.audit("evaluation", evaluation_id, "proof_of_delivery_read", reason="C-1, Q-4, M-8: proof of acquaintance")
        uow.commit()
    return AcquaintanceProof(
        evaluation_id=evaluation_id,
        employee_id=employee.id,
        employee=employee.full_name,
        acquaint_by=evaluation.acquaint_by,
        acquainted_on=evaluation.acquainted_on,
        acquaintance_method=evaluation.acquaintance_method,
        messages=tuple(messages),
        acknowledgements=tuple(
            AcknowledgementRecord(ack.person_id, ack.acknowledged_at, ack.via) for ack in acknowledgements
        ),
    )


def _concerns(queued: OutboxMessage, employee_id: int) -> bool:
    """Messages to the employee, and HR's notices that one of them could not be delivered."""
    return queued.recipient_person_id == employee_id or queued.kind == MessageKind.DELIVERY_FAILED


def _message(queued: OutboxMessage, employee: Person, attempts: Sequence[DeliveryAttempt]) -> MessageRecord:
    to = employee.full_name if queued.recipient_person_id == employee.id else str(queued.recipient_role)
    return MessageRecord(
        outbox_id=queued.id,
        key=queued.idempotency_key,
        kind=queued.kind,
        to=to,
        status=str(queued.status),
        due_at=queued.due_at,
        delivered_at=queued.delivered_at,
        delivered_address=queued.delivered_address,
        last_error=_redacted(queued.last_error),
        proof=_redacted_proof(queued.proof),
        attempts=tuple(
            AttemptRecord(a.attempted_at, a.channel, _redacted(a.address), a.ok, _redacted(a.response))
            for a in attempts
        ),
    )


def _redacted(text: str | None) -> str | None:
    """Stored words with any secret masked (rows written before issue 12 may hold one)."""
    return None if text is None else redact(text)


def _redacted_proof(proof: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The proof with secrets masked in what a channel answered and where it went; the text sent is kept."""
    if proof is None:
        return None
    masked = {
        key: redact(value) if key in {"url", "response", "address"} and isinstance(value, str) else value
        for key, value in proof.items()
    }
    if isinstance(proof.get("deliveries"), list):
        masked["deliveries"] = [
            _redacted_proof(item) if isinstance(item, Mapping) else item for item in proof["deliveries"]
        ]
    return masked


def _attempt_line(attempt: AttemptRecord) -> str:
    verdict = "accepted" if attempt.ok else "refused"
    return f"{_show(attempt.at)} {attempt.channel} {attempt.address}: {verdict} — {last_line(attempt.response)}"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _show(value: date | datetime | None) -> str:
    return "—" if value is None else value.isoformat()
