"""The benchmark suite keeps working, and the set-based steps stay set-based (issue 13).

The suite runs at 200 and at 1,000 people on the test server (a database of its own each time, dropped after):
every step completes, every writing step has its same-run baseline, and the number of SQL statements of each
set-based step is the same at both sizes — a per-person round trip would multiply it by five. No timing is
asserted: figures depend on the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks import synthetic
from benchmarks.__main__ import main
from benchmarks.suite import BASELINE, WITHOUT_FOREIGN_KEYS, Refused, Suite, _checks_of
from persistence import bulk

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SET_BASED = ("import_csv", "reimport_csv", "import_xlsx", "open_quarter", "sweep_notice_day", "sweep_quiet_day")
SET_BASED += ("sweep_deadline_day", "board_overview", "api_evaluations", "board_after_deadline")
AT_MOST = {"reimport_csv": 11, "open_quarter": 29, "sweep_notice_day": 10, "sweep_deadline_day": 56}
"""Statements of the steps composed by the database (decision 0170), at either size: the whole quarter's notices
and sheet requests are one statement, the overdue escalations and their messages two — a composer that went back
to a batch per message kind or a read-back of the rows would exceed these."""
AT_MOST["board_overview"] = AT_MOST["board_after_deadline"] = 15 * 200
"""The board's 200 requests (decision 0190): 8 statements for the board (body and periods, one pass over the
period's evaluations, one of single figures, overdue, cases, undelivered notices, dead letters) and 7 for its first
page of people (body and periods, the page, R-2's batched parties) — a figure read by its own query again, or a
person's row read one by one, would exceed it."""


def run(people: int, server: sa.URL, mails: int) -> dict[str, dict[str, object]]:
    suite = Suite(people, server=server.render_as_string(hide_password=False), mails=mails, simulate=False)
    suite.run()
    return {result["step"]: result for result in suite.as_dict()["steps"]}


def test_statement_counts_do_not_grow_with_the_number_of_people(
    pg_server_url: sa.URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below ``bulk.COPY_FROM`` rows a bulk write is one multi-row ``VALUES`` statement, from there on ``COPY``
    (three more): both are bounded, but the switch would fall between the two sizes, so both take ``COPY`` here."""
    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    small = run(200, pg_server_url, mails=20)
    large = run(1000, pg_server_url, mails=20)

    assert list(large) == list(small) == Suite(1000, simulate=False).steps()
    for step in SET_BASED:
        assert large[step]["figure"]["statements"] == small[step]["figure"]["statements"], step  # type: ignore[index]
    for step, most in AT_MOST.items():
        assert large[step]["figure"]["statements"] <= most, step  # type: ignore[index,operator]
    # the steps wrote in proportion to the people, so the equal counts above are not empty steps
    for step in ("import_csv", "open_quarter", "sweep_notice_day", "sweep_deadline_day"):
        assert large[step]["figure"]["rows_written"] > 4 * small[step]["figure"]["rows_written"], step  # type: ignore[index,operator]
        assert large[step]["baseline"] is not None and large[step]["ratio"] is not None, step
        assert large[step]["baseline"]["what"] == BASELINE, step  # type: ignore[index]
        bare = large[step]["baseline_without_foreign_keys"]  # the same rows, into look-alikes without the checks
        assert bare["what"] == WITHOUT_FOREIGN_KEYS and bare["rows_written"] == large[step]["baseline"]["rows_written"]  # type: ignore[index]
        assert large[step]["ratio_without_foreign_keys"] > 0, step  # type: ignore[operator]
    delivery = large["deliver_outbox"]["figure"]
    assert delivery["messages"] == 20 and delivery["dead"] == 0  # type: ignore[index]
    assert large["deliver_outbox"]["baseline"]["what"] == "bare smtplib loop, one connection"  # type: ignore[index]
    assert "ratio_without_foreign_keys" not in large["deliver_outbox"]  # no COPY to compare delivery with
    outside = large["rerun_quiet_day_cli"]  # the operator's command, its own process (it raises if it fails)
    assert outside["baseline"]["what"] == "the same steps called in process (sweep_quiet_day)"  # type: ignore[index]
    assert outside["figure"]["seconds"] > 0 and outside["ratio"] is not None  # type: ignore[index,operator]
    for step in ("board_overview", "api_evaluations", "board_after_deadline"):  # read models: 200 requests each
        figure = large[step]["figure"]
        assert figure["requests"] == 200 and 0 < figure["p50_ms"] <= figure["p95_ms"] <= figure["max_ms"], step  # type: ignore[index,operator]


def test_the_command_writes_json_with_every_figure_baseline_and_ratio(pg_server_url: sa.URL, tmp_path: Path) -> None:
    output = tmp_path / "build" / "bench.json"  # a folder that does not exist yet is made
    server = pg_server_url.render_as_string(hide_password=False)
    assert main(["--people", "100", "--db", server, "--json", str(output), "--mails", "10", "--no-simulate"]) == 0
    written = json.loads(output.read_text())
    assert written["people"] == 100 and len(written["steps"]) == 12
    for step in written["steps"]:
        assert {"step", "figure", "baseline", "ratio"} <= set(step)
        assert {"seconds", "peak_rss_mib", "statements", "rows_written"} <= set(step["figure"])


def test_a_json_file_that_cannot_be_written_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exited:
        main(["--people", "100", "--db", "postgresql+psycopg://x@127.0.0.1:1/x", "--json", str(blocker / "x.json")])
    assert exited.value.code == 2
    said = capsys.readouterr().err
    assert "--json: cannot write" in said and "Traceback" not in said


def test_a_database_that_exists_is_refused_untouched(pg_server_url: sa.URL) -> None:
    """The suite writes only into a database it creates: naming one that exists (here, the server's own) is
    refused before anything runs."""
    existing = str(pg_server_url.database)
    suite = Suite(100, server=pg_server_url.render_as_string(hide_password=False), database=existing)
    with pytest.raises(Refused, match="exists"):
        suite.run()
    assert suite.results == []


def test_the_synthetic_body_is_the_same_for_the_same_size(tmp_path: Path) -> None:
    first = synthetic.write_csv(tmp_path / "a.csv", 500).read_bytes()
    second = synthetic.write_csv(tmp_path / "b.csv", 500).read_bytes()
    assert first == second and first.count(b"\n") == 501
    rows = list(synthetic.people(500))
    assert {person.category for person in rows} >= {"C-1", "C-3", "C-4", "C-5", "C-O-4"}
    assert sum(1 for person in rows if person.dismissed) == 4 and sum(1 for p in rows if p.probation_until) == 10


def test_the_baseline_copies_into_tables_with_the_same_foreign_keys_and_triggers(pg_owner_engine: sa.Engine) -> None:
    """Decision 0194: the writing steps' baseline is a COPY into the same tables, so its look-alikes carry the
    tables' foreign keys and triggers — a row pointing at nobody is refused there as in the real table, and the
    outbox's evidence triggers (C-1, Q-4) are there too."""
    with pg_owner_engine.connect() as connection, connection.begin():
        for table in ("evaluation", "outbox_message"):
            connection.exec_driver_sql(f'CREATE TABLE "same_{table}" (LIKE "{table}" INCLUDING ALL)')
            for statement in _checks_of(connection, table, f"same_{table}"):
                connection.exec_driver_sql(statement)
        found = connection.execute(
            sa.text(
                "SELECT c.relname, count(*) FILTER (WHERE k.contype = 'f') FROM pg_class c "
                "JOIN pg_constraint k ON k.conrelid = c.oid WHERE c.relname IN "
                "('evaluation', 'same_evaluation', 'outbox_message', 'same_outbox_message') GROUP BY c.relname"
            )
        ).all()
        keys = dict(found)
        assert keys["same_evaluation"] == keys["evaluation"] >= 3
        assert keys["same_outbox_message"] == keys["outbox_message"] >= 3
        triggers = set(
            connection.execute(
                sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST('same_outbox_message' AS regclass)")
            ).scalars()
        )
        assert {"outbox_message_proof_once", "outbox_message_delivered_attempted"} <= triggers
        connection.exec_driver_sql('CREATE TABLE "bare_evaluation" (LIKE "evaluation" INCLUDING ALL)')
        nobody = (
            'SELECT * FROM json_populate_record(NULL::evaluation, \'{"id": 1, "person_id": 987654, '
            '"period_id": 987654, "method": "differentiation", "rulebook_id": "kz-model-2018", '
            '"status": "open", "eligible": true, "in_absentia": false, '
            '"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}\')'
        )
        connection.exec_driver_sql(f"INSERT INTO bare_evaluation {nobody}")  # nobody checks what it points at
        with pytest.raises(sa.exc.IntegrityError, match="foreign key"), connection.begin_nested():
            connection.exec_driver_sql(f"INSERT INTO same_evaluation {nobody}")
        connection.rollback()
