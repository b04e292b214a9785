"""The evaluator's draft of a sheet (decision 0141): saved on the server, not signed.

An evaluator may keep a sheet half-filled — "Save draft" — and come back to it after logging out: the draft is
theirs only (no other person, not the evaluatee, not HR, not the superior head sees it, R-2), it is never a
submission (scoring, the flows, the report, the documents read signed versions only), and it is discarded when
the sheet is signed (``application.actions.sheets.submit_sheet``).

A draft may be incomplete: a parameter left empty, a KPI not scored yet. What is typed must still be possible: a
score outside the sheet's scale (D-2, Q-1) or outside a KPI's allowed range (K-4), a value that is not a number, a
count answer that is not yes/no (M-4), or indicators that are not ticks (M-6) is refused naming the rule, and
nothing is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from application.actions.lookup import SUBMITTABLE, Row
from application.context import BodyContext, transaction
from application.cycle.routing import may_submit
from application.environment import Environment
from application.errors import Rejected
from domain import scoring
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import PeriodKind
from persistence import flowstate
from persistence.records import SheetDraft


@dataclass(frozen=True)
class DraftSaved:
    evaluation_id: int
    saved_at: datetime
    fields: int


def _sheet(ctx: BodyContext, principal: Principal, evaluation_id: int) -> tuple[Row, int]:
    """The evaluation whose sheet ``principal`` evaluates (its evaluator, or whoever is due today, G-7/D-4)."""
    me = ctx.acting_person(principal)
    column = flowstate.evaluation.c
    rows = flowstate.evaluations(ctx.uow.session, body_id=ctx.body_id, where=[column.id == evaluation_id])
    if not rows or not rows[0]["eligible"]:
        raise Rejected.by_rule("R-2", _no_sheet(principal, evaluation_id))
    row = rows[0]
    if row["evaluator_id"] != me and me not in may_submit(ctx, row, ctx.on):
        raise Rejected.by_rule("R-2", _no_sheet(principal, evaluation_id))
    return row, me


def _no_sheet(principal: Principal, evaluation_id: int) -> Phrase:
    return Phrase(
        "{person} has no sheet {evaluation_id} to fill in", person=principal.person, evaluation_id=evaluation_id
    )


def _number(value: object, key: str, rule: str, book: Rulebook) -> Decimal | None:
    text = "" if value is None else str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        return scoring.to_decimal(text, field=f"scores.{key}", rule=rule, decimals=book.results.decimals)
    except RuleViolation as violation:
        raise Rejected.from_violation(violation) from None


def _unknown(key: str, allowed: list[str], rule: str) -> Rejected:
    return Rejected.by_rule(
        rule,
        Phrase(
            "{field}: not a field of this sheet; allowed: {allowed}", field=f"scores.{key}", allowed=", ".join(allowed)
        ),
    )


def check_draft(ctx: BodyContext, row: Row, scores: Any) -> dict[str, Any]:
    """The draft's values as kept (empty ones left out), or a refusal naming the rule of the first impossible one."""
    if not isinstance(scores, Mapping):
        raise Rejected("scores: a mapping of field id to value")
    book = ctx.book(row["rulebook_id"])
    spec: MethodSpec = book.method(row["method"])
    period = Period(PeriodKind(row["period_kind"]), row["period_year"], row["period_quarter"])
    kept: dict[str, Any] = {}
    if spec.scoring == "parameters":
        sheet = spec.sheet
        assert sheet is not None  # the rulebook model requires a sheet for parameter scoring
        ids = [parameter.id for parameter in sheet.parameters]
        for key, value in scores.items():
            if key not in ids:
                raise _unknown(str(key), ids, sheet.scale.rule)
            number = _number(value, key, sheet.scale.rule, book)
            if number is None:
                continue
            if not sheet.scale.min <= number <= sheet.scale.max:
                allowed = f"{sheet.scale.min:.2f}–{sheet.scale.max:.2f}"
                raise Rejected.by_rule(
                    sheet.scale.rule,
                    Phrase(  # the domain's own sentence of D-2/Q-1 (domain.scoring)
                        "score {score} for '{parameter}' is outside the scale {allowed} ({rule})",
                        score=scoring.plain(number),
                        parameter=key,
                        allowed=allowed,
                        rule=sheet.scale.rule,
                    ),
                )
            kept[key] = str(value).strip().replace(",", ".")
        return kept
    kpis = {kpi.code: kpi for kpi in ctx.uow.plans.kpis(row["person_id"], period.year)}
    if spec.scoring == "kpi_range":
        rules = book.kpi
        if rules is None:
            raise Rejected.by_rule("K-4", Phrase("rulebook {book_id} has no KPI table", book_id=book.id))
        period_key = "year" if period.kind == PeriodKind.YEAR else f"Q{period.quarter}"
        for key, value in scores.items():
            if key not in kpis:
                raise _unknown(str(key), sorted(kpis), "K-4")
            number = _number(value, key, "K-4", book)
            if number is None:
                continue
            values = kpis[key].values.get(period_key)
            if values is not None and values.planned is not None and values.actual is not None:
                direction: scoring.Direction = "lower" if kpis[key].direction == "lower" else "higher"
                try:
                    pct = scoring.achievement_pct(values.planned, values.actual, direction, kpi_id=key)
                    band = scoring.allowed_range(pct, rules)
                except RuleViolation as violation:
                    raise Rejected.from_violation(violation) from None
                if not band.min_score <= number <= band.max_score:
                    shown = f"{band.min_score:.2f}–{band.max_score:.2f}"
                    raise Rejected.by_rule(
                        "K-4",
                        Phrase(  # the domain's own sentence of K-4 (domain.scoring)
                            "score {score} is outside the allowed range {allowed} for {achievement}% achievement (K-4)",
                            score=scoring.plain(number),
                            allowed=shown,
                            achievement=scoring.plain(scoring.truncate_pct(pct, rules)),
                        ),
                    )
            kept[key] = str(value).strip().replace(",", ".")
        return kept
    if spec.scoring == "kpi_count":
        for key, value in scores.items():
            if key not in kpis:
                raise _unknown(str(key), sorted(kpis), "M-4")
            if value is None:
                continue
            if not isinstance(value, bool):
                raise Rejected.by_rule(
                    "M-4",
                    Phrase("{field}: achieved is true or false, not {value!r}", field=f"scores.{key}", value=value),
                )
            kept[key] = value
        return kept
    competencies = book.competencies
    if competencies is None:
        raise Rejected.by_rule("M-6", Phrase("rulebook {book_id} has no competency rules", book_id=book.id))
    category = ctx.org.employee(ctx.numbers[row["person_id"]]).category or ""
    try:
        group = scoring.competency_group(competencies, category)
    except RuleViolation as violation:
        raise Rejected.from_violation(violation) from None
    sizes = {item.id: len(item.indicators.get(group, ())) for item in competencies.competencies}
    for key, value in scores.items():
        if key not in sizes:
            raise _unknown(str(key), list(sizes), competencies.rule)
        if not isinstance(value, list) or not all(isinstance(flag, bool) for flag in value):
            raise Rejected.by_rule(
                competencies.rule,
                Phrase("{field}: one true or false per behaviour indicator", field=f"scores.{key}"),
            )
        if len(value) > sizes[key]:
            raise Rejected.by_rule(
                competencies.rule,
                Phrase(
                    "{field}: {answers} answers for {indicators} behaviour indicators",
                    field=f"scores.{key}",
                    answers=len(value),
                    indicators=sizes[key],
                ),
            )
        kept[key] = list(value)
    return kept


