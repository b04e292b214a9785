"""HR edits a body's people and its Evaluation Commission from the dashboard (issue 14, item 1).

- :func:`edit_person`: a person's body roles (appointing official, HR service, HR head: G-6, G-4), contacts (e-mail,
  phone for SMS, Telegram: where notices go, C-1, P-4) and language, with the reason; every change audited with
  before/after and the reason (R-4).
- :func:`set_commission`: the Evaluation Commission's composition (families 004 and 002 ch. 6, M-7): at least the
  rulebook's number of members with the chair among them, a secretary from the HR service who does not vote and is
  not listed among the members; the seats change from today, the former ones end yesterday, audited.

Only the body's HR service, its head and admins (G-6, ``setup.may_set_up``). A refusal names the field, the rule
and the allowed values, and writes nothing (:class:`~application.actions.setup.SetupRefused`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from application.actions.setup import SetupRefused, body_id_of, may_set_up, organization_of
from application.context import BodyContext
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.facts import FactError
from domain.vocabulary import Language, Role
from domain.votes import check_commission_composition
from persistence.importers import columns
from persistence.importers.columns import CellError
from persistence.models import BodyRoleRow, CommissionMemberRow, ContactChannelRow, PersonRow
from persistence.uow import UnitOfWork

EDITABLE_ROLES = (Role.APPOINTING_OFFICIAL, Role.HR_HEAD, Role.HR)
MAX_REASON = 500
CONTACTS: dict[str, tuple[str, Callable[[Any], str | None], str, str]] = {
    # form field: (contact kind, parser, allowed values, rule)
    "email": ("email", columns.email, Phrase("an e-mail address with a domain (name@body.kz)"), "C-1"),
    "phone": ("sms", columns.phone, Phrase("a mobile number (+7XXXXXXXXXX)"), "C-1"),
    "telegram": ("telegram", columns.telegram, Phrase("a Telegram @username or a numeric chat id"), "C-1"),
}
"""The contacts the page edits; several of one kind are separated by commas."""
FIELDS = {
    "email": Phrase("email"),
    "phone": Phrase("phone"),
    "telegram": Phrase("telegram"),
    "chair": Phrase("chair"),
    "secretary": Phrase("secretary"),
    "members": Phrase("members"),
}
"""The fields a refusal names by a value (``{field}: …``), each said in the person's language (decision 0150)."""
PARSER_PROBLEMS: dict[str, str] = {
    said: said
    for said in (
        Phrase("not an e-mail address with a domain (name@body.kz)"),
        Phrase("not a phone number (+7XXXXXXXXXX)"),
        Phrase("expected a Telegram @username or a numeric chat id"),
    )
}
"""What the contact parsers (``persistence.importers.columns``) say of a bad address, to be said in the person's
language; any other problem of theirs (a control character …) stays in English inside the translated sentence."""


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > MAX_REASON or any(ord(c) < 32 for c in text):
        raise SetupRefused(
            Phrase(
                "reason: say why (1 to {maximum} characters); every change is audited with it (R-4)",
                maximum=MAX_REASON,
            ),
            rule="R-4",
            field="reason",
            allowed=f"1 to {MAX_REASON} characters",
        )
    return text


@dataclass(frozen=True)
class PersonEdited:
    """What :func:`edit_person` changed (field → (before, after)); empty when the form said what was stored."""

    number: str
    changes: dict[str, tuple[Any, Any]]


def _parse_contacts(field: str, value: str) -> list[str]:
    kind, parse, allowed, rule = CONTACTS[field]
    found: list[str] = []
    for part in re.split(r"[,;\n]+", value):
        if not part.strip():
            continue
        try:
            parsed = parse(part.strip())
        except CellError as exc:
            problem = str(exc)
            raise SetupRefused(
                Phrase(
                    "{field}: {value!r} is {problem}; allowed: {allowed} ({rule})",
                    field=FIELDS[field],
                    value=part.strip()[:60],
                    problem=PARSER_PROBLEMS.get(problem, problem),
                    allowed=allowed,
                    rule=rule,
                ),
                rule=rule,
                field=field,
                allowed=allowed,
            ) from None
        if parsed and parsed not in found:
            found.append(parsed)
    return found


