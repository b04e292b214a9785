"""The fixed vocabularies of Bagalau, shared by every layer (the glossary of METHODOLOGY.md in code).

Values are the snake_case words of the scenario contract (``../shared/SCENARIOS.md``): they appear in reports,
in the database and in rulebook files, so they never change once released.
"""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    """An evaluation method (G-2, Q-2, M-1, T-1)."""

    KPI = "kpi"  # K: heads of structural units, Model 2018
    DIFFERENTIATION = "differentiation"  # D: other employees, Model 2018
    FORM1 = "form1"  # leadership positions, quarterly family
    FORM2 = "form2"  # other positions, quarterly family
    KPI_COUNT = "kpi_count"  # M-4: yearly KPI count, Commission family
    COMPETENCIES = "competencies"  # M-6: behaviour indicators, Commission family
    SURVEY_360 = "survey_360"  # T: yearly anonymous survey (reported apart)


class ResultCategory(StrEnum):
    """A result category: S-1 bands, M-4 KPI results, M-6 competency results."""

    EXCELLENT = "excellent"
    EFFECTIVE = "effective"
    PROPER = "proper"
    SATISFACTORY = "satisfactory"
    UNSATISFACTORY = "unsatisfactory"
    MEETS = "meets"
    DOES_NOT_MEET = "does_not_meet"


class AbsenceKind(StrEnum):
    """Why someone is away (E-3, E-5)."""

    ANNUAL_LEAVE = "annual_leave"
    SOCIAL_LEAVE = "social_leave"
    UNPAID_LEAVE = "unpaid_leave"
    SICK = "sick"
    BUSINESS_TRIP = "business_trip"
    INTERNSHIP = "internship"
    RETRAINING = "retraining"
    TRAINING = "training"


class SanctionKind(StrEnum):
    """A disciplinary sanction (Q-3)."""

    WARNING = "warning"
    REPRIMAND = "reprimand"
    SEVERE_REPRIMAND = "severe_reprimand"
    OTHER = "other"


class Corps(StrEnum):
    """Civil-service corps: only the B corps is evaluated by these methodologies."""

    A = "A"
    B = "B"
    POLITICAL = "political"


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


class EvaluationStatus(StrEnum):
    """The life of one evaluation (person, period, method).

    ineligible → (terminal: considered, not evaluated, E-1/E-2/E-5)
    deferred → open (E-5: absent, evaluated within N working days after return)
    open → submitted → [returned → submitted]* → approved (M-5, Commission family only)
    open/submitted/approved → completed (score and category known) → acquainted (C-1/M-8)
    acquainted → in_calibration (C-2) → closed, or acquainted → closed (window expired)
    """

    INELIGIBLE = "ineligible"
    DEFERRED = "deferred"
    OPEN = "open"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    COMPLETED = "completed"
    ACQUAINTED = "acquainted"
    IN_CALIBRATION = "in_calibration"
    CLOSED = "closed"


class CalibrationStatus(StrEnum):
    """A calibration case (C-2…C-8)."""

    APPLIED = "applied"  # C-2: application received
    COMPOSED = "composed"  # C-3: decision taken, composition approved
    VOTED = "voted"  # C-6: every member voted, protocol signed
    POSTED = "posted"  # C-7: protocol placed in the system
    CLOSED = "closed"  # C-8: feedback meeting held


class Language(StrEnum):
    KK = "kk"
    RU = "ru"
    EN = "en"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    DEAD = "dead"


class Role(StrEnum):
    """Who a dashboard user is, for R-2 (who may see a result)."""

    HR = "hr"
    HR_HEAD = "hr_head"
    EVALUATOR = "evaluator"
    EMPLOYEE = "employee"
    APPOINTING_OFFICIAL = "appointing_official"
    OPERATOR = "operator"
    ADMIN = "admin"  # manages users and settings; sees progress, never results
