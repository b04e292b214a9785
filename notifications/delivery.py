"""Deliver the outbox: claim due messages in batches, render each, send it, record every attempt and the proof.

``deliver_due`` is at-least-once (docs/decisions/0010, 0180): a batch is claimed with ``FOR UPDATE SKIP LOCKED``
and leased, then delivered in groups of at most ``commit_every`` messages, each group one transaction that locks
its rows, reads what they need at once, sends, and records every attempt and outcome together. A crash between the
sends of a group and its commit repeats that group's sends once (a same-day re-run takes the rows back: 0060).
Failures are retried with exponential backoff; after the last attempt the message is dead and HR is told
(``delivery_failed``, key ``dead:<id>``), as it is when someone has no usable channel at all (C-1, Q-4) or when a
template cannot be rendered (the recipient then gets a generic notice in their language instead).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards ``report`` when several senders share the run."""

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


# --- the run ---------------------------------------------------------------------------------------------


def deliver_due(
    engine: sa.Engine,
    now: datetime,
    batch_size: int = 200,
    channels: Channel | None = None,
    config: DeliveryConfig | None = None,
) -> DeliveryReport:
    """Deliver every outbox message due at ``now``; ``channels``: the adapter (default: real apprise); ``config``:
    the installation's (``bagalau.bootstrap`` builds it from the settings; default: no SMTP, the built-in knobs).

    A claimed batch is delivered in groups of at most ``config.commit_every`` messages (or what ``commit_seconds``
    allows): each group is one transaction that locks its rows, reads what they need at once, sends, and records
    every attempt and outcome — so a crash repeats at most one group's sends (docs/decisions/0180)."""
    config = config or DeliveryConfig()
    run = _Run(_aware(now), channels or AppriseChannel(), config, Budget(config.rate_limits), DeliveryReport())
    senders = senders_for(engine, config)
    if senders == 1:
        _sender(engine, run, batch_size)
    else:
        with ThreadPoolExecutor(senders, thread_name_prefix="bagalau-deliver") as pool:
            for future in [pool.submit(_sender, engine, run, batch_size) for _ in range(senders)]:
                future.result()
    log.info("outbox at %s: %s", run.now.isoformat(), run.report.summary())
    return run.report


def senders_for(engine: sa.Engine, config: DeliveryConfig) -> int:
    """How many threads send at once: ``config.senders`` on PostgreSQL (each claims its own batches, ``SKIP
    LOCKED``); one on SQLite (one writer at a time) and when a rate limit is set (its count is kept exact)."""
    if engine.dialect.name != "postgresql" or config.rate_limits:
        return 1
    return max(1, config.senders)


def _sender(engine: sa.Engine, run: _Run, batch_size: int) -> None:
    """Claim batches and deliver them, group by group, until nothing is due; then close this thread's
    connections (``AppriseChannel`` keeps one SMTP connection per server and thread)."""
    try:
        while True:
            token, ids = store.claim_due(engine, run.now, batch_size, run.config.lease)
            if not ids:
                break
            pending = ids
            while pending:
                pending = _deliver_group(engine, pending, token, run)
    finally:
        close = getattr(run.channel, "close", None)
        if callable(close):
            close()


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


@dataclass
class _Outcome:
    """What delivering one message decided, written with its group (or alone, should the group fail)."""

    outbox_id: int
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, Any] | None = None
    failed: tuple[str, datetime | None] | None = None
    """The error, and when to retry (``None``: dead)."""
    postponed: datetime | None = None
    escalations: list[NewMessage] = field(default_factory=list)
    report: DeliveryReport = field(default_factory=DeliveryReport)
    """What this message adds to the run's report once its outcome is committed (escalations: when new)."""


def _deliver_group(engine: sa.Engine, pending: list[int], token: str, run: _Run) -> list[int]:
    """Deliver the first messages of ``pending`` in one transaction; returns the ids it did not get to.

    At most ``commit_every`` messages, and no new one after ``commit_seconds``: what is left stays leased to this
    claim for the next group. A message that breaks the code is recorded as an internal error and the group goes
    on; if the group's writes fail, each message's outcome is written in a transaction of its own instead.
    """
    size = max(1, run.config.commit_every)
    group, rest = pending[:size], pending[size:]
    started = time.monotonic()
    outcomes: list[_Outcome] = []
    left: list[int] = []
    try:
        with UnitOfWork(engine, actor=ACTOR) as uow:
            order = {outbox_id: index for index, outbox_id in enumerate(group)}
            messages = sorted(store.lock_many(uow, group, token), key=lambda message: order[message.id])
            known = store.prefetch(uow, messages, run.today)
            for index, message in enumerate(messages):
                if outcomes and time.monotonic() - started >= run.config.commit_seconds:
                    left = [later.id for later in messages[index:]]
                    break
                outcomes.append(_deliver_one(uow, message, run, known))
            new = _write(uow, outcomes)
            uow.commit()
    except Exception as exc:  # the group's transaction failed: write each outcome alone (what was sent stays sent)
        log.error("delivering a group of %s outbox messages failed: %s", len(outcomes), type(exc).__name__)
        log.debug("delivering a group of outbox messages failed", exc_info=True)
        for outcome in outcomes:
            _write_alone(engine, outcome, token, run)
        return left + rest
    with run.lock:
        _merge(run.report, outcomes, new)
    return left + rest


