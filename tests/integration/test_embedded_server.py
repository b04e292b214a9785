"""Prefect's temporary server started early by a simulating entrance (``bagalau.simulate.embedded``, issue 13).

A real subprocess each time: the early server must serve real flow runs, be the only server of the process, stop
with it, and step aside when Prefect is configured or already imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bagalau.simulate import embedded

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    clean.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", **env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_early_server_serves_the_flow_runs_pointed_at_it_and_leaves_nothing_behind(tmp_path: Path) -> None:
    done = _python(
        """
        import os, sys
        from bagalau.simulate import embedded
        assert embedded.start() is True
        assert embedded.start() is True  # a second entrance reuses it
        assert "PREFECT_API_URL" not in os.environ  # nothing exported: only the runs pointed at it use it
        from prefect import flow
        from prefect.client.orchestration import get_client
        @flow
        def hello(x: int) -> int:
            return x + 1
        from prefect.settings import get_current_settings
        with embedded.pointed():
            url = os.environ["PREFECT_API_URL"]
            assert hello(41) == 42
            with get_client(sync_client=True) as client:
                runs = client.read_flow_runs()
            beats = get_current_settings().flows.heartbeat_frequency
        with embedded.pointed_at("http://127.0.0.1:9/api"):  # a served server (never called here)
            served_beats = get_current_settings().flows.heartbeat_frequency
        assert "PREFECT_API_URL" not in os.environ  # restored
        pid = embedded._server.process.pid
        embedded.stop()
        print(url, len(runs), pid, "prefect.server.api.server" in sys.modules, beats, served_beats)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    url, runs, pid, imported, beats, served_beats = done.stdout.split()
    # runs on the server that ends with the process send no heartbeats (their thread held each run's end up to a
    # second); runs on a served server keep Prefect's (they find crashed runs)
    assert (beats, served_beats) == ("None", str(180))
    assert url.startswith("http://127.0.0.1:") and url.endswith("/api")
    assert runs == "1"  # the flow run went to the early server, which Prefect did not start a second of
    assert imported == "False"  # the process never loaded Prefect's server package to start one
    for _ in range(100):  # stopped
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the early server {pid} outlived its process")


def test_a_throwaway_server_for_one_command_is_not_exported(tmp_path: Path) -> None:
    done = _python(
        """
        import os
        from bagalau.simulate import embedded
        url = embedded.start_throwaway()
        embedded.wait()
        print(url, os.environ.get("PREFECT_HOME"), os.environ.get("PREFECT_API_URL"))
        embedded.stop()
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    url, home, exported = done.stdout.split()
    assert url.startswith("http://127.0.0.1:") and exported == "None"
    assert home == str(tmp_path / "prefect")  # the command's own Prefect home, not the simulation's


def test_it_steps_aside_for_a_configured_server(tmp_path: Path) -> None:
    done = _python(
        """
        from bagalau.simulate import embedded
        import os
        print(embedded.start(), embedded.start_throwaway(), os.environ["PREFECT_API_URL"], embedded._server)
        """,
        tmp_path,
        PREFECT_API_URL="http://127.0.0.1:9/api",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "None", "http://127.0.0.1:9/api", "None"]


def test_it_steps_aside_once_prefect_is_imported(tmp_path: Path) -> None:
    done = _python(
        """
        import prefect
        from bagalau.simulate import embedded
        import os
        print(embedded.start(), embedded.start_throwaway(), os.environ.get("PREFECT_API_URL"))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "None", "None"]


def test_a_server_that_dies_is_reported_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    monkeypatch.setattr(embedded, "_server", embedded._Server(dead, "http://127.0.0.1:9/api"))
    with pytest.raises(RuntimeError, match=r"exited with code 3 .*PREFECT_API_URL"):
        embedded.wait(timeout=5)
    monkeypatch.setattr(embedded, "_server", None)
    embedded.wait()  # nothing started: nothing to wait for
