"""After a decided result: the feedback meeting (C-8, 000 §42, 003 §23), the appeal of a calibration decision
(C-9, 000 §13, 003 §11) and of a Commission decision (M-9, 004 §43, 002 §69), with its outcome.

Hand-worked (examples/scenarios/atyrau-2023-chapter6.yaml): a Commission decision of Thursday 20 July 2023 may be
appealed until Thursday 3 August 2023 (10 working days: 21, 24–28 July, 31 July, 1–3 August).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.deadlines import WindowClosed
from domain.errors import RuleViolation
from domain.followup import appeal_deadline, check_appeal, check_feedback_meeting, decide_appeal
from domain.vocabulary import ResultCategory

CALENDAR = WorkingCalendar()
MODEL = rulebooks.get("kz-model-2018")
ATYRAU = rulebooks.get("kz-atyrau-2023")
CALIBRATION = MODEL.calibration
COMMISSION = ATYRAU.commission
assert CALIBRATION is not None and COMMISSION is not None
SIGNED = date(2025, 4, 18)


# --- C-8: the feedback meeting ---------------------------------------------------------------------------


def test_c8_the_evaluator_holds_the_feedback_meeting_after_the_session_with_no_term_in_the_law() -> None:
    """C-8 (000 §42 sets no term): the bundled rulebooks record the meeting without a deadline."""
    books = rulebooks.bundled().values()
    assert all(book.calibration is None or book.calibration.feedback_within is None for book in books)
    assert check_feedback_meeting(date(2025, 6, 2), "E1", "E1", SIGNED, CALIBRATION, CALENDAR) is None


@pytest.mark.parametrize(
    ("held_on", "by", "signed_on", "message"),
    [
        (date(2025, 4, 10), "E1", None, "no session protocol is signed yet"),
        (date(2025, 4, 17), "E1", SIGNED, "precedes the session's protocol signed on 2025-04-18"),
        (date(2025, 4, 21), "E2", SIGNED, "'E2' is not the evaluator; the evaluator \\(E1\\) holds"),
    ],
)
def test_c8_a_feedback_meeting_before_the_session_or_by_someone_else_is_refused(
    held_on: date, by: str, signed_on: date | None, message: str
) -> None:
    with pytest.raises(RuleViolation, match=message) as caught:
        check_feedback_meeting(held_on, by, "E1", signed_on, CALIBRATION, CALENDAR)
    assert caught.value.rule == "C-8"


def test_c8_a_rulebook_may_set_a_term_for_the_feedback_meeting() -> None:
    term = {"kind": "working_days", "days": 5, "after": "signed", "rule": "C-8"}
    rules = CALIBRATION.model_validate({**CALIBRATION.model_dump(), "feedback_within": term})
    # 5 WD after Friday 18 April 2025: 21, 22, 23, 24, 25 April.
    assert check_feedback_meeting(date(2025, 4, 25), "E1", "E1", SIGNED, rules, CALENDAR) == date(2025, 4, 25)
    with pytest.raises(WindowClosed, match="too late: the deadline was 2025-04-25 \\(C-8\\)"):
        check_feedback_meeting(date(2025, 4, 28), "E1", "E1", SIGNED, rules, CALENDAR)


# --- C-9 / M-9: the appeal -------------------------------------------------------------------------------


def test_m9_the_appeal_of_a_commission_decision_is_due_within_10_working_days() -> None:
    """M-9 (002 §69, 004 §43)."""
    decided = date(2023, 7, 20)
    assert appeal_deadline("commission", decided, CALENDAR, commission=COMMISSION) == date(2023, 8, 3)
    assert check_appeal(date(2023, 8, 3), "commission", decided, CALENDAR, commission=COMMISSION) == date(2023, 8, 3)
    with pytest.raises(WindowClosed, match=r"appeal on 2023-08-04 is too late: the deadline was 2023-08-03 \(M-9\)"):
        check_appeal(date(2023, 8, 4), "commission", decided, CALENDAR, commission=COMMISSION)


def test_c9_a_calibration_decision_may_be_appealed_with_no_term_in_the_seeds() -> None:
    """C-9 (000 §13: under the APPC; the seeds set no term)."""
    assert check_appeal(date(2025, 9, 1), "calibration", SIGNED, CALENDAR, calibration=CALIBRATION) is None


@pytest.mark.parametrize(("review", "rule"), [("calibration", "C-9"), ("commission", "M-9")])
def test_c9_m9_an_appeal_before_any_decision_or_before_its_day_is_refused(review: str, rule: str) -> None:
    with pytest.raises(RuleViolation, match="no .* decision to appeal yet") as caught:
        check_appeal(date(2025, 4, 1), review, None, CALENDAR, calibration=CALIBRATION, commission=COMMISSION)  # type: ignore[arg-type]
    assert caught.value.rule == rule
    with pytest.raises(RuleViolation, match="precedes the .* decision of 2025-04-18"):
        check_appeal(date(2025, 4, 17), review, SIGNED, CALENDAR, calibration=CALIBRATION, commission=COMMISSION)  # type: ignore[arg-type]


def test_c9_an_upheld_appeal_leaves_the_decided_result() -> None:
    result = decide_appeal(
        "upheld",
        "calibration",
        decided_score=Decimal("4.0"),
        decided_category=ResultCategory.EFFECTIVE,
        filed_on=date(2025, 4, 25),
        outcome_on=date(2025, 6, 2),
        results=MODEL.results,
    )
    assert (result.outcome, result.score, result.category, result.replaced, result.rule) == (
        "upheld",
        Decimal("4.0"),
        ResultCategory.EFFECTIVE,
        False,
        "C-9",
    )


def test_c9_a_revised_calibration_result_is_a_score_that_replaces_the_decided_one_banded_by_s1() -> None:
    result = decide_appeal(
        "revised",
        "calibration",
        decided_score=Decimal("4.0"),
        decided_category=ResultCategory.EFFECTIVE,
        filed_on=date(2025, 4, 25),
        outcome_on=date(2025, 6, 2),
        results=MODEL.results,
        revised_score=Decimal("3.99"),
    )
    assert (result.score, result.category, result.replaced) == (Decimal("3.99"), ResultCategory.PROPER, True)
    assert result.reason.endswith("which replaces the decided one (C-9)")


def test_m9_a_revised_commission_result_is_a_result_category_that_replaces_the_decided_one() -> None:
    grades = [grade.category for grade in ATYRAU.count_grading.grades]  # type: ignore[union-attr]
    result = decide_appeal(
        "revised",
        "commission",
        decided_score=None,
        decided_category=ResultCategory.SATISFACTORY,
        filed_on=date(2023, 7, 28),
        outcome_on=date(2023, 8, 20),
        results=ATYRAU.results,
        revised_category="proper",
        categories=grades,
    )
    assert (result.category, result.replaced, result.rule) == (ResultCategory.PROPER, True, "M-9")


@pytest.mark.parametrize(
    ("outcome", "options", "message"),
    [
        ("quashed", {}, "neither upheld nor revised"),
        ("upheld", {"revised_category": "proper"}, "carries no revised result"),
        ("revised", {}, "a revised Commission result is one of"),
        ("revised", {"revised_category": "excellent"}, "a revised Commission result is one of"),
        ("revised", {"revised_category": "satisfactory"}, "is the decided one: the outcome is upheld"),
        ("revised", {"revised_category": "proper", "outcome_on": date(2023, 7, 27)}, "precedes the appeal"),
    ],
)
def test_m9_an_outcome_that_does_not_fit_the_appeal_is_refused(
    outcome: str, options: dict[str, object], message: str
) -> None:
    grades = [grade.category for grade in ATYRAU.count_grading.grades]  # type: ignore[union-attr]
    arguments: dict[str, object] = {
        "decided_score": None,
        "decided_category": ResultCategory.SATISFACTORY,
        "filed_on": date(2023, 7, 28),
        "outcome_on": date(2023, 8, 20),
        "results": ATYRAU.results,
        "categories": grades,
        **options,
    }
    with pytest.raises(RuleViolation, match=message) as caught:
        decide_appeal(outcome, "commission", **arguments)  # type: ignore[arg-type]
    assert caught.value.rule == "M-9"


def test_c9_a_revised_score_off_the_scale_or_equal_to_the_decided_one_is_refused() -> None:
    base: dict[str, object] = {
        "decided_score": Decimal("4.0"),
        "decided_category": ResultCategory.EFFECTIVE,
        "filed_on": date(2025, 4, 25),
        "outcome_on": date(2025, 6, 2),
        "results": MODEL.results,
    }
    with pytest.raises(RuleViolation, match="outside the scale"):
        decide_appeal("revised", "calibration", revised_score=Decimal("5.5"), **base)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match="is the decided one"):
        decide_appeal("revised", "calibration", revised_score=4, **base)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match="is a score"):
        decide_appeal("revised", "calibration", revised_category="proper", **base)  # type: ignore[arg-type]
