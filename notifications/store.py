"""The outbox as delivery sees it, over persistence's unit of work.

``persistence``'s ``OutboxRepository`` queues messages, records attempts and outcomes, and the other repositories
answer who people are. This module adds what delivery needs beyond them: a *leased* batch claim, the lock that
checks the lease (docs/decisions/0010), giving a row back untried (rate limit), who a message reaches (0011), and
whether a recipient may see a result (R-2, 0012: ``domain.access``
on the parties ``persistence.access`` reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from domain import access as rules
from domain.access import EvaluationParties, Principal
from domain.vocabulary import Language, OutboxStatus, Role
from notifications import leases
from notifications.channels import EMAIL, Address, ChannelError, UrlTemplates, resolve
from notifications.kinds import MessageKind
from persistence import access
from persistence.models import OutboxMessageRow, PersonRow
from persistence.records import ContactChannel, OutboxMessage, Person
from persistence.secrets import SecretBox, SecretUnavailable, open_secret
from persistence.uow import UnitOfWork

outbox: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
person_table: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
WAITING = (OutboxStatus.PENDING.value, OutboxStatus.RETRYING.value)


@dataclass
class Target:
    """One recipient and, in the order to try them, the addresses that can reach them (``problems``: the rest)."""

    name: str
    language: Language
    person_id: int | None = None
    addresses: list[Address] = field(default_factory=list)
    problems: list[ChannelError] = field(default_factory=list)


@dataclass
class Known:
    """What a group of messages needs from the database, read for the whole group at once (:func:`prefetch`):
    the recipients, their channels, the R-2 parties of the evaluations and the recipients as R-2 sees them.
    Anything not in it (a role's holders, HR) is read when needed, as before."""

    people: dict[int, Person] = field(default_factory=dict)
    contacts: dict[int, list[ContactChannel]] = field(default_factory=dict)
    parties: dict[int, EvaluationParties] = field(default_factory=dict)
    principals: dict[int, Principal] = field(default_factory=dict)

    def person(self, uow: UnitOfWork, person_id: int) -> Person:
        found = self.people.get(person_id)
        return found if found is not None else uow.org.person(person_id)

    def contacts_of(self, uow: UnitOfWork, person_id: int) -> list[ContactChannel]:
        found = self.contacts.get(person_id)
        return found if found is not None else uow.org.contacts(person_id)


def prefetch(uow: UnitOfWork, messages: list[OutboxMessage], on: date) -> Known:
    """Read, in five queries whatever the group's size, what delivering ``messages`` to their named recipients
    needs (issue 13: about ten statements per message before)."""
    people = {message.recipient_person_id for message in messages if message.recipient_person_id is not None}
    evaluations = {message.evaluation_id for message in messages if message.evaluation_id is not None}
    return Known(
        people=uow.org.people_by_id(people),
        contacts=uow.org.contacts_of(people),
        parties=access.evaluation_parties(uow.session, evaluations, on) if people else {},
        principals=access.person_principals(uow.session, people, on) if evaluations else {},
    )


# --- claiming ---------------------------------------------------------------------------------------------


def claim_due(engine: sa.Engine, now: datetime, limit: int, lease: timedelta) -> tuple[str, list[int]]:
    """Take up to ``limit`` due messages for this run, in a transaction of its own, and lease them to it.

    Returns the claim's token and the ids. ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite transactions begin
    ``IMMEDIATE``: one writer at a time). The lease (``lease_token``, ``lease_until = now + lease`` in the run's
    time, ``lease_expires_at`` on the wall clock) keeps other runs off the rows after the commit; a row is free
    again when its lease ran out by either clock, or when the process holding it is dead (``notifications.leases``:
    a re-run of the same day after a crash takes the rows back, so no recorded date moves).
    """
    wall = datetime.now(UTC)
    holder = leases.holder_for(engine)
    dead = _dead_tokens(engine, now, wall)
    free = [outbox.c.lease_token.is_(None), outbox.c.lease_until <= now, outbox.c.lease_expires_at <= wall]
    if dead:
        free.append(outbox.c.lease_token.in_(dead))
    query = (
        sa.select(outbox.c.id)
        .where(outbox.c.status.in_(WAITING), outbox.c.next_attempt_at <= now, sa.or_(*free))
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    token = holder.token()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.scalars(query))
        if ids:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(lease_token=token, lease_until=now + lease, lease_expires_at=wall + lease)
            )
    return token, ids


