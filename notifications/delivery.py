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
from notifications.channels import Address, AppriseChannel, Channel, SendResult, last_line, mask, scrub
from notifications.config import DeliveryConfig
from notifications.kinds import MessageKind
from notifications.rendering import Message, RenderError, fallback_message, render
from notifications.store import Target
from persistence.records import NewMessage, OutboxMessage
from persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

ACTOR = "notifications:deliver"

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
        """The day roles and validity are read on: ``now`` in the installation's time zone."""
        return self.now.astimezone(self.config.zone).date()


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
    """Deliver every outbox message due at ``now``; ``channels``: the adapter (default: real apprise); ``config``:
    the installation's (``bagalau.bootstrap`` builds it from the settings; default: no SMTP, the built-in knobs)."""
    config = config or DeliveryConfig()
    run = _Run(_aware(now), channels or AppriseChannel(), config, Budget(config.rate_limits), DeliveryReport())
    try:
        while True:
            token, ids = store.claim_due(engine, run.now, batch_size, run.config.lease)
            if not ids:
                break
            for outbox_id in ids:
                _deliver_in_own_transaction(engine, outbox_id, token, run)
    finally:
        close = getattr(run.channel, "close", None)
        if callable(close):
            close()  # the run's SMTP connections (AppriseChannel)
    log.info("outbox at %s: %s", run.now.isoformat(), run.report.summary())
    return run.report


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _deliver_in_own_transaction(engine: sa.Engine, outbox_id: int, token: str, run: _Run) -> None:
    try:
        with UnitOfWork(engine, actor=ACTOR) as uow:
            message = store.lock(uow, outbox_id, token)
            if message is not None:
                _deliver(uow, message, run)
                uow.commit()
    except Exception as exc:  # a bug or a lost database: count it as a failed attempt, keep going with the rest
        # one line at ERROR (no message body, no traceback on a console); the traceback for a developer at DEBUG
        log.error("delivering outbox message %s failed: %s", outbox_id, type(exc).__name__)
        log.debug("delivering outbox message %s failed", outbox_id, exc_info=True)
        run.report.failed.append(outbox_id)
        _record_internal_error(engine, outbox_id, token, run, exc)


def _record_internal_error(engine: sa.Engine, outbox_id: int, token: str, run: _Run, exc: Exception) -> None:
    try:
        with UnitOfWork(engine, actor=ACTOR) as uow:
            message = store.lock(uow, outbox_id, token)
            if message is not None:
                _failed(uow, message, run, f"internal error: {type(exc).__name__}: {str(exc)[:300]}", [])
                uow.commit()
    except Exception:
        log.error("outbox message %s stays leased (claim %s) until its lease runs out", outbox_id, token)
        log.debug("recording the failure of outbox message %s failed", outbox_id, exc_info=True)


# --- one message ------------------------------------------------------------------------------------------


def _deliver(uow: UnitOfWork, queued: OutboxMessage, run: _Run) -> None:
    config = run.config
    targets = store.targets(
        uow, queued, run.today, config.url_templates, config.hr_email, config.secrets, config.operator_emails
    )
    reachable = [target for target in targets if target.addresses]
    if not reachable:
        _failed(uow, queued, run, _no_channel(queued, targets), targets, final=True)
        return
    if not run.budget.has_room([target.addresses[0].channel for target in reachable]):
        store.postpone(uow, queued.id, run.now + POSTPONE)
        run.report.postponed.append(queued.id)
        return
    errors: list[str] = []
    reached = [hit for target in reachable if (hit := _send_to_target(uow, queued, target, run, errors))]
    if reached:
        _delivered(uow, queued, run, reached)
    else:
        _failed(uow, queued, run, "; ".join(errors), targets)


def _send_to_target(
    uow: UnitOfWork, queued: OutboxMessage, target: Target, run: _Run, errors: list[str]
) -> _Reached | None:
    """Try the target's addresses in order until one accepts; every try is a recorded attempt."""
    message = _compose(uow, queued, target, run)
    for address in target.addresses:
        if not run.budget.take(address.channel):
            errors.append(f"{address.channel} {address.address}: not tried, rate limit of this run reached")
            continue
        result = _send(run.channel, address, message, queued.idempotency_key)
        uow.outbox.record_attempt(
            queued.id,
            channel=address.channel,
            address=mask(address.address)[:500],
            ok=result.ok,
            response=result.response,
            at=run.now,
        )
        if result.ok:
            return _Reached(target, address, message, result.response)
        errors.append(f"{address.channel} {mask(address.address)}: {last_line(result.response)}")
    return None


def _send(channel: Channel, address: Address, message: Message, key: str) -> SendResult:
    try:
        return channel.send(address, message, message_key=key)
    except Exception as exc:  # an adapter must answer, not raise: a raise is a refusal like any other
        said = scrub(f"{type(exc).__name__}: {exc}", address.url)[:300]
        log.warning("channel %s raised for %s: %s", address.channel, mask(address.address), said)
        return SendResult(False, f"the channel raised {said}")


