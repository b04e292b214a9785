"""Set-based writes for whole populations: many rows in a handful of statements, idempotent by unique key.

Opening a period for 100,000 people must not be an ORM loop. ``insert_evaluations`` and ``insert_outbox`` return
how many rows were new: a second run inserts nothing and raises nothing. They take the connection of the unit of
work (``uow.connection``), so they commit or roll back with it.

- On PostgreSQL, a batch of :data:`COPY_FROM` rows or more is streamed with ``COPY … FROM STDIN`` into a temporary
  table (dropped at commit) and moved with one ``INSERT … SELECT … ON CONFLICT (key) DO NOTHING``: three
  statements whatever the number of rows, and no bind parameters for SQLAlchemy to compile (issue 13: compiling
  multi-row ``VALUES`` with 430,000 parameters was half of opening a quarter; docs/decisions/0130).
- Smaller batches on PostgreSQL send multi-row ``INSERT … ON CONFLICT (key) DO NOTHING`` statements in chunks
  sized to the driver's parameter limit; SQLite (in process, no round trip) runs one cached single-row
  ``INSERT … ON CONFLICT (key) DO NOTHING`` for every row (``executemany``).
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.vocabulary import EvaluationStatus, OutboxStatus
from persistence.db import dumps
from persistence.models import EvaluationRow, OutboxMessageRow
from persistence.models.base import now_utc
from persistence.records import NewEvaluation, NewMessage

Executor = sa.Connection | Session

# Bind parameters per statement: PostgreSQL's protocol allows 65,535; SQLite 32,766 since 3.32 (999 before).
_PARAMETER_BUDGET = {"postgresql": 60_000, "sqlite": 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 900}


COPY_FROM = 1000
"""Rows from which PostgreSQL gets ``COPY`` into a temporary table rather than multi-row ``VALUES``."""


ANALYZE_FROM = 10_000
"""Rows inserted by one bulk write from which PostgreSQL re-reads the table's statistics at once (:func:`analyze`):
the same day's next step must not be planned on the statistics of an empty table (issue 13: a join planned as a
nested loop over 100,000 evaluations ran for minutes; autovacuum may be minutes behind, or off)."""


def analyze(executor: Executor, table: str) -> None:
    """PostgreSQL: re-read ``table``'s statistics now, in this transaction (its new rows count). Through
    ``bagalau_analyze`` (migration 0013, decision 0197): only a table's owner may ``ANALYZE`` it, and the
    application role is not the owner (0064), so a plain ``ANALYZE`` was skipped with a warning. One statement."""
    if _dialect(executor) != "postgresql":
        return
    connection = executor.connection() if isinstance(executor, Session) else executor
    connection.execute(sa.text("SELECT bagalau_analyze(:table)"), {"table": table})


class CopyCount:
    """``COPY`` statements sent on the driver connection, which SQLAlchemy's events do not see (benchmarks), and the
    rows they wrote straight into a table (:func:`append_rows`)."""

    statements = 0
    rows = 0


COPIES = CopyCount()
_temp_names = itertools.count()


def _dialect(executor: Executor) -> str:
    return executor.get_bind().dialect.name if isinstance(executor, Session) else executor.dialect.name


def insert_statement(executor: Executor, table: sa.Table) -> Any:
    """The dialect's ``INSERT`` construct for ``table`` (the one with ``on_conflict_do_nothing``)."""
    dialect = _dialect(executor)
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"Bagalau supports PostgreSQL and SQLite, not {dialect}")


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_ignoring_duplicates(
    executor: Executor, table: sa.Table, rows: Iterable[Mapping[str, Any]], key: Sequence[str]
) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table``, skipping any whose unique ``key`` already exists.

    Concurrent callers inserting the same key end with one row and no error: the database resolves the race
    (PostgreSQL waits for the other transaction, then skips; SQLite serializes writers). Returns the rows inserted.
    """
    rows = iter(rows)
    head = list(islice(rows, COPY_FROM))
    if not head:
        return 0
    if _dialect(executor) == "postgresql" and len(head) >= COPY_FROM:
        return _copy_ignoring_duplicates(executor, table, itertools.chain(head, rows), list(head[0]), key)
    if _dialect(executor) == "sqlite":
        # One cached single-row statement, run by the driver for each row: no per-call compiling of a multi-row
        # VALUES (the simulator's sweep re-offered a day's keyed rows and spent most of its time compiling them).
        statement = (
            insert_statement(executor, table)
            .on_conflict_do_nothing(index_elements=list(key))
            .execution_options(preserve_rowcount=True)
        )
        return int(executor.execute(statement, [*head, *rows]).rowcount)
    inserted = 0
    size = max(1, _PARAMETER_BUDGET[_dialect(executor)] // max(1, len(head[0])))
    for chunk in _chunks(itertools.chain(head, rows), size):
        statement = (
            insert_statement(executor, table)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=list(key))
            # SQLAlchemy reports rowcount of an INSERT only when asked to keep it.
            .execution_options(preserve_rowcount=True)
        )
        inserted += executor.execute(statement).rowcount
    return inserted


def _copy_ignoring_duplicates(
    executor: Executor, table: sa.Table, rows: Iterable[Mapping[str, Any]], columns: list[str], key: Sequence[str]
) -> int:
    """PostgreSQL: ``COPY`` the rows into a temporary table of the given columns, then ``INSERT … SELECT`` them."""
    connection = executor.connection() if isinstance(executor, Session) else executor
    dialect = connection.dialect
    temp = f"_bulk_{table.name}_{next(_temp_names)}"
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {quoted} FROM "
        f"{dialect.identifier_preparer.format_table(table)} WITH NO DATA"
    )
    values = _copy_row(table, columns, dialect)
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {temp} ({quoted}) FROM STDIN") as copy:
        COPIES.statements += 1
        for row in rows:
            copy.write_row(values(row))
    source = sa.table(temp, *[sa.column(name) for name in columns])
    statement = (
        postgresql.insert(table)
        .from_select(columns, sa.select(*source.c))
        .on_conflict_do_nothing(index_elements=list(key))
        .execution_options(preserve_rowcount=True)
    )
    inserted: int = connection.execute(statement).rowcount
    connection.exec_driver_sql(f"DROP TABLE {temp}")
    if inserted >= ANALYZE_FROM:
        analyze(connection, table.name)
    return inserted


def append_rows(executor: Executor, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Append ``rows`` (dicts with the same keys) to a table without a unique key to respect (the audit log): one
    ``COPY`` straight into it on PostgreSQL from :data:`COPY_FROM` rows, else one ``executemany``; returns how many."""
    if not rows:
        return 0
    if _dialect(executor) != "postgresql" or len(rows) < COPY_FROM:
        executor.execute(table.insert(), list(rows))
        return len(rows)
    connection = executor.connection() if isinstance(executor, Session) else executor
    dialect = connection.dialect
    columns = list(rows[0])
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    values = _copy_row(table, columns, dialect)
    driver = connection.connection.driver_connection
    assert driver is not None
    target = dialect.identifier_preparer.format_table(table)
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
        COPIES.statements += 1
        for row in rows:
            copy.write_row(values(row))
    COPIES.rows += len(rows)
    return len(rows)


