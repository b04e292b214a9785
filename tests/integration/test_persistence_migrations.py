"""The schema exists only through the migrations: they agree with the models, go down to nothing and up again,
and ``bagalau db`` drives them; on PostgreSQL here, on SQLite in ``test_sqlite_migrations.py``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from persistence import db
from persistence.models import metadata
from tests.conftest import APP_ROLE


def differences(engine: Engine) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models (nothing, we expect)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def table_names(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_the_migrated_database_matches_the_models(pg_owner_engine: Engine) -> None:
    assert differences(pg_owner_engine) == []
    assert db.current(pg_owner_engine) == db.head()


def test_migrations_go_down_to_nothing_and_up_again(fresh_pg_url: str) -> None:
    engine = db.make_engine(fresh_pg_url)
    try:
        db.upgrade(engine, app_role=APP_ROLE)
        assert table_names(engine) >= {"evaluation", "audit_log", "survey_answer"}
        db.downgrade(engine, "0002", app_role=APP_ROLE)  # the workflow state leaves, the guards stay
        assert db.current(engine) == "0002"
        assert "annual_result" not in table_names(engine)
        with engine.connect() as connection:
            assert "opened_on" not in {c["name"] for c in sa.inspect(connection).get_columns("evaluation_period")}
        db.downgrade(engine, app_role=APP_ROLE)  # one more: the guards go, the tables stay
        assert db.current(engine) == "0001"
        with engine.connect() as connection:
            assert "survey_360_averages" not in sa.inspect(connection).get_view_names()
        db.downgrade(engine, "base", app_role=APP_ROLE)
        assert db.current(engine) is None
        assert table_names(engine) == {"alembic_version"}
        db.upgrade(engine, app_role=APP_ROLE)
        assert db.current(engine) == db.head()
        assert differences(engine) == []
        with engine.connect() as connection:
            assert "survey_360_averages" in sa.inspect(connection).get_view_names()
    finally:
        engine.dispose()


def test_bagalau_db_upgrades_reports_and_downgrades(fresh_pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bagalau.settings import get_settings

    monkeypatch.setenv("BAGALAU_DATABASE_URL", fresh_pg_url.replace("postgresql+psycopg://", "postgresql://"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        behind = runner.invoke(app, ["db", "current"])
        assert behind.exit_code == 1 and "run `bagalau db upgrade`" in behind.output

        upgraded = runner.invoke(app, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert f"at revision {db.head()}" in upgraded.output

        current = runner.invoke(app, ["db", "current"])
        assert current.exit_code == 0 and "up to date" in current.output

        downgraded = runner.invoke(app, ["db", "downgrade", "0002"])
        assert downgraded.exit_code == 0 and "at revision 0002" in downgraded.output
    finally:
        get_settings.cache_clear()


def _previous(revision: str) -> str:
    """The revision before ``revision`` (the chain grows as rooms add migrations; the lead re-chains them)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config()).get_revision(revision)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


def test_bagalau_db_refuses_an_unsupported_database() -> None:
    result = CliRunner().invoke(app, ["db", "current", "--url", "mysql://root@localhost/bagalau"])
    assert result.exit_code == 2
    assert "unsupported database scheme 'mysql'" in result.output


def test_bagalau_db_help_comes_from_the_docstrings() -> None:
    result = CliRunner().invoke(app, ["db", "--help"])
    assert result.exit_code == 0
    for command in ("upgrade", "downgrade", "current"):
        assert command in result.output
