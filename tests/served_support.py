"""``bagalau serve`` for real, as a child process: its own Prefect server (``prefect server start``) under a data
dir, every deployment served, the automations installed (issue 14, decision 0160).

Used by the tests of the automations (``tests/integration/test_automations.py``) and of the stalled-runs page
against a served server (``tests/browser/test_hr_runs_served.py``). Starting takes 20–60 s on the shared machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from deployments.local_server import free_port

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


class BagalauServe:
    """``bagalau serve --no-ui`` on a free port, on the given Bagalau database and settings."""

    def __init__(self, data_dir: Path, environ: Mapping[str, str]) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = data_dir / "serve.log"
        env = {name: value for name, value in os.environ.items() if not name.startswith(("PREFECT_", "BAGALAU_"))}
        env.update(
            BAGALAU_DATA_DIR=str(data_dir),
            BAGALAU_ENVIRONMENT="development",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_RUNNER_POLL_FREQUENCY="2",
            PYTHONPATH=str(ROOT),
        )
        env.update(environ)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 240.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-c", "from bagalau.cli import app; app()", "serve", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--no-ui"], env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
            )
        marker = self.data_dir.resolve() / "prefect" / "served.json"
        self.wait(lambda: marker.exists() and json.loads(marker.read_text()).get("api_url"), timeout, "served.json")
        self.wait(lambda: len(self.deployments()) >= 9 or None, timeout, "the deployments")

    def deployments(self) -> dict[str, Any]:
        from prefect.client.orchestration import SyncPrefectClient

        try:
            with SyncPrefectClient(self.api_url) as client:
                return {deployment.name: deployment for deployment in client.read_deployments()}
        except Exception:  # noqa: BLE001 — not up yet
            return {}

    def client(self) -> Any:
        from prefect.client.orchestration import SyncPrefectClient

        return SyncPrefectClient(self.api_url)

    def wait(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"bagalau serve exited ({self.process.returncode}):\n{self.log()}")
            found = probe()
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError(f"no {what} after {timeout:.0f} s:\n{self.log()}")

    def log(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def run_of(self, run_id: Any, states: set[str], timeout: float = 180.0) -> Any:
        """The flow run once its state is one of ``states`` (Failed, Completed …)."""

        def probe() -> Any:
            with self.client() as client:
                run = client.read_flow_run(run_id)
            return run if run.state is not None and run.state.name in states else None

        return self.wait(probe, timeout, f"flow run {run_id} in {sorted(states)}")
