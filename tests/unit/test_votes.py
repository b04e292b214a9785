"""Panels decide by the law's majorities: the calibration session (C-5, C-6) and the Commission (M-7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import RuleViolation
from domain.rulebook import Calibration, Commission, Results
from domain.rulebooks import BUNDLED_DIR, parse_text
from domain.vocabulary import ResultCategory
from domain.votes import (
    Decision,
    calibration_outcome,
    check_calibration_composition,
    check_commission_composition,
    commission_outcome,
    record_calibration_vote,
)

D = Decimal
BUNDLED = parse_text((BUNDLED_DIR / "kz-model-2018.yaml").read_text(encoding="utf-8"), "kz-model-2018.yaml")
RESULTS = Results.model_validate(BUNDLED["results"])


def working_days(days: int, after: str, rule: str) -> dict[str, Any]:
    return {"kind": "working_days", "days": days, "after": after, "rule": rule}


def calibration(**overrides: Any) -> Calibration:
    """C-5 as in seed 003 §19: odd, at least 3, HR member, never the employee or the disputed evaluator."""
    data: dict[str, Any] = {
        "rules": ["C-5", "C-6"],
        "acquaintance": working_days(2, "completed", "C-1"),
        "apply_within": working_days(5, "acquainted", "C-2"),
        "decide_within": working_days(3, "applied", "C-3"),
        "hold_within": working_days(10, "applied", "C-4"),
        "protocol_post_within": working_days(3, "signed", "C-7"),
        "min_members": 3,
        "odd_members": True,
        "require_hr_member": True,
    }
    return Calibration.model_validate({**data, **overrides})


COMMISSION = Commission.model_validate(
    {
        "rules": ["M-7"],
        "min_members": 5,
        "quorum_numerator": 2,
        "quorum_denominator": 3,
        "notice_before_meeting": {"kind": "working_days_before", "days": 7, "before": "meeting", "rule": "M-7"},
        "resubmit_within": working_days(2, "returned", "M-5"),
        "submit_to_commission_within": working_days(2, "signed", "M-5"),
        "acquaintance": working_days(2, "decided", "M-8"),
        "appeal_within": working_days(10, "decided", "M-9"),
    }
)
FIVE = ["E0", "E5", "E6", "E8", "E9"]
SIX = [*FIVE, "E7"]
APPROVE = Decision("approve")


def revise(result: str) -> Decision:
    return Decision("revise", ResultCategory(result))


def violation(call: Any, *args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


# --- C-5: composition -------------------------------------------------------------------------------------


def test_c5_a_valid_composition_passes() -> None:
    check_calibration_composition(["E5", "E6", "H1"], "E2", "E1", {"H1"}, calibration())


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (["E5", "H1"], "2 members; at least 3 are required"),
        (["E5", "E6", "E7", "H1"], "4 members; the number of members must be odd"),
        (["E2", "E6", "H1"], "the employee E2 who disagrees cannot sit"),
        (["E1", "E6", "H1"], "the evaluator E1 whose score is disputed cannot sit"),
        (["E5", "E6", "E7"], "no member is from the HR service"),
        (["E5", "E5", "E6", "H1"], "E5 is listed more than once"),
    ],
)
def test_c5_each_composition_problem_is_named(members: list[str], problem: str) -> None:
    error = violation(check_calibration_composition, members, "E2", "E1", {"H1"}, calibration())
    assert problem in str(error) and error.rule == "C-5" and error.field == "members"


def test_c5_every_problem_is_named_at_once() -> None:
    message = str(violation(check_calibration_composition, ["E2", "E1"], "E2", "E1", {"H1"}, calibration()))
    assert all(part in message for part in ("at least 3", "must be odd", "E2 who disagrees", "E1 whose", "HR"))


def test_c5_rulebook_options_relax_parity_and_hr() -> None:
    relaxed = calibration(odd_members=False, require_hr_member=False)
    check_calibration_composition(["E5", "E6", "E7", "E8"], "E2", "E1", set(), relaxed)


# --- C-6: the majority vote -------------------------------------------------------------------------------


def test_c6_a_majority_of_members_decides_the_score_and_its_category() -> None:
    outcome = calibration_outcome({"E5": D("4.0"), "E6": D("4.00"), "H1": D("3.5")}, ["E5", "E6", "H1"], RESULTS)
    assert outcome.decided and outcome.score == D(4) and outcome.category == ResultCategory.EFFECTIVE
    assert outcome.votes_for_winner == 2 and "majority" in outcome.reason


def test_c6_decided_as_soon_as_a_majority_of_all_members_is_reached() -> None:
    outcome = calibration_outcome({"E5": 3, "E6": 3, "E7": 3}, ["E5", "E6", "E7", "E8", "H1"], RESULTS)
    assert outcome.decided and outcome.pending == ("E8", "H1")


def test_c6_waits_while_a_majority_is_still_possible() -> None:
    outcome = calibration_outcome({"E5": 3, "E6": 4}, ["E5", "E6", "H1"], RESULTS)
    assert not outcome.decided and outcome.pending == ("H1",) and "waiting" in outcome.reason


def test_c6_all_voted_without_a_majority_is_not_decided() -> None:
    outcome = calibration_outcome({"E5": 3, "E6": 4, "H1": D("3.5")}, ["E5", "E6", "H1"], RESULTS)
    assert not outcome.decided and outcome.score is None and outcome.reason.startswith("no majority")


def test_c6_half_of_an_even_panel_is_not_a_majority() -> None:
    outcome = calibration_outcome({"E5": 3, "E6": 3, "E7": 4, "H1": 4}, ["E5", "E6", "E7", "H1"], RESULTS)
    assert not outcome.decided and "no majority" in outcome.reason


def test_c6_no_majority_once_it_is_out_of_reach() -> None:
    votes = {"E5": 1, "E6": 2, "E7": 3, "E8": 4}
    outcome = calibration_outcome(votes, ["E5", "E6", "E7", "E8", "H1"], RESULTS)
    assert not outcome.decided and outcome.reason.startswith("no majority")


def test_c6_a_vote_from_a_non_member_is_refused() -> None:
    error = violation(calibration_outcome, {"E9": 4}, ["E5", "E6", "H1"], RESULTS)
    assert error.rule == "C-6" and "E9 is not a member" in str(error)


def test_c6_a_second_vote_of_the_same_member_is_refused() -> None:
    error = violation(calibration_outcome, [("E5", 4), ("E6", 4), ("E5", 3)], ["E5", "E6", "H1"], RESULTS)
    assert "E5 has already voted 4" in str(error)
    votes = record_calibration_vote({}, "E5", 4, ["E5", "E6", "H1"], RESULTS)
    assert violation(record_calibration_vote, votes, "E5", 4, ["E5", "E6", "H1"], RESULTS).rule == "C-6"


@pytest.mark.parametrize(
    ("score", "problem"),
    [
        (6, "outside the scale"),
        ("-1", "outside the scale"),
        ("4.005", "at most 2 decimals"),
        (True, "must be a number"),
    ],
)
def test_c6_votes_off_the_scale_are_refused(score: Any, problem: str) -> None:
    assert problem in str(violation(calibration_outcome, {"E5": score}, ["E5", "E6", "H1"], RESULTS))


# --- M-7: composition, quorum, majority, the chair's casting vote -----------------------------------------


def test_m7_composition_needs_five_members_with_the_chair_and_without_the_secretary() -> None:
    check_commission_composition(FIVE, "E0", "H1", COMMISSION)
    message = str(violation(check_commission_composition, ["E5", "E6", "H1", "E6"], "E0", "H1", COMMISSION))
    assert "3 members; the Commission has at least 5" in message
    assert "chair E0 is not among the members" in message and "secretary H1 does not vote" in message
    assert "E6 is listed more than once" in message


def test_m7_quorum_of_4_of_6_is_exactly_two_thirds() -> None:
    outcome = commission_outcome({"E0": APPROVE, "E5": APPROVE}, SIX, "E0", "H1", ["E0", "E5", "E6", "E8"], COMMISSION)
    assert outcome.quorum and outcome.decided and outcome.decision == "approve"
    assert outcome.abstained == ("E6", "E8")


def test_m7_3_of_5_present_is_no_quorum() -> None:
    outcome = commission_outcome({"E0": APPROVE}, FIVE, "E0", "H1", ["E0", "E5", "E6", "H1"], COMMISSION)
    assert not outcome.quorum and not outcome.decided and "no quorum: 3 of the 5" in outcome.reason


def test_m7_simple_majority_of_votes_cast_revises_with_the_result() -> None:
    votes = {"E0": revise("effective"), "E5": revise("effective"), "E6": APPROVE, "E8": revise("proper")}
    outcome = commission_outcome(votes, FIVE, "E0", "H1", FIVE, COMMISSION)
    assert outcome.decided and outcome.decision == "revise" and outcome.result == ResultCategory.EFFECTIVE
    assert (outcome.approve_votes, outcome.revise_votes) == (1, 3)


def test_m7_tie_is_broken_by_the_chair() -> None:
    votes = {"E0": APPROVE, "E5": APPROVE, "E6": revise("proper"), "E8": revise("proper")}
    outcome = commission_outcome(votes, FIVE, "E0", "H1", ["E0", "E5", "E6", "E8"], COMMISSION)
    assert outcome.decided and outcome.decision == "approve" and "chair" in outcome.reason


def test_m7_tie_between_revised_results_goes_to_the_chairs_result() -> None:
    votes = {"E0": revise("proper"), "E5": revise("effective"), "E6": APPROVE}
    outcome = commission_outcome(votes, FIVE, "E0", "H1", ["E0", "E5", "E6", "E8"], COMMISSION)
    assert outcome.decided and outcome.result == ResultCategory.PROPER


def test_m7_tie_between_revised_results_without_the_chair_is_not_decided() -> None:
    votes = {"E5": revise("proper"), "E6": revise("effective"), "E8": APPROVE}
    outcome = commission_outcome(votes, FIVE, "E0", "H1", ["E0", "E5", "E6", "E8"], COMMISSION)
    assert not outcome.decided and outcome.decision == "revise" and outcome.result is None


def test_m7_tie_without_the_chairs_vote_is_not_decided() -> None:
    votes = {"E5": APPROVE, "E6": revise("proper")}
    outcome = commission_outcome(votes, FIVE, "E0", "H1", ["E0", "E5", "E6", "E8"], COMMISSION)
    assert not outcome.decided and outcome.reason.startswith("tie")


def test_m7_no_votes_cast_is_not_decided() -> None:
    outcome = commission_outcome({}, FIVE, "E0", "H1", FIVE, COMMISSION)
    assert outcome.quorum and not outcome.decided


@pytest.mark.parametrize(
    ("votes", "present", "problem"),
    [
        ({"H1": APPROVE}, [*FIVE, "H1"], "the secretary H1 does not vote"),
        ({"X9": APPROVE}, FIVE, "X9 is not a member present"),
        ({"E8": APPROVE}, ["E0", "E5", "E6", "E9"], "E8 is not a member present"),
        ({"E5": Decision("revise")}, FIVE, "gives no revised result"),
        ({"E5": Decision("approve", ResultCategory.PROPER)}, FIVE, "only a revision carries one"),
        ({"E5": Decision("abstain")}, FIVE, "neither approve nor revise"),  # type: ignore[arg-type]
    ],
)
def test_m7_votes_that_may_not_be_cast_are_refused(
    votes: dict[str, Decision], present: list[str], problem: str
) -> None:
    error = violation(commission_outcome, votes, FIVE, "E0", "H1", present, COMMISSION)
    assert problem in str(error) and error.rule == "M-7"


def test_m7_strangers_present_are_refused_the_secretary_is_not() -> None:
    assert "X1" in str(violation(commission_outcome, {}, FIVE, "E0", "H1", [*FIVE, "X1"], COMMISSION))
    assert commission_outcome({"E5": APPROVE}, FIVE, "E0", "H1", [*FIVE, "H1"], COMMISSION).decided