def edit_person(
    env: Environment,
    principal: Principal,
    body: str,
    number: str,
    *,
    roles: Sequence[str],
    email: str,
    phone: str,
    telegram: str,
    language: str,
    reason: str,
    today: date,
) -> PersonEdited:
    """Set a person's body roles, contacts and language from today, audited with ``reason``; refused, nothing
    written, naming the field, the rule and the allowed values."""
    may_set_up(principal, body)
    allowed_roles = [role.value for role in EDITABLE_ROLES]
    unknown = [role for role in roles if role not in allowed_roles]
    if unknown:
        raise SetupRefused(
            Phrase(
                "roles: {roles} is not a body role; allowed: {allowed} (G-6)",
                roles=", ".join(repr(r[:40]) for r in unknown),
                allowed=", ".join(allowed_roles),
            ),
            rule="G-6",
            field="roles",
            allowed=", ".join(allowed_roles),
        )
    if language not in {item.value for item in Language}:
        raise SetupRefused(
            Phrase("language: {language!r} is not a language of Bagalau; allowed: kk, ru, en", language=language[:20]),
            rule=None,
            field="language",
            allowed="kk, ru, en",
        )
    wanted_contacts = {
        field: _parse_contacts(field, value)
        for field, value in (("email", email), ("phone", phone), ("telegram", telegram))
    }
    why = _reason(reason)
    wanted_roles = set(roles)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        person = uow.org.person_by_number(body_id, number)
        if person is None:
            raise SetupRefused(
                Phrase("{number!r} is nobody of body {body}", number=number[:64], body=body), rule=None, field="person"
            )
        held = {role.value for role in EDITABLE_ROLES if person.id in uow.org.people_with_role(body_id, role, today)}
        if Role.APPOINTING_OFFICIAL.value in wanted_roles - held:
            others = [
                other
                for other in uow.org.people_with_role(body_id, Role.APPOINTING_OFFICIAL, today)
                if other != person.id
            ]
            if others:
                holder = uow.org.person(others[0]).personnel_number
                raise SetupRefused(
                    Phrase(
                        "roles: the body has one appointing official, {holder}, who approves the schedule (G-4); "
                        "end {holder}'s role first",
                        holder=holder,
                    ),
                    rule="G-4",
                    field="roles",
                    allowed=f"{', '.join(r for r in allowed_roles if r != Role.APPOINTING_OFFICIAL.value)}",
                )
        changes: dict[str, tuple[Any, Any]] = {}
        if held != wanted_roles:
            _set_roles(uow, body_id, person.id, held, wanted_roles, today, why)
            changes["roles"] = (sorted(held), sorted(wanted_roles))
        for field, addresses in wanted_contacts.items():
            kind = CONTACTS[field][0]
            stored = [contact for contact in uow.org.contacts(person.id) if contact.kind == kind]
            if [contact.address for contact in stored] == addresses:
                continue
            _set_contacts(uow, person.id, kind, stored, addresses, why)
            changes[field] = ([contact.address for contact in stored], addresses)
        if person.language.value != language:
            table = PersonRow.__table__  # type: ignore[attr-defined]
            uow.connection.execute(table.update().where(table.c.id == person.id).values(language=language))
            uow.audit(
                "person",
                person.id,
                "set_language",
                before={"language": person.language.value},
                after={"language": language},
                reason=why,
            )
            changes["language"] = (person.language.value, language)
        uow.commit()
    return PersonEdited(number, changes)


