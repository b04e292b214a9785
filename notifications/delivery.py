"""Deliver the outbox: claim due messages in batches, render each, send it, record every attempt and the proof.

``deliver_due`` is at-least-once (docs/decisions/0010): a batch is claimed with ``FOR UPDATE SKIP LOCKED`` and
leased, then every message is delivered in its own transaction, which locks the row, sends, and records the
attempt and the outcome together. A crash between a send and its commit repeats that one send once, after the
lease. Failures are retried with exponential backoff; after the last attempt the message is dead and HR is told
(``delivery_failed``, key ``dead:<id>``), as it is when someone has no usable channel at all (C-1, Q-4) or when a
template cannot be rendered (the recipient then gets a generic notice in their language instead).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from domain.vocabulary import Role
from notifications import store
from notifications.channels import Address, AppriseChannel, Channel, SendResult
from notifications.config import DeliveryConfig
from notifications.kinds import MessageKind
from notifications.rendering import Message, RenderError, fallback_message, render
from notifications.store import OutboxItem, Target

log = logging.getLogger(__name__)

POSTPONE = timedelta(seconds=1)
"""A message held back by the rate limit is due again just after this run's ``now``: in the next run."""


# --- the report -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handed:
    """A message a channel accepted: who, what, where, when."""

    outbox_id: int
    key: str
    kind: str
    person_id: int | None
    channel: str
    address: str
    at: datetime


@dataclass
class DeliveryReport:
    """What one :func:`deliver_due` run did, by outbox id."""

    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    postponed: list[int] = field(default_factory=list)
    fallbacks: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    handed: list[Handed] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a log or the CLI."""
        counts = {
            "delivered": len(self.delivered),
            "retrying": len(self.retrying),
            "dead": len(self.dead),
            "postponed (rate limit)": len(self.postponed),
            "fallback notices": len(self.fallbacks),
            "HR escalations": len(self.escalations),
            "internal errors": len(self.failed),
        }
        return ", ".join(f"{name}: {count}" for name, count in counts.items())


class Budget:
    """The rate limit: at most N messages per channel kind in one run (kinds without a limit are free)."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        self._left = dict(limits)

    def has_room(self, channels: list[str]) -> bool:
        needed = Counter(channels)
        return all(self._left.get(kind, count) >= count for kind, count in needed.items())

    def take(self, channel: str) -> bool:
        if channel not in self._left:
            return True
        if self._left[channel] <= 0:
            return False
        self._left[channel] -= 1
        return True


@dataclass
class _Run:
    now: datetime
    channel: Channel
    config: DeliveryConfig
    budget: Budget
    report: DeliveryReport

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True)
class _Reached:
    target: Target
    address: Address
    message: Message
    response: str


# --- the run ----------------------------------------------------------------------------------------------


def deliver_due(
    engine: sa.Engine,
    now: datetime,
    batch_size: int = 200,
    channels: Channel | None = None,
    config: DeliveryConfig | None = None,
) -> DeliveryReport:
    """Deliver every outbox message due at ``now``; ``channels``: the adapter (default: real apprise)."""
    run = _Run(_aware(now), channels or AppriseChannel(), config or _configured(), Budget({}), DeliveryReport())
    run.budget = Budget(run.config.rate_limits)
    lease_until = run.now + run.config.lease
    while ids := _claim(engine, run.now, batch_size, lease_until):
        for outbox_id in ids:
            _deliver_in_own_transaction(engine, outbox_id, lease_until, run)
    log.info("outbox at %s: %s", run.now.isoformat(), run.report.summary())
    return run.report


def _configured() -> DeliveryConfig:
    from bagalau.settings import get_settings

    return DeliveryConfig.from_settings(get_settings())


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _claim(engine: sa.Engine, now: datetime, batch_size: int, lease_until: datetime) -> list[int]:
    with engine.begin() as conn:
        return store.claim_due(conn, now, batch_size, lease_until)


def _deliver_in_own_transaction(engine: sa.Engine, outbox_id: int, lease_until: datetime, run: _Run) -> None:
    try:
        with engine.begin() as conn:
            item = store.lock(conn, outbox_id, lease_until)
            if item is not None:
                _deliver(conn, item, run)
    except Exception as exc:  # a bug or a lost database: count it as a failed attempt, keep going with the rest
        log.exception("delivering outbox message %s failed", outbox_id)
        run.report.failed.append(outbox_id)
        _record_internal_error(engine, outbox_id, lease_until, run, exc)


def _record_internal_error(engine: sa.Engine, outbox_id: int, lease_until: datetime, run: _Run, exc: Exception) -> None:
    try:
        with engine.begin() as conn:
            item = store.lock(conn, outbox_id, lease_until)
            if item is not None:
                _failed(conn, item, run, f"internal error: {exc!r}", item.attempts + 1, [])
    except Exception:
        log.exception("outbox message %s stays leased until %s", outbox_id, lease_until.isoformat())


# --- one message ------------------------------------------------------------------------------------------


def _deliver(conn: sa.Connection, item: OutboxItem, run: _Run) -> None:
    config = run.config
    targets = store.targets(conn, item, run.today, config.url_templates, config.hr_email)
    reachable = [target for target in targets if target.addresses]
    if not reachable:
        _dead(conn, item, run, _no_channel(item, targets), item.attempts, targets)
        return
    if not run.budget.has_room([target.addresses[0].channel for target in reachable]):
        store.postpone(conn, item.id, run.now + POSTPONE)
        run.report.postponed.append(item.id)
        return
    errors: list[str] = []
    reached = [hit for target in reachable if (hit := _send_to_target(conn, item, target, run, errors))]
    if reached:
        _delivered(conn, item, run, reached)
    else:
        _failed(conn, item, run, "; ".join(errors), item.attempts + 1, targets)


