"""The yearly 360 survey (T-1…T-8) as one idempotent step per day: open, invite, remind, close.

* **Open** (T-1, T-4, T-5): on the first working day after the surveyed year ends (or the first run after it, while
  the survey is still due), every B-corps employee the survey applies to and who is eligible for the year (E-1)
  gets a survey with the form of their category (T-2), the respondents the system chooses (T-4, see
  ``domain.survey360``) and their own self-assessment (T-5). Fewer possible respondents than the minimum: those
  available are invited and the shortfall is audited for HR, who may edit the list (``edit_respondents``).
* **Invite**: a ``survey_360_invitation`` to every respondent not invited yet (people HR added included); the
  messages name the evaluatee, never the other respondents (T-8).
* **Remind**: ``survey_360_reminder`` to those who have not answered, on the rulebook's reminder days before the
  deadline.
* **Close** (T-4, T-6): the day after the deadline (10 January, P-1) the survey closes; a report with fewer
  respondents than the minimum is not published and HR gets ``survey_360_closed`` with the count (never names).

Every write is keyed (survey per evaluatee and year, respondent per survey, messages by idempotency key; the
opening by its ``survey_360_cycle`` row, never an audit row), so a second run for the same day changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from application import messages
from application.context import BodyContext, in_body
from application.environment import Environment
from application.queries.surveys import report_of, survey_rules
from domain.access import Principal
from domain.deadlines import survey_deadline
from domain.eligibility import decide_eligibility
from domain.facts import Employee
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.survey360 import choose_respondents, direct_reports
from domain.vocabulary import Corps
from notifications.kinds import MessageKind
from persistence import annual_state, bulk, flowstate
from persistence.records import NewMessage, Survey, SurveyRespondent

SURVEY_360 = Principal.system_step("survey_360")
OPENED = "open"
"""Audit action on ``survey_360_year`` ``<body>:<year>``: the year's surveys were opened (the state itself is the
``survey_360_cycle`` row)."""


@dataclass
class SurveyStep:
    """What one run did (counts only: who answered is never reported, T-8)."""

    opened: int = 0
    queued: int = 0
    closed: int = 0
    not_published: int = 0
    short_of_respondents: list[str] = field(default_factory=list)


def survey_book(ctx: BodyContext, year: int) -> Rulebook | None:
    """The rulebook governing the surveyed year, if it has a 360 survey (T-1)."""
    book = ctx.rulebook_for(date(year, 12, 31), fallback=ctx.on)
    return book if book.survey_360 is not None else None


def run_survey_step(ctx: BodyContext, year: int, day: date) -> SurveyStep:
    """The survey of ``year`` in one body as of ``day``: open, invite, remind, close (see the module docstring)."""
    step = SurveyStep()
    book = survey_book(ctx, year)
    if book is None:
        return step
    opening = ctx.calendar.next_working_day(date(year, 12, 31))
    if day < opening:
        return step
    deadline = survey_deadline(year, book, ctx.calendar)
    if day <= deadline and not ctx.uow.surveys.cycle_opened(ctx.body_id, year):
        _open(ctx, book, year, max(opening, day), deadline, step)
    surveys = annual_state.surveys(ctx.uow.session, ctx.body_id, year, status="open")
    respondents = annual_state.respondents_of(ctx.uow.session, [survey.id for survey in surveys])
    queued: list[NewMessage] = []
    for survey in surveys:
        if survey.closes_on is not None and day > survey.closes_on:
            _close(ctx, book, survey, step)
            continue
        invitations = _invitations(ctx, survey, respondents.get(survey.id, []))
        reminders = _reminders(ctx, book, survey, respondents.get(survey.id, []))
        queued += invitations + reminders
    step.queued = bulk.insert_outbox(ctx.uow.connection, queued)
    return step


def survey_step(ctx: BodyContext, day: date) -> int:
    """The daily sweep's step: the survey of the year before ``day`` (T-1: it runs in January)."""
    step = run_survey_step(ctx, day.year - 1, day)
    return step.opened + step.queued + step.closed


def _surveyed(ctx: BodyContext, book: Rulebook, employee: Employee, year: int) -> str | None:
    """The form of the employee's survey (T-2), or ``None`` when they are not surveyed this year."""
    rules = survey_rules(book)
    if employee.corps != Corps.B or employee.category is None or not employee.in_service_on(ctx.on):
        return None
    if not book.matches(rules.applies_to, employee.category):
        return None
    if not decide_eligibility(employee, Period.of_year(year), book.eligibility, ctx.calendar).eligible:
        return None
    return next((name for name, form in rules.forms.items() if book.matches(form.applies_to, employee.category)), None)


