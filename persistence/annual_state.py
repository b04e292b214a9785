"""Queries and writes of the yearly steps the repositories do not offer: the 360 survey (T-4), the Commission
cycle (M-5…M-9) and the retention purge (R-1: finding the documents past their years, copying and deleting them
set-based).

Like ``persistence.flowstate``, everything runs inside a unit of work and returns plain values; writes that a
person could dispute are audited in the same transaction (R-4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Self

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped, unused-ignore]
from sqlalchemy.orm import Session

from persistence.models import (
    AcknowledgementRow,
    AppealRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    CommissionVoteRow,
    EvaluationPeriodRow,
    EvaluationRow,
    RefusalActRow,
    SheetReviewRow,
    SheetSubmissionRow,
    Survey360Row,
    SurveyRespondentRow,
    Table,
)
from persistence.records import Survey, SurveyRespondent
from persistence.repositories.surveys import _survey
from persistence.uow import UnitOfWork


class BorrowedUnitOfWork(UnitOfWork):
    """The repositories over a session another unit of work owns (report sections built inside the report's own
    transaction, where a second transaction would wait for the first on SQLite). It never commits nor rolls back:
    the owner does."""

    def __init__(self, session: Session, *, actor: str) -> None:
        super().__init__(session.get_bind(), actor=actor)  # type: ignore[arg-type]
        self._borrowed = session

    def __enter__(self) -> Self:
        super().__enter__()
        self.session.close()
        self._session = self._borrowed
        return self

    def __exit__(self, *exc: object) -> None:
        self._session = None


# --- the 360 survey ------------------------------------------------------------------------------------------------


def surveys(uow: UnitOfWork, body_id: int, year: int | None = None, *, status: str | None = None) -> list[Survey]:
    """A body's 360 surveys (of ``year``, or all; of ``status``, or any), by id."""
    query = sa.select(Survey360Row).where(Survey360Row.body_id == body_id)
    if year is not None:
        query = query.where(Survey360Row.year == year)
    if status is not None:
        query = query.where(Survey360Row.status == status)
    return [_survey(row) for row in uow.session.execute(query.order_by(Survey360Row.id)).scalars()]


def remove_respondents(uow: UnitOfWork, survey_id: int, person_ids: Sequence[int]) -> int:
    """Withdraw invitations nobody has answered yet (HR's edit, T-4); returns how many were removed."""
    if not person_ids:
        return 0
    statement = sa.delete(SurveyRespondentRow).where(
        SurveyRespondentRow.survey_id == survey_id,
        SurveyRespondentRow.respondent_id.in_(list(person_ids)),
        SurveyRespondentRow.answered_at.is_(None),
    )
    return int(uow.session.execute(statement).rowcount or 0)


# --- the Commission ------------------------------------------------------------------------------------------------


def meeting_on(uow: UnitOfWork, body_id: int, day: date) -> Mapping[str, Any] | None:
    query = sa.select(CommissionMeetingRow.__table__).where(
        CommissionMeetingRow.body_id == body_id, CommissionMeetingRow.meeting_date == day
    )
    return uow.session.execute(query).mappings().first()


