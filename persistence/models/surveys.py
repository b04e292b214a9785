"""The yearly anonymous 360 survey (T-1…T-8): who was asked, and answers that cannot be traced to who gave them.

``survey_answer`` has no respondent column, a random UUID key and no timestamp, so nothing in a row says who
wrote it or when; on PostgreSQL the application role may insert answers but not read them, and reads the
per-competency averages through the ``survey_360_averages`` view instead (docs/decisions/0002).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from persistence.models.base import Instant, Table, now_utc, one_of, ref

SURVEY_STATUSES = ("open", "closed")
RESPONDENT_RELATIONS = ("head", "subordinate", "peer", "self")


class Survey360CycleRow(Table, table=True):
    """The yearly 360 survey of a body (T-1): opened once, on the day recorded here (the surveys are its rows)."""

    __tablename__ = "survey_360_cycle"
    __table_args__ = (sa.UniqueConstraint("body_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    year: int = Field(sa_column_kwargs={"comment": "the surveyed year"})
    opened_on: date
    surveys: int = Field(default=0, sa_column_kwargs={"comment": "how many surveys the opening created"})
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class Survey360Row(Table, table=True):
    """The 360 survey of one evaluatee for one year (T-1)."""

    __tablename__ = "survey_360"
    __table_args__ = (
        sa.UniqueConstraint("evaluatee_id", "year"),
        sa.Index(None, "body_id", "year"),
        one_of("status", SURVEY_STATUSES),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    year: int
    evaluatee_id: int = ref("person.id", index=False)
    form: str | None = Field(default=None, max_length=32, sa_column_kwargs={"comment": "rulebook form id (form 5/6)"})
    status: str = Field(default="open", max_length=8)
    opened_on: date
    closes_on: date | None = None
    closed_on: date | None = None


class SurveyRespondentRow(Table, table=True):
    """A person asked to answer a 360 survey (T-4) and whether they did; it never links to their answers.

    Whether, not when (T-8, issue 12): an answer time would tell who answered between two readings of anything.
    """

    __tablename__ = "survey_respondent"
    __table_args__ = (sa.UniqueConstraint("survey_id", "respondent_id"), one_of("relation", RESPONDENT_RELATIONS))

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = ref("survey_360.id", ondelete="CASCADE", index=False)
    respondent_id: int = ref("person.id")
    relation: str = Field(max_length=16, sa_column_kwargs={"comment": "head, subordinate, peer or self (T-4, T-5)"})
    invited_at: datetime = Field(sa_type=Instant)
    answered: bool = Field(default=False, sa_column_kwargs={"comment": "answered or not: never when (T-8)"})


class SurveyAnswerRow(Table, table=True):
    """Points given to one question of one competency: anonymous by construction (no respondent, no time)."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        sa.CheckConstraint("question_index >= 0", name="question_index_not_negative"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        primary_key=True,
        sa_column_kwargs={"comment": "random (v4): the key reveals nothing about insertion order"},
    )
    survey_id: int = ref("survey_360.id", ondelete="CASCADE")
    competency_id: str = Field(max_length=64)
    question_index: int = Field(sa_column_kwargs={"comment": "0-based position of the question in the competency"})
    points: int
    is_self: bool = Field(default=False, sa_column_kwargs={"comment": "self-assessment: kept apart, excluded (T-5)"})