def _set_roles(
    uow: UnitOfWork, body_id: int, person_id: int, held: set[str], wanted: set[str], today: date, why: str
) -> None:
    table = BodyRoleRow.__table__  # type: ignore[attr-defined]
    for role in sorted(held - wanted):
        rows = uow.connection.execute(
            sa.select(table.c.id, table.c.started_on).where(
                table.c.body_id == body_id,
                table.c.person_id == person_id,
                table.c.role == role,
                sa.or_(table.c.started_on.is_(None), table.c.started_on <= today),
                sa.or_(table.c.ended_on.is_(None), table.c.ended_on >= today),
            )
        ).all()
        for row_id, started in rows:
            if started is not None and started >= today:  # granted today: as if never granted
                uow.connection.execute(table.delete().where(table.c.id == row_id))
            else:
                uow.connection.execute(table.update().where(table.c.id == row_id).values(ended_on=today - timedelta(1)))
            uow.audit(
                "body_role",
                row_id,
                "end",
                before={"person_id": person_id, "role": role, "ended_on": None},
                after={"person_id": person_id, "role": role, "ended_on": (today - timedelta(1)).isoformat()},
                reason=why,
            )
    for role in sorted(wanted - held):
        row_id = uow.connection.execute(
            table.insert()
            .values(body_id=body_id, person_id=person_id, role=role, started_on=today)
            .returning(table.c.id)
        ).scalar_one()
        uow.audit(
            "body_role",
            row_id,
            "grant",
            after={"person_id": person_id, "role": role, "started_on": today.isoformat()},
            reason=why,
        )


def _set_contacts(
    uow: UnitOfWork, person_id: int, kind: str, stored: Sequence[Any], addresses: Sequence[str], why: str
) -> None:
    table = ContactChannelRow.__table__  # type: ignore[attr-defined]
    keep = {contact.address for contact in stored} & set(addresses)
    for contact in stored:
        if contact.address not in keep:
            uow.connection.execute(table.delete().where(table.c.id == contact.id))
            uow.audit(
                "contact_channel", contact.id, "remove", before={"kind": kind, "address": contact.address}, reason=why
            )
    for priority, address in enumerate(addresses):
        if address in keep:
            continue
        added = uow.org.add_contact(person_id=person_id, kind=kind, address=address, priority=100 + priority)
        uow.audit("contact_channel", added.id, "add", after={"kind": kind, "address": address}, reason=why)


# --- the Commission (M-7) ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionSet:
    """The composition :func:`set_commission` recorded, from ``since``."""

    chair: str
    secretary: str
    members: tuple[str, ...]
    since: date


def _numbers(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value) if part]


def set_commission(
    env: Environment,
    principal: Principal,
    body: str,
    *,
    chair: str,
    secretary: str,
    members: str,
    reason: str,
    today: date,
) -> CommissionSet:
    """M-7: the Commission from today — ``members`` (personnel numbers; the chair among them, added if missing),
    the ``chair`` and the ``secretary`` (an HR employee, not voting unless the rulebook says so); the seats held
    until yesterday end. Refused naming the field and M-7, nothing written."""
    may_set_up(principal, body)
    chair, secretary = chair.strip(), secretary.strip()
    listed = _numbers(members)
    if chair and chair not in listed:
        listed.insert(0, chair)
    why = _reason(reason)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        ctx = BodyContext(env, uow, body_id, today)
        book = ctx.rulebook_for(today)
        if book.commission is None:
            raise SetupRefused(
                Phrase(
                    "the rulebook {rulebook_id} in force on {day} has no Evaluation Commission (M-7): its results "
                    "are reviewed by calibration",
                    rulebook_id=book.id,
                    day=today,
                ),
                rule="M-7",
                field="members",
            )
        people = {employee.id for employee in organization_of(ctx).employees}
        for field, numbers in (("chair", [chair]), ("secretary", [secretary]), ("members", listed)):
            strangers = [number for number in numbers if number not in people]
            if strangers:
                shown = ", ".join(repr(number[:64]) for number in strangers) if any(strangers) else Phrase("nobody")
                raise SetupRefused(
                    Phrase(
                        "{field}: {numbers} is not a person of body {body} in service on {day} (M-7)",
                        field=FIELDS[field],
                        numbers=shown,
                        body=body,
                        day=today,
                    ),
                    rule="M-7",
                    field=field,
                    allowed="personnel numbers of the body's people",
                )
        rules = book.commission
        try:
            check_commission_composition(listed, chair, secretary, rules)
        except RuleViolation as exc:
            raise SetupRefused.of(exc) from None
        hr = {
            ctx.numbers[person_id]
            for role in (Role.HR, Role.HR_HEAD)
            for person_id in uow.org.people_with_role(body_id, role, today)
            if person_id in ctx.numbers
        }
        if secretary not in hr:
            raise SetupRefused(
                Phrase(
                    "secretary: {secretary} is not an employee of the HR service, and the Commission's secretary is "
                    "one (004 §5); allowed: {allowed} (M-7)",
                    secretary=secretary,
                    allowed=", ".join(sorted(hr)) or Phrase("nobody holds the HR role"),
                ),
                rule="M-7",
                field="secretary",
                allowed=", ".join(sorted(hr)),
            )
        before = ctx.org.commission
        _replace_seats(uow, body_id, ctx.ids, listed, chair, secretary, today, why)
        uow.audit(
            "commission",
            body_id,
            "set_composition",
            before=None
            if before is None
            else {"chair": before.chair, "secretary": before.secretary, "members": list(before.members)},
            after={"chair": chair, "secretary": secretary, "members": listed, "since": today.isoformat()},
            reason=why,
        )
        uow.commit()
    return CommissionSet(chair, secretary, tuple(listed), today)