def _compose(uow: UnitOfWork, queued: OutboxMessage, target: Target, run: _Run) -> Message:
    """Render for this recipient (R-2 decided per person); a broken template becomes a generic notice + HR told."""
    allowed = store.may_see_result(uow, queued.evaluation_id, target.person_id, run.today)
    payload = dict(queued.payload)
    if target.person_id is not None:
        payload.setdefault("recipient_name", target.name)
    try:
        return render(queued.kind, target.language, payload, allowed, max_field_chars=run.config.max_field_chars)
    except RenderError as exc:
        log.warning("outbox message %s: %s; sending the generic notice instead", queued.id, exc)
        if queued.id not in run.report.fallbacks:
            run.report.fallbacks.append(queued.id)
        reason = f"template problem: {exc}"
        _escalate(uow, queued, run, f"render:{queued.id}", reason, _names([target]), queued.attempts)
        return fallback_message(queued.kind, target.language, payload.get("recipient_name"))


# --- outcomes ---------------------------------------------------------------------------------------------


def _delivered(uow: UnitOfWork, queued: OutboxMessage, run: _Run, reached: list[_Reached]) -> None:
    deliveries = [_proof_of(hit) for hit in reached]
    proof = {
        **deliveries[0],
        "at": run.now.isoformat(),
        "message_key": queued.idempotency_key,
        "deliveries": deliveries,
    }
    addresses = ", ".join(mask(hit.address.address) for hit in reached)
    uow.outbox.mark_delivered(queued.id, at=run.now, address=addresses[:500], proof=proof)
    run.report.delivered.append(queued.id)
    run.report.handed.extend(
        Handed(
            queued.id,
            queued.idempotency_key,
            queued.kind,
            hit.target.person_id,
            hit.address.channel,
            hit.address.address,
            run.now,
        )
        for hit in reached
    )


def _proof_of(hit: _Reached) -> dict[str, Any]:
    """What was sent, to which address, through what, and what the channel answered (C-1, Q-4, M-8)."""
    return {
        "person_id": hit.target.person_id,
        "address": mask(hit.address.address),
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


def _failed(
    uow: UnitOfWork, queued: OutboxMessage, run: _Run, error: str, targets: list[Target], *, final: bool = False
) -> None:
    """Retry after the backoff, or — after the last attempt, or when retrying cannot help — dead, and HR told."""
    attempts = queued.attempts + 1
    if not final and attempts < run.config.max_attempts:
        uow.outbox.mark_failed(queued.id, error=error, retry_at=run.now + run.config.backoff_after(attempts))
        run.report.retrying.append(queued.id)
        return
    if not final:
        error = f"gave up after {attempts} attempt(s): {error}"
    uow.outbox.mark_failed(queued.id, error=error, retry_at=None)
    run.report.dead.append(queued.id)
    log.warning("outbox message %s (%s) is dead", queued.id, queued.idempotency_key)
    recipient = _names(targets) or str(queued.recipient_role or queued.recipient_person_id)
    failed = sorted({address.channel for target in targets for address in target.addresses})
    _escalate(uow, queued, run, _dead_key(uow, queued), error, recipient, attempts, failed)


def _dead_key(uow: UnitOfWork, queued: OutboxMessage) -> str:
    """``dead:<id>``; a message re-queued (``bagalau notify retry``) that dies again tells HR again, under a key
    of its own: ``dead:<id>:<attempts recorded so far>``."""
    key = f"dead:{queued.id}"
    if uow.outbox.by_key(key) is None:
        return key
    return f"{key}:{len(uow.outbox.attempts(queued.id))}"


def _no_channel(queued: OutboxMessage, targets: list[Target]) -> str:
    if not targets:
        return f"no channel: nobody holds the role {queued.recipient_role!r} in body {queued.body_id}"
    problems = [str(problem) for target in targets for problem in target.problems]
    only = f" of kind {queued.channel}" if queued.channel else ""
    listed = f" ({'; '.join(problems)})" if problems else ""
    return f"no channel: {_names(targets)} has no usable contact channel{only}{listed}"


def _escalate(
    uow: UnitOfWork,
    queued: OutboxMessage,
    run: _Run,
    key: str,
    reason: str,
    recipient: str,
    attempts: int,
    failed_channels: list[str] | None = None,
) -> None:
    """Tell HR (``delivery_failed``), once per key; never about a message that was itself for HR.

    ``failed_channels``: the channel kinds that just failed (``email`` when the mail server is down): delivery
    tries HR's other channels first (an HR member's SMS or Telegram, ``store.targets``), so that the warning
    does not die on the server that killed the notice.
    """
    if queued.recipient_role == Role.HR.value or queued.kind == MessageKind.DELIVERY_FAILED:
        return
    payload: dict[str, Any] = {"original_kind": queued.kind, "recipient": recipient, "reason": reason}
    payload["attempts"] = attempts
    if failed_channels:
        payload[store.FAILED_CHANNELS] = failed_channels
    escalation = NewMessage(
        idempotency_key=key,
        body_id=queued.body_id,
        kind=MessageKind.DELIVERY_FAILED.value,
        due_at=run.now,
        recipient_role=Role.HR.value,
        language=store.hr_language(uow, queued.body_id, run.today),
        payload=payload,
        evaluation_id=queued.evaluation_id,
    )
    if uow.outbox.enqueue(escalation):
        run.report.escalations.append(key)


def _names(targets: list[Target]) -> str:
    return ", ".join(target.name for target in targets)
