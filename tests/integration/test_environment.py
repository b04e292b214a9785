"""What the composition root hands in can be replaced: a fake launcher, a stopped clock, a rulebook stored in the
database. The actions and cycle steps take them from the environment, never from a process-wide locator."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from application.actions.acquaintance import disagree
from application.actions.commission import commission_vote
from application.actions.commission_results import approve_commission_results
from application.cycle import commission
from application.environment import Environment, FixedClock, RulebookSource
from application.errors import Rejected
from bagalau.simulate.actions import apply_action
from persistence.uow import UnitOfWork
from tests.flows_support import World, days, example, prefect, world  # noqa: F401
from tests.flows_support import person as acting

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

DISAGREES = date(2025, 4, 9)
MEETING = date(2026, 1, 27)


@dataclass
class RecordingLauncher:
    """A launcher that starts nothing and remembers what it was asked to start."""

    started: list[tuple[int, date]] = field(default_factory=list)

    def calibration_session(self, case_id: int, as_of: date) -> object:
        self.started.append((case_id, as_of))
        return None


def play(world: World, scenario: Any, first: date, last: date) -> None:  # noqa: F811
    for day in days(first, last):
        for _, event in scenario.events_on(day):
            try:
                apply_action(world.env, day, event.kind, event.action)
            except Rejected:
                pass
        world.flows.daily_sweep(as_of=day)


def test_c2_a_disagreement_starts_exactly_one_session_through_the_injected_launcher(world: World) -> None:  # noqa: F811
    """C-2, C-3: E3 (acquainted 7 April) disagrees on 9 April: one case, one session started, after the commit; a
    second application is refused and starts nothing."""
    scenario = example("model-2018-q1-2025.yaml")
    world(scenario)
    play(world, scenario, date(2025, 3, 31), date(2025, 4, 8))
    launcher = RecordingLauncher()
    env = replace(world.env, launcher=launcher)

    applied = disagree(env, acting("E3"), as_of=DISAGREES, text="my part in the projects is missing")

    assert launcher.started == [(applied.case_id, DISAGREES)]
    with UnitOfWork(env.engine, actor="test") as uow:
        assert uow.calibration.get(applied.case_id).applied_on == DISAGREES  # committed before the launch
    with pytest.raises(Rejected, match="already applied"):
        disagree(env, acting("E3"), as_of=DISAGREES, text="again")
    assert launcher.started == [(applied.case_id, DISAGREES)]


def decided_on_meeting_day(env: Environment) -> tuple[str, object]:
    """Run the Commission step for the meeting day under ``env``'s clock; E1's KPI result status afterwards and the
    day the meeting's protocol was signed."""
    with UnitOfWork(env.engine, actor="test") as uow:
        body = uow.org.body_by_code("scenario")
        assert body is not None
    commission.commission_cycle(env, body.id, 2025, MEETING)
    with env.engine.connect() as connection:
        query = (
            "SELECT e.status FROM evaluation e JOIN person p ON p.id = e.person_id"
            " WHERE p.personnel_number = 'E1' AND e.method = 'kpi_count'"
        )
        signed = connection.execute(sa.text("SELECT protocol_signed_on FROM commission_meeting")).scalar_one()
        return str(connection.execute(sa.text(query)).scalar_one()), signed


def test_m7_the_commission_decides_once_the_meeting_day_is_over_by_the_injected_clock(world: World) -> None:  # noqa: F811
    """M-7: on the meeting day the vote closes at 18:00 in Asia/Almaty; a clock stopped at 10:00 decides nothing and
    the appointing official cannot approve yet, one stopped at 19:00 signs the protocol and E0 approves (the real
    clock would say neither: the meeting is not today)."""
    scenario = example("annual-commission-2025.yaml")
    world(scenario)
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 5))
    for event in scenario.events:
        if event.date < MEETING:
            try:
                apply_action(world.env, event.date, event.kind, event.action)
            except Rejected:
                pass
    for member in ("E0", "V1", "V2", "H2"):
        commission_vote(world.env, acting(member), as_of=MEETING, employee="E1", decision="approve")

    morning = replace(world.env, clock=FixedClock(datetime(2026, 1, 27, 10, 0)))
    assert decided_on_meeting_day(morning) == ("approved", None)
    with pytest.raises(Rejected, match=r"not closed yet .*\(M-7\)"):
        approve_commission_results(morning, acting("E0"), as_of=MEETING)
    evening = replace(world.env, clock=FixedClock(datetime(2026, 1, 27, 19, 0)))
    assert decided_on_meeting_day(evening) == ("approved", MEETING)  # signed; waits for the appointing official
    approve_commission_results(evening, acting("E0"), as_of=MEETING)
    assert decided_on_meeting_day(evening) == ("completed", MEETING)


def test_a_rulebook_stored_by_one_process_is_found_by_another(world: World) -> None:  # noqa: F811
    """G-3: a rulebook loaded from a file is in the database, so a fresh environment (a worker, the web app) that
    never read the file finds it by id."""
    book = world.rulebook("kz-model-2018").model_copy(update={"id": "body-own-2025"})
    world.store_rulebook(book)
    other = replace(world.env, rulebooks=RulebookSource())
    with UnitOfWork(other.engine, actor="test") as uow:
        found = other.rulebooks.get(uow.rules, "body-own-2025")
        with pytest.raises(LookupError, match="unknown rulebook 'nobody'"):
            other.rulebooks.get(uow.rules, "nobody")
    assert found == book and found is not book
