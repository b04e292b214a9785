"""Submitting an evaluation sheet (D-1…D-3, K-3…K-6, Q-1…Q-3, M-4, M-6) and completing the evaluation (S-1, C-1).

Only whoever is due to evaluate on the day may submit (``application.cycle.routing``: the routed evaluator, an
acting head, a head standing in for an evaluator absent on the deadline, a D-4 delegate; G-7, D-4); a sheet of a
method past its sunset is refused (M-10). The
scores are checked by ``domain.scoring`` against the rulebook of the evaluation: K-4 ranges from the evaluatee's
KPI plan and actual for the quarter, the D-2/Q-1 scale, the Q-3 cap from the sanctions of the period. A late
sheet (after the deadline) is accepted and recorded as such: the deadline was already escalated. Each submission
is a new version; the current one counts. The evaluation is completed on the day of the submission, unless the
method needs the superior head's approval first (M-5), and the evaluatee is told (C-1, R-2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from application import messages
from application.actions.lookup import SUBMITTABLE, Row, evaluations_of, ineligible_reason
from application.context import BodyContext, transaction
from application.cycle.routing import may_submit
from application.environment import Environment
from application.errors import Rejected
from domain import scoring
from domain.access import Principal
from domain.deadlines import calibration_schedule
from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.rulebook import MethodSpec, Rulebook
from domain.validity import check_in_force
from domain.vocabulary import EvaluationStatus, Method, PeriodKind, ResultCategory
from notifications.kinds import MessageKind
from persistence import flowstate
from persistence.signing import sheet_content_hash
from persistence.uow import UnitOfWork


@dataclass(frozen=True)
class Scored:
    """A sheet's result: the score as stored (S-1: cut to four decimals; ``None`` for a count or competency
    result), category, stored scores."""

    score: Decimal | None
    category: ResultCategory | None
    stored: Mapping[str, Any]


@dataclass(frozen=True)
class Submitted:
    """What ``submit_sheet`` did."""

    evaluation_id: int
    version: int
    score: Decimal | None
    category: ResultCategory | None
    late: bool
    completed: bool


@dataclass(frozen=True)
class SheetFacts:
    """What a scorer may need about the evaluatee and the period."""

    ctx: BodyContext
    evaluation: Row
    person_id: int
    number: str
    period: Period
    book: Rulebook
    spec: MethodSpec
    justification: str | None


Scorer = Callable[[Any, SheetFacts], Scored]


def _score_kpi(scores: Any, facts: SheetFacts) -> Scored:
    """K-3…K-6: each KPI scored inside the allowed range of its achievement in the quarter (appendix 2, 3)."""
    if facts.book.kpi is None:
        raise Rejected.by_rule("K-4", Phrase("rulebook {book_id} has no KPI table", book_id=facts.book.id))
    key = _kpi_period_key(facts.period)
    kpis = [
        scoring.KpiFact(
            kpi.code,
            kpi.values[key].planned if key in kpi.values else None,  # type: ignore[arg-type]
            kpi.values[key].actual if key in kpi.values else None,
            "lower" if kpi.direction == "lower" else "higher",
        )
        for kpi in facts.ctx.uow.plans.kpis(facts.person_id, facts.period.year)
    ]
    missing = [kpi.id for kpi in kpis if kpi.plan is None]
    if missing:
        raise Rejected.by_rule(
            "K-1",
            Phrase(
                "KPIs {missing} of {number} have no plan for {period}",
                missing=", ".join(missing),
                number=facts.number,
                period=facts.period,
            ),
        )
    result = scoring.score_kpi_sheet(scores, kpis, facts.book.kpi, facts.book.results)
    return Scored(result.stored, result.category, dict(result.per_item))


def _score_parameters(scores: Any, facts: SheetFacts) -> Scored:
    """D-2/D-3, Q-1…Q-3: parameter scores on the sheet's scale; the period's sanctions cap the score."""
    sheet = facts.spec.sheet
    assert sheet is not None  # the rulebook model requires a sheet for parameter scoring
    sanctions = flowstate.sanctions_between(
        facts.ctx.uow.session, facts.person_id, facts.period.start, facts.period.end
    )
    result = scoring.score_parameters(
        scores, sheet, facts.book.results, facts.book.caps, sanctions, justification=facts.justification
    )
    ids = [parameter.id for parameter in sheet.parameters]
    given = scoring.normalise_scores(scores, ids, rule=sheet.scale.rule, decimals=facts.book.results.decimals)
    return Scored(result.stored, result.category, given)


def _score_kpi_count(scores: Any, facts: SheetFacts) -> Scored:
    """M-4: the year-end KPI result by the count of KPIs achieved."""
    grading = facts.book.count_grading
    if grading is None:
        raise Rejected.by_rule("M-4", Phrase("rulebook {book_id} has no KPI-count grading", book_id=facts.book.id))
    ids = [kpi.code for kpi in facts.ctx.uow.plans.kpis(facts.person_id, facts.period.year)]
    result = scoring.score_kpi_count(scores, grading, ids)
    return Scored(None, result.category, dict(result.per_item))


def _score_competencies(scores: Any, facts: SheetFacts) -> Scored:
    """M-6: competencies rated by the behaviour indicators observed."""
    rules = facts.book.competencies
    if rules is None:
        raise Rejected.by_rule("M-6", Phrase("rulebook {book_id} has no competency rules", book_id=facts.book.id))
    employee = facts.ctx.org.employee(facts.number)
    group = scoring.competency_group(rules, employee.category or "")
    result = scoring.score_competencies(scores, rules, group, public_service=employee.public_service)
    stored = {key: list(value) for key, value in dict(scores).items()}
    return Scored(None, result.category, stored)


SCORERS: dict[str, Scorer] = {
    "kpi_range": _score_kpi,
    "parameters": _score_parameters,
    "kpi_count": _score_kpi_count,
    "competencies": _score_competencies,
}
"""How each ``MethodSpec.scoring`` of a rulebook is scored (rules as data: no ``if family == …``)."""


def _kpi_period_key(period: Period) -> str:
    return "year" if period.kind == PeriodKind.YEAR else f"Q{period.quarter}"


def routing_rule(book: Rulebook, spec: MethodSpec, category: str | None) -> str:
    """The rule id naming who evaluates (D-1, K-4, Q-1): the first routing rule matching the category."""
    for rule in spec.evaluator:
        if category is not None and book.matches(rule.when, category):
            return rule.rule
    return spec.evaluator[0].rule


def submit_sheet(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    scores: Any,
    comment: str | None = None,
    method: Method | str | None = None,
    evaluation_id: int | None = None,
    unchanged_is_noop: bool = False,
) -> Submitted:
    """The evaluator (``principal``) submits (and signs) the sheet of ``evaluatee``; refused with the rule id if not
    theirs, out of range or not open. A submission after the deadline is accepted and recorded as late.

    ``evaluation_id`` names the evaluation when the caller knows it (the web form: refused unless it is one of
    ``evaluatee``'s open sheets). ``unchanged_is_noop``: a submission whose content equals the current signed
    version (a form sent twice) changes nothing and answers that version — except after a return (M-5), where the
    resubmission itself is the answer the superior head waits for."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(evaluatee)
        submitter = ctx.acting_person(principal)
        actor = principal.person
        row = _open_sheet(ctx, person_id, evaluatee, method, evaluation_id)
        book = ctx.book(row["rulebook_id"])
        spec = book.method(row["method"])
        period = Period(PeriodKind(row["period_kind"]), row["period_year"], row["period_quarter"])
        if spec.sunset is not None:
            try:
                check_in_force(spec, as_of, Phrase("a sheet"))
            except RuleViolation as violation:
                raise Rejected.from_violation(violation) from None
        if submitter not in may_submit(ctx, row, as_of):
            category = ctx.org.employee(evaluatee).category
            raise Rejected.by_rule(
                routing_rule(book, spec, category),
                Phrase("{actor} is not the evaluator of {evaluatee}", actor=actor, evaluatee=evaluatee),
            )
        facts = SheetFacts(ctx, row, person_id, evaluatee, period, book, spec, comment)
        try:
            scored = SCORERS[spec.scoring](scores, facts)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        uow.sheets.discard_drafts(row["id"])  # signed: the drafts of the sheet are done with (decision 0141)
        if unchanged_is_noop and row["status"] != EvaluationStatus.RETURNED.value:
            current = uow.sheets.current(row["id"])
            same = sheet_content_hash(row["id"], scored.stored, comment)
            if current is not None and current.signed_at is not None and current.content_hash == same:
                completed = row["status"] == EvaluationStatus.COMPLETED.value
                late = row["deadline"] is not None and (row["submitted_on"] or as_of) > row["deadline"]
                return Submitted(row["id"], current.version, scored.score, scored.category, late, completed)
        sheet = uow.sheets.submit(
            row["id"],
            scores=scored.stored,
            submitted_by_id=submitter,
            submitted_at=env.clock.moment(as_of),
            justification=comment,
            signed_by_id=submitter,
            signed_at=env.clock.moment(as_of),
        )
        if row["evaluator_id"] != submitter:  # G-7/D-4: whoever was due on the day evaluated
            uow.evaluations.update(row["id"], evaluator_id=submitter, reason=f"evaluated by {actor} (G-7, D-4)")
        late = row["deadline"] is not None and as_of > row["deadline"]
        reason = f"sheet version {sheet.version} submitted" + (" after the deadline" if late else "")
        if spec.superior_approval or spec.review == "commission":
            # M-5: the superior head agrees or returns it first; M-6 (004 §28): a sheet signed by the direct head
            # alone goes to the Commission as it is. The Commission decides the result (application.cycle.commission).
            status = EvaluationStatus.SUBMITTED if spec.superior_approval else EvaluationStatus.APPROVED
            rule = "M-5" if spec.superior_approval else "M-6"
            uow.evaluations.update(row["id"], status=status, submitted_on=as_of, reason=f"{reason} ({rule})")
            return Submitted(row["id"], sheet.version, scored.score, scored.category, late, completed=False)
        uow.evaluations.update(row["id"], submitted_on=as_of, reason=reason)
        complete_evaluation(ctx, row["id"], book=book, score=scored.score, category=scored.category, day=as_of)
        return Submitted(row["id"], sheet.version, scored.score, scored.category, late, completed=True)


def _open_sheet(
    ctx: BodyContext, person_id: int, number: str, method: Method | str | None, evaluation_id: int | None = None
) -> Row:
    """The evaluation whose sheet is submitted: one awaiting a sheet first (oldest period), else a resubmission;
    the one named by ``evaluation_id`` when given."""
    rows = evaluations_of(ctx, person_id, method=method)
    if evaluation_id is not None:
        rows = [row for row in rows if row["id"] == evaluation_id]
    if not rows:
        raise Rejected.by_rule("P-1", Phrase("no evaluation of {number} is open", number=number))
    open_rows = [row for row in rows if row["eligible"] and row["status"] in SUBMITTABLE]
    if not open_rows:
        _refuse_after_sunset(ctx, rows)
        refusal = ineligible_reason(rows, number)
        if refusal is not None:
            raise refusal
        known = rows[0]
        raise Rejected.by_rule(
            "C-2",
            Phrase(
                "the result of {number} for {period_label} was already made known to them; it can change only "
                "through calibration",
                number=number,
                period_label=known["period_label"],
            ),
        )
    waiting = [row for row in open_rows if row["status"] != EvaluationStatus.COMPLETED.value]
    candidates = waiting or open_rows
    methods = sorted({row["method"] for row in candidates})
    if method is None and len(methods) > 1:
        raise Rejected(
            Phrase(
                "{number} has open sheets of several methods ({methods}): name the method",
                number=number,
                methods=", ".join(methods),
            )
        )
    if waiting:
        return min(candidates, key=lambda row: (row["period_year"], row["period_quarter"] or 5, row["id"]))
    return candidates[0]


def _refuse_after_sunset(ctx: BodyContext, rows: list[Row]) -> None:
    """M-10: a sheet for an evaluation whose method expired before it finished is refused citing M-10."""
    for row in rows:
        if not row["eligible"] or row["completed_on"] is not None:
            continue
        spec = ctx.book(row["rulebook_id"]).method(row["method"])
        if spec.sunset is not None and not spec.in_force(ctx.on):
            try:
                check_in_force(spec, ctx.on, Phrase("a sheet"))
            except RuleViolation as violation:
                raise Rejected.from_violation(violation) from None


def complete_evaluation(
    ctx: BodyContext,
    evaluation_id: int,
    *,
    book: Rulebook,
    score: Decimal | None,
    category: ResultCategory | None,
    day: date,
) -> None:
    """The result is known on ``day`` (K-5, D-3, Q-2/Q-3, M-4, M-6, S-1): record it, set the C-1 acquaintance date,
    and tell the evaluatee — by a means that records delivery when they are absent or dismissed (E-3, E-4, Q-4)."""
    uow = ctx.uow
    row = uow.evaluations.get(evaluation_id)
    acquaint_by = None
    if book.calibration is not None:
        acquaint_by = calibration_schedule(book.calibration, ctx.calendar, completed_on=day).acquaint_by
    uow.evaluations.update(
        evaluation_id,
        status=EvaluationStatus.COMPLETED,
        completed_on=day,
        score=score,
        category=category,
        acquaint_by=acquaint_by,
        reason="result known (S-1)",
    )
    number = ctx.numbers[row.person_id]
    employee = ctx.org.employee(number)
    dismissed = employee.dismissed is not None and employee.dismissed <= day
    absent = row.in_absentia or dismissed
    kind = MessageKind.ACQUAINTANCE_RECORDED_DELIVERY if absent else MessageKind.RESULT_READY
    version = len(uow.sheets.versions(evaluation_id)) or 1
    payload = {
        "period": _period_label(uow, row.period_id),
        "ack_link": ctx.env.link(f"ack/{evaluation_id}"),
        **messages.result_payload(book, score, category),
    }
    messages.queue(
        ctx,
        row.person_id,
        key=f"result:{evaluation_id}:{version}",
        kind=kind,
        day=day,
        payload=payload,
        evaluation_id=evaluation_id,
    )


def _period_label(uow: UnitOfWork, period_id: int) -> str:
    return uow.periods.get(period_id).label
