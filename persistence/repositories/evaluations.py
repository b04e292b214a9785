"""Periods, evaluations and sheets: the rows every flow reads and moves along.

Creating is idempotent (``PeriodRepository.open``, ``EvaluationRepository.ensure``: a second call finds the row
the first made, even from a concurrent transaction); every change goes through ``update``, which writes the
before/after of what changed to the audit log in the same transaction (R-4). Sheets are versioned: a submission
never overwrites, it adds version n+1 and makes it the current one (R-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from domain.vocabulary import EvaluationStatus, Method, PeriodKind, ResultCategory
from persistence.bulk import EVALUATION_KEY, evaluation_values
from persistence.models import (
    AcknowledgementRow,
    AnnualResultRow,
    AppealRow,
    EvaluationPeriodRow,
    EvaluationRow,
    RefusalActRow,
    SheetDraftRow,
    SheetReviewRow,
    SheetSubmissionRow,
)
from persistence.models.base import now_utc
from persistence.records import (
    Acknowledgement,
    AnnualResult,
    DateMove,
    Evaluation,
    EvaluationPeriod,
    NewEvaluation,
    SheetDraft,
    SheetReview,
    SheetSubmission,
)
from persistence.repositories.base import Repository, optional
from persistence.signing import sheet_content_hash


def period_label(kind: PeriodKind, year: int, quarter: int | None) -> str:
    """``2025-Q1`` for a quarter, ``2025`` for a year (the labels of reports and scenario files)."""
    return f"{year}-Q{quarter}" if kind == PeriodKind.QUARTER else str(year)


def _period(row: EvaluationPeriodRow) -> EvaluationPeriod:
    return EvaluationPeriod(
        id=row.id,
        body_id=row.body_id,
        kind=PeriodKind(row.kind),
        year=row.year,
        quarter=row.quarter,
        label=row.label,
        status=row.status,
        opened_at=row.opened_at,
    )


def _evaluation(row: EvaluationRow) -> Evaluation:
    return Evaluation(
        id=row.id,
        person_id=row.person_id,
        period_id=row.period_id,
        method=Method(row.method),
        rulebook_id=row.rulebook_id,
        status=EvaluationStatus(row.status),
        eligible=row.eligible,
        ineligible_reason=row.ineligible_reason,
        in_absentia=row.in_absentia,
        evaluator_id=row.evaluator_id,
        delegated_by_id=row.delegated_by_id,
        approver_id=row.approver_id,
        deadline=row.deadline,
        notice_due_on=row.notice_due_on,
        notice_sent_on=row.notice_sent_on,
        submitted_on=row.submitted_on,
        completed_on=row.completed_on,
        score=row.score,
        category=optional(ResultCategory, row.category),
        acquaint_by=row.acquaint_by,
        acquainted_on=row.acquainted_on,
        acquaintance_method=row.acquaintance_method,
        disagreement_until=row.disagreement_until,
        closed_on=row.closed_on,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _exact(value: Any) -> Any:
    """JSON numbers back to exact Decimals (booleans and lists of booleans kept as they are)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return value


def _submission(row: SheetSubmissionRow) -> SheetSubmission:
    return SheetSubmission(
        id=row.id,
        evaluation_id=row.evaluation_id,
        version=row.version,
        is_current=row.is_current,
        submitted_by_id=row.submitted_by_id,
        submitted_at=row.submitted_at,
        scores={key: _exact(value) for key, value in row.scores.items()},
        justification=row.justification,
        signed_by_id=row.signed_by_id,
        signed_at=row.signed_at,
        content_hash=row.content_hash,
        on_paper=row.on_paper,
        entered_by_id=row.entered_by_id,
        scan_ref=row.scan_ref,
    )