def _dead_tokens(engine: sa.Engine, now: datetime, wall: datetime) -> list[str]:
    """The tokens of due rows still leased by time whose holding process is gone (killed, crashed)."""
    query = (
        sa.select(outbox.c.lease_token)
        .distinct()
        .where(
            outbox.c.status.in_(WAITING),
            outbox.c.next_attempt_at <= now,
            outbox.c.lease_token.is_not(None),
            outbox.c.lease_until > now,
            outbox.c.lease_expires_at > wall,
        )
    )
    with engine.connect() as conn:
        tokens = [str(token) for token in conn.scalars(query)]
    holders = {number for token in tokens if (number := leases.holder_number(token)) is not None}
    alive = leases.live_holders(engine, holders)
    return [token for token in tokens if leases.holder_number(token) not in alive]


def postpone(uow: UnitOfWork, outbox_id: int, until: datetime) -> None:
    """Give the row back untried (rate limit): due again from ``until``, no attempt counted."""
    uow.connection.execute(sa.update(outbox).where(outbox.c.id == outbox_id).values(next_attempt_at=until))


def lock_many(uow: UnitOfWork, outbox_ids: list[int], token: str) -> list[OutboxMessage]:
    """The messages of ``outbox_ids`` still waiting under this claim's lease, in id order, their rows locked until
    the unit of work ends (the others were delivered meanwhile, or their lease ran out and another run took them).
    The lease is *not* released here: each message's outcome releases it (:func:`release`), so a message the group
    does not get to stays leased to this claim."""
    return uow.outbox.locked_waiting(outbox_ids, token, lock=uow.dialect == "postgresql")


def release(uow: UnitOfWork, outbox_ids: list[int]) -> None:
    """Clear the lease of messages whose outcome this unit of work records (kept if it rolls back)."""
    if outbox_ids:
        uow.connection.execute(
            sa.update(outbox)
            .where(outbox.c.id.in_(outbox_ids))
            .values(lease_token=None, lease_until=None, lease_expires_at=None)
        )


# --- recipients -------------------------------------------------------------------------------------------


def targets(
    uow: UnitOfWork,
    message: OutboxMessage,
    on: date,
    url_templates: UrlTemplates,
    hr_email: str | None,
    secrets: SecretBox | None = None,
    known: Known | None = None,
    operator_emails: Sequence[str] = (),
) -> list[Target]:
    """Who receives the message, each with the addresses to try (only ``message.channel`` when it names one);
    ``known``: what :func:`prefetch` read for the message's group; ``operator_emails``: the operators' mailboxes
    (``BAGALAU_OPERATOR_EMAILS``) for a message to the operators."""
    if message.recipient_role == OPERATORS:
        return operators(uow, message, operator_emails, url_templates, secrets)
    if message.recipient_person_id is not None:
        known = known or Known()
        person = known.person(uow, message.recipient_person_id)
        # the flow chose the language when it queued the message
        return [_target(uow, person, message.language, message.channel, url_templates, secrets, known=known)]
    avoid = failed_channels(message)
    if message.recipient_role == Role.HR.value and hr_email and EMAIL not in avoid:
        return [_mailbox(hr_email, message.language, url_templates)]
    holders = role_holders(uow, message.body_id, Role(str(message.recipient_role)), on)
    found = [
        _target(uow, person, person.language, message.channel, url_templates, secrets, avoid) for person in holders
    ]
    if message.recipient_role == Role.HR.value and hr_email:
        # e-mail just failed: HR's members by their other channels first; the mailbox too, should mail be back
        found.append(_mailbox(hr_email, message.language, url_templates))
    return found


OPERATORS = "operator"
"""``recipient_role`` of a message to the installation's operators (``operator_alert``): the addresses of
``BAGALAU_OPERATOR_EMAILS``, and every enabled account granted ``admin`` for the body whose person has a contact
(docs/decisions/0160)."""


def operators(
    uow: UnitOfWork,
    message: OutboxMessage,
    emails: Sequence[str],
    url_templates: UrlTemplates,
    secrets: SecretBox | None = None,
) -> list[Target]:
    """The operators: each configured mailbox, then the body's admins who are people of the body."""
    found = []
    for address in dict.fromkeys(emails):
        target = Target("operators", message.language)
        try:
            target.addresses.append(resolve("operators' mailbox", EMAIL, address, url_templates=url_templates))
        except ChannelError as exc:
            target.problems.append(exc)
        found.append(target)
    admins = sa.text(
        "SELECT DISTINCT u.person_id FROM app_user u JOIN user_role r ON r.user_id = u.id "
        "JOIN person p ON p.id = u.person_id "
        "WHERE r.role = 'admin' AND NOT u.disabled AND p.body_id = :body ORDER BY u.person_id"
    )
    for person_id in uow.connection.scalars(admins, {"body": message.body_id}):
        person = uow.org.person(int(person_id))
        found.append(_target(uow, person, person.language, message.channel, url_templates, secrets))
    return found


