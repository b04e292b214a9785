"""Running an example scenario through ``bagalau simulate --db`` on the test PostgreSQL database (v2 e2e tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from bagalau.cli import app
from tests.flows_support import EXAMPLES


def simulate(name: str, pg_url: str, pg_owner_engine: sa.Engine, out: Path) -> dict[str, Any]:
    """Empty the database, run ``bagalau simulate examples/scenarios/NAME --db``, return the JSON report."""
    from tests.conftest import _EMPTY_ALL_TABLES

    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    result = CliRunner().invoke(app, ["simulate", str(EXAMPLES / name), "--out", str(out), "--db", pg_url])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def evaluations(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(entry["employee"], entry["method"]): entry for entry in report["evaluations"]}


def rejections(report: dict[str, Any]) -> dict[int, str]:
    return {item["event"]: item["reason"] for item in report["rejections"]}
