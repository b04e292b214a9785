"""The evaluator's read models on a cycle the real opening step made (issue 10): Model 2018's 2025-Q1 of
examples/scenarios/model-2018-q1-2025.yaml opened on 1 April 2025. The inbox lists each evaluator's sheets with
the P-1 deadline (10 April) and the working days left (P-6 calendar); a KPI sheet's form carries each KPI's K-4
range from the scenario's plan and actuals (K-6 "lower is better" included); signing through ``evaluation_id``
with ``unchanged_is_noop`` makes one version however often the same content is sent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from application.actions.sheets import submit_sheet
from application.cycle.opening import open_period
from application.environment import Environment, FixedClock
from application.errors import Rejected
from application.queries.inbox import inbox, sheet_form
from bagalau.simulate.loading import load
from bagalau.simulate.scenario import load_scenario
from domain.access import Principal
from persistence.uow import UnitOfWork
from tests.flows_support import EXAMPLES

pytestmark = pytest.mark.postgres

FOURS = {"quality": 4, "deadlines": 4, "independence_initiative": 4, "labour_discipline": 5}


@pytest.fixture
def env(db: Engine) -> Environment:
    scenario = load_scenario(EXAMPLES / "model-2018-q1-2025.yaml")
    env = Environment(engine=db, clock=FixedClock(datetime(2025, 4, 7, 10)))  # Monday 7 April
    body = load(env, scenario, scenario.load_rulebook())
    open_period(env, body, "2025-Q1", date(2025, 4, 1))
    return env


def test_each_evaluator_sees_the_sheets_routed_to_them(env: Environment) -> None:
    e1 = inbox(env, Principal.of_person("E1", body="scenario"))
    assert {(item.employee, item.method, item.task) for item in e1.items} == {
        ("E3", "differentiation", "sheet"),
        ("E4", "differentiation", "sheet"),
        ("E6", "differentiation", "sheet"),
    }  # E5 is not evaluated (E-1); E7 is E2's (D-1)
    first = e1.items[0]
    assert (first.deadline, first.working_days_left, first.late) == (date(2025, 4, 10), 4, False)  # 7, 8, 9, 10
    e0 = inbox(env, Principal.of_person("E0", body="scenario"))
    assert {(item.employee, item.method) for item in e0.items} == {("E1", "kpi"), ("E2", "kpi"), ("H1", "kpi")}
    assert inbox(env, Principal.of_person("E5", body="scenario")).items == ()


def test_the_kpi_form_carries_the_k4_ranges_of_the_plan(env: Environment) -> None:
    e0 = Principal.of_person("E0", body="scenario")
    [e1_kpi] = [item for item in inbox(env, e0).items if item.employee == "E1"]
    form = sheet_form(env, e0, e1_kpi.evaluation_id)
    assert form is not None and form.role == "evaluator"
    ranges = {kpi.id: (kpi.achievement, kpi.allowed_min, kpi.allowed_max) for kpi in form.kpis}
    assert ranges == {
        "k1": (Decimal("95.00"), Decimal("4.75"), Decimal("4.99")),
        "k2": (Decimal("90.90"), Decimal("4.50"), Decimal("4.74")),  # lower is better: 5 / 5.5 (K-6)
        "k3": (Decimal("100.00"), Decimal("5.00"), Decimal("5.00")),
    }
    hinted = sheet_form(env, e0, e1_kpi.evaluation_id, entered={"k1": "4.6", "k2": "4.6", "k3": "5"})
    assert hinted is not None and hinted.kpis[0].hint is not None
    assert (hinted.kpis[0].hint.rule, hinted.kpis[0].hint.allowed) == ("K-4", "4.75–4.99")
    assert sheet_form(env, Principal.of_person("E1", body="scenario"), e1_kpi.evaluation_id) is None


def test_the_same_sheet_signed_twice_is_one_version_and_another_id_is_refused(env: Environment) -> None:
    e1 = Principal.of_person("E1", body="scenario")
    items = {item.employee: item for item in inbox(env, e1).items}
    e3 = items["E3"].evaluation_id
    day = date(2025, 4, 7)
    kwargs = {"as_of": day, "evaluatee": "E3", "scores": FOURS, "comment": "ok", "unchanged_is_noop": True}
    first = submit_sheet(env, e1, evaluation_id=e3, **kwargs)  # type: ignore[arg-type]
    again = submit_sheet(env, e1, evaluation_id=e3, **kwargs)  # type: ignore[arg-type]
    assert (first.version, again.version, again.completed) == (1, 1, True)
    with UnitOfWork(env.engine, actor="test") as uow:
        assert [v.version for v in uow.sheets.versions(e3)] == [1]
    with pytest.raises(Rejected) as refused:
        submit_sheet(env, e1, evaluation_id=items["E4"].evaluation_id, **kwargs)  # type: ignore[arg-type]
    assert refused.value.rule == "P-1"  # E4's evaluation is not one of E3's sheets
