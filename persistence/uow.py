"""The unit of work: one database transaction, its repositories, and its audit rows.

::

    with UnitOfWork(engine, actor="flow:open_period") as uow:
        evaluation, created = uow.evaluations.ensure(new)
        uow.evaluations.update(evaluation.id, status=EvaluationStatus.COMPLETED, score=score, reason="K-5")
        uow.outbox.enqueue(message)
        uow.commit()

Nothing is kept unless ``commit()`` is called: leaving the block (normally or by an exception) rolls back whatever
was not committed. The unit of work builds every repository with its session and its audit trail
(``persistence.audit.AuditTrail``): ``uow.audit(...)`` and the repositories' own audit rows go into the same
transaction, so a change and its audit row are kept or lost together (R-4). ``actor`` names who acts (a user login,
``person:<number>``, ``flow:<name>``; the application passes ``Principal.actor``) and is recorded on every audit row.
On PostgreSQL the unit of work also declares it to the database (``bagalau.actor``, transaction-local) and the
audit log's trigger takes actor and time from there, not from the row (issue 12).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from persistence.audit import AuditTrail
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
    trail: AuditTrail

    def __init__(self, engine: Engine, *, actor: str) -> None:
        if not actor:
            raise ValueError("a unit of work needs an actor (who acts: a login, person:<id>, flow:<name>)")
        self.engine = engine
        self.actor = actor
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = Session(self.engine, expire_on_commit=False, autoflush=True)
        if self.engine.dialect.name == "postgresql":
            sa.event.listen(session, "after_begin", self._declare_actor)
        self._open(session)
        return self

    def _declare_actor(self, _session: Session, _transaction: object, connection: sa.Connection) -> None:
        """Name the actor to the database for this transaction: the audit log's trigger stamps every row with it
        (and the time with the transaction's ``now()``), whatever the row says (issue 12, docs/decisions/0064)."""
        connection.execute(sa.text("SELECT set_config('bagalau.actor', :actor, true)"), {"actor": self.actor})

    def act_as_retention(self) -> None:
        """Switch this transaction to the retention role (``<app role>_retention``, PostgreSQL): the only role that
        may delete documents such as signed sheets (R-1). Only when the transaction runs as the application role
        (an owner's session keeps its own rights); the switch ends with the transaction."""
        if self.dialect != "postgresql":
            return
        connection = self.connection
        acting = str(connection.exec_driver_sql("SELECT current_user").scalar_one())
        if acting.endswith("_retention"):
            return
        retention = f"{acting}_retention"
        exists = connection.execute(sa.text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": retention})
        if exists.first() is not None:
            connection.exec_driver_sql(f'SET LOCAL ROLE "{retention}"')

    def _open(self, session: Session) -> None:
        """Bind the repositories to ``session`` and this unit's audit trail."""
        self._session = session
        self.trail = AuditTrail(session, self.actor)
        self.org = OrgRepository(session, self.trail)
        self.rules = RulesRepository(session, self.trail)
        self.periods = PeriodRepository(session, self.trail)
        self.annual = AnnualResultRepository(session, self.trail)
        self.evaluations = EvaluationRepository(session, self.trail)
        self.sheets = SheetRepository(session, self.trail)
        self.plans = PlanRepository(session, self.trail)
        self.surveys = SurveyRepository(session, self.trail)
        self.calibration = CalibrationRepository(session, self.trail)
        self.commission = CommissionRepository(session, self.trail)
        self.outbox = OutboxRepository(session, self.trail)
        self.escalations = EscalationRepository(session, self.trail)
        self.audit_log = AuditRepository(session, self.trail)
        self.users = UserRepository(session, self.trail)
        self.retention = RetentionRepository(session, self.trail)

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
        self.trail.record(entity, entity_id, action, before=before, after=after, reason=reason)


class BorrowedUnitOfWork(UnitOfWork):
    """The repositories over a session another unit of work (or a caller) owns — a read model built inside the
    owner's transaction, where a second transaction would wait for the first on SQLite. It never commits, rolls
    back nor closes: the owner does."""

    def __init__(self, session: Session, *, actor: str) -> None:
        super().__init__(session.get_bind(), actor=actor)  # type: ignore[arg-type]
        self._borrowed = session

    def __enter__(self) -> Self:
        self._open(self._borrowed)
        return self

    def __exit__(self, *exc: object) -> None:
        self._session = None
