"""HR sends a dead letter again from the cycle board (issue 14): the board's face of ``bagalau notify retry``.

A dead letter is a message whose every attempt failed (docs/decisions/0010, 0063). When HR has fixed the cause (a
contact corrected, the mail server back), "send again" gives that one message a fresh set of attempts: the same
:func:`notifications.dead_letters.requeue`, narrowed to the message and the HR member's own body, audited as the
person who asked (R-4). Only the HR service, its head and admins of the body may (G-6); a message that is not
dead (already re-queued, delivered) is refused with the reason, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase
from domain.vocabulary import OutboxStatus, Role
from notifications.dead_letters import requeue
from persistence.models import BodyRow, OutboxMessageRow

HR_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.ADMIN})
outbox: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
body_t: sa.Table = BodyRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SentAgain:
    """The message re-queued: it goes out with the next delivery (``bagalau notify deliver`` or the daily sweep)."""

    message_id: int
    kind: str


class DeadLetterNotFound(LookupError):
    """No message of that id in the principal's body: the door answers it as it answers a refusal (404, R-2)."""


def send_again(env: Environment, principal: Principal, message_id: int) -> SentAgain:
    """Re-queue dead letter ``message_id`` of the principal's body, audited as the principal (R-4)."""
    if not principal.roles & HR_ROLES or principal.body is None:
        raise Rejected.by_rule("G-6", "only the HR service of the body sends a message again")
    with env.unit_of_work(principal) as uow:
        found = uow.session.execute(
            sa.select(outbox.c.id, outbox.c.kind, outbox.c.status, outbox.c.body_id)
            .select_from(outbox.join(body_t, body_t.c.id == outbox.c.body_id))
            .where(outbox.c.id == message_id, body_t.c.code == principal.body)
        ).first()
    if found is None:
        raise DeadLetterNotFound(f"there is no message {message_id} of body {principal.body}")
    if found.status != OutboxStatus.DEAD.value:
        raise Rejected(
            Phrase(
                "message {message_id} is not a dead letter (it is {status}): nothing to send again",
                message_id=message_id,
                status=found.status,
            )
        )
    done = requeue(
        env.engine,
        env.clock.now(),
        actor=principal.actor,
        dead=True,
        ids=[message_id],
        body_id=found.body_id,
        reason="sent again from the cycle board",
    )
    if not done.dead:
        raise Rejected(
            Phrase("message {message_id} was re-queued meanwhile: nothing to send again", message_id=message_id)
        )
    return SentAgain(message_id, found.kind)
