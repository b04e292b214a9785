"""Sheets that are due: reminders before the deadline, and escalation once it has passed (P-1, P-2, G-6).

Reminders go to the evaluator on the rulebook's reminder days (``reminders.before_deadline_working_days``, e.g. 3
and 1 working days before the deadline), once each. On the first working day after the deadline without a sheet,
the evaluator, the evaluator's head and HR are each told once (escalation levels 1, 2, 3 of the rulebook's
ladder); a sheet that comes later is still accepted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from application import messages
from application.context import BodyContext
from application.cycle.routing import Delegations, delegations_for, due_for, escalation_recipient
from domain.routing import DueEvaluator
from domain.rulebook import ESCALATION_LADDER
from domain.vocabulary import Language
from notifications.kinds import MessageKind
from persistence import bulk, compose, flowstate
from persistence.records import NewMessage

OVERDUE_SHEET = "overdue_sheet"
LEVEL_KINDS = {
    "evaluator": MessageKind.OVERDUE_EVALUATOR,
    "evaluators_head": MessageKind.OVERDUE_HEAD,
    "hr": MessageKind.OVERDUE_HR,
}


def _awaiting(ctx: BodyContext, *conditions: Any) -> list[Mapping[str, Any]]:
    rows = flowstate.evaluations(
        ctx.uow.session,
        body_id=ctx.body_id,
        statuses=flowstate.AWAITING_SHEET,
        eligible=True,
        where=conditions,
    )
    return [row for row in rows if row["deadline"] is not None]


def _not_fully_escalated() -> Any:
    """The evaluations not yet escalated at every level there is (P-1, P-2, G-6): one whose every level is recorded
    has nothing left to escalate, so it is neither routed nor composed again on each later day (its keyed inserts
    would all be skipped). A level passed over for want of a recipient keeps its evaluation in the sweep, so that
    the level is escalated once somebody holds the seat."""
    recorded = (
        sa.select(sa.func.count())
        .where(
            flowstate.escalation.c.evaluation_id == flowstate.evaluation.c.id,
            flowstate.escalation.c.kind == OVERDUE_SHEET,
        )
        .scalar_subquery()
    )
    return recorded < len(ESCALATION_LADDER)


def send_reminders(ctx: BodyContext, day: date) -> int:
    """Remind evaluators whose sheet is due in the rulebook's number of working days (once per day and sheet)."""
    deadlines = _reminded_deadlines(ctx, day)
    if not deadlines:
        return 0
    rows = _awaiting(ctx, flowstate.evaluation.c.deadline.in_(sorted(deadlines)))
    if not rows:
        return 0
    opened = ctx.uow.periods.opened_on({row["period_id"] for row in rows})
    queued: list[NewMessage] = []
    for row in rows:
        book = ctx.book(row["rulebook_id"])
        days = {
            ctx.calendar.subtract_working_days(row["deadline"], n) for n in book.reminders.before_deadline_working_days
        }
        opened_on = opened.get(row["period_id"])
        if day not in days or row["evaluator_id"] is None or (opened_on and day <= opened_on):
            continue
        payload = {
            "period": row["period_label"],
            "deadline": row["deadline"].isoformat(),
            "evaluatee_name": ctx.name(row["person_id"]),
        }
        queued += messages.compose(
            ctx,
            row["evaluator_id"],
            key=f"reminder:{row['id']}:{day.isoformat()}",
            kind=MessageKind.REMINDER,
            day=day,
            payload=payload,
            evaluation_id=row["id"],
        )
    return bulk.insert_outbox(ctx.uow.connection, queued)


def _reminded_deadlines(ctx: BodyContext, day: date) -> set[date]:
    """The deadlines a reminder is due for on ``day``: those ``n`` working days after it, for every ``n`` of the
    rulebooks of the body's awaited sheets (P-1, G-6). Asked first (the rulebooks in one aggregate), so that only
    the sheets reminded today are read, not every open one (issue 13: a quiet day reads nothing at 100,000)."""
    books = flowstate.rulebook_ids(
        ctx.uow.session,
        body_id=ctx.body_id,
        statuses=flowstate.AWAITING_SHEET,
        where=[flowstate.evaluation.c.deadline >= day],
    )
    offsets = {n for rulebook_id in books for n in ctx.book(rulebook_id).reminders.before_deadline_working_days}
    found: set[date] = set()
    if not offsets or not ctx.calendar.is_working_day(day):
        return found
    for n in offsets:
        # every deadline whose n-th working day before is ``day`` lies between ``day`` and a week past the n-th
        # working day after it (days off included: the calendar decides, not this step); the loop below still
        # checks each sheet against its own rulebook's days
        last = ctx.calendar.add_working_days(day, n) + timedelta(days=7)
        candidate = day
        while candidate <= last:
            if ctx.calendar.subtract_working_days(candidate, n) == day:
                found.add(candidate)
            candidate += timedelta(days=1)
    return found