class PeriodRepository(Repository):
    """Evaluation periods (cycles) of a body."""

    def open(self, *, body_id: int, kind: PeriodKind, year: int, quarter: int | None = None) -> EvaluationPeriod:
        """The period (body, ``2025-Q1``), created open if it does not exist yet (idempotent, race-safe)."""
        label = period_label(kind, year, quarter)
        values = {
            "body_id": body_id,
            "kind": kind.value,
            "year": year,
            "quarter": quarter,
            "label": label,
            "status": "open",
            "opened_at": now_utc(),
        }
        self._insert_new(EvaluationPeriodRow.__table__, values, ("body_id", "label"))
        period = self.by_label(body_id, label)
        assert period is not None  # inserted just now or by a concurrent transaction that committed first
        return period

    def get(self, period_id: int) -> EvaluationPeriod:
        return _period(self._get(EvaluationPeriodRow, period_id))

    def by_label(self, body_id: int, label: str) -> EvaluationPeriod | None:
        statement = sa.select(EvaluationPeriodRow).filter_by(body_id=body_id, label=label)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _period(row)

    def of_body(self, body_id: int, *, status: str | None = None) -> list[EvaluationPeriod]:
        """A body's periods, oldest first (``status``: ``open`` or ``closed`` to filter)."""
        statement = sa.select(EvaluationPeriodRow).filter_by(body_id=body_id)
        if status is not None:
            statement = statement.filter_by(status=status)
        statement = statement.order_by(EvaluationPeriodRow.year, sa.nulls_last(EvaluationPeriodRow.quarter))
        return [_period(row) for row in self.session.execute(statement).scalars()]

    def mark_opened(self, period_id: int, day: date) -> bool:
        """Record that the period's evaluations were opened on ``day`` (once: a later call changes nothing).

        Whether this call marked it (``False``: it was opened already).
        """
        table = EvaluationPeriodRow.__table__
        statement = sa.update(table).where(table.c.id == period_id, table.c.opened_on.is_(None))
        statement = statement.values(opened_on=day)
        return bool(self.session.execute(statement).rowcount)

    def opened_on(self, period_ids: Iterable[int]) -> dict[int, date]:
        """Period id → the day it was opened, for those of ``period_ids`` that were."""
        ids = list(period_ids)
        if not ids:
            return {}
        table = EvaluationPeriodRow.__table__
        query = sa.select(table.c.id, table.c.opened_on).where(table.c.id.in_(ids), table.c.opened_on.is_not(None))
        return {row.id: row.opened_on for row in self.session.execute(query)}

    def is_opened(self, period_id: int) -> bool:
        return period_id in self.opened_on([period_id])

    def schedule_approval(self, period_id: int) -> tuple[date, int | None] | None:
        """G-4: (the day, the person id) the period's evaluation schedule was approved, or ``None``."""
        table = EvaluationPeriodRow.__table__
        query = sa.select(table.c.schedule_approved_on, table.c.schedule_approved_by_id).where(table.c.id == period_id)
        found = self.session.execute(query).first()
        if found is None or found.schedule_approved_on is None:
            return None
        return found.schedule_approved_on, found.schedule_approved_by_id

    def approve_schedule(self, period_id: int, *, day: date, by_id: int, reason: str | None = None) -> bool:
        """G-4: record that ``by_id`` approved the period's evaluation schedule on ``day`` (audited; once: a later
        call changes nothing). Whether this call approved it."""
        row = self._get(EvaluationPeriodRow, period_id, for_update=True)
        if row.schedule_approved_on is not None:
            return False
        changes = {"schedule_approved_on": day, "schedule_approved_by_id": by_id}
        self._update(row, changes, allowed=set(changes), entity_id=period_id, reason=reason, action="approve_schedule")
        return True

    def mark_commission_opened(self, period_id: int, day: date) -> bool:
        """Record that a year's Commission evaluations were opened on ``day`` (M-1; once: whether this call did)."""
        table = EvaluationPeriodRow.__table__
        statement = sa.update(table).where(table.c.id == period_id, table.c.commission_opened_on.is_(None))
        return bool(self.session.execute(statement.values(commission_opened_on=day)).rowcount)

    def commission_opened_on(self, period_id: int) -> date | None:
        """The day a year's Commission evaluations were opened (M-1), or ``None``."""
        table = EvaluationPeriodRow.__table__
        query = sa.select(table.c.commission_opened_on).where(table.c.id == period_id)
        return self.session.execute(query).scalar_one_or_none()

    def close(self, period_id: int, *, reason: str | None = None) -> EvaluationPeriod:
        """Close a period (audited)."""
        row = self._get(EvaluationPeriodRow, period_id, for_update=True)
        changes = {"status": "closed", "closed_at": now_utc()} if row.status != "closed" else {}
        self._update(row, changes, allowed={"status", "closed_at"}, entity_id=period_id, reason=reason, action="close")
        return _period(row)


