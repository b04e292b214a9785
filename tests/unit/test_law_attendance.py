"""Commission attendance and the quorum from it (M-7, 004 §30, §34; 002 §57): the chair is not assumed present,
without an attendance record every member who votes that day counts present, the secretary never counts nor
votes, attendance by a non-member is refused; an acting member sits in the absent member's seat (G-7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain import rulebooks
from domain.errors import RuleViolation
from domain.facts import Absence, ActingAssignment, Employee, Organization
from domain.routing import voting_seat
from domain.vocabulary import AbsenceKind, ResultCategory
from domain.votes import Decision, check_attendance, commission_outcome, meeting_attendance

RULES = rulebooks.get("kz-annual-commission-2018").commission
assert RULES is not None
FIVE = ["E0", "E5", "E6", "E8", "E9"]
APPROVE = Decision("approve")
REVISE = Decision("revise", ResultCategory.EFFECTIVE)


def test_m7_without_attendance_the_chair_who_does_not_vote_is_not_present() -> None:
    """M-7 (issue 11): the chair was always counted present; 3 voters of 5 members are no quorum (3·3 < 2·5)."""
    votes = {"E5": APPROVE, "E6": APPROVE, "E8": APPROVE}
    attendance = meeting_attendance(FIVE, "H1", recorded=None, voters=list(votes))
    assert (attendance.present, attendance.recorded) == (("E5", "E6", "E8"), False)
    outcome = commission_outcome(votes, FIVE, "E0", "H1", attendance.present, RULES)
    assert (outcome.decided, outcome.quorum) == (False, False) and "no quorum: 3 of the 5" in outcome.reason


def test_m7_with_attendance_a_present_chair_who_abstains_counts_for_the_quorum() -> None:
    """M-7: E0 (chair), E5, E6, E8 present (4 of 5 ≥ 2/3); H1 the secretary is listed but not counted."""
    votes = {"E5": APPROVE, "E6": APPROVE, "E8": REVISE}
    attendance = meeting_attendance(FIVE, "H1", recorded=["E0", "E5", "E6", "E8", "H1"], voters=list(votes))
    assert (attendance.present, attendance.secretary_present, attendance.recorded) == (
        ("E0", "E5", "E6", "E8"),
        True,
        True,
    )
    outcome = commission_outcome(votes, FIVE, "E0", "H1", attendance.present, RULES)
    assert (outcome.decided, outcome.decision, outcome.abstained) == (True, "approve", ("E0",))


def test_m7_attendance_by_a_non_member_is_refused_naming_m7() -> None:
    """M-7 (issue 11, bad input)."""
    with pytest.raises(RuleViolation, match=r"E3 is not a member of the Commission .*\(M-7\)") as caught:
        check_attendance(["E0", "E3", "E5"], FIVE, "H1")
    assert (caught.value.rule, caught.value.field) == ("M-7", "present")


def test_m7_a_member_not_in_the_attendance_record_cannot_vote() -> None:
    attendance = meeting_attendance(FIVE, "H1", recorded=["E0", "E5", "E6", "E8"], voters=["E9"])
    with pytest.raises(RuleViolation, match="E9 is not a member present at the meeting"):
        commission_outcome({"E9": APPROVE}, FIVE, "E0", "H1", attendance.present, RULES)


def test_m7_the_secretary_never_votes_even_when_present() -> None:
    """M-7 (004 §34: the secretary does not vote; issue 11, bad input)."""
    attendance = meeting_attendance(FIVE, "H1", recorded=["E0", "E5", "E6", "H1"], voters=["H1"])
    assert "H1" not in attendance.present
    with pytest.raises(RuleViolation, match="the secretary H1 does not vote") as caught:
        commission_outcome({"H1": APPROVE}, FIVE, "E0", "H1", attendance.present, RULES)
    assert caught.value.rule == "M-7"


def test_m7_a_secretary_who_votes_is_not_counted_present_from_the_votes() -> None:
    attendance = meeting_attendance(FIVE, "H1", recorded=None, voters=["E5", "H1"])
    assert attendance.present == ("E5",)


def test_m7_g7_an_acting_member_sits_in_the_absent_members_seat() -> None:
    """G-7/M-7: E3 acts for E6, who is on leave on the meeting day: E3 attends and votes in E6's seat."""
    day = date(2025, 4, 28)
    leave = Absence(AbsenceKind.ANNUAL_LEAVE, date(2025, 4, 21), date(2025, 5, 2))
    people = [Employee(id=p, name=p, category="C-4", unit="U1", appointed=date(2020, 1, 6)) for p in FIVE]
    people = [replace(p, absences=[leave]) if p.id == "E6" else p for p in people]
    acting = ActingAssignment("E6", date(2025, 4, 21), date(2025, 5, 2))
    people.append(Employee(id="E3", name="E3", category="C-4", unit="U1", acting_for=[acting]))
    org = Organization(employees=people)
    seats = {"E3": voting_seat("E3", FIVE, org, day)}
    assert seats == {"E3": "E6"}
    attendance = check_attendance(["E0", "E3", "E5"], FIVE, "H1", {k: v for k, v in seats.items() if v})
    assert attendance.present == ("E0", "E6", "E5")
