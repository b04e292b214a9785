"""Who is due to evaluate on a given day after the opening (G-7), who receives escalations and holds a seat,
acting appointments (G-7), delegation in large units (D-4), and the head at evaluation time after a move.

The 003 quarter Q2 2026 is due on Monday 20 July 2026 (P-2: the 20th of the month after the quarter).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.errors import RuleViolation
from domain.facts import Absence, ActingAssignment, Employee, Organization, Unit
from domain.moves import Move, apply_move
from domain.routing import (
    check_delegation,
    check_substitution,
    due_evaluator,
    escalation_recipients,
    seat_holder,
    voting_seat,
)
from domain.vocabulary import AbsenceKind, Corps

CALENDAR = WorkingCalendar()
QUARTERLY = rulebooks.get("kz-quarterly-2026")
MODEL = rulebooks.get("kz-model-2018")
FORM2 = QUARTERLY.method("form2")
DIFFERENTIATION = MODEL.method("differentiation")
DEADLINE = date(2026, 7, 20)
LEAVE = Absence(AbsenceKind.ANNUAL_LEAVE, date(2026, 7, 13), date(2026, 7, 31))


def person(id_: str, head: str | None, category: str = "C-4", unit: str = "U1", **facts: object) -> Employee:
    return Employee(id=id_, name=id_, category=category, unit=unit, head=head, appointed=date(2020, 1, 6), **facts)  # type: ignore[arg-type]


def agency(*changes: Employee, heads: str = "B-1") -> Organization:
    """E0 (political, U0) → E1 (head of department U1: B-1 in 003, C-1 in Model 2018) → E2, E3, E4 (C-4);
    E0 → E6 (head of U2) → E7 (C-4); H1 (HR, U0)."""
    people = {
        "E0": Employee(id="E0", name="E0", corps=Corps.POLITICAL, unit="U0"),
        "E1": person("E1", "E0", heads),
        "E2": person("E2", "E1"),
        "E3": person("E3", "E1"),
        "E4": person("E4", "E1"),
        "E6": person("E6", "E0", heads, unit="U2"),
        "E7": person("E7", "E6", unit="U2"),
        "H1": person("H1", "E0", unit="U0"),
    }
    people.update({employee.id: employee for employee in changes})
    units = [Unit("U0"), Unit("U1", parent="U0"), Unit("U2", parent="U0")]
    return Organization(employees=list(people.values()), units=units, hr=["H1"], appointing_official="E0")


def due(org: Organization, on: date, evaluatee: str = "E2", **options: object) -> tuple[object, ...]:
    found = due_evaluator(org.employee(evaluatee), FORM2, org, on, QUARTERLY, deadline=DEADLINE, **options)  # type: ignore[arg-type]
    return found.evaluator, found.reason, tuple(sorted(found.may_submit))


# --- G-7: who is due, day by day --------------------------------------------------------------------------


def test_g7_the_routed_evaluator_at_work_on_the_deadline_is_due() -> None:
    assert due(agency(), date(2026, 7, 1)) == ("E1", "routed", ("E1",))


def test_g7_an_evaluator_on_leave_over_the_deadline_is_replaced_by_their_own_head() -> None:
    """G-7 (issue 11): E1 is on leave 13–31 July, over the 20 July deadline, and nobody acts for him: his own
    head E0 is due — before the leave E1 may still submit, and E0's sheet is accepted (it was refused as "not the
    evaluator (Q-1)" when routing was frozen at the opening)."""
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    assert due(org, date(2026, 7, 1)) == ("E0", "absent_on_deadline", ("E0", "E1"))
    assert due(org, date(2026, 7, 14)) == ("E0", "absent_on_deadline", ("E0", "E1"))


