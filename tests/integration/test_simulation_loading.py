"""The simulator's loader writes a scenario's organization as the rules engine must see it (M-7)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from application.environment import Environment
from bagalau.simulate.loading import load
from bagalau.simulate.scenario import Scenario
from domain import rulebooks
from persistence.uow import UnitOfWork
from tests.flows_support import example


def commission_of(engine: sa.Engine, scenario: Scenario) -> Any:
    body_id = load(Environment(engine), scenario, rulebooks.get(scenario.rulebook))
    with UnitOfWork(engine, actor="test") as uow:
        return uow.org.organization(body_id, date(2026, 1, 27)).commission


def test_m7_the_secretary_sits_apart_from_the_voting_members(sqlite_engine: sa.Engine) -> None:
    commission = commission_of(sqlite_engine, example("annual-commission-2025.yaml"))
    assert (commission.chair, commission.secretary) == ("E0", "H1")
    assert sorted(commission.members) == ["E0", "E1", "H2", "V1", "V2"]


def test_m7_a_secretary_also_listed_among_the_members_still_does_not_vote(sqlite_engine: sa.Engine) -> None:
    scenario = example("annual-commission-2025.yaml")
    listed = scenario.organization.commission
    assert listed is not None
    changed = listed.model_copy(update={"members": [*listed.members, listed.secretary]})
    organization = scenario.organization.model_copy(update={"commission": changed})
    commission = commission_of(sqlite_engine, scenario.model_copy(update={"organization": organization}))
    assert commission.secretary == "H1"
    assert "H1" not in commission.members
