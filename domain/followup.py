"""What follows a decided result: the feedback meeting (C-8) and the appeal with its outcome (C-9, M-9).

* **C-8** (000 §42, 003 §23): after the calibration session the evaluator holds a feedback meeting with the
  employee (achievements, skills and competencies, potential and career goals). The texts set no term: the
  meeting is a recorded step, after the protocol is signed, held by the evaluator; a rulebook may give it a term
  (``calibration.feedback_within``).
* **C-9** (000 §13, 003 §11): the calibration decision may be appealed under the Administrative
  Procedural-Procedure Code; the seeds set no term (``calibration.appeal_within``, none in the bundled rulebooks).
* **M-9** (004 §43, 002 §69): a Commission decision is appealed to the authorised civil-service body within
  10 working days (``commission.appeal_within``); the body recommends cancelling it and revising the result, or
  leaves it unchanged.

An appeal's outcome is ``upheld`` (the decision stands) or ``revised``, with the revised result that replaces
the decided one: a score for a calibration (banded by S-1), a result category for the Commission.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, get_args

from domain.calendar import WorkingCalendar
from domain.deadlines import check_within, resolve_if_known
from domain.errors import Phrase, RuleViolation
from domain.rulebook import Calibration, Commission, Results
from domain.scoring import Number, band, plain, score_bounds, stored_score, to_decimal
from domain.vocabulary import ResultCategory

Review = Literal["calibration", "commission"]
AppealOutcome = Literal["upheld", "revised"]
APPEAL_RULES: dict[str, str] = {"calibration": "C-9", "commission": "M-9"}


# --- C-8: the feedback meeting ------------------------------------------------------------------------------


def feedback_deadline(calibration: Calibration, signed_on: date, calendar: WorkingCalendar) -> date | None:
    """C-8: the last day of the feedback meeting (``None``: the rulebook sets no term, as 000 §42)."""
    return resolve_if_known(calibration.feedback_within, {"signed": signed_on}, calendar)


def check_feedback_meeting(
    held_on: date,
    by: str,
    evaluator: str | None,
    signed_on: date | None,
    calibration: Calibration,
    calendar: WorkingCalendar,
) -> date | None:
    """C-8: accept a feedback meeting held on ``held_on`` by ``by``, or refuse it naming C-8.

    Refused: no session protocol signed yet (the meeting follows the session), a meeting dated before the
    signature, anyone but the ``evaluator`` (the one due to evaluate, G-7), after the rulebook's term when it
    sets one. Returns the term (``None`` when there is none).
    """
    if signed_on is None:
        message = Phrase("the feedback meeting follows the calibration session, and no session protocol is signed yet")
        raise RuleViolation(rule="C-8", field="date", value=held_on, allowed="after the session", message=message)
    if held_on < signed_on:
        message = Phrase(
            "the feedback meeting on {held_on} precedes the session's protocol signed on {signed_on}",
            held_on=held_on,
            signed_on=signed_on,
        )
        raise RuleViolation(rule="C-8", field="date", value=held_on, allowed=f"from {signed_on}", message=message)
    if by != evaluator:
        message = Phrase(
            "'{by}' is not the evaluator; the evaluator ({evaluator}) holds the feedback meeting",
            by=by,
            evaluator=evaluator or "nobody",
        )
        raise RuleViolation(rule="C-8", field="by", value=by, allowed=evaluator, message=message)
    deadline = feedback_deadline(calibration, signed_on, calendar)
    if deadline is not None:
        check_within(held_on, deadline, "C-8", Phrase("the feedback meeting"))
    return deadline


# --- C-9 / M-9: appeals ---------------------------------------------------------------------------------------


def appeal_deadline(
    review: Review,
    decided_on: date,
    calendar: WorkingCalendar,
    *,
    calibration: Calibration | None = None,
    commission: Commission | None = None,
) -> date | None:
    """C-9/M-9: the last day to appeal a decision of ``decided_on`` (``None``: no term in the rulebook)."""
    if review == "calibration":
        rule = None if calibration is None else calibration.appeal_within
    else:
        rule = None if commission is None else commission.appeal_within
    return resolve_if_known(rule, {"decided": decided_on, "signed": decided_on}, calendar)


def check_appeal(
    filed_on: date,
    review: Review,
    decided_on: date | None,
    calendar: WorkingCalendar,
    *,
    calibration: Calibration | None = None,
    commission: Commission | None = None,
) -> date | None:
    """C-9/M-9: accept an appeal filed on ``filed_on`` against the decision of ``decided_on``, or refuse it.

    Refused: nothing decided yet (an appeal is of a calibration or Commission decision), filed before the
    decision, or after the term (M-9: 10 working days after the decision). Returns the term, if any.
    """
    rule = APPEAL_RULES[review]
    what = Phrase("calibration session") if review == "calibration" else Phrase("Commission")
    if decided_on is None:
        message = Phrase("there is no {what} decision to appeal yet", what=what)
        raise RuleViolation(rule=rule, field="date", value=filed_on, allowed="after a decision", message=message)
    if filed_on < decided_on:
        message = Phrase(
            "the appeal on {filed_on} precedes the {what} decision of {decided_on}",
            filed_on=filed_on,
            what=what,
            decided_on=decided_on,
        )
        raise RuleViolation(rule=rule, field="date", value=filed_on, allowed=f"from {decided_on}", message=message)
    deadline = appeal_deadline(review, decided_on, calendar, calibration=calibration, commission=commission)
    if deadline is not None:
        check_within(filed_on, deadline, rule, Phrase("the appeal"))
    return deadline


@dataclass(frozen=True)
class AppealResult:
    """C-9/M-9: the result that stands after the appeal: the decided one (``upheld``) or the revised one, which
    replaces it (``replaced``)."""

    outcome: AppealOutcome
    score: Decimal | None
    category: ResultCategory
    replaced: bool
    rule: str
    reason: str


def decide_appeal(
    outcome: str,
    review: Review,
    *,
    decided_score: Decimal | None,
    decided_category: ResultCategory,
    filed_on: date,
    outcome_on: date,
    results: Results,
    revised_score: Number | None = None,
    revised_category: ResultCategory | str | None = None,
    categories: Collection[ResultCategory] | None = None,
) -> AppealResult:
    """C-9/M-9: the outcome of an appeal, recorded on ``outcome_on``, and the result that then stands.

    ``upheld``: the decided result stands; a revised result is refused. ``revised``: the revised result replaces
    the decided one — a score on the S-1 scale for a calibration (C-9, banded by S-1), a result category among
    ``categories`` for the Commission (M-9: M-4 or M-6 results). An outcome recorded before the appeal was
    filed, an unknown outcome word, a revision that changes nothing are refused.
    """
    rule = APPEAL_RULES[review]
    if outcome not in get_args(AppealOutcome):
        message = Phrase("appeal outcome {outcome!r} is neither upheld nor revised", outcome=outcome)
        allowed = list(get_args(AppealOutcome))
        raise RuleViolation(rule=rule, field="outcome", value=outcome, allowed=allowed, message=message)
    if outcome_on < filed_on:
        message = Phrase(
            "the outcome on {outcome_on} precedes the appeal filed on {filed_on}",
            outcome_on=outcome_on,
            filed_on=filed_on,
        )
        raise RuleViolation(rule=rule, field="date", value=outcome_on, allowed=f"from {filed_on}", message=message)
    if outcome == "upheld":
        if revised_score is not None or revised_category is not None:
            message = Phrase("an upheld decision stands as decided: it carries no revised result")
            given = revised_score if revised_score is not None else revised_category
            raise RuleViolation(rule=rule, field="result", value=given, allowed="no revised result", message=message)
        reason = Phrase("the appeal left the decision unchanged ({rule})", rule=rule)
        return AppealResult("upheld", decided_score, decided_category, False, rule, reason)
    if review == "calibration":
        return _revised_score(revised_score, revised_category, decided_score, results, rule)
    return _revised_category(revised_category, revised_score, decided_category, categories, rule)


def _revised_score(
    revised: Number | None, category: object, decided: Decimal | None, results: Results, rule: str
) -> AppealResult:
    if revised is None or category is not None:
        message = Phrase("a revised calibration result is a score (the category follows from it, S-1)")
        raise RuleViolation(rule=rule, field="score", value=revised, allowed="a score", message=message)
    score = to_decimal(revised, field="score", rule=rule, decimals=results.decimals)
    low, high = score_bounds(results)
    if not low <= score <= high:
        message = Phrase(
            "the revised score {score} is outside the scale {low}–{high}", score=plain(score), low=low, high=high
        )
        raise RuleViolation(rule=rule, field="score", value=score, allowed=f"{low}–{high}", message=message)
    if decided is not None and stored_score(score) == stored_score(decided):
        message = Phrase(
            "the revised score {score} is the decided one: the outcome is upheld, not revised", score=plain(score)
        )
        raise RuleViolation(rule=rule, field="score", value=score, allowed="another score", message=message)
    reason = Phrase(
        "the appeal revised the result to {score}, which replaces the decided one ({rule})",
        score=plain(score),
        rule=rule,
    )
    return AppealResult("revised", stored_score(score), band(score, results), True, rule, reason)


def _revised_category(
    revised: ResultCategory | str | None,
    score: object,
    decided: ResultCategory,
    categories: Collection[ResultCategory] | None,
    rule: str,
) -> AppealResult:
    allowed = sorted(str(c) for c in (categories or list(ResultCategory)))
    if revised is None or score is not None or str(revised) not in allowed:
        message = Phrase(
            "a revised Commission result is one of {allowed}, got {revised!r}",
            allowed=", ".join(allowed),
            revised=revised,
        )
        raise RuleViolation(rule=rule, field="result", value=revised, allowed=allowed, message=message)
    category = ResultCategory(str(revised))
    if category == decided:
        message = Phrase(
            "the revised result {category} is the decided one: the outcome is upheld, not revised", category=category
        )
        raise RuleViolation(rule=rule, field="result", value=category, allowed="another result", message=message)
    reason = Phrase(
        "the appeal revised the result to {category}, which replaces the decided one ({rule})",
        category=category,
        rule=rule,
    )
    return AppealResult("revised", None, category, True, rule, reason)
