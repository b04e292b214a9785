"""Fuzzing the command line (issue 12: 44 arguments crashed a command). Random argument lists are built from the
real commands' parameter lists (read from the Typer app itself, so a new option is fuzzed the day it is added),
with values drawn from what breaks parsers: impossible dates, huge and negative numbers, control characters,
foreign database URLs, paths that are folders or do not exist. Every run must end with exit 0, 1 or 2 and never
print a traceback or reach the last-resort handler (which would mean an input reached a bug).

Commands that would start servers or change the schema (``serve``, ``demo``, ``db upgrade/downgrade/seal-secrets``)
are not run; their arguments are checked in tests/unit/test_cli_arguments.py. The database is an embedded one that
is not migrated, so commands that pass validation stop at "run `bagalau db upgrade` first" instead of running
Prefect flows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.commands.last_resort import MARKER
from bagalau.settings import get_settings
from tests.fuzz.budget import budget

NOT_RUN = {("serve",), ("demo",), ("db", "upgrade"), ("db", "downgrade"), ("db", "seal-secrets")}
ROOT = Path(__file__).resolve().parents[2]


def commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command of the app with its path (``("notify", "proof")``), read from the app itself."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*path, name))
        elif path not in NOT_RUN:
            found.append((path, command))

    walk(get_command(app), ())
    return found


COMMANDS = commands()

NASTY = [
    "",
    " ",
    "-",
    "--",
    "0",
    "-1",
    "1",
    "7",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "1" * 40,
    "1e9",
    "NaN",
    "2025-02-30",
    "2025-04-11",
    "1812-06-24",
    "31.12.2099",
    "2025-Q5",
    "2025-Q1",
    "2025",
    "0000",
    "nchr",
    "NOPE",
    "two words",
    "E\x00",
    "\x1b[2J",
    "Ж" * 70,
    "a" * 3000,
    "mysql://root@localhost/x",
    "postgresql://nobody@127.0.0.1:1/x",
    "postgresql://x@h:notaport/y",
    "sqlite:////proc/forbidden/x.db",
    "sqlite://",
    "result_ready",
    "birthday",
    "daily_sweep",
    "open_period",
    "calibration_session",
    "kz-model-2018",
    "kk",
    "de",
    "/",
    "/etc/passwd",
    "/dev/null",
    "no/such/file.yaml",
    str(ROOT / "examples" / "staff" / "staff.csv"),
    str(ROOT / "examples" / "staff" / "staff.xlsx"),
    str(ROOT / "README.md"),
]
values = st.sampled_from(NASTY) | st.text(max_size=30)


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    path, command = draw(st.sampled_from(COMMANDS))
    argv = list(path)
    for param in command.params:
        if type(param).__name__.endswith("Argument"):
            if param.required or draw(st.booleans()):
                argv.append(draw(values))
        elif draw(st.integers(0, 2)) == 0:
            option = draw(st.sampled_from(list(param.opts) + list(getattr(param, "secondary_opts", []))))
            argv.append(option)
            if not getattr(param, "is_flag", False):
                argv.append(draw(values))
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(values))  # a stray word anywhere
    return argv


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir of its own (the embedded database there is never migrated), as the working directory."""
    folder = tmp_path_factory.mktemp("cli-fuzz")
    patch = pytest.MonkeyPatch()
    patch.setenv("BAGALAU_DATA_DIR", str(folder / "data"))
    patch.delenv("BAGALAU_DATABASE_URL", raising=False)
    patch.chdir(folder)
    get_settings.cache_clear()
    yield folder
    patch.undo()
    get_settings.cache_clear()


def test_the_fuzzer_reaches_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"rerun", "simulate", "org import", "notify proof", "notify retry", "calendar holidays"} <= names


@budget(100)
@given(argv=argvs())
def test_no_argument_list_crashes_a_command(sandbox: Path, argv: list[str]) -> None:
    result = CliRunner().invoke(app, argv, input="")
    shown = f"argv={argv!r}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown + repr(result.exception)
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output, shown
    assert MARKER not in result.output, shown