class AnnualResultRepository(Repository):
    """Annual final scores (P-3): one per (person, year), recorded once."""

    def record(
        self,
        *,
        body_id: int,
        person_id: int,
        year: int,
        score: Decimal,
        category: ResultCategory,
        quarters_count: int,
        computed_on: date,
    ) -> bool:
        """Store a person's annual result unless one exists for the year (race-safe); whether it was new.

        The score is kept to the column's four decimals (half up); the caller audits a new result.
        """
        values = {
            "body_id": body_id,
            "person_id": person_id,
            "year": year,
            "score": score.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
            "category": category.value,
            "quarters_count": quarters_count,
            "computed_on": computed_on,
            "created_at": now_utc(),
        }
        return self._insert_new(AnnualResultRow.__table__, values, ("person_id", "year")) is not None

    def of_body(self, body_id: int, year: int | None = None) -> list[AnnualResult]:
        """A body's annual results (of ``year``, or every year), by id."""
        statement = sa.select(AnnualResultRow).filter_by(body_id=body_id)
        if year is not None:
            statement = statement.filter_by(year=year)
        return [_annual(row) for row in self.session.execute(statement.order_by(AnnualResultRow.id)).scalars()]

    def all(self) -> list[AnnualResult]:
        """Every annual result, by id (the simulation report)."""
        statement = sa.select(AnnualResultRow).order_by(AnnualResultRow.id)
        return [_annual(row) for row in self.session.execute(statement).scalars()]


def _annual(row: AnnualResultRow) -> AnnualResult:
    assert row.id is not None
    return AnnualResult(
        id=row.id,
        body_id=row.body_id,
        person_id=row.person_id,
        year=row.year,
        score=row.score,
        category=ResultCategory(row.category),
        quarters_count=row.quarters_count,
        computed_on=row.computed_on,
    )


