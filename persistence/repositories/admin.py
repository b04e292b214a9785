"""Reading the audit log (writing is ``persistence.audit.AuditTrail``) and the retention purge (R-1): its
set-based deletes and its records. Accounts live in ``accounts``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from persistence.models import (
    AcknowledgementRow,
    AppealRow,
    AuditLogRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    CommissionDecisionRow,
    CommissionVoteRow,
    RefusalActRow,
    RetentionRecordRow,
    SheetDraftRow,
    SheetReviewRow,
    SheetSubmissionRow,
    Survey360Row,
    Table,
)
from persistence.records import AuditEntry
from persistence.repositories.base import Repository

#: The documents of one evaluation, in the order they are deleted (children first); each table has
#: ``evaluation_id`` except the calibration ones, reached through their case.
EVALUATION_DOCUMENTS: tuple[type[Table], ...] = (
    SheetReviewRow,
    SheetSubmissionRow,
    CommissionVoteRow,
    CommissionDecisionRow,
    RefusalActRow,
    AppealRow,
    AcknowledgementRow,
)
CASE_DOCUMENTS: tuple[type[Table], ...] = (CalibrationVoteRow, CalibrationMemberRow)
#: What an evaluation holds that is not a document: the evaluators' unsigned drafts (decision 0141). R-1 deletes them
#: with the evaluation's documents, never archives them (a draft is its evaluator's alone, R-2, and was never signed).
EVALUATION_DRAFTS: tuple[type[Table], ...] = (SheetDraftRow,)


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
            RetentionRecordRow(actor=self._audit.actor, entity=entity, cutoff_on=cutoff_on, rows=rows, detail=detail)
        )
        after = {"cutoff_on": cutoff_on.isoformat(), "rows": rows}
        self._audit.record("retention_record", entity, "purge", after=after)

    def delete_evaluation_documents(self, evaluation_ids: Sequence[int]) -> dict[str, int]:
        """Delete the documents of the evaluations (R-1; the evaluation row, its result, stays: the service
        record), and the drafts of their sheets (``EVALUATION_DRAFTS``, decision 0141); returns the rows deleted per
        table (``EVALUATION_DOCUMENTS``)."""
        case_ids = self._keys(CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)
        counts = {table.__tablename__: self._delete(table, table.case_id, case_ids) for table in CASE_DOCUMENTS}
        counts["calibration_case"] = self._delete(CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)
        for table in (*EVALUATION_DRAFTS, *EVALUATION_DOCUMENTS):
            counts[table.__tablename__] = self._delete(table, table.evaluation_id, evaluation_ids)
        return {name: count for name, count in counts.items() if count}

    def delete_surveys(self, survey_ids: Sequence[int]) -> int:
        """Delete 360 surveys; their respondents and anonymous answers go with them (ON DELETE CASCADE: the
        application may not read or delete answers itself, T-8)."""
        return self._delete(Survey360Row, Survey360Row.id, survey_ids)

    def _keys(self, table: type[Table], column: Any, keys: Sequence[int]) -> list[int]:
        if not keys:
            return []
        query = sa.select(table.__table__.c.id).where(column.in_(list(keys)))  # type: ignore[attr-defined]
        return list(self.session.execute(query).scalars())

    def _delete(self, table: type[Table], column: Any, keys: Sequence[int]) -> int:
        if not keys:
            return 0
        statement = sa.delete(table.__table__).where(column.in_(list(keys)))  # type: ignore[attr-defined]
        return int(self.session.execute(statement).rowcount or 0)
