"""Worlds for the panels' tests (issue 10): an example scenario loaded into the test database and played up to a day
through the same application actions the simulator uses (no Prefect: the cycle steps are called directly), with an
account per person named, and the web app served over it with the application clock stopped at that day.

- :func:`calibration_world`: ``model-2018-q1-2025.yaml`` up to 10 April 2025 — E3 disagreed on 9 April (C-2), the
  appointing official E0 has not composed the session yet (C-3: by 14 April);
- :func:`survey_world`: ``model-2018-360-2025.yaml`` with the 2025 survey opened on 5 January 2026 (T-1, T-4).

Accounts: the personnel number in lower case (``e0``, ``h1`` …), password :data:`PASSWORD`, language as given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine

from application.cycle.opening import open_period
from application.cycle.survey import survey_360
from application.environment import Environment, FixedClock
from application.errors import Rejected
from bagalau.simulate.actions import apply_action
from bagalau.simulate.loading import load
from bagalau.simulate.scenario import load_scenario
from domain.vocabulary import Language
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD_HASH, MovableClock, ServedApp, free_port, web_settings
from tests.flows_support import EXAMPLES
from web.app import create_app


@dataclass
class PanelWorld:
    """The scenario's database, its environment (``clock`` stopped at a day the test moves) and the body's id."""

    env: Environment
    clock: FixedClock
    body: int
    events: list[Any]

    def move_to(self, day: date, hour: int = 10) -> None:
        self.clock.instant = datetime(day.year, day.month, day.day, hour, tzinfo=self.clock.zone)

    def play(self, first: date, last: date) -> dict[int, str]:
        """Apply the scenario's events dated ``first``…``last`` as the simulator does; refusals by index."""
        refused = {}
        for index, event in enumerate(self.events):
            if first <= event.date <= last:
                try:
                    apply_action(self.env, event.date, event.kind, event.action)
                except Rejected as refusal:
                    refused[index] = str(refusal)
        return refused


def _world(db: Engine, scenario_file: str, day: date) -> PanelWorld:
    scenario = load_scenario(EXAMPLES / scenario_file)
    clock = FixedClock(datetime(day.year, day.month, day.day, 10))
    env = Environment(engine=db, clock=clock)
    body = load(env, scenario, scenario.load_rulebook())
    return PanelWorld(env, clock, body, list(scenario.events))


def calibration_world(db: Engine) -> PanelWorld:
    """Model 2018, 2025-Q1, played to 10 April 2025: E3's case waits for its composition (C-3)."""
    world = _world(db, "model-2018-q1-2025.yaml", date(2025, 4, 11))
    open_period(world.env, world.body, "2025-Q1", date(2025, 4, 1))
    world.play(date(2025, 4, 1), date(2025, 4, 10))
    return world


def survey_world(db: Engine) -> PanelWorld:
    """Model 2018's 360 survey of 2025, opened on Monday 5 January 2026 (answers from the 6th)."""
    world = _world(db, "model-2018-360-2025.yaml", date(2026, 1, 6))
    survey_360(world.env, world.body, 2025, date(2026, 1, 5))
    return world


def add_accounts(db: Engine, languages: dict[str, Language]) -> None:
    """An account per personnel number (login: the number in lower case) in the scenario's body."""
    with UnitOfWork(db, actor="test") as uow:
        ids = uow.org.person_ids(uow.org.body_by_code("scenario").id)  # type: ignore[union-attr]
        for number, language in languages.items():
            uow.users.add(login=number.lower(), person_id=ids[number], password_hash=PASSWORD_HASH, language=language)
        uow.commit()


@dataclass
class Served:
    url: str
    clock: MovableClock
    engine: Engine
    app: Any


@contextmanager
def serve(world: PanelWorld) -> Iterator[Served]:
    """The web app over the world's environment, served on a free port."""
    clock = MovableClock()
    app = create_app(web_settings(), world.env.engine, clock=clock, env=world.env)
    port = free_port()
    served = ServedApp(app, port)
    served.start()
    try:
        yield Served(f"http://127.0.0.1:{port}", clock, world.env.engine, app)
    finally:
        served.stop()


def commission_world(db: Engine) -> PanelWorld:
    """The 004 year 2025 (``annual-commission-2025.yaml``) opened on 5 January 2026 and played to 13 January: every
    sheet approved and before the Commission, no meeting set yet (M-7)."""
    from application.cycle.commission import commission_cycle

    world = _world(db, "annual-commission-2025.yaml", date(2026, 1, 14))
    commission_cycle(world.env, world.body, 2025, date(2026, 1, 5))
    world.play(date(2026, 1, 5), date(2026, 1, 13))
    for day in (date(2026, 1, 13), date(2026, 1, 14)):
        commission_cycle(world.env, world.body, 2025, day)
    return world
