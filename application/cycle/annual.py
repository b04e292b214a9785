"""P-3: the annual final score — the average of a person's quarterly final scores of the year, banded by S-1.

A year cycle of a body whose rulebook has an ``annual`` section is computed on the rulebook's due date (10 January
in Model 2018, 30 January in 003), or earlier once every quarter of that year is closed. The final score of a
quarter is the calibrated one when a calibration decided it (C-6), else the sheet's. Each result is an
``annual_result`` row (``uow.annual``, once per person and year) and an audit row (``annual_result``,
``<person id>:<year>``, action ``compute``): who computed what from which quarters (R-4).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from application.context import BodyContext, in_body
from application.environment import Environment
from domain import scoring
from domain.access import Principal
from domain.deadlines import annual_due
from domain.periods import Period, last_completed
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, PeriodKind
from persistence import flowstate

ENTITY = "annual_result"
COMPUTED = "compute"
ANNUAL_FINAL = Principal.system_step("annual_final")
ANNUAL_FINALS = Principal.system_step("open_periods")
"""The yearly opener's principal: the ``annual_finals`` entry flow shares it (one cron family)."""


def due_day(ctx: BodyContext, book: Rulebook, year: int) -> date:
    return annual_due(year, book, ctx.calendar)


def is_due(ctx: BodyContext, book: Rulebook, year: int, day: date) -> bool:
    """On or after the due date, or earlier when every quarter of the year is closed (P-3)."""
    return day >= due_day(ctx, book, year) or _all_quarters_closed(ctx, book, year)


def _all_quarters_closed(ctx: BodyContext, book: Rulebook, year: int) -> bool:
    assert book.annual is not None
    methods = {method.value for method in book.annual.methods}
    quarters = {p.label: p for p in flowstate.periods(ctx.uow.session, body_id=ctx.body_id, status=None)}
    for quarter in Period.of_year(year).quarters():
        found = quarters.get(quarter.label)
        if found is None:
            return False
        rows = flowstate.evaluations(ctx.uow.session, period_id=found.id, eligible=True)
        if any(row["method"] in methods and row["status"] != EvaluationStatus.CLOSED.value for row in rows):
            return False
    return True


def compute(ctx: BodyContext, book: Rulebook, year: int, day: date) -> int:
    """Compute and record the annual final of everyone with a quarterly final score in ``year`` (once each)."""
    assert book.annual is not None
    methods = {method.value for method in book.annual.methods}
    finals = _quarterly_finals(ctx, year, methods)
    done = {result.person_id for result in ctx.uow.annual.of_body(ctx.body_id, year)}
    count = 0
    for person_id, scores in sorted(finals.items()):
        if person_id in done:
            continue
        key = f"{person_id}:{year}"
        result = scoring.annual_average(scores, book.results)
        recorded = ctx.uow.annual.record(
            body_id=ctx.body_id,
            person_id=person_id,
            year=year,
            score=result.stored,
            category=result.category,
            quarters_count=len(scores),
            computed_on=day,
        )
        if not recorded:
            continue
        after = {
            "person_id": person_id,
            "year": year,
            "score": str(result.stored),
            "category": result.category.value,
            "quarters": {label: str(score) for label, score in scores.items()},
            "computed_on": day.isoformat(),
        }
        ctx.uow.audit(ENTITY, key, COMPUTED, after=after, reason="annual final: average of the quarterly scores (P-3)")
        count += 1
    return count


def _quarterly_finals(ctx: BodyContext, year: int, methods: set[str]) -> dict[int, dict[str, Decimal]]:
    """Person id → {quarter label: final score}: the calibrated score when decided, else the sheet's."""
    session = ctx.uow.session
    periods = [p for p in flowstate.periods(session, body_id=ctx.body_id, status=None) if p.kind == PeriodKind.QUARTER]
    calibrated = {row["evaluation_id"]: row["final_score"] for row in flowstate.case_rows(session)}
    finals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for period in (p for p in periods if p.year == year):
        for row in flowstate.evaluations(session, period_id=period.id, eligible=True):
            score = calibrated.get(row["id"]) or row["score"]
            if row["method"] in methods and score is not None:
                finals[row["person_id"]][f"{period.label} {row['method']}"] = score
    return dict(finals)


def compute_due(ctx: BodyContext, day: date) -> int:
    """The daily sweep's step (P-3): for each year cycle of the body that is due, the annual final scores."""
    count = 0
    for period in flowstate.periods(ctx.uow.session, body_id=ctx.body_id):
        if period.quarter is not None:
            continue
        book = ctx.rulebook_for(date(period.year, 12, 31), fallback=day)
        if book.annual is not None and is_due(ctx, book, period.year, day):
            count += compute(ctx, book, period.year, day)
    return count


def annual_final(env: Environment, body_id: int, year: int, day: date) -> int:
    """The ``annual_final`` flow's work: the annual finals of a body's ``year`` once due (P-3), in one unit of work."""

    def work(ctx: BodyContext) -> int:
        book = ctx.rulebook_for(date(year, 12, 31), fallback=day)
        if book.annual is None or not is_due(ctx, book, year, day):
            return 0
        return compute(ctx, book, year, day)

    return in_body(env, body_id, day, ANNUAL_FINAL, work)


def year_to_finalise(day: date, year: int | None) -> int:
    """The year the ``annual_finals`` entry flow computes: ``year``, else the year before ``day``."""
    return last_completed(PeriodKind.YEAR, day).year if year is None else year


def body_code(env: Environment, body_id: int, day: date) -> str:
    """The code of a body (the flows' parameters name bodies by code)."""
    return in_body(env, body_id, day, ANNUAL_FINALS, lambda ctx: ctx.uow.org.body(ctx.body_id).code)
