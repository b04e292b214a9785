"""Prefect's temporary API server for a simulation, started before anything else so that its start-up overlaps ours.

Without a ``PREFECT_API_URL`` Prefect starts a temporary server of its own at the first API call: a ``uvicorn``
subprocess serving ``prefect.server.api.server:create_app`` (``SubprocessASGIServer``), after this process has
imported Prefect's server package just to start it. Both waits are serial: about 4.5 s of a 60-person quarter's
17 s went to them (issue 13), and as much of every ``bagalau rerun`` without a served server. An entrance that is
about to run flows on a temporary server (``bagalau simulate``, ``bagalau demo``, the simulate benchmarks:
:func:`start`; ``bagalau rerun`` when no server is configured or served: :func:`start_throwaway`) starts it first,
before Prefect is imported: the same subprocess, on the same command line and environment as Prefect's own,
starts while this process imports Prefect and the application, builds the environment, migrates and loads the
scenario. The flow runs then go to it (:func:`pointed`, :func:`pointed_at`: Prefect's ``PREFECT_API_URL``
setting, for their duration only), so the process never imports Prefect's server package and there is no second
server on the same Prefect database; :func:`wait` blocks until it answers. The entrance stops it when done
(:func:`stop`; at exit in any case): nothing of it outlives the command, even one run inside another process (a
test session).

Nothing changes where it cannot help: with ``PREFECT_API_URL`` set (a real server), with ephemeral mode turned off,
or when Prefect is already imported (its settings are read at import), nothing is started and Prefect behaves as
it always did.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_OFF = {"0", "false", "no", "off"}
_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"

IDLE_SERVER_SERVICES = (
    "CANCELLATION_CLEANUP",
    "FOREMAN",
    "LATE_RUNS",
    "SCHEDULER",
    "PAUSE_EXPIRATIONS",
    "REPOSSESSOR",
    "CLEANUP_RECONCILER",
    "TRIGGERS",
    "DB_VACUUM",
    "EVENT_PERSISTER",  # events of a dry run need not be kept; its writes contend with the API's on SQLite
    "TASK_RUN_RECORDER",  # nor its task runs' states (nothing reads them back); on a busy machine its SQLite
    # writes queued behind the API's and were logged as tracebacks although retried
)


def prefect_environment(data_dir: Path | None = None) -> None:
    """Set Prefect's variables for an embedded run, unless Prefect is already imported or configured."""
    if "prefect" in sys.modules:
        return
    if data_dir is None:
        from bagalau.settings import get_settings

        data_dir = get_settings().data_dir
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        home = Path(data_dir).resolve() / "prefect-simulation"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # Prefect's own SQLite database waits 10 s for a lock by default; on a busy 2-core machine its writers queue
    # for longer, and a refused write is logged as a traceback although the client retries it.
    os.environ.setdefault("PREFECT_SERVER_DATABASE_TIMEOUT", "60")
    # The embedded API server gets 20 s to start by default; a loaded 2-core machine needs more (the tests give 120).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    for service in IDLE_SERVER_SERVICES:  # nothing is scheduled, late or paused in a simulation
        os.environ.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")


@dataclass
class _Server:
    process: subprocess.Popen[bytes]
    url: str


_server: _Server | None = None


def start() -> bool:
    """A simulating entrance: Prefect's environment for a simulation (:func:`prefect_environment`), then the server,
    unless Prefect is configured, disallowed from starting one, or already imported; whether one runs now."""
    if _server is not None:
        return True
    prefect_environment()
    if not _may_start():
        return False
    _spawn()
    return True


def start_throwaway() -> str | None:
    """For one command that runs a flow on a throwaway server (``bagalau rerun`` with no server configured or
    served): the server started now, its API URL returned. ``None`` when it cannot help (Prefect already imported,
    ephemeral mode off): Prefect starts its own then."""
    if _server is not None:
        return _server.url
    if not _may_start():
        return None
    # nothing is scheduled, late or paused on a server that ends with the command, and its records are read by
    # no one afterwards: its idle services stay off, as a simulation's do (they competed with the run for the CPU)
    idle = {f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false" for service in IDLE_SERVER_SERVICES}
    return _spawn({name: value for name, value in idle.items() if name not in os.environ}).url


@contextmanager
def pointed() -> Iterator[None]:
    """Prefect's calls inside go to the started server, once it answers (nothing changes if none was started)."""
    if _server is None:
        yield
        return
    wait()
    with pointed_at(_server.url):
        yield


@contextmanager
def pointed_at(api_url: str | None) -> Iterator[None]:
    """Flow runs of this process go to ``api_url`` (``None``: Prefect's ephemeral server, as without a setting),
    and the process's environment says so while they run; both are restored after (nothing leaks into a process
    that runs other things afterwards, such as a test session)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    updates: dict[Any, Any] = {PREFECT_API_URL: api_url}
    if _server is not None and api_url == _server.url:
        # The server started here ends with the command: nobody will ask it whether a run crashed, so its runs
        # send no heartbeats — the engine's heartbeat thread, which sleeps in one-second steps, otherwise holds
        # the end of every flow run up to a second (issue 13: a tenth of 'bagalau rerun daily_sweep').
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    previous = os.environ.pop("PREFECT_API_URL", None)
    if api_url:
        os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings(updates=updates):
            yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if previous is not None:
            os.environ["PREFECT_API_URL"] = previous


def _may_start() -> bool:
    if "prefect" in sys.modules or os.environ.get("PREFECT_API_URL"):
        return False
    for flag in ("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "PREFECT_SERVER_EPHEMERAL_ENABLED"):
        if os.environ.get(flag, "").strip().lower() in _OFF:
            return False
    spec = importlib.util.find_spec("prefect")
    return spec is not None and bool(spec.submodule_search_locations)


def _spawn(settings: dict[str, str] | None = None) -> _Server:
    """Start the server subprocess; ``settings``: Prefect variables for it alone, on top of this environment."""
    global _server
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.submodule_search_locations
    app_dir = Path(next(iter(spec.submodule_search_locations))).parent
    # Prefect's database lives in its home; the server exits at start-up if the folder is missing
    Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser().mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(app_dir),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        # as Prefect's own temporary server: no UI, marked ephemeral; our PREFECT_* settings are in the environment
        env={
            **os.environ,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            **(settings or {}),
        },
    )
    _server = _Server(process, f"http://127.0.0.1:{port}/api")
    atexit.register(stop)
    return _server


def wait(timeout: float | None = None) -> None:
    """Block until the started server answers its health check (nothing to wait for if none was started)."""
    if _server is None:
        return
    limit = timeout if timeout is not None else float(os.environ.get(_STARTUP_TIMEOUT, 120))
    deadline = time.monotonic() + limit
    while True:
        code = _server.process.poll()
        if code is not None:
            raise RuntimeError(
                f"Prefect's temporary server exited with code {code} before it answered at {_server.url} "
                "(its messages are above); set PREFECT_API_URL to a running Prefect server, or run again"
            )
        try:
            with urllib.request.urlopen(f"{_server.url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"Prefect's temporary server did not answer at {_server.url} within {limit:.0f} s")
        time.sleep(0.05)


def stop() -> None:
    """Stop the started server (at exit)."""
    global _server
    if _server is None:
        return
    process, _server = _server.process, None
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
