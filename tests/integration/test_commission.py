"""The yearly Commission cycle through the real ``commission_cycle`` flow and the services on PostgreSQL, on the
people of examples/scenarios/annual-commission-2025.yaml (004) and atyrau-2023-chapter6.yaml (002 chapter 6).

In the 004 body: E0 (A corps) chairs the Commission of E0, V1, V2, E1, H2; H1 (HR) is its secretary; V1 heads E1,
who heads E2, who heads E3; V2 heads H2, who heads H1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from application.actions.commission import approve_sheet, commission_vote, return_sheet, schedule_commission
from application.actions.commission_results import approve_commission_results
from application.actions.sheets import submit_sheet
from application.errors import Rejected
from bagalau.simulate.actions import apply_action
from bagalau.simulate.scenario import Scenario, parse_yaml, validate_scenario
from tests.flows_support import EXAMPLES, World, dump, example, prefect, world  # noqa: F401
from tests.flows_support import person as acting

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

OPENS = date(2026, 1, 5)
MEETING = date(2026, 1, 27)
ALL_FIVE = [True] * 5


@pytest.fixture
def engine(world: World) -> Iterator[sa.Engine]:  # noqa: F811
    yield world(example("annual-commission-2025.yaml"))


def play(world: World, scenario: Scenario, until: date, *, skip: tuple[int, ...] = ()) -> dict[int, str]:  # noqa: F811
    """Open the year, then apply the scenario's events up to ``until`` (refusals returned by event index)."""
    world.flows.commission_cycle(year=2025, as_of=OPENS)
    refused = {}
    for index, event in enumerate(scenario.events):
        if event.date > until or index in skip:
            continue
        try:
            apply_action(world.env, event.date, event.kind, event.action)
        except Rejected as refusal:
            refused[index] = str(refusal)
    return refused


def evaluation(engine: sa.Engine, person: str, method: str) -> Any:
    query = (
        "SELECT e.* FROM evaluation e JOIN person p ON p.id = e.person_id"
        " WHERE p.personnel_number = :person AND e.method = :method"
    )
    with engine.connect() as connection:
        return connection.execute(sa.text(query), {"person": person, "method": method}).mappings().one()


def messages(engine: sa.Engine, kind: str) -> list[Any]:
    query = (
        "SELECT p.personnel_number AS person, m.payload FROM outbox_message m"
        " LEFT JOIN person p ON p.id = m.recipient_person_id WHERE m.kind = :kind ORDER BY m.id"
    )
    with engine.connect() as connection:
        return list(connection.execute(sa.text(query), {"kind": kind}).mappings())


def refusal(attempt: Any) -> str:
    with pytest.raises(Rejected) as refused:
        attempt()
    return str(refused.value)


# --- M-5 ---------------------------------------------------------------------------------------------------------


def test_only_the_superior_head_reviews_and_a_returned_sheet_is_due_in_two_working_days(
    engine: sa.Engine,
    world: World,  # noqa: F811
) -> None:
    world.flows.commission_cycle(year=2025, as_of=OPENS)
    day = date(2026, 1, 9)
    submit_sheet(world.env, acting("E1"), as_of=day, evaluatee="E2", scores=ALL_FIVE, method="kpi_count")
    assert evaluation(engine, "E2", "kpi_count")["status"] == "submitted"
    assert "(M-5)" in refusal(lambda: approve_sheet(world.env, acting("E1"), as_of=day, evaluatee="E2"))
    assert "(M-5)" in refusal(lambda: approve_sheet(world.env, acting("E0"), as_of=day, evaluatee="E2"))
    returned = return_sheet(world.env, acting("V1"), as_of=day, evaluatee="E2", reason="no evidence for k4")
    assert returned.resubmit_by == date(2026, 1, 13)  # Friday 9 → Monday 12, Tuesday 13 (P-7)
    row = evaluation(engine, "E2", "kpi_count")
    assert (row["status"], row["deadline"]) == ("returned", date(2026, 1, 13))
    (notice,) = messages(engine, "sheet_returned")
    assert (notice["person"], notice["payload"]["resubmit_by"]) == ("E1", "2026-01-13")
    submit_sheet(world.env, acting("E1"), as_of=date(2026, 1, 12), evaluatee="E2", scores=ALL_FIVE, method="kpi_count")
    approve_sheet(world.env, acting("V1"), as_of=date(2026, 1, 13), evaluatee="E2")
    assert evaluation(engine, "E2", "kpi_count")["status"] == "approved"


