"""Set-based reads the cycle steps, the actions and the read models (``application.queries``) need.

Everything here runs inside a unit of work (``uow.session``) and returns plain values or small frozen records;
the repositories of ``persistence.repositories`` stay the way to change a single row. These are the questions a
daily sweep asks of a whole body at once ("which open evaluations have a reminder today?"), answered by one
indexed query each, so that a day with nothing due costs a handful of queries. Nothing here reads the audit log:
what a step has done is in columns and tables (``opened_on``, ``commission_opened_on``, ``survey_360_cycle`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from domain.vocabulary import CalibrationStatus, EvaluationStatus, Language, PeriodKind
from persistence.models import (
    AnnualResultRow,
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
    SheetReviewRow,
    Survey360Row,
    SurveyRespondentRow,
)
from persistence.models.base import table_of

evaluation = table_of(EvaluationRow)
period_table = table_of(EvaluationPeriodRow)
outbox = table_of(OutboxMessageRow)
case_table = table_of(CalibrationCaseRow)
person = table_of(PersonRow)
escalation = table_of(EscalationRow)
annual_table = table_of(AnnualResultRow)
body_table = table_of(BodyRow)
body_role = table_of(BodyRoleRow)
sanction = table_of(SanctionRow)
case_member = table_of(CalibrationMemberRow)
case_vote = table_of(CalibrationVoteRow)
survey_table = table_of(Survey360Row)
respondent_table = table_of(SurveyRespondentRow)
review_table = table_of(SheetReviewRow)

#: Statuses of an evaluation whose sheet is still expected from the evaluator.
AWAITING_SHEET = (EvaluationStatus.OPEN.value, EvaluationStatus.RETURNED.value)
#: Statuses in which a result exists and acquaintance (C-1) is pending.
AWAITING_ACQUAINTANCE = (EvaluationStatus.COMPLETED.value,)


def _rows(result: sa.Result[Any]) -> list[Mapping[str, Any]]:
    """The rows of a result as mappings (column name → value)."""
    return cast(list[Mapping[str, Any]], result.mappings().all())


@dataclass(frozen=True, slots=True)
class PersonInfo:
    number: str
    name: str
    language: Language


def body_ids(session: Session) -> list[int]:
    return [int(key) for key in session.execute(sa.select(body_table.c.id).order_by(body_table.c.id)).scalars()]


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
        sa.select(body_role.c.person_id)
        .where(
            body_role.c.body_id == body_id,
            body_role.c.role == role,
            sa.or_(body_role.c.started_on.is_(None), body_role.c.started_on <= on),
            sa.or_(body_role.c.ended_on.is_(None), body_role.c.ended_on >= on),
        )
        .order_by(body_role.c.id)
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


def annual_results(session: Session) -> list[Mapping[str, Any]]:
    """Every annual final score (P-3), by id."""
    return _rows(session.execute(sa.select(annual_table).order_by(annual_table.c.id)))


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
    return _rows(session.execute(query.order_by(evaluation.c.id)))


def last_returned_on(
    session: Session, *, statuses: Sequence[str], eligible: bool, where: Sequence[sa.ColumnElement[bool]] = ()
) -> dict[int, date]:
    """Evaluation id → the day its sheet was last returned for correction (M-5), for the evaluations
    :func:`evaluations` gives with the same filters that were ever returned: one query whatever their number."""
    chosen = sa.select(evaluation.c.id).where(
        evaluation.c.status.in_(list(statuses)), evaluation.c.eligible.is_(eligible), *where
    )
    query = (
        sa.select(review_table.c.evaluation_id, sa.func.max(review_table.c.decided_on).label("returned_on"))
        .where(review_table.c.decision == "return", review_table.c.evaluation_id.in_(chosen))
        .group_by(review_table.c.evaluation_id)
    )
    return {row.evaluation_id: row.returned_on for row in session.execute(query)}


def case_windows(session: Session, statuses: Iterable[CalibrationStatus]) -> list[Mapping[str, Any]]:
    """The calibration cases in ``statuses``, by id, each with the events and dates of its windows (C-3, C-4, C-7:
    ``applied_on``, ``decide_by``, ``decided_on``, ``hold_by``, ``held_on``, ``protocol_signed_on``,
    ``protocol_post_by``, ``posted_on``) and its evaluation's ``rulebook_id``, ``person_id``, ``method``, period
    ``period_label`` and ``body_id``: one query whatever their number (no composition or votes read)."""
    dates = ["applied_on", "decide_by", "decided_on", "hold_by", "held_on", "protocol_signed_on"]
    dates += ["protocol_post_by", "posted_on"]
    query = (
        sa.select(
            case_table.c.id,
            *(case_table.c[name] for name in dates),
            evaluation.c.rulebook_id,
            evaluation.c.person_id,
            evaluation.c.method,
            period_table.c.label.label("period_label"),
            period_table.c.body_id.label("body_id"),
        )
        .join(evaluation, evaluation.c.id == case_table.c.evaluation_id)
        .join(period_table, period_table.c.id == evaluation.c.period_id)
        .where(case_table.c.status.in_([status.value for status in statuses]))
        .order_by(case_table.c.id)
    )
    return _rows(session.execute(query))


def rulebook_ids(
    session: Session,
    *,
    body_id: int,
    statuses: Sequence[str],
    eligible: bool = True,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[str]:
    """The distinct rulebooks of a body's evaluations in ``statuses`` (one aggregate, whatever their number): a
    step asks them first and reads the rows only if one of those rulebooks gives it something to do."""
    query = (
        sa.select(sa.distinct(evaluation.c.rulebook_id))
        .join(period_table, period_table.c.id == evaluation.c.period_id)
        .where(
            period_table.c.body_id == body_id,
            evaluation.c.status.in_(list(statuses)),
            evaluation.c.eligible.is_(eligible),
            *where,
        )
    )
    return sorted(session.execute(query).scalars())


def sanctions_between(session: Session, person_id: int, first: date, last: date) -> list[str]:
    """The kinds of the sanctions imposed on a person from ``first`` to ``last`` (Q-3)."""
    query = sa.select(sanction.c.kind).where(
        sanction.c.person_id == person_id, sanction.c.imposed_on >= first, sanction.c.imposed_on <= last
    )
    return list(session.execute(query.order_by(sanction.c.imposed_on)).scalars())


# --- outbox --------------------------------------------------------------------------------------------------


def delivered(
    session: Session, *, kinds: Sequence[str], evaluation_ids: Iterable[int] | None = None
) -> list[Mapping[str, Any]]:
    """Delivered outbox rows of ``kinds`` (with their proof), by id."""
    query = sa.select(outbox).where(outbox.c.kind.in_(list(kinds)), outbox.c.status == "delivered")
    if evaluation_ids is not None:
        query = query.where(outbox.c.evaluation_id.in_(list(evaluation_ids)))
    return _rows(session.execute(query.order_by(outbox.c.id)))


def all_delivered(session: Session) -> list[Mapping[str, Any]]:
    """Every delivered outbox row (the simulation report's notifications), by id."""
    return _rows(session.execute(sa.select(outbox).where(outbox.c.status == "delivered").order_by(outbox.c.id)))


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
    return _rows(session.execute(sa.select(case_table).order_by(case_table.c.id)))


def case_members(session: Session) -> dict[int, list[int]]:
    """Case id → member person ids, in the order of the composition."""
    query = sa.select(case_member.c.case_id, case_member.c.person_id).order_by(case_member.c.id)
    found: dict[int, list[int]] = {}
    for case_id, person_id in session.execute(query):
        found.setdefault(case_id, []).append(person_id)
    return found


def case_votes(session: Session, case_id: int) -> list[tuple[int, Decimal, date]]:
    query = (
        sa.select(case_vote.c.person_id, case_vote.c.score, case_vote.c.voted_on)
        .where(case_vote.c.case_id == case_id)
        .order_by(case_vote.c.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


# --- escalations ---------------------------------------------------------------------------------------------


def escalation_rows(session: Session) -> list[Mapping[str, Any]]:
    return _rows(session.execute(sa.select(escalation).order_by(escalation.c.id)))


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
