"""P-7, decision 0196: a calendar override of today or later recomputes the stored dates of open windows.

A decree makes a future day a day off (or a Saturday working). The deadlines and notice dates already stored for an
open period's evaluations that still wait for their sheet are recomputed with the new calendar, in the same
transaction as the override, each audited (who, before → after, the override's legal basis); a submitted sheet,
a date already passed and a notice already sent stay. Saving the same override again moves nothing. The daily
sweep, which reminds and escalates from the stored deadline, then escalates on the new date and never twice.

examples/staff as body ``demo``, Model 2018, Q1 2025 opened on Tuesday 1 April (hand-worked: everyone's sheet due
Thursday 10 April, P-1; the non-heads' notice by the 10th, P-4; reminders 3 and 1 working days before). Today is
Tuesday 8 April; a decree makes Thursday 10 April a day off: the deadline rolls forward to Friday 11 April (P-6,
``roll_forward``), the non-heads' notice date rolls back to Wednesday 9 April (a notice is never late, P-6).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from application.actions.acquaintance import acknowledge, disagree
from application.actions.commission import return_sheet
from application.actions.schedule import approve_schedule
from application.actions.setup import Move, set_calendar_day
from application.actions.sheets import submit_sheet
from application.cycle import opening
from application.cycle.sweep import run_step
from application.environment import Environment
from bagalau.cli import app
from bagalau.settings import get_settings
from bagalau.simulate.loading import BODY_CODE
from domain.access import Principal
from domain.vocabulary import Role
from tests.flows_support import World, example, person, prefect, world  # noqa: F401

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"
HR = Principal(name="gulnar", person="H2", body="demo", roles=frozenset({Role.HR, Role.HR_HEAD}))
E1 = Principal(name="aigerim", person="E1", body="demo", roles=frozenset())
TODAY = date(2025, 4, 8)
DECREE = "Government decree No. 5 of 2025-04-07"
SCORES = {"quality": 4, "deadlines": 4, "independence_initiative": 4, "labour_discipline": 4}

pytestmark = pytest.mark.postgres


@pytest.fixture
def opened(pg_engine: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Environment]:
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        for args in (
            ["org", "import", str(STAFF), "--body", "demo", "--as-of", "2025-01-06"],
            ["body", "assign-rulebook", "demo", "kz-model-2018", "--from", "2025-01-01"],
        ):
            done = runner.invoke(app, args)
            assert done.exit_code == 0, done.output
        env = Environment(pg_engine)
        approve_schedule(env, Principal.system_step("operator:test"), "demo", "2025-Q1", by="E0", day=date(2025, 3, 20))
        opening.open_period(env, body_id(pg_engine), "2025-Q1", date(2025, 4, 1))
        yield env
    finally:
        get_settings.cache_clear()


def body_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT id FROM body WHERE code = 'demo'")).scalar_one())


def stored(engine: Engine) -> dict[str, tuple[str, date | None, date | None]]:
    """Employee number → (status, deadline, notice due) of their differentiation or KPI evaluation."""
    query = sa.text(
        "SELECT p.personnel_number, e.status, e.deadline, e.notice_due_on FROM evaluation e"
        " JOIN person p ON p.id = e.person_id WHERE e.method IN ('kpi', 'differentiation') AND e.eligible"
    )
    with engine.connect() as connection:
        return {row[0]: (row[1], row[2], row[3]) for row in connection.execute(query)}


def moves_audited(engine: Engine) -> list[tuple[str, str, dict[str, str], dict[str, str], str]]:
    query = sa.text(
        "SELECT p.personnel_number, a.actor, a.before, a.after, a.reason FROM audit_log a"
        " JOIN evaluation e ON a.entity = 'evaluation' AND a.entity_id = e.id::text"
        " JOIN person p ON p.id = e.person_id WHERE a.action = 'calendar_move' ORDER BY p.personnel_number, a.id"
    )
    with engine.connect() as connection:
        return [(row[0], row[1], row[2], row[3], row[4]) for row in connection.execute(query)]


def escalated(engine: Engine) -> list[tuple[str, int, date]]:
    query = sa.text(
        "SELECT p.personnel_number, x.level, x.escalated_on FROM escalation x"
        " JOIN evaluation e ON e.id = x.evaluation_id JOIN person p ON p.id = e.person_id"
        " WHERE x.kind = 'overdue_sheet' ORDER BY 1, 2"
    )
    with engine.connect() as connection:
        return [(row[0], row[1], row[2]) for row in connection.execute(query)]


def queued(engine: Engine, prefix: str) -> list[str]:
    query = sa.text("SELECT idempotency_key FROM outbox_message WHERE idempotency_key LIKE :prefix ORDER BY 1")
    with engine.connect() as connection:
        return list(connection.execute(query, {"prefix": f"{prefix}%"}).scalars())


def test_p7_a_future_day_off_moves_the_stored_deadlines_of_open_sheets_audited_and_only_once(
    opened: Environment, pg_engine: Engine
) -> None:
    # E2's sheet is submitted before the decree: done work, its deadline stays
    submit_sheet(opened, E1, as_of=date(2025, 4, 7), evaluatee="E2", scores=SCORES, comment="steady work")
    before = stored(pg_engine)
    assert before["E2"][0] == "completed"  # signed: the result is known (D-3)
    assert {number for number, (_, deadline, _) in before.items() if deadline == date(2025, 4, 10)} == set(before)

    saved = set_calendar_day(opened, HR, "demo", day=date(2025, 4, 10), kind="day_off", legal_basis=DECREE, today=TODAY)

    after = stored(pg_engine)
    waiting = {number for number, (status, _, _) in before.items() if status == "open"}
    assert waiting == set(before) - {"E2"} and waiting
    for number in waiting:
        assert after[number][1] == date(2025, 4, 11), number  # P-6 roll_forward off the new day off
    assert after["E2"] == before["E2"]  # submitted: unchanged
    # the non-heads' notice "by the 10th" rolls back to the 9th (P-4, P-6); the heads' (by the 5th) stays
    assert after["H1"][2] == date(2025, 4, 9) and after["E1"][2] == before["E1"][2]
    assert Move("2025-Q1", "E1", "deadline", "2025-04-10", "2025-04-11") in saved.moved
    assert Move("2025-Q1", "H1", "notice_by", "2025-04-10", "2025-04-09") in saved.moved
    assert not any(move.employee == "E2" for move in saved.moved)
    assert saved.moved_elsewhere == 0

    audited = moves_audited(pg_engine)
    assert len(audited) == len(saved.moved)  # one row per moved date
    e1 = [row for row in audited if row[0] == "E1"]
    assert e1 == [("E1", "user:gulnar (person:H2)", {"deadline": "2025-04-10"}, {"deadline": "2025-04-11"}, e1[0][4])]
    assert DECREE in e1[0][4] and "2025-04-10 day_off" in e1[0][4] and "(P-7)" in e1[0][4]

    again = set_calendar_day(opened, HR, "demo", day=date(2025, 4, 10), kind="day_off", legal_basis=DECREE, today=TODAY)
    assert again.moved == () and again.moved_elsewhere == 0
    assert stored(pg_engine) == after and len(moves_audited(pg_engine)) == len(audited)


def test_p7_a_date_the_override_would_move_before_today_stays(opened: Environment, pg_engine: Engine) -> None:
    """A day off declared for today itself: nothing is moved into the past (a window never closes yesterday)."""
    before = stored(pg_engine)
    saved = set_calendar_day(
        opened, HR, "demo", day=date(2025, 4, 10), kind="day_off", legal_basis=DECREE, today=date(2025, 4, 10)
    )
    # today is the deadline day itself: the deadline (today) moves to tomorrow; the non-heads' notice would roll
    # back to yesterday, before today, so it stays
    assert all(move.what == "deadline" for move in saved.moved) and saved.moved
    assert {number: row[2] for number, row in stored(pg_engine).items()} == {
        number: row[2] for number, row in before.items()
    }


def test_p7_after_the_move_the_sweep_escalates_on_the_new_date_and_never_twice(
    opened: Environment, pg_engine: Engine
) -> None:
    body = body_id(pg_engine)
    set_calendar_day(opened, HR, "demo", day=date(2025, 4, 10), kind="day_off", legal_basis=DECREE, today=TODAY)

    # Wednesday 9 April: one working day before the new deadline (10 April is now a day off): reminded, once
    for _ in range(2):
        run_step(opened, "reminders", body, date(2025, 4, 9))
    reminders = queued(pg_engine, "reminder:")
    assert reminders and all(key.endswith(":2025-04-09") for key in reminders)
    assert len(reminders) == len(set(reminders))

    # Friday 11 April, the day after the old deadline, is now the deadline itself: nothing escalated
    assert run_step(opened, "overdue_sheets", body, date(2025, 4, 11)) == 0
    assert escalated(pg_engine) == []
    # Monday 14 April, the first working day after the new deadline: escalated, each level once
    run_step(opened, "overdue_sheets", body, date(2025, 4, 14))
    first = escalated(pg_engine)
    assert first and {on for _, _, on in first} == {date(2025, 4, 14)}
    messages = queued(pg_engine, "escalation:")
    for day in (date(2025, 4, 14), date(2025, 4, 15)):
        run_step(opened, "overdue_sheets", body, day)
    assert escalated(pg_engine) == first and queued(pg_engine, "escalation:") == messages


def acquaintance(engine: Engine, number: str) -> tuple[date | None, date | None]:
    query = sa.text(
        "SELECT e.acquaint_by, e.disagreement_until FROM evaluation e JOIN person p ON p.id = e.person_id"
        " WHERE p.personnel_number = :number AND e.method = 'differentiation'"
    )
    with engine.connect() as connection:
        row = connection.execute(query, {"number": number}).one()
    return row[0], row[1]


def test_p7_the_acquaintance_disagreement_and_calibration_windows_move_too(
    opened: Environment, pg_engine: Engine
) -> None:
    """C-1, C-2, C-3, C-4: windows counted in working days from an event already past move with the calendar."""
    submit_sheet(opened, E1, as_of=date(2025, 4, 7), evaluatee="E2", scores=SCORES, comment="steady work")
    assert acquaintance(pg_engine, "E2") == (date(2025, 4, 9), None)  # C-1: 2 working days after Monday 7 April
    saved = set_calendar_day(opened, HR, "demo", day=date(2025, 4, 9), kind="day_off", legal_basis=DECREE, today=TODAY)
    assert acquaintance(pg_engine, "E2") == (date(2025, 4, 10), None)
    assert Move("2025-Q1", "E2", "acquaint_by", "2025-04-09", "2025-04-10") in saved.moved

    E2 = Principal(name="dana", person="E2", body="demo", roles=frozenset())
    acknowledge(opened, E2, as_of=date(2025, 4, 10))
    assert acquaintance(pg_engine, "E2")[1] == date(2025, 4, 17)  # C-2: 5 working days after 10 April
    saved = set_calendar_day(
        opened, HR, "demo", day=date(2025, 4, 14), kind="day_off", legal_basis=DECREE, today=date(2025, 4, 11)
    )
    assert acquaintance(pg_engine, "E2")[1] == date(2025, 4, 18)
    assert Move("2025-Q1", "E2", "disagreement_until", "2025-04-17", "2025-04-18") in saved.moved

    disagree(opened, E2, as_of=date(2025, 4, 15), text="My work was better than that.")
    with pg_engine.connect() as connection:
        decide_by, hold_by = connection.execute(sa.text("SELECT decide_by, hold_by FROM calibration_case")).one()
    assert (decide_by, hold_by) == (date(2025, 4, 18), date(2025, 4, 29))  # C-3: 3, C-4: 10 working days
    saved = set_calendar_day(
        opened, HR, "demo", day=date(2025, 4, 17), kind="day_off", legal_basis=DECREE, today=date(2025, 4, 15)
    )
    with pg_engine.connect() as connection:
        moved = connection.execute(sa.text("SELECT decide_by, hold_by FROM calibration_case")).one()
    assert tuple(moved) == (date(2025, 4, 21), date(2025, 4, 30))
    assert {move.what for move in saved.moved} == {"decide_by", "hold_by"}
    with pg_engine.connect() as connection:
        audited = connection.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE entity = 'calibration_case' AND action = 'calendar_move'")
        ).scalar_one()
    assert audited == 2


def test_p7_the_open_360_surveys_last_day_moves_too(
    pg_engine: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """T-1: the 2024 survey, opened in January 2025, closes on the 10th (P-1); a decree makes Friday 10 January a
    day off on the 6th: the open surveys close on Monday 13 January instead (P-6 ``roll_forward``)."""
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        for args in (
            ["org", "import", str(STAFF), "--body", "demo", "--as-of", "2025-01-06"],
            ["body", "assign-rulebook", "demo", "kz-model-2018", "--from", "2024-01-01"],
        ):
            done = runner.invoke(app, args)
            assert done.exit_code == 0, done.output
        env = Environment(pg_engine)
        assert run_step(env, "survey_360", body_id(pg_engine), date(2025, 1, 6)) > 0
        query = sa.text("SELECT DISTINCT closes_on FROM survey_360 WHERE status = 'open'")
        with pg_engine.connect() as connection:
            assert list(connection.execute(query).scalars()) == [date(2025, 1, 10)]
        saved = set_calendar_day(
            env, HR, "demo", day=date(2025, 1, 10), kind="day_off", legal_basis=DECREE, today=date(2025, 1, 6)
        )
        with pg_engine.connect() as connection:
            assert list(connection.execute(query).scalars()) == [date(2025, 1, 13)]
        assert saved.moved and {(move.what, move.before, move.after) for move in saved.moved} == {
            ("closes_on", "2025-01-10", "2025-01-13")
        }
    finally:
        get_settings.cache_clear()


@pytest.mark.prefect
def test_m5_a_returned_sheets_resubmission_day_moves_too(world: World) -> None:  # noqa: F811
    """M-5: a sheet returned on Friday 9 January 2026 is due again in 2 working days, Tuesday 13; a decree on Monday
    12 makes the 13th a day off: it is due on Wednesday 14, audited; the period's other dates are not touched."""
    engine = world(example("annual-commission-2025.yaml"))
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 5))
    day = date(2026, 1, 9)
    submit_sheet(world.env, person("E1"), as_of=day, evaluatee="E2", scores=[True] * 5, method="kpi_count")
    return_sheet(world.env, person("V1"), as_of=day, evaluatee="E2", reason="no evidence for k4")
    saved = set_calendar_day(
        world.env,
        Principal.system_step("operator:test"),
        BODY_CODE,
        day=date(2026, 1, 13),
        kind="day_off",
        legal_basis=DECREE,
        today=date(2026, 1, 12),
    )
    assert Move("2025", "E2", "deadline", "2026-01-13", "2026-01-14") in saved.moved
    query = sa.text(
        "SELECT e.status, e.deadline FROM evaluation e JOIN person p ON p.id = e.person_id"
        " WHERE p.personnel_number = 'E2' AND e.method = 'kpi_count'"
    )
    with engine.connect() as connection:
        assert tuple(connection.execute(query).one()) == ("returned", date(2026, 1, 14))
