"""Read models and set-based queries the flows, the services and the simulation report need.

Everything here runs inside a unit of work (``uow.session``) and returns plain values or small frozen records;
the repositories of ``persistence.repositories`` stay the way to change a single row. These are the questions a
daily sweep asks of a whole body at once ("which open evaluations have a reminder today?"), answered by one
indexed query each, so that a day with nothing due costs a handful of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from domain.vocabulary import CalibrationStatus, EvaluationStatus, Language, PeriodKind
from persistence.models import (
    AnnualResultRow,
    AuditLogRow,
    BodyRoleRow,
    BodyRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    EscalationRow,
    EvaluationPeriodRow,
    EvaluationRow,
    OutboxMessageRow,
    PersonRow,
    SanctionRow,
)

evaluation: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
period_table: sa.Table = EvaluationPeriodRow.__table__  # type: ignore[attr-defined]
outbox: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
case_table: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
person: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
escalation: sa.Table = EscalationRow.__table__  # type: ignore[attr-defined]
audit: sa.Table = AuditLogRow.__table__  # type: ignore[attr-defined]
annual_table: sa.Table = AnnualResultRow.__table__  # type: ignore[attr-defined]

#: Statuses of an evaluation whose sheet is still expected from the evaluator.
AWAITING_SHEET = (EvaluationStatus.OPEN.value, EvaluationStatus.RETURNED.value)
#: Statuses in which a result exists and acquaintance (C-1) is pending.
AWAITING_ACQUAINTANCE = (EvaluationStatus.COMPLETED.value,)


@dataclass(frozen=True, slots=True)
class PersonInfo:
    number: str
    name: str
    language: Language


def body_ids(session: Session) -> list[int]:
    return list(session.execute(sa.select(BodyRow.id).order_by(BodyRow.id)).scalars())


def people(session: Session, body_id: int) -> dict[int, PersonInfo]:
    """Person id → personnel number, name and language, for a whole body."""
    query = sa.select(person.c.id, person.c.personnel_number, person.c.full_name, person.c.language).where(
        person.c.body_id == body_id
    )
    return {
        row.id: PersonInfo(row.personnel_number, row.full_name, Language(row.language))
        for row in session.execute(query)
    }


def role_holders(session: Session, body_id: int, role: str, on: date) -> list[int]:
    query = (
        sa.select(BodyRoleRow.person_id)
        .where(
            BodyRoleRow.body_id == body_id,
            BodyRoleRow.role == role,
            sa.or_(BodyRoleRow.started_on.is_(None), BodyRoleRow.started_on <= on),  # type: ignore[union-attr, operator]
            sa.or_(BodyRoleRow.ended_on.is_(None), BodyRoleRow.ended_on >= on),  # type: ignore[union-attr, operator]
        )
        .order_by(BodyRoleRow.id)
    )
    return list(dict.fromkeys(session.execute(query).scalars()))


# --- periods -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodRow:
    id: int
    body_id: int
    kind: PeriodKind
    year: int
    quarter: int | None
    label: str
    status: str


def periods(session: Session, *, body_id: int | None = None, status: str | None = "open") -> list[PeriodRow]:
    """Evaluation periods (cycles), oldest first; by default the open ones of every body."""
    query = sa.select(period_table)
    if body_id is not None:
        query = query.where(period_table.c.body_id == body_id)
    if status is not None:
        query = query.where(period_table.c.status == status)
    query = query.order_by(period_table.c.body_id, period_table.c.year, period_table.c.quarter)
    return [
        PeriodRow(r.id, r.body_id, PeriodKind(r.kind), r.year, r.quarter, r.label, r.status)
        for r in session.execute(query)
    ]


def evaluation_count(session: Session, period_id: int) -> int:
    query = sa.select(sa.func.count()).select_from(evaluation).where(evaluation.c.period_id == period_id)
    return int(session.execute(query).scalar_one())


def marked(session: Session, entity: str, entity_id: object, action: str) -> bool:
    """Whether the audit log holds ``action`` on ``entity`` ``entity_id`` (a step done once, e.g. a period opened)."""
    query = (
        sa.select(sa.literal(1))
        .select_from(audit)
        .where(audit.c.entity == entity, audit.c.entity_id == str(entity_id), audit.c.action == action)
        .limit(1)
    )
    return session.execute(query).first() is not None


def marks(session: Session, entity: str, action: str, entity_ids: Iterable[object] | None = None) -> dict[str, Any]:
    """``entity_id → after`` of every audit row with this entity and action (the latest one wins)."""
    query = sa.select(audit.c.entity_id, audit.c.after).where(audit.c.entity == entity, audit.c.action == action)
    if entity_ids is not None:
        query = query.where(audit.c.entity_id.in_([str(key) for key in entity_ids]))
    return {row.entity_id: row.after for row in session.execute(query.order_by(audit.c.id))}


def annual_results(session: Session) -> list[Mapping[str, Any]]:
    """Every annual final score (P-3), by id."""
    return list(session.execute(sa.select(annual_table).order_by(annual_table.c.id)).mappings())


# --- evaluations ---------------------------------------------------------------------------------------------


def evaluations(
    session: Session,
    *,
    body_id: int | None = None,
    period_id: int | None = None,
    person_id: int | None = None,
    statuses: Sequence[str] | None = None,
    eligible: bool | None = None,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[Mapping[str, Any]]:
    """Evaluation rows (as mappings, with the period's label, kind, year, quarter and body), by id."""
    query = sa.select(
        evaluation,
        period_table.c.label.label("period_label"),
        period_table.c.kind.label("period_kind"),
        period_table.c.year.label("period_year"),
        period_table.c.quarter.label("period_quarter"),
        period_table.c.body_id.label("body_id"),
    ).join(period_table, period_table.c.id == evaluation.c.period_id)
    if body_id is not None:
        query = query.where(period_table.c.body_id == body_id)
    if period_id is not None:
        query = query.where(evaluation.c.period_id == period_id)
    if person_id is not None:
        query = query.where(evaluation.c.person_id == person_id)
    if statuses is not None:
        query = query.where(evaluation.c.status.in_(list(statuses)))
    if eligible is not None:
        query = query.where(evaluation.c.eligible.is_(eligible))
    for condition in where:
        query = query.where(condition)
    return list(session.execute(query.order_by(evaluation.c.id)).mappings())


def sanctions_between(session: Session, person_id: int, first: date, last: date) -> list[str]:
    """The kinds of the sanctions imposed on a person from ``first`` to ``last`` (Q-3)."""
    query = sa.select(SanctionRow.kind).where(
        SanctionRow.person_id == person_id, SanctionRow.imposed_on >= first, SanctionRow.imposed_on <= last
    )
    return list(session.execute(query.order_by(SanctionRow.imposed_on)).scalars())


# --- outbox --------------------------------------------------------------------------------------------------


def delivered(
    session: Session, *, kinds: Sequence[str], evaluation_ids: Iterable[int] | None = None
) -> list[Mapping[str, Any]]:
    """Delivered outbox rows of ``kinds`` (with their proof), by id."""
    query = sa.select(outbox).where(outbox.c.kind.in_(list(kinds)), outbox.c.status == "delivered")
    if evaluation_ids is not None:
        query = query.where(outbox.c.evaluation_id.in_(list(evaluation_ids)))
    return list(session.execute(query.order_by(outbox.c.id)).mappings())


def all_delivered(session: Session) -> list[Mapping[str, Any]]:
    """Every delivered outbox row (the simulation report's notifications), by id."""
    return list(
        session.execute(sa.select(outbox).where(outbox.c.status == "delivered").order_by(outbox.c.id)).mappings()
    )


# --- calibration ---------------------------------------------------------------------------------------------


def open_cases(session: Session, body_id: int | None = None) -> list[int]:
    """Ids of calibration cases not closed yet (of a body, or all)."""
    query = sa.select(case_table.c.id).where(case_table.c.status != CalibrationStatus.CLOSED.value)
    if body_id is not None:
        query = (
            query.join(evaluation, evaluation.c.id == case_table.c.evaluation_id)
            .join(period_table, period_table.c.id == evaluation.c.period_id)
            .where(period_table.c.body_id == body_id)
        )
    return list(session.execute(query.order_by(case_table.c.id)).scalars())


def case_rows(session: Session) -> list[Mapping[str, Any]]:
    return list(session.execute(sa.select(case_table).order_by(case_table.c.id)).mappings())


def case_members(session: Session) -> dict[int, list[int]]:
    """Case id → member person ids, in the order of the composition."""
    query = sa.select(CalibrationMemberRow.case_id, CalibrationMemberRow.person_id).order_by(CalibrationMemberRow.id)
    found: dict[int, list[int]] = {}
    for case_id, person_id in session.execute(query):
        found.setdefault(case_id, []).append(person_id)
    return found


def case_votes(session: Session, case_id: int) -> list[tuple[int, Decimal, date]]:
    query = (
        sa.select(CalibrationVoteRow.person_id, CalibrationVoteRow.score, CalibrationVoteRow.voted_on)
        .where(CalibrationVoteRow.case_id == case_id)
        .order_by(CalibrationVoteRow.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


# --- escalations ---------------------------------------------------------------------------------------------


def escalation_rows(session: Session) -> list[Mapping[str, Any]]:
    return list(session.execute(sa.select(escalation).order_by(escalation.c.id)).mappings())


def body_of_case(session: Session, case_id: int) -> int:
    """The body a calibration case belongs to."""
    query = (
        sa.select(period_table.c.body_id)
        .select_from(case_table)
        .join(evaluation, evaluation.c.id == case_table.c.evaluation_id)
        .join(period_table, period_table.c.id == evaluation.c.period_id)
        .where(case_table.c.id == case_id)
    )
    return int(session.execute(query).scalar_one())
