"""After delivery: what a delivered message proves (P-4 notice sent, C-1 acquaintance by recorded delivery), the C-1
escalation when nobody was made acquainted in time, and the end of the C-2 window.

A notice counts as sent on the day a channel accepted it (``notice_sent_on``). An evaluatee who is absent or
dismissed (E-3, E-4, Q-4) is made acquainted by a means that records delivery: the day the result message was
delivered is the day of acquaintance, and the outbox row keeps the proof. Others are acquainted when they
acknowledge (``application.actions.acquaintance.acknowledge``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from application import messages
from application.actions.acquaintance import record_acquaintance
from application.context import BodyContext
from domain.vocabulary import EvaluationStatus
from notifications.kinds import MessageKind
from persistence import bulk, flowstate

ACQUAINTANCE_OVERDUE = "acquaintance_overdue"


def _delivered_day(ctx: BodyContext, message: Mapping[str, Any]) -> date:
    proof = message["proof"] or {}
    clock = ctx.env.clock
    return clock.local_date(proof["at"]) if proof.get("at") else clock.local_date(message["delivered_at"])


def record_notices_sent(ctx: BodyContext, day: date) -> int:
    """``notice_sent_on`` = the day the evaluatee's ``evaluation_notice`` was handed to a channel (P-4).

    Set-based (issue 13): the body's evaluations without a sent date (locked on PostgreSQL, so that two sweeps
    cannot both record) and the body's delivered notices are read by two single-table queries — no join whose
    plan depends on fresh statistics — matched here, then one ``UPDATE`` sets the dates and one insert audits them.
    """
    evaluation, outbox, period = flowstate.evaluation, flowstate.outbox, flowstate.period_table
    waiting = (
        sa.select(evaluation.c.id)
        .where(
            evaluation.c.period_id.in_(sa.select(period.c.id).where(period.c.body_id == ctx.body_id)),
            evaluation.c.notice_sent_on.is_(None),
            evaluation.c.eligible.is_(True),
        )
        .with_for_update()
    )
    ids = set(ctx.uow.session.execute(waiting).scalars())
    if not ids:
        return 0
    sent = (
        sa.select(outbox.c.evaluation_id, outbox.c.proof["at"].as_string().label("at"), outbox.c.delivered_at)
        .where(
            outbox.c.body_id == ctx.body_id,
            outbox.c.kind == MessageKind.EVALUATION_NOTICE.value,
            outbox.c.status == "delivered",
            outbox.c.evaluation_id.is_not(None),
        )
        .order_by(outbox.c.id)
    )
    days: dict[int, date] = {}
    clock = ctx.env.clock
    for row in ctx.uow.session.execute(sent):
        if row.evaluation_id in ids and row.evaluation_id not in days:
            days[row.evaluation_id] = clock.local_date(row.at) if row.at else clock.local_date(row.delivered_at)
    return ctx.uow.evaluations.record_notices_sent(days, reason="notice delivered (P-4)")


def record_delivered_acquaintance(ctx: BodyContext, day: date) -> int:
    """C-1, E-3, E-4, Q-4: an absent or dismissed evaluatee is acquainted the day the result was delivered."""
    waiting = flowstate.evaluations(
        ctx.uow.session, body_id=ctx.body_id, statuses=flowstate.AWAITING_ACQUAINTANCE, eligible=True
    )
    if not waiting:
        return 0
    rows = {row["id"]: row for row in waiting}
    kind = MessageKind.ACQUAINTANCE_RECORDED_DELIVERY.value
    count = 0
    for message in flowstate.delivered(ctx.uow.session, kinds=[kind], evaluation_ids=rows):
        row = rows.pop(message["evaluation_id"], None)
        if row is None:
            continue
        proof = message["proof"] or {}
        via = str(proof.get("channel") or "recorded_delivery")[:32]
        book = ctx.book(row["rulebook_id"])
        record_acquaintance(ctx, dict(row), book, person_id=row["person_id"], day=_delivered_day(ctx, message), via=via)
        count += 1
    return count


def escalate_unacquainted(ctx: BodyContext, day: date) -> int:
    """C-1: a result nobody was made acquainted with by its date is escalated to HR, once."""
    if not ctx.calendar.is_working_day(day):
        return 0
    late = flowstate.evaluations(
        ctx.uow.session,
        body_id=ctx.body_id,
        statuses=flowstate.AWAITING_ACQUAINTANCE,
        where=[
            flowstate.evaluation.c.acquaint_by < day,
            # escalated once (C-1): not composed again on each later day, its keyed inserts would be skipped
            ~sa.exists().where(
                flowstate.escalation.c.evaluation_id == flowstate.evaluation.c.id,
                flowstate.escalation.c.kind == ACQUAINTANCE_OVERDUE,
                flowstate.escalation.c.level == 1,
            ),
        ],
    )
    rows = [
        {
            "evaluation_id": row["id"],
            "about_person_id": row["person_id"],
            "to_person_id": None,
            "to_role": "hr",
            "kind": ACQUAINTANCE_OVERDUE,
            "level": 1,
            "escalated_on": day,
        }
        for row in late
    ]
    notices = [
        message
        for row in late
        for message in messages.compose(
            ctx,
            messages.HR,
            key=f"acquaintance_overdue:{row['id']}",
            kind=MessageKind.ACQUAINTANCE_OVERDUE,
            day=day,
            payload={
                "period": row["period_label"],
                "evaluatee_name": ctx.name(row["person_id"]),
                "acquaint_by": row["acquaint_by"].isoformat(),
            },
            evaluation_id=row["id"],
        )
    ]
    bulk.insert_outbox(ctx.uow.connection, notices)
    return bulk.insert_ignoring_duplicates(
        ctx.uow.connection, flowstate.escalation, rows, ("evaluation_id", "kind", "level")
    )


def close_expired_windows(ctx: BodyContext, day: date) -> int:
    """C-2: no disagreement within the window → the evaluation is closed."""
    expired = flowstate.evaluations(
        ctx.uow.session,
        body_id=ctx.body_id,
        statuses=[EvaluationStatus.ACQUAINTED.value],
        where=[flowstate.evaluation.c.disagreement_until < day],
    )
    for row in expired:
        ctx.uow.evaluations.update(
            row["id"], status=EvaluationStatus.CLOSED, closed_on=day, reason="no disagreement within the window (C-2)"
        )
    return len(expired)
