"""The Model 2018 quarter of ``examples/scenarios/model-2018-q1-2025.yaml`` played by the real flows up to a day, then
served by the web app with an account per person (the employee's side of issue 10 and the R-2 matrix).

``staff_world(day)`` loads the scenario, runs every event and daily sweep before ``day``, adds two people of the HR
service (``HH``, its head; ``HS``, staff who are not the head), an account per person (login = personnel number in
lower case, :data:`~tests.browser.conftest.PASSWORD`) and an admin ``root`` of the body, and serves the app with the
application's clock stopped at 10:00 on ``day`` (the sessions run on a clock of their own, as in ``live_app``).

In the Model 2018 quarter: E0 appointing official (A corps, not evaluated); E1 evaluates E3, E4, E6; E2 evaluates E7,
E8, E9; H1 and H2 are HR staff (H1 evaluates H2). E3's result (3.75 proper, 3 April) is disagreed on 9 April; the
panel composed on 11 April is E2, H1, H2 (C-5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from application.errors import Rejected
from bagalau.simulate.actions import apply_action, approve_commission_results_of_the_day
from domain.vocabulary import Language, Role
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD, PASSWORD_HASH, LiveApp, MovableClock, ServedApp, free_port, web_settings
from tests.flows_support import World, days, example
from web.app import create_app

SCENARIO = "model-2018-q1-2025.yaml"
COMMISSION_SCENARIO = "annual-commission-2025.yaml"
#: Events played besides a scenario's: (day, kind, the event's action).
Extra = Sequence[tuple[date, str, Any]]


@dataclass
class RecordingLauncher:
    """Starts no Prefect run from the web app's thread; remembers each calibration session it was asked to start."""

    started: list[tuple[int, date]] = field(default_factory=list)

    def calibration_session(self, case_id: int, as_of: date) -> object:
        self.started.append((case_id, as_of))
        return None


@dataclass
class StaffWorld:
    """The served app, the scenario's evaluation ids by personnel number, and the launcher of the web app."""

    app: LiveApp
    day: date
    ids: dict[str, int]
    launcher: RecordingLauncher

    @property
    def url(self) -> str:
        return self.app.url


def play(world: World, scenario: Any, last: date, *, approve: bool = True, extra: Extra = ()) -> None:
    """Every event and daily sweep from the scenario's first day to ``last`` (refused events skipped); ``approve``
    false leaves the Commission's results to an official who has not approved them yet; ``extra``: (day, kind,
    action) events played besides the scenario's."""
    for day in days(scenario.start, last):
        events = [(event.kind, event.action) for _, event in scenario.events_on(day)]
        for kind, action in [*events, *((kind, action) for on, kind, action in extra if on == day)]:
            try:
                apply_action(world.env, day, kind, action)
            except Rejected:
                pass
        if approve:
            approve_commission_results_of_the_day(world.env, day)  # M-7: as the simulator plays the official (0140)
        world.flows.daily_sweep(as_of=day)


def add_staff_and_accounts(engine: sa.Engine) -> None:
    with UnitOfWork(engine, actor="test") as uow:
        body = uow.org.body_by_code("scenario")
        assert body is not None
        hh = uow.org.add_person(body_id=body.id, personnel_number="HH", full_name="Гүлмира Head", language=Language.RU)
        hs = uow.org.add_person(body_id=body.id, personnel_number="HS", full_name="Staff <b>HR</b>")
        # B-corps HR staff hold posts like everyone (a B-corps person without one is not a consistent organisation)
        unit_id = uow.session.execute(
            sa.text("SELECT id FROM unit WHERE body_id = :body ORDER BY id LIMIT 1"), {"body": body.id}
        ).scalar_one()
        for person in (hh, hs):
            uow.org.appoint(person_id=person.id, unit_id=unit_id, category="C-4", started_on=date(2020, 1, 1))
        uow.org.add_role(body_id=body.id, person_id=hh.id, role=Role.HR_HEAD, started_on=date(2020, 1, 1))
        uow.org.add_role(body_id=body.id, person_id=hs.id, role=Role.HR, started_on=date(2020, 1, 1))
        numbers = dict(
            uow.session.execute(
                sa.text("SELECT personnel_number, id FROM person WHERE body_id = :body"), {"body": body.id}
            ).all()
        )
        for number, person_id in sorted(numbers.items()):
            uow.users.add(login=str(number).lower(), person_id=person_id, password_hash=PASSWORD_HASH)
        uow.users.add(login="root", body_id=body.id, roles=[Role.ADMIN], password_hash=PASSWORD_HASH)
        uow.commit()


def evaluation_ids(engine: sa.Engine) -> dict[str, int]:
    """Personnel number → the id of their evaluation (``E1/kpi_count`` when a person has several methods)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT p.personnel_number, e.method, e.id FROM evaluation e JOIN person p ON p.id = e.person_id")
        ).all()
    found = {f"{row[0]}/{row[1]}": int(row[2]) for row in rows}
    for row in rows:
        found.setdefault(str(row[0]), int(row[2]))
    return found


@pytest.fixture
def staff_world(world: World, db: sa.Engine) -> Iterator[Callable[..., StaffWorld]]:
    """``staff_world(day[, scenario])``: the scenario played to the day before ``day`` and served (see the module)."""
    served: list[ServedApp] = []

    def build(day: date, name: str = SCENARIO, *, approve: bool = True, extra: Extra = ()) -> StaffWorld:
        from application.environment import FixedClock

        scenario = example(name)
        world(scenario)
        play(world, scenario, day - timedelta(days=1), approve=approve, extra=extra)
        add_staff_and_accounts(db)
        launcher = RecordingLauncher()
        env = replace(
            world.env,
            engine=db,
            clock=FixedClock(datetime.combine(day, datetime.min.time()).replace(hour=10)),
            launcher=launcher,
        )
        settings = web_settings()
        clock = MovableClock()
        app = create_app(settings, db, clock=clock, env=env)
        port = free_port()
        server = ServedApp(app, port)
        server.start()
        served.append(server)
        return StaffWorld(
            LiveApp(f"http://127.0.0.1:{port}", clock, settings, db, app), day, evaluation_ids(db), launcher
        )

    yield build
    for server in served:
        server.stop()


def bearer(client: httpx.Client, login: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def refusals(engine: sa.Engine) -> list[tuple[str, str, str, str]]:
    """Every recorded refusal: (actor, resource, action, rule)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT actor, resource, action, rule FROM access_refusal ORDER BY id")).all()
    return [(row.actor, row.resource, row.action, row.rule) for row in rows]
