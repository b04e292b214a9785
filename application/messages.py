"""Queuing notices: one outbox row per idempotency key, due at the start of the day they are decided on.

One helper for every message: :func:`queue` (one at a time, through the outbox repository) and :func:`compose`
(the rows, for a set-based insert) take a recipient — a person id, :data:`HR` (every HR member of the body, or
its mailbox) or :data:`OFFICIAL_AND_HR` (the appointing official, when the body has one, and HR) — and write
the message in the recipient's language.

Keys name what a message is about, so that a re-run queues nothing twice (``notice:<evaluation>``,
``reminder:<evaluation>:<date>``, ``escalation:<evaluation>:<kind>:<level>`` …). Payloads carry the template
variables; a result (score, category) is added only to the kinds that may show one (R-2, decided again per
recipient at delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from application.context import BodyContext
from domain.routing import seat_holder
from domain.rulebook import Rulebook
from domain.vocabulary import Language, ResultCategory, Role
from notifications.kinds import MessageKind
from persistence.records import NewMessage


class Audience(StrEnum):
    """Recipients that are a role of the body rather than one person."""

    HR = "hr"
    OFFICIAL_AND_HR = "official_and_hr"


HR = Audience.HR
OFFICIAL_AND_HR = Audience.OFFICIAL_AND_HR

Recipient = int | Audience
"""A person id, or an :class:`Audience`."""


def compose(
    ctx: BodyContext,
    to: Recipient,
    *,
    key: str,
    kind: MessageKind | str,
    day: date,
    payload: Mapping[str, Any],
    evaluation_id: int | None = None,
) -> list[NewMessage]:
    """The outbox rows of one message to ``to``: one row, or two for the official and HR (keys ``…:official``,
    ``…:hr``)."""
    if to == Audience.OFFICIAL_AND_HR:
        found: list[NewMessage] = []
        if ctx.appointing_official is not None:
            found.append(_row(ctx, ctx.appointing_official, f"{key}:official", kind, day, payload, evaluation_id))
        found.append(_row(ctx, Audience.HR, f"{key}:hr", kind, day, payload, evaluation_id))
        return found
    return [_row(ctx, to, key, kind, day, payload, evaluation_id)]


def queue(
    ctx: BodyContext,
    to: Recipient,
    *,
    key: str,
    kind: MessageKind | str,
    day: date,
    payload: Mapping[str, Any],
    evaluation_id: int | None = None,
) -> int:
    """Queue one message to ``to`` in this unit of work (keyed: a second call queues nothing); how many rows were
    new."""
    rows = compose(ctx, to, key=key, kind=kind, day=day, payload=payload, evaluation_id=evaluation_id)
    return sum(ctx.uow.outbox.enqueue(row) for row in rows)


IN_THE_SEATS_STEAD = frozenset(
    str(kind.value)
    for kind in (
        MessageKind.SHEET_REQUEST,
        MessageKind.REMINDER,
        MessageKind.OVERDUE_EVALUATOR,
        MessageKind.OVERDUE_HEAD,
        MessageKind.DISAGREEMENT_RECEIVED,
        MessageKind.CALIBRATION_DECIDED,
        MessageKind.COMMISSION_SCHEDULE_NOTICE,
        MessageKind.COMMISSION_APPROVAL_REQUEST,
    )
)
"""G-7: kinds addressed to someone for their post (evaluator, head, appointing official, panel member) and
carrying no result (R-2): while an acting appointment lasts and the person is away, the acting person receives
them."""


def seat_holder_of(ctx: BodyContext, person_id: int, day: date) -> int:
    """G-7: who receives in ``person_id``'s stead on ``day`` (the person acting for them while they are away);
    asked once per person and day in a unit of work (an evaluator receives a message per evaluatee: issue 13)."""
    known = ctx.seat_holders.get((person_id, day))
    if known is not None:
        return known
    number = ctx.numbers.get(person_id)
    if number is None or number not in ctx.org.employees_by_id:
        holder = person_id
    else:
        holder = ctx.ids.get(seat_holder(number, ctx.org, day), person_id)
    ctx.seat_holders[(person_id, day)] = holder
    return holder


def _row(
    ctx: BodyContext,
    to: int | Audience,
    key: str,
    kind: MessageKind | str,
    day: date,
    payload: Mapping[str, Any],
    evaluation_id: int | None,
) -> NewMessage:
    person = None if isinstance(to, Audience) else to
    if person is not None and str(kind) in IN_THE_SEATS_STEAD:
        person = seat_holder_of(ctx, person, day)
    if person is not None:
        language = ctx.language(person)
    else:
        language = ctx.language(ctx.hr[0]) if ctx.hr else Language.KK
    return NewMessage(
        idempotency_key=key,
        body_id=ctx.body_id,
        kind=str(kind.value if isinstance(kind, MessageKind) else kind),
        due_at=ctx.env.clock.day_start(day),
        recipient_person_id=person,
        recipient_role=Role.HR.value if person is None else None,
        language=language,
        payload=_with_sheet_link(ctx, kind, payload, evaluation_id),
        evaluation_id=evaluation_id,
    )


SHEET_LINKED = frozenset(
    str(kind.value)
    for kind in (
        MessageKind.SHEET_REQUEST,
        MessageKind.REMINDER,
        MessageKind.OVERDUE_EVALUATOR,
        MessageKind.SHEET_RETURNED,
    )
)
"""The evaluator's kinds about a sheet to fill in (P-1, P-2, M-5): each carries ``sheet_link``, the address of the
sheet's form (``{BAGALAU_BASE_URL}/sheets/{evaluation}``), as the result notice carries ``/ack/{evaluation}``."""


def _with_sheet_link(
    ctx: BodyContext, kind: MessageKind | str, payload: Mapping[str, Any], evaluation_id: int | None
) -> dict[str, Any]:
    found = dict(payload)
    if evaluation_id is not None and str(kind) in SHEET_LINKED and "sheet_link" not in found:
        found["sheet_link"] = sheet_link(ctx, evaluation_id)
    return found


def sheet_link(ctx: BodyContext, evaluation_id: int) -> str:
    """The address of an evaluation's sheet form on the web (``/sheets/{id}``, decision 0090)."""
    return ctx.env.link(f"sheets/{evaluation_id}")


def sheets_prefix(ctx: BodyContext) -> str:
    """What :func:`sheet_link` puts before the evaluation's id: the database composes the same link (issue 13)."""
    return ctx.env.link("sheets/")


def result_payload(book: Rulebook, score: Decimal | None, category: ResultCategory | str | None) -> dict[str, Any]:
    """The result variables of a message (R-2: shown only to those allowed, in the kinds allowed)."""
    payload: dict[str, Any] = {"rulebook": book.id}
    if score is not None:
        payload["score"] = str(score)
    if category is not None:
        name = book.results.name_of(ResultCategory(category))
        payload["category"] = str(category)
        payload["category_name"] = {"kk": name.kk, "ru": name.ru, "en": name.en}
    return payload