def test_g7_the_acting_head_evaluates_in_the_absent_heads_stead_while_the_appointment_lasts() -> None:
    """G-7 (003 §3): E3 acts for E1 from 13 to 31 July: from the 13th E3 is due and only E3 submits; before, E1
    (at work) is still due; after the appointment, E1 back from leave is due again."""
    org = agency(
        person("E1", "E0", "B-1", absences=[LEAVE]),
        person("E3", "E1", acting_for=[ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 31))]),
    )
    assert due(org, date(2026, 7, 1)) == ("E1", "routed", ("E1",))
    assert due(org, date(2026, 7, 14)) == ("E3", "acting_for_absent_evaluator", ("E3",))
    assert due(org, date(2026, 8, 3)) == ("E1", "routed", ("E1",))


def test_g7_an_evaluator_away_only_before_the_deadline_stays_due() -> None:
    org = agency(person("E1", "E0", "B-1", absences=[Absence(AbsenceKind.SICK, date(2026, 7, 1), date(2026, 7, 10))]))
    assert due(org, date(2026, 7, 2)) == ("E1", "routed", ("E1",))


def test_g7_after_the_deadline_the_day_itself_decides_and_escalations_follow_whoever_is_due() -> None:
    """G-7: on 21 July (overdue) E1 is on leave: E0 is due; the ``evaluator`` level of the escalation ladder goes
    to E0, the ``evaluators_head`` level to E0's head (none: HR), ``hr`` to HR — never to the absent E1."""
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    found = due_evaluator(org.employee("E2"), FORM2, org, date(2026, 7, 21), QUARTERLY, deadline=DEADLINE)
    assert found.evaluator == "E0"
    assert escalation_recipients("evaluator", found, org, date(2026, 7, 21), org.hr) == ["E0"]
    assert escalation_recipients("evaluators_head", found, org, date(2026, 7, 21), org.hr) == ["H1"]
    assert escalation_recipients("hr", found, org, date(2026, 7, 21), org.hr) == ["H1"]


def test_g7_an_escalation_to_the_evaluators_head_goes_to_whoever_acts_for_that_head() -> None:
    """G-7: E2's evaluator E1 is due; E1's head E0 is away and H1 acts for him: H1 receives in E0's stead."""
    org = agency(
        Employee(id="E0", name="E0", corps=Corps.POLITICAL, unit="U0", absences=[LEAVE]),
        person("H1", "E0", unit="U0", acting_for=[ActingAssignment("E0", date(2026, 7, 13), date(2026, 7, 31))]),
    )
    found = due_evaluator(org.employee("E2"), FORM2, org, date(2026, 7, 21), QUARTERLY, deadline=DEADLINE)
    assert escalation_recipients("evaluators_head", found, org, date(2026, 7, 21), ["H9"]) == ["H1"]


def test_g7_an_acting_head_escalated_about_goes_up_past_the_head_they_act_for() -> None:
    """G-7: E3 acts for E1 and is due; E3's own head is E1, whose seat E3 holds: the escalation goes to E0."""
    org = agency(
        person("E1", "E0", "B-1", absences=[LEAVE]),
        person("E3", "E1", acting_for=[ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 31))]),
    )
    found = due_evaluator(org.employee("E2"), FORM2, org, date(2026, 7, 21), QUARTERLY, deadline=DEADLINE)
    assert found.evaluator == "E3"
    assert escalation_recipients("evaluators_head", found, org, date(2026, 7, 21), org.hr) == ["E0"]


def test_g7_with_fallback_none_an_evaluator_away_on_the_deadline_leaves_nobody_due() -> None:
    book = QUARTERLY.model_copy(update={"substitution": QUARTERLY.substitution.model_copy(update={"fallback": "none"})})
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    found = due_evaluator(org.employee("E2"), FORM2, org, date(2026, 7, 14), book, deadline=DEADLINE)
    assert (found.evaluator, found.reason) == (None, "evaluator_absent")


