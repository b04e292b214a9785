"""Reading the audit log (writing is ``UnitOfWork.audit``), dashboard users, and retention purge records (R-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from domain.vocabulary import Role
from persistence.models import AppUserRow, AuditLogRow, RetentionRecordRow
from persistence.records import AppUser, AuditEntry
from persistence.repositories.base import Repository


def _user(row: AppUserRow) -> AppUser:
    return AppUser(row.id, row.login, row.person_id, Role(row.role), row.password_hash, row.active)


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


class UserRepository(Repository):
    """Dashboard logins (R-2)."""

    def add(self, *, login: str, role: Role, person_id: int | None = None, password_hash: str | None = None) -> AppUser:
        row = self._add(AppUserRow(login=login, role=role.value, person_id=person_id, password_hash=password_hash))
        self._uow.audit("app_user", row.id, "create", after={"login": login, "role": role.value})
        return _user(row)

    def by_login(self, login: str) -> AppUser | None:
        row = self.session.execute(sa.select(AppUserRow).filter_by(login=login)).scalar_one_or_none()
        return None if row is None else _user(row)


class RetentionRepository(Repository):
    """The record of retention purges (R-1); the purge itself is a flow's set-based DELETE."""

    def record(self, *, entity: str, cutoff_on: date, rows: int, detail: dict[str, Any] | None = None) -> None:
        """Record that ``rows`` rows of ``entity`` older than ``cutoff_on`` were purged, by this unit's actor."""
        self._add(
            RetentionRecordRow(actor=self._uow.actor, entity=entity, cutoff_on=cutoff_on, rows=rows, detail=detail)
        )
        self._uow.audit("retention_record", entity, "purge", after={"cutoff_on": cutoff_on.isoformat(), "rows": rows})
