"""The facts the engine reasons on: employees, absences, positions and the organization's reporting lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.facts import (
    Absence,
    ActingAssignment,
    Appointment,
    CommissionComposition,
    Employee,
    FactError,
    Organization,
    Unit,
)
from domain.vocabulary import AbsenceKind, Corps

ON = date(2025, 4, 3)


def person(id_: str, head: str | None = None, unit: str = "U1", category: str = "C-4", **facts: Any) -> Employee:
    return Employee(id=id_, name=id_, category=category, unit=unit, head=head, **facts)


def org(*people: Employee, **roles: Any) -> Organization:
    units = [
        Unit("U0", "Agency"),
        Unit("U1", "Planning", "U0"),
        Unit("U2", "Finance", "U0"),
        Unit("U3", "Budget", "U2"),
    ]
    return Organization(employees=people, units=units, **roles)


AGENCY = org(
    person("E0", category="C-1", unit="U0"),
    person("E1", "E0", category="C-3"),
    person("E2", "E1"),
    person("E3", "E1"),
    person("E4", "E2"),
    person("E5", "E0", category="C-3", unit="U2"),
    person("E6", "E5", unit="U3"),
    hr=["E3"],
    appointing_official="E0",
)


# --- absences and positions ---


def test_an_absence_includes_both_its_days() -> None:
    sick = Absence(AbsenceKind.SICK, date(2025, 4, 1), date(2025, 4, 14))
    employee = person("E1", absences=[sick])
    assert employee.is_absent_on(date(2025, 4, 1)) and employee.is_absent_on(date(2025, 4, 14))
    assert not employee.is_absent_on(date(2025, 4, 15))
    assert employee.absence_on(date(2025, 4, 7)) == sick


def test_an_absence_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(FactError, match="ends 2025-04-01, before it starts 2025-04-14"):
        Absence(AbsenceKind.SICK, date(2025, 4, 14), date(2025, 4, 1))


def test_of_overlapping_absences_the_one_that_started_first_is_reported() -> None:
    trip = Absence(AbsenceKind.BUSINESS_TRIP, date(2025, 4, 1), date(2025, 4, 10))
    sick = Absence(AbsenceKind.SICK, date(2025, 4, 5), date(2025, 4, 20))
    employee = person("E1", absences=[sick, trip])
    assert employee.absence_on(date(2025, 4, 6)) == trip
    assert employee.absences_between(date(2025, 4, 15), date(2025, 4, 30)) == [sick]
    assert employee.absences_between(date(2025, 1, 1), date(2025, 12, 31), [AbsenceKind.SICK]) == [sick]


def test_lists_are_stored_as_tuples_so_an_employee_is_immutable() -> None:
    employee = person("E1", absences=[Absence(AbsenceKind.SICK, ON, ON)])
    assert isinstance(employee.absences, tuple)
    with pytest.raises(AttributeError):
        employee.head = "E9"  # type: ignore[misc]


def test_the_position_on_a_day_comes_from_the_history_or_the_current_position() -> None:
    earlier = Appointment("U2", "C-5", date(2020, 1, 1), date(2024, 12, 31))
    employee = person("E1", appointed=date(2025, 1, 1), dismissed=date(2025, 6, 30), appointments=[earlier])
    assert employee.position_on(date(2024, 6, 1)) == earlier
    assert employee.position_on(date(2025, 6, 30)) == Appointment("U1", "C-4", date(2025, 1, 1), date(2025, 6, 30))
    assert employee.position_on(date(2025, 7, 1)) is None
    assert employee.position_on(date(2019, 12, 31)) is None
    assert employee.first_day() == date(2020, 1, 1)


def test_the_dismissal_day_is_the_last_day_in_service() -> None:
    employee = person("E1", appointed=date(2024, 1, 1), dismissed=date(2025, 4, 21))
    assert employee.in_service_on(date(2025, 4, 21))
    assert not employee.in_service_on(date(2025, 4, 22))


def test_an_unknown_appointment_date_means_in_position_since_before_anything() -> None:
    assert person("E1").in_service_on(date(1991, 12, 16))


def test_an_earlier_position_must_end_before_the_current_appointment() -> None:
    with pytest.raises(FactError, match=r"employee 'E1', field 'appointments\[0\].end'"):
        person(
            "E1",
            appointed=date(2025, 1, 1),
            appointments=[Appointment("U1", "C-5", date(2020, 1, 1), date(2025, 1, 1))],
        )
    with pytest.raises(FactError, match="needs its last day"):
        person("E1", appointed=date(2025, 1, 1), appointments=[Appointment("U1", "C-5", date(2020, 1, 1))])


def test_a_dismissal_before_the_appointment_is_refused() -> None:
    with pytest.raises(FactError, match="employee 'E1', field 'dismissed'"):
        person("E1", appointed=date(2025, 1, 1), dismissed=date(2024, 12, 31))


def test_a_b_corps_employee_needs_a_category_but_a_political_official_does_not() -> None:
    with pytest.raises(FactError, match="employee 'E1', field 'category'"):
        Employee(id="E1", name="E1")
    assert Employee(id="P1", name="Minister", corps=Corps.POLITICAL).category is None


@pytest.mark.parametrize(
    ("code", "message"), [("С-1", "not canonical; write 'C-1'"), ("C1", "not a position category")]
)
def test_a_category_must_be_canonical(code: str, message: str) -> None:
    with pytest.raises(FactError, match=f"employee 'E1', field 'category': .*{message}"):
        person("E1", category=code)


# --- validation of the organization ---


def test_an_employee_cannot_be_their_own_head() -> None:
    with pytest.raises(FactError, match="employee 'E1', field 'head': an employee cannot be their own head"):
        person("E1", "E1")


def test_an_unknown_head_is_refused_naming_the_employee_and_the_field() -> None:
    with pytest.raises(FactError, match="employee 'E2', field 'head': unknown head 'E9'"):
        org(person("E1"), person("E2", "E9"))


def test_a_head_cycle_is_refused_naming_the_whole_loop() -> None:
    with pytest.raises(FactError, match="field 'head': head cycle: E1 → E3 → E2 → E1"):
        org(person("E1", "E3"), person("E2", "E1"), person("E3", "E2"))


def test_duplicate_ids_unknown_units_and_unit_cycles_are_refused() -> None:
    with pytest.raises(FactError, match="employee 'E1', field 'id': duplicate id"):
        org(person("E1"), person("E1"))
    with pytest.raises(FactError, match="employee 'E1', field 'unit': unknown unit 'U9'"):
        org(person("E1", unit="U9"))
    with pytest.raises(FactError, match="parent cycle"):
        Organization(employees=[], units=[Unit("A", parent="B"), Unit("B", parent="A")])


def test_people_named_in_roles_must_be_employees() -> None:
    with pytest.raises(FactError, match="field 'hr': unknown employee 'H9'"):
        org(person("E1"), hr=["H9"])
    with pytest.raises(FactError, match="field 'commission.members': unknown employee 'E7'"):
        org(person("E1"), commission=CommissionComposition("E1", "E1", ["E1", "E7"]))
    with pytest.raises(FactError, match="field 'acting_for': acts for unknown employee 'E9'"):
        org(person("E1", acting_for=[ActingAssignment("E9", ON, ON)]))


# --- the reporting line ---


def test_the_head_and_the_superior_head_follow_the_recorded_line() -> None:
    assert AGENCY.head_of("E4", ON) == "E2"
    assert AGENCY.superior_head_of("E4", ON) == "E1"
    assert AGENCY.head_of("E0", ON) is None
    assert AGENCY.superior_head_of("E1", ON) is None
    assert AGENCY.heads_above("E4", ON) == ["E2", "E1", "E0"]


def test_subordinates_are_everyone_below_unless_only_direct_reports_are_asked() -> None:
    assert AGENCY.subordinates_of("E1", ON) == ["E2", "E3", "E4"]
    assert AGENCY.subordinates_of("E1", ON, transitive=False) == ["E2", "E3"]
    assert AGENCY.subordinates_of("E4", ON) == []


def test_peers_share_the_direct_head() -> None:
    assert AGENCY.peers_of("E2", ON) == ["E3"]
    assert AGENCY.peers_of("E0", ON) == []


def test_people_out_of_service_are_neither_subordinates_nor_peers() -> None:
    agency = org(person("E1"), person("E2", "E1", dismissed=date(2025, 3, 31)), person("E3", "E1"))
    assert agency.subordinates_of("E1", ON) == ["E3"]
    assert agency.peers_of("E3", ON) == []


def test_unit_members_optionally_include_the_units_below() -> None:
    assert AGENCY.unit_members("U2", ON) == ["E5"]
    assert AGENCY.unit_members("U2", ON, include_subunits=True) == ["E5", "E6"]
    assert AGENCY.subunits_of("U0") == ["U0", "U1", "U2", "U3"]
    assert AGENCY.unit_of("E6", ON) == "U3"


def test_g7_the_person_acting_for_someone_is_found_on_the_day_only() -> None:
    acting = ActingAssignment("E1", date(2025, 4, 1), date(2025, 4, 14))
    agency = org(person("E0"), person("E1", "E0"), person("E2", "E1", acting_for=[acting]))
    assert agency.acting_for("E1", ON) == ["E2"]
    assert agency.acting_for("E1", date(2025, 4, 15)) == []
    assert agency.employee("E2").is_acting_for("E1", ON)


def test_an_unknown_employee_is_a_key_error_naming_the_id() -> None:
    with pytest.raises(KeyError, match="unknown employee 'E42'"):
        AGENCY.head_of("E42", ON)
