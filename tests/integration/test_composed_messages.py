"""Messages composed by the database are the messages the Python composer writes (issue 13, decision 0170).

On PostgreSQL, opening a quarter and the overdue escalation hand their decisions to ``persistence.compose``, which
writes the notices, sheet requests, escalations and their messages in one ``INSERT … SELECT`` each. The same
synthetic body (with an evaluator away and someone acting for them, G-7, and Russian readers) is opened and left
past its deadline twice, on two databases: once so, once with the one-by-one Python composer that SQLite uses. Every
outbox row and escalation — key, recipient, role, kind, language, payload, evaluation, due time, and their order —
is the same.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from benchmarks.measure import Meter
from benchmarks.suite import Suite, World
from persistence import compose

pytestmark = [pytest.mark.postgres]

PEOPLE = 240
AWAY = ("P1", date(2025, 3, 24), date(2025, 5, 30))
"""A head of division, away from before the opening to after the deadline; P2 acts for them (G-7)."""

OUTBOX = (
    "idempotency_key, recipient_person_id, recipient_role, kind, language, channel, payload, evaluation_id, due_at, "
    "status, attempts, next_attempt_at"
)
ESCALATION = "evaluation_id, about_person_id, to_person_id, to_role, kind, level, escalated_on"


def _away(engine: sa.Engine) -> None:
    number, first, last = AWAY
    with engine.begin() as connection:
        ids = dict(connection.execute(sa.text("SELECT personnel_number, id FROM person")).all())
        connection.execute(
            sa.text("INSERT INTO absence (person_id, kind, started_on, ended_on) VALUES (:p, 'annual_leave', :s, :e)"),
            {"p": ids[number], "s": first, "e": last},
        )
        connection.execute(
            sa.text(
                "INSERT INTO substitution (replaced_id, substitute_id, started_on, ended_on) VALUES (:r, :s, :a, :b)"
            ),
            {"r": ids[number], "s": ids["P2"], "a": first, "b": last},
        )


def _state(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            "acting": [tuple(connection.exec_driver_sql("SELECT id FROM person WHERE personnel_number = 'P2'").one())],
            "outbox": [
                tuple(row) for row in connection.exec_driver_sql(f"SELECT {OUTBOX} FROM outbox_message ORDER BY id")
            ],
            "escalation": [
                tuple(row) for row in connection.exec_driver_sql(f"SELECT {ESCALATION} FROM escalation ORDER BY id")
            ],
        }


def _quarter(server: sa.URL, prepare: Callable[[], None]) -> dict[str, list[tuple[Any, ...]]]:
    """Import, open 2025-Q1 and sweep the first working day after its deadline, on a database of its own."""
    from persistence.db import make_engine, upgrade

    prepare()
    suite = Suite(PEOPLE, server=server.render_as_string(hide_password=False), simulate=False)
    with suite.database_url() as url, tempfile.TemporaryDirectory() as folder:
        upgrade(url)
        engine = make_engine(url)
        meter = Meter()
        try:
            world = World(suite, engine, meter, Path(folder))
            world.import_csv()
            _away(engine)
            world.open_quarter()
            world.sweep_deadline_day()
            return _state(engine)
        finally:
            meter.close()
            engine.dispose()


def test_the_database_composes_the_messages_the_python_composer_writes(
    pg_server_url: sa.URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_database = _quarter(pg_server_url, lambda: None)
    monkeypatch.setattr(compose, "supported", lambda connection: False)
    one_by_one = _quarter(pg_server_url, lambda: None)

    kinds = {row[3] for row in in_database["outbox"]}
    assert {"evaluation_notice", "sheet_request", "overdue_evaluator", "overdue_head", "overdue_hr"} <= kinds
    assert {row[4] for row in in_database["outbox"]} == {"kk", "ru"}
    assert len(in_database["escalation"]) > 2 * PEOPLE
    # G-7: the acting head is sent the sheets and the escalations of the head who is away
    acting = in_database["acting"][0][0]
    assert {"sheet_request", "overdue_evaluator"} <= {row[3] for row in in_database["outbox"] if row[1] == acting}
    assert in_database["escalation"] == one_by_one["escalation"]
    assert len(in_database["outbox"]) == len(one_by_one["outbox"])
    for ours, theirs in zip(in_database["outbox"], one_by_one["outbox"], strict=True):
        assert ours == theirs
