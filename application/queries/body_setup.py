"""What HR sees when setting a body up (issue 14): its people with their posts, heads, body roles and contacts, and
the Evaluation Commission's composition (M-7; families 004 and 002 chapter 6).

Read models only: progress and facts, never a score (R-2). The body's HR service, its head and admins read them
(G-6; ``application.actions.setup.may_set_up``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.actions.setup import body_id_of, may_set_up, organization_of
from application.context import BodyContext
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.vocabulary import Role

BODY_ROLES = (Role.APPOINTING_OFFICIAL, Role.HR_HEAD, Role.HR)


@dataclass(frozen=True)
class PersonLine:
    """One person of the body on a day."""

    number: str
    name: str
    unit: str | None
    category: str | None
    head: str | None
    dismissed: date | None
    roles: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]
    language: str = "kk"


@dataclass(frozen=True)
class CommissionView:
    """M-7: the Commission as appointed on the day, and whether the body's rulebook has one."""

    rulebook_id: str | None
    required: bool
    chair: tuple[str, str] | None
    secretary: tuple[str, str] | None
    members: tuple[tuple[str, str], ...]
    min_members: int = 0


def people(env: Environment, principal: Principal, body: str, on: date) -> list[PersonLine]:
    """The body's people on ``on``, by personnel number, with their body roles and contacts."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        ctx = BodyContext(env, uow, body_id, on)
        org = organization_of(ctx)
        roles: dict[str, list[str]] = {}
        for role in BODY_ROLES:
            for person_id in uow.org.people_with_role(body_id, role, on):
                roles.setdefault(ctx.numbers[person_id], []).append(role.value)
        languages = {person.id: person.language.value for person in uow.org.people(body_id)}
        lines = []
        for employee in sorted(org.employees, key=lambda e: e.id):
            person_id = ctx.ids[employee.id]
            contacts = tuple((c.kind, c.address) for c in uow.org.contacts(person_id))
            lines.append(
                PersonLine(
                    number=employee.id,
                    name=employee.name,
                    unit=employee.unit,
                    category=employee.category,
                    head=employee.head,
                    dismissed=employee.dismissed,
                    roles=tuple(roles.get(employee.id, ())),
                    contacts=contacts,
                    language=languages.get(person_id, "kk"),
                )
            )
        return lines


def commission(env: Environment, principal: Principal, body: str, on: date) -> CommissionView:
    """M-7: the Commission's chair, secretary (an HR employee, not voting by default) and members on ``on``."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        ctx = BodyContext(env, uow, body_id, on)
        try:
            book = ctx.rulebook_for(on)
        except Rejected:
            book = None
        org = organization_of(ctx)
        names = {employee.id: employee.name for employee in org.employees}
        found = org.commission

        def named(number: str) -> tuple[str, str]:
            return number, names.get(number, "")

        return CommissionView(
            rulebook_id=None if book is None else book.id,
            required=book is not None and book.commission is not None,
            min_members=0 if book is None or book.commission is None else book.commission.min_members,
            chair=None if found is None else named(found.chair),
            secretary=None if found is None else named(found.secretary),
            members=() if found is None else tuple(named(number) for number in found.members),
        )


@dataclass(frozen=True)
class SurveyLine:
    """T-4: one evaluatee's 360 survey of a year: its respondents (never who answered what, T-8) and how many
    answered (editing stops at the first answer)."""

    evaluatee: str
    name: str
    status: str
    opened_on: date
    closes_on: date | None
    respondents: tuple[tuple[str, str, str], ...]
    answered: int


def surveys(env: Environment, principal: Principal, body: str, year: int) -> list[SurveyLine]:
    """The body's 360 surveys of ``year``, by evaluatee, with their respondents (number, name, relation)."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        numbers = {person_id: number for number, person_id in uow.org.person_ids(body_id).items()}
        names = {person.id: person.full_name for person in uow.org.people(body_id)}
        lines = []
        for survey in uow.surveys.of_body(body_id, year):
            invited = [row for row in uow.surveys.respondents(survey.id) if row.relation != "self"]
            respondents = tuple(
                sorted(
                    (numbers.get(row.respondent_id, "?"), names.get(row.respondent_id, ""), row.relation)
                    for row in invited
                )
            )
            lines.append(
                SurveyLine(
                    evaluatee=numbers.get(survey.evaluatee_id, "?"),
                    name=names.get(survey.evaluatee_id, ""),
                    status=survey.status,
                    opened_on=survey.opened_on,
                    closes_on=survey.closes_on,
                    respondents=respondents,
                    answered=sum(1 for row in invited if row.answered),
                )
            )
        return sorted(lines, key=lambda line: line.evaluatee)
