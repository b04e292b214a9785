"""Read models of the 360 survey: the rules of a survey, and one individual report per survey (T-4…T-6).

A report below the minimum of respondents publishes no averages (T-4); the self-assessment is kept apart (T-5);
nothing here says who answered what (T-8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from application.context import BodyContext
from application.environment import Environment
from application.errors import Rejected
from domain import scoring
from domain.access import Principal
from domain.rulebook import Rulebook, Survey360, SurveyForm
from domain.survey360 import survey_result
from persistence import annual_state, flowstate
from persistence.records import Survey
from persistence.uow import BorrowedUnitOfWork, UnitOfWork


@dataclass(frozen=True)
class SurveyReport:
    """T-6: one evaluatee's 360 report; ``averages`` and ``self`` are empty/None when it may not be published."""

    employee: str
    year: int
    respondents: int
    averages: Mapping[str, Decimal]
    self_assessment: Mapping[str, Decimal] | None
    publishable: bool


def survey_rules(book: Rulebook) -> Survey360:
    if book.survey_360 is None:
        raise Rejected.by_rule("T-1", f"rulebook {book.id} has no 360 survey")
    return book.survey_360


def survey_form(book: Rulebook, survey: Survey) -> SurveyForm:
    rules = survey_rules(book)
    form = rules.forms.get(survey.form or "")
    if form is None:
        raise Rejected.by_rule("T-2", f"the 360 survey {survey.id} has no form of rulebook {book.id}")
    return form


def survey_book(ctx: BodyContext, survey: Survey) -> Rulebook:
    """The rulebook of the surveyed year (G-3), else the one in force when the survey opened."""
    return ctx.rulebook_for(date(survey.year, 12, 31), fallback=survey.opened_on)


def report_of(uow: UnitOfWork, survey: Survey, book: Rulebook, number: str) -> SurveyReport:
    """T-4…T-6: the report of one survey; a survey below the minimum of respondents publishes no averages."""
    answered = sum(1 for row in uow.surveys.respondents(survey.id) if row.relation != "self" and row.answered)
    averages = uow.surveys.averages(survey.id)
    result = survey_result(
        answered,
        {row.competency_id: row.average for row in averages},
        {row.competency_id: row.self_average for row in averages},
        survey_form(book, survey),
        survey_rules(book),
    )
    if not result.publishable:
        return SurveyReport(number, survey.year, answered, {}, None, False)
    own = result.self_assessment
    return SurveyReport(
        number,
        survey.year,
        answered,
        result.rounded(book.results),
        None if own is None else {key: scoring.round_score(value, book.results) for key, value in own.items()},
        True,
    )


def survey_reports(env: Environment, session: Session, numbers: Mapping[int, str]) -> list[SurveyReport]:
    """Every 360 survey's report (T-6) of every body, read inside ``session``'s transaction."""
    found: list[SurveyReport] = []
    with BorrowedUnitOfWork(session, actor=Principal.system_step("report").actor) as uow:
        for body_id in flowstate.body_ids(uow.session):
            ctx = BodyContext(env, uow, body_id, env.clock.today())
            for survey in annual_state.surveys(uow.session, body_id):
                found.append(report_of(uow, survey, survey_book(ctx, survey), numbers[survey.evaluatee_id]))
    return found