def test_g7_an_acting_head_appointed_for_the_deadline_is_due_once_the_evaluator_is_away() -> None:
    """G-7: E1 is sick 6–10 July, then on leave; E3 acts for him only from 13 July: on 8 July E1 is away, the
    deadline is covered by E3's appointment, so E3 (not E0) is due."""
    org = agency(
        person(
            "E1",
            "E0",
            "B-1",
            absences=[Absence(AbsenceKind.SICK, date(2026, 7, 6), date(2026, 7, 10)), LEAVE],
        ),
        person("E3", "E1", acting_for=[ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 31))]),
    )
    assert due(org, date(2026, 7, 8))[:2] == ("E3", "acting_for_absent_evaluator")


def test_g7_the_head_at_evaluation_time_evaluates_after_a_move() -> None:
    """G-7/Q-1 with moves: E2 moves to U2 under E6 on 1 July 2026; the Q2 evaluation on 7 July goes to E6."""
    org = apply_move(agency(), Move("E2", date(2026, 7, 1), unit="U2", head="E6"))
    assert due(org, date(2026, 7, 7)) == ("E6", "routed", ("E6",))
    assert org.head_of("E2", date(2026, 6, 30)) == "E1" and org.head_of("E2", date(2026, 7, 1)) == "E6"
    assert "E2" not in org.subordinates_of("E1", date(2026, 7, 1))
    assert "E2" in org.subordinates_of("E1", date(2026, 6, 1))


def test_g7_seats_an_acting_member_votes_in_the_absent_members_stead() -> None:
    """G-7/M-7: E3 acts for E1 (away): E3 holds E1's seat; E1 holds none while away; others hold their own."""
    org = agency(
        person("E1", "E0", "B-1", absences=[LEAVE]),
        person("E3", "E1", acting_for=[ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 31))]),
    )
    on = date(2026, 7, 15)
    members = ["E0", "E1", "E6"]
    assert seat_holder("E1", org, on) == "E3" and seat_holder("E6", org, on) == "E6"
    assert voting_seat("E3", members, org, on) == "E1"
    assert voting_seat("E1", members, org, on) is None
    assert voting_seat("E6", members, org, on) == "E6" and voting_seat("E4", members, org, on) is None


# --- G-7: acting appointments -----------------------------------------------------------------------------


def test_g7_an_acting_appointment_for_an_absent_head_is_accepted() -> None:
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    assignment = check_substitution("E1", "E3", date(2026, 7, 13), date(2026, 7, 31), org, CALENDAR)
    assert assignment == ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 31))


def test_g7_a_substitute_for_a_person_who_is_not_absent_is_refused_naming_the_day() -> None:
    """G-7 (issue 11, bad input): E1 is at work on Tuesday 7 July (4–5 July a weekend, 6 July Capital Day):
    nobody acts for him then."""
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    with pytest.raises(RuleViolation, match=r"'E1' is not absent on 2026-07-07.*\(G-7\)") as caught:
        check_substitution("E1", "E3", date(2026, 7, 4), date(2026, 7, 31), org, CALENDAR)
    assert (caught.value.rule, caught.value.field) == ("G-7", "for")


@pytest.mark.parametrize(
    ("replaced", "substitute", "start", "end", "message"),
    [
        ("E1", "E1", date(2026, 7, 13), date(2026, 7, 31), "cannot act for themself"),
        ("E1", "E9", date(2026, 7, 13), date(2026, 7, 31), "'E9' is not an employee"),
        ("E1", "E3", date(2026, 7, 31), date(2026, 7, 13), "ends 2026-07-13, before it starts"),
    ],
)
def test_g7_malformed_acting_appointments_are_refused(
    replaced: str, substitute: str, start: date, end: date, message: str
) -> None:
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]))
    with pytest.raises(RuleViolation, match=message) as caught:
        check_substitution(replaced, substitute, start, end, org, CALENDAR)
    assert caught.value.rule == "G-7"


def test_g7_a_second_acting_head_over_the_same_days_is_refused() -> None:
    org = agency(
        person("E1", "E0", "B-1", absences=[LEAVE]),
        person("E3", "E1", acting_for=[ActingAssignment("E1", date(2026, 7, 13), date(2026, 7, 20))]),
    )
    with pytest.raises(RuleViolation, match="'E3' already acts for 'E1'"):
        check_substitution("E1", "E4", date(2026, 7, 20), date(2026, 7, 31), org, CALENDAR)


