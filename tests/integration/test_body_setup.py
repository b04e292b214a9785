"""Issue 14, setting a body up from the command line (G-3): ``bagalau body assign-rulebook`` and ``bagalau body
rulebooks`` on PostgreSQL as the application logs in, after ``bagalau org import`` of examples/staff.

Every refusal exits 2 with one line naming the argument, the rule (G-3) and what is allowed, and writes nothing;
an accepted assignment is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.settings import get_settings

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"

pytestmark = pytest.mark.postgres


@pytest.fixture
def cli(pg_engine: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on the emptied test database, with examples/staff imported as body ``demo``."""
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        done = runner.invoke(app, ["org", "import", str(STAFF), "--body", "demo", "--as-of", "2025-01-06"])
        assert done.exit_code == 0, done.output
        yield runner
    finally:
        get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, list(args))


def assignments(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT rulebook_id, valid_from, valid_until FROM rulebook_assignment ORDER BY valid_from")
        )
        return [(r[0], r[1].isoformat(), None if r[2] is None else r[2].isoformat()) for r in rows]


def test_g3_assign_a_rulebook_lists_it_and_audits_it(cli: CliRunner, pg_engine: Engine) -> None:
    done = run(cli, "body", "assign-rulebook", "demo", "kz-model-2018", "--from", "2025-01-01")
    assert done.exit_code == 0, done.output
    assert "demo: kz-model-2018 2025-01-01 … open assigned (G-3)" in done.output
    listed = run(cli, "body", "rulebooks", "demo")
    assert listed.exit_code == 0 and "kz-model-2018" in listed.output and "2025-01-01 … open" in listed.output
    assert assignments(pg_engine) == [("kz-model-2018", "2025-01-01", None)]
    with pg_engine.connect() as connection:
        audited = connection.execute(
            sa.text("SELECT actor, action FROM audit_log WHERE entity = 'rulebook_assignment'")
        ).all()
    assert [(row.actor, row.action) for row in audited] == [("operator:body", "assign")]


def test_g3_switching_rulebooks_closes_the_open_interval_first(cli: CliRunner, pg_engine: Engine) -> None:
    assert run(cli, "body", "assign-rulebook", "demo", "kz-model-2018", "--from", "2025-01-01").exit_code == 0
    overlapping = run(cli, "body", "assign-rulebook", "demo", "kz-quarterly-2026", "--from", "2026-04-01")
    assert overlapping.exit_code == 2
    assert "overlaps the body's assignment kz-model-2018 2025-01-01 … open" in overlapping.output
    assert "(G-3)" in overlapping.output and "'--until'" in overlapping.output
    assert "--from 2025-01-01 --until DATE" in overlapping.output  # what is allowed: close it first
    closed = run(
        cli, "body", "assign-rulebook", "demo", "kz-model-2018", "--from", "2025-01-01", "--until", "2026-03-31"
    )
    assert closed.exit_code == 0 and "changed (G-3)" in closed.output, closed.output
    switched = run(cli, "body", "assign-rulebook", "demo", "kz-quarterly-2026", "--from", "2026-04-01")
    assert switched.exit_code == 0, switched.output
    assert assignments(pg_engine) == [
        ("kz-model-2018", "2025-01-01", "2026-03-31"),
        ("kz-quarterly-2026", "2026-04-01", None),
    ]


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        (("kz-nowhere", "--from", "2025-01-01"), "'RULEBOOK'", "allowed are kz-annual-commission-2018, kz-atyrau-2023"),
        (("kz-quarterly-2026", "--from", "2025-01-01"), "'--from'", "allowed is 2026-03-13 or later"),
        (("kz-model-2018", "--from", "2025-04-01", "--until", "2025-03-31"), "'--until'", "2025-04-01 or later"),
        (("kz-model-2018", "--from", "2025-02-30"), "'--from'", "not a date"),
        (("kz-model-2018",), "'--from'", "Missing option"),
    ],
)
def test_g3_a_bad_assignment_names_the_field_the_rule_and_what_is_allowed_and_writes_nothing(
    cli: CliRunner, pg_engine: Engine, args: tuple[str, ...], field: str, words: str
) -> None:
    done = run(cli, "body", "assign-rulebook", "demo", *args)
    assert done.exit_code == 2, done.output
    assert field in done.output and words in done.output, done.output
    if "G-3" in words or field in ("'RULEBOOK'",) or "allowed is" in words:
        assert "(G-3)" in done.output
    assert "Traceback" not in done.output
    assert assignments(pg_engine) == []


def test_an_unknown_body_is_named(cli: CliRunner) -> None:
    done = run(cli, "body", "rulebooks", "nowhere")
    assert done.exit_code == 2 and "'BODY'" in done.output and "no state body 'nowhere'" in done.output, done.output
