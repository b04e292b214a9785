"""Which rulebook a body follows when, the rulebooks stored beside the bundled ones, and the operator's overrides of
the Kazakhstan working-day calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from persistence.models.base import Instant, Json, Table, now_utc, one_of, ordered_dates, ref, text

CALENDAR_OVERRIDE_KINDS = ("day_off", "working_day")


class RulebookAssignmentRow(Table, table=True):
    """A body follows rulebook ``rulebook_id`` from ``valid_from`` to ``valid_until`` (inclusive; NULL: open).

    Intervals of different rulebooks may overlap (002 chapter 6 ran beside Model 2018 for a population, M-10);
    the rulebook's own population filter decides whom each applies to.
    """

    __tablename__ = "rulebook_assignment"
    __table_args__ = (
        sa.UniqueConstraint("body_id", "rulebook_id", "valid_from"),
        ordered_dates("valid_from", "valid_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    rulebook_id: str = Field(max_length=100, sa_column_kwargs={"comment": "a bundled rulebook id or a file's id"})
    valid_from: date
    valid_until: date | None = None
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class RulebookRow(Table, table=True):
    """A rulebook stored in the database (loaded from a file, or uploaded by HR), so that every process sees it.

    The bundled rulebooks ship with the code; a stored one is found by its id first (G-3). ``content`` is the whole
    validated rulebook as JSON (``domain.rulebooks.to_json``), ``sha256`` the hash of that JSON.
    """

    __tablename__ = "rulebook"

    id: str = Field(primary_key=True, max_length=100, sa_column_kwargs={"comment": "the rulebook's own id"})
    content: dict[str, Any] = Field(sa_type=Json, sa_column_kwargs={"comment": "the validated rulebook, as JSON"})
    sha256: str = Field(max_length=64, sa_column_kwargs={"comment": "sha256 hex of the canonical JSON content"})
    stored_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class CalendarOverrideRow(Table, table=True):
    """An operator's correction of the working-day calendar (P-7): a decree moved a day off or a working Saturday."""

    __tablename__ = "calendar_override"
    __table_args__ = (one_of("kind", CALENDAR_OVERRIDE_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    kind: str = Field(max_length=16, sa_column_kwargs={"comment": "day_off or working_day"})
    legal_basis: str | None = text(comment="the decree or order that moved the day")
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
