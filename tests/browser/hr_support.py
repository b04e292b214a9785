"""A small cycle in the test body for the HR dashboard's tests (issue 14), written row by row so that every figure
of the board is known in advance.

On top of ``web_org`` (E1 employee, H1 HR head with account ``dana``, E0 appointing official, admin ``root``):
``S1`` is HR staff (not the head) with account ``saule``; period ``2025-Q1`` is opened; E1's evaluation by E0 is
open, its sheet overdue since yesterday and escalated to level 2; E0's evaluation is completed with a score
(``4.2500 effective``) and has a sheet; a third person ``P1`` is ineligible (``probation``); E1's legal notice is a
dead letter; E0 disagreed and a calibration case waits for its composition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from domain.vocabulary import Role
from persistence.models import (
    CalibrationCaseRow,
    EscalationRow,
    EvaluationPeriodRow,
    EvaluationRow,
    OutboxMessageRow,
    SheetSubmissionRow,
)
from persistence.uow import UnitOfWork
from tests.browser.conftest import PASSWORD_HASH, WebOrg

SCORE = Decimal("4.2500")


@dataclass(frozen=True)
class HrWorld:
    period: int
    e1_evaluation: int
    e0_evaluation: int
    ineligible: int
    dead_letter: int
    saule: int
    today: date


def build_hr_world(engine: Engine, org: WebOrg, today: date) -> HrWorld:
    """The cycle described in the module's docstring, as of ``today``."""
    now = datetime.now(UTC)
    with UnitOfWork(engine, actor="test") as uow:
        s1 = uow.org.add_person(body_id=org.body, personnel_number="S1", full_name="Сәуле Мұратова")
        p1 = uow.org.add_person(body_id=org.body, personnel_number="P1", full_name="Probation Person")
        uow.org.add_role(body_id=org.body, person_id=s1.id, role=Role.HR)
        saule = uow.users.add(login="saule", person_id=s1.id, roles=[Role.HR], password_hash=PASSWORD_HASH)
        session = uow.session
        period = EvaluationPeriodRow(
            body_id=org.body, kind="quarter", year=2025, quarter=1, label="2025-Q1", opened_on=today - timedelta(10)
        )
        session.add(period)
        session.flush()
        assert period.id is not None
        common = {"period_id": period.id, "method": "differentiation", "rulebook_id": "kz-model-2018"}
        e1 = EvaluationRow(
            person_id=org.e1,
            evaluator_id=org.e0,
            status="open",
            deadline=today - timedelta(days=1),
            notice_due_on=today,
            **common,
        )
        e0 = EvaluationRow(
            person_id=org.e0,
            evaluator_id=org.h1,
            status="in_calibration",
            deadline=today - timedelta(days=3),
            submitted_on=today - timedelta(days=4),
            completed_on=today - timedelta(days=4),
            acquainted_on=today - timedelta(days=2),
            score=SCORE,
            category="effective",
            **common,
        )
        p1_row = EvaluationRow(
            person_id=p1.id, status="ineligible", eligible=False, ineligible_reason="probation", **common
        )
        session.add_all([e1, e0, p1_row])
        session.flush()
        assert e1.id is not None and e0.id is not None and p1_row.id is not None
        session.add_all(
            [
                EscalationRow(
                    evaluation_id=e1.id,
                    about_person_id=org.e0,
                    to_person_id=org.h1,
                    kind="overdue_sheet",
                    level=level,
                    escalated_on=today - timedelta(days=1),
                )
                for level in (1, 2)
            ]
        )
        session.add(
            SheetSubmissionRow(
                evaluation_id=e0.id,
                version=1,
                submitted_by_id=org.h1,
                submitted_at=now - timedelta(days=4),
                scores={"quality": 4},
                content_hash="a" * 64,
            )
        )
        session.add(
            CalibrationCaseRow(
                evaluation_id=e0.id,
                applied_on=today - timedelta(days=1),
                decide_by=today + timedelta(days=2),
                hold_by=today + timedelta(days=8),
            )
        )
        letter = OutboxMessageRow(
            idempotency_key=f"notice:{e1.id}",
            body_id=org.body,
            recipient_person_id=org.e1,
            kind="evaluation_notice",
            evaluation_id=e1.id,
            due_at=now - timedelta(days=1),
            next_attempt_at=now - timedelta(hours=1),
            status="dead",
            attempts=5,
            last_error="smtp: connection refused",
        )
        session.add(letter)
        session.flush()
        assert letter.id is not None
        uow.commit()
    return HrWorld(period.id, e1.id, e0.id, p1_row.id, letter.id, saule.id, today)
