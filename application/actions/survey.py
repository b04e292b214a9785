"""The 360 survey's human actions: answering it (T-3, T-5, T-8) and HR's edit of the respondents (T-4, T-7).

Answers are checked by ``domain.scoring`` (one answer per question of each competency of the evaluatee's form,
points or the words never/rarely/half/mostly/always) and stored without the respondent (T-8): the respondent's
row only learns *that* they answered. Only invited respondents and the evaluatee (the self-assessment, T-5)
answer, once each, while the survey is open (from its opening to its deadline, P-1/T-1). The read side, one
individual report per survey (T-6), is ``application.queries.surveys``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from application.queries.surveys import survey_book, survey_form, survey_rules
from domain import scoring
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.rulebook import Rulebook, Survey360, SurveyForm
from domain.scoring import Relation, Response
from domain.survey360 import check_edited_respondents, natural_key
from persistence.records import Survey, SurveyRespondent


@dataclass(frozen=True)
class Answered:
    """A 360 answer sheet was stored (anonymously); ``self_assessment`` for the evaluatee's own (T-5)."""

    survey_id: int
    self_assessment: bool


@dataclass(frozen=True)
class RespondentsEdited:
    survey_id: int
    respondents: tuple[str, ...]


def _survey_of(ctx: BodyContext, evaluatee_id: int, evaluatee: str, year: int | None, day: date) -> Survey:
    """The evaluatee's survey of ``year``; without a year, the one of the year just ended, else of this year."""
    years = [year] if year is not None else [day.year - 1, day.year]
    for candidate in years:
        survey = ctx.uow.surveys.of_evaluatee(evaluatee_id, candidate)
        if survey is not None:
            return survey
    raise Rejected.by_rule("T-1", Phrase("no 360 survey of {evaluatee} is open on {day}", evaluatee=evaluatee, day=day))


def _check_open(survey: Survey, evaluatee: str, day: date, book: Rulebook) -> None:
    """T-1, P-1: answers are taken from the opening day to the deadline, both included."""
    if day < survey.opened_on:
        raise Rejected.by_rule(
            "T-1",
            Phrase(
                "the 360 survey of {evaluatee} opens on {opened_on}", evaluatee=evaluatee, opened_on=survey.opened_on
            ),
        )
    closes = survey.closes_on
    if survey.status == "closed" or (closes is not None and day > closes):
        rule = survey_rules(book).deadline.rule
        when = closes or survey.closed_on or day
        raise Rejected.by_rule(
            rule,
            Phrase(
                "the 360 survey of {evaluatee} for {year} closed on {when}",
                evaluatee=evaluatee,
                year=survey.year,
                when=when,
            ),
        )


def _invitation(respondents: Sequence[SurveyRespondent], person_id: int) -> SurveyRespondent | None:
    return next((row for row in respondents if row.respondent_id == person_id), None)


def _points(
    answers: Mapping[str, Sequence[Any]], form: SurveyForm, rules: Survey360, relation: Relation
) -> dict[str, list[int]]:
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
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    answers: Mapping[str, Sequence[Any]],
    respondent: str | None = None,
    year: int | None = None,
) -> Answered:
    """``respondent`` (default: the ``principal``) answers the 360 survey of ``evaluatee``: once, while it is open,
    only if invited (T-4) or the evaluatee themself (T-5); stored without who answered (T-8)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        respondent = respondent or principal.person
        if respondent is None:
            raise Rejected(Phrase("{actor} acts for no person: name the respondent", actor=principal.actor))
        evaluatee_id = ctx.person_id(evaluatee)
        respondent_id = ctx.person_id(respondent)
        survey = _survey_of(ctx, evaluatee_id, evaluatee, year, as_of)
        book = survey_book(ctx, survey)
        _check_open(survey, evaluatee, as_of, book)
        invited = _invitation(uow.surveys.respondents(survey.id), respondent_id)
        own = respondent_id == evaluatee_id
        if invited is None:
            if own:
                raise Rejected.by_rule(
                    "T-5", Phrase("no self-assessment was asked of {evaluatee} in this survey", evaluatee=evaluatee)
                )
            raise Rejected.by_rule(
                "T-4",
                Phrase(
                    "{respondent} was not invited to answer the 360 survey of {evaluatee}",
                    respondent=respondent,
                    evaluatee=evaluatee,
                ),
            )
        if invited.answered:
            what = (
                Phrase("their self-assessment") if own else Phrase("the 360 survey of {evaluatee}", evaluatee=evaluatee)
            )
            raise Rejected.by_rule(
                "T-5" if own else "T-4",
                Phrase("{respondent} has already answered {what}; once only", respondent=respondent, what=what),
            )
        relation: Relation = "self" if own else invited.relation  # type: ignore[assignment]
        points = _points(answers, survey_form(book, survey), survey_rules(book), relation)
        uow.surveys.answer(survey.id, respondent_id=respondent_id, answers=points)
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
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    respondents: Sequence[str] | Mapping[str, Relation],
    year: int | None = None,
    reason: str | None = None,
) -> RespondentsEdited:
    """HR (``principal``) replaces the respondents of ``evaluatee``'s survey (T-4, T-7) before anyone has answered
    it; people added are invited by the next ``survey_360`` run, people removed can no longer answer."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        if ctx.acting_person(principal) not in ctx.hr:
            raise Rejected.by_rule(
                "T-7",
                Phrase("{person} is not in the HR service: only HR edits the 360 respondents", person=principal.person),
            )
        evaluatee_id = ctx.person_id(evaluatee)
        survey = _survey_of(ctx, evaluatee_id, evaluatee, year, as_of)
        book = survey_book(ctx, survey)
        _check_open(survey, evaluatee, as_of, book)
        current = uow.surveys.respondents(survey.id)
        if any(row.answered for row in current):
            raise Rejected.by_rule(
                "T-4", Phrase("the 360 survey of {evaluatee} has started: someone has answered it", evaluatee=evaluatee)
            )
        wanted = dict(respondents) if isinstance(respondents, Mapping) else _relations(ctx, evaluatee, respondents)
        try:
            check_edited_respondents(evaluatee, wanted, list(ctx.ids), survey_rules(book))
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        keep = {ctx.ids[person] for person in wanted} | {evaluatee_id}
        before = sorted((ctx.numbers[row.respondent_id] for row in current if row.relation != "self"), key=natural_key)
        uow.surveys.remove_respondents(survey.id, [r.respondent_id for r in current if r.respondent_id not in keep])
        for person, relation in wanted.items():
            uow.surveys.invite(
                survey.id, respondent_id=ctx.ids[person], relation=relation, invited_at=env.clock.moment(as_of)
            )
        after = sorted(wanted, key=natural_key)
        uow.audit(
            "survey_360",
            survey.id,
            "edit_respondents",
            before={"respondents": before},
            after={"respondents": after},
            reason=reason,
        )
        return RespondentsEdited(survey.id, tuple(after))