def _deliver_one(uow: UnitOfWork, message: OutboxMessage, run: _Run, known: store.Known) -> _Outcome:
    outcome = _Outcome(message.id)
    try:
        _deliver(uow, message, run, known, outcome)
    except Exception as exc:  # a bug: count it as a failed attempt, keep going with the rest
        # one line at ERROR (no message body, no traceback on a console); the traceback for a developer at DEBUG
        log.error("delivering outbox message %s failed: %s", message.id, type(exc).__name__)
        log.debug("delivering outbox message %s failed", message.id, exc_info=True)
        outcome = _internal_error(uow, message, run, exc)
    return outcome


def _internal_error(uow: UnitOfWork, message: OutboxMessage, run: _Run, exc: Exception) -> _Outcome:
    outcome = _Outcome(message.id)
    outcome.report.failed.append(message.id)
    _failed(uow, message, run, f"internal error: {type(exc).__name__}: {str(exc)[:300]}", [], outcome)
    return outcome


def _write(uow: UnitOfWork, outcomes: list[_Outcome]) -> dict[int, list[str]]:
    """Every attempt and outcome of the group, in a handful of statements; returns the new escalations' keys."""
    attempts = [attempt for outcome in outcomes for attempt in outcome.attempts]
    if attempts:
        uow.outbox.record_attempts(attempts)
    delivered = [outcome.delivered for outcome in outcomes if outcome.delivered is not None]
    if delivered:
        uow.outbox.mark_many_delivered(delivered)
    new: dict[int, list[str]] = {}
    for outcome in outcomes:
        if outcome.failed is not None:
            error, retry_at = outcome.failed
            uow.outbox.mark_failed(outcome.outbox_id, error=error, retry_at=retry_at)
        if outcome.postponed is not None:
            store.postpone(uow, outcome.outbox_id, outcome.postponed)
        for escalation in outcome.escalations:
            if uow.outbox.enqueue(escalation):
                new.setdefault(outcome.outbox_id, []).append(escalation.idempotency_key)
    store.release(uow, [outcome.outbox_id for outcome in outcomes])
    return new


def _merge(report: DeliveryReport, outcomes: list[_Outcome], new: dict[int, list[str]]) -> None:
    for outcome in outcomes:
        done = outcome.report
        report.delivered += done.delivered
        report.retrying += done.retrying
        report.dead += done.dead
        report.postponed += done.postponed
        report.fallbacks += [key for key in done.fallbacks if key not in report.fallbacks]
        report.failed += done.failed
        report.handed += done.handed
        report.escalations += new.get(outcome.outbox_id, [])


def _write_alone(engine: sa.Engine, outcome: _Outcome, token: str, run: _Run) -> None:
    """One message's outcome in a transaction of its own; if even that fails, an internal error is recorded."""
    try:
        with UnitOfWork(engine, actor=ACTOR) as uow:
            if store.lock_many(uow, [outcome.outbox_id], token):
                new = _write(uow, [outcome])
                uow.commit()
                with run.lock:
                    _merge(run.report, [outcome], new)
        return
    except Exception as exc:
        log.error("recording outbox message %s failed: %s", outcome.outbox_id, type(exc).__name__)
        log.debug("recording outbox message %s failed", outcome.outbox_id, exc_info=True)
        failure = exc
    try:
        with UnitOfWork(engine, actor=ACTOR) as uow:
            locked = store.lock_many(uow, [outcome.outbox_id], token)
            if locked:
                failed = _internal_error(uow, locked[0], run, failure)
                new = _write(uow, [failed])
                uow.commit()
                with run.lock:
                    _merge(run.report, [failed], new)
    except Exception:
        with run.lock:
            run.report.failed.append(outcome.outbox_id)
        log.error("outbox message %s stays leased (claim %s) until its lease runs out", outcome.outbox_id, token)
        log.debug("recording the failure of outbox message %s failed", outcome.outbox_id, exc_info=True)


# --- one message ------------------------------------------------------------------------------------------


