"""Coverage-guided fuzzing with atheris where it fits: the pure loaders (no database, no network), for a bounded
number of runs seeded with the bundled rulebooks and the example staff file (tests/fuzz/atheris_loaders.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.budget import DEEP

pytest.importorskip("atheris", reason="atheris has wheels for CPython 3.11 on x86-64 Linux only")

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("atheris_loaders.py")


def test_atheris_finds_no_crash_in_the_loaders(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [*sorted((ROOT / "domain" / "rulebooks").glob("*.yaml"))[:2], ROOT / "examples" / "staff" / "staff.csv"]
    for index, seed in enumerate(seeds):
        selector = b"\x00" if seed.suffix == ".yaml" else b"\x01"
        (corpus / f"seed{index}").write_bytes(selector + seed.read_bytes()[:20_000])
    runs = 20_000 if DEEP else 1_500
    done = subprocess.run(
        [sys.executable, str(HARNESS), f"-runs={runs}", "-max_len=24000", "-rss_limit_mb=2048", str(corpus)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Done" in done.stderr, done.stderr[-2000:]
