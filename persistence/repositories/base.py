"""What every repository shares: its session and audit trail, row-to-record copying, audited updates, lookups that
raise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from persistence.audit import AuditTrail
from persistence.bulk import insert_statement
from persistence.models import Table
from persistence.models.base import now_utc
from persistence.records import DateMove

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

    def _move_dates(
        self,
        table: sa.Table,
        moves: Sequence[DateMove],
        *,
        still_open: Mapping[str, str],
        reason: str,
        touch: bool = False,
    ) -> list[DateMove]:
        """P-7, decision 0196, set-based (issue 13): window dates a calendar override recomputed, whatever their
        number in a bounded number of statements — on PostgreSQL one ``SELECT … FOR UPDATE`` of the rows (in id
        order), one ``UPDATE … FROM unnest(…) RETURNING`` per column, one audit insert; on SQLite, per column, one
        ``SELECT`` of the rows still as read and one ``executemany`` (its transaction holds the write lock from
        ``BEGIN IMMEDIATE`` on: nothing changes them in between). A row moves only while its date still is
        ``before`` and ``still_open[column]`` (SQL on the row: the window's step not done) holds, so a change made
        meanwhile is never overwritten. Each move made is audited as ``calendar_move`` (before → after,
        ``reason``), in the order given; ``touch`` sets ``updated_at`` too. Returns the moves made, in order."""
        if not moves:
            return []
        unknown = sorted({move.column for move in moves} - set(still_open))
        if unknown:
            raise ValueError(f"{table.name} cannot be moved by a calendar override: {', '.join(unknown)}")
        once: dict[tuple[int, str], DateMove] = {}  # each stored date once: the first move of it decided wins
        for move in moves:
            once.setdefault((move.key, move.column), move)
        moves = list(once.values())
        connection = self.session.connection()
        stamp = {"updated_at": now_utc()} if touch else {}
        made: set[tuple[int, str]] = set()
        by_column: dict[str, list[DateMove]] = {}
        for move in moves:
            by_column.setdefault(move.column, []).append(move)
        if connection.dialect.name == "postgresql":  # the triples travel as three arrays
            keys = sorted({move.key for move in moves})
            connection.execute(
                sa.text(f"SELECT id FROM {table.name} WHERE id = ANY(CAST(:keys AS bigint[])) ORDER BY id FOR UPDATE"),
                {"keys": keys},
            )
            touched = ", updated_at = :updated_at" if touch else ""
            for column, batch in by_column.items():
                moved = connection.execute(
                    sa.text(
                        f"UPDATE {table.name} SET {column} = v.becomes{touched} "
                        "FROM unnest(CAST(:keys AS bigint[]), CAST(:was AS date[]), CAST(:becomes AS date[])) "
                        f"AS v(moved_id, was, becomes) WHERE {table.name}.id = v.moved_id "
                        f"AND {table.name}.{column} = v.was AND ({still_open[column]}) RETURNING {table.name}.id"
                    ),
                    {
                        "keys": [move.key for move in batch],
                        "was": [move.before for move in batch],
                        "becomes": [move.after for move in batch],
                        **stamp,
                    },
                )
                made.update((key, column) for key in moved.scalars())
        else:  # the transaction holds the write lock (BEGIN IMMEDIATE): what is read here is what is updated
            for column, batch in by_column.items():
                dates = sorted({move.before for move in batch})
                query = sa.select(table.c.id, table.c[column]).where(
                    table.c[column].in_(dates), sa.text(still_open[column])
                )
                still = {(row[0], row[1]) for row in connection.execute(query)}
                batch = [move for move in batch if (move.key, move.before) in still]
                if not batch:
                    continue
                statement = (
                    sa.update(table)
                    .where(
                        table.c.id == sa.bindparam("moved_id"),
                        table.c[column] == sa.bindparam("was", type_=sa.Date),
                        sa.text(still_open[column]),
                    )
                    .values({column: sa.bindparam("becomes", type_=sa.Date), **stamp})
                )
                connection.execute(
                    statement, [{"moved_id": move.key, "was": move.before, "becomes": move.after} for move in batch]
                )
                made.update((move.key, column) for move in batch)
        done = [move for move in moves if (move.key, move.column) in made]
        changes = (
            (move.key, {move.column: move.before.isoformat()}, {move.column: move.after.isoformat()}) for move in done
        )
        self._audit.record_many(table.name, "calendar_move", changes, reason=reason)
        return done
