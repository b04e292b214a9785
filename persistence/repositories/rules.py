"""Which rulebook a body follows on a date, and the operator's working-day calendar overrides (P-7)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from persistence.models import CalendarOverrideRow, RulebookAssignmentRow, RulebookRow
from persistence.models.base import now_utc
from persistence.models.rules import CALENDAR_OVERRIDE_KINDS
from persistence.records import RulebookAssignment, StoredRulebook
from persistence.repositories.base import Repository


class RulesRepository(Repository):
    """Rulebook assignments per body and calendar overrides."""

    def assign_rulebook(
        self,
        *,
        body_id: int,
        rulebook_id: str,
        valid_from: date,
        valid_until: date | None = None,
        reason: str | None = None,
    ) -> int:
        """A body follows ``rulebook_id`` from ``valid_from`` to ``valid_until`` (inclusive, ``None``: open)."""
        row = self._add(
            RulebookAssignmentRow(
                body_id=body_id, rulebook_id=rulebook_id, valid_from=valid_from, valid_until=valid_until
            )
        )
        after = {
            "body_id": body_id,
            "rulebook_id": rulebook_id,
            "valid_from": valid_from.isoformat(),
            "valid_until": None if valid_until is None else valid_until.isoformat(),
        }
        self._audit.record("rulebook_assignment", row.id, "assign", after=after, reason=reason)
        assert row.id is not None
        return row.id

    def assignments(self, body_id: int) -> list[RulebookAssignment]:
        """Every rulebook assignment of a body, earliest first (G-3)."""
        statement = (
            sa.select(RulebookAssignmentRow)
            .where(RulebookAssignmentRow.body_id == body_id)
            .order_by(RulebookAssignmentRow.valid_from, RulebookAssignmentRow.id)
        )
        return [
            RulebookAssignment(row.id, row.rulebook_id, row.valid_from, row.valid_until, row.created_at)
            for row in self.session.execute(statement).scalars()
        ]

    def set_assignment_until(self, assignment_id: int, valid_until: date | None, *, reason: str | None) -> bool:
        """Change the last day of an assignment (audited before/after); whether anything changed."""
        row = self.session.get(RulebookAssignmentRow, assignment_id, with_for_update=True)
        if row is None:
            raise LookupError(f"there is no rulebook assignment {assignment_id}")
        changed = self._update(
            row, {"valid_until": valid_until}, allowed={"valid_until"}, entity_id=assignment_id, reason=reason
        )
        return bool(changed)

    def rulebooks_on(self, body_id: int, on: date) -> list[str]:
        """The rulebook ids in force for a body on ``on`` (several when a transitional one runs beside, M-10)."""
        statement = (
            sa.select(RulebookAssignmentRow.rulebook_id)
            .where(
                RulebookAssignmentRow.body_id == body_id,
                RulebookAssignmentRow.valid_from <= on,
                sa.or_(RulebookAssignmentRow.valid_until.is_(None), RulebookAssignmentRow.valid_until >= on),
            )
            .order_by(RulebookAssignmentRow.valid_from, RulebookAssignmentRow.id)
        )
        return list(self.session.execute(statement).scalars())

    def stored_rulebook(self, rulebook_id: str) -> StoredRulebook | None:
        """A rulebook stored in the database (not bundled): its JSON content and SHA-256, or ``None``."""
        row = self.session.execute(sa.select(RulebookRow).filter_by(id=rulebook_id)).scalar_one_or_none()
        return None if row is None else StoredRulebook(row.id, dict(row.content), row.sha256, row.stored_at)

    def stored_rulebook_ids(self) -> list[str]:
        """The ids of every rulebook stored in the database."""
        return list(self.session.execute(sa.select(RulebookRow.id).order_by(RulebookRow.id)).scalars())

    def store_rulebook(self, rulebook_id: str, *, content: dict[str, Any], sha256: str) -> bool:
        """Store (or replace) a rulebook's validated JSON; audited when it changes. Whether anything changed."""
        row = self.session.execute(
            sa.select(RulebookRow).filter_by(id=rulebook_id).with_for_update()
        ).scalar_one_or_none()
        if row is not None and row.sha256 == sha256:
            return False
        before = None if row is None else {"sha256": row.sha256}
        if row is None:
            self._add(RulebookRow(id=rulebook_id, content=content, sha256=sha256, stored_at=now_utc()))
        else:
            row.content, row.sha256, row.stored_at = content, sha256, now_utc()
            self.session.flush()
        self._audit.record("rulebook", rulebook_id, "store", before=before, after={"sha256": sha256})
        return True

    def set_calendar_day(self, day: date, *, kind: str, legal_basis: str | None = None) -> None:
        """Declare ``day`` a ``day_off`` or a ``working_day`` (a decree moved it); replaces an earlier override."""
        if kind not in CALENDAR_OVERRIDE_KINDS:
            raise ValueError(
                f"calendar override kind must be one of {', '.join(CALENDAR_OVERRIDE_KINDS)}, not {kind!r}"
            )
        row = self.session.execute(
            sa.select(CalendarOverrideRow).filter_by(day=day).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            row = self._add(
                CalendarOverrideRow(day=day, kind=kind, legal_basis=legal_basis, created_by=self._audit.actor)
            )
            self._audit.record("calendar_override", day.isoformat(), "set", after={"kind": kind}, reason=legal_basis)
            return
        changes = {"kind": kind, "legal_basis": legal_basis, "created_by": self._audit.actor}
        self._update(row, changes, allowed=changes, entity_id=day.isoformat(), reason=legal_basis, action="set")

    def calendar_override_rows(self) -> list[tuple[date, str, str | None, str]]:
        """Every override with its legal basis and who set it: (day, kind, legal basis, created by), by day."""
        table = CalendarOverrideRow
        statement = sa.select(table.day, table.kind, table.legal_basis, table.created_by).order_by(table.day)
        return [(row[0], row[1], row[2], row[3]) for row in self.session.execute(statement).tuples()]

    def calendar_overrides(self) -> dict[date, str]:
        """Every override: day → ``day_off`` or ``working_day`` (feed to the domain's working calendar)."""
        statement = sa.select(CalendarOverrideRow.day, CalendarOverrideRow.kind).order_by(CalendarOverrideRow.day)
        return dict(self.session.execute(statement).tuples().all())
