"""A rulebook part that expires (M-10; decision 0072): HR is warned before the sunset about every evaluation of it
still open, and on the first day after it such evaluations close as ``not_completed`` with the reason recorded.

``domain.validity.sunset_steps`` decides; this step sends the warnings (``sunset_warning`` to HR, once per
evaluation: the message key) and closes (status ``closed`` without a result, which the report shows as
``not_completed``; the audit row carries the reason). Actions dated after the sunset are refused by the actions
themselves (``check_in_force``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from application import messages
from application.actions.people import BEFORE_RESULT
from application.context import BodyContext
from domain.validity import sunset_steps
from notifications.kinds import MessageKind
from persistence import flowstate

Row = Mapping[str, Any]


def sunset_step(ctx: BodyContext, day: date) -> int:
    """M-10 for ``day``: warn HR about open evaluations of an expiring method, close those past its last day."""
    books = _books_with_a_sunset(ctx)
    if not books:  # no method of the open evaluations' rulebooks expires: nothing to read (issue 13)
        return 0
    rows = flowstate.evaluations(
        ctx.uow.session,
        body_id=ctx.body_id,
        statuses=BEFORE_RESULT,
        eligible=True,
        where=[flowstate.evaluation.c.rulebook_id.in_(books)],
    )
    by_book: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_book[row["rulebook_id"]].append(row)
    done = 0
    for rulebook_id, open_rows in by_book.items():
        book = ctx.book(rulebook_id)
        if not any(spec.sunset is not None for spec in book.methods):
            continue
        found = {row["id"]: row for row in open_rows}
        pairs = [(row["id"], row["method"]) for row in open_rows]
        for step in sunset_steps(day, pairs, book, ctx.calendar):
            row = found[step.evaluation]
            if step.action == "close":
                ctx.uow.evaluations.update(row["id"], status="closed", closed_on=step.on, reason=step.reason)
                done += 1
                continue
            payload = {
                "period": row["period_label"],
                "employee_name": ctx.name(row["person_id"]),
                "valid_until": step.valid_until.isoformat(),
            }
            done += messages.queue(
                ctx,
                messages.HR,
                key=f"sunset:{row['id']}",
                kind=MessageKind.SUNSET_WARNING,
                day=day,
                payload=payload,
                evaluation_id=row["id"],
            )
    return done


def _books_with_a_sunset(ctx: BodyContext) -> list[str]:
    """The rulebooks of the body's open evaluations (one aggregate) that have a method with a last day (M-10)."""
    found = flowstate.rulebook_ids(ctx.uow.session, body_id=ctx.body_id, statuses=BEFORE_RESULT)
    return [book for book in found if any(spec.sunset is not None for spec in ctx.book(book).methods)]
