"""What every table shares: the metadata (with constraint naming), the column types, and small column helpers.

The same tables run on PostgreSQL and SQLite, so the column types are chosen to behave the same on both:

- vocabularies are plain strings with a ``CHECK (col IN (…))`` (docs/decisions/0001), never native enums;
- instants are timezone-aware (``timestamptz`` on PostgreSQL; UTC text on SQLite, returned aware in UTC);
- scores are exact decimals (``NUMERIC(6,4)``), returned as ``Decimal`` on both databases;
- documents (sheet scores, payloads, audit before/after) are JSON (``jsonb`` on PostgreSQL).

Constraint names follow one convention (``uq_<table>_<cols>``, ``fk_<table>_<col>_<target>``, ``ck_<table>_<name>``)
so that migrations can drop them by name, which SQLite batch migrations need.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Bagalau's own registry, so that its metadata holds Bagalau's tables only (never another SQLModel user's).
mapper_registry = registry(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))
metadata = mapper_registry.metadata


class Table(SQLModel, registry=mapper_registry):
    """Base of every Bagalau table class (``…Row``); not a table itself."""


def table_of(row: type[Table]) -> sa.Table:
    """The Core table of a table class (SQLModel does not type ``__table__``): for set-based queries."""
    table: sa.Table = row.__table__  # type: ignore[attr-defined]
    return table


# --- column types ----------------------------------------------------------------------------------------------

#: Key of the high-volume append-only tables (audit log, outbox): BIGINT on PostgreSQL, the rowid on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: A JSON document: ``jsonb`` on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = sa.JSON().with_variant(JSONB(), "postgresql")

#: An instant: aware ``datetime`` in, aware ``datetime`` in UTC out, on both databases.
Instant = UTCDateTime


class ExactDecimal(sa.TypeDecorator[Decimal]):
    """``NUMERIC(precision, scale)`` returned as an exact ``Decimal`` on both databases.

    PostgreSQL stores it exactly. SQLite has no decimal type (it keeps a REAL), so values are read back through
    ``str`` and quantized to the column's scale: every value Bagalau stores (scores with at most four decimals)
    survives the round trip unchanged, and SQLAlchemy's float-to-Decimal warning is not triggered.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale)
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            numeric = self.impl_instance
            return dialect.type_descriptor(sa.Numeric(numeric.precision, numeric.scale, asdecimal=False))
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return float(Decimal(str(value)).quantize(self._quantum))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(self._quantum)


#: A score or a score cap: 0.0000 … 99.9999, exact.
Score = ExactDecimal(6, 4)

#: A KPI planned or actual value (any unit: %, count, tenge …), exact.
Quantity = ExactDecimal(18, 4)


def now_utc() -> datetime:
    """The current instant, aware, in UTC (the default of every ``created_at``)."""
    return datetime.now(UTC)


# --- column helpers --------------------------------------------------------------------------------------------


def ref(
    target: str,
    *,
    nullable: bool = False,
    ondelete: str | None = None,
    index: bool = True,
    comment: str | None = None,
    big: bool = False,
) -> Any:
    """A foreign-key column to ``target`` (``"person.id"``), indexed unless a composite index already leads with it."""
    kwargs: dict[str, Any] = {"comment": comment} if comment else {}
    return Field(
        default=None if nullable else ...,
        foreign_key=target,
        ondelete=ondelete,
        nullable=nullable,
        index=index,
        sa_type=BigId if big else sa.Integer,
        sa_column_kwargs=kwargs,
    )


def text(*, nullable: bool = True, comment: str | None = None) -> Any:
    """An unbounded text column (justifications, reasons, legal bases)."""
    kwargs: dict[str, Any] = {"comment": comment} if comment else {}
    return Field(default=None if nullable else ..., sa_type=sa.Text, nullable=nullable, sa_column_kwargs=kwargs)


def one_of(column: str, values: Iterable[str | Enum], *, nullable: bool = False) -> sa.CheckConstraint:
    """``CHECK (column IN (…))``: the database refuses a word outside the vocabulary (docs/decisions/0001)."""
    words = ", ".join(f"'{value.value if isinstance(value, Enum) else value}'" for value in values)
    condition = f"{column} IN ({words})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=f"{column}_valid")


def ordered_dates(start: str, end: str) -> sa.CheckConstraint:
    """``CHECK (end IS NULL OR end >= start)``: an interval never ends before it starts."""
    return sa.CheckConstraint(f"{end} IS NULL OR {end} >= {start}", name=f"{end}_after_{start}")


def words(enum: type[Enum]) -> list[str]:
    """The stored words of a vocabulary enum, in declaration order."""
    return [str(member.value) for member in enum]