def _deliver(uow: UnitOfWork, queued: OutboxMessage, run: _Run, known: store.Known, outcome: _Outcome) -> None:
    config = run.config
    targets = store.targets(
        uow, queued, run.today, config.url_templates, config.hr_email, config.secrets, known, config.operator_emails
    )
    reachable = [target for target in targets if target.addresses]
    if not reachable:
        _failed(uow, queued, run, _no_channel(queued, targets), targets, outcome, final=True)
        return
    if not run.budget.has_room([target.addresses[0].channel for target in reachable]):
        outcome.postponed = run.now + POSTPONE
        outcome.report.postponed.append(queued.id)
        return
    errors: list[str] = []
    reached = [
        hit for target in reachable if (hit := _send_to_target(uow, queued, target, run, errors, known, outcome))
    ]
    if reached:
        _delivered(queued, run, reached, outcome)
    else:
        _failed(uow, queued, run, "; ".join(errors), targets, outcome)


def _send_to_target(
    uow: UnitOfWork,
    queued: OutboxMessage,
    target: Target,
    run: _Run,
    errors: list[str],
    known: store.Known,
    outcome: _Outcome,
) -> _Reached | None:
    """Try the target's addresses in order until one accepts; every try is a recorded attempt."""
    message = _compose(uow, queued, target, run, known, outcome)
    for address in target.addresses:
        if not run.budget.take(address.channel):
            errors.append(f"{address.channel} {address.address}: not tried, rate limit of this run reached")
            continue
        result = _send(run.channel, address, message, queued.idempotency_key)
        outcome.attempts.append(
            {
                "outbox_id": queued.id,
                "channel": address.channel,
                "address": mask(address.address)[:500],
                "ok": result.ok,
                "response": result.response,
                "attempted_at": run.now,
            }
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


def _compose(
    uow: UnitOfWork, queued: OutboxMessage, target: Target, run: _Run, known: store.Known, outcome: _Outcome
) -> Message:
    """Render for this recipient (R-2 decided per person); a broken template becomes a generic notice + HR told."""
    allowed = store.may_see_result(uow, queued.evaluation_id, target.person_id, run.today, known)
    payload = dict(queued.payload)
    if target.person_id is not None:
        payload.setdefault("recipient_name", target.name)
    try:
        return render(queued.kind, target.language, payload, allowed, max_field_chars=run.config.max_field_chars)
    except RenderError as exc:
        log.warning("outbox message %s: %s; sending the generic notice instead", queued.id, exc)
        if queued.id not in outcome.report.fallbacks:
            outcome.report.fallbacks.append(queued.id)
        reason = f"template problem: {exc}"
        _escalate(uow, queued, run, f"render:{queued.id}", reason, _names([target]), queued.attempts, outcome)
        return fallback_message(queued.kind, target.language, payload.get("recipient_name"))


# --- outcomes ---------------------------------------------------------------------------------------------


def _delivered(queued: OutboxMessage, run: _Run, reached: list[_Reached], outcome: _Outcome) -> None:
    deliveries = [_proof_of(hit) for hit in reached]
    proof = {
        **deliveries[0],
        "at": run.now.isoformat(),
        "message_key": queued.idempotency_key,
        "deliveries": deliveries,
    }
    addresses = ", ".join(mask(hit.address.address) for hit in reached)
    outcome.delivered = {"id": queued.id, "at": run.now, "address": addresses[:500], "proof": proof}
    outcome.report.delivered.append(queued.id)
    outcome.report.handed.extend(
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
    uow: UnitOfWork,
    queued: OutboxMessage,
    run: _Run,
    error: str,
    targets: list[Target],
    outcome: _Outcome,
    *,
    final: bool = False,
) -> None:
    """Retry after the backoff, or — after the last attempt, or when retrying cannot help — dead, and HR told."""
    attempts = queued.attempts + 1
    if not final and attempts < run.config.max_attempts:
        outcome.failed = (error, run.now + run.config.backoff_after(attempts))
        outcome.report.retrying.append(queued.id)
        return
    if not final:
        error = f"gave up after {attempts} attempt(s): {error}"
    outcome.failed = (error, None)
    outcome.report.dead.append(queued.id)
    log.warning("outbox message %s (%s) is dead", queued.id, queued.idempotency_key)
    recipient = _names(targets) or str(queued.recipient_role or queued.recipient_person_id)
    failed = sorted({address.channel for target in targets for address in target.addresses})
    key = _dead_key(uow, queued, len(outcome.attempts))
    _escalate(uow, queued, run, key, error, recipient, attempts, outcome, failed)


def _dead_key(uow: UnitOfWork, queued: OutboxMessage, unwritten: int) -> str:
    """``dead:<id>``; a message re-queued (``bagalau notify retry``) that dies again tells HR again, under a key
    of its own: ``dead:<id>:<attempts recorded so far>`` (``unwritten``: this run's, not written yet)."""
    key = f"dead:{queued.id}"
    if uow.outbox.by_key(key) is None:
        return key
    return f"{key}:{len(uow.outbox.attempts(queued.id)) + unwritten}"


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
    outcome: _Outcome,
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
    outcome.escalations.append(escalation)


def _names(targets: list[Target]) -> str:
    return ", ".join(target.name for target in targets)
