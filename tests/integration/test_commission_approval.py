"""M-7 (004 §39): the appointing official approves the Commission's results — a person's action, decision 0140.

On the people of examples/scenarios/annual-commission-2025.yaml (E0 is the appointing official and chairs the
Commission of E0, V1, V2, E1, H2; H1, HR, is its secretary), through the real ``commission_cycle`` flow on
PostgreSQL: the cycle records the decisions and signs the protocol; nothing reaches the employees until E0 approves.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from application.actions.commission import appeal, commission_vote
from application.actions.commission_results import approve_commission_results
from application.errors import Rejected
from application.queries.access import visibility_of
from bagalau.simulate.actions import apply_action
from bagalau.simulate.scenario import AbsenceEvent, Substitute
from domain.access import Principal, Visibility
from tests.flows_support import World, dump, example, prefect, world  # noqa: F401
from tests.flows_support import person as acting
from tests.integration.test_commission import MEETING, evaluation, messages, play, refusal

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

VOTES = [(member, employee) for employee in ("E1", "H1") for member in ("E0", "V1", "V2", "H2")]
LATER = date(2026, 1, 29)  # two working days after the meeting


def voted(world: World) -> sa.Engine:  # noqa: F811
    engine = world(example("annual-commission-2025.yaml"))
    play(world, example("annual-commission-2025.yaml"), date(2026, 1, 14))
    for member, employee in VOTES:
        commission_vote(world.env, acting(member), as_of=MEETING, employee=employee, decision="approve")
    return engine


def meeting(engine: sa.Engine) -> sa.RowMapping:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT * FROM commission_meeting")).mappings().one()


def test_the_cycle_signs_the_protocol_and_the_results_wait_for_the_appointing_official(world: World) -> None:  # noqa: F811
    """M-7: the decisions are recorded and the protocol signed on the meeting day; the evaluations stay before the
    Commission (``approved``), nobody is told a result, and E0 is asked, once, to approve."""
    engine = voted(world)
    world.flows.commission_cycle(year=2025, as_of=MEETING)
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 28))
    found = meeting(engine)
    assert (found["protocol_signed_on"], found["approved_on"], found["approved_by_id"]) == (MEETING, None, None)
    assert evaluation(engine, "E1", "kpi_count")["status"] == "approved"
    assert evaluation(engine, "E1", "kpi_count")["completed_on"] is None
    assert messages(engine, "commission_decision") == [] and messages(engine, "appeal_window") == []
    asked = messages(engine, "commission_approval_request")
    assert [m["person"] for m in asked] == ["E0"]
    assert asked[0]["payload"]["link"].endswith("/commission")
    assert asked[0]["payload"]["meeting_date"] == MEETING.isoformat()


def test_only_the_appointing_official_approves_and_only_a_closed_vote(world: World) -> None:  # noqa: F811
    """M-7: a member who is not the appointing official, HR, or an approval the day before the meeting is refused,
    naming M-7; nothing changes."""
    engine = voted(world)
    before = dump(engine)
    for who in ("V1", "H1", "E1"):
        reason = refusal(lambda who=who: approve_commission_results(world.env, acting(who), as_of=MEETING))
        assert "(M-7)" in reason and "not the appointing official" in reason and "E0" in reason
    early = refusal(
        lambda: approve_commission_results(world.env, acting("E0"), as_of=date(2026, 1, 26), meeting_date=MEETING)
    )
    assert "not closed yet" in early and early.endswith("(M-7)")
    assert dump(engine) == before


def test_an_approval_two_days_later_starts_the_windows_then_and_a_second_one_changes_nothing(
    world: World,  # noqa: F811
) -> None:
    """M-7, M-8, M-9: approved on 29 January, the results are completed that day, acquaintance is due within 2
    working days of it (2 February) and the appeal window runs 10 working days from it; the employee is told that
    day. The action records the decisions itself when the day's step has not run yet. A double submit answers
    ``already`` and queues nothing more."""
    engine = voted(world)
    done = approve_commission_results(world.env, acting("E0"), as_of=LATER)
    assert not done.already and done.approved_by == "E0" and len(done.evaluation_ids) == 4
    found = meeting(engine)
    assert (found["protocol_signed_on"], found["approved_on"]) == (MEETING, LATER)
    row = evaluation(engine, "E1", "kpi_count")
    assert (row["status"], row["completed_on"], row["acquaint_by"]) == ("completed", LATER, date(2026, 2, 2))
    assert {m["payload"]["appeal_by"] for m in messages(engine, "appeal_window")} == {"2026-02-12"}
    assert {m["person"] for m in messages(engine, "commission_decision")} == {"E1", "H1"}
    with engine.connect() as connection:
        due = connection.execute(
            sa.text("SELECT DISTINCT due_at FROM outbox_message WHERE kind = 'commission_decision'")
        ).scalars()
        assert {world.env.clock.local_date(at) for at in due} == {LATER}
    before = dump(engine)
    again = approve_commission_results(world.env, acting("E0"), as_of=date(2026, 1, 30))
    assert again.already and again.approved_on == LATER and again.meeting_id == done.meeting_id
    assert dump(engine) == before
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 30))
    assert messages(engine, "commission_approval_request") == []  # approved before any step asked for it
    # M-9: the appeal window counts from the approval: open on 12 February, closed on the 13th
    appealed = appeal(world.env, acting("E1"), as_of=date(2026, 2, 12), text="I disagree", method="kpi_count")
    assert appealed.appeal_by == date(2026, 2, 12)


def test_a_protocol_without_a_decision_is_not_approved(world: World) -> None:  # noqa: F811
    """M-7: one vote is no quorum; there is nothing to approve."""
    engine = world(example("annual-commission-2025.yaml"))
    play(world, example("annual-commission-2025.yaml"), date(2026, 1, 14))
    commission_vote(world.env, acting("V1"), as_of=MEETING, employee="E1", decision="approve")
    reason = refusal(lambda: approve_commission_results(world.env, acting("E0"), as_of=MEETING))
    assert "holds no decision" in reason and reason.endswith("(M-7)")
    assert meeting(engine)["approved_on"] is None
    with pytest.raises(Rejected):
        approve_commission_results(world.env, acting("E0"), as_of=MEETING, meeting_id=999_999)


def official_away_acted_for_by(world: World, number: str) -> None:  # noqa: F811
    """G-7: E0 is on leave from 28 January to 6 February and ``number`` acts for him; the cycle runs on the 28th."""
    away = AbsenceEvent.model_validate(
        {"employee": "E0", "kind": "annual_leave", "from": "2026-01-28", "to": "2026-02-06"}
    )
    substitute = Substitute.model_validate({"for": "E0", "by": number, "from": "2026-01-28", "to": "2026-02-06"})
    apply_action(world.env, date(2026, 1, 27), "absence", away)
    apply_action(world.env, date(2026, 1, 27), "substitute", substitute)
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 28))


def test_while_the_official_is_away_the_person_acting_for_them_approves(world: World) -> None:  # noqa: F811
    """G-7: E0 is on leave from 28 January and V2 acts for him; V2 is asked and approves, V1 still may not."""
    engine = voted(world)
    official_away_acted_for_by(world, "V2")
    assert [m["person"] for m in messages(engine, "commission_approval_request")] == ["V2"]
    reason = refusal(lambda: approve_commission_results(world.env, acting("V1"), as_of=date(2026, 1, 28)))
    assert "not the appointing official" in reason and reason.endswith("(M-7)")
    done = approve_commission_results(world.env, acting("V2"), as_of=date(2026, 1, 28))
    assert done.approved_by == "V2" and meeting(engine)["approved_on"] == date(2026, 1, 28)


def test_the_person_acting_for_the_away_official_reads_what_they_are_asked_to_approve(world: World) -> None:  # noqa: F811
    """R-2 with M-7 and G-7: E3, who has no other part in the Commission's year, acts for E0 from 28 January and is
    asked to approve; while the results wait for approval E3 sees them — not before the acting starts, not after it
    ends — and nobody else without a part does."""
    engine = voted(world)
    official_away_acted_for_by(world, "E3")
    assert [m["person"] for m in messages(engine, "commission_approval_request")] == ["E3"]
    key = evaluation(engine, "E1", "kpi_count")["id"]
    with engine.connect() as connection:
        body = connection.execute(sa.text("SELECT code FROM body")).scalar_one()

    def seen(number: str, on: date) -> Visibility:
        principal = Principal.of_person(number, body=body)
        return visibility_of(world.env, principal, [key], on).get(key, Visibility.NONE)

    assert seen("E3", date(2026, 1, 28)) == Visibility.RESULT  # asked to approve: reads what is approved
    assert seen("E3", date(2026, 1, 27)) == Visibility.NONE  # not acting yet
    assert seen("E3", date(2026, 2, 9)) == Visibility.NONE  # E0 is back
    assert seen("E0", date(2026, 1, 28)) == Visibility.RESULT  # the official still reads it
    assert seen("E4", date(2026, 1, 28)) == Visibility.NONE
    done = approve_commission_results(world.env, acting("E3"), as_of=date(2026, 1, 28))
    assert done.approved_by == "E3"
    assert seen("E3", date(2026, 2, 9)) == Visibility.RESULT  # who approved it keeps reading it (M-7)