def test_a_competencies_sheet_goes_to_the_commission_as_signed_by_the_direct_head(
    engine: sa.Engine,
    world: World,  # noqa: F811
) -> None:
    """M-6 (004 §28): no superior review; the counts of 3/4 decide each competency, every one must meet."""
    scenario = example("annual-commission-2025.yaml")
    play(world, scenario, date(2026, 1, 8))
    row = evaluation(engine, "E3", "competencies")
    assert (row["status"], row["submitted_on"], row["category"]) == ("approved", date(2026, 1, 8), None)
    assert "(M-5)" in refusal(
        lambda: approve_sheet(world.env, acting("E1"), as_of=date(2026, 1, 9), evaluatee="E3", method="competencies")
    )


# --- M-7: the schedule ---------------------------------------------------------------------------------------------


def test_the_meeting_is_set_at_least_seven_working_days_ahead_by_hr(
    engine: sa.Engine,
    world: World,  # noqa: F811
) -> None:
    """M-7 (004 §29): for 27 January the evaluators must be told by 16 January."""
    world.flows.commission_cycle(year=2025, as_of=OPENS)
    late = refusal(lambda: schedule_commission(world.env, acting("H1"), as_of=date(2026, 1, 19), meeting_date=MEETING))
    assert "at least 7 working days ahead" in late and "2026-01-16 (M-7)" in late
    assert "HR service" in refusal(
        lambda: schedule_commission(world.env, acting("E1"), as_of=date(2026, 1, 16), meeting_date=MEETING)
    )
    scheduled = schedule_commission(world.env, acting("H1"), as_of=date(2026, 1, 16), meeting_date=MEETING)
    assert (scheduled.notify_by, scheduled.evaluators_notified) == (date(2026, 1, 16), 5)
    assert {m["person"] for m in messages(engine, "commission_schedule_notice")} == {"V1", "V2", "E1", "E2", "H2"}


def test_chapter_6_needs_three_working_days_of_notice(world: Any) -> None:  # noqa: F811
    """M-7 (002 §56): for Thursday 20 July 2023 the evaluator must be told by Monday 17 July."""
    world(example("atyrau-2023-chapter6.yaml"))
    world.flows.commission_cycle(year=2022, as_of=date(2023, 7, 3))
    meeting = date(2023, 7, 20)
    late = refusal(lambda: schedule_commission(world.env, acting("H1"), as_of=date(2023, 7, 18), meeting_date=meeting))
    assert "at least 3 working days ahead" in late and "2023-07-17" in late
    assert schedule_commission(world.env, acting("H1"), as_of=date(2023, 7, 17), meeting_date=meeting).meeting_id


# --- M-7: the vote -------------------------------------------------------------------------------------------------


def test_the_secretary_non_members_and_other_days_do_not_vote(engine: sa.Engine, world: World) -> None:  # noqa: F811
    play(world, example("annual-commission-2025.yaml"), date(2026, 1, 14))

    def vote(**given: Any) -> Any:
        fields = {"as_of": MEETING, "actor": "V1", "employee": "E1", "decision": "approve", **given}
        actor = fields.pop("actor")
        return lambda: commission_vote(world.env, acting(actor), **fields)

    assert refusal(vote(actor="H1")) == "the secretary H1 does not vote (M-7)"
    assert refusal(vote(actor="E3")) == "E3 is not a member of the Commission (M-7)"
    assert refusal(vote(as_of=date(2026, 1, 26))) == "the Commission does not meet on 2026-01-26 (M-7)"
    assert "names the revised result" in refusal(vote(decision="revise"))
    assert "(M-4)" in refusal(vote(decision="revise", result="proper"))
    assert commission_vote(world.env, acting("V1"), as_of=MEETING, employee="E1", decision="approve").evaluation_ids
    assert "already voted" in refusal(vote())


def decided(world: World, votes: list[tuple[str, str, str, str | None]]) -> None:  # noqa: F811
    """Cast ``(member, employee, decision, result)`` votes on the meeting day, then close the day."""
    for member, employee, decision, result in votes:
        commission_vote(world.env, acting(member), as_of=MEETING, employee=employee, decision=decision, result=result)
    world.flows.commission_cycle(year=2025, as_of=MEETING)


def test_without_a_quorum_of_two_thirds_nothing_is_decided(
    engine: sa.Engine,
    world: World,  # noqa: F811
    pg_owner_engine: sa.Engine,
) -> None:
    """M-7: without a recorded attendance, present = those who voted that day — the chair is never assumed
    present (issue 11): 1 of 5 is below two thirds."""
    play(world, example("annual-commission-2025.yaml"), date(2026, 1, 14))
    decided(world, [("V1", "E1", "approve", None)])
    assert evaluation(engine, "E1", "kpi_count")["status"] == "approved"
    with pg_owner_engine.connect() as connection:
        reasons = connection.execute(
            sa.text("SELECT reason FROM audit_log WHERE action = 'commission_undecided'")
        ).scalars()
        assert {reason.split(";")[0] for reason in reasons} == {"no quorum: 1 of the 5 members are present"}