def _open(ctx: BodyContext, book: Rulebook, year: int, opened_on: date, deadline: date, step: SurveyStep) -> None:
    """T-1, T-4, T-5: a survey per surveyed employee, with the system's respondents and the self-assessment —
    a few set-based inserts for the whole body; surveys that exist already (HR may have edited them) are kept."""
    rules = survey_rules(book)
    forms = {employee.id: form for employee in ctx.org.employees if (form := _surveyed(ctx, book, employee, year))}
    existing = {survey.evaluatee_id for survey in annual_state.surveys(ctx.uow.session, ctx.body_id, year)}
    surveys = [
        {
            "body_id": ctx.body_id,
            "year": year,
            "evaluatee_id": ctx.ids[number],
            "form": form,
            "status": "open",
            "opened_on": opened_on,
            "closes_on": deadline,
        }
        for number, form in forms.items()
        if ctx.ids[number] not in existing
    ]
    step.opened = bulk.insert_ignoring_duplicates(
        ctx.uow.connection, flowstate.survey_table, surveys, ("evaluatee_id", "year")
    )
    created = {
        s.evaluatee_id: s.id
        for s in annual_state.surveys(ctx.uow.session, ctx.body_id, year)
        if s.evaluatee_id not in existing
    }
    reports = direct_reports(ctx.org, opened_on)
    invited_at = ctx.env.clock.moment(opened_on)
    invitations: list[dict[str, Any]] = []
    for evaluatee_id, survey_id in created.items():
        number = ctx.numbers[evaluatee_id]
        choice = choose_respondents(ctx.org, number, opened_on, rules, reports)
        chosen = [(ctx.ids[r.person], r.relation) for r in choice.respondents] + [(evaluatee_id, "self")]
        invitations += [
            {"survey_id": survey_id, "respondent_id": person, "relation": relation, "invited_at": invited_at}
            for person, relation in chosen
        ]
        if choice.short:
            step.short_of_respondents.append(number)
            short = {"chosen": len(choice.respondents)}
            ctx.uow.audit("survey_360", survey_id, "respondents_short", after=short, reason=choice.reason)
    bulk.insert_ignoring_duplicates(
        ctx.uow.connection, flowstate.respondent_table, invitations, ("survey_id", "respondent_id")
    )
    ctx.uow.surveys.open_cycle(body_id=ctx.body_id, year=year, opened_on=opened_on, surveys=step.opened)
    after = {"opened_on": opened_on.isoformat(), "surveys": step.opened}
    ctx.uow.audit("survey_360_year", f"{ctx.body_id}:{year}", OPENED, after=after, reason="360 survey opened (T-1)")


def _invitations(ctx: BodyContext, survey: Survey, respondents: list[SurveyRespondent]) -> list[NewMessage]:
    """A ``survey_360_invitation`` to each respondent and to the evaluatee (self-assessment), once each (keyed)."""
    payload = {
        "evaluatee_name": ctx.name(survey.evaluatee_id),
        "year": survey.year,
        "deadline": (survey.closes_on or ctx.on).isoformat(),
    }
    return [
        message
        for row in respondents
        for message in messages.compose(
            ctx,
            row.respondent_id,
            key=f"survey360:invitation:{survey.id}:{row.respondent_id}",
            kind=MessageKind.SURVEY_360_INVITATION,
            day=max(ctx.on, survey.opened_on),
            payload={**payload, "self_assessment": row.relation == "self"},
        )
    ]


def _reminders(
    ctx: BodyContext, book: Rulebook, survey: Survey, respondents: list[SurveyRespondent]
) -> list[NewMessage]:
    """``survey_360_reminder`` to those who have not answered, on the latest reminder day reached (N working days
    before the deadline, after the opening day)."""
    if survey.closes_on is None:
        return []
    before = book.reminders.before_deadline_working_days
    days = [ctx.calendar.subtract_working_days(survey.closes_on, n) for n in before]
    due = [d for d in days if survey.opened_on < d <= ctx.on]
    if not due:
        return []
    reminder_day = max(due)
    payload = {
        "evaluatee_name": ctx.name(survey.evaluatee_id),
        "year": survey.year,
        "deadline": survey.closes_on.isoformat(),
    }
    return [
        message
        for row in respondents
        if not row.answered
        for message in messages.compose(
            ctx,
            row.respondent_id,
            key=f"survey360:reminder:{survey.id}:{row.respondent_id}:{reminder_day.isoformat()}",
            kind=MessageKind.SURVEY_360_REMINDER,
            day=reminder_day,
            payload=payload,
        )
    ]


def _close(ctx: BodyContext, book: Rulebook, survey: Survey, step: SurveyStep) -> None:
    """T-4, T-6: close after the deadline; below the minimum of respondents the report is refused and HR told."""
    ctx.uow.surveys.close(survey.id, closed_on=ctx.on)
    step.closed += 1
    report = report_of(ctx.uow, survey, book, ctx.numbers[survey.evaluatee_id])
    if report.publishable:
        return
    step.not_published += 1
    payload = {
        "evaluatee_name": ctx.name(survey.evaluatee_id),
        "year": survey.year,
        "responses": report.respondents,
        "minimum": survey_rules(book).min_respondents,
    }
    key = f"survey360:closed:{survey.id}"
    messages.queue(ctx, messages.HR, key=key, kind=MessageKind.SURVEY_360_CLOSED, day=ctx.on, payload=payload)


def survey_360(env: Environment, body_id: int, year: int, day: date) -> SurveyStep:
    """The ``survey_360`` flow's work for one body: the survey of ``year`` as of ``day``, in one unit of work."""
    return in_body(env, body_id, day, SURVEY_360, lambda ctx: run_survey_step(ctx, year, day))
