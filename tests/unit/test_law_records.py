"""Reading the law's facts back from the records (decisions 0110, 0113): the tenure of a post moved to another
unit (E-1, 003 §5), the reporting line of a day (the head at evaluation time evaluates), and the report's v2
``status`` (M-10 ``not_completed``)."""

from __future__ import annotations

from datetime import date

from application.queries.report import reported_status
from domain import facts
from persistence.records import Appointment
from persistence.repositories.org import _reporting_line, _tenure_starts


def position(unit: str, category: str, start: date, end: date | None) -> Appointment:
    return Appointment(1, 1, 1, unit, category, category, start, end)


def test_e1_a_move_to_another_unit_in_the_same_category_continues_the_post() -> None:
    moved = [
        position("U3", "C-O-5", date(2026, 2, 16), date(2026, 3, 1)),
        position("U1", "C-O-5", date(2026, 3, 2), None),
    ]
    assert _tenure_starts(moved) == [None, date(2026, 2, 16)]


def test_e1_a_new_category_or_a_gap_is_a_new_appointment() -> None:
    new_category = [
        position("U3", "C-O-5", date(2025, 1, 13), date(2026, 3, 9)),
        position("U3", "C-O-4", date(2026, 3, 10), None),
    ]
    gap = [
        position("U3", "C-O-5", date(2025, 1, 13), date(2026, 3, 6)),
        position("U1", "C-O-5", date(2026, 3, 10), None),
    ]
    assert _tenure_starts(new_category) == [None, None]
    assert _tenure_starts(gap) == [None, None]


def test_e1_a_chain_of_moves_counts_from_the_first_appointment_to_the_post() -> None:
    chain = [
        position("U1", "C-4", date(2020, 1, 6), date(2021, 5, 31)),
        position("U2", "C-4", date(2021, 6, 1), date(2024, 1, 31)),
        position("U3", "C-4", date(2024, 2, 1), None),
    ]
    assert _tenure_starts(chain) == [None, date(2020, 1, 6), date(2020, 1, 6)]


def test_g7_the_reporting_line_of_the_day_and_the_earlier_lines_as_spells() -> None:
    """The line covering the day is the head; earlier ones become spells; later ones are not known yet; an open
    earlier record ends where the next starts."""
    numbers = {10: "E8", 11: "E1", 12: "E5"}
    lines = [(10, date(1900, 1, 1), None), (11, date(2026, 3, 2), None), (12, date(2026, 6, 1), None)]
    head, spells = _reporting_line(lines, numbers, date(2026, 4, 1))
    assert head == "E1"
    assert spells == [facts.HeadSpell("E8", date(1900, 1, 1), date(2026, 3, 1))]
    assert _reporting_line(lines, numbers, date(2026, 2, 1)) == ("E8", [])


def test_m10_an_eligible_evaluation_closed_without_a_result_is_reported_not_completed() -> None:
    closed = {"status": "closed", "eligible": True, "completed_on": None}
    assert reported_status(closed) == "not_completed"
    assert reported_status({**closed, "completed_on": date(2023, 7, 20)}) == "closed"
    assert reported_status({"status": "ineligible", "eligible": False, "completed_on": None}) == "ineligible"
