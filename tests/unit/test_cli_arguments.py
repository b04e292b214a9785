"""Issue 12: no traceback for any input. Every argument that crashed a command is refused with exit 2 and a message
naming the argument and what is allowed; what still escapes a command is one line, exit 1, the traceback in a log
file. None of these needs a database: the arguments are refused before one is opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.commands import last_resort
from bagalau.settings import get_settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data dir and an un-migrated embedded database of this test's own."""
    monkeypatch.setenv("BAGALAU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BAGALAU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def run(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(argv))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("argv", "named", "allowed"),
    [
        (["rerun", "daily_sweep", "--as-of", "2025-02-30"], "'--as-of'", "YYYY-MM-DD"),
        (["rerun", "daily_sweep", "--as-of", "1812-01-01"], "'--as-of'", "1991–2100"),
        (["rerun", "open_period", "--body", "nchr", "--period", "2025-Q5"], "'--period'", "YYYY-Q1 … YYYY-Q4"),
        (["rerun", "calibration_session", "--case", "-1"], "'--case'", "greater than or equal to 1"),
        (["rerun", "calibration_session", "--case", "99999999999999999999"], "'--case'", "less than or equal"),
        (["rerun", "daily_sweep", "--body", "two words"], "'--body'", "without spaces"),
        (["rerun", "no_such_step"], "'STEP'", "daily_sweep"),
        (["notify", "proof", "9223372036854775808"], "'EVALUATION_ID'", "9223372036854775807"),
        (["notify", "proof", "0"], "'EVALUATION_ID'", "greater than or equal to 1"),
        (["notify", "proof", "abc"], "'EVALUATION_ID'", "integer"),
        (["notify", "deliver", "--batch-size", "0"], "'--batch-size'", "greater than or equal to 1"),
        (["notify", "deliver", "--batch-size", str(10**30)], "'--batch-size'", "less than or equal to 10000"),
        (["notify", "retry", "--kind", "NOPE"], "'--kind'", "evaluation_notice"),
        (["notify", "retry", "--since", "31.02.2025"], "'--since'", "YYYY-MM-DD"),
        (["notify", "preview", "birthday"], "'KIND'", "result_ready"),
        (["notify", "preview", "result_ready", "--language", "de"], "'--language'", "kk, ru, en"),
        (["notify", "test", "E1\x00"], "'PERSON'", "no control characters"),
        (["notify", "test", "99999999999999999999999"], "'PERSON'", "from 1 to"),
        (["calendar", "holidays", "1" * 30], "'YEAR'", "1991–2100"),
        (["calendar", "holidays", "2025", "--language", "ru"], "'--language'", "kk, en"),
        (["calendar", "add", "2025-03-20", str(10**12)], "'N'", "100000"),
        (["db", "current", "--url", "mysql://root@localhost/x"], "'--url'", "unsupported database scheme 'mysql'"),
        (["db", "current", "--url", "postgresql://x@db:notaport/y"], "'--url'", "postgresql://USER@HOST/DATABASE"),
        (["db", "upgrade", "no-such-revision"], "'REVISION'", "head, base, -1"),
        (["db", "downgrade", "+1"], "'REVISION'", "the other way"),
        (["org", "import", "staff.csv", "--as-of", "2025-13-01"], "'--as-of'", "YYYY-MM-DD"),
        (["org", "import", "staff.csv", "--db", "mysql://x/y"], "'--db'", "unsupported database scheme"),
        (["simulate", "x.yaml", "--db", "oracle://x/y"], "'--db'", "unsupported database scheme"),
        (["simulate", "x.yaml", "--reset"], "'--reset'", "only with --db"),
        (["simulate", "x.yaml", "--out", "/no/such/folder/r.json"], "'--out'", "existing folder"),
        (["serve", "--port", "70000"], "'--port'", "less than or equal to 65535"),
        (["serve", "--host", "127.0.0.1; rm -rf /"], "'--host'", "IP address"),
        (["deploy", "--source", "/no/such/checkout"], "'--source'", "not a Bagalau checkout"),
        (["deploy", "--work-pool", "two words"], "'--work-pool'", "letters, digits"),
        (["deploy", "--concurrency", "0"], "'--concurrency'", "greater than or equal to 1"),
    ],
)
def test_a_bad_argument_exits_2_naming_it_and_what_is_allowed(argv: list[str], named: str, allowed: str) -> None:
    code, output = run(*argv)
    assert code == 2, output
    assert f"Invalid value for {named}" in output and allowed in output, output


def test_deploy_without_a_prefect_server_exits_2_naming_prefect_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, output = run("deploy")
    assert code == 2 and "PREFECT_API_URL" in output and "not set" in output, output


