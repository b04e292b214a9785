"""G-4 (000 §10, 001 §10), issue 14: HR's evaluation schedule of a period, approved by the appointing official in
the system, and the opening gate — a period whose rulebook requires approval does not open without it.

examples/staff imported as body ``demo`` (E0 is the appointing official) on PostgreSQL as the application logs in;
Model 2018 (approval required) or Quarterly 2026 (not required). Hand-worked Q1 2025: opens Tuesday 1 April, heads
(KPI) notified by Friday 4 April, everyone due Thursday 10 April, KPI actuals by Thursday 3 April (P-5).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from application.actions.schedule import approve_schedule, opening_refusal
from application.context import body_ids
from application.cycle import opening
from application.environment import Environment
from application.errors import Rejected
from bagalau.cli import app
from bagalau.settings import get_settings
from domain.access import Principal
from domain.vocabulary import PeriodKind, Role

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"
OPERATOR = Principal.system_step("operator:test")

pytestmark = pytest.mark.postgres


@pytest.fixture
def cli(pg_engine: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    from bagalau import bootstrap

    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    get_settings.cache_clear()
    bootstrap.reset()  # an environment an earlier test built on other settings is not this one
    runner = CliRunner()
    try:
        done = runner.invoke(app, ["org", "import", str(STAFF), "--body", "demo", "--as-of", "2025-01-06"])
        assert done.exit_code == 0, done.output
        yield runner
    finally:
        get_settings.cache_clear()
        bootstrap.reset()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def assign(cli: CliRunner, rulebook: str = "kz-model-2018", start: str = "2025-01-01") -> None:
    done = run(cli, "body", "assign-rulebook", "demo", rulebook, "--from", start)
    assert done.exit_code == 0, done.output


def approval(engine: Engine) -> list[tuple[str, date | None]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT label, schedule_approved_on FROM evaluation_period ORDER BY label"))
        return [(row[0], row[1]) for row in rows]


def test_g4_the_schedule_shows_who_by_whom_which_method_and_the_working_day_windows(cli: CliRunner) -> None:
    assign(cli)
    done = run(cli, "schedule", "show", "demo", "2025-Q1", "--json")
    assert done.exit_code == 0, done.output
    shown = json.loads(done.output)
    assert (shown["rule"], shown["approval_required"], shown["approved_on"], shown["may_open"]) == (
        "G-4",
        True,
        None,
        False,
    )
    assert shown["opens_on"] == "2025-04-01"
    entries = {(e["employee"], e["method"]): e for e in shown["entries"]}
    assert sorted(entries) == [
        ("E1", "kpi"),
        ("E2", "differentiation"),
        ("E3", "kpi"),
        ("E4", "differentiation"),
        ("H1", "differentiation"),
        ("H2", "kpi"),
    ]  # E0 (political) is not on it
    head = entries[("E1", "kpi")]
    assert (head["evaluator"], head["notice_by"], head["deadline"], head["kpi_actuals_by"]) == (
        "E0",
        "2025-04-04",
        "2025-04-10",
        "2025-04-03",
    )
    assert entries[("E2", "differentiation")]["evaluator"] == "E1"
    text = run(cli, "schedule", "show", "demo", "2025-Q1")
    assert "schedule NOT approved" in text.output and "(G-4)" in text.output


def test_g4_only_the_appointing_official_approves_and_the_approval_is_audited(
    cli: CliRunner, pg_engine: Engine
) -> None:
    assign(cli)
    refused = run(cli, "schedule", "approve", "demo", "2025-Q1", "--by", "H2", "--as-of", "2025-03-20")
    assert refused.exit_code == 2
    assert "'--by'" in refused.output and "the appointing official (E0) approves it (G-4)" in refused.output
    assert approval(pg_engine) == []  # nothing written, not even the period
    done = run(cli, "schedule", "approve", "demo", "2025-Q1", "--by", "E0", "--as-of", "2025-03-20")
    assert done.exit_code == 0 and "schedule approved on 2025-03-20 by E0 (G-4)" in done.output, done.output
    again = run(cli, "schedule", "approve", "demo", "2025-Q1", "--by", "E0", "--as-of", "2025-03-25")
    assert again.exit_code == 0 and "already approved on 2025-03-20 by E0" in again.output
    assert approval(pg_engine) == [("2025-Q1", date(2025, 3, 20))]
    with pg_engine.connect() as connection:
        audited = connection.execute(
            sa.text("SELECT actor, action, after FROM audit_log WHERE entity = 'evaluation_period'")
        ).all()
    assert [(row.actor, row.action) for row in audited] == [("user:operator:schedule (person:E0)", "approve_schedule")]
    assert audited[0].after["schedule_approved_on"] == "2025-03-20"


def test_g4_a_rulebook_that_asks_no_approval_refuses_one(cli: CliRunner, pg_engine: Engine) -> None:
    assign(cli, "kz-quarterly-2026", "2026-03-13")
    shown = json.loads(run(cli, "schedule", "show", "demo", "2026-Q2", "--json").output)
    assert (shown["approval_required"], shown["may_open"]) == (False, True)
    done = run(cli, "schedule", "approve", "demo", "2026-Q2", "--by", "E0", "--as-of", "2026-06-01")
    assert done.exit_code == 2 and "does not ask for the schedule to be approved (G-4)" in done.output
    assert approval(pg_engine) == []


def test_g4_rerun_open_period_without_an_approved_schedule_exits_2_naming_g4(cli: CliRunner) -> None:
    bare = run(cli, "rerun", "open_period", "--body", "demo", "--period", "2025-Q1", "--as-of", "2025-04-01")
    assert bare.exit_code == 2 and "no rulebook is assigned" in bare.output and "(G-3)" in bare.output, bare.output
    assign(cli)
    done = run(cli, "rerun", "open_period", "--body", "demo", "--period", "2025-Q1", "--as-of", "2025-04-01")
    assert done.exit_code == 2, done.output
    assert "the evaluation schedule of 2025-Q1 is not approved" in done.output and "(G-4)" in done.output
    assert "Traceback" not in done.output


def test_g4_the_opening_gate_holds_a_period_until_its_schedule_is_approved(cli: CliRunner, pg_engine: Engine) -> None:
    assign(cli)
    env = Environment(pg_engine)
    day = date(2025, 4, 1)
    body_id = body_ids(env, "demo")[0]
    with env.unit_of_work(OPERATOR) as uow:
        uow.periods.open(body_id=body_id, kind=PeriodKind.QUARTER, year=2025, quarter=1)
        uow.commit()
    assert opening.due_openings(env, day, [body_id]) == []  # requested, due, but not approved: not opened
    with pytest.raises(Rejected) as refused:
        opening.open_period(env, body_id, "2025-Q1", day)
    assert refused.value.rule == "G-4"
    assert opening_refusal(env, "demo", "2025-Q1", day) is not None
    official = Principal.of_person("E0", body="demo", roles=[Role.APPOINTING_OFFICIAL])
    approve_schedule(env, official, "demo", "2025-Q1", by="E0", day=date(2025, 3, 28))
    assert opening_refusal(env, "demo", "2025-Q1", day) is None
    assert opening.due_openings(env, day, [body_id]) == [("demo", "2025-Q1")]
    assert opening.open_period(env, body_id, "2025-Q1", day) == 6
    with pg_engine.connect() as connection:
        opened = connection.execute(sa.text("SELECT opened_on FROM evaluation_period")).scalar_one()
    assert opened == day


def test_g4_someone_else_may_not_approve_in_the_officials_name(cli: CliRunner, pg_engine: Engine) -> None:
    assign(cli)
    hr = Principal.of_person("H2", body="demo", roles=[Role.HR_HEAD])
    with pytest.raises(Rejected) as refused:
        approve_schedule(Environment(pg_engine), hr, "demo", "2025-Q1", by="E0", day=date(2025, 3, 28))
    assert refused.value.rule == "G-4"
    assert approval(pg_engine) == []


@pytest.mark.parametrize("period", ["2175", "1907-Q2", "2100-Q4"])
def test_g4_a_period_whose_days_the_calendar_cannot_count_is_refused_naming_p7(
    cli: CliRunner, pg_engine: Engine, period: str
) -> None:
    """P-7: the working-day calendar covers 1991–2100 (2100-Q4 opens in 2101); the schedule of a period outside it
    (the web's and the API's period is any year) is refused naming the period and the years, never an error (found
    by the API's schemathesis run); the command line refuses such a year at its argument already."""
    from application.actions.schedule import ScheduleRefused, show_schedule
    from application.environment import Environment
    from domain.access import Principal

    assign(cli)
    with pytest.raises(ScheduleRefused) as refused:
        show_schedule(Environment(pg_engine), Principal.system_step("operator:test"), "demo", period)
    assert (refused.value.rule, refused.value.field) == ("P-7", "PERIOD")
    assert "its working days cannot be counted" in str(refused.value) and "1991–2100" in str(refused.value)
    shown = run(cli, "schedule", "show", "demo", period)
    assert shown.exit_code == 2 and "1991–2100" in shown.output and "Traceback" not in shown.output
