"""The outbox tables as delivery sees them: claim, lock, recipients, R-2 audience, attempts, outcomes, enqueue.

SQLAlchemy Core over the tables of ``persistence.models`` (the only module of ``notifications`` that touches the
database). Every function takes an open connection: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from domain.vocabulary import Language, OutboxStatus, Role
from notifications.channels import EMAIL, Address, ChannelError, resolve
from persistence.models import (
    AcknowledgementRow,
    BodyRoleRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    ContactChannelRow,
    DeliveryAttemptRow,
    EvaluationRow,
    OutboxMessageRow,
    PersonRow,
)

outbox: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
attempt: sa.Table = DeliveryAttemptRow.__table__  # type: ignore[attr-defined]
acknowledgement: sa.Table = AcknowledgementRow.__table__  # type: ignore[attr-defined]
person: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
contact: sa.Table = ContactChannelRow.__table__  # type: ignore[attr-defined]
body_role: sa.Table = BodyRoleRow.__table__  # type: ignore[attr-defined]
evaluation: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
calibration_case: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
calibration_member: sa.Table = CalibrationMemberRow.__table__  # type: ignore[attr-defined]

WAITING = (OutboxStatus.PENDING.value, OutboxStatus.RETRYING.value)


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row, as delivery reads it."""

    id: int
    key: str
    body_id: int
    person_id: int | None
    role: str | None
    kind: str
    language: str
    channel: str | None
    payload: Mapping[str, Any]
    evaluation_id: int | None
    attempts: int
    next_attempt_at: datetime


@dataclass
class Target:
    """One recipient of a message and, in the order to try them, the addresses that can reach them."""

    name: str
    language: str
    person_id: int | None = None
    addresses: list[Address] = field(default_factory=list)
    problems: list[ChannelError] = field(default_factory=list)


