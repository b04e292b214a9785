"""Set-based reads for the documents and exports (issue 15): where people worked, acts, the Commission, the audit log.

``application.queries.documents`` builds the document views from these and from the repositories; everything here
runs inside a unit of work (``uow.session``) and answers one batch question with one indexed query, so that the
results export of 10,000 evaluations costs a handful of queries, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from persistence.models import (
    AppointmentRow,
    AuditLogRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CommissionMemberRow,
    EvaluationPeriodRow,
    EvaluationRow,
    PersonRow,
    PositionRow,
    RefusalActRow,
    UnitRow,
)
from persistence.models.base import table_of

appointment = table_of(AppointmentRow)
position = table_of(PositionRow)
unit = table_of(UnitRow)
person = table_of(PersonRow)
refusal = table_of(RefusalActRow)
commission_member = table_of(CommissionMemberRow)
audit = table_of(AuditLogRow)
evaluation = table_of(EvaluationRow)
period = table_of(EvaluationPeriodRow)
case = table_of(CalibrationCaseRow)
case_member = table_of(CalibrationMemberRow)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a person worked on a day: the position's title and category code, and the unit's name."""

    title: str = ""
    category: str = ""
    unit: str = ""


def placements(session: Session, person_ids: Iterable[int], on: date) -> dict[int, Placement]:
    """Person id → their appointment on ``on`` (else the last one begun before it, else their first): E-1's history
    read the way a document names a person — as they were placed in the period the document is about."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    query = (
        sa.select(
            appointment.c.person_id,
            appointment.c.started_on,
            appointment.c.ended_on,
            position.c.title,
            position.c.category,
            unit.c.name,
        )
        .join(position, position.c.id == appointment.c.position_id)
        .join(unit, unit.c.id == position.c.unit_id)
        .order_by(appointment.c.person_id, appointment.c.started_on, appointment.c.id)
    )
    if len(ids) <= 1000:
        query = query.where(appointment.c.person_id.in_(ids))
    wanted = set(ids)
    best: dict[int, tuple[int, Placement]] = {}
    for row in session.execute(query):
        if row.person_id not in wanted:
            continue
        if row.started_on <= on and (row.ended_on is None or row.ended_on >= on):
            rank = 3  # in force on the day
        elif row.started_on <= on:
            rank = 2  # the latest begun before the day (a later one overrides: rows come in start order)
        else:
            rank = 1  # begun after the day: only when nothing earlier exists
        found = best.get(row.person_id)
        if found is None or rank > found[0] or (rank == found[0] and rank >= 2):
            best[row.person_id] = (rank, Placement(row.title, row.category, row.name))
    return {key: value[1] for key, value in best.items()}


def names(session: Session, person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Person id → (personnel number, full name)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    query = sa.select(person.c.id, person.c.personnel_number, person.c.full_name).where(person.c.id.in_(ids))
    return {row.id: (row.personnel_number, row.full_name) for row in session.execute(query)}


def refusal_act(session: Session, evaluation_id: int) -> Mapping[str, Any] | None:
    """M-8: the (latest) act of refusal drawn up for an evaluation, if any."""
    query = sa.select(refusal).where(refusal.c.evaluation_id == evaluation_id).order_by(refusal.c.id.desc()).limit(1)
    found = session.execute(query).mappings().first()
    return cast(Mapping[str, Any] | None, found)


@dataclass(frozen=True, slots=True)
class CommissionSeat:
    person_id: int
    is_chair: bool
    is_secretary: bool


def commission_seats(session: Session, body_id: int, on: date) -> list[CommissionSeat]:
    """M-7: the body's Commission on ``on`` — chair first, then the members, the secretary last."""
    started, ended = commission_member.c.started_on, commission_member.c.ended_on
    query = sa.select(commission_member).where(
        commission_member.c.body_id == body_id,
        sa.or_(started.is_(None), started <= on),
        sa.or_(ended.is_(None), ended >= on),
    )
    seats = [CommissionSeat(r.person_id, r.is_chair, r.is_secretary) for r in session.execute(query.order_by("id"))]
    return sorted(seats, key=lambda seat: (not seat.is_chair, seat.is_secretary))


def period_ids(session: Session, body_id: int, labels: Sequence[str]) -> list[int]:
    """The ids of the body's periods with these labels."""
    query = sa.select(period.c.id).where(period.c.body_id == body_id, period.c.label.in_(list(labels)))
    return list(session.execute(query.order_by(period.c.id)).scalars())


def labels_of_year(session: Session, body_id: int, year: int) -> list[str]:
    """Every period label of the body in ``year`` (the year itself and its quarters), in order."""
    query = (
        sa.select(period.c.label)
        .where(period.c.body_id == body_id, period.c.year == year)
        .order_by(period.c.quarter.nulls_last())
    )
    return list(session.execute(query).scalars())


def cases_of(session: Session, evaluation_ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
    """Evaluation id → its calibration case row (C-2), for a batch (chunked: a long IN list stays bounded)."""
    found: dict[int, Mapping[str, Any]] = {}
    for chunk in _chunks(evaluation_ids):
        query = sa.select(case).where(case.c.evaluation_id.in_(chunk))
        found.update({row["evaluation_id"]: row for row in session.execute(query).mappings()})
    return found


def members_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[int]]:
    """Case id → member person ids, in the order of the composition."""
    found: dict[int, list[int]] = {}
    for chunk in _chunks(case_ids):
        query = sa.select(case_member.c.case_id, case_member.c.person_id).where(case_member.c.case_id.in_(chunk))
        for case_id, person_id in session.execute(query.order_by(case_member.c.id)):
            found.setdefault(case_id, []).append(person_id)
    return found


def audit_rows(
    session: Session,
    *,
    entity: str | None = None,
    entity_ids: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100_000,
) -> list[Mapping[str, Any]]:
    """R-4: audit rows in order, filtered by entity, entity ids and instants (``until`` exclusive)."""
    query = sa.select(audit)
    if entity is not None:
        query = query.where(audit.c.entity == entity)
    if entity_ids is not None:
        query = query.where(audit.c.entity_id.in_(list(entity_ids)))
    if since is not None:
        query = query.where(audit.c.at >= since)
    if until is not None:
        query = query.where(audit.c.at < until)
    return cast(list[Mapping[str, Any]], list(session.execute(query.order_by(audit.c.id).limit(limit)).mappings()))


def _chunks(keys: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    items = list(keys)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sanctions_in(session: Session, person_id: int, first: date, last: date) -> list[tuple[str, date]]:
    """Q-3: the sanctions imposed on a person from ``first`` to ``last``, as (kind, imposed on), in order."""
    from persistence.models import SanctionRow

    table = table_of(SanctionRow)
    query = (
        sa.select(table.c.kind, table.c.imposed_on)
        .where(table.c.person_id == person_id, table.c.imposed_on >= first, table.c.imposed_on <= last)
        .order_by(table.c.imposed_on)
    )
    return [(row.kind, row.imposed_on) for row in session.execute(query)]