class EvaluationRepository(Repository):
    """Evaluations: one per (person, period, method)."""

    #: The columns a flow or a service may change after creation; each change is audited.
    UPDATABLE = frozenset(
        {
            "status",
            "eligible",
            "ineligible_reason",
            "in_absentia",
            "evaluator_id",
            "delegated_by_id",
            "approver_id",
            "deadline",
            "notice_due_on",
            "notice_sent_on",
            "submitted_on",
            "completed_on",
            "score",
            "category",
            "acquaint_by",
            "acquainted_on",
            "acquaintance_method",
            "disagreement_until",
            "closed_on",
            "rulebook_id",
        }
    )

    def ensure(self, new: NewEvaluation) -> tuple[Evaluation, bool]:
        """The evaluation (person, period, method), created from ``new`` if absent; ``(evaluation, created)``.

        Safe under concurrency: two transactions ensuring the same evaluation end with one row and no error.
        For many people at once use ``persistence.bulk.insert_evaluations``.
        """
        new_id = self._insert_new(EvaluationRow.__table__, evaluation_values(new), EVALUATION_KEY)
        found = self.find(new.person_id, new.period_id, new.method)
        assert found is not None
        return found, new_id is not None

    def get(self, evaluation_id: int) -> Evaluation:
        return _evaluation(self._get(EvaluationRow, evaluation_id))

    def find(self, person_id: int, period_id: int, method: Method) -> Evaluation | None:
        statement = sa.select(EvaluationRow).filter_by(person_id=person_id, period_id=period_id, method=method.value)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _evaluation(row)

    def in_period(self, period_id: int, *, statuses: Iterable[EvaluationStatus] | None = None) -> list[Evaluation]:
        """The evaluations of a period (optionally only those in ``statuses``), by id."""
        statement = sa.select(EvaluationRow).where(EvaluationRow.period_id == period_id)
        if statuses is not None:
            statement = statement.where(EvaluationRow.status.in_([s.value for s in statuses]))
        return [_evaluation(row) for row in self.session.execute(statement.order_by(EvaluationRow.id)).scalars()]

    def with_status(
        self, statuses: Iterable[EvaluationStatus], *, deadline_before: date | None = None
    ) -> list[Evaluation]:
        """Evaluations in ``statuses`` (across periods), optionally only those whose deadline is before a day."""
        statement = sa.select(EvaluationRow).where(EvaluationRow.status.in_([s.value for s in statuses]))
        if deadline_before is not None:
            statement = statement.where(EvaluationRow.deadline < deadline_before)
        return [_evaluation(row) for row in self.session.execute(statement.order_by(EvaluationRow.id)).scalars()]

    def of_person(self, person_id: int) -> list[Evaluation]:
        """Every evaluation of a person, by id."""
        statement = sa.select(EvaluationRow).filter_by(person_id=person_id).order_by(EvaluationRow.id)
        return [_evaluation(row) for row in self.session.execute(statement).scalars()]

    def update(self, evaluation_id: int, *, reason: str | None = None, **changes: Any) -> Evaluation:
        """Change columns of an evaluation (``status=EvaluationStatus.COMPLETED, score=Decimal("4.25")`` …).

        The row is locked for the rest of the transaction; what actually changed is written to the audit log with
        its before and after values and ``reason`` (R-4: scores, categories, deadlines and every status change).
        """
        row = self._get(EvaluationRow, evaluation_id, for_update=True)
        self._update(
            row,
            changes,
            allowed=self.UPDATABLE,
            entity_id=evaluation_id,
            reason=reason,
            when_changed={"updated_at": now_utc()},
        )
        return _evaluation(row)

    #: The stored window dates a calendar override may recompute (P-7, decision 0196), each with what must still
    #: hold of the row beyond its status (:meth:`move_dates`): a notice date moves only while the notice is unsent.
    CALENDAR_MOVABLE: Mapping[str, str] = {
        "deadline": "",
        "notice_due_on": "notice_sent_on IS NULL",
        "acquaint_by": "",
        "disagreement_until": "",
    }

    def move_dates(
        self, moves: Sequence[DateMove], *, statuses: Iterable[EvaluationStatus], reason: str
    ) -> list[DateMove]:
        """P-7: window dates of evaluations recomputed because a calendar override moved them (decision 0196),
        set-based (issue 13): the rows are locked in one statement, each column moved in one ``UPDATE`` and every
        change audited in one insert (action ``calendar_move``, before/after, ``reason``: the override and its legal
        basis). A row moves only while it is still eligible, in ``statuses`` (the ones it was read in), its date
        still the one read, and (a notice date) its notice unsent. Returns the moves made, in the order given."""
        words = ", ".join(f"'{EvaluationStatus(status).value}'" for status in statuses)  # vocabulary words only
        if not words:
            raise ValueError("moving evaluation dates needs the statuses the evaluations were read in")
        open_while = f"eligible AND status IN ({words})"
        still_open = {
            column: f"{open_while} AND {extra}" if extra else open_while
            for column, extra in self.CALENDAR_MOVABLE.items()
        }
        return self._move_dates(EvaluationRow.__table__, moves, still_open=still_open, reason=reason, touch=True)

    def record_notices_sent(self, days: Mapping[int, date], *, reason: str) -> int:
        """P-4, set-based: ``notice_sent_on`` of each evaluation (id → day) that has none yet, in one ``UPDATE``
        (an ``executemany``) and one audit insert whatever their number; the caller read (and, on PostgreSQL,
        locked) these rows with ``notice_sent_on`` empty in this transaction. Returns how many were set."""
        if not days:
            return 0
        table = EvaluationRow.__table__
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":  # one statement: the pairs travel as two arrays
            connection.execute(
                sa.text(
                    "UPDATE evaluation AS e SET notice_sent_on = v.day, updated_at = :now "
                    "FROM unnest(CAST(:ids AS bigint[]), CAST(:days AS date[])) AS v(id, day) "
                    "WHERE e.id = v.id AND e.notice_sent_on IS NULL"
                ),
                {"ids": list(days), "days": list(days.values()), "now": now_utc()},
            )
        else:
            statement = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("evaluation_id"), table.c.notice_sent_on.is_(None))
                .values(notice_sent_on=sa.bindparam("day"), updated_at=now_utc())
            )
            connection.execute(statement, [{"evaluation_id": key, "day": day} for key, day in days.items()])
        changes = ((key, {"notice_sent_on": None}, {"notice_sent_on": day.isoformat()}) for key, day in days.items())
        return self._audit.record_many(table.name, "update", changes, reason=reason)

    def mark_submitted_to_commission(self, evaluation_id: int, day: date) -> bool:
        """Record that HR submitted the approved sheet to the Commission on ``day`` (M-5, M-6; once). The caller
        audits it; whether this call marked it."""
        return self._mark(evaluation_id, "submitted_to_commission_on", day)

    def mark_commission_undecided(self, evaluation_id: int, day: date) -> bool:
        """Record that the Commission's vote of ``day`` decided nothing about the evaluation (M-7; once). The caller
        audits it with the reason; whether this call marked it."""
        return self._mark(evaluation_id, "commission_undecided_on", day)

    def _mark(self, evaluation_id: int, column: str, day: date) -> bool:
        table = EvaluationRow.__table__
        statement = sa.update(table).where(table.c.id == evaluation_id, table.c[column].is_(None))
        return bool(self.session.execute(statement.values({column: day})).rowcount)

    # --- M-8, M-9, C-9: refusal acts and appeals ------------------------------------------------------------

    def add_refusal_act(
        self,
        *,
        evaluation_id: int,
        refused_on: date,
        drawn_up_by_id: int,
        witnesses: tuple[int, int],
        content: str,
    ) -> int:
        """M-8: the act recording a refusal to acknowledge, signed by HR and two other employees (audited)."""
        row = self._add(
            RefusalActRow(
                evaluation_id=evaluation_id,
                refused_on=refused_on,
                drawn_up_by_id=drawn_up_by_id,
                witness_1_id=witnesses[0],
                witness_2_id=witnesses[1],
                content=content,
            )
        )
        after = {"evaluation_id": evaluation_id, "on": refused_on.isoformat()}
        self._audit.record("refusal_act", row.id, "draw_up", after=after)
        return int(row.id)  # type: ignore[arg-type]

    def add_appeal(self, *, evaluation_id: int, filed_on: date, authority: str, note: str | None) -> int:
        """M-9 / C-9: an appeal filed with ``authority``, its outcome pending (audited)."""
        row = self._add(AppealRow(evaluation_id=evaluation_id, filed_on=filed_on, authority=authority, note=note))
        self._audit.record("appeal", row.id, "file", after={"evaluation_id": evaluation_id, "authority": authority})
        return int(row.id)  # type: ignore[arg-type]

    def decide_appeal(
        self,
        appeal_id: int,
        *,
        outcome: str,
        decided_on: date,
        revised_score: Decimal | None = None,
        revised_category: ResultCategory | None = None,
    ) -> bool:
        """C-9 / M-9: record a pending appeal's outcome (``unchanged`` or ``revise``, with the revised result);
        ``False`` if it was decided already (audited)."""
        row = self._get(AppealRow, appeal_id, for_update=True)
        if row.outcome is not None:
            return False
        changes = {
            "outcome": outcome,
            "decided_on": decided_on,
            "revised_score": revised_score,
            "revised_category": revised_category.value if revised_category else None,
        }
        allowed = set(changes)
        self._update(row, changes, allowed=allowed, entity_id=appeal_id, reason=f"appeal outcome: {outcome}")
        return True

    # --- acquaintance ------------------------------------------------------------------------------------------

    def acknowledge(self, evaluation_id: int, *, person_id: int, at: datetime, via: str) -> bool:
        """Record that a person acknowledged a result (proof for C-1); ``False`` if it was already recorded."""
        values = {"evaluation_id": evaluation_id, "person_id": person_id, "acknowledged_at": at, "via": via}
        return self._insert_new(AcknowledgementRow.__table__, values, ("evaluation_id", "person_id")) is not None

    def acknowledgements(self, evaluation_id: int) -> list[Acknowledgement]:
        statement = sa.select(AcknowledgementRow).filter_by(evaluation_id=evaluation_id).order_by(AcknowledgementRow.id)
        return [
            Acknowledgement(row.evaluation_id, row.person_id, row.acknowledged_at, row.via)
            for row in self.session.execute(statement).scalars()
        ]