def _replace_seats(
    uow: UnitOfWork,
    body_id: int,
    ids: dict[str, int],
    members: list[str],
    chair: str,
    secretary: str,
    today: date,
    why: str,
) -> None:
    table = CommissionMemberRow.__table__  # type: ignore[attr-defined]
    current = uow.connection.execute(
        sa.select(table.c.id, table.c.person_id, table.c.started_on, table.c.is_chair, table.c.is_secretary).where(
            table.c.body_id == body_id,
            sa.or_(table.c.ended_on.is_(None), table.c.ended_on >= today),
        )
    ).all()
    for row_id, person_id, started, is_chair, is_secretary in current:
        seat = {"person_id": person_id, "chair": is_chair, "secretary": is_secretary}
        if started is not None and started >= today:
            uow.connection.execute(table.delete().where(table.c.id == row_id))
            uow.audit("commission_member", row_id, "remove", before=seat, reason=why)
        else:
            end = today - timedelta(1)
            uow.connection.execute(table.update().where(table.c.id == row_id).values(ended_on=end))
            after = {**seat, "ended_on": end.isoformat()}
            uow.audit("commission_member", row_id, "end", before=seat, after=after, reason=why)
    for number in members:
        member = ids[number]
        uow.org.add_commission_member(body_id=body_id, person_id=member, is_chair=number == chair, started_on=today)
    uow.org.add_commission_member(body_id=body_id, person_id=ids[secretary], is_secretary=True, started_on=today)


def commission_problems(env: Environment, principal: Principal, body: str, today: date) -> list[str]:
    """M-7 as the page shows it: what is wrong with the Commission appointed today (empty: nothing)."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        ctx = BodyContext(env, uow, body_id, today)
        try:
            book = ctx.rulebook_for(today)
            found = ctx.org.commission
        except (Rejected, FactError):
            return []
        if book.commission is None:
            return []
        if found is None:
            return [
                Phrase(
                    "no chair and secretary are appointed (M-7): the rulebook {rulebook_id} has a Commission",
                    rulebook_id=book.id,
                )
            ]
        problems: list[str] = []
        try:
            check_commission_composition(list(found.members), found.chair, found.secretary, book.commission)
        except RuleViolation as exc:
            problems.append(exc.message)  # the English sentence, carrying the phrase the page says
        hr = {
            ctx.numbers.get(person_id)
            for role in (Role.HR, Role.HR_HEAD)
            for person_id in uow.org.people_with_role(body_id, role, today)
        }
        if found.secretary not in hr:
            problems.append(
                Phrase(
                    "the secretary {secretary} is not an employee of the HR service (M-7)", secretary=found.secretary
                )
            )
        return problems
