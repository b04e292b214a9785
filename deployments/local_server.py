"""A local Prefect server on SQLite under Bagalau's data dir: what ``bagalau serve`` schedules against.

Prefect's ephemeral server (what a flow uses when no ``PREFECT_API_URL`` is set) lives only as long as one client
and has no scheduler, so cron deployments would never fire. ``bagalau serve`` therefore starts ``prefect server
start`` as a child process with its home and database under ``<data dir>/prefect``, waits until ``/api/health``
answers, points this process at it, and stops it (SIGINT, then SIGTERM, then SIGKILL) when serving ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

DEFAULT_PORT = 4200
STARTUP_TIMEOUT_SECONDS = 90.0
"""A fresh server migrates its SQLite database first (~20 s on a small machine); later starts take ~9 s."""


class ServerStartError(RuntimeError):
    """The local Prefect server did not become healthy; carries the tail of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for tests and for a busy default port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class LocalPrefectServer:
    """``prefect server start`` as a child process, used as a context manager: healthy inside, stopped after."""

    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, ui: bool = True) -> None:
        self.home = Path(data_dir).resolve() / "prefect"
        self.host = host
        self.port = port
        self.ui = ui
        self.log_path = self.home / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{(self.home / 'prefect.db').as_posix()}"

    def environment(self) -> dict[str, str]:
        """The variables the server and every client of it run with (Prefect's own home, database, address)."""
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_DATABASE_CONNECTION_URL": self.database_url,
            "PREFECT_SERVER_API_HOST": self.host,
            "PREFECT_SERVER_API_PORT": str(self.port),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "true" if self.ui else "false",
        }

    def client_environment(self) -> dict[str, str]:
        """What a process that talks to this server needs: its API address and the same home."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.home)}

    @property
    def marker_path(self) -> Path:
        """``served.json``: written while ``bagalau serve`` serves against this server (its API and pid)."""
        return self.home / "served.json"

    def mark_served(self) -> None:
        """Tell other processes of this installation (``bagalau rerun``) that this server is the served one."""
        self.marker_path.write_text(json.dumps({"api_url": self.api_url, "pid": os.getpid()}), encoding="utf-8")

    def unmark_served(self) -> None:
        self.marker_path.unlink(missing_ok=True)

    # --- life cycle ---

    def start(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Start the server and wait until it answers ``/api/health``; :class:`ServerStartError` if it does not."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.environment()}
        env.pop("PREFECT_API_URL", None)  # the server must not try to reach another one
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_healthy(self._process, timeout)
        except BaseException:  # Ctrl-C while starting, or a server that never answers: no orphan left behind
            self.stop()
            raise

    def _wait_healthy(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerStartError(f"prefect server exited with code {process.returncode}:\n{self._tail()}")
            if self.healthy():
                return
            time.sleep(0.25)
        raise ServerStartError(
            f"prefect server did not answer {self.api_url}/health in {timeout:.0f} s:\n{self._tail()}"
        )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, grace: float = 15.0) -> int | None:
        """Stop the server: SIGINT (its own clean shutdown), then SIGTERM, then SIGKILL; returns its exit code."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        for sig in (signal.SIGINT, signal.SIGTERM):
            process.send_signal(sig)
            try:
                return process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        process.kill()
        return process.wait()

    def _tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> LocalPrefectServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def served_api_url(data_dir: Path) -> str | None:
    """The API of the Prefect server ``bagalau serve`` serves against under ``data_dir``, when it runs and answers;
    else ``None`` (no marker, its process gone, or the server not healthy)."""
    marker = Path(data_dir).resolve() / "prefect" / "served.json"
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
        api_url, pid = str(found["api_url"]), int(found["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return api_url if api_healthy(api_url) else None


def api_healthy(api_url: str, timeout: float = 1.0) -> bool:
    """Whether the Prefect API at ``api_url`` answers ``/health``."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False
