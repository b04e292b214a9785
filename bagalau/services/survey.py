"""The 360 survey's human actions: answering it (T-3, T-5, T-8) and HR's edit of the respondents (T-4, T-7).

Answers are checked by ``domain.scoring`` (one answer per question of each competency of the evaluatee's form,
points or the words never/rarely/half/mostly/always) and stored without the respondent (T-8): the respondent's
row only learns *that* they answered. Only invited respondents and the evaluatee (the self-assessment, T-5)
answer, once each, while the survey is open (from its opening to its deadline, P-1/T-1).

:func:`report_of` is the read side: one individual report per survey (T-6), refused below the minimum number of
respondents (T-4); :func:`survey_section` is the scenario report's ``survey_360`` section built from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bagalau.services.context import BodyContext, Target, audit_actor, resolve_body, transaction
from bagalau.services.errors import Rejected
from bagalau.services.registry import action
from bagalau.simulate.report import Survey360Result
from bagalau.simulate.reporting import SECTIONS
from domain import scoring
from domain.errors import RuleViolation
from domain.rulebook import Rulebook, Survey360, SurveyForm
from domain.scoring import Relation, Response
from domain.survey360 import check_edited_respondents, natural_key, survey_result
from flows import runtime
from persistence import annual_state, flowstate
from persistence.records import Survey, SurveyRespondent
from persistence.uow import UnitOfWork


@dataclass(frozen=True)
class Answered:
    """A 360 answer sheet was stored (anonymously); ``self_assessment`` for the evaluatee's own (T-5)."""

    survey_id: int
    self_assessment: bool


@dataclass(frozen=True)
class RespondentsEdited:
    survey_id: int
    respondents: tuple[str, ...]


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


def _survey_of(ctx: BodyContext, evaluatee_id: int, evaluatee: str, year: int | None, day: date) -> Survey:
    """The evaluatee's survey of ``year``; without a year, the one of the year just ended, else of this year."""
    years = [year] if year is not None else [day.year - 1, day.year]
    for candidate in years:
        survey = ctx.uow.surveys.of_evaluatee(evaluatee_id, candidate)
        if survey is not None:
            return survey
    raise Rejected.by_rule("T-1", f"no 360 survey of {evaluatee} is open on {day.isoformat()}")


def survey_book(ctx: BodyContext, survey: Survey) -> Rulebook:
    """The rulebook of the surveyed year (G-3), else the one in force when the survey opened."""
    return ctx.rulebook_for(date(survey.year, 12, 31), fallback=survey.opened_on)


def _check_open(survey: Survey, evaluatee: str, day: date, book: Rulebook) -> None:
    """T-1, P-1: answers are taken from the opening day to the deadline, both included."""
    if day < survey.opened_on:
        raise Rejected.by_rule("T-1", f"the 360 survey of {evaluatee} opens on {survey.opened_on.isoformat()}")
    closes = survey.closes_on
    if survey.status == "closed" or (closes is not None and day > closes):
        rule = survey_rules(book).deadline.rule
        when = (closes or survey.closed_on or day).isoformat()
        raise Rejected.by_rule(rule, f"the 360 survey of {evaluatee} for {survey.year} closed on {when}")


def _invitation(respondents: Sequence[SurveyRespondent], person_id: int) -> SurveyRespondent | None:
    return next((row for row in respondents if row.respondent_id == person_id), None)


def _points(answers: Mapping[str, Sequence[Any]], form: SurveyForm, rules: Survey360, relation: Relation) -> dict:
    """T-2/T-3: the answers checked against the form (every question once) and turned into points."""
    try:
        scoring.survey_averages([Response(relation, answers)], form, rules)
        return {
            competency: [int(scoring.answer_points(answer, rules)) for answer in given]
            for competency, given in answers.items()
        }
    except RuleViolation as violation:
        raise Rejected.from_violation(violation) from None


def respond_360(
    target: Target,
    *,
    as_of: date,
    actor: str,
    evaluatee: str,
    answers: Mapping[str, Sequence[Any]],
    respondent: str | None = None,
    year: int | None = None,
    body: str | None = None,
) -> Answered:
    """``respondent`` (default: ``actor``) answers the 360 survey of ``evaluatee``: once, while it is open, only if
    invited (T-4) or the evaluatee themself (T-5); stored without who answered (T-8)."""
    respondent = respondent or actor
    with transaction(target, audit_actor(actor)) as uow:
        ctx = BodyContext(uow, resolve_body(uow, body), as_of)
        evaluatee_id = ctx.person_id(evaluatee)
        respondent_id = ctx.person_id(respondent)
        survey = _survey_of(ctx, evaluatee_id, evaluatee, year, as_of)
        book = survey_book(ctx, survey)
        _check_open(survey, evaluatee, as_of, book)
        invited = _invitation(uow.surveys.respondents(survey.id), respondent_id)
        own = respondent_id == evaluatee_id
        if invited is None:
            if own:
                raise Rejected.by_rule("T-5", f"no self-assessment was asked of {evaluatee} in this survey")
            raise Rejected.by_rule("T-4", f"{respondent} was not invited to answer the 360 survey of {evaluatee}")
        if invited.answered_at is not None:
            what = "their self-assessment" if own else f"the 360 survey of {evaluatee}"
            raise Rejected.by_rule("T-5" if own else "T-4", f"{respondent} has already answered {what}; once only")
        relation: Relation = "self" if own else invited.relation  # type: ignore[assignment]
        points = _points(answers, survey_form(book, survey), survey_rules(book), relation)
        uow.surveys.answer(survey.id, respondent_id=respondent_id, answers=points, answered_at=runtime.moment(as_of))
        return Answered(survey.id, own)


