"""G-4: the evaluation schedule HR compiles (who, by whom, which method, which dates) and the appointing official
approves (000 §10, 001 §10).

Hand-worked, Model 2018, Q1 2025 (as examples/scenarios/model-2018-q1-2025.yaml): the period opens on Tuesday
1 April 2025; heads of units are notified by Friday 4 April (P-4: the 5th is a Saturday, rolled back), others by
Thursday 10 April; every deadline is Thursday 10 April (P-1); KPI actuals by Thursday 3 April (P-5: 5 working
days before the deadline: 9, 8, 7, 4, 3 April); reminders 3 and 1 working days before: 7 and 9 April.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.errors import RuleViolation
from domain.facts import Absence, Employee, Organization, Unit
from domain.periods import Period
from domain.schedule import check_schedule_approval, compile_schedule
from domain.vocabulary import AbsenceKind, Corps, Method

CALENDAR = WorkingCalendar()
MODEL = rulebooks.get("kz-model-2018")
QUARTERLY = rulebooks.get("kz-quarterly-2026")
Q1_2025 = Period.of_quarter(2025, 1)


def agency() -> Organization:
    people = [
        Employee(id="E0", name="E0", corps=Corps.A, unit="U0"),
        Employee(id="E1", name="E1", category="C-1", unit="U1", head="E0", appointed=date(2018, 2, 1)),
        Employee(id="E3", name="E3", category="C-4", unit="U1", head="E1", appointed=date(2020, 5, 4)),
        Employee(
            id="E4",
            name="E4",
            category="C-4",
            unit="U1",
            head="E1",
            appointed=date(2020, 5, 4),
            absences=[Absence(AbsenceKind.SICK, date(2025, 3, 31), date(2025, 4, 14))],
        ),
        Employee(id="E5", name="E5", category="C-4", unit="U1", head="E1", appointed=date(2025, 3, 10)),
        Employee(
            id="E9",
            name="E9",
            category="C-4",
            unit="U1",
            head="E1",
            appointed=date(2019, 1, 3),
            dismissed=date(2024, 12, 20),
        ),
    ]
    units = [Unit("U0"), Unit("U1", parent="U0")]
    return Organization(employees=people, units=units, hr=["E3"], appointing_official="E0")


def test_g4_the_schedule_lists_who_by_whom_which_method_and_the_working_day_windows() -> None:
    schedule = compile_schedule(agency(), Q1_2025, MODEL, CALENDAR)
    assert (schedule.opened_on, schedule.approval_required, schedule.rule) == (date(2025, 4, 1), True, "G-4")
    assert [(e.employee, e.method) for e in schedule.entries] == [
        ("E1", Method.KPI),
        ("E3", Method.DIFFERENTIATION),
        ("E4", Method.DIFFERENTIATION),
        ("E5", Method.DIFFERENTIATION),
    ]  # E0 (A corps) and E9 (dismissed before the quarter) are not on it
    head = schedule.entry("E1", "kpi")
    assert (head.evaluator, head.notice_by, head.deadline, head.kpi_actuals_by) == (
        "E0",
        date(2025, 4, 4),
        date(2025, 4, 10),
        date(2025, 4, 3),
    )
    assert head.reminders == (date(2025, 4, 7), date(2025, 4, 9))
    other = schedule.entry("E3", "differentiation")
    assert (other.evaluator, other.notice_by, other.deadline, other.kpi_actuals_by) == (
        "E1",
        date(2025, 4, 10),
        date(2025, 4, 10),
        None,
    )


def test_g4_the_schedule_shows_who_is_not_evaluated_and_who_is_evaluated_in_absentia() -> None:
    schedule = compile_schedule(agency(), Q1_2025, MODEL, CALENDAR)
    newcomer = schedule.entry("E5", "differentiation")
    assert (newcomer.eligible, newcomer.reason, newcomer.rule, newcomer.evaluator, newcomer.deadline) == (
        False,
        "tenure_under_one_month",
        "E-1",
        None,
        None,
    )
    sick = schedule.entry("E4", "differentiation")
    assert (sick.eligible, sick.in_absentia, sick.rule) == (True, True, "E-3")


def test_g4_the_appointing_official_approves_the_schedule_and_nobody_else() -> None:
    org = agency()
    check_schedule_approval("E0", org, MODEL)
    with pytest.raises(RuleViolation, match=r"'E3' may not approve the evaluation schedule.*\(E0\).*\(G-4\)") as caught:
        check_schedule_approval("E3", org, MODEL)
    assert (caught.value.rule, caught.value.field) == ("G-4", "by")


def test_g4_approval_is_rulebook_data_003_compiles_the_schedule_without_it() -> None:
    assert MODEL.schedule.approval_required and rulebooks.get("kz-atyrau-2023").schedule.approval_required
    assert not QUARTERLY.schedule.approval_required
    with pytest.raises(RuleViolation, match="does not ask for the schedule to be approved"):
        check_schedule_approval("E0", agency(), QUARTERLY)
