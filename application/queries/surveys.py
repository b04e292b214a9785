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
from domain.errors import Phrase
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
        raise Rejected.by_rule("T-1", Phrase("rulebook {book_id} has no 360 survey", book_id=book.id))
    return book.survey_360


def survey_form(book: Rulebook, survey: Survey) -> SurveyForm:
    rules = survey_rules(book)
    form = rules.forms.get(survey.form or "")
    if form is None:
        raise Rejected.by_rule(
            "T-2",
            Phrase(
                "the 360 survey {survey_id} has no form of rulebook {book_id}", survey_id=survey.id, book_id=book.id
            ),
        )
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


# --- the people's door: the respondent's questionnaire and the evaluatee's report (issue 10) ----------------------


@dataclass(frozen=True)
class SurveyInvitation:
    """A survey the principal is asked to answer: someone else's (as a respondent) or their own (T-5).

    Nothing here is about other respondents: not who they are, not whether they answered (T-8)."""

    survey_id: int
    evaluatee: str
    evaluatee_name: str
    year: int
    closes_on: date | None
    self_assessment: bool
    answered: bool
    open: bool


@dataclass(frozen=True)
class Choice:
    id: str
    name: str
    points: Decimal


@dataclass(frozen=True)
class Block:
    """One competency of the form with its questions, in the reader's language (T-2)."""

    id: str
    name: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    invitation: SurveyInvitation
    competencies: tuple[Block, ...]
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class PublishedReport:
    """T-6: the evaluatee's own report once the survey is closed; names of competencies in the reader's language.
    ``averages`` and ``self_assessment`` are empty below the minimum of respondents (T-4)."""

    survey_id: int
    year: int
    respondents: int
    publishable: bool
    min_respondents: int
    averages: tuple[tuple[str, str, Decimal], ...]  # competency id, name, average (self excluded, T-5)
    self_assessment: tuple[tuple[str, str, Decimal], ...]


def _open_on(survey: Survey, day: date) -> bool:
    closes = survey.closes_on
    return survey.status != "closed" and survey.opened_on <= day and (closes is None or day <= closes)


def my_surveys(env: Environment, principal: Principal) -> list[SurveyInvitation]:
    """The 360 surveys ``principal`` is asked to answer (T-4) or to assess themself in (T-5), newest first."""
    if principal.body is None or principal.person is None:
        return []
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        me = ctx.ids.get(principal.person)
        if me is None:
            return []
        found = annual_state.surveys(uow.session, ctx.body_id)
        invited = annual_state.respondents_of(uow.session, [survey.id for survey in found])
        result = []
        for survey in sorted(found, key=lambda s: (-s.year, s.id)):
            mine = next((row for row in invited.get(survey.id, []) if row.respondent_id == me), None)
            if mine is None:
                continue
            result.append(
                SurveyInvitation(
                    survey.id,
                    ctx.numbers[survey.evaluatee_id],
                    ctx.name(survey.evaluatee_id),
                    survey.year,
                    survey.closes_on,
                    survey.evaluatee_id == me,
                    mine.answered,
                    _open_on(survey, day),
                )
            )
        return result


def questionnaire(env: Environment, principal: Principal, survey_id: int, language: str) -> Questionnaire | None:
    """The form of a survey ``principal`` is asked to answer, in ``language``; ``None`` when not theirs (404)."""
    invitation = next((item for item in my_surveys(env, principal) if item.survey_id == survey_id), None)
    if invitation is None:
        return None
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        survey = uow.surveys.get(survey_id)
        book = survey_book(ctx, survey)
        form = survey_form(book, survey)
        rules = survey_rules(book)
        blocks = tuple(
            Block(
                item.id,
                item.name.in_language(language),
                tuple(str(getattr(question, language)) for question in item.questions),
            )
            for item in form.competencies
        )
        choices = tuple(Choice(option.id, option.name.in_language(language), option.points) for option in rules.answers)
        return Questionnaire(invitation, blocks, choices)


def my_reports(env: Environment, principal: Principal, language: str) -> list[PublishedReport]:
    """T-6: the principal's own 360 reports, once each survey is closed (published); newest first.

    Only the evaluatee reads their report here; it says how many answered and the averages, never who (T-8)."""
    if principal.body is None or principal.person is None:
        return []
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        me = ctx.ids.get(principal.person)
        found = []
        for survey in annual_state.surveys(uow.session, ctx.body_id, status="closed"):
            if survey.evaluatee_id != me:
                continue
            book = survey_book(ctx, survey)
            names = {item.id: item.name.in_language(language) for item in survey_form(book, survey).competencies}
            report = report_of(uow, survey, book, principal.person)
            found.append(
                PublishedReport(
                    survey.id,
                    survey.year,
                    report.respondents,
                    report.publishable,
                    survey_rules(book).min_respondents,
                    tuple((key, names.get(key, key), value) for key, value in report.averages.items()),
                    tuple((key, names.get(key, key), value) for key, value in (report.self_assessment or {}).items()),
                )
            )
        return sorted(found, key=lambda r: -r.year)
