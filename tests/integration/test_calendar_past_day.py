"""Issue 14, bad input: a calendar override (P-7) on a day already past while a period is open.

The windows of an open period were counted with the calendar as it was. Moving a past day that one of them counts
would move dates people already kept or missed, so it is refused naming P-7, and the refusal lists every date it
would move (``application.actions.setup.calendar_moves``, shown on /hr/calendar too); a past day no open window
counts moves nothing and is taken; today or later is taken as before. Nothing is written on a refusal.

examples/staff as body ``demo``, Model 2018, Q1 2025 opened on Tuesday 1 April (hand-worked: heads' notice by
Friday 4 April, everyone's sheet due Thursday 10 April, the heads' KPI actuals by Thursday 3 April, reminders 7 and
9 April).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from application.actions.schedule import approve_schedule
from application.actions.setup import CalendarRefused, Move, set_calendar_day
from application.cycle import opening
from application.environment import Environment
from bagalau.cli import app
from bagalau.settings import get_settings
from domain.access import Principal
from domain.vocabulary import Role

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"
HR = Principal(name="gulnar", person="H2", body="demo", roles=frozenset({Role.HR, Role.HR_HEAD}))

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
        with pg_engine.connect() as connection:
            body_id = connection.execute(sa.text("SELECT id FROM body WHERE code = 'demo'")).scalar_one()
        opening.open_period(env, body_id, "2025-Q1", date(2025, 4, 1))
        yield env
    finally:
        get_settings.cache_clear()


def overrides(engine: Engine) -> list[tuple[date, str]]:
    with engine.connect() as connection:
        return [(row[0], row[1]) for row in connection.execute(sa.text("SELECT day, kind FROM calendar_override"))]


def test_p7_a_past_day_under_an_open_window_is_refused_naming_every_date_it_would_move(
    opened: Environment, pg_engine: Engine
) -> None:
    with pytest.raises(CalendarRefused) as refused:
        set_calendar_day(
            opened, HR, "demo", day=date(2025, 4, 3), kind="day_off", legal_basis="Decree No. 1", today=date(2025, 4, 8)
        )
    error = refused.value
    assert (error.rule, error.field, error.allowed) == ("P-7", "day", "2025-04-08 or later")
    assert "(P-7)" in str(error) and "2025-Q1" in str(error)
    moved = {(move.employee, move.what): (move.before, move.after) for move in error.moves}
    # Thursday 3 April becomes a day off: the heads' KPI actuals, due 3 working days before the 10 April deadline
    # (P-5), would have been due on Wednesday 2 April; the notices (by the 5th/10th) and the deadline stay
    assert moved == {
        ("E1", "kpi_actuals_by"): ("2025-04-03", "2025-04-02"),
        ("E3", "kpi_actuals_by"): ("2025-04-03", "2025-04-02"),
        ("H2", "kpi_actuals_by"): ("2025-04-03", "2025-04-02"),
    }
    assert Move("2025-Q1", "E1", "kpi_actuals_by", "2025-04-03", "2025-04-02") in error.moves
    assert "2025-Q1 E1 KPI actuals 2025-04-03 → 2025-04-02" in str(error)
    assert overrides(pg_engine) == []  # nothing written


def test_p7_a_past_day_no_open_window_counts_is_taken_and_so_is_a_future_one(
    opened: Environment, pg_engine: Engine
) -> None:
    # a Saturday before the period opened: no window of Q1's evaluations counts it, nothing moves
    set_calendar_day(
        opened, HR, "demo", day=date(2025, 3, 1), kind="working_day", legal_basis="Decree No. 2", today=date(2025, 4, 8)
    )
    set_calendar_day(
        opened, HR, "demo", day=date(2025, 5, 2), kind="day_off", legal_basis="Decree No. 3", today=date(2025, 4, 8)
    )
    assert sorted(overrides(pg_engine)) == [(date(2025, 3, 1), "working_day"), (date(2025, 5, 2), "day_off")]


def test_p7_a_past_day_under_another_bodys_open_window_is_refused_counting_without_listing(
    opened: Environment, pg_engine: Engine
) -> None:
    """The calendar is national (P-7): the HR of a body with no open period may not move a past day that another
    body's open windows counted; the refusal counts those dates and lists none of them (they are another body's
    people), and nothing is written."""
    done = CliRunner().invoke(app, ["org", "import", str(STAFF), "--body", "other", "--as-of", "2025-01-06"])
    assert done.exit_code == 0, done.output
    other_hr = Principal(name="saule", person="H2", body="other", roles=frozenset({Role.HR}))
    with pytest.raises(CalendarRefused) as refused:
        set_calendar_day(
            opened, other_hr, "other", day=date(2025, 4, 3), kind="day_off", legal_basis="No. 1", today=date(2025, 4, 8)
        )
    error = refused.value
    assert (error.rule, error.field, error.allowed, error.moves) == ("P-7", "day", "2025-04-08 or later", [])
    assert "3 date(s) of other bodies' open periods" in str(error) and "E1" not in str(error)
    assert overrides(pg_engine) == []
    # a past day no body's open window counts is still taken from the other body
    set_calendar_day(
        opened, other_hr, "other", day=date(2025, 3, 1), kind="working_day", legal_basis="No. 2", today=date(2025, 4, 8)
    )
    assert overrides(pg_engine) == [(date(2025, 3, 1), "working_day")]
