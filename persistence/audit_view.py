"""The audit view (R-4, issue 14): who changed what, when, before/after and why — and every refused access (R-2).

A read model for people, in ``persistence`` because the application never reads the audit log back (it is a
trail, docs/decisions/0021); the web door shows it.

For the HR head and admins only (the door checks the role before asking). Filters narrow it by person (a personnel
number: what they did, and what was done to their person row), by evaluation (its own rows and the messages,
sheets and cases that point at it) and by date (Asia/Almaty days, inclusive). Newest first, keyset-paginated on
the row id, so a long log is read a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from persistence.models import (
    AccessRefusalRow,
    AuditLogRow,
    CalibrationCaseRow,
    OutboxMessageRow,
    PersonRow,
    SheetSubmissionRow,
)

audit_t: sa.Table = AuditLogRow.__table__  # type: ignore[attr-defined]
refusal_t: sa.Table = AccessRefusalRow.__table__  # type: ignore[attr-defined]
person_t: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
outbox_t: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
sheet_t: sa.Table = SheetSubmissionRow.__table__  # type: ignore[attr-defined]
case_t: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
PAGE_SIZE = 100

EARLIEST = date.min + timedelta(days=2)
LATEST = date.max - timedelta(days=2)
"""Bounds of a filter beyond which a day's instant cannot be written in UTC (any zone within ±48 h)."""


@dataclass(frozen=True)
class AuditFilter:
    """What the audit view is narrowed to (every field optional)."""

    person: str | None = None
    evaluation_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@dataclass(frozen=True)
class RefusalEntry:
    id: int
    at: datetime
    actor: str
    resource: str
    action: str
    rule: str
    path: str | None


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    refusals: tuple[RefusalEntry, ...]
    next_before: int | None  # the audit row id to ask the next (older) page with


def _actor_of(number: str) -> sa.ColumnElement[bool]:
    """Audit actors naming person ``number``: ``person:N`` or ``user:login (person:N)``."""
    return sa.or_(
        audit_t.c.actor == f"person:{number}", audit_t.c.actor.endswith(f"(person:{number})", autoescape=True)
    )


def audit_log(
    session: Session, wanted: AuditFilter, *, zone: ZoneInfo, before: int | None = None, limit: int = PAGE_SIZE
) -> AuditPage:
    """One page of the audit log and the refusals the filter selects, newest first (days in ``zone``)."""
    limit = max(1, min(limit, 500))
    conditions: list[sa.ColumnElement[bool]] = []
    refused: list[sa.ColumnElement[bool]] = []
    if wanted.person:
        ids = [
            str(key)
            for key in session.execute(
                sa.select(person_t.c.id).where(person_t.c.personnel_number == wanted.person)
            ).scalars()
        ]
        conditions.append(
            sa.or_(_actor_of(wanted.person), sa.and_(audit_t.c.entity == "person", audit_t.c.entity_id.in_(ids)))
        )
        refused.append(
            sa.or_(
                refusal_t.c.actor == f"person:{wanted.person}",
                refusal_t.c.actor.endswith(f"(person:{wanted.person})", autoescape=True),
            )
        )
    if wanted.evaluation_id is not None:
        key = wanted.evaluation_id
        related = [
            ("evaluation", [str(key)]),
            ("outbox_message", _ids(session, outbox_t, outbox_t.c.evaluation_id == key)),
            ("sheet_submission", _ids(session, sheet_t, sheet_t.c.evaluation_id == key)),
            ("calibration_case", _ids(session, case_t, case_t.c.evaluation_id == key)),
        ]
        conditions.append(
            sa.or_(*(sa.and_(audit_t.c.entity == entity, audit_t.c.entity_id.in_(ids)) for entity, ids in related))
        )
        refused.append(refusal_t.c.resource == f"evaluation:{key}")
    # A bound at the edge of the calendar (0001-01-01, 9999-12-31) bounds nothing: its instant in UTC would fall
    # outside what a date can hold, so it is left out rather than converted.
    if wanted.since is not None and wanted.since > EARLIEST:
        start = datetime.combine(wanted.since, datetime.min.time(), tzinfo=zone)
        conditions.append(audit_t.c.at >= start)
        refused.append(refusal_t.c.at >= start)
    if wanted.until is not None and wanted.until < LATEST:
        end = datetime.combine(wanted.until + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        conditions.append(audit_t.c.at < end)
        refused.append(refusal_t.c.at < end)
    query = sa.select(audit_t).where(*conditions).order_by(audit_t.c.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(audit_t.c.id < before)
    rows = session.execute(query).all()
    more = len(rows) > limit
    entries = tuple(
        AuditEntry(row.id, row.at, row.actor, row.entity, row.entity_id, row.action, row.before, row.after, row.reason)
        for row in rows[:limit]
    )
    refusal_rows = session.execute(
        sa.select(refusal_t).where(*refused).order_by(refusal_t.c.id.desc()).limit(limit)
    ).all()
    refusals = tuple(
        RefusalEntry(row.id, row.at, row.actor, row.resource, row.action, row.rule, row.path) for row in refusal_rows
    )
    return AuditPage(entries, refusals, entries[-1].id if more and entries else None)


def _ids(session: Session, table: sa.Table, condition: sa.ColumnElement[bool]) -> list[str]:
    return [str(key) for key in session.execute(sa.select(table.c.id).where(condition)).scalars()]
