"""Who an evaluation's result is known to (R-2), read from the tables: the facts ``domain.access`` decides on.

:func:`evaluation_parties` gathers, for a batch of evaluations, the people R-2 names — evaluatee, evaluator, the
superior head who reviews the sheet (M-5), the calibration panel of its case (C-5), and, when the Commission
decides it (M-7), the Commission and the appointing official who approves its results — by personnel number.
:func:`person_principal` is a person as ``domain.access`` sees them on a day: number, body and roles. Both are
read models: the decision itself is ``domain.access.visibility``, asked by every door alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from domain.access import EvaluationParties, Principal
from domain.vocabulary import Role
from persistence.audit import AuditTrail
from persistence.models import (
    BodyRoleRow,
    BodyRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    CommissionMemberRow,
    CommissionVoteRow,
    EvaluationPeriodRow,
    EvaluationRow,
    PersonRow,
)
from persistence.repositories.org import OrgRepository

evaluation: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
period: sa.Table = EvaluationPeriodRow.__table__  # type: ignore[attr-defined]
body: sa.Table = BodyRow.__table__  # type: ignore[attr-defined]
person: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
body_role: sa.Table = BodyRoleRow.__table__  # type: ignore[attr-defined]
case: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
case_member: sa.Table = CalibrationMemberRow.__table__  # type: ignore[attr-defined]
commission_vote: sa.Table = CommissionVoteRow.__table__  # type: ignore[attr-defined]
commission_decision: sa.Table = CommissionDecisionRow.__table__  # type: ignore[attr-defined]
commission_meeting: sa.Table = CommissionMeetingRow.__table__  # type: ignore[attr-defined]
commission_member: sa.Table = CommissionMemberRow.__table__  # type: ignore[attr-defined]


def _in_force(table: sa.Table, on: date) -> sa.ColumnElement[bool]:
    """The table's ``started_on`` … ``ended_on`` interval (either end open when NULL) holds ``on``."""
    started, ended = table.c.started_on, table.c.ended_on
    return sa.and_(sa.or_(started.is_(None), started <= on), sa.or_(ended.is_(None), ended >= on))


def evaluation_parties(session: Session, evaluation_ids: Iterable[int], on: date) -> dict[int, EvaluationParties]:
    """Evaluation id → the people R-2 lets see its result (unknown ids are left out)."""
    ids = sorted(set(evaluation_ids))
    if not ids:
        return {}
    query = (
        sa.select(
            evaluation.c.id,
            evaluation.c.person_id,
            evaluation.c.evaluator_id,
            evaluation.c.approver_id,
            evaluation.c.submitted_to_commission_on,
            period.c.body_id,
            body.c.code,
        )
        .join(period, period.c.id == evaluation.c.period_id)
        .join(body, body.c.id == period.c.body_id)
        .where(evaluation.c.id.in_(ids))
    )
    rows = list(session.execute(query))
    if not rows:
        return {}
    bodies = {row.body_id for row in rows}
    members = (
        sa.select(case.c.evaluation_id, case_member.c.person_id)
        .join(case_member, case_member.c.case_id == case.c.id)
        .where(case.c.evaluation_id.in_(ids))
    )
    panel_ids: dict[int, set[int]] = defaultdict(set)
    for evaluation_id, person_id in session.execute(members):
        panel_ids[evaluation_id].add(person_id)
    decided = _commission_evaluations(session, ids)
    by_commission = {row.id for row in rows if row.id in decided or row.submitted_to_commission_on is not None}
    commission_ids = _commissions(session, bodies, on) if by_commission else {}
    official_ids, acting_ids = _deciding_officials(session, ids, on) if by_commission else ({}, {})
    # Only the personnel numbers of the people named: a page of ten evaluations in a body of 10,000 reads ~30 rows.
    named = {key for row in rows for key in (row.person_id, row.evaluator_id, row.approver_id) if key is not None}
    named |= {key for keys in panel_ids.values() for key in keys}
    named |= {key for keys in commission_ids.values() for key in keys} | set(official_ids.values())
    named |= set(acting_ids.values())
    numbers: dict[int, str] = {}
    for chunk in _chunks(sorted(named), 1000):
        lookup = sa.select(person.c.id, person.c.personnel_number).where(person.c.id.in_(chunk))
        numbers.update({row.id: row.personnel_number for row in session.execute(lookup)})
    panels = {key: {numbers[p] for p in keys} for key, keys in panel_ids.items()}
    commission = {key: {numbers[p] for p in keys} for key, keys in commission_ids.items()}
    officials = {key: numbers[p] for key, p in official_ids.items() if p in numbers}
    acting = {key: numbers[p] for key, p in acting_ids.items() if p in numbers}
    return {
        row.id: EvaluationParties(
            body=row.code,
            evaluatee=numbers[row.person_id],
            evaluator=numbers.get(row.evaluator_id) if row.evaluator_id else None,
            approver=numbers.get(row.approver_id) if row.approver_id else None,
            calibration_members=frozenset(panels.get(row.id, ())),
            commission=frozenset(commission.get(row.body_id, ())) if row.id in by_commission else frozenset(),
            deciding_official=officials.get(row.id) if row.id in by_commission else None,
            acting_official=acting.get(row.id) if row.id in by_commission else None,
        )
        for row in rows
    }


