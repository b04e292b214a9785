"""Moves of post, unit or head during a period, kept as history (E-1, 003 §5; D-1/Q-1: the head on the day)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from domain.facts import Appointment, Employee, HeadSpell, Organization, Unit
from domain.moves import Move, apply_move
from domain.vocabulary import Corps

ON = date(2025, 5, 12)


def agency() -> Organization:
    """E0 (A corps, U0) → E1 (C-1, U1) → E7 (C-5, U1); E0 → E6 (C-1, U2)."""
    people = [
        Employee(id="E0", name="E0", corps=Corps.A, unit="U0"),
        Employee(id="E1", name="E1", category="C-1", unit="U1", head="E0", appointed=date(2018, 2, 1)),
        Employee(id="E6", name="E6", category="C-1", unit="U2", head="E0", appointed=date(2019, 2, 1)),
        Employee(id="E7", name="E7", category="C-5", unit="U1", head="E1", appointed=date(2021, 9, 1)),
    ]
    return Organization(employees=people, units=[Unit("U0"), Unit("U1", parent="U0"), Unit("U2", parent="U0")])


def test_e1_a_move_to_a_new_category_closes_the_old_position_and_starts_a_new_appointment() -> None:
    """E-1 (SCENARIOS v2 move: "a new category is a new appointment"): the old post ends the day before."""
    org = apply_move(agency(), Move("E7", ON, unit="U2", head="E6", category="C-4"))
    e7 = org.employee("E7")
    assert e7.appointments == (Appointment("U1", "C-5", date(2021, 9, 1), date(2025, 5, 11)),)
    assert (e7.unit, e7.category, e7.appointed, e7.tenure_from) == ("U2", "C-4", ON, None)
    assert e7.position_on(date(2025, 5, 11)).category == "C-5"  # type: ignore[union-attr]
    assert e7.current_position.tenure_start == ON
    assert e7.heads == (HeadSpell("E1", date.min, date(2025, 5, 11)),)
    assert org.head_of("E7", date(2025, 5, 11)) == "E1" and org.head_of("E7", ON) == "E6"


def test_e1_a_move_of_unit_only_continues_the_post_and_tenure_counts_from_the_appointment() -> None:
    org = apply_move(agency(), Move("E7", ON, unit="U2"))
    e7 = org.employee("E7")
    assert (e7.unit, e7.appointed, e7.tenure_from) == ("U2", ON, date(2021, 9, 1))
    assert e7.current_position.tenure_start == date(2021, 9, 1)
    assert org.head_of("E7", ON) == "E1"  # the reporting line did not change
    again = apply_move(org, Move("E7", date(2025, 6, 2), unit="U1"))
    assert again.employee("E7").current_position.tenure_start == date(2021, 9, 1)  # still the same post


def test_e1_categories_of_a_move_are_normalised_like_the_organization() -> None:
    org = apply_move(agency(), Move("E7", ON, category="С-0-4"))  # Cyrillic С and the digit zero
    assert org.employee("E7").category == "C-O-4"


def test_d1_a_move_of_head_only_keeps_the_position_and_historizes_the_line() -> None:
    org = apply_move(agency(), Move("E7", ON, head="E6"))
    e7 = org.employee("E7")
    assert e7.appointments == () and e7.appointed == date(2021, 9, 1)
    assert org.subordinates_of("E6", ON) == ["E7"] and org.subordinates_of("E6", date(2025, 5, 1)) == []
    later = apply_move(org, Move("E7", date(2025, 7, 1), head="E1"))
    assert [spell.head for spell in later.employee("E7").heads] == ["E1", "E6"]
    assert later.head_of("E7", date(2025, 6, 1)) == "E6" and later.head_of("E7", date(2025, 7, 1)) == "E1"


@pytest.mark.parametrize(
    ("move", "field", "message"),
    [
        (Move("E9", ON, unit="U2"), "employee", "unknown employee 'E9'"),
        (Move("E7", ON, unit="U9"), "unit", "unknown unit 'U9'"),
        (Move("E7", ON, category="manager"), "category", "'manager' is not a position category code"),
        (Move("E7", ON, head="E9"), "head", "unknown head 'E9'"),
        (Move("E7", ON, head="E7"), "head", "'E7' cannot be their own head"),
        (Move("E1", ON, head="E7"), "head", "'E7' reports to 'E1' on 2025-05-12: the reporting line would loop"),
        (Move("E7", ON, unit="U1", head="E1"), "move", "changes neither unit, head nor category"),
        (Move("E7", date(2021, 9, 1), unit="U2"), "date", "would rewrite it"),
        (Move("E7", date(2020, 1, 1), unit="U2"), "date", "is not in service on 2020-01-01"),
    ],
)
def test_e1_a_move_the_facts_do_not_allow_is_refused_and_changes_nothing(move: Move, field: str, message: str) -> None:
    org = agency()
    with pytest.raises(RuleViolation, match=message) as caught:
        apply_move(org, move)
    assert (caught.value.rule, caught.value.field) == ("E-1", field)
    assert org == agency()


def test_e1_a_move_before_the_current_reporting_line_began_is_refused() -> None:
    org = apply_move(agency(), Move("E7", ON, head="E6"))
    with pytest.raises(RuleViolation, match="reports to the current head since 2025-05-12"):
        apply_move(org, Move("E7", date(2025, 5, 1), head="E0"))