class SheetRepository(Repository):
    """Versioned evaluation sheets and the superior head's reviews of them."""

    def submit(
        self,
        evaluation_id: int,
        *,
        scores: Mapping[str, Any],
        submitted_by_id: int | None,
        submitted_at: datetime | None = None,
        justification: str | None = None,
        signed_by_id: int | None = None,
        signed_at: datetime | None = None,
        on_paper: bool = False,
        entered_by_id: int | None = None,
        scan_ref: str | None = None,
    ) -> SheetSubmission:
        """Store a new version of the evaluation's sheet and make it the current one; earlier versions are kept.

        ``scores`` maps parameter or KPI id to a score (numbers, booleans, lists of booleans). A paper sheet (G-1)
        is ``on_paper=True`` with the HR clerk in ``entered_by_id`` and the scan's ``scan_ref``. The sheet's
        ``content_hash`` is the SHA-256 of (evaluation, scores, justification) in canonical form.
        """
        # Lock the evaluation: concurrent submissions for it queue here, so versions never collide.
        evaluation = sa.select(EvaluationRow.id).where(EvaluationRow.id == evaluation_id).with_for_update()
        if self.session.execute(evaluation).scalar_one_or_none() is None:
            raise LookupError(f"no evaluation {evaluation_id}")
        last = sa.select(sa.func.max(SheetSubmissionRow.version)).where(
            SheetSubmissionRow.evaluation_id == evaluation_id
        )
        version = (self.session.execute(last).scalar_one() or 0) + 1
        self.session.execute(
            sa.update(SheetSubmissionRow)
            .where(SheetSubmissionRow.evaluation_id == evaluation_id, SheetSubmissionRow.is_current)
            .values(is_current=False)
        )
        row = self._add(
            SheetSubmissionRow(
                evaluation_id=evaluation_id,
                version=version,
                is_current=True,
                submitted_by_id=submitted_by_id,
                submitted_at=submitted_at or datetime.now(UTC),
                scores=dict(scores),
                justification=justification,
                signed_by_id=signed_by_id,
                signed_at=signed_at,
                content_hash=sheet_content_hash(evaluation_id, scores, justification),
                on_paper=on_paper,
                entered_by_id=entered_by_id,
                scan_ref=scan_ref,
            )
        )
        self._audit.record(
            "sheet_submission",
            row.id,
            "submit",
            after={"evaluation_id": evaluation_id, "version": version, "content_hash": row.content_hash},
        )
        return _submission(row)

    def sign(self, submission_id: int, *, signed_by_id: int, signed_at: datetime) -> SheetSubmission:
        """Record the signature of a version that was stored unsigned (a signed version cannot be re-signed)."""
        row = self._get(SheetSubmissionRow, submission_id, for_update=True)
        self._update(
            row,
            {"signed_by_id": signed_by_id, "signed_at": signed_at},
            allowed={"signed_by_id", "signed_at"},
            entity_id=submission_id,
            reason=None,
            action="sign",
        )
        return _submission(row)

    def current(self, evaluation_id: int) -> SheetSubmission | None:
        """The current version of the evaluation's sheet, or ``None`` before the first submission."""
        statement = sa.select(SheetSubmissionRow).where(
            SheetSubmissionRow.evaluation_id == evaluation_id, SheetSubmissionRow.is_current
        )
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _submission(row)

    # --- drafts (decision 0141): the evaluator's own, never a submission -------------------------------------------

    def draft(self, evaluation_id: int, person_id: int) -> SheetDraft | None:
        """The draft ``person_id`` saved of the evaluation's sheet, if any."""
        statement = sa.select(SheetDraftRow).where(
            SheetDraftRow.evaluation_id == evaluation_id, SheetDraftRow.person_id == person_id
        )
        row = self.session.execute(statement).scalar_one_or_none()
        if row is None:
            return None
        return SheetDraft(row.evaluation_id, row.person_id, dict(row.scores), row.justification, row.saved_at)

    def save_draft(
        self, evaluation_id: int, person_id: int, *, scores: Mapping[str, Any], justification: str | None, at: datetime
    ) -> SheetDraft:
        """Keep (or replace) ``person_id``'s draft of the sheet; race-safe (one row per evaluation and person)."""
        values = {
            "evaluation_id": evaluation_id,
            "person_id": person_id,
            "scores": dict(scores),
            "justification": justification,
            "saved_at": at,
        }
        table = SheetDraftRow.__table__
        if self._insert_new(table, values, ("evaluation_id", "person_id")) is None:
            self.session.execute(
                sa.update(table)
                .where(table.c.evaluation_id == evaluation_id, table.c.person_id == person_id)
                .values(scores=dict(scores), justification=justification, saved_at=at)
            )
        return SheetDraft(evaluation_id, person_id, dict(scores), justification, at)

    def discard_drafts(self, evaluation_id: int, person_id: int | None = None) -> int:
        """Delete the drafts of the sheet (of one person, or everyone's: the sheet was signed); how many."""
        table = SheetDraftRow.__table__
        statement = sa.delete(table).where(table.c.evaluation_id == evaluation_id)
        if person_id is not None:
            statement = statement.where(table.c.person_id == person_id)
        return int(self.session.execute(statement).rowcount or 0)

    def versions(self, evaluation_id: int) -> list[SheetSubmission]:
        """Every version of the evaluation's sheet, oldest first."""
        statement = (
            sa.select(SheetSubmissionRow)
            .where(SheetSubmissionRow.evaluation_id == evaluation_id)
            .order_by(SheetSubmissionRow.version)
        )
        return [_submission(row) for row in self.session.execute(statement).scalars()]

    @staticmethod
    def verify(submission: SheetSubmission) -> bool:
        """Whether the stored content still matches its hash (R-3)."""
        expected = sheet_content_hash(submission.evaluation_id, submission.scores, submission.justification)
        return expected == submission.content_hash

    def review(
        self,
        evaluation_id: int,
        *,
        submission_id: int,
        reviewer_id: int,
        decision: str,
        decided_on: date,
        reason: str | None = None,
    ) -> SheetReview:
        """The superior head approves (``approve``) or returns (``return``) a sheet version, with a reason (M-5)."""
        row = self._add(
            SheetReviewRow(
                evaluation_id=evaluation_id,
                submission_id=submission_id,
                reviewer_id=reviewer_id,
                decision=decision,
                reason=reason,
                decided_on=decided_on,
            )
        )
        self._audit.record("sheet_review", row.id, decision, after={"submission_id": submission_id}, reason=reason)
        return SheetReview(
            row.id, row.evaluation_id, row.submission_id, row.reviewer_id, row.decision, row.reason, row.decided_on
        )

    def reviews(self, evaluation_id: int) -> list[SheetReview]:
        statement = sa.select(SheetReviewRow).filter_by(evaluation_id=evaluation_id).order_by(SheetReviewRow.id)
        return [
            SheetReview(
                row.id, row.evaluation_id, row.submission_id, row.reviewer_id, row.decision, row.reason, row.decided_on
            )
            for row in self.session.execute(statement).scalars()
        ]