def test_a_majority_decides_and_the_chair_breaks_a_tie(engine: sa.Engine, world: World) -> None:  # noqa: F811
    """M-7: 4 present; E1's KPI line 2–2 with the chair for revising → revised to effective; H1 2–2 with the chair
    approving → the sheet's result; a revision names its line (effective → kpi_count), the other line is approved."""
    play(world, example("annual-commission-2025.yaml"), date(2026, 1, 14))
    decided(
        world,
        [
            ("E0", "E1", "revise", "effective"),
            ("V2", "E1", "revise", "effective"),
            ("V1", "E1", "approve", None),
            ("H2", "E1", "approve", None),
            ("E0", "H1", "approve", None),
            ("E1", "H1", "approve", None),
            ("V1", "H1", "revise", "excellent"),
            ("V2", "H1", "revise", "excellent"),
        ],
    )
    assert evaluation(engine, "E1", "kpi_count")["status"] == "approved"  # decided, not in effect before M-7's approval
    approve_commission_results(world.env, acting("E0"), as_of=MEETING)
    e1, h1 = evaluation(engine, "E1", "kpi_count"), evaluation(engine, "H1", "kpi_count")
    assert (e1["status"], e1["category"], e1["completed_on"]) == ("completed", "effective", MEETING)
    assert (h1["category"], evaluation(engine, "H1", "competencies")["category"]) == ("effective", "meets")
    assert evaluation(engine, "E1", "competencies")["category"] == "meets"  # approved 2–0
    assert e1["acquaint_by"] == date(2026, 1, 29)  # M-8: 2 working days
    appeal_by = {m["payload"]["appeal_by"] for m in messages(engine, "appeal_window")}
    assert appeal_by == {"2026-02-10"}  # M-9: 10 working days
    verdicts = {(m["person"], m["payload"]["decision"]) for m in messages(engine, "commission_decision")}
    assert verdicts == {("E1", "revised"), ("E1", "approved"), ("H1", "approved")}


def test_the_flow_run_twice_for_a_day_changes_nothing(engine: sa.Engine, world: World) -> None:  # noqa: F811
    scenario = example("annual-commission-2025.yaml")
    play(world, scenario, MEETING)
    for day in (OPENS, date(2026, 1, 13), MEETING, date(2026, 2, 11)):
        world.flows.commission_cycle(year=2025, as_of=day)
        before = dump(engine)
        world.flows.commission_cycle(year=2025, as_of=day)
        assert dump(engine) == before, f"the second run of {day} changed the database"


# --- E-5 -----------------------------------------------------------------------------------------------------------


def with_absence(kind: str, start: str, end: str, who: str = "E3") -> Scenario:
    """The 004 example with an absence of ``who`` around the opening day."""
    path = EXAMPLES / "annual-commission-2025.yaml"
    data, _ = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    for person in data["organization"]["employees"]:
        if person["id"] == who:
            person["absences"] = [{"kind": kind, "from": start, "to": end}]
    return validate_scenario(data, str(path), base_dir=path.parent)


def test_someone_absent_when_the_year_opens_is_evaluated_within_five_working_days_of_return(world: Any) -> None:  # noqa: F811
    """E-5: E3 is sick 29 December – 9 January; back Monday 12 January → due 19 January (13–16, 19)."""
    engine = world(with_absence("sick", "2025-12-29", "2026-01-09"))
    world.flows.commission_cycle(year=2025, as_of=OPENS)
    row = evaluation(engine, "E3", "kpi_count")
    assert (row["status"], row["deadline"]) == ("deferred", date(2026, 1, 19))
    assert "E3" not in {m["person"] for m in messages(engine, "evaluation_notice")}
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 9))
    assert evaluation(engine, "E3", "kpi_count")["status"] == "deferred"
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 12))
    row = evaluation(engine, "E3", "kpi_count")
    assert (row["status"], row["deadline"]) == ("open", date(2026, 1, 19))
    deadlines = {m["payload"].get("deadline") for m in messages(engine, "evaluation_notice") if m["person"] == "E3"}
    assert deadlines == {"2026-01-19"}
    assert {m["person"] for m in messages(engine, "sheet_request")} == {"E2"}
