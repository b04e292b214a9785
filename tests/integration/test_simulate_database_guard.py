"""Issue 12: ``simulate --db URL`` run twice, or after a kill, failed with IntegrityError and left partial data.
A database holding data is now refused with a clear message, changing nothing; ``--reset`` empties it first (with a
warning). PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate import runner
from bagalau.simulate.loading import load
from bagalau.simulate.report import Report
from bagalau.simulate.scenario import load_scenario
from persistence.db import make_engine, upgrade
from persistence.models import metadata
from tests.conftest import APP_ROLE

SCENARIO = Path(__file__).resolve().parents[1] / "e2e" / "scenarios" / "missed-acquaintance-and-split-panel.yaml"


@pytest.fixture(params=[pytest.param("pg", marks=pytest.mark.postgres), "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "pg":
        return str(request.getfixturevalue("fresh_pg_url"))
    return f"sqlite:///{tmp_path / 'simulation.db'}"


def rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:
            return {
                table.name: int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
                for table in metadata.sorted_tables
                if table.name in names and table.name != "survey_answer"
            }
    finally:
        engine.dispose()


def half_loaded(url: str) -> dict[str, int]:
    """What a simulation killed after loading leaves: the schema and the scenario's world, nothing played."""
    env = runner.environment(url, deliver=False)
    try:
        upgrade(env.engine, app_role=APP_ROLE)
        scenario = load_scenario(SCENARIO)
        load(env, scenario, scenario.load_rulebook())
    finally:
        env.engine.dispose()
    return rows(url)


@pytest.fixture
def played(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The simulation itself replaced by a check that it starts on an empty database (the days are not the point)."""
    seen: list[str] = []

    def play(scenario: Any, url: str, deliver: bool, secrets: Any = None) -> Report:
        assert runner._contents(make_engine(url)) is None
        seen.append(url)
        return Report(rulebook=scenario.rulebook)

    monkeypatch.setattr(runner, "_run", play)
    yield seen


def test_a_database_with_data_is_refused_and_left_as_it_is(url: str, played: list[str], tmp_path: Path) -> None:
    before = half_loaded(url)

    result = CliRunner().invoke(app, ["simulate", str(SCENARIO), "--db", url, "--out", str(tmp_path / "r.json")])

    assert result.exit_code == 2, result.output
    assert "Invalid value for '--db'" in result.output and "is not empty (the table" in result.output
    assert "--reset" in result.output and "Traceback" not in result.output
    assert played == [] and rows(url) == before and not (tmp_path / "r.json").exists()


def test_reset_drops_everything_first_with_a_warning(url: str, played: list[str], tmp_path: Path) -> None:
    half_loaded(url)

    result = CliRunner().invoke(
        app, ["simulate", str(SCENARIO), "--db", url, "--reset", "--out", str(tmp_path / "r.json")]
    )

    assert result.exit_code == 0, result.output
    assert "warning: --reset: every Bagalau table of" in result.output
    assert played == [url] and (tmp_path / "r.json").exists()


def test_an_empty_or_freshly_migrated_database_is_fine(url: str, played: list[str]) -> None:
    runner.prepare_database(url)  # nothing at all
    engine = make_engine(url)
    try:
        upgrade(engine, app_role=APP_ROLE)
    finally:
        engine.dispose()
    runner.prepare_database(url)  # Bagalau's tables, no row


def test_after_reset_the_scenario_loads_again_without_integrity_errors(url: str) -> None:
    first = half_loaded(url)
    runner.prepare_database(url, reset=True)
    assert half_loaded(url) == first


def test_a_database_of_someone_else_is_never_reset(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    engine.dispose()
    with pytest.raises(runner.DatabaseNotEmpty, match="tables that are not Bagalau's: invoices"):
        runner.prepare_database(url)
    with pytest.raises(runner.DatabaseNotEmpty, match="--reset drops only Bagalau's tables"):
        runner.prepare_database(url, reset=True)
    assert (tmp_path / "other.db").exists()
