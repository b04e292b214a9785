"""The daily sweep fans out per body (issue 13, item 3): a body that cannot be swept is reported and skipped, the
other bodies are swept all the same, and a re-run of the same day does nothing twice. Real Prefect, PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from domain.vocabulary import PeriodKind
from flows.daily_sweep import BODY_TAG, BodiesFailed
from persistence.uow import UnitOfWork
from tests.flows_support import World, dump, example, prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

OPENING_DAY = date(2025, 4, 1)


def test_a_body_without_a_rulebook_is_reported_and_the_others_are_swept(world: World) -> None:  # noqa: F811
    engine = world(example("model-2018-q1-2025.yaml"))
    with UnitOfWork(engine, actor="test:setup") as uow:  # G-3: a body that asks for 2025-Q1 but follows no rulebook
        broken = uow.org.add_body(code="broken", name="No rulebook").id
        uow.periods.open(body_id=broken, kind=PeriodKind.QUARTER, year=2025, quarter=1)
        uow.commit()

    with pytest.raises(BodiesFailed, match=r"body broken: open 2025-Q1: .*G-3") as failed:
        world.flows.daily_sweep(as_of=OPENING_DAY)
    assert "scenario" not in str(failed.value)

    with engine.connect() as connection:
        opened = dict(
            connection.execute(
                sa.text(
                    "SELECT b.code, p.opened_on FROM evaluation_period p JOIN body b "
                    "ON b.id = p.body_id WHERE p.label = '2025-Q1'"
                )
            ).all()
        )
        sent = connection.execute(
            sa.text("SELECT count(*) FROM evaluation WHERE notice_sent_on = :d"), {"d": OPENING_DAY}
        ).scalar_one()
    assert opened == {"scenario": OPENING_DAY, "broken": None}
    assert sent == 10  # the scenario body's notices went out and were dated (P-4) in the same run

    before = dump(engine)
    with pytest.raises(BodiesFailed, match="body broken"):
        world.flows.daily_sweep(as_of=OPENING_DAY)
    assert dump(engine) == before  # the re-run of the day does nothing twice for the body that was swept


def test_every_per_body_task_run_carries_the_concurrency_tag(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect's tag concurrency limit (``prefect concurrency-limit create bagalau-sweep-body N``) bounds the
    bodies swept at once across every worker: each per-body task run must carry the tag. The tags are read from
    the running task run's own context, as Prefect gave them (the API learns them later, from events)."""
    from prefect.context import TaskRunContext

    from application.cycle import sweep

    seen: list[tuple[str, frozenset[str]]] = []
    run_step = sweep.run_step

    def recording(env: Any, name: str, body_id: int, day: date) -> int:
        context = TaskRunContext.get()
        assert context is not None, f"step {name} ran outside a task run"
        seen.append((context.task_run.name, frozenset(context.task_run.tags)))
        return run_step(env, name, body_id, day)

    monkeypatch.setattr(sweep, "run_step", recording)
    world(example("model-2018-q1-2025.yaml"))
    world.flows.daily_sweep(as_of=date(2025, 4, 2))

    assert seen and all(BODY_TAG in tags for _, tags in seen), seen
    assert {name.rsplit("-", 1)[0] for name, _ in seen} >= {"before-delivery", "after-delivery"}
