"""The migrations on the embedded SQLite database: they match the models, go down and up again, and the
database-level guards exist there too (append-only audit log, immutable signed sheets, foreign keys on)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from persistence import db
from persistence.uow import UnitOfWork
from tests.conftest import APP_ROLE
from tests.integration.conftest import build_small_org
from tests.integration.test_persistence_migrations import differences, table_names


def test_the_migrated_sqlite_database_matches_the_models(sqlite_engine: Engine) -> None:
    assert differences(sqlite_engine) == []
    assert db.current(sqlite_engine) == db.head()


def test_sqlite_migrations_go_down_to_nothing_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'bagalau.db'}"  # the directory is created on first use
    db.upgrade(url, app_role=APP_ROLE)
    db.downgrade(url, "0003", app_role=APP_ROLE)  # the revisions after 0003 (leases, sealed secrets …)
    db.downgrade(url, app_role=APP_ROLE)
    assert db.current(url) == "0002"
    engine = db.make_engine(url)
    try:
        assert "annual_result" not in table_names(engine)
        assert "opened_on" not in {c["name"] for c in sa.inspect(engine).get_columns("evaluation_period")}
    finally:
        engine.dispose()
    db.downgrade(url, app_role=APP_ROLE)
    assert db.current(url) == "0001"
    db.downgrade(url, "base", app_role=APP_ROLE)
    engine = db.make_engine(url)
    try:
        assert db.current(engine) is None
        assert table_names(engine) == {"alembic_version"}
        db.upgrade(engine, app_role=APP_ROLE)
        assert differences(engine) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"])
def test_the_sqlite_audit_log_is_append_only(sqlite_engine: Engine, statement: str) -> None:
    with UnitOfWork(sqlite_engine, actor="test") as uow:
        uow.audit("evaluation", 1, "update", after={"score": "4"}, reason="kept")
        uow.commit()
    with pytest.raises(sa.exc.DBAPIError, match="audit_log is append-only"), sqlite_engine.begin() as connection:
        connection.exec_driver_sql(statement)
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT reason FROM audit_log").scalars().all() == ["kept"]


def test_the_signed_content_of_a_sqlite_sheet_cannot_change(sqlite_engine: Engine) -> None:
    org = build_small_org(sqlite_engine)
    with UnitOfWork(sqlite_engine, actor="person:e1") as uow:
        evaluation, _ = uow.evaluations.ensure(org.evaluation(org.e2))
        sheet = uow.sheets.submit(evaluation.id, scores={"quality": 4}, submitted_by_id=org.e1)
        uow.commit()
    with pytest.raises(sa.exc.DBAPIError, match="R-3"), sqlite_engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE sheet_submission SET justification = 'rewritten' WHERE id = {sheet.id}")


def test_sqlite_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"), sqlite_engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO unit (body_id, code, name) VALUES (999, 'U9', 'nowhere')")
