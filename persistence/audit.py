"""The audit trail (R-4): who changed what, before and after, and why — written in the transaction of the change.

An :class:`AuditTrail` is a session and an actor (a user login, ``person:<number>``, ``flow:<name>``). The unit of
work builds one and hands it to every repository, so that a change and its audit row are kept or lost together.
The audit log is a trail only: nothing decides what to do next by reading it (workflow state lives in columns).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from persistence import bulk
from persistence.models import AuditLogRow
from persistence.models.base import now_utc


class AuditTrail:
    """Appends audit rows to ``session``'s transaction on behalf of ``actor``."""

    def __init__(self, session: Session, actor: str) -> None:
        if not actor:
            raise ValueError("an audit trail needs an actor (who acts: a login, person:<id>, flow:<name>)")
        self.session = session
        self.actor = actor

    def record(
        self,
        entity: str,
        entity_id: object,
        action: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """Append an audit row (R-4) to this transaction: who (``actor``), what, before, after, why."""
        self.session.add(
            AuditLogRow(
                at=now_utc(),
                actor=self.actor,
                entity=entity,
                entity_id=str(entity_id),
                action=action,
                before=before,
                after=after,
                reason=reason,
            )
        )

    def record_many(
        self,
        entity: str,
        action: str,
        changes: Iterable[tuple[object, dict[str, Any] | None, dict[str, Any] | None]],
        *,
        reason: str | None = None,
    ) -> int:
        """Append one audit row per ``(entity id, before, after)`` in one statement (a set-based change of many
        rows, R-4: every row audited as :meth:`record` would); returns how many."""
        table = AuditLogRow.__table__  # type: ignore[attr-defined]
        at = now_utc()
        rows = [
            {
                "at": at,
                "actor": self.actor,
                "entity": entity,
                "entity_id": str(entity_id),
                "action": action,
                "before": before,
                "after": after,
                "reason": reason,
            }
            for entity_id, before, after in changes
        ]
        return bulk.append_rows(self.session, table, rows)