def test_an_unreachable_database_url_exits_2_naming_the_option() -> None:
    """Issue 12: an unreachable --url was a traceback (OperationalError)."""
    code, output = run("db", "current", "--url", "postgresql://nobody@127.0.0.1:1/bagalau")
    assert code == 2 and "Invalid value for '--url': cannot connect to" in output and "port 1" in output


def test_an_unknown_body_exits_2_listing_the_bodies_there_are(tmp_path: Path) -> None:
    """Issue 12: `--body NOPE` crashed inside the flow run; now refused before it, on a migrated database."""
    from persistence.db import make_engine, upgrade
    from persistence.uow import UnitOfWork

    url = f"sqlite:///{tmp_path / 'bodies.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with UnitOfWork(engine, actor="test") as uow:
        uow.org.add_body(code="nchr", name="Agency")
        uow.commit()
    engine.dispose()
    os.environ["BAGALAU_DATABASE_URL"] = url
    try:
        get_settings.cache_clear()
        code, output = run("rerun", "daily_sweep", "--body", "NOPE", "--as-of", "2025-04-11")
        assert code == 2 and "Invalid value for '--body': no state body has the code 'NOPE' (known: nchr)" in output
        code, output = run("rerun", "calibration_session", "--case", "7", "--as-of", "2025-04-11")
        assert code == 2 and "there is no calibration case 7" in output
        code, output = run("notify", "proof", "12345")
        assert code == 2 and "no evaluation 12345" in output
    finally:
        del os.environ["BAGALAU_DATABASE_URL"]


def test_a_database_that_is_not_migrated_is_named_with_what_to_do() -> None:
    code, output = run("notify", "proof", "1")
    assert code == 1 and "run `bagalau db upgrade` first" in output


def test_a_bad_setting_exits_2_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_TIMEZONE", "Mars/Olympus")
    get_settings.cache_clear()
    code, output = run("notify", "proof", "1")
    assert code == 2 and "BAGALAU_TIMEZONE" in output and "unknown time zone" in output


def test_outside_development_bagalau_refuses_to_start_without_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: channel secrets are sealed at rest; without BAGALAU_SECRET_KEY a production install does not start."""
    monkeypatch.delenv("BAGALAU_SECRET_KEY", raising=False)
    monkeypatch.setenv("BAGALAU_DATABASE_URL", "postgresql://app@127.0.0.1:1/bagalau")
    get_settings.cache_clear()
    for argv in (["notify", "deliver"], ["org", "import", "x.csv"], ["rerun", "daily_sweep"], ["serve"]):
        code, output = run(*argv)
        assert code == 2 and "BAGALAU_SECRET_KEY is required outside development" in output, (argv, output)


def test_a_secret_key_that_is_not_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_SECRET_KEY", "hunter2")
    get_settings.cache_clear()
    code, output = run("notify", "deliver")
    assert code == 2 and "32 random bytes in URL-safe base64" in output and "hunter2" not in output


def test_an_unexpected_error_is_one_line_exit_1_with_the_traceback_in_the_log(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: a bug is not shown as a traceback; the log under the data dir has it, secrets masked."""
    from bagalau.commands import calendar

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom while reading mailto://hr:hunter2@mail.body.kz?pass=hunter2")

    monkeypatch.setattr(calendar.WorkingCalendar, "is_working_day", broken)

    code, output = run("calendar", "is-working", "2025-03-24")

    log = data_dir / "logs" / "errors.log"
    assert code == 1 and output.count("\n") == 1
    assert output.startswith(last_resort.MARKER) and str(log) in output and "RuntimeError: boom" in output
    assert "hunter2" not in output
    logged = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "is_working_day" not in output
    assert "hunter2" not in logged and "mailto://hr:****@mail.body.kz?pass=****" in logged
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_every_entrance_turns_telemetry_off() -> None:
    """Issue 12: "Failed to send telemetry" on every rerun; importing bagalau (CLI, simulator, deployments) sets the
    opt-outs before Prefect is imported, unless the operator set them."""
    import subprocess
    import sys

    script = (
        "import os\n"
        "for name in ('PREFECT_SERVER_ANALYTICS_ENABLED', 'DO_NOT_TRACK', 'PREFECT_LOGGING_LEVEL'):\n"
        "    os.environ.pop(name, None)\n"
        "import deployments, prefect.settings\n"
        "s = prefect.settings.get_current_settings()\n"
        "print(s.server.analytics_enabled, os.environ['DO_NOT_TRACK'], s.logging.level)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "DO_NOT_TRACK"))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "1", "WARNING"]
