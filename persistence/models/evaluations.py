"""Evaluation periods, evaluations (one per person, period and method), their versioned sheets, reviews,
refusal acts and appeals.

``evaluation.status`` is the state machine of ``domain.vocabulary.EvaluationStatus`` (see docs/schema.md); the date
columns record when each step happened and by when the next one is due, so that a daily sweep finds its work with
an indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import EvaluationStatus, Method, PeriodKind, ResultCategory
from persistence.models.base import Instant, Json, Score, Table, now_utc, one_of, ref, text

PERIOD_STATUSES = ("open", "closed")
REVIEW_DECISIONS = ("approve", "return")
APPEAL_AUTHORITIES = ("administrative", "authorised_body", "court")
APPEAL_OUTCOMES = ("unchanged", "revise")


class EvaluationPeriodRow(Table, table=True):
    """An evaluation cycle of a body: a quarter (``2025-Q1``) or a year (``2025``), opened by a flow (P-1, P-2)."""

    __tablename__ = "evaluation_period"
    __table_args__ = (
        sa.UniqueConstraint("body_id", "label"),
        one_of("kind", PeriodKind),
        one_of("status", PERIOD_STATUSES),
        sa.CheckConstraint(
            "(kind = 'quarter' AND quarter BETWEEN 1 AND 4) OR (kind = 'year' AND quarter IS NULL)",
            name="quarter_matches_kind",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    kind: str = Field(max_length=8)
    year: int
    quarter: int | None = None
    label: str = Field(max_length=16, sa_column_kwargs={"comment": "'2025-Q1' or '2025'"})
    status: str = Field(default="open", max_length=8)
    opened_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    closed_at: datetime | None = Field(default=None, sa_type=Instant)
    schedule_approved_on: date | None = Field(default=None, sa_column_kwargs={"comment": "G-4"})
    schedule_approved_by_id: int | None = ref("person.id", nullable=True)
    opened_on: date | None = Field(
        default=None, sa_column_kwargs={"comment": "the day its evaluations were opened (P-1, P-4); NULL until then"}
    )
    commission_opened_on: date | None = Field(
        default=None,
        sa_column_kwargs={"comment": "a year: the day its Commission evaluations were opened (M-1); NULL until then"},
    )


class AnnualResultRow(Table, table=True):
    """A person's annual final score of a year (P-3): the average of the year's quarterly final scores, banded.

    Computed once per (person, year) by the annual step (``flows.steps.annual``); a re-run finds the row and
    computes nothing. The audit log keeps who computed it from which quarters (R-4), but the row is the result.
    """

    __tablename__ = "annual_result"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "year"),
        one_of("category", ResultCategory),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id")
    person_id: int = ref("person.id", index=False)
    year: int
    score: Decimal = Field(sa_type=Score, sa_column_kwargs={"comment": "the exact average, to four decimals"})
    category: str = Field(max_length=16)
    quarters_count: int = Field(sa_column_kwargs={"comment": "how many quarterly final scores were averaged"})
    computed_on: date
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class EvaluationRow(Table, table=True):
    """One evaluation of one person for one period by one method: the unit of work of every flow.

    Unique on (person, period, method), so opening a period twice creates nothing new. Ineligible people get a
    row too (status ``ineligible``, with the reason): the cycle considered them (E-1, E-2, E-5).
    """

    __tablename__ = "evaluation"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "period_id", "method"),
        sa.Index(None, "period_id", "status"),
        sa.Index(None, "status", "deadline"),
        one_of("method", Method),
        one_of("status", EvaluationStatus),
        one_of("category", ResultCategory, nullable=True),
        sa.CheckConstraint("eligible OR ineligible_reason IS NOT NULL", name="ineligible_has_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False, comment="the evaluatee")
    period_id: int = ref("evaluation_period.id", index=False)
    method: str = Field(max_length=16)
    rulebook_id: str = Field(max_length=100, sa_column_kwargs={"comment": "the rulebook in force for this evaluation"})
    status: str = Field(default=EvaluationStatus.OPEN.value, max_length=16)
    eligible: bool = True
    ineligible_reason: str | None = Field(default=None, max_length=64)
    in_absentia: bool = Field(default=False, sa_column_kwargs={"comment": "evaluated without participation (E-3/E-4)"})
    evaluator_id: int | None = ref("person.id", nullable=True)
    delegated_by_id: int | None = ref("person.id", nullable=True, comment="head who delegated the evaluation (D-4)")
    approver_id: int | None = ref("person.id", nullable=True, comment="superior head who approves the sheet (M-5)")
    deadline: date | None = Field(default=None, sa_column_kwargs={"comment": "sheet due by (P-1, P-2, E-5)"})
    notice_due_on: date | None = Field(default=None, sa_column_kwargs={"comment": "notice due by (P-4)"})
    notice_sent_on: date | None = None
    submitted_on: date | None = None
    completed_on: date | None = Field(default=None, sa_column_kwargs={"comment": "score and category known"})
    score: Decimal | None = Field(default=None, sa_type=Score)
    category: str | None = Field(default=None, max_length=16)
    acquaint_by: date | None = Field(default=None, sa_column_kwargs={"comment": "C-1, M-8"})
    acquainted_on: date | None = None
    acquaintance_method: str | None = Field(
        default=None, max_length=32, sa_column_kwargs={"comment": "system, email, sms, registered_letter, act …"}
    )
    disagreement_until: date | None = Field(default=None, sa_column_kwargs={"comment": "last day to apply (C-2)"})
    submitted_to_commission_on: date | None = Field(
        default=None, sa_column_kwargs={"comment": "HR submitted the approved sheet to the Commission (M-5, M-6)"}
    )
    commission_undecided_on: date | None = Field(
        default=None, sa_column_kwargs={"comment": "a meeting day whose vote decided nothing (quorum, M-7)"}
    )
    closed_on: date | None = None
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    updated_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class SheetSubmissionRow(Table, table=True):
    """One submitted version of an evaluation sheet (бағалау парағы); versions are kept, exactly one is current.

    ``content_hash`` is the SHA-256 of the signed content (R-3), so a later change of a kept version is detectable.
    A paper sheet (G-1) is entered by HR: ``on_paper``, ``entered_by_id`` and the scan's reference.
    """

    __tablename__ = "sheet_submission"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "version"),
        # One current version per evaluation, enforced by the database (a partial unique index on both backends).
        sa.Index(
            "ux_sheet_submission_current",
            "evaluation_id",
            unique=True,
            postgresql_where=sa.text("is_current"),
            sqlite_where=sa.text("is_current"),
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("NOT on_paper OR entered_by_id IS NOT NULL", name="paper_sheet_has_clerk"),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE", index=False)
    version: int
    is_current: bool = True
    submitted_by_id: int | None = ref("person.id", nullable=True)
    submitted_at: datetime = Field(sa_type=Instant)
    scores: dict[str, Any] = Field(
        default_factory=dict, sa_type=Json, sa_column_kwargs={"comment": "parameter or KPI id -> score"}
    )
    justification: str | None = text(comment="the evaluator's reasoning (негіздеме, D-3)")
    signed_by_id: int | None = ref("person.id", nullable=True)
    signed_at: datetime | None = Field(default=None, sa_type=Instant)
    content_hash: str = Field(max_length=64, sa_column_kwargs={"comment": "sha256 hex of the signed content (R-3)"})
    on_paper: bool = Field(default=False, sa_column_kwargs={"comment": "G-1: entered from a paper sheet"})
    entered_by_id: int | None = ref("person.id", nullable=True)
    scan_ref: str | None = Field(default=None, max_length=1000, sa_column_kwargs={"comment": "where the scan is"})


class SheetReviewRow(Table, table=True):
    """The superior head approves a submitted sheet or returns it for correction, with a reason (M-5)."""

    __tablename__ = "sheet_review"
    __table_args__ = (one_of("decision", REVIEW_DECISIONS),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE")
    submission_id: int = ref("sheet_submission.id", ondelete="CASCADE")
    reviewer_id: int = ref("person.id")
    decision: str = Field(max_length=8)
    reason: str | None = text()
    decided_on: date
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class RefusalActRow(Table, table=True):
    """The act drawn up when an employee refuses to acknowledge a result, signed by HR and two others (M-8)."""

    __tablename__ = "refusal_act"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE")
    refused_on: date
    drawn_up_by_id: int = ref("person.id", comment="the HR employee")
    witness_1_id: int = ref("person.id")
    witness_2_id: int = ref("person.id")
    content: str | None = text(comment="what the act states")
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class AppealRow(Table, table=True):
    """An appeal of a calibration or Commission decision and its outcome (C-9, M-9)."""

    __tablename__ = "appeal"
    __table_args__ = (
        one_of("authority", APPEAL_AUTHORITIES),
        one_of("outcome", APPEAL_OUTCOMES, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE")
    filed_on: date
    authority: str = Field(
        max_length=16, sa_column_kwargs={"comment": "administrative (APPC, C-9), authorised_body (M-9) or court"}
    )
    outcome: str | None = Field(default=None, max_length=16, sa_column_kwargs={"comment": "NULL while pending"})
    decided_on: date | None = None
    note: str | None = text()
    revised_score: Decimal | None = Field(
        default=None, sa_type=Score, sa_column_kwargs={"comment": "C-9: the score that replaced the decided one"}
    )
    revised_category: str | None = Field(
        default=None, max_length=16, sa_column_kwargs={"comment": "C-9/M-9: the result that replaced the decided one"}
    )


class SheetDraftRow(Table, table=True):
    """An evaluator's sheet saved but not signed (decision 0141): theirs only — never a submission, never read by
    scoring, the flows or anyone else's page (R-2); one per evaluation and evaluator, discarded when the sheet is
    signed."""

    __tablename__ = "sheet_draft"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE", index=False)
    person_id: int = ref("person.id", comment="the evaluator who saved it; only they see it")
    scores: dict[str, Any] = Field(
        default_factory=dict, sa_type=Json, sa_column_kwargs={"comment": "as typed: parameter or KPI id -> value"}
    )
    justification: str | None = text()
    saved_at: datetime = Field(sa_type=Instant)
