"""Reading the audit log (writing is ``UnitOfWork.audit``) and retention purge records (R-1); accounts: ``accounts``."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from persistence.models import AuditLogRow, RetentionRecordRow
from persistence.records import AuditEntry
from persistence.repositories.base import Repository


class AuditRepository(Repository):
    """The audit trail of an entity, oldest first."""

    def trail(self, entity: str, entity_id: object) -> list[AuditEntry]:
        statement = (
            sa.select(AuditLogRow)
            .where(AuditLogRow.entity == entity, AuditLogRow.entity_id == str(entity_id))
            .order_by(AuditLogRow.id)
        )
        return [
            AuditEntry(
                row.id, row.at, row.actor, row.entity, row.entity_id, row.action, row.before, row.after, row.reason
            )
            for row in self.session.execute(statement).scalars()
        ]


class RetentionRepository(Repository):
    """The record of retention purges (R-1); the purge itself is a flow's set-based DELETE."""

    def record(self, *, entity: str, cutoff_on: date, rows: int, detail: dict[str, Any] | None = None) -> None:
        """Record that ``rows`` rows of ``entity`` older than ``cutoff_on`` were purged, by this unit's actor."""
        self._add(
            RetentionRecordRow(actor=self._uow.actor, entity=entity, cutoff_on=cutoff_on, rows=rows, detail=detail)
        )
        self._uow.audit("retention_record", entity, "purge", after={"cutoff_on": cutoff_on.isoformat(), "rows": rows})
