"""Repositories: one per area, each built by a ``UnitOfWork`` on its session and audit trail (``uow.evaluations``,
``uow.outbox`` …); a repository never sees the unit of work itself.

Every method takes and returns plain values and the frozen records of ``persistence.records``; none returns a
table row. Creating methods that must survive re-runs are idempotent and race-safe (``ensure``, ``open``,
``enqueue``, ``escalate``, ``vote`` …: ``INSERT … ON CONFLICT DO NOTHING`` on a unique key); changing methods write
an audit row in the same transaction.
"""

from persistence.repositories.accounts import UserRepository, principal_of
from persistence.repositories.admin import AuditRepository, RetentionRepository
from persistence.repositories.base import NotFound, Repository
from persistence.repositories.evaluations import (
    AnnualResultRepository,
    EvaluationRepository,
    PeriodRepository,
    SheetRepository,
    period_label,
)
from persistence.repositories.messaging import EscalationRepository, OutboxRepository
from persistence.repositories.org import OrgRepository
from persistence.repositories.plans import PlanRepository
from persistence.repositories.reviews import CalibrationRepository, CommissionRepository, NotAMember
from persistence.repositories.rules import RulesRepository
from persistence.repositories.surveys import AlreadyAnswered, SurveyRepository

__all__ = [
    "AlreadyAnswered",
    "AnnualResultRepository",
    "AuditRepository",
    "CalibrationRepository",
    "CommissionRepository",
    "EscalationRepository",
    "EvaluationRepository",
    "NotAMember",
    "NotFound",
    "OrgRepository",
    "OutboxRepository",
    "PeriodRepository",
    "PlanRepository",
    "Repository",
    "RetentionRepository",
    "RulesRepository",
    "SheetRepository",
    "SurveyRepository",
    "UserRepository",
    "period_label",
    "principal_of",
]