def _copy_row(table: sa.Table, columns: list[str], dialect: Any) -> Callable[[Mapping[str, Any]], list[Any]]:
    """How a row (a mapping) becomes the values of one ``COPY`` row: the columns in order, each converted as binding
    would convert it. Columns without a conversion are taken as they are; instants and flags, which repeat from row
    to row (a day's start, ``now``), are converted once per distinct value (issue 13)."""
    pick = operator.itemgetter(*columns)
    single = len(columns) == 1
    converted: list[tuple[int, Any]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if column_type.dialect_impl(dialect).bind_processor(dialect) is None and not isinstance(column_type, sa.JSON):
            continue
        convert = _copy_value(column_type, dialect)
        base = column_type.impl_instance if isinstance(column_type, sa.TypeDecorator) else column_type
        repeating = isinstance(base, sa.DateTime | sa.Boolean)
        converted.append((index, _remembering(convert) if repeating else convert))

    def values(row: Mapping[str, Any]) -> list[Any]:
        found = [pick(row)] if single else list(pick(row))
        for index, convert in converted:
            found[index] = convert(found[index])
        return found

    return values


def _remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    known: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:
            found = known[value] = convert(value)
            return found
        except TypeError:  # not hashable
            return convert(value)

    return remembered


def _copy_value(column_type: Any, dialect: Any) -> Any:
    """How a Python value of a column of ``column_type`` is written in a ``COPY`` row (what binding would send)."""
    if isinstance(column_type, sa.JSON):
        return lambda value: None if value is None else dumps(value)
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return lambda value: value
    return lambda value: None if value is None else processor(value)


# --- evaluations ---------------------------------------------------------------------------------------------------

EVALUATION_KEY = ("person_id", "period_id", "method")


def evaluation_status(row: NewEvaluation) -> str:
    """The ``status`` of a new evaluation: its own, or ``ineligible`` (which needs its reason) when not eligible."""
    if not row.eligible and not row.ineligible_reason:
        raise ValueError(f"evaluation of person {row.person_id}: an ineligible evaluation needs its reason")
    return (row.status if row.eligible else EvaluationStatus.INELIGIBLE).value


def evaluation_values(row: NewEvaluation) -> dict[str, Any]:
    """The column values of a new ``evaluation`` row (``status`` ``ineligible`` when not eligible)."""
    status = evaluation_status(row)
    now = now_utc()
    return {
        "person_id": row.person_id,
        "period_id": row.period_id,
        "method": row.method.value,
        "rulebook_id": row.rulebook_id,
        "status": status,
        "eligible": row.eligible,
        "ineligible_reason": row.ineligible_reason,
        "in_absentia": row.in_absentia,
        "evaluator_id": row.evaluator_id,
        "delegated_by_id": row.delegated_by_id,
        "approver_id": row.approver_id,
        "deadline": row.deadline,
        "notice_due_on": row.notice_due_on,
        "created_at": now,
        "updated_at": now,
    }


def insert_evaluations(executor: Executor, rows: Iterable[NewEvaluation]) -> int:
    """Insert evaluations, skipping (person, period, method) already present; returns how many were new."""
    table = EvaluationRow.__table__
    return insert_ignoring_duplicates(executor, table, (evaluation_values(row) for row in rows), EVALUATION_KEY)


# --- outbox --------------------------------------------------------------------------------------------------------

OUTBOX_KEY = ("idempotency_key",)


def outbox_values(message: NewMessage) -> dict[str, Any]:
    """The column values of a new ``outbox_message`` row."""
    if message.recipient_person_id is None and message.recipient_role is None:
        raise ValueError(f"message {message.idempotency_key!r}: address it to a person or to a role")
    if message.due_at.utcoffset() is None:
        raise ValueError(f"message {message.idempotency_key!r}: due_at must be timezone-aware")
    return {
        "idempotency_key": message.idempotency_key,
        "body_id": message.body_id,
        "recipient_person_id": message.recipient_person_id,
        "recipient_role": message.recipient_role,
        "kind": message.kind,
        "language": message.language.value,
        "channel": message.channel,
        "payload": dict(message.payload),
        "evaluation_id": message.evaluation_id,
        "due_at": message.due_at,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": message.due_at,
        "created_at": now_utc(),
    }


def insert_outbox(executor: Executor, messages: Iterable[NewMessage]) -> int:
    """Queue messages, skipping idempotency keys already queued; returns how many were new."""
    table = OutboxMessageRow.__table__
    return insert_ignoring_duplicates(executor, table, (outbox_values(message) for message in messages), OUTBOX_KEY)