def _commission_evaluations(session: Session, ids: list[int]) -> set[int]:
    """The evaluations the Commission has voted or decided on (M-7)."""
    voted = sa.select(commission_vote.c.evaluation_id).where(commission_vote.c.evaluation_id.in_(ids))
    decided = sa.select(commission_decision.c.evaluation_id).where(commission_decision.c.evaluation_id.in_(ids))
    return {int(key) for key in session.execute(sa.union(voted, decided)).scalars()}


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _commissions(session: Session, bodies: set[int], on: date) -> dict[int, set[int]]:
    """Body id → its Commission on ``on`` (person ids): chair, members and secretary (M-7)."""
    query = sa.select(commission_member.c.body_id, commission_member.c.person_id).where(
        commission_member.c.body_id.in_(bodies), _in_force(commission_member, on)
    )
    found: dict[int, set[int]] = defaultdict(set)
    for body_id, person_id in session.execute(query):
        found[body_id].add(person_id)
    return found


def _deciding_officials(session: Session, ids: list[int], on: date) -> tuple[dict[int, int], dict[int, int]]:
    """Evaluation id → the appointing official (person id) who approved the Commission's decision on it, or — while
    the decision awaits approval — the body's appointing official on ``on``, who reads what they approve (M-7);
    and, while it awaits approval, evaluation id → the person acting for that official on ``on`` while they are
    away, who is asked to approve in their stead and reads it too (G-7)."""
    query = (
        sa.select(
            commission_decision.c.evaluation_id, commission_meeting.c.approved_by_id, commission_meeting.c.body_id
        )
        .join(commission_meeting, commission_meeting.c.id == commission_decision.c.meeting_id)
        .where(commission_decision.c.evaluation_id.in_(ids))
    )
    rows = list(session.execute(query))
    waiting = {int(body_id) for _, official, body_id in rows if official is None}
    current: dict[int, int] = {}
    if waiting:
        officials = (
            sa.select(body_role.c.body_id, body_role.c.person_id)
            .where(
                body_role.c.body_id.in_(waiting),
                body_role.c.role == Role.APPOINTING_OFFICIAL.value,
                _in_force(body_role, on),
            )
            .order_by(body_role.c.id)
        )
        for body_id, person_id in session.execute(officials):
            current.setdefault(int(body_id), int(person_id))
    # Read only: a repository for its facts, whose trail records nothing here.
    org = OrgRepository(session, AuditTrail(session, "r-2"))
    stead = {body_id: org.seat_holder(body_id, official, on) for body_id, official in current.items()}
    found: dict[int, int] = {}
    acting: dict[int, int] = {}
    for evaluation_id, official, body_id in rows:
        who = official if official is not None else current.get(int(body_id))
        if who is not None:
            found[int(evaluation_id)] = int(who)
        holder = stead.get(int(body_id)) if official is None else None
        if holder is not None and holder != who:
            acting[int(evaluation_id)] = holder
    return found, acting


def person_principal(session: Session, person_id: int, on: date) -> Principal | None:
    """A person as R-2 sees them on ``on``: personnel number, body and the body roles they hold that day."""
    found = session.execute(
        sa.select(person.c.personnel_number, person.c.body_id, body.c.code)
        .join(body, body.c.id == person.c.body_id)
        .where(person.c.id == person_id)
    ).one_or_none()
    if found is None:
        return None
    roles = session.execute(
        sa.select(body_role.c.role).where(
            body_role.c.person_id == person_id, body_role.c.body_id == found.body_id, _in_force(body_role, on)
        )
    ).scalars()
    return Principal.of_person(found.personnel_number, body=found.code, roles=[Role(role) for role in roles])


def person_principals(session: Session, person_ids: Iterable[int], on: date) -> dict[int, Principal]:
    """:func:`person_principal` for a batch of people, in two queries (unknown ids are left out)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    found = session.execute(
        sa.select(person.c.id, person.c.personnel_number, person.c.body_id, body.c.code)
        .join(body, body.c.id == person.c.body_id)
        .where(person.c.id.in_(ids))
    ).all()
    roles: dict[int, list[Role]] = defaultdict(list)
    query = (
        sa.select(body_role.c.person_id, body_role.c.role)
        .join(person, sa.and_(person.c.id == body_role.c.person_id, person.c.body_id == body_role.c.body_id))
        .where(body_role.c.person_id.in_(ids), _in_force(body_role, on))
        .order_by(body_role.c.id)
    )
    for person_id, role in session.execute(query):
        roles[person_id].append(Role(role))
    return {
        row.id: Principal.of_person(row.personnel_number, body=row.code, roles=roles.get(row.id, [])) for row in found
    }