def _is_postgres(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql"


# --- claiming ---------------------------------------------------------------------------------------------


def claim_due(conn: sa.Connection, now: datetime, limit: int, lease_until: datetime) -> list[int]:
    """Take up to ``limit`` due messages for this worker: lock them (skip those others hold) and lease them.

    The lease (``next_attempt_at = lease_until``) keeps other workers off the rows after this transaction
    commits; it doubles as this claim's token (:func:`lock`).
    """
    query = (
        sa.select(outbox.c.id)
        .where(outbox.c.status.in_(WAITING), outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if _is_postgres(conn):
        query = query.with_for_update(skip_locked=True)
    ids = list(conn.scalars(query))
    if ids:
        conn.execute(sa.update(outbox).where(outbox.c.id.in_(ids)).values(next_attempt_at=lease_until))
    return ids


def lock(conn: sa.Connection, outbox_id: int, lease_until: datetime) -> OutboxItem | None:
    """The row, locked until commit, if it is still waiting under this worker's lease; else ``None``."""
    query = sa.select(outbox).where(outbox.c.id == outbox_id)
    if _is_postgres(conn):
        query = query.with_for_update()
    row = conn.execute(query).mappings().one_or_none()
    if row is None or row["status"] not in WAITING or row["next_attempt_at"] != lease_until:
        return None  # delivered meanwhile, or the lease ran out and another worker took the row
    return _item(row)


def _item(row: Mapping[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        key=row["idempotency_key"],
        body_id=row["body_id"],
        person_id=row["recipient_person_id"],
        role=row["recipient_role"],
        kind=row["kind"],
        language=row["language"],
        channel=row["channel"],
        payload=row["payload"] or {},
        evaluation_id=row["evaluation_id"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
    )


# --- recipients -------------------------------------------------------------------------------------------


def targets(
    conn: sa.Connection, item: OutboxItem, on: date, url_templates: Mapping[str, str | None], hr_email: str | None
) -> list[Target]:
    """Who receives the message, each with the addresses to try (only ``item.channel`` when it names one)."""
    if item.person_id is not None:
        people = [_person(conn, item.person_id)]
        languages = {item.person_id: item.language}  # the flow chose the language when it queued the message
    elif item.role == Role.HR.value and hr_email:
        return [_mailbox(hr_email, item.language, url_templates)]
    else:
        people = role_holders(conn, item.body_id, str(item.role), on)
        languages = {}
    found = []
    for row in people:
        target = Target(row["full_name"], languages.get(row["id"], row["language"]), row["id"])
        _add_addresses(conn, target, item.channel, url_templates)
        found.append(target)
    return found


def _person(conn: sa.Connection, person_id: int) -> Mapping[str, Any]:
    query = sa.select(person.c.id, person.c.full_name, person.c.language).where(person.c.id == person_id)
    return conn.execute(query).mappings().one()


def role_holders(conn: sa.Connection, body_id: int, role: str, on: date) -> Sequence[Mapping[str, Any]]:
    """People holding a body role (``hr``, ``hr_head`` …) on a date."""
    query = (
        sa.select(person.c.id, person.c.full_name, person.c.language)
        .join(body_role, body_role.c.person_id == person.c.id)
        .where(body_role.c.body_id == body_id, body_role.c.role == role, *_active(body_role, on))
        .order_by(person.c.id)
        .distinct()
    )
    return conn.execute(query).mappings().all()


def _active(table: sa.Table, on: date) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        sa.or_(table.c.started_on.is_(None), table.c.started_on <= on),
        sa.or_(table.c.ended_on.is_(None), table.c.ended_on >= on),
    )


def _mailbox(address: str, language: str, url_templates: Mapping[str, str | None]) -> Target:
    target = Target("HR", language)
    try:
        target.addresses.append(resolve("HR mailbox", EMAIL, address, url_templates=url_templates))
    except ChannelError as exc:
        target.problems.append(exc)
    return target


def _add_addresses(
    conn: sa.Connection, target: Target, only: str | None, url_templates: Mapping[str, str | None]
) -> None:
    for row in contacts(conn, target.person_id or 0, only):
        try:
            target.addresses.append(
                resolve(target.name, row["kind"], row["address"], row["apprise_url"], url_templates=url_templates)
            )
        except ChannelError as exc:
            target.problems.append(exc)


def contacts(conn: sa.Connection, person_id: int, only: str | None = None) -> Sequence[Mapping[str, Any]]:
    """A person's contact channels, lower priority first (``only``: just that kind)."""
    query = sa.select(contact).where(contact.c.person_id == person_id).order_by(contact.c.priority, contact.c.id)
    if only:
        query = query.where(contact.c.kind == only)
    return conn.execute(query).mappings().all()


def find_person(conn: sa.Connection, person_ref: str, url_templates: Mapping[str, str | None]) -> Target:
    """A person by id or personnel number, with every contact resolved (unusable ones in ``problems``)."""
    column = person.c.id if person_ref.isdigit() else person.c.personnel_number
    value: int | str = int(person_ref) if person_ref.isdigit() else person_ref
    query = sa.select(person.c.id, person.c.full_name, person.c.language).where(column == value)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise LookupError(f"no person {person_ref!r} (give an id or a personnel number)")
    target = Target(row["full_name"], row["language"], row["id"])
    _add_addresses(conn, target, None, url_templates)
    return target


def role_language(conn: sa.Connection, body_id: int, role: str, on: date) -> str:
    """The language of the first holder of a role (what an HR escalation is written in); Kazakh if none."""
    holders = role_holders(conn, body_id, role, on)
    return str(holders[0]["language"]) if holders else Language.KK.value


# --- R-2 ------------------------------------------------------------------------------------------------------


def may_see_result(conn: sa.Connection, evaluation_id: int | None, person_id: int | None, on: date) -> bool:
    """R-2: the evaluatee, the evaluator, the HR head and the calibration participants — nobody else."""
    if evaluation_id is None or person_id is None:
        return False
    row = conn.execute(
        sa.select(evaluation.c.person_id, evaluation.c.evaluator_id, person.c.body_id)
        .join(person, person.c.id == evaluation.c.person_id)
        .where(evaluation.c.id == evaluation_id)
    ).one_or_none()
    if row is None:
        return False
    if person_id in (row.person_id, row.evaluator_id):
        return True
    heads = role_holders(conn, row.body_id, Role.HR_HEAD.value, on)
    return any(head["id"] == person_id for head in heads) or _calibration_member(conn, evaluation_id, person_id)


def _calibration_member(conn: sa.Connection, evaluation_id: int, person_id: int) -> bool:
    query = (
        sa.select(sa.literal(1))
        .select_from(calibration_member.join(calibration_case, calibration_case.c.id == calibration_member.c.case_id))
        .where(calibration_case.c.evaluation_id == evaluation_id, calibration_member.c.person_id == person_id)
    )
    return conn.execute(query).first() is not None


# --- outcomes -------------------------------------------------------------------------------------------------


def record_attempt(
    conn: sa.Connection, outbox_id: int, at: datetime, address: Address, ok: bool, response: str
) -> None:
    """One attempt on one address, with the channel's answer."""
    conn.execute(
        sa.insert(attempt).values(
            outbox_id=outbox_id,
            attempted_at=at,
            channel=address.channel[:32],
            address=address.address[:500],
            ok=ok,
            response=response,
        )
    )


def mark_delivered(
    conn: sa.Connection, outbox_id: int, at: datetime, address: str, proof: Mapping[str, Any], attempts: int
) -> None:
    conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(
            status=OutboxStatus.DELIVERED.value,
            attempts=attempts,
            delivered_at=at,
            delivered_address=address[:500],
            proof=dict(proof),
            last_error=None,
        )
    )


def mark_retry(conn: sa.Connection, outbox_id: int, attempts: int, next_at: datetime, error: str) -> None:
    conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(status=OutboxStatus.RETRYING.value, attempts=attempts, next_attempt_at=next_at, last_error=error)
    )


def mark_dead(conn: sa.Connection, outbox_id: int, attempts: int, error: str) -> None:
    conn.execute(
        sa.update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(status=OutboxStatus.DEAD.value, attempts=attempts, last_error=error)
    )


def postpone(conn: sa.Connection, outbox_id: int, until: datetime) -> None:
    """Give the row back untried (rate limit): due again from ``until``, no attempt counted."""
    conn.execute(sa.update(outbox).where(outbox.c.id == outbox_id).values(next_attempt_at=until))


# --- enqueue ----------------------------------------------------------------------------------------------


def enqueue(
    conn: sa.Connection,
    *,
    key: str,
    body_id: int,
    kind: str,
    language: str,
    payload: Mapping[str, Any],
    due_at: datetime,
    person_id: int | None = None,
    role: str | None = None,
    channel: str | None = None,
    evaluation_id: int | None = None,
) -> bool:
    """Queue a message once per idempotency key; ``False`` when the key was queued before (nothing changes)."""
    values = {
        "idempotency_key": key,
        "body_id": body_id,
        "recipient_person_id": person_id,
        "recipient_role": role,
        "kind": kind,
        "language": language,
        "channel": channel,
        "payload": dict(payload),
        "evaluation_id": evaluation_id,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
    }
    insert = postgresql.insert(outbox) if _is_postgres(conn) else sqlite.insert(outbox)
    result = conn.execute(insert.values(values).on_conflict_do_nothing(index_elements=["idempotency_key"]))
    return bool(result.rowcount)


# --- proof ------------------------------------------------------------------------------------------------


def messages_about(conn: sa.Connection, evaluation_id: int) -> Sequence[Mapping[str, Any]]:
    """Every outbox row about an evaluation, oldest first."""
    query = sa.select(outbox).where(outbox.c.evaluation_id == evaluation_id).order_by(outbox.c.created_at, outbox.c.id)
    return conn.execute(query).mappings().all()


def attempts_of(conn: sa.Connection, outbox_ids: Sequence[int]) -> Sequence[Mapping[str, Any]]:
    query = sa.select(attempt).where(attempt.c.outbox_id.in_(outbox_ids)).order_by(attempt.c.attempted_at, attempt.c.id)
    return conn.execute(query).mappings().all()


def evaluation_facts(conn: sa.Connection, evaluation_id: int) -> Mapping[str, Any] | None:
    query = (
        sa.select(
            evaluation.c.id,
            evaluation.c.person_id,
            person.c.full_name,
            evaluation.c.acquaint_by,
            evaluation.c.acquainted_on,
            evaluation.c.acquaintance_method,
        )
        .join(person, person.c.id == evaluation.c.person_id)
        .where(evaluation.c.id == evaluation_id)
    )
    return conn.execute(query).mappings().one_or_none()


def acknowledgements(conn: sa.Connection, evaluation_id: int) -> Sequence[Mapping[str, Any]]:
    query = (
        sa.select(acknowledgement)
        .where(acknowledgement.c.evaluation_id == evaluation_id)
        .order_by(acknowledgement.c.acknowledged_at)
    )
    return conn.execute(query).mappings().all()
