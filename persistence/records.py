"""The plain, frozen records that repositories return and accept: what the rest of Bagalau sees of the database.

Standard library and ``domain.vocabulary`` only, no SQLModel: a record is a copy of a row taken inside a unit of
work and stays valid after it closes. Keys are the database ids (``int``); the organization as the rules engine
sees it (people by personnel number) comes as ``domain.facts.Organization`` from ``OrgRepository.organization``.
Vocabulary columns come back as their enums (``EvaluationStatus``, ``Method`` …), scores as exact ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.vocabulary import (
    CalibrationStatus,
    Corps,
    EvaluationStatus,
    Language,
    Method,
    OutboxStatus,
    PeriodKind,
    ResultCategory,
    Role,
)

# --- organization --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Body:
    """A state body."""

    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Unit:
    """A structural unit; ``code`` is the key HR's files use, ``parent_id`` the unit above (``None`` at the top)."""

    id: int
    body_id: int
    code: str
    name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class Person:
    """A person of a body; ``personnel_number`` is the body's key for them (the scenario's ``E1``)."""

    id: int
    body_id: int
    personnel_number: str
    full_name: str
    corps: Corps
    language: Language


@dataclass(frozen=True, slots=True)
class Appointment:
    """A position held from ``started_on`` to ``ended_on`` (both inclusive; ``None``: still held)."""

    id: int
    person_id: int
    unit_id: int
    unit_code: str
    position_title: str
    category: str
    started_on: date
    ended_on: date | None
    public_service: bool = False


@dataclass(frozen=True, slots=True)
class ContactChannel:
    """One way to reach a person; lower ``priority`` first."""

    id: int
    person_id: int
    kind: str
    address: str
    apprise_url: str | None
    verified: bool
    priority: int


# --- rulebooks -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredRulebook:
    """A rulebook kept in the database: its validated JSON content and the SHA-256 of it."""

    id: str
    content: Mapping[str, Any]
    sha256: str
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class RulebookAssignment:
    """A body follows ``rulebook_id`` from ``valid_from`` to ``valid_until`` (inclusive; ``None``: open), G-3."""

    id: int
    rulebook_id: str
    valid_from: date
    valid_until: date | None
    created_at: datetime


# --- evaluations ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvaluationPeriod:
    """An evaluation cycle of a body: a quarter (``2025-Q1``) or a year (``2025``)."""

    id: int
    body_id: int
    kind: PeriodKind
    year: int
    quarter: int | None
    label: str
    status: str
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class AnnualResult:
    """A person's annual final score of a year (P-3)."""

    id: int
    body_id: int
    person_id: int
    year: int
    score: Decimal
    category: ResultCategory
    quarters_count: int
    computed_on: date


@dataclass(frozen=True, slots=True)
class NewEvaluation:
    """What a flow decides when it opens a period: who is evaluated how, by whom, by when (input to ``ensure``/bulk).

    ``eligible=False`` needs an ``ineligible_reason``; such rows are stored with status ``ineligible``.
    """

    person_id: int
    period_id: int
    method: Method
    rulebook_id: str
    status: EvaluationStatus = EvaluationStatus.OPEN
    eligible: bool = True
    ineligible_reason: str | None = None
    in_absentia: bool = False
    evaluator_id: int | None = None
    delegated_by_id: int | None = None
    approver_id: int | None = None
    deadline: date | None = None
    notice_due_on: date | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluation of one person for one period by one method, with every step's date."""

    id: int
    person_id: int
    period_id: int
    method: Method
    rulebook_id: str
    status: EvaluationStatus
    eligible: bool
    ineligible_reason: str | None
    in_absentia: bool
    evaluator_id: int | None
    delegated_by_id: int | None
    approver_id: int | None
    deadline: date | None
    notice_due_on: date | None
    notice_sent_on: date | None
    submitted_on: date | None
    completed_on: date | None
    score: Decimal | None
    category: ResultCategory | None
    acquaint_by: date | None
    acquainted_on: date | None
    acquaintance_method: str | None
    disagreement_until: date | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DateMove:
    """A stored window date a calendar override moves (P-7, decision 0196): row ``key``'s ``column`` from
    ``before`` (what it must still be) to ``after``."""

    key: int
    column: str
    before: date
    after: date


@dataclass(frozen=True, slots=True)
class SheetDraft:
    """An evaluator's sheet saved, not signed (decision 0141): the values as typed, theirs only (R-2)."""

    evaluation_id: int
    person_id: int
    scores: Mapping[str, Any]
    justification: str | None
    saved_at: datetime


@dataclass(frozen=True, slots=True)
class SheetSubmission:
    """One version of an evaluation sheet; ``scores`` maps parameter or KPI id to a score (``Decimal``, ``bool``, or a
    list of ``bool`` for competencies)."""

    id: int
    evaluation_id: int
    version: int
    is_current: bool
    submitted_by_id: int | None
    submitted_at: datetime
    scores: Mapping[str, Any]
    justification: str | None
    signed_by_id: int | None
    signed_at: datetime | None
    content_hash: str
    on_paper: bool
    entered_by_id: int | None
    scan_ref: str | None


@dataclass(frozen=True, slots=True)
class SheetReview:
    """The superior head's decision on a sheet version (M-5)."""

    id: int
    evaluation_id: int
    submission_id: int
    reviewer_id: int
    decision: str
    reason: str | None
    decided_on: date


# --- plans ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiValue:
    """Planned and actual value of a KPI for ``Q1``…``Q4`` or ``year``."""

    period: str
    planned: Decimal | None
    actual: Decimal | None


