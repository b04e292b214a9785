"""Shared by the flow and scenario tests: one real Prefect test harness per session, a scenario loaded into the test
database with an environment built for it (recording channel, in-process launcher) and the flows bound to it, and
table dumps to compare two states of the database.

Import the fixtures into a test module (``from tests.flows_support import prefect, world  # noqa: F401``); the
``world`` fixture loads a scenario (``world(scenario)`` returns the engine) and carries ``world.env`` and
``world.flows``; ``person("E1")`` is the principal of an employee acting.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from application.environment import Environment  # noqa: E402
from bagalau.bootstrap import build_environment  # noqa: E402
from bagalau.settings import get_settings  # noqa: E402
from bagalau.simulate.loading import load  # noqa: E402
from bagalau.simulate.scenario import Scenario, load_scenario  # noqa: E402
from domain.access import Principal  # noqa: E402
from domain.rulebook import Rulebook  # noqa: E402
from flows import Flows, build_flows  # noqa: E402
from flows.launchers import InProcessLauncher  # noqa: E402
from notifications.channels import RecordingChannel  # noqa: E402
from notifications.config import DeliveryConfig  # noqa: E402
from persistence.db import make_engine  # noqa: E402
from persistence.models import metadata  # noqa: E402
from persistence.uow import UnitOfWork  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
URL_TEMPLATES = {"email": "mailto://localhost?from=bagalau@localhost", "sms": "json://localhost/sms?to={address}"}

#: Columns that hold the wall-clock instant a row was written: they differ between two runs by construction.
VOLATILE = {"created_at", "updated_at", "at", "opened_at", "attempted_at", "invited_at"}


@pytest.fixture(scope="session")
def prefect() -> Iterator[None]:
    """One Prefect test harness (a real API server) for the whole session, without flow-run heartbeats.

    Imported into a module, the fixture is that module's own: each importing module starts a server that lives to
    the session's end. Both other shapes stalled a full run waiting on a server that stopped answering (one server
    for the session, e35fc72; one per module, stopped at its end, this session's try); see the closing notes."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


def example(name: str) -> Scenario:
    return load_scenario(EXAMPLES / name)


def person(number: str) -> Principal:
    """An employee acting (what a scenario event or a logged-in person is)."""
    return Principal.of_person(number)


def environment_for(url: str, *, launcher: Any = None, channel: Any = None) -> Environment:
    """An environment on the database at ``url``: messages recorded, calibration sessions run in-process."""
    return build_environment(
        get_settings(),
        engine=make_engine(url),
        launcher=launcher if launcher is not None else InProcessLauncher(),
        channel=channel if channel is not None else RecordingChannel(),
        delivery=DeliveryConfig(url_templates=URL_TEMPLATES),
    )


class World:
    """The test database with an environment and its flows; calling it loads a scenario (returns the engine)."""

    def __init__(self, loader: sa.Engine, url: str) -> None:
        self.loader = loader
        self.env = environment_for(url)
        self.flows: Flows = build_flows(self.env)

    @property
    def engine(self) -> sa.Engine:
        return self.env.engine

    def __call__(self, scenario: Scenario) -> sa.Engine:
        load(replace(self.env, engine=self.loader), scenario, scenario.load_rulebook())
        return self.env.engine

    def rulebook(self, rulebook_id: str) -> Rulebook:
        with UnitOfWork(self.env.engine, actor="test") as uow:
            return self.env.rulebooks.get(uow.rules, rulebook_id)

    def store_rulebook(self, book: Rulebook) -> None:
        """Keep ``book`` in the database under its id (it shadows a bundled rulebook of the same id)."""
        with UnitOfWork(self.env.engine, actor="test") as uow:
            self.env.rulebooks.store(uow.rules, book)
            uow.commit()


@pytest.fixture
def world(prefect: None, pg_engine: sa.Engine, pg_url: str) -> Iterator[World]:
    """A loader: ``world(scenario)`` writes a scenario into the emptied test database (as the application role);
    ``world.env`` and ``world.flows`` run on it."""
    built = World(pg_engine, pg_url)
    yield built
    built.env.engine.dispose()


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
