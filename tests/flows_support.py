"""Shared by the flow and scenario tests: one real Prefect test harness per session, a scenario loaded into the test
database, the runtime pointed at it, and table dumps to compare two states of the database.

Import the fixtures into a test module (``from tests.flows_support import prefect, world  # noqa: F401``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bagalau.simulate.loading import load  # noqa: E402
from bagalau.simulate.scenario import Scenario, load_scenario  # noqa: E402
from flows import runtime  # noqa: E402
from notifications.channels import RecordingChannel  # noqa: E402
from notifications.config import DeliveryConfig  # noqa: E402
from persistence.models import metadata  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
URL_TEMPLATES = {"email": "mailto://localhost?from=bagalau@localhost", "sms": "json://localhost/sms?to={address}"}

#: Columns that hold the wall-clock instant a row was written: they differ between two runs by construction.
VOLATILE = {"created_at", "updated_at", "at", "opened_at", "attempted_at", "invited_at"}


@pytest.fixture(scope="session")
def prefect() -> Iterator[None]:
    """One Prefect test harness (a real API server) for the whole session, without flow-run heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


def example(name: str) -> Scenario:
    return load_scenario(EXAMPLES / name)


def point_runtime_at(url: str, book_id: str | None = None) -> None:
    """Flows and services use the database at ``url``, record messages, and run calibration sessions in-process."""
    from flows.calibration_session import launch_in_process

    runtime.dispose_engines()
    runtime.configure(
        database_url=url,
        channel=RecordingChannel(),
        delivery_config=DeliveryConfig(url_templates=URL_TEMPLATES),
        launch_calibration=launch_in_process,
    )


@pytest.fixture
def world(prefect: None, pg_engine: sa.Engine, pg_url: str) -> Iterator[Any]:
    """A loader: ``world(scenario)`` writes a scenario into the emptied test database and points the runtime at it."""

    def load_world(scenario: Scenario) -> sa.Engine:
        book = scenario.load_rulebook()
        runtime.register_rulebook(book)
        point_runtime_at(pg_url)
        load(pg_engine, scenario, book)
        return runtime.engine()

    yield load_world
    runtime.dispose_engines()
    runtime.reset()


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, without the wall-clock columns, in a stable order (to compare two database states)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == "survey_answer":  # the application role may not read raw answers (T-8)
                continue
            columns = [column for column in table.columns if column.name not in VOLATILE]
            rows = connection.execute(sa.select(*columns)).all()
            found[table.name] = sorted((tuple(_plain(value) for value in row) for row in rows), key=repr)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return repr(sorted((key, _plain(item)) for key, item in value.items() if key not in {"at", "response"}))
    if isinstance(value, list):
        return repr([_plain(item) for item in value])
    return value


def days(first: date, last: date) -> list[date]:
    return [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]
