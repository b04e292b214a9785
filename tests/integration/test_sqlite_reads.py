"""The read models on the embedded default, SQLite (the database `make demo` serves): a query that holds a unit of
work asks R-2 (``visibility_of``) inside its own transaction. On SQLite every transaction takes the write lock
(``BEGIN IMMEDIATE``), so a second transaction beside the first waited for it until the busy timeout and the
page answered "database is locked" — found by opening the demo's evaluation list."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from application.cycle.opening import open_period
from application.environment import Environment, FixedClock
from application.queries.evaluations import evaluation_detail, visible_evaluations
from application.queries.panels import calibration_cases
from bagalau.simulate.loading import load
from bagalau.simulate.scenario import load_scenario
from domain.access import Principal
from tests.flows_support import EXAMPLES


@pytest.fixture
def env(sqlite_engine: Engine) -> Environment:
    scenario = load_scenario(EXAMPLES / "model-2018-q1-2025.yaml")
    env = Environment(engine=sqlite_engine, clock=FixedClock(datetime(2025, 4, 7, 10)))
    body = load(env, scenario, scenario.load_rulebook())
    open_period(env, body, "2025-Q1", date(2025, 4, 1))
    return env


def test_the_evaluation_list_and_the_panels_read_in_one_transaction_on_sqlite(env: Environment) -> None:
    e3 = Principal.of_person("E3", body="scenario")
    page = visible_evaluations(env, e3, period="2025-Q1")
    assert [item.employee for item in page.evaluations] == ["E3"]  # her own evaluation only
    assert evaluation_detail(env, e3, page.evaluations[0].id) is not None
    head = Principal.of_person("E0", body="scenario")
    seen = {item.employee for item in visible_evaluations(env, head, period="2025-Q1").evaluations}
    assert "E1" in seen and "E3" not in seen  # those E0 evaluates; E3 is E1's to evaluate (R-2)
    assert calibration_cases(env, head) == []  # nobody has disagreed yet