def save_draft(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluation_id: int,
    scores: Any,
    justification: str | None = None,
) -> DraftSaved:
    """The evaluator keeps the sheet as typed so far, unsigned (decision 0141); saving again replaces the draft."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row, me = _sheet(ctx, principal, evaluation_id)
        if row["status"] not in SUBMITTABLE or row["acquainted_on"] is not None:
            raise Rejected.by_rule(
                "C-2",
                Phrase(
                    "the sheet of {employee} can no longer be changed: nothing to draft",
                    employee=ctx.numbers[row["person_id"]],
                ),
            )
        kept = check_draft(ctx, row, scores)
        draft = uow.sheets.save_draft(
            row["id"], me, scores=kept, justification=justification or None, at=env.clock.moment(as_of)
        )
        return DraftSaved(row["id"], draft.saved_at, len(kept))


def draft_of(env: Environment, principal: Principal, *, as_of: date, evaluation_id: int) -> SheetDraft | None:
    """``principal``'s own draft of the sheet, if they evaluate it and saved one (R-2: nobody else's)."""
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row, me = _sheet(ctx, principal, evaluation_id)
        return uow.sheets.draft(row["id"], me)


def discard_draft(env: Environment, principal: Principal, *, as_of: date, evaluation_id: int) -> bool:
    """The evaluator throws their draft away; whether there was one."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row, me = _sheet(ctx, principal, evaluation_id)
        return uow.sheets.discard_drafts(row["id"], me) > 0