def _ladder(
    ctx: BodyContext, rows: list[Mapping[str, Any]], day: date
) -> Iterator[tuple[Mapping[str, Any], str, int, int | None]]:
    """Each overdue row's escalation levels, in order, with the person escalated to (``None`` for HR): the
    rulebook's ladder (P-1, P-2, G-6), D-4 delegations read once for every row, and who is due asked once per row
    (G-7) — a level with nobody to escalate to is passed over (issue 13)."""
    delegations = delegations_for(ctx, list(rows), day)
    for row in rows:
        book = ctx.book(row["rulebook_id"])
        routed: list[DueEvaluator | None] = []
        for name in book.reminders.escalation:
            level = ESCALATION_LADDER.index(name) + 1
            if name != "hr" and not routed:
                routed.append(due_for(ctx, row, ctx.on, delegations))
            to_person = _recipient(ctx, row, name, delegations, routed[0] if routed else None)
            if name != "hr" and to_person is None:
                continue
            yield row, name, level, to_person


def escalate_overdue(ctx: BodyContext, day: date) -> int:
    """Escalate every sheet still missing after its deadline: evaluator, their head, HR — each level once."""
    if not ctx.calendar.is_working_day(day):
        return 0
    rows = _awaiting(ctx, flowstate.evaluation.c.deadline < day, _not_fully_escalated())
    if compose.supported(ctx.uow.connection):
        return _escalate_in_database(ctx, rows, day)
    escalations: list[dict[str, Any]] = []
    queued: list[NewMessage] = []
    for row, name, level, to_person in _ladder(ctx, rows, day):
        escalations.append(
            {
                "evaluation_id": row["id"],
                "about_person_id": row["person_id"],
                "to_person_id": to_person,
                "to_role": "hr" if name == "hr" else None,
                "kind": OVERDUE_SHEET,
                "level": level,
                "escalated_on": day,
            }
        )
        queued += _overdue_message(ctx, row, name, level, to_person, day)
    bulk.insert_outbox(ctx.uow.connection, queued)
    key = ("evaluation_id", "kind", "level")
    return bulk.insert_ignoring_duplicates(ctx.uow.connection, flowstate.escalation, escalations, key)


def _escalate_in_database(ctx: BodyContext, rows: list[Mapping[str, Any]], day: date) -> int:
    """The same escalations and messages as the loop of :func:`escalate_overdue`, in the same order: routed here
    (who is due, their head's seat, G-7), written and composed by the database (``persistence.compose``, issue 13)."""
    levels: list[tuple[int, int, int | None, int | None, str]] = []
    for row, name, level, to_person in _ladder(ctx, rows, day):
        kind = LEVEL_KINDS[name].value
        recipient = to_person
        if recipient is not None and kind in messages.IN_THE_SEATS_STEAD:
            recipient = messages.seat_holder_of(ctx, recipient, day)
        levels.append((row["id"], level, to_person, recipient, kind))
    if not levels:
        return 0
    return compose.queue_overdue_escalations(
        ctx.uow.connection,
        body_id=ctx.body_id,
        kind=OVERDUE_SHEET,
        day=day,
        due_at=ctx.env.clock.day_start(day),
        hr_language=(ctx.language(ctx.hr[0]) if ctx.hr else Language.KK).value,
        levels=levels,
        sheets=messages.sheets_prefix(ctx),
        linked=sorted(messages.SHEET_LINKED),
    )


def _recipient(
    ctx: BodyContext, row: Mapping[str, Any], level: str, delegations: Delegations, due: DueEvaluator | None
) -> int | None:
    """G-7: the evaluator due on the day, or whoever holds their head's seat; ``None`` for HR."""
    if level == "hr":
        return None
    return escalation_recipient(ctx, row, level, ctx.on, delegations, due)


def _overdue_message(
    ctx: BodyContext, row: Mapping[str, Any], level: str, number: int, to_person: int | None, day: date
) -> list[NewMessage]:
    payload = {
        "period": row["period_label"],
        "deadline": row["deadline"].isoformat(),
        "evaluatee_name": ctx.name(row["person_id"]),
        "evaluator_name": ctx.name(row["evaluator_id"]) or "—",
    }
    key = f"escalation:{row['id']}:{OVERDUE_SHEET}:{number}"
    kind = LEVEL_KINDS[level].value
    to = messages.HR if to_person is None else to_person
    return messages.compose(ctx, to, key=key, kind=kind, day=day, payload=payload, evaluation_id=row["id"])
