"""Decision 0197: the application role re-reads a table's planner statistics after a bulk write, although only the
table's owner may ``ANALYZE`` it — through ``bagalau_analyze`` (migration 0013), which analyzes one of the
application's tables with its owner's rights and nothing else. PostgreSQL, as the application role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bagalau.staff_files import import_staff
from persistence import bulk
from tests.integration.test_import_support import csv_bytes, generated_staff

pytestmark = pytest.mark.postgres


def analyses(owner: Engine, table: str) -> int:
    """How many times ``table`` was analyzed (a fresh statistics snapshot: another backend did it)."""
    with owner.connect() as connection:
        connection.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        count = connection.execute(
            sa.text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}
        ).scalar_one()
    return int(count)


def test_a_plain_analyze_by_the_application_role_is_skipped(pg_engine: Engine, pg_owner_engine: Engine) -> None:
    """Why the function exists: PostgreSQL skips, with a warning only, an ``ANALYZE`` by a role that does not own
    the table (0064: the application role never does)."""
    before = analyses(pg_owner_engine, "person")
    with pg_engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE person")
    assert analyses(pg_owner_engine, "person") == before


def test_the_application_role_analyzes_through_the_function(pg_engine: Engine, pg_owner_engine: Engine) -> None:
    before = analyses(pg_owner_engine, "person")
    with pg_engine.begin() as connection:
        bulk.analyze(connection, "person")
    assert analyses(pg_owner_engine, "person") == before + 1


@pytest.mark.parametrize("target", ["pg_class", "no_such_table", "person; DROP TABLE person", "Person", ""])
def test_the_function_analyzes_the_applications_tables_only(pg_engine: Engine, target: str) -> None:
    with pytest.raises(sa.exc.DBAPIError) as refused, pg_engine.begin() as connection:
        bulk.analyze(connection, target)
    assert "is not a table of the application" in str(refused.value.orig)
    assert getattr(refused.value.orig, "sqlstate", None) == "42501"
    with pg_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM person")).scalar_one() >= 0


def test_only_the_application_role_may_call_it(pg_owner_engine: Engine) -> None:
    with pg_owner_engine.connect() as connection:
        granted = connection.execute(
            sa.text(
                "SELECT grantee FROM information_schema.routine_privileges "
                "WHERE routine_name = 'bagalau_analyze' AND privilege_type = 'EXECUTE' ORDER BY grantee"
            )
        ).scalars()
        public = connection.execute(
            sa.text("SELECT has_function_privilege('public', 'bagalau_analyze(text)', 'EXECUTE')")
        ).scalar_one()
    assert "PUBLIC" not in set(granted) and public is False


def test_a_large_import_leaves_fresh_statistics(
    pg_engine: Engine, pg_owner_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer re-reads the statistics of a table it wrote ``ANALYZE_FROM`` rows into (lowered here): the
    opening that follows a new body's import is planned on them."""
    monkeypatch.setattr(bulk, "ANALYZE_FROM", 30)
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(generated_staff(40)))
    before = {table: analyses(pg_owner_engine, table) for table in ("person", "contact_channel")}

    import_staff(pg_engine, path, actor="test:import", as_of=date(2025, 4, 1), body="demo", body_name="Demo")

    after = {table: analyses(pg_owner_engine, table) for table in ("person", "contact_channel")}
    assert after == {table: count + 1 for table, count in before.items()}