@dataclass(frozen=True, slots=True)
class Kpi:
    """A KPI of a person's work plan, with its values by period."""

    id: int
    plan_id: int
    code: str
    name: str
    unit: str
    direction: str
    source: str | None
    position: int
    values: Mapping[str, KpiValue]


# --- 360 -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Survey:
    """The 360 survey of one evaluatee for a year."""

    id: int
    body_id: int
    year: int
    evaluatee_id: int
    form: str | None
    status: str
    opened_on: date
    closes_on: date | None
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class SurveyRespondent:
    """Someone asked to answer a 360 survey, and whether they did (never when: T-8); never linked to answers."""

    survey_id: int
    respondent_id: int
    relation: str
    invited_at: datetime
    answered: bool


@dataclass(frozen=True, slots=True)
class CompetencyAverage:
    """Per competency of a survey: respondents, the average excluding self (T-5, T-6), and the self average."""

    survey_id: int
    competency_id: str
    respondents: int
    average: Decimal | None
    self_average: Decimal | None


# --- reviews -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalibrationVote:
    """A member's vote in a calibration session."""

    person_id: int
    score: Decimal
    voted_on: date
    argument: str | None


@dataclass(frozen=True, slots=True)
class CalibrationCase:
    """A calibration session about one evaluation, with its composition and votes."""

    id: int
    evaluation_id: int
    status: CalibrationStatus
    applied_on: date
    application_text: str | None
    decide_by: date | None
    hold_by: date | None
    decided_on: date | None
    decided_by_id: int | None
    held_on: date | None
    protocol_signed_on: date | None
    protocol_hash: str | None
    protocol_post_by: date | None
    posted_on: date | None
    feedback_meeting_on: date | None
    final_score: Decimal | None
    final_category: ResultCategory | None
    members: Sequence[int] = ()
    hr_members: Sequence[int] = ()
    votes: Sequence[CalibrationVote] = ()
    feedback_held_on: date | None = None


@dataclass(frozen=True, slots=True)
class CommissionMeeting:
    """A meeting of a body's Evaluation Commission, with the members present."""

    id: int
    body_id: int
    year: int
    meeting_date: date
    scheduled_by_id: int | None
    scheduled_on: date | None
    notice_sent_on: date | None
    protocol_signed_on: date | None
    approved_by_id: int | None
    approved_on: date | None
    present: Sequence[int] = ()
    attendance_recorded_on: date | None = None


@dataclass(frozen=True, slots=True)
class CommissionVote:
    """A present member's vote on one evaluation."""

    meeting_id: int
    evaluation_id: int
    person_id: int
    decision: str
    revised_category: ResultCategory | None
    voted_on: date


@dataclass(frozen=True, slots=True)
class CommissionDecision:
    """The Commission's decision on one evaluation."""

    meeting_id: int
    evaluation_id: int
    decision: str
    result_category: ResultCategory | None
    result_score: Decimal | None
    decided_on: date


# --- messages ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message a flow wants sent; ``idempotency_key`` makes queuing it twice a no-op.

    Address it to a person (``recipient_person_id``; ``channel=None`` means all their channels) or to a body role
    (``recipient_role="hr"``). ``payload`` holds the template variables (JSON-serializable; dates and Decimals ok).
    """

    idempotency_key: str
    body_id: int
    kind: str
    due_at: datetime
    recipient_person_id: int | None = None
    recipient_role: str | None = None
    language: Language = Language.KK
    channel: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    evaluation_id: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A queued message and its delivery state."""

    id: int
    idempotency_key: str
    body_id: int
    recipient_person_id: int | None
    recipient_role: str | None
    kind: str
    language: Language
    channel: str | None
    payload: Mapping[str, Any]
    evaluation_id: int | None
    due_at: datetime
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    delivered_address: str | None
    proof: Mapping[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One attempt to deliver a message on one channel."""

    outbox_id: int
    attempted_at: datetime
    channel: str
    address: str | None
    ok: bool
    response: str | None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Proof that a person was made acquainted with a result (C-1)."""

    evaluation_id: int
    person_id: int
    acknowledged_at: datetime
    via: str


@dataclass(frozen=True, slots=True)
class Escalation:
    """A missed deadline escalated to a person or a role, at a level (each level once per evaluation and kind)."""

    id: int
    evaluation_id: int
    about_person_id: int
    to_person_id: int | None
    to_role: str | None
    kind: str
    level: int
    escalated_on: date


# --- audit and users -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log (R-4)."""

    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class AppUser:
    """An account of the web app and API, with the roles granted to it (the body roles are added at login)."""

    id: int
    login: str
    person_id: int | None
    person_number: str | None
    person_name: str | None
    body_id: int | None
    body_code: str | None
    password_hash: str | None
    disabled: bool
    language: Language
    roles: frozenset[Role]
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebSession:
    """A server-side login session (the token itself is never stored, only its SHA-256)."""

    id: int
    user_id: int
    kind: str
    method: str
    csrf_secret: str
    client: str | None
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One login attempt and how it ended (``ok``, ``bad_credentials``, ``disabled``, ``rate_limited`` …)."""

    id: int
    at: datetime
    login: str
    client: str
    outcome: str
    user_id: int | None
    method: str


@dataclass(frozen=True, slots=True)
class AccessRefusal:
    """An access refused (R-2): who asked for what, when."""

    id: int
    at: datetime
    user_id: int | None
    actor: str
    resource: str
    action: str
    rule: str
    path: str | None
    client: str | None
