"""The append-only audit log (R-4), dashboard users (R-2) and the record of retention purges (R-1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import Role
from persistence.models.base import BigId, Instant, Json, Table, now_utc, one_of, ref, text


class AuditLogRow(Table, table=True):
    """Who changed what, when, from what to what, and why (R-4). Append-only: the database refuses UPDATE/DELETE.

    Written by ``UnitOfWork.audit`` in the same transaction as the change it describes, so a rolled-back change
    leaves no audit row and a committed one always has its row (docs/decisions/0003).
    """

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index(None, "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(default_factory=now_utc, sa_type=Instant, index=True)
    actor: str = Field(max_length=200, sa_column_kwargs={"comment": "a user login, a person, or flow:<name>"})
    entity: str = Field(max_length=64, sa_column_kwargs={"comment": "table name of the changed row"})
    entity_id: str = Field(max_length=64)
    action: str = Field(max_length=64, sa_column_kwargs={"comment": "snake_case: create, update, compose, purge …"})
    before: dict[str, Any] | None = Field(default=None, sa_type=Json)
    after: dict[str, Any] | None = Field(default=None, sa_type=Json)
    reason: str | None = text()


class AppUserRow(Table, table=True):
    """A dashboard login and its role (R-2: who may see which result)."""

    __tablename__ = "app_user"
    __table_args__ = (one_of("role", [role for role in Role if role != Role.ADMIN]),)  # 0001's words

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=200, unique=True)
    person_id: int | None = ref("person.id", nullable=True)
    role: str = Field(max_length=32)
    password_hash: str | None = Field(default=None, max_length=500, sa_column_kwargs={"comment": "NULL: SSO only"})
    active: bool = True
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class RetentionRecordRow(Table, table=True):
    """The record of one retention purge: what was removed, up to which date, by whom (R-1)."""

    __tablename__ = "retention_record"

    id: int | None = Field(default=None, primary_key=True)
    purged_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    actor: str = Field(max_length=200)
    entity: str = Field(max_length=64, sa_column_kwargs={"comment": "what was purged, e.g. evaluation"})
    cutoff_on: date = Field(sa_column_kwargs={"comment": "documents whose evaluation ended before this day"})
    rows: int
    detail: dict[str, Any] | None = Field(default=None, sa_type=Json, sa_column_kwargs={"comment": "ids, labels"})