def _send_to_target(
    conn: sa.Connection, item: OutboxItem, target: Target, run: _Run, errors: list[str]
) -> _Reached | None:
    """Try the target's addresses in order until one accepts; every try is a recorded attempt."""
    message = _compose(conn, item, target, run)
    for address in target.addresses:
        if not run.budget.take(address.channel):
            errors.append(f"{address.channel} {address.address}: not tried, rate limit of this run reached")
            continue
        result = _send(run.channel, address, message, item.key)
        store.record_attempt(conn, item.id, run.now, address, result.ok, result.response)
        if result.ok:
            return _Reached(target, address, message, result.response)
        errors.append(f"{address.channel} {address.address}: {_last_line(result.response)}")
    return None


def _send(channel: Channel, address: Address, message: Message, key: str) -> SendResult:
    try:
        return channel.send(address, message, message_key=key)
    except Exception as exc:  # an adapter must answer, not raise: a raise is a refusal like any other
        log.warning("channel %s raised for %s: %r", address.channel, address.address, exc)
        return SendResult(False, f"the channel raised {exc!r}")


def _compose(conn: sa.Connection, item: OutboxItem, target: Target, run: _Run) -> Message:
    """Render for this recipient (R-2 decided per person); a broken template becomes a generic notice + HR told."""
    allowed = store.may_see_result(conn, item.evaluation_id, target.person_id, run.today)
    payload = dict(item.payload)
    if target.person_id is not None:
        payload.setdefault("recipient_name", target.name)
    try:
        return render(item.kind, target.language, payload, allowed, max_field_chars=run.config.max_field_chars)
    except RenderError as exc:
        log.warning("outbox message %s: %s; sending the generic notice instead", item.id, exc)
        if item.id not in run.report.fallbacks:
            run.report.fallbacks.append(item.id)
        _escalate(conn, item, run, f"render:{item.id}", f"template problem: {exc}", _names([target]), item.attempts)
        return fallback_message(item.kind, target.language, payload.get("recipient_name"))


# --- outcomes ---------------------------------------------------------------------------------------------


def _delivered(conn: sa.Connection, item: OutboxItem, run: _Run, reached: list[_Reached]) -> None:
    deliveries = [_proof_of(hit) for hit in reached]
    proof = {**deliveries[0], "at": run.now.isoformat(), "message_key": item.key, "deliveries": deliveries}
    addresses = ", ".join(hit.address.address for hit in reached)
    store.mark_delivered(conn, item.id, run.now, addresses, proof, item.attempts + 1)
    run.report.delivered.append(item.id)
    run.report.handed.extend(
        Handed(item.id, item.key, item.kind, hit.target.person_id, hit.address.channel, hit.address.address, run.now)
        for hit in reached
    )


def _proof_of(hit: _Reached) -> dict[str, Any]:
    """What was sent, to which address, through what, and what the channel answered (C-1, Q-4, M-8)."""
    return {
        "person_id": hit.target.person_id,
        "address": hit.address.address,
        "channel": hit.address.channel,
        "url": hit.address.safe_url,
        "response": hit.response,
        "language": str(hit.message.language),
        "subject": hit.message.subject,
        "body": hit.message.body,
        "content_sha256": hit.message.content_hash,
        "fallback": hit.message.fallback,
        "truncated_fields": list(hit.message.truncated_fields),
    }


def _failed(conn: sa.Connection, item: OutboxItem, run: _Run, error: str, attempts: int, targets: list[Target]) -> None:
    if attempts >= run.config.max_attempts:
        _dead(conn, item, run, f"gave up after {attempts} attempt(s): {error}", attempts, targets)
        return
    next_at = run.now + run.config.backoff_after(attempts)
    store.mark_retry(conn, item.id, attempts, next_at, error)
    run.report.retrying.append(item.id)


def _dead(conn: sa.Connection, item: OutboxItem, run: _Run, error: str, attempts: int, targets: list[Target]) -> None:
    store.mark_dead(conn, item.id, attempts, error)
    run.report.dead.append(item.id)
    log.warning("outbox message %s (%s) is dead: %s", item.id, item.key, error)
    _escalate(conn, item, run, f"dead:{item.id}", error, _names(targets) or str(item.role or item.person_id), attempts)


def _no_channel(item: OutboxItem, targets: list[Target]) -> str:
    if not targets:
        return f"no channel: nobody holds the role {item.role!r} in body {item.body_id}"
    problems = [str(problem) for target in targets for problem in target.problems]
    only = f" of kind {item.channel}" if item.channel else ""
    return f"no channel: {_names(targets)} has no usable contact channel{only}" + (
        f" ({'; '.join(problems)})" if problems else ""
    )


def _escalate(
    conn: sa.Connection, item: OutboxItem, run: _Run, key: str, reason: str, recipient: str, attempts: int
) -> None:
    """Tell HR (``delivery_failed``), once per key; never about a message that was itself for HR."""
    if item.role == Role.HR.value or item.kind == MessageKind.DELIVERY_FAILED:
        return
    payload = {"original_kind": item.kind, "recipient": recipient, "reason": reason, "attempts": attempts}
    queued = store.enqueue(
        conn,
        key=key,
        body_id=item.body_id,
        kind=MessageKind.DELIVERY_FAILED.value,
        language=store.role_language(conn, item.body_id, Role.HR.value, run.today),
        payload=payload,
        due_at=run.now,
        role=Role.HR.value,
        evaluation_id=item.evaluation_id,
    )
    if queued:
        run.report.escalations.append(key)


def _names(targets: list[Target]) -> str:
    return ", ".join(target.name for target in targets)


def _last_line(response: str) -> str:
    lines = [line for line in response.splitlines() if line.strip()]
    return lines[-1] if lines else response
