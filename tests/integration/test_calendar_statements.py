"""P-7, decision 0196, issue 13: a calendar override's recomputation of stored dates is set-based.

The calendar is national: one day off decreed inside an open quarter's deadline window moves the deadline of every
sheet still awaited in every body. ``set_calendar_day`` sends the same number of SQL statements for a body of 20
people as for one of 100 — a round trip per moved date (lock, update, audit) or per evaluation (its returns, its
period) would multiply it by five.

Each size is its own database state (the tables emptied in between): a synthetic body (``benchmarks.synthetic``)
on Model 2018, Q1 2025 opened on Tuesday 1 April (sheets due Thursday 10 April, P-1); then, so that every kind of
stored window is read, every 5th evaluation is made completed on Tuesday 8 April with its acquaintance due on the
10th (C-1: 2 working days), every 5th + 1 returned for correction (M-5, no Commission in Model 2018: read, not
moved), and every 5th + 2 has a calibration case applied on Monday 7 April (C-3: decision by the 10th, C-4: session
by Monday 21 April). Today is Tuesday 8 April; a decree makes the 10th a day off.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from application.actions.schedule import approve_schedule
from application.actions.setup import CalendarSaved, set_calendar_day
from application.cycle import opening
from application.environment import Environment
from benchmarks import synthetic
from benchmarks.measure import Meter
from domain.access import Principal
from domain.vocabulary import EvaluationStatus, Role
from persistence.db import make_engine
from persistence.importers import import_staff, read_staff_file
from persistence.records import DateMove
from persistence.uow import UnitOfWork
from tests.conftest import _EMPTY_ALL_TABLES
from tests.integration.conftest import SmallOrg

BODY = "bench"
HR = Principal(name="hr0", person="H0", body=BODY, roles=frozenset({Role.HR, Role.HR_HEAD}))
TODAY = date(2025, 4, 8)
DECREE = "Government decree No. 5 of 2025-04-07"


def prepared(engine: Engine, people: int, folder: Path) -> Environment:
    """The synthetic body of ``people``, its Q1 2025 opened on 1 April, and the event-anchored windows above."""
    staff = read_staff_file(synthetic.write_csv(folder / f"staff-{people}.csv", people), strict=False)
    import_staff(engine, staff, actor="test:import", as_of=date(2025, 1, 6), body=BODY)
    with UnitOfWork(engine, actor="test:setup") as uow:
        body = uow.org.body_by_code(BODY)
        assert body is not None
        body_id = body.id
        uow.rules.assign_rulebook(body_id=body_id, rulebook_id="kz-model-2018", valid_from=date(2025, 1, 1))
        uow.commit()
    env = Environment(engine)
    official = Principal.of_person("E0", body=BODY, roles=[Role.APPOINTING_OFFICIAL])
    approve_schedule(env, official, BODY, "2025-Q1", by="E0", day=date(2025, 3, 28))
    opening.open_period(env, body_id, "2025-Q1", date(2025, 4, 1))
    with engine.begin() as connection:
        ids = list(
            connection.execute(
                sa.text("SELECT id FROM evaluation WHERE eligible AND status = 'open' ORDER BY id")
            ).scalars()
        )
        completed = [{"id": key} for key in ids[0::5]]
        connection.execute(
            sa.text(
                "UPDATE evaluation SET status = 'completed', completed_on = '2025-04-08', acquaint_by = '2025-04-10', "
                "submitted_on = '2025-04-08' WHERE id = :id"
            ),
            completed,
        )
        connection.execute(
            sa.text("UPDATE evaluation SET status = 'returned' WHERE id = :id"), [{"id": key} for key in ids[1::5]]
        )
        connection.execute(
            sa.text(
                "INSERT INTO calibration_case (evaluation_id, status, applied_on, decide_by, hold_by, created_at) "
                "VALUES (:id, 'applied', '2025-04-07', '2025-04-10', '2025-04-21', CURRENT_TIMESTAMP)"
            ),
            [{"id": key} for key in ids[2::5]],
        )
    return env


def measured(engine: Engine, people: int, folder: Path) -> tuple[int, CalendarSaved]:
    """The statements of one ``set_calendar_day`` on the prepared body of ``people`` (an empty database)."""
    env = prepared(engine, people, folder)
    meter = Meter()
    try:
        with meter.step() as cost:
            saved = set_calendar_day(
                env, HR, BODY, day=date(2025, 4, 10), kind="day_off", legal_basis=DECREE, today=TODAY
            )
    finally:
        meter.close()
    assert cost.statements is not None
    return cost.statements, saved


def same_statements(engine: Engine, small: tuple[int, CalendarSaved], large: tuple[int, CalendarSaved]) -> None:
    (few_statements, few), (many_statements, many) = small, large
    kinds = {"deadline", "notice_by", "acquaint_by", "decide_by", "hold_by"}
    assert {move.what for move in few.moved} == {move.what for move in many.moved} == kinds
    assert len(many.moved) > 4 * len(few.moved)  # the moves grew with the people …
    assert many_statements == few_statements, (few_statements, many_statements)  # … the statements did not
    with engine.connect() as connection:
        audited = connection.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'calendar_move'"))
        assert audited.scalar_one() == len(many.moved)  # still one audit row per moved date
        moved = connection.execute(sa.text("SELECT count(*) FROM evaluation WHERE deadline = '2025-04-11'"))
        assert moved.scalar_one() == sum(move.what == "deadline" for move in many.moved)


@pytest.mark.postgres
def test_p7_the_statements_of_a_calendar_override_do_not_grow_with_the_people_it_moves(
    pg_engine: Engine, pg_owner_engine: Engine, tmp_path: Path
) -> None:
    small = measured(pg_engine, 20, tmp_path)
    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    large = measured(pg_engine, 100, tmp_path)
    same_statements(pg_engine, small, large)


def test_p7_the_statements_of_a_calendar_override_do_not_grow_on_sqlite_either(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    """SQLite (the embedded installation): the same moves as ``executemany`` statements, the same count."""
    found: list[tuple[int, CalendarSaved]] = []
    for people in (20, 100):
        path = tmp_path / f"bagalau-{people}.db"
        shutil.copyfile(_sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            found.append(measured(engine, people, tmp_path))
            if people == 100:
                same_statements(engine, *found)
        finally:
            engine.dispose()


@pytest.fixture(params=[pytest.param("pg_engine", marks=pytest.mark.postgres), "sqlite_engine"])
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(request.param)
    return engine


def test_p7_a_date_changed_since_it_was_read_or_a_window_closed_meanwhile_is_not_moved(
    engine: Engine, small_org: SmallOrg
) -> None:
    """The set-based write re-checks in SQL what the decision read: the date still as read, the row still in the
    statuses it was read in and eligible, a notice still unsent — else that row is left as it is, unaudited."""
    due, moved_to = date(2025, 4, 10), date(2025, 4, 11)
    with UnitOfWork(engine, actor="test:setup") as uow:
        ids = {
            number: uow.evaluations.ensure(small_org.evaluation(person, notice_due_on=due))[0].id
            for number, person in (("E1", small_org.e1), ("E2", small_org.e2), ("E3", small_org.e3))
        }
        uow.evaluations.update(ids["E1"], status=EvaluationStatus.SUBMITTED)  # submitted meanwhile: done work
        uow.evaluations.update(ids["E3"], deadline=date(2025, 4, 15), notice_sent_on=date(2025, 4, 2))  # HR set it
        uow.commit()
    with UnitOfWork(engine, actor="user:hr") as uow:
        planned = [
            DateMove(ids["E1"], "deadline", due, moved_to),
            DateMove(ids["E2"], "notice_due_on", due, date(2025, 4, 9)),
            DateMove(ids["E2"], "deadline", due, moved_to),
            DateMove(ids["E3"], "deadline", due, moved_to),  # read before HR's change: 15 April stays
            DateMove(ids["E3"], "notice_due_on", due, date(2025, 4, 9)),  # the notice went out meanwhile
        ]
        made = uow.evaluations.move_dates(planned, statuses=[EvaluationStatus.OPEN], reason="decree (P-7)")
        uow.commit()
    assert made == planned[1:3]  # in the order given
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, deadline, notice_due_on FROM evaluation ORDER BY id")).all()
        audited = connection.execute(
            sa.text("SELECT entity_id, before, after, reason FROM audit_log WHERE action = 'calendar_move' ORDER BY id")
        ).all()
    assert [(row[0], str(row[1]), str(row[2])) for row in rows] == [
        (ids["E1"], "2025-04-10", "2025-04-10"),
        (ids["E2"], "2025-04-11", "2025-04-09"),
        (ids["E3"], "2025-04-15", "2025-04-10"),
    ]
    json_of = [json.loads(value) if isinstance(value, str) else value for row in audited for value in row[1:3]]
    before_after = [(int(row[0]), json_of[2 * i], json_of[2 * i + 1], row[3]) for i, row in enumerate(audited)]
    assert before_after == [
        (ids["E2"], {"notice_due_on": "2025-04-10"}, {"notice_due_on": "2025-04-09"}, "decree (P-7)"),
        (ids["E2"], {"deadline": "2025-04-10"}, {"deadline": "2025-04-11"}, "decree (P-7)"),
    ]
