"""The evaluator's world for the sheet tests (issue 10), written row by row on top of ``web_org``.

- ``V1`` (account ``vera``, Kazakh) heads unit ``U1`` and evaluates there: E1's differentiation sheet of Model
  2018's ``2026-Q3`` (open, due in a few days) and ``K1``'s KPI sheet of the same quarter (K1 heads a sub-unit,
  category C-3: the KPI method). K1's work plan of 2026 has three KPIs whose Q3 achievement puts their allowed
  K-4 ranges at 4.75–4.99 (96.5 %), 5.00–5.00 (100 %) and 4.00–4.24 (80 %).
- ``K2``'s yearly ``kpi_count`` sheet of the 2025 Commission cycle (kz-annual-commission-2018) was signed by V1
  and waits for the superior head E0 (account ``erlan``, English) to agree or return it (M-5).
- ``X1`` (account ``xenia``) is an employee of the body with no sheet of anyone: every sheet is 404 to her (R-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from domain.vocabulary import Language
from persistence.models import EvaluationPeriodRow, EvaluationRow
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD_HASH, WebOrg

KPI_RANGES = {"k1": ("4.75", "4.99"), "k2": ("5.00", "5.00"), "k3": ("4.00", "4.24")}
ALL_FIVE = {f"m{i}": True for i in range(1, 6)}


@dataclass(frozen=True)
class SheetWorld:
    differentiation: int
    kpi: int
    count: int
    deadline: date
    vera: int
    xenia: int


def build_sheet_world(engine: Engine, org: WebOrg, today: date) -> SheetWorld:
    """The world of the module's docstring, as of ``today``."""
    deadline = today + timedelta(days=7)
    with UnitOfWork(engine, actor="test") as uow:
        unit = uow.org.add_unit(body_id=org.body, code="U1", name="Бөлім")
        sub = uow.org.add_unit(body_id=org.body, code="U1A", name="Сектор", parent_id=unit.id)
        v1 = uow.org.add_person(body_id=org.body, personnel_number="V1", full_name="Вера Ким")
        k1 = uow.org.add_person(body_id=org.body, personnel_number="K1", full_name="Қанат Бекұлы")
        k2 = uow.org.add_person(body_id=org.body, personnel_number="K2", full_name="Kamila Ospan", language=Language.EN)
        x1 = uow.org.add_person(body_id=org.body, personnel_number="X1", full_name="Ксения Ли", language=Language.RU)
        start = date(2020, 1, 1)
        uow.org.appoint(person_id=v1.id, unit_id=unit.id, category="C-1", started_on=start)
        uow.org.appoint(person_id=org.e0, unit_id=unit.id, category="B-1", started_on=start)
        uow.org.appoint(person_id=org.h1, unit_id=unit.id, category="C-2", started_on=start)
        uow.org.appoint(person_id=org.e1, unit_id=unit.id, category="C-4", started_on=start)
        uow.org.appoint(person_id=k1.id, unit_id=sub.id, category="C-3", started_on=start)
        uow.org.appoint(person_id=k2.id, unit_id=sub.id, category="C-3", started_on=start)
        uow.org.appoint(person_id=x1.id, unit_id=unit.id, category="C-4", started_on=start)
        for person in (org.e1, k1.id, k2.id, x1.id):
            uow.org.set_head(person_id=person, head_id=v1.id, started_on=start)
        uow.org.set_head(person_id=v1.id, head_id=org.e0, started_on=start)
        vera = uow.users.add(login="vera", person_id=v1.id, password_hash=PASSWORD_HASH)
        xenia = uow.users.add(login="xenia", person_id=x1.id, password_hash=PASSWORD_HASH)
        plan = uow.plans.ensure_plan(person_id=k1.id, year=2026)
        for code, name, planned, actual in (
            ("k1", "Өтінімдерді қарау", "100", "96.5"),
            ("k2", "Нормативтік актілер", "10", "10"),
            ("k3", "Оқыту", "50", "40"),
        ):
            kpi = uow.plans.add_kpi(plan, code=code, name=name, unit="дана", planned={"Q3": Decimal(planned)})
            uow.plans.set_value(kpi, period="Q3", actual=Decimal(actual))
        session = uow.session
        quarter = EvaluationPeriodRow(
            body_id=org.body, kind="quarter", year=2026, quarter=3, label="2026-Q3", opened_on=today - timedelta(30)
        )
        year = EvaluationPeriodRow(body_id=org.body, kind="year", year=2025, label="2025", opened_on=date(2026, 1, 5))
        session.add_all([quarter, year])
        session.flush()
        assert quarter.id is not None and year.id is not None
        common = {"period_id": quarter.id, "rulebook_id": "kz-model-2018", "evaluator_id": v1.id, "status": "open"}
        differentiation = EvaluationRow(person_id=org.e1, method="differentiation", deadline=deadline, **common)
        kpi_row = EvaluationRow(person_id=k1.id, method="kpi", deadline=deadline, **common)
        count = EvaluationRow(
            person_id=k2.id,
            period_id=year.id,
            method="kpi_count",
            rulebook_id="kz-annual-commission-2018",
            evaluator_id=v1.id,
            approver_id=org.e0,
            status="submitted",
            deadline=today - timedelta(days=2),
            submitted_on=today - timedelta(days=3),
        )
        session.add_all([differentiation, kpi_row, count])
        session.flush()
        assert differentiation.id is not None and kpi_row.id is not None and count.id is not None
        count_plan = uow.plans.ensure_plan(person_id=k2.id, year=2025)
        for i in range(1, 6):
            uow.plans.add_kpi(count_plan, code=f"m{i}", name=f"KPI {i}", unit="%", planned={"year": Decimal(100)})
        signed_at = datetime.now(UTC) - timedelta(days=3)
        uow.sheets.submit(
            count.id,
            scores=ALL_FIVE,
            submitted_by_id=v1.id,
            submitted_at=signed_at,
            signed_by_id=v1.id,
            signed_at=signed_at,
        )
        uow.commit()
    return SheetWorld(differentiation.id, kpi_row.id, count.id, deadline, vera.id, xenia.id)
