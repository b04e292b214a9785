"""Queuing notices: one outbox row per idempotency key, due at the start of the day they are decided on.

Keys name what a message is about, so that a re-run queues nothing twice (``notice:<evaluation>``,
``reminder:<evaluation>:<date>``, ``escalation:<evaluation>:<kind>:<level>`` …). Payloads carry the template
variables; a result (score, category) is added only to the kinds that may show one (R-2, decided again per
recipient at delivery).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from bagalau.services.context import BodyContext
from domain.rulebook import Rulebook
from domain.vocabulary import Language, ResultCategory, Role
from flows import runtime
from persistence.records import NewMessage


def to_person(
    ctx: BodyContext,
    *,
    key: str,
    kind: str,
    person_id: int,
    day: date,
    payload: Mapping[str, Any],
    evaluation_id: int | None = None,
    channel: str | None = None,
) -> NewMessage:
    """A message to one person, in their language."""
    return NewMessage(
        idempotency_key=key,
        body_id=ctx.body_id,
        kind=kind,
        due_at=runtime.day_start(day),
        recipient_person_id=person_id,
        language=ctx.language(person_id),
        channel=channel,
        payload=dict(payload),
        evaluation_id=evaluation_id,
    )


def to_hr(
    ctx: BodyContext, *, key: str, kind: str, day: date, payload: Mapping[str, Any], evaluation_id: int | None = None
) -> NewMessage:
    """A message to the HR service (every HR member of the body, or its mailbox)."""
    language = ctx.language(ctx.hr[0]) if ctx.hr else Language.KK
    return NewMessage(
        idempotency_key=key,
        body_id=ctx.body_id,
        kind=kind,
        due_at=runtime.day_start(day),
        recipient_role=Role.HR.value,
        language=language,
        payload=dict(payload),
        evaluation_id=evaluation_id,
    )


def to_official_and_hr(
    ctx: BodyContext, *, key: str, kind: str, day: date, payload: Mapping[str, Any], evaluation_id: int | None = None
) -> list[NewMessage]:
    """The same message to the appointing official (when the body has one) and to the HR service."""
    found: list[NewMessage] = []
    if ctx.appointing_official is not None:
        found.append(
            to_person(
                ctx,
                key=f"{key}:official",
                kind=kind,
                person_id=ctx.appointing_official,
                day=day,
                payload=payload,
                evaluation_id=evaluation_id,
            )
        )
    found.append(to_hr(ctx, key=f"{key}:hr", kind=kind, day=day, payload=payload, evaluation_id=evaluation_id))
    return found


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


def link(path: str) -> str:
    """A link into Bagalau for a message (``BAGALAU_BASE_URL``)."""
    from bagalau.settings import get_settings

    return f"{get_settings().base_url}/{path.lstrip('/')}"
