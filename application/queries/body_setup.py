"""What HR sees when setting a body up (issue 14): its people with their posts, heads, body roles and contacts, and
the Evaluation Commission's composition (M-7; families 004 and 002 chapter 6).

Read models only: progress and facts, never a score (R-2). The body's HR service, its head and admins read them
(G-6; ``application.actions.setup.may_set_up``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.actions.setup import SetupRefused, body_id_of, may_set_up
from application.context import BodyContext
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.facts import FactError
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


@dataclass(frozen=True)
class CommissionView:
    """M-7: the Commission as appointed on the day, and whether the body's rulebook has one."""

    rulebook_id: str | None
    required: bool
    chair: tuple[str, str] | None
    secretary: tuple[str, str] | None
    members: tuple[tuple[str, str], ...]


def people(env: Environment, principal: Principal, body: str, on: date) -> list[PersonLine]:
    """The body's people on ``on``, by personnel number, with their body roles and contacts."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        ctx = BodyContext(env, uow, body_id, on)
        try:
            org = ctx.org
        except FactError as exc:
            raise SetupRefused(f"the body's staff data is incomplete: {exc}", rule=None, field="BODY") from None
        roles: dict[str, list[str]] = {}
        for role in BODY_ROLES:
            for person_id in uow.org.people_with_role(body_id, role, on):
                roles.setdefault(ctx.numbers[person_id], []).append(role.value)
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
        try:
            org = ctx.org
        except FactError as exc:
            raise SetupRefused(f"the body's staff data is incomplete: {exc}", rule=None, field="BODY") from None
        names = {employee.id: employee.name for employee in org.employees}
        found = org.commission

        def named(number: str) -> tuple[str, str]:
            return number, names.get(number, "")

        return CommissionView(
            rulebook_id=None if book is None else book.id,
            required=book is not None and book.commission is not None,
            chair=None if found is None else named(found.chair),
            secretary=None if found is None else named(found.secretary),
            members=() if found is None else tuple(named(number) for number in found.members),
        )
