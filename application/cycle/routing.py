"""Who is due to evaluate, decided for the day (G-7, D-4, moves; decision 0071), and the sweep step that keeps
``evaluation.evaluator_id`` on that person.

The opening routes each evaluation once (``route_evaluator``); after it, people go on leave, acting heads are
appointed, evaluators delegate (D-4) and people move. :func:`due_for` asks ``domain.routing.due_evaluator`` for one
open evaluation on one day, with the D-4 delegation recorded for it; :func:`reroute` is the daily step that stores
whoever is due (audited, with the rule), so that reminders, escalations and the report follow them, and sends the
new evaluator the sheet (``sheet_request``, once per person). ``submit_sheet`` accepts the sheets of
``due.may_submit``; the escalation to the evaluator's head goes to whoever holds that seat on the day (G-7).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from application import messages
from application.context import BodyContext
from domain.routing import DELEGATED, DueEvaluator, due_evaluator, escalation_recipients
from domain.rulebook import ESCALATION_LADDER
from notifications.kinds import MessageKind
from persistence import flowstate

Row = Mapping[str, Any]
Delegations = Mapping[tuple[int, int], int]

REROUTED = "reroute"


BODY_WIDE = 100
"""From this many evaluations, the body's delegations are read whole and filtered here (one query whatever N, and no
``IN`` list past PostgreSQL's 65,535 parameters: issue 13)."""


def delegations_for(ctx: BodyContext, rows: list[Row], day: date) -> Delegations:
    """D-4: the delegations recorded by ``day`` for the evaluatees of ``rows`` (one query)."""
    if not rows:
        return {}
    wanted = {row["person_id"] for row in rows}
    if len(wanted) < BODY_WIDE:
        return ctx.uow.org.delegations(wanted, day)
    found = ctx.uow.org.delegations_in_body(ctx.body_id, day)
    return {key: delegate for key, delegate in found.items() if key[0] in wanted}


def due_for(ctx: BodyContext, row: Row, day: date, delegations: Delegations | None = None) -> DueEvaluator | None:
    """G-7/D-4: who is due to evaluate the evaluation ``row`` on ``day`` (``None``: the person or method is not in
    the facts any more — the stored evaluator stands)."""
    number = ctx.numbers.get(row["person_id"])
    if number is None or number not in ctx.org.employees_by_id:
        return None
    book = ctx.book(row["rulebook_id"])
    try:
        spec = book.method(row["method"])
    except KeyError:
        return None
    employee = ctx.org.employee(number)
    found = delegations if delegations is not None else delegations_for(ctx, [row], day)
    due = due_evaluator(employee, spec, ctx.org, day, book, deadline=row["deadline"])
    if due.routed is None or due.routed not in ctx.ids:
        return due
    delegate = found.get((row["person_id"], ctx.ids[due.routed]))
    if delegate is None or delegate not in ctx.numbers:
        return due
    delegated = due_evaluator(
        employee, spec, ctx.org, day, book, deadline=row["deadline"], delegate=ctx.numbers[delegate]
    )
    return delegated if delegated.reason == DELEGATED else due


def may_submit(ctx: BodyContext, row: Row, day: date) -> set[int]:
    """The people whose sheet for ``row`` is accepted on ``day`` (G-7, D-4); the stored evaluator when the facts
    say nothing."""
    due = due_for(ctx, row, day)
    accepted = set() if due is None else {ctx.ids[person] for person in due.may_submit if person in ctx.ids}
    if not accepted and row["evaluator_id"] is not None:
        accepted.add(int(row["evaluator_id"]))
    return accepted


def reroute(ctx: BodyContext, day: date) -> int:
    """The daily step: every evaluation awaiting its sheet gets, as ``evaluator_id``, whoever is due on ``day``
    (audited with the rule: G-7 acting head or head standing in, D-4 delegate, the head after a move); the new
    evaluator is sent the sheet. Returns how many evaluations changed hands."""
    rows = flowstate.evaluations(ctx.uow.session, body_id=ctx.body_id, statuses=flowstate.AWAITING_SHEET, eligible=True)
    if not rows:
        return 0
    delegations = delegations_for(ctx, rows, day)
    changed = 0
    for row in rows:
        book = ctx.book(row["rulebook_id"])
        if not _in_force(book, row, day):
            continue
        due = due_for(ctx, row, day, delegations)
        if due is None:
            continue
        evaluator = ctx.ids.get(due.evaluator) if due.evaluator is not None else None
        delegated_by = ctx.ids.get(due.routed) if due.reason == DELEGATED and due.routed is not None else None
        if evaluator == row["evaluator_id"] and delegated_by == row["delegated_by_id"]:
            continue
        ctx.uow.evaluations.update(
            row["id"],
            evaluator_id=evaluator,
            delegated_by_id=delegated_by,
            reason=f"due to evaluate on {day.isoformat()}: {due.reason} ({due.rule})",
        )
        changed += 1
        if evaluator is not None:
            _sheet_request(ctx, row, evaluator, day)
    return changed


def _in_force(book: Any, row: Row, day: date) -> bool:
    """M-10: an evaluation of a method past its sunset is not routed any more (it closes as not completed)."""
    try:
        spec = book.method(row["method"])
    except KeyError:
        return False
    return spec.sunset is None or bool(spec.in_force(day))


def _sheet_request(ctx: BodyContext, row: Row, evaluator: int, day: date) -> None:
    payload = {
        "period": row["period_label"],
        "method": row["method"],
        "evaluatee_name": ctx.name(row["person_id"]),
        **({"deadline": row["deadline"].isoformat()} if row["deadline"] is not None else {}),
    }
    messages.queue(
        ctx,
        evaluator,
        key=f"sheet:{row['id']}:{evaluator}",
        kind=MessageKind.SHEET_REQUEST,
        day=day,
        payload=payload,
        evaluation_id=row["id"],
    )


_NOT_ASKED = object()


def escalation_recipient(
    ctx: BodyContext,
    row: Row,
    level: str,
    day: date,
    delegations: Delegations | None = None,
    due: DueEvaluator | None | object = _NOT_ASKED,
) -> int | None:
    """G-7: who receives an overdue-sheet escalation of ``level`` on ``day`` (``None``: HR, or nobody for the
    evaluator's levels): the evaluator due that day, or whoever holds their head's seat. ``delegations``: read
    once for many rows (``delegations_for``), else per row; ``due``: ``due_for`` of the row on ``day`` when the
    caller asked it already (one routing per evaluation for all its levels, issue 13)."""
    if level not in ESCALATION_LADDER or level == "hr":
        return None
    if due is _NOT_ASKED:
        due = due_for(ctx, row, day, delegations)
    assert due is None or isinstance(due, DueEvaluator)
    if due is None:
        stored = row["evaluator_id"]
        if level == "evaluator" or stored is None:
            return int(stored) if level == "evaluator" and stored is not None else None
        head = ctx.org.head_of(ctx.numbers[stored], day) if ctx.numbers.get(stored) in ctx.org.employees_by_id else None
        return ctx.ids.get(head) if head else None
    found = escalation_recipients(level, due, ctx.org, day, hr=[])
    return ctx.ids.get(found[0]) if found else None