FAILED_CHANNELS = "failed_channels"
"""Payload key of a ``delivery_failed`` escalation: the channel kinds that failed (tried last for HR)."""


def failed_channels(message: OutboxMessage) -> frozenset[str]:
    """The channel kinds a ``delivery_failed`` escalation should avoid (empty for every other message)."""
    if message.kind != MessageKind.DELIVERY_FAILED:
        return frozenset()
    kinds = message.payload.get(FAILED_CHANNELS) or []
    return frozenset(str(kind) for kind in kinds) if isinstance(kinds, list) else frozenset()


def role_holders(uow: UnitOfWork, body_id: int, role: Role, on: date) -> list[Person]:
    """The people holding a body role (``hr``, ``hr_head`` …) on a date."""
    return [uow.org.person(person_id) for person_id in dict.fromkeys(uow.org.people_with_role(body_id, role, on))]


def hr_language(uow: UnitOfWork, body_id: int, on: date) -> Language:
    """What an escalation to HR is written in: the first HR member's language, Kazakh if there is none."""
    holders = role_holders(uow, body_id, Role.HR, on)
    return holders[0].language if holders else Language.KK


def find_person(
    uow: UnitOfWork, person_ref: str, url_templates: UrlTemplates, secrets: SecretBox | None = None
) -> Target:
    """A person by id or personnel number, with every contact resolved (unusable ones in ``problems``)."""
    if person_ref.isdigit():
        person = uow.org.person(int(person_ref))
    else:
        query = sa.select(person_table.c.id).where(person_table.c.personnel_number == person_ref)
        ids = list(uow.connection.scalars(query))
        if len(ids) != 1:
            found = "no person" if not ids else f"{len(ids)} people (one per body: give the id)"
            raise LookupError(f"{found} with personnel number {person_ref!r}")
        person = uow.org.person(ids[0])
    return _target(uow, person, person.language, None, url_templates, secrets)


def _target(
    uow: UnitOfWork,
    person: Person,
    language: Language,
    only: str | None,
    url_templates: UrlTemplates,
    secrets: SecretBox | None = None,
    avoid: frozenset[str] = frozenset(),
    known: Known | None = None,
) -> Target:
    """The person's usable addresses in priority order (kinds in ``avoid`` last), the unusable in ``problems``."""
    target = Target(person.full_name, language, person.id)
    contacts = known.contacts_of(uow, person.id) if known is not None else uow.org.contacts(person.id)
    for contact in contacts:
        if only and contact.kind != only:
            continue
        try:
            url = open_secret(contact.apprise_url, secrets) if contact.apprise_url else None
        except SecretUnavailable as exc:
            target.problems.append(ChannelError(person.full_name, contact.kind, contact.address, str(exc)))
            continue
        try:
            target.addresses.append(
                resolve(person.full_name, contact.kind, contact.address, url, url_templates=url_templates)
            )
        except ChannelError as exc:
            target.problems.append(exc)
    target.addresses.sort(key=lambda address: address.channel in avoid)  # stable: priority order otherwise kept
    return target


def _mailbox(address: str, language: Language, url_templates: UrlTemplates) -> Target:
    target = Target("HR", language)
    try:
        target.addresses.append(resolve("HR mailbox", EMAIL, address, url_templates=url_templates))
    except ChannelError as exc:
        target.problems.append(exc)
    return target


# --- R-2 --------------------------------------------------------------------------------------------------


def may_see_result(
    uow: UnitOfWork, evaluation_id: int | None, person_id: int | None, on: date, known: Known | None = None
) -> bool:
    """R-2 (``domain.access.visibility``): the evaluatee, the evaluator, the HR head, the calibration participants and,
    for a Commission's result, the Commission and the official approving it — nobody else. ``known``: the
    group's prefetched parties and principals (read here when missing)."""
    if evaluation_id is None or person_id is None:
        return False
    parties = known.parties.get(evaluation_id) if known is not None else None
    if parties is None:
        parties = access.evaluation_parties(uow.session, [evaluation_id], on).get(evaluation_id)
    principal = known.principals.get(person_id) if known is not None else None
    if principal is None:
        principal = access.person_principal(uow.session, person_id, on)
    return parties is not None and principal is not None and rules.may_see_result(principal, parties)
