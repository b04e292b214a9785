"""What every repository shares: its session and audit trail, row-to-record copying, audited updates, lookups that
raise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from persistence.audit import AuditTrail
from persistence.bulk import insert_statement
from persistence.models import Table

RowT = TypeVar("RowT", bound=Table)


class NotFound(LookupError):
    """The row asked for does not exist (names the table and the key)."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"no {entity} {key}")
        self.entity = entity
        self.key = key


def plain(value: Any) -> Any:
    """A column value as it goes into the audit log's JSON (enums as words, dates ISO, Decimals exact)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def optional(convert: Callable[[Any], Any], value: Any) -> Any:
    """``convert(value)``, or ``None`` when the column is NULL (for vocabulary enums of nullable columns)."""
    return None if value is None else convert(value)


class Repository:
    """Base of the repositories: they work in one session (a unit of work's) and write audit rows to its trail."""

    def __init__(self, session: Session, audit: AuditTrail) -> None:
        self.session = session
        self._audit = audit

    def _get(self, row_type: type[RowT], key: int, *, for_update: bool = False) -> RowT:
        statement = sa.select(row_type).where(row_type.id == key)
        if for_update:
            statement = statement.with_for_update()
        row = self.session.execute(statement).scalar_one_or_none()
        if row is None:
            raise NotFound(row_type.__tablename__, key)
        return row

    def _add(self, row: RowT) -> RowT:
        self.session.add(row)
        self.session.flush()
        return row

    def _insert_new(self, table: sa.Table, values: Mapping[str, Any], key: Iterable[str]) -> int | None:
        """Insert one row unless its unique ``key`` exists; the new row's id, or ``None`` if it was there already."""
        statement = (
            insert_statement(self.session, table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(key))
            .returning(table.c.id)
        )
        return self.session.execute(statement).scalar_one_or_none()

    def _update(
        self,
        row: Table,
        changes: Mapping[str, Any],
        *,
        allowed: Iterable[str],
        entity_id: object,
        reason: str | None,
        action: str = "update",
        when_changed: Mapping[str, Any] | None = None,
    ) -> dict[str, tuple[Any, Any]]:
        """Apply ``changes`` to ``row`` and audit what actually changed (before/after), in this transaction.

        ``when_changed`` are bookkeeping columns (``updated_at``) set, unaudited, only if something changed.
        """
        allowed = set(allowed)
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise ValueError(f"{row.__tablename__} cannot be updated through this method: {', '.join(unknown)}")
        changed: dict[str, tuple[Any, Any]] = {}
        for name, value in changes.items():
            new = value.value if isinstance(value, Enum) else value
            old = getattr(row, name)
            if old != new:
                changed[name] = (old, new)
                setattr(row, name, new)
        if changed:
            for name, value in (when_changed or {}).items():
                setattr(row, name, value)
            self.session.flush()
            self._audit.record(
                row.__tablename__,
                entity_id,
                action,
                before={name: plain(old) for name, (old, _) in changed.items()},
                after={name: plain(new) for name, (_, new) in changed.items()},
                reason=reason,
            )
        return changed
