"""Reviews of a result: calibration sessions on disagreement (C-2…C-8) and the Evaluation Commission (M-7).

A calibration case exists once per disputed evaluation (unique); its members and votes are separate rows, and a
vote can only be cast by a member of that case (composite foreign key). Commission votes likewise can only be cast
by a member recorded as present at the meeting.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import CalibrationStatus, ResultCategory
from persistence.models.base import Instant, Score, Table, now_utc, one_of, ref, text

COMMISSION_DECISIONS = ("approve", "revise")


class CalibrationCaseRow(Table, table=True):
    """A calibration session (калибрлеу сессиясы) requested by an employee who disagrees with a result."""

    __tablename__ = "calibration_case"
    __table_args__ = (
        # One case per evaluation: a second application about the same result finds the same case.
        sa.UniqueConstraint("evaluation_id"),
        sa.Index(None, "status", "hold_by"),
        one_of("status", CalibrationStatus),
        one_of("final_category", ResultCategory, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE", index=False)
    status: str = Field(default=CalibrationStatus.APPLIED.value, max_length=16)
    applied_on: date = Field(sa_column_kwargs={"comment": "C-2"})
    application_text: str | None = text()
    decide_by: date | None = Field(default=None, sa_column_kwargs={"comment": "composition approved by (C-3)"})
    hold_by: date | None = Field(default=None, sa_column_kwargs={"comment": "session held by (C-4)"})
    decided_on: date | None = Field(default=None, sa_column_kwargs={"comment": "appointing official decided (C-3)"})
    decided_by_id: int | None = ref("person.id", nullable=True)
    held_on: date | None = None
    protocol_signed_on: date | None = Field(default=None, sa_column_kwargs={"comment": "the day the last vote came"})
    protocol_hash: str | None = Field(default=None, max_length=64, sa_column_kwargs={"comment": "sha256 (R-3)"})
    protocol_post_by: date | None = Field(default=None, sa_column_kwargs={"comment": "C-7"})
    posted_on: date | None = None
    feedback_meeting_on: date | None = Field(default=None, sa_column_kwargs={"comment": "C-8"})
    feedback_held_on: date | None = Field(
        default=None, sa_column_kwargs={"comment": "the evaluator held the meeting (C-8)"}
    )
    final_score: Decimal | None = Field(default=None, sa_type=Score)
    final_category: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class CalibrationMemberRow(Table, table=True):
    """A member of a calibration session's composition (C-5: odd, at least 3, never the employee or evaluator)."""

    __tablename__ = "calibration_member"
    __table_args__ = (sa.UniqueConstraint("case_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = ref("calibration_case.id", ondelete="CASCADE", index=False)
    person_id: int = ref("person.id")
    is_hr: bool = Field(default=False, sa_column_kwargs={"comment": "the HR employee of the composition (C-5)"})


class CalibrationVoteRow(Table, table=True):
    """A member's vote: the score they support (C-6). One per member; only members can vote."""

    __tablename__ = "calibration_vote"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "person_id"),
        sa.ForeignKeyConstraint(
            ["case_id", "person_id"],
            ["calibration_member.case_id", "calibration_member.person_id"],
            ondelete="CASCADE",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int
    person_id: int = Field(sa_column_kwargs={"comment": "the voting member"})
    score: Decimal = Field(sa_type=Score)
    voted_on: date
    argument: str | None = text()


class CommissionMeetingRow(Table, table=True):
    """A meeting of a body's Evaluation Commission for a year (M-7), and its approval by the appointing official."""

    __tablename__ = "commission_meeting"
    __table_args__ = (sa.UniqueConstraint("body_id", "meeting_date"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    year: int
    meeting_date: date
    scheduled_by_id: int | None = ref("person.id", nullable=True)
    scheduled_on: date | None = None
    notice_sent_on: date | None = Field(default=None, sa_column_kwargs={"comment": "evaluators notified (M-7)"})
    protocol_signed_on: date | None = None
    approved_by_id: int | None = ref("person.id", nullable=True, comment="the appointing official")
    approved_on: date | None = None
    attendance_recorded_on: date | None = Field(
        default=None, sa_column_kwargs={"comment": "HR recorded who attended (M-7)"}
    )


class CommissionAttendanceRow(Table, table=True):
    """A Commission member present at a meeting (for the two-thirds quorum, M-7)."""

    __tablename__ = "commission_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = ref("commission_meeting.id", ondelete="CASCADE", index=False)
    person_id: int = ref("person.id")


class CommissionVoteRow(Table, table=True):
    """A present member's open vote on one evaluation: approve the result or revise it (M-7)."""

    __tablename__ = "commission_vote"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "evaluation_id", "person_id"),
        sa.ForeignKeyConstraint(
            ["meeting_id", "person_id"],
            ["commission_attendance.meeting_id", "commission_attendance.person_id"],
            ondelete="CASCADE",
        ),
        one_of("decision", COMMISSION_DECISIONS),
        one_of("revised_category", ResultCategory, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE")
    person_id: int
    decision: str = Field(max_length=8)
    revised_category: str | None = Field(default=None, max_length=16)
    voted_on: date


class CommissionDecisionRow(Table, table=True):
    """The Commission's decision on one evaluation, with the revised result if any (protocol appendix 5)."""

    __tablename__ = "commission_decision"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "evaluation_id"),
        one_of("decision", COMMISSION_DECISIONS),
        one_of("result_category", ResultCategory, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = ref("commission_meeting.id", ondelete="CASCADE", index=False)
    evaluation_id: int = ref("evaluation.id", ondelete="CASCADE")
    decision: str = Field(max_length=8)
    result_category: str | None = Field(
        default=None, max_length=16, sa_column_kwargs={"comment": "'corrected by the Commission' column"}
    )
    result_score: Decimal | None = Field(default=None, sa_type=Score)
    decided_on: date
