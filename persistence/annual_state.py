"""Set-based reads of the yearly steps: the 360 survey (T-4), the Commission cycle (M-5…M-9) and the retention
purge (R-1: finding the documents past their years and copying them; ``RetentionRepository`` deletes them).

Like ``persistence.flowstate``, every function takes the session of a unit of work and returns plain values or
records; the writes are the repositories' (audited in the same transaction, R-4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.orm import Session

from persistence.models import (
    AppealRow,
    CalibrationCaseRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    EvaluationPeriodRow,
    EvaluationRow,
    Survey360Row,
    SurveyRespondentRow,
    Table,
)
from persistence.models.base import table_of
from persistence.records import Survey, SurveyRespondent
from persistence.repositories.admin import CASE_DOCUMENTS, EVALUATION_DOCUMENTS, EVALUATION_DRAFTS
from persistence.repositories.surveys import _survey

survey_table = table_of(Survey360Row)
respondent_table = table_of(SurveyRespondentRow)
meeting_table = table_of(CommissionMeetingRow)
decision_table = table_of(CommissionDecisionRow)
appeal_table = table_of(AppealRow)
evaluation_table = table_of(EvaluationRow)
period_table = table_of(EvaluationPeriodRow)
case_table = table_of(CalibrationCaseRow)

Row = Mapping[str, Any]


def _rows(result: sa.Result[Any]) -> list[Row]:
    return cast(list[Row], list(result.mappings()))


# --- the 360 survey ------------------------------------------------------------------------------------------------


def surveys(session: Session, body_id: int, year: int | None = None, *, status: str | None = None) -> list[Survey]:
    """A body's 360 surveys (of ``year``, or all; of ``status``, or any), by id."""
    query = sa.select(Survey360Row).where(survey_table.c.body_id == body_id)
    if year is not None:
        query = query.where(survey_table.c.year == year)
    if status is not None:
        query = query.where(survey_table.c.status == status)
    return [_survey(row) for row in session.execute(query.order_by(survey_table.c.id)).scalars()]


def respondents_of(session: Session, survey_ids: Sequence[int]) -> dict[int, list[SurveyRespondent]]:
    """Survey id → its respondents (who was asked and whether they answered, never what), in one query."""
    if not survey_ids:
        return {}
    query = (
        sa.select(SurveyRespondentRow)
        .where(respondent_table.c.survey_id.in_(list(survey_ids)))
        .order_by(respondent_table.c.id)
    )
    found: dict[int, list[SurveyRespondent]] = {}
    for row in session.execute(query).scalars():
        found.setdefault(row.survey_id, []).append(
            SurveyRespondent(row.survey_id, row.respondent_id, row.relation, row.invited_at, row.answered)
        )
    return found


# --- the Commission ------------------------------------------------------------------------------------------------


def meeting_on(session: Session, body_id: int, day: date) -> Row | None:
    """The body's Commission meeting on ``day`` (M-7), if one is scheduled."""
    query = sa.select(meeting_table).where(meeting_table.c.body_id == body_id, meeting_table.c.meeting_date == day)
    found = _rows(session.execute(query))
    return found[0] if found else None


def decisions_of(session: Session, evaluation_ids: Sequence[int]) -> dict[int, Row]:
    """Evaluation id → the Commission's (latest) decision on it (M-7), with its meeting's date and the day the
    appointing official approved the results (``approved_on``, ``None`` while they await it)."""
    if not evaluation_ids:
        return {}
    query = (
        sa.select(decision_table, meeting_table.c.meeting_date, meeting_table.c.approved_on)
        .join(meeting_table, meeting_table.c.id == decision_table.c.meeting_id)
        .where(decision_table.c.evaluation_id.in_(list(evaluation_ids)))
        .order_by(decision_table.c.id)
    )
    return {row["evaluation_id"]: row for row in _rows(session.execute(query))}


def decision_of(session: Session, evaluation_id: int) -> Row | None:
    """The Commission's decision on an evaluation (M-7), if any."""
    return decisions_of(session, [evaluation_id]).get(evaluation_id)


def appeals_of(session: Session, evaluation_ids: Iterable[int]) -> dict[int, Row]:
    """Evaluation id → its (first) appeal."""
    query = sa.select(appeal_table).where(appeal_table.c.evaluation_id.in_(list(evaluation_ids)))
    found: dict[int, Row] = {}
    for row in _rows(session.execute(query.order_by(appeal_table.c.id))):
        found.setdefault(row["evaluation_id"], row)
    return found


# --- retention of evaluation documents ---------------------------------------------------------------------


def rulebooks_used(session: Session, body_id: int) -> list[str]:
    """The rulebooks the body's evaluations were made under (each has its own retention, R-1)."""
    evaluation, period = evaluation_table.c, period_table.c
    query = (
        sa.select(evaluation.rulebook_id)
        .join(period_table, period.id == evaluation.period_id)
        .where(period.body_id == body_id)
        .distinct()
        .order_by(evaluation.rulebook_id)
    )
    return [str(rulebook_id) for rulebook_id in session.execute(query).scalars()]


def expired_evaluations(session: Session, body_id: int, rulebook_id: str, ended_before: date) -> list[int]:
    """Evaluations of ``rulebook_id`` in the body that ended before ``ended_before`` and still hold documents, or
    a draft of their sheet (decision 0141: a sheet never signed ends with its period, its draft with it)."""
    evaluation, period = evaluation_table.c, period_table.c
    holders: tuple[type[Table], ...] = (*EVALUATION_DOCUMENTS, CalibrationCaseRow, *EVALUATION_DRAFTS)
    held = [sa.exists().where(table_of(table).c.evaluation_id == evaluation.id) for table in holders]
    query = (
        sa.select(evaluation.id, evaluation.closed_on, evaluation.completed_on, period.year, period.quarter)
        .join(period_table, period.id == evaluation.period_id)
        .where(period.body_id == body_id, evaluation.rulebook_id == rulebook_id, sa.or_(*held))
        .order_by(evaluation.id)
    )
    return [int(row.id) for row in session.execute(query) if _ended(row) < ended_before]


def _ended(row: Any) -> date:
    if row.closed_on is not None:
        return row.closed_on  # type: ignore[no-any-return]
    if row.completed_on is not None:
        return row.completed_on  # type: ignore[no-any-return]
    quarter = row.quarter or 4
    return (date(row.year, 3 * quarter, 1) + relativedelta(months=1)) - timedelta(days=1)


def evaluation_documents(session: Session, evaluation_ids: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
    """Every document row of the evaluations, by table (what an archive keeps)."""
    cases = [row["id"] for row in _documents(session, CalibrationCaseRow, "evaluation_id", evaluation_ids)]
    found = {
        table_of(table).name: _documents(session, table, "evaluation_id", evaluation_ids)
        for table in EVALUATION_DOCUMENTS
    }
    found["calibration_case"] = _documents(session, CalibrationCaseRow, "evaluation_id", evaluation_ids)
    for table in CASE_DOCUMENTS:
        found[table_of(table).name] = _documents(session, table, "case_id", cases)
    return {name: rows for name, rows in found.items() if rows}


def _documents(session: Session, row: type[Table], column: str, keys: Sequence[int]) -> list[dict[str, Any]]:
    """The rows of ``row``'s table whose ``column`` is one of ``keys``, by id, as plain dicts."""
    if not keys:
        return []
    table = table_of(row)
    query = sa.select(table).where(table.c[column].in_(list(keys))).order_by(table.c.id)
    return [dict(found) for found in _rows(session.execute(query))]
