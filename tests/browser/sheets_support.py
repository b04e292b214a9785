"""The evaluator's world for the sheet tests (issue 10), written row by row on top of ``web_org``.

- ``V1`` (account ``vera``, Kazakh) heads unit ``U1`` and evaluates there: E1's differentiation sheet of Model
  2018's ``2026-Q3`` (open, due in a few days) and ``K1``'s KPI sheet of the same quarter (K1 heads a sub-unit,
  category C-3: the KPI method). K1's work plan of 2026 has three KPIs whose Q3 achievement puts their allowed
  K-4 ranges at 4.75–4.99 (96.5 %), 5.00–5.00 (100 %) and 4.00–4.24 (80 %).
- ``K2``'s yearly ``kpi_count`` sheet of the 2025 Commission cycle (kz-annual-commission-2018) was signed by V1
  and waits for the superior head E0 (account ``erlan``, English) to agree or return it (M-5).
- ``Q2`` (C-4) is evaluated on form 2 of the quarterly family (kz-quarterly-2026) in the same quarter by E0 (the
  B-1 head of the unit up the chain, Q-1), and was reprimanded in it: the score is capped at 2.99 (Q-3).
  ``K2``'s competencies sheet of 2025 (M-6) is open for V1.
- ``X1`` (account ``xenia``) is an employee of the body with no sheet of anyone: every sheet is 404 to her (R-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from domain.vocabulary import Language, SanctionKind
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
    form2: int
    competencies: int
    deadline: date
    vera: int
    xenia: int


def build_sheet_world(engine: Engine, org: WebOrg, today: date) -> SheetWorld:
    """The world of the module's docstring, as of ``today``."""
    deadline = today + timedelta(days=7)
    with UnitOfWork(engine, actor="test") as uow:
        top = uow.org.add_unit(body_id=org.body, code="U0", name="Басшылық")
        unit = uow.org.add_unit(body_id=org.body, code="U1", name="Бөлім", parent_id=top.id)
        sub = uow.org.add_unit(body_id=org.body, code="U1A", name="Сектор", parent_id=unit.id)
        v1 = uow.org.add_person(body_id=org.body, personnel_number="V1", full_name="Вера Ким")
        k1 = uow.org.add_person(body_id=org.body, personnel_number="K1", full_name="Қанат Бекұлы")
        k2 = uow.org.add_person(body_id=org.body, personnel_number="K2", full_name="Kamila Ospan", language=Language.EN)
        q2 = uow.org.add_person(body_id=org.body, personnel_number="Q2", full_name="Құралай Жанова")
        x1 = uow.org.add_person(body_id=org.body, personnel_number="X1", full_name="Ксения Ли", language=Language.RU)
        start = date(2020, 1, 1)
        uow.org.appoint(person_id=v1.id, unit_id=unit.id, category="C-1", started_on=start)
        uow.org.appoint(person_id=org.e0, unit_id=top.id, category="B-1", started_on=start)
        uow.org.appoint(person_id=org.h1, unit_id=top.id, category="C-2", started_on=start)
        uow.org.appoint(person_id=org.e1, unit_id=unit.id, category="C-4", started_on=start)
        uow.org.appoint(person_id=k1.id, unit_id=sub.id, category="C-3", started_on=start)
        uow.org.appoint(person_id=k2.id, unit_id=sub.id, category="C-3", started_on=start)
        uow.org.appoint(person_id=x1.id, unit_id=unit.id, category="C-4", started_on=start)
        uow.org.appoint(person_id=q2.id, unit_id=unit.id, category="C-4", started_on=start)
        uow.org.add_sanction(person_id=q2.id, kind=SanctionKind.REPRIMAND, imposed_on=date(2026, 8, 3))
        for person in (org.e1, k1.id, k2.id, x1.id, q2.id):
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
        # 003 §16 part 3: the head of the structural unit up the chain, B-1 in this rulebook: E0
        form2 = EvaluationRow(
            person_id=q2.id,
            method="form2",
            deadline=deadline,
            **{**common, "rulebook_id": "kz-quarterly-2026", "evaluator_id": org.e0},
        )
        competencies = EvaluationRow(
            person_id=k2.id,
            period_id=year.id,
            method="competencies",
            rulebook_id="kz-annual-commission-2018",
            evaluator_id=v1.id,
            status="open",
        )
        session.add_all([differentiation, kpi_row, count, form2, competencies])
        session.flush()
        assert differentiation.id and kpi_row.id and count.id and form2.id and competencies.id
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
    return SheetWorld(differentiation.id, kpi_row.id, count.id, form2.id, competencies.id, deadline, vera.id, xenia.id)
