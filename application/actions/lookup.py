"""Finding the evaluation a person's action is about, and saying plainly why there is none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from application.context import BodyContext
from application.errors import Rejected
from domain.eligibility import reason_said
from domain.errors import Phrase
from domain.vocabulary import EvaluationStatus, Method
from persistence import flowstate

Row = Mapping[str, Any]

#: Statuses in which a sheet may be (re)submitted: before the employee has seen the result.
SUBMITTABLE = (
    EvaluationStatus.OPEN.value,
    EvaluationStatus.RETURNED.value,
    EvaluationStatus.SUBMITTED.value,
    EvaluationStatus.COMPLETED.value,
)


def evaluations_of(
    ctx: BodyContext, person_id: int, *, method: Method | str | None = None, period: str | None = None
) -> list[Row]:
    """A person's evaluations (optionally of one method / period), newest period first."""
    rows = flowstate.evaluations(ctx.uow.session, body_id=ctx.body_id, person_id=person_id)
    if method is not None:
        rows = [row for row in rows if row["method"] == str(method)]
    if period is not None:
        rows = [row for row in rows if row["period_label"] == period]
    return sorted(rows, key=lambda row: (row["period_year"], row["period_quarter"] or 5, row["id"]), reverse=True)


def ineligible_reason(rows: Sequence[Row], number: str) -> Rejected | None:
    """A refusal saying why the person is not evaluated at all in the newest period considered, if that is so."""
    if not rows or any(row["eligible"] for row in rows if row["period_id"] == rows[0]["period_id"]):
        return None
    row = rows[0]
    rule, reason = reason_said(row["ineligible_reason"])
    return Rejected.by_rule(
        rule,
        Phrase(
            "{number} is not evaluated in {period_label}: {ineligible_reason}",
            number=number,
            period_label=row["period_label"],
            ineligible_reason=reason,
        ),
    )


def with_result(ctx: BodyContext, person_id: int, number: str, *, method: Any = None, period: Any = None) -> Row:
    """The person's latest evaluation with a result (the one an acknowledgement or a disagreement is about)."""
    rows = evaluations_of(ctx, person_id, method=method, period=period)
    results = [row for row in rows if row["eligible"] and row["completed_on"] is not None]
    if results:
        return max(results, key=lambda row: (row["completed_on"], row["period_year"], row["period_quarter"] or 5))
    refusal = ineligible_reason(rows, number)
    if refusal is not None:
        raise refusal
    raise Rejected.by_rule(
        "C-1", Phrase("{number} has no evaluation result to be made acquainted with yet", number=number)
    )
