"""Fixtures of the integration tier: a small organization in whichever database the test runs on.

Tests written once for both databases (``tests/integration/test_persistence_repositories.py``) define a fixture
``engine`` — ``pg_engine`` in the PostgreSQL class, ``sqlite_engine`` in the SQLite one — and ``small_org`` builds
its people there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from domain.vocabulary import Corps, Method, PeriodKind, Role
from persistence.records import NewEvaluation
from persistence.uow import UnitOfWork


@dataclass(frozen=True)
class SmallOrg:
    """Ids of a body with two units: E0 heads the body, E1 heads U1, E2 works in U1, E3 in U2, H1 is HR."""

    body: int
    u1: int
    u2: int
    e0: int
    e1: int
    e2: int
    e3: int
    h1: int
    q1: int  # the 2025-Q1 period

    def evaluation(self, person: int, method: Method = Method.DIFFERENTIATION, **fields: Any) -> NewEvaluation:
        """A new evaluation of ``person`` in 2025-Q1 by E1, due 2025-04-10 (``fields`` override)."""
        new = NewEvaluation(
            person_id=person,
            period_id=self.q1,
            method=method,
            rulebook_id="kz-model-2018",
            evaluator_id=self.e1,
            deadline=date(2025, 4, 10),
        )
        return replace(new, **fields)


def build_small_org(engine: Engine) -> SmallOrg:
    """Create the small organization (committed) and return its ids."""
    with UnitOfWork(engine, actor="test:setup") as uow:
        org = uow.org
        body = org.add_body(code="demo", name="Demo agency").id
        u1 = org.add_unit(body_id=body, code="U1", name="Department of planning").id
        u2 = org.add_unit(body_id=body, code="U2", name="Department of control", parent_id=None).id
        people = {}
        for number, name, corps in [
            ("E0", "Erlan Omarov", Corps.POLITICAL),
            ("E1", "Aigerim Sarsenova", Corps.B),
            ("E2", "Dana Bekova", Corps.B),
            ("E3", "Nurlan Abenov", Corps.B),
            ("H1", "Gulnar Iskakova", Corps.B),
        ]:
            people[number] = org.add_person(body_id=body, personnel_number=number, full_name=name, corps=corps).id
        start = date(2020, 1, 1)
        org.appoint(person_id=people["E1"], unit_id=u1, category="C-1", started_on=start)
        org.appoint(person_id=people["E2"], unit_id=u1, category="C-4", started_on=start)
        org.appoint(person_id=people["E3"], unit_id=u2, category="C-4", started_on=start)
        org.appoint(person_id=people["H1"], unit_id=u2, category="C-3", started_on=start)
        for person, head in [("E1", "E0"), ("E2", "E1"), ("E3", "E0"), ("H1", "E0")]:
            org.set_head(person_id=people[person], head_id=people[head], started_on=start)
        org.add_role(body_id=body, person_id=people["E0"], role=Role.APPOINTING_OFFICIAL)
        org.add_role(body_id=body, person_id=people["H1"], role=Role.HR)
        q1 = uow.periods.open(body_id=body, kind=PeriodKind.QUARTER, year=2025, quarter=1).id
        uow.commit()
    return SmallOrg(body, u1, u2, people["E0"], people["E1"], people["E2"], people["E3"], people["H1"], q1)


@pytest.fixture
def small_org(engine: Engine) -> SmallOrg:
    """The small organization in the test's ``engine``."""
    return build_small_org(engine)
