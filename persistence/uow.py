"""The unit of work: one database transaction, its repositories, and its audit rows.

::

    with UnitOfWork(engine, actor="flow:open_period") as uow:
        evaluation, created = uow.evaluations.ensure(new)
        uow.evaluations.update(evaluation.id, status=EvaluationStatus.COMPLETED, score=score, reason="K-5")
        uow.outbox.enqueue(message)
        uow.commit()

Nothing is kept unless ``commit()`` is called: leaving the block (normally or by an exception) rolls back whatever
was not committed. ``uow.audit(...)`` adds an audit row to the same transaction, so a change and its audit row are
kept or lost together (R-4). ``actor`` names who acts (a user login, ``person:<id>``, ``flow:<name>``) and is
recorded on every audit row.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from persistence.models import AuditLogRow
from persistence.models.base import now_utc
from persistence.repositories import (
    AnnualResultRepository,
    AuditRepository,
    CalibrationRepository,
    CommissionRepository,
    EscalationRepository,
    EvaluationRepository,
    OrgRepository,
    OutboxRepository,
    PeriodRepository,
    PlanRepository,
    RetentionRepository,
    RulesRepository,
    SheetRepository,
    SurveyRepository,
    UserRepository,
)


class UnitOfWork:
    """A transaction on ``engine`` with every repository, acting as ``actor``; rolls back unless committed."""

    org: OrgRepository
    rules: RulesRepository
    periods: PeriodRepository
    annual: AnnualResultRepository
    evaluations: EvaluationRepository
    sheets: SheetRepository
    plans: PlanRepository
    surveys: SurveyRepository
    calibration: CalibrationRepository
    commission: CommissionRepository
    outbox: OutboxRepository
    escalations: EscalationRepository
    audit_log: AuditRepository
    users: UserRepository
    retention: RetentionRepository

    def __init__(self, engine: Engine, *, actor: str) -> None:
        if not actor:
            raise ValueError("a unit of work needs an actor (who acts: a login, person:<id>, flow:<name>)")
        self.engine = engine
        self.actor = actor
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = Session(self.engine, expire_on_commit=False, autoflush=True)
        self.org = OrgRepository(self)
        self.rules = RulesRepository(self)
        self.periods = PeriodRepository(self)
        self.annual = AnnualResultRepository(self)
        self.evaluations = EvaluationRepository(self)
        self.sheets = SheetRepository(self)
        self.plans = PlanRepository(self)
        self.surveys = SurveyRepository(self)
        self.calibration = CalibrationRepository(self)
        self.commission = CommissionRepository(self)
        self.outbox = OutboxRepository(self)
        self.escalations = EscalationRepository(self)
        self.audit_log = AuditRepository(self)
        self.users = UserRepository(self)
        self.retention = RetentionRepository(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._session = None

    @property
    def session(self) -> Session:
        """The SQLAlchemy session of this unit of work (persistence-internal: repositories use it)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it as `with UnitOfWork(engine, actor=...) as uow:`")
        return self._session

    @property
    def connection(self) -> sa.Connection:
        """The transaction's connection, for the set-based writes of ``persistence.bulk``."""
        return self.session.connection()

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self.engine.dialect.name

    def commit(self) -> None:
        """Keep everything done so far (the unit of work stays open for more)."""
        self.session.commit()

    def rollback(self) -> None:
        """Undo everything since the last commit."""
        self.session.rollback()

    def audit(
        self,
        entity: str,
        entity_id: object,
        action: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """Append an audit row (R-4) to this transaction: who (``actor``), what, before, after, why."""
        row = AuditLogRow(
            at=now_utc(),
            actor=self.actor,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            before=before,
            after=after,
            reason=reason,
        )
        self.session.add(row)
