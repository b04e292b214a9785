"""Migration 0004 moves the last workflow marks out of the audit log and adds the ``rulebook`` table: on a database
the yearly steps already ran on, the marks the audit rows held are copied into the new columns and the
``survey_360_cycle`` table, so that nothing is opened or submitted twice after the upgrade; downgrade drops them
(the audit rows still hold everything). On PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from persistence import db
from tests.conftest import APP_ROLE

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _insert(connection: sa.Connection, table: str, **values: object) -> int:
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    return int(connection.execute(sa.insert(reflected).values(**values).returning(reflected.c.id)).scalar_one())


def _audit(connection: sa.Connection, entity: str, entity_id: object, action: str, after: dict[str, object]) -> None:
    reflected = sa.Table("audit_log", sa.MetaData(), autoload_with=connection)
    connection.execute(
        sa.insert(reflected).values(
            at=NOW, actor="flow:test", entity=entity, entity_id=str(entity_id), action=action, after=after
        )
    )


def a_database_the_yearly_steps_ran_on(engine: Engine) -> dict[str, int]:
    """At revision 0003: a body's 2025 Commission year opened on 5 January, E1's sheet submitted on 8 January, E2's
    vote undecided at the meeting of 27 January (twice: the first row wins), the 360 survey opened on 5 January."""
    db.upgrade(engine, "0003", app_role=APP_ROLE)
    with engine.begin() as connection:
        body = _insert(connection, "body", code="nchr", name="Agency")
        people = {
            number: _insert(
                connection,
                "person",
                body_id=body,
                personnel_number=number,
                full_name=number,
                corps="B",
                language="kk",
                created_at=NOW,
            )
            for number in ("E1", "E2")
        }
        year = _insert(
            connection, "evaluation_period", body_id=body, kind="year", year=2025, label="2025", status="open",
            opened_at=NOW,
        )  # fmt: skip
        evaluations = {
            number: _insert(
                connection,
                "evaluation",
                person_id=person,
                period_id=year,
                method="kpi_count",
                rulebook_id="kz-annual-commission-2018",
                status="approved",
                eligible=True,
                in_absentia=False,
                created_at=NOW,
                updated_at=NOW,
            )
            for number, person in people.items()
        }
        meeting = _insert(connection, "commission_meeting", body_id=body, year=2025, meeting_date=date(2026, 1, 27))
        _audit(connection, "evaluation_period", year, "open_commission", {"opened_on": "2026-01-05", "evaluations": 2})
        _audit(connection, "evaluation", evaluations["E1"], "submit_to_commission", {"submitted_on": "2026-01-08"})
        _audit(connection, "evaluation", evaluations["E2"], "commission_undecided", {"meeting_id": meeting})
        _audit(connection, "evaluation", evaluations["E2"], "commission_undecided", {"meeting_id": meeting + 99})
        _audit(connection, "survey_360_year", f"{body}:2025", "open", {"opened_on": "2026-01-05", "surveys": 4})
        _audit(connection, "survey_360_year", "not-a-key", "open", {"opened_on": "2026-01-05"})
    return {"body": body, "year": year, **evaluations}


def check_the_backfill(engine: Engine) -> None:
    ids = a_database_the_yearly_steps_ran_on(engine)
    db.upgrade(engine, "0004", app_role=APP_ROLE)
    with engine.connect() as connection:
        opened = connection.execute(
            sa.text("SELECT commission_opened_on FROM evaluation_period WHERE id = :id"), {"id": ids["year"]}
        ).scalar_one()
        query = sa.text("SELECT id, submitted_to_commission_on, commission_undecided_on FROM evaluation")
        marks = {
            row.id: (row.submitted_to_commission_on, row.commission_undecided_on) for row in connection.execute(query)
        }
        cycles = connection.execute(sa.text("SELECT body_id, year, opened_on, surveys FROM survey_360_cycle")).all()
        stored = connection.execute(sa.text("SELECT count(*) FROM rulebook")).scalar_one()
    assert _day(opened) == date(2026, 1, 5)
    assert {key: tuple(map(_day, value)) for key, value in marks.items()} == {
        ids["E1"]: (date(2026, 1, 8), None),
        ids["E2"]: (None, date(2026, 1, 27)),
    }
    assert [(body, year, _day(day), surveys) for body, year, day, surveys in cycles] == [
        (ids["body"], 2025, date(2026, 1, 5), 4)
    ]
    assert stored == 0
    db.downgrade(engine, "0003", app_role=APP_ROLE)
    assert db.current(engine) == "0003"
    inspector = sa.inspect(engine)
    assert {"survey_360_cycle", "rulebook"}.isdisjoint(inspector.get_table_names())
    assert "commission_opened_on" not in {column["name"] for column in inspector.get_columns("evaluation_period")}
    with engine.connect() as connection:  # the trail is untouched
        assert connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 6


def _day(value: object) -> date | None:
    """A date column read back by plain SQL (SQLite returns its ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@pytest.fixture
def fresh_pg_engine(fresh_pg_url: str) -> Iterator[Engine]:
    engine = db.make_engine(fresh_pg_url)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_0004_copies_the_marks_from_the_audit_rows_on_postgresql(fresh_pg_engine: Engine) -> None:
    check_the_backfill(fresh_pg_engine)


def test_0004_copies_the_marks_from_the_audit_rows_on_sqlite(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'bagalau.db'}")
    try:
        check_the_backfill(engine)
    finally:
        engine.dispose()