def decisions_of(uow: UnitOfWork, evaluation_ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
    """Evaluation id → the Commission's (latest) decision on it (M-7), with its meeting's date."""
    if not evaluation_ids:
        return {}
    table = CommissionDecisionRow.__table__
    meeting = CommissionMeetingRow.__table__
    query = (
        sa.select(table, meeting.c.meeting_date)
        .join(meeting, meeting.c.id == table.c.meeting_id)
        .where(table.c.evaluation_id.in_(list(evaluation_ids)))
        .order_by(table.c.id)
    )
    return {row["evaluation_id"]: row for row in uow.session.execute(query).mappings()}


def decision_of(uow: UnitOfWork, evaluation_id: int) -> Mapping[str, Any] | None:
    """The Commission's decision on an evaluation (M-7), if any."""
    return decisions_of(uow, [evaluation_id]).get(evaluation_id)


def add_refusal_act(
    uow: UnitOfWork,
    *,
    evaluation_id: int,
    refused_on: date,
    drawn_up_by_id: int,
    witnesses: tuple[int, int],
    content: str,
) -> int:
    """M-8: the act recording a refusal to acknowledge, signed by HR and two other employees (audited)."""
    row = RefusalActRow(
        evaluation_id=evaluation_id,
        refused_on=refused_on,
        drawn_up_by_id=drawn_up_by_id,
        witness_1_id=witnesses[0],
        witness_2_id=witnesses[1],
        content=content,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit("refusal_act", row.id, "draw_up", after={"evaluation_id": evaluation_id, "on": refused_on.isoformat()})
    return int(row.id)  # type: ignore[arg-type]


def add_appeal(uow: UnitOfWork, *, evaluation_id: int, filed_on: date, authority: str, note: str | None) -> int:
    """M-9 / C-9: an appeal filed with ``authority``, its outcome pending (audited)."""
    row = AppealRow(evaluation_id=evaluation_id, filed_on=filed_on, authority=authority, note=note)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("appeal", row.id, "file", after={"evaluation_id": evaluation_id, "authority": authority})
    return int(row.id)  # type: ignore[arg-type]


def appeals_of(uow: UnitOfWork, evaluation_ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    """Evaluation id → its (first) appeal."""
    query = sa.select(AppealRow.__table__).where(AppealRow.evaluation_id.in_(list(evaluation_ids)))
    found: dict[int, Mapping[str, Any]] = {}
    for row in uow.session.execute(query.order_by(AppealRow.id)).mappings():
        found.setdefault(row["evaluation_id"], row)
    return found


def respondents_of(uow: UnitOfWork, survey_ids: Sequence[int]) -> dict[int, list[SurveyRespondent]]:
    """Survey id → its respondents (who was asked and whether they answered, never what), in one query."""
    if not survey_ids:
        return {}
    query = (
        sa.select(SurveyRespondentRow)
        .where(SurveyRespondentRow.survey_id.in_(list(survey_ids)))
        .order_by(SurveyRespondentRow.id)
    )
    found: dict[int, list[SurveyRespondent]] = {}
    for row in uow.session.execute(query).scalars():
        found.setdefault(row.survey_id, []).append(
            SurveyRespondent(row.survey_id, row.respondent_id, row.relation, row.invited_at, row.answered_at)
        )
    return found


# --- retention of evaluation documents ---------------------------------------------------------------------

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


def rulebooks_used(uow: UnitOfWork, body_id: int) -> list[str]:
    """The rulebooks the body's evaluations were made under (each has its own retention, R-1)."""
    evaluation = EvaluationRow.__table__.c
    period = EvaluationPeriodRow.__table__.c
    query = (
        sa.select(evaluation.rulebook_id)
        .join(EvaluationPeriodRow.__table__, period.id == evaluation.period_id)
        .where(period.body_id == body_id)
        .distinct()
        .order_by(evaluation.rulebook_id)
    )
    return list(uow.session.execute(query).scalars())


def expired_evaluations(uow: UnitOfWork, body_id: int, rulebook_id: str, ended_before: date) -> list[int]:
    """Evaluations of ``rulebook_id`` in the body that ended before ``ended_before`` and still hold documents."""
    evaluation = EvaluationRow.__table__.c
    period = EvaluationPeriodRow.__table__.c
    held = [
        sa.exists().where(table.__table__.c.evaluation_id == evaluation.id)
        for table in (*EVALUATION_DOCUMENTS, CalibrationCaseRow)
    ]
    query = (
        sa.select(evaluation.id, evaluation.closed_on, evaluation.completed_on, period.year, period.quarter)
        .join(EvaluationPeriodRow.__table__, period.id == evaluation.period_id)
        .where(period.body_id == body_id, evaluation.rulebook_id == rulebook_id, sa.or_(*held))
        .order_by(evaluation.id)
    )
    return [row.id for row in uow.session.execute(query) if _ended(row) < ended_before]


def _ended(row: Any) -> date:
    if row.closed_on is not None:
        return row.closed_on  # type: ignore[no-any-return]
    if row.completed_on is not None:
        return row.completed_on  # type: ignore[no-any-return]
    quarter = row.quarter or 4
    return (date(row.year, 3 * quarter, 1) + relativedelta(months=1)) - timedelta(days=1)


def evaluation_documents(uow: UnitOfWork, evaluation_ids: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
    """Every document row of the evaluations, by table (what an archive keeps)."""
    cases = [row.id for row in _rows(uow, CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)]
    found = {
        table.__tablename__: [dict(row) for row in _mappings(uow, table, table.evaluation_id, evaluation_ids)]
        for table in EVALUATION_DOCUMENTS
    }
    found["calibration_case"] = [
        dict(row) for row in _mappings(uow, CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)
    ]
    for table in CASE_DOCUMENTS:
        found[table.__tablename__] = [dict(row) for row in _mappings(uow, table, table.case_id, cases)]
    return {name: rows for name, rows in found.items() if rows}


def delete_evaluation_documents(uow: UnitOfWork, evaluation_ids: Sequence[int]) -> dict[str, int]:
    """Delete the documents of the evaluations (the evaluation row, its result, stays: the service record);
    returns the rows deleted per table."""
    cases = [row.id for row in _rows(uow, CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)]
    counts = {table.__tablename__: _delete(uow, table, table.case_id, cases) for table in CASE_DOCUMENTS}
    counts["calibration_case"] = _delete(uow, CalibrationCaseRow, CalibrationCaseRow.evaluation_id, evaluation_ids)
    for table in EVALUATION_DOCUMENTS:
        counts[table.__tablename__] = _delete(uow, table, table.evaluation_id, evaluation_ids)
    return {name: count for name, count in counts.items() if count}


def delete_surveys(uow: UnitOfWork, survey_ids: Sequence[int]) -> int:
    """Delete 360 surveys; their respondents and anonymous answers go with them (ON DELETE CASCADE: the
    application may not read or delete answers itself, T-8)."""
    return _delete(uow, Survey360Row, Survey360Row.id, survey_ids)


def _rows(uow: UnitOfWork, table: type[Table], column: Any, keys: Sequence[int]) -> list[Any]:
    if not keys:
        return []
    return list(uow.session.execute(sa.select(table.__table__).where(column.in_(list(keys)))))


def _mappings(uow: UnitOfWork, table: type[Table], column: Any, keys: Sequence[int]) -> list[Any]:
    if not keys:
        return []
    query = sa.select(table.__table__).where(column.in_(list(keys))).order_by(table.__table__.c.id)
    return list(uow.session.execute(query).mappings())


def _delete(uow: UnitOfWork, table: type[Table], column: Any, keys: Sequence[int]) -> int:
    if not keys:
        return 0
    return int(uow.session.execute(sa.delete(table.__table__).where(column.in_(list(keys)))).rowcount or 0)
