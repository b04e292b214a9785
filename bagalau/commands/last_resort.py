"""The last resort of the command line: no traceback ever reaches the person at the keyboard.

Every argument is validated first (``bagalau.commands.params``, exit 2). What still escapes a command — a bug, a
database that went away half-way — is caught by :class:`GuardedGroup`, the ``bagalau`` app's group: the traceback
(secrets masked) is appended to ``<data dir>/logs/errors.log`` and one line is printed::

    bagalau: unexpected error (OperationalError: server closed the connection); details in .bagalau/logs/errors.log

with exit code 1. A setting that cannot be read (``BAGALAU_TIMEZONE=Mars/Olympus``) is the operator's input, not a
bug: exit 2 naming the variable, as for an argument.
"""

from __future__ import annotations

import os
import re
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

EXIT_UNEXPECTED = 1
LOG_NAME = "errors.log"
MARKER = "bagalau: unexpected error"
"""How the one line starts; tests (the fuzz suite) fail when they see it: an input reached a bug."""

_PASSWORD = re.compile(r"(?P<head>://[^/:@\s?#]*):[^/@\s?#]*@")
_SECRET_PARAMETER = re.compile(r"(?P<head>[?&](?:pass|password|token|key|secret|apikey|api_key)=)[^&\s'\"]+", re.I)


def _passthrough() -> tuple[type[BaseException], ...]:
    from typer._click.exceptions import ClickException

    return (typer.Exit, typer.Abort, ClickException, KeyboardInterrupt, EOFError)


class GuardedGroup(TyperGroup):
    """The root command group: unexpected exceptions become one line and exit 1 (traceback to the log file)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _passthrough():
            raise
        except BrokenPipeError:
            raise typer.Exit(EXIT_UNEXPECTED) from None  # `bagalau … | head`: the reader went away
        except Exception as exc:  # the last resort: anything a command did not handle
            raise typer.Exit(report(exc)) from None


def report(exc: BaseException) -> int:
    """Log ``exc`` with its traceback, print one line about it, and return the exit code."""
    from pydantic import ValidationError

    from bagalau.settings import SettingsError

    if isinstance(exc, ValidationError) and exc.title == "Settings":
        error = exc.errors()[0]
        name = "BAGALAU_" + "_".join(str(part) for part in error["loc"]).upper()
        typer.echo(f"bagalau: {name}: {mask(str(error['msg']).removeprefix('Value error, '))}", err=True)
        return 2
    if isinstance(exc, SettingsError):
        typer.echo(f"bagalau: {mask(str(exc))}", err=True)
        return 2
    where = _write_log(exc)
    summary = mask(str(exc).strip().splitlines()[0] if str(exc).strip() else "")[:200]
    shown = f"{type(exc).__name__}: {summary}" if summary else type(exc).__name__
    typer.echo(f"{MARKER} ({shown}); details in {where}", err=True)
    return EXIT_UNEXPECTED


def mask(text: str) -> str:
    """Passwords in URLs and secret query parameters replaced by ``****``."""
    return _SECRET_PARAMETER.sub(r"\g<head>****", _PASSWORD.sub(r"\g<head>:****@", text))


def log_path() -> Path:
    """``<data dir>/logs/errors.log`` (the temporary folder when the data dir cannot be written)."""
    try:
        from bagalau.settings import get_settings

        folder = get_settings().data_dir / "logs"
    except Exception:  # the settings themselves may be what is broken
        folder = Path(".bagalau") / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder / LOG_NAME
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"bagalau-{LOG_NAME}"


def _write_log(exc: BaseException) -> Path:
    path = log_path()
    text = "".join(traceback.format_exception(exc))
    entry = f"--- {datetime.now(UTC).isoformat()} pid {os.getpid()}\n{mask(text)}\n"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(entry)
    except OSError:
        pass
    return path
