"""Bagalau's tables (SQLModel), one module per area; importing this package registers them all in ``metadata``.

The table classes end in ``Row`` and stay inside ``persistence``: repositories convert them to the plain records of
``persistence.records``. The schema itself is created only by the Alembic migrations (``persistence/migrations``);
docs/schema.md explains it table by table. Each table's comment in the database is its class docstring's first line.
"""

from __future__ import annotations

import inspect

from persistence.models.admin import (
    AccessRefusalRow,
    AppUserRow,
    AuditLogRow,
    LoginAttemptRow,
    RetentionRecordRow,
    UserRoleRow,
    WebSessionRow,
)
from persistence.models.base import Table, mapper_registry, metadata
from persistence.models.evaluations import (
    AnnualResultRow,
    AppealRow,
    EvaluationPeriodRow,
    EvaluationRow,
    RefusalActRow,
    SheetDraftRow,
    SheetReviewRow,
    SheetSubmissionRow,
)
from persistence.models.messaging import AcknowledgementRow, DeliveryAttemptRow, EscalationRow, OutboxMessageRow
from persistence.models.org import (
    AbsenceRow,
    AppointmentRow,
    BodyRoleRow,
    BodyRow,
    CommissionMemberRow,
    ContactChannelRow,
    DelegationRow,
    DismissalRow,
    HeadRelationRow,
    PersonRow,
    PositionRow,
    ProbationRow,
    SanctionRow,
    SubstitutionRow,
    UnitRow,
)
from persistence.models.plans import KpiMonitoringRow, KpiRevisionRow, KpiRow, KpiValueRow, WorkPlanRow
from persistence.models.reviews import (
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    CommissionAttendanceRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    CommissionVoteRow,
)
from persistence.models.rules import CalendarOverrideRow, RulebookAssignmentRow, RulebookRow
from persistence.models.surveys import Survey360CycleRow, Survey360Row, SurveyAnswerRow, SurveyRespondentRow


def _comment_tables_from_docstrings() -> None:
    for mapper in mapper_registry.mappers:
        doc = inspect.getdoc(mapper.class_)
        if doc:
            mapper.local_table.comment = " ".join(doc.split("\n\n")[0].split()).replace("``", "")


_comment_tables_from_docstrings()

__all__ = [
    "AbsenceRow",
    "AccessRefusalRow",
    "AcknowledgementRow",
    "AnnualResultRow",
    "AppUserRow",
    "AppealRow",
    "AppointmentRow",
    "AuditLogRow",
    "BodyRoleRow",
    "BodyRow",
    "CalendarOverrideRow",
    "CalibrationCaseRow",
    "CalibrationMemberRow",
    "CalibrationVoteRow",
    "CommissionAttendanceRow",
    "CommissionDecisionRow",
    "CommissionMeetingRow",
    "CommissionMemberRow",
    "CommissionVoteRow",
    "ContactChannelRow",
    "DeliveryAttemptRow",
    "DelegationRow",
    "DismissalRow",
    "EscalationRow",
    "EvaluationPeriodRow",
    "EvaluationRow",
    "HeadRelationRow",
    "KpiMonitoringRow",
    "KpiRevisionRow",
    "KpiRow",
    "KpiValueRow",
    "LoginAttemptRow",
    "OutboxMessageRow",
    "PersonRow",
    "PositionRow",
    "ProbationRow",
    "RefusalActRow",
    "RetentionRecordRow",
    "RulebookAssignmentRow",
    "RulebookRow",
    "SanctionRow",
    "SheetReviewRow",
    "SheetDraftRow",
    "SheetSubmissionRow",
    "SubstitutionRow",
    "Survey360CycleRow",
    "Survey360Row",
    "SurveyAnswerRow",
    "SurveyRespondentRow",
    "Table",
    "UnitRow",
    "UserRoleRow",
    "WebSessionRow",
    "WorkPlanRow",
    "metadata",
]