def test_g7_a_departed_substitute_is_refused() -> None:
    org = agency(person("E1", "E0", "B-1", absences=[LEAVE]), person("E3", "E1", dismissed=date(2026, 7, 1)))
    with pytest.raises(RuleViolation, match="'E3' is not in service on 2026-07-13"):
        check_substitution("E1", "E3", date(2026, 7, 13), date(2026, 7, 31), org, CALENDAR)


# --- D-4: delegation --------------------------------------------------------------------------------------


def large(count: int, heads: str = "B-1") -> Organization:
    staff = [person(f"S{i}", "E1") for i in range(count)]
    return agency(*staff, heads=heads)


def test_d4_model_2018_more_than_50_b_corps_in_the_unit_allows_designating_an_employee_of_the_unit() -> None:
    """D-4 (000 §31): U1 holds E1–E4 and 47 staff = 51 B-corps employees, more than fifty."""
    decision = check_delegation("E1", "E3", ["E2", "S0"], large(47, "C-1"), date(2025, 4, 2), MODEL)
    assert (decision.allowed, decision.count, decision.threshold, decision.rule) == (True, 51, 50, "D-4")


def test_d4_model_2018_a_delegation_at_fifty_is_refused_naming_d4_and_the_counts() -> None:
    with pytest.raises(RuleViolation, match=r"50 B-corps employees in the unit, delegation needs more than 50 \(D-4\)"):
        check_delegation("E1", "E3", ["E2"], large(46, "C-1"), date(2025, 4, 2), MODEL)


def test_d4_a_delegate_outside_the_unit_is_refused() -> None:
    """D-4 (issue 11, bad input): E7 works in U2, not in E1's unit U1."""
    with pytest.raises(RuleViolation, match=r"'E7' does not work in the unit U1 of 'E1'.*\(D-4\)") as caught:
        check_delegation("E1", "E7", ["E2"], large(47, "C-1"), date(2025, 4, 2), MODEL)
    assert caught.value.field == "delegate"


def test_d4_an_evaluatee_not_evaluated_by_the_delegating_evaluator_is_refused() -> None:
    with pytest.raises(RuleViolation, match=r"'E7' is not evaluated by 'E1'.*\(D-4\)"):
        check_delegation("E1", "E3", ["E2", "E7"], large(47, "C-1"), date(2025, 4, 2), MODEL)


def test_d4_the_evaluator_cannot_designate_themself_nor_an_evaluatee() -> None:
    with pytest.raises(RuleViolation, match="cannot designate themself"):
        check_delegation("E1", "E1", ["E2"], large(47, "C-1"), date(2025, 4, 2), MODEL)
    with pytest.raises(RuleViolation, match="'E2' is the evaluatee"):
        check_delegation("E1", "E2", ["E2"], large(47, "C-1"), date(2025, 4, 2), MODEL)


def test_d4_003_counts_more_than_20_evaluatees() -> None:
    """D-4 (003 §17): E1 evaluates E2–E4 and the staff: 3 + 17 = 20 is not enough, 21 is."""
    with pytest.raises(RuleViolation, match="20 evaluatees, delegation needs more than 20"):
        check_delegation("E1", "E3", ["E2"], large(17), date(2026, 7, 1), QUARTERLY)
    assert check_delegation("E1", "E3", ["E2"], large(18), date(2026, 7, 1), QUARTERLY).count == 21


def test_d4_the_delegate_is_due_and_the_delegating_evaluator_may_still_submit() -> None:
    """D-4/SCENARIOS v2: ``evaluator`` is whoever is due at the end — the delegate."""
    org = large(18)
    assert due(org, date(2026, 7, 7), delegate="E3") == ("E3", "delegated", ("E1", "E3"))
