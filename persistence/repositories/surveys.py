"""The 360 survey: open it, invite respondents, store answers anonymously, read only averages back.

``answer`` writes the answers without the respondent (``survey_answer`` has no such column) and only then marks
the respondent as having answered; the two writes share nothing but the survey id. Nothing here reads
``survey_answer`` itself: the application role cannot (docs/decisions/0002); ``averages`` reads the
``survey_360_averages`` view.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from persistence.models import Survey360CycleRow, Survey360Row, SurveyAnswerRow, SurveyRespondentRow
from persistence.models.base import now_utc
from persistence.records import CompetencyAverage, DateMove, Survey, SurveyRespondent
from persistence.repositories.base import Repository

#: The view of per-competency aggregates created by migration 0002 (not part of the ORM metadata).
SURVEY_360_AVERAGES = sa.table(
    "survey_360_averages",
    sa.column("survey_id", sa.Integer),
    sa.column("competency_id", sa.String),
    sa.column("respondents", sa.Integer),
    sa.column("answers", sa.Integer),
    sa.column("points", sa.Integer),
    sa.column("self_answers", sa.Integer),
    sa.column("self_points", sa.Integer),
)

_FOUR_PLACES = Decimal("0.0001")


class AlreadyAnswered(ValueError):
    """A respondent tried to answer the same survey twice."""


def _survey(row: Survey360Row) -> Survey:
    return Survey(
        id=row.id,
        body_id=row.body_id,
        year=row.year,
        evaluatee_id=row.evaluatee_id,
        form=row.form,
        status=row.status,
        opened_on=row.opened_on,
        closes_on=row.closes_on,
        closed_on=row.closed_on,
    )


def _mean(points: int | None, answers: int | None) -> Decimal | None:
    """Exact mean to four places, computed from integer sums (the view's own AVG is a float on SQLite)."""
    if not answers:
        return None
    return (Decimal(points or 0) / Decimal(answers)).quantize(_FOUR_PLACES)


class SurveyRepository(Repository):
    """360 surveys, respondents and anonymous answers."""

    def open_cycle(self, *, body_id: int, year: int, opened_on: date, surveys: int) -> bool:
        """Record that a body's 360 survey of ``year`` was opened on ``opened_on`` (T-1; once: whether this call
        did). The caller audits it."""
        values = {"body_id": body_id, "year": year, "opened_on": opened_on, "surveys": surveys, "created_at": now_utc()}
        return self._insert_new(Survey360CycleRow.__table__, values, ("body_id", "year")) is not None

    def cycle_opened(self, body_id: int, year: int) -> bool:
        """Whether the body's 360 survey of ``year`` has been opened (T-1)."""
        statement = sa.select(Survey360CycleRow.id).filter_by(body_id=body_id, year=year)
        return self.session.execute(statement).first() is not None

    def open(
        self,
        *,
        body_id: int,
        year: int,
        evaluatee_id: int,
        opened_on: date,
        closes_on: date | None = None,
        form: str | None = None,
    ) -> tuple[Survey, bool]:
        """The survey of an evaluatee for a year, opened if new (T-1); ``(survey, created)``. Race-safe."""
        values = {
            "body_id": body_id,
            "year": year,
            "evaluatee_id": evaluatee_id,
            "opened_on": opened_on,
            "closes_on": closes_on,
            "form": form,
            "status": "open",
        }
        new_id = self._insert_new(Survey360Row.__table__, values, ("evaluatee_id", "year"))
        survey = self.of_evaluatee(evaluatee_id, year)
        assert survey is not None
        return survey, new_id is not None

    def get(self, survey_id: int) -> Survey:
        return _survey(self._get(Survey360Row, survey_id))

    def of_evaluatee(self, evaluatee_id: int, year: int) -> Survey | None:
        statement = sa.select(Survey360Row).filter_by(evaluatee_id=evaluatee_id, year=year)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else _survey(row)

    def of_body(self, body_id: int, year: int) -> list[Survey]:
        statement = sa.select(Survey360Row).filter_by(body_id=body_id, year=year).order_by(Survey360Row.id)
        return [_survey(row) for row in self.session.execute(statement).scalars()]

    def open_closing_from(self, day: date) -> list[Survey]:
        """Every open survey (any body) whose last day is ``day`` or later."""
        statement = sa.select(Survey360Row).where(Survey360Row.status == "open", Survey360Row.closes_on >= day)
        return [_survey(row) for row in self.session.execute(statement.order_by(Survey360Row.id)).scalars()]

    def move_closes_on(self, moves: Sequence[DateMove], *, reason: str) -> list[DateMove]:
        """P-7: the surveys' last days recomputed because a calendar override moved them (decision 0196), set-based
        (one lock, one ``UPDATE``, one audit insert: ``calendar_move`` with ``reason``); a survey's last day moves
        only while it is open and its last day still the one read. Returns the moves made, in order."""
        table = Survey360Row.__table__
        still_open = {"closes_on": "status = 'open'"}
        return self._move_dates(table, moves, still_open=still_open, reason=reason)

    def close(self, survey_id: int, *, closed_on: date) -> None:
        row = self._get(Survey360Row, survey_id, for_update=True)
        self._update(
            row,
            {"status": "closed", "closed_on": closed_on},
            allowed={"status", "closed_on"},
            entity_id=survey_id,
            reason=None,
            action="close",
        )

    def invite(self, survey_id: int, *, respondent_id: int, relation: str, invited_at: datetime) -> bool:
        """Ask someone to answer (T-4: ``head``, ``subordinate``, ``peer``; ``self`` for T-5); ``True`` if new."""
        values = {
            "survey_id": survey_id,
            "respondent_id": respondent_id,
            "relation": relation,
            "invited_at": invited_at,
        }
        return self._insert_new(SurveyRespondentRow.__table__, values, ("survey_id", "respondent_id")) is not None

    def remove_respondents(self, survey_id: int, person_ids: Sequence[int]) -> int:
        """Withdraw invitations nobody has answered yet (HR's edit, T-4); returns how many were removed."""
        if not person_ids:
            return 0
        statement = sa.delete(SurveyRespondentRow).where(
            SurveyRespondentRow.survey_id == survey_id,
            SurveyRespondentRow.respondent_id.in_(list(person_ids)),
            SurveyRespondentRow.answered.is_(False),
        )
        return int(self.session.execute(statement).rowcount or 0)

    def respondents(self, survey_id: int) -> list[SurveyRespondent]:
        statement = sa.select(SurveyRespondentRow).filter_by(survey_id=survey_id).order_by(SurveyRespondentRow.id)
        return [
            SurveyRespondent(row.survey_id, row.respondent_id, row.relation, row.invited_at, row.answered)
            for row in self.session.execute(statement).scalars()
        ]

    def answer(self, survey_id: int, *, respondent_id: int, answers: Mapping[str, Sequence[int]]) -> None:
        """Store a respondent's points (competency id → points per question, in order), anonymously.

        The respondent must have been invited and not have answered yet (``AlreadyAnswered``). A ``self``
        respondent's answers are stored as self-assessment (T-5). Uses a plain INSERT (no RETURNING): the
        application role may write answers but never read them.
        """
        statement = (
            sa.select(SurveyRespondentRow).filter_by(survey_id=survey_id, respondent_id=respondent_id).with_for_update()
        )
        respondent = self.session.execute(statement).scalar_one_or_none()
        if respondent is None:
            raise LookupError(f"person {respondent_id} was not invited to answer survey {survey_id} (T-4)")
        if respondent.answered:
            raise AlreadyAnswered(f"person {respondent_id} has already answered survey {survey_id}")
        is_self = respondent.relation == "self"
        rows = [
            {
                "id": uuid.uuid4(),
                "survey_id": survey_id,
                "competency_id": competency,
                "question_index": index,
                "points": points,
                "is_self": is_self,
            }
            for competency, question_points in answers.items()
            for index, points in enumerate(question_points)
        ]
        if rows:
            self.session.execute(sa.insert(SurveyAnswerRow.__table__), rows)
        respondent.answered = True  # whether, never when (T-8): no time of an answer is kept anywhere
        self.session.flush()

    def averages(self, survey_id: int) -> list[CompetencyAverage]:
        """Per competency: respondents, the average excluding the self-assessment (T-6), the self average (T-5)."""
        view = SURVEY_360_AVERAGES.c
        statement = (
            sa.select(
                view.competency_id, view.respondents, view.answers, view.points, view.self_answers, view.self_points
            )
            .where(view.survey_id == survey_id)
            .order_by(view.competency_id)
        )
        return [
            CompetencyAverage(
                survey_id=survey_id,
                competency_id=competency,
                respondents=int(respondents or 0),
                average=_mean(points, answers),
                self_average=_mean(self_points, self_answers),
            )
            for competency, respondents, answers, points, self_answers, self_points in self.session.execute(statement)
        ]
