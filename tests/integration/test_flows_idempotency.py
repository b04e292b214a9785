"""Every flow run twice for the same as-of date leaves the database exactly as the first run did (nothing new
queued, escalated, audited or sent), and a flow killed half-way through a batch completes on the re-run with
nothing lost and nothing doubled. Real Prefect runs on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from application.cycle import opening
from application.errors import Rejected
from bagalau.simulate.actions import apply_action
from persistence import flowstate
from persistence.uow import UnitOfWork
from tests.flows_support import World, days, dump, example, prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

SCENARIO = "model-2018-q1-2025.yaml"


@pytest.fixture
def engine(world: World) -> Iterator[sa.Engine]:  # noqa: F811
    yield world(example(SCENARIO))


def play(world: World, first: date, last: date, *, twice: bool = False) -> list[tuple[date, Any, Any]]:  # noqa: F811
    """The scenario's events and the sweep for each day; with ``twice``, each sweep is run again and both dumps kept."""
    scenario = example(SCENARIO)
    engine = world.engine
    compared = []
    for day in days(first, last):
        for _, event in scenario.events_on(day):
            try:
                apply_action(world.env, day, event.kind, event.action)
            except Rejected:
                pass
        world.flows.daily_sweep(as_of=day)
        if twice:
            before = dump(engine)
            world.flows.daily_sweep(as_of=day)
            compared.append((day, before, dump(engine)))
    return compared


def test_the_daily_sweep_run_twice_a_day_changes_nothing_the_second_time(engine: sa.Engine, world: World) -> None:  # noqa: F811
    for day, before, after in play(world, date(2025, 3, 31), date(2025, 4, 19), twice=True):
        assert after == before, f"the second sweep of {day} changed the database"


def test_each_flow_run_twice_for_a_date_changes_nothing_the_second_time(engine: sa.Engine, world: World) -> None:  # noqa: F811
    play(world, date(2025, 3, 31), date(2025, 4, 17))
    day = date(2025, 4, 18)
    flows = world.flows
    runs = [
        lambda: flows.open_period("scenario", "2025-Q1", day),
        lambda: flows.calibration_session(_case_id(engine), day),
        lambda: flows.annual_final("scenario", 2025, day),
        lambda: flows.deliver_outbox(day),
        lambda: flows.daily_sweep(as_of=day),
    ]
    for run in runs:
        run()
        before = dump(engine)
        run()
        assert dump(engine) == before


def test_the_outbox_is_sent_once_whatever_is_rerun(engine: sa.Engine, world: World) -> None:  # noqa: F811
    play(world, date(2025, 3, 31), date(2025, 4, 12), twice=True)
    channel = world.env.channel
    keys = [record.message_key for record in channel.sent]  # type: ignore[union-attr]
    per_recipient = [(record.message_key, record.address.address) for record in channel.sent]  # type: ignore[union-attr]
    assert len(per_recipient) == len(set(per_recipient)), "a message reached the same address twice"
    assert len([key for key in keys if key.startswith("notice:")]) == 10


def test_an_opening_killed_half_way_completes_on_the_rerun_with_nothing_doubled(
    engine: sa.Engine,
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The evaluations are written, then the task dies while queuing the notices (composed by the database on
    PostgreSQL — in parts, by a writer thread, when the period is new: the second of its four parts written, then
    killed —, one by one elsewhere): the unit of work rolls back, and the next sweep opens the period as if nothing
    had happened."""
    real = opening.bulk.insert_outbox
    composed = opening.compose.queue_opening_notices
    in_parts = opening.compose.open_part
    parts: list[tuple[int, int]] = []

    def crash_after_writing(connection: Any, messages: Any) -> int:
        real(connection, list(messages)[:3])
        raise RuntimeError("killed in the middle of the batch")

    def crash_after_composing(connection: Any, **decided: Any) -> int:
        composed(connection, **decided)
        raise RuntimeError("killed after the batch, before the commit")

    def crash_after_two_parts(connection: Any, **part: Any) -> tuple[int, int]:
        parts.append(in_parts(connection, **part))
        if len(parts) == 2:
            raise RuntimeError("killed after the second part, before the commit")
        return parts[-1]

    monkeypatch.setattr(opening.bulk, "insert_outbox", crash_after_writing)
    monkeypatch.setattr(opening.compose, "queue_opening_notices", crash_after_composing)
    monkeypatch.setattr(opening.compose, "open_part", crash_after_two_parts)
    with pytest.raises(RuntimeError):
        world.flows.open_period("scenario", "2025-Q1", date(2025, 4, 1))
    with UnitOfWork(engine, actor="test") as uow:
        assert flowstate.evaluations(uow.session) == []
    assert len(parts) == 2 and sum(evaluations for evaluations, _ in parts) > 0  # written, then rolled back
    monkeypatch.setattr(opening.bulk, "insert_outbox", real)
    monkeypatch.setattr(opening.compose, "queue_opening_notices", composed)
    monkeypatch.setattr(opening.compose, "open_part", in_parts)

    world.flows.daily_sweep(as_of=date(2025, 4, 1))
    once = dump(engine)
    world.flows.daily_sweep(as_of=date(2025, 4, 1))
    assert dump(engine) == once
    notices = [row for row in once["outbox_message"] if row[_column("outbox_message", "kind")] == "evaluation_notice"]
    assert len(notices) == 10
    opened = [row for row in once["audit_log"] if row[_column("audit_log", "action")] == "open"]
    assert len(opened) == 1
    assert len(once["evaluation"]) == 11


def _case_id(engine: sa.Engine) -> int:
    with UnitOfWork(engine, actor="test") as uow:
        (row,) = flowstate.case_rows(uow.session)
        return int(row["id"])


def _column(table: str, name: str) -> int:
    from persistence.models import metadata
    from tests.flows_support import VOLATILE

    names = [column.name for column in metadata.tables[table].columns if column.name not in VOLATILE]
    return names.index(name)