def _relations(ctx: BodyContext, evaluatee: str, people: Sequence[str]) -> dict[str, Relation]:
    """How each person stands to the evaluatee (T-4), for a list HR gives without relations."""
    org = ctx.org
    head = org.head_of(evaluatee, ctx.on)
    found: dict[str, Relation] = {}
    for person in people:
        if person == head:
            found[person] = "head"
        elif person in org.employees_by_id and org.head_of(person, ctx.on) == evaluatee:
            found[person] = "subordinate"
        else:
            found[person] = "peer"
    return found


def edit_respondents(
    target: Target,
    *,
    as_of: date,
    actor: str,
    evaluatee: str,
    respondents: Sequence[str] | Mapping[str, Relation],
    year: int | None = None,
    body: str | None = None,
) -> RespondentsEdited:
    """HR replaces the respondents of ``evaluatee``'s survey (T-4, T-7) before anyone has answered it; people
    added are invited by the next ``survey_360`` run, people removed can no longer answer."""
    with transaction(target, audit_actor(actor)) as uow:
        ctx = BodyContext(uow, resolve_body(uow, body), as_of)
        if ctx.person_id(actor) not in ctx.hr:
            raise Rejected.by_rule("T-7", f"{actor} is not in the HR service: only HR edits the 360 respondents")
        evaluatee_id = ctx.person_id(evaluatee)
        survey = _survey_of(ctx, evaluatee_id, evaluatee, year, as_of)
        book = survey_book(ctx, survey)
        _check_open(survey, evaluatee, as_of, book)
        current = uow.surveys.respondents(survey.id)
        if any(row.answered_at is not None for row in current):
            raise Rejected.by_rule("T-4", f"the 360 survey of {evaluatee} has started: someone has answered it")
        wanted = dict(respondents) if isinstance(respondents, Mapping) else _relations(ctx, evaluatee, respondents)
        try:
            check_edited_respondents(evaluatee, wanted, list(ctx.ids), survey_rules(book))
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        keep = {ctx.ids[person] for person in wanted} | {evaluatee_id}
        before = sorted((ctx.numbers[row.respondent_id] for row in current if row.relation != "self"), key=natural_key)
        annual_state.remove_respondents(
            uow, survey.id, [r.respondent_id for r in current if r.respondent_id not in keep]
        )
        for person, relation in wanted.items():
            uow.surveys.invite(
                survey.id, respondent_id=ctx.ids[person], relation=relation, invited_at=runtime.moment(as_of)
            )
        after = sorted(wanted, key=natural_key)
        uow.audit(
            "survey_360", survey.id, "edit_respondents", before={"respondents": before}, after={"respondents": after}
        )
        return RespondentsEdited(survey.id, tuple(after))


# --- the read side: individual reports (T-6) -----------------------------------------------------------------------


def report_of(uow: UnitOfWork, survey: Survey, book: Rulebook, number: str) -> SurveyReport:
    """T-4…T-6: the report of one survey; a survey below the minimum of respondents publishes no averages."""
    answered = sum(1 for row in uow.surveys.respondents(survey.id) if row.relation != "self" and row.answered_at)
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


def survey_section(session: Session, numbers: Mapping[int, str]) -> list[Survey360Result]:
    """The scenario report's ``survey_360`` section (T-6): one entry per survey of every body, self apart (T-5);
    a report below the minimum of respondents shows the count only (T-4)."""
    found: list[Survey360Result] = []
    with annual_state.BorrowedUnitOfWork(session, actor="simulation:report") as uow:
        for body_id in flowstate.body_ids(uow.session):
            ctx = BodyContext(uow, body_id, runtime.today())
            for survey in annual_state.surveys(uow, body_id):
                report = report_of(uow, survey, survey_book(ctx, survey), numbers[survey.evaluatee_id])
                found.append(
                    Survey360Result(
                        employee=report.employee,
                        year=report.year,
                        respondents=report.respondents,
                        averages=dict(report.averages),
                        self=None if report.self_assessment is None else dict(report.self_assessment),
                    )
                )
    return found


SECTIONS["survey_360"] = survey_section


@action("respond_360")
def _respond_360(target: Target, day: date, event: Any) -> Answered:
    return respond_360(
        target,
        as_of=day,
        actor=event.respondent,
        evaluatee=event.evaluatee,
        answers=event.answers,
        respondent=event.respondent,
    )
