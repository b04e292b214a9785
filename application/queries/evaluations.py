"""The evaluations a principal may see (issue 10: "My evaluations" and ``GET /api/v1/evaluations``), as frozen views.

Every view carries the simulation report's field names (``../shared/SCENARIOS.md``: ``employee`` is the personnel
number, ``period``, ``method``, ``eligible`` … ``calibration``) plus the evaluation's ``id`` and ``status``. R-2 is
asked once per batch through :mod:`application.queries.access` (the one predicate, ``domain.access.visibility``):
an evaluation the principal may not see is left out (the door answers 404 and records the refusal); where the
principal sees the progress only, ``score`` and ``category`` — and the calibration's result, the justification and
the application's text — are ``None``.

Reads are set-wise: one query for the page of evaluations, one for their calibration cases, one for the members,
one for the parties R-2 names — never a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from application.context import working_calendar
from application.environment import Environment
from application.queries.access import visibility_of
from domain.access import PROGRESS_ROLES, Principal, Visibility
from domain.deadlines import calibration_schedule, commission_schedule
from domain.periods import Period
from domain.vocabulary import Role
from persistence import annual_state
from persistence.models import (
    AcknowledgementRow,
    AppealRow,
    BodyRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CommissionMemberRow,
    EvaluationPeriodRow,
    EvaluationRow,
    PersonRow,
    RefusalActRow,
    SheetSubmissionRow,
)

evaluation_t: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
period_t: sa.Table = EvaluationPeriodRow.__table__  # type: ignore[attr-defined]
body_t: sa.Table = BodyRow.__table__  # type: ignore[attr-defined]
person_t: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
case_t: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
member_t: sa.Table = CalibrationMemberRow.__table__  # type: ignore[attr-defined]
commission_member_t: sa.Table = CommissionMemberRow.__table__  # type: ignore[attr-defined]
sheet_t: sa.Table = SheetSubmissionRow.__table__  # type: ignore[attr-defined]
ack_t: sa.Table = AcknowledgementRow.__table__  # type: ignore[attr-defined]
act_t: sa.Table = RefusalActRow.__table__  # type: ignore[attr-defined]
appeal_t: sa.Table = AppealRow.__table__  # type: ignore[attr-defined]

PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
PERIOD_FORMS = "a quarter YYYY-Qn (2025-Q1) or a year YYYY (2025)"


class BadPeriod(ValueError):
    """A period that is neither ``YYYY-Qn`` nor ``YYYY`` (the door answers 422 naming the field)."""


def parse_period(label: str) -> str:
    """The canonical label of ``2025-Q1`` / ``2025``; anything else raises :class:`BadPeriod`."""
    try:
        return Period.parse(label.strip()).label
    except (ValueError, KeyError, TypeError):
        raise BadPeriod(f"period {label[:32]!r} is not {PERIOD_FORMS}") from None


@dataclass(frozen=True)
class CalibrationView:
    """The evaluation's calibration case (C-2 … C-7); ``score``/``category`` ``None`` where R-2 withholds them."""

    applied_on: date
    decide_by: date | None
    hold_by: date | None
    members: tuple[str, ...]
    score: Decimal | None
    category: str | None
    protocol_post_by: date | None


@dataclass(frozen=True)
class EvaluationItem:
    """One evaluation as the simulation report names its fields, with its ``id``, ``status`` and who is evaluated."""

    id: int
    employee: str
    full_name: str
    period: str
    method: str
    status: str
    eligible: bool
    ineligible_reason: str | None
    in_absentia: bool
    evaluator: str | None
    notice_sent_on: date | None
    deadline: date | None
    submitted_on: date | None
    score: Decimal | None
    category: str | None
    acquainted_on: date | None
    calibration: CalibrationView | None
    result_visible: bool


@dataclass(frozen=True)
class EvaluationPage:
    """A page of the evaluations a principal may see (keyset on the id: ``next_after`` when there are more)."""

    period: str | None
    evaluations: tuple[EvaluationItem, ...]
    next_after: int | None


@dataclass(frozen=True)
class EvaluationDetail:
    """One evaluation with what its evaluatee needs to act on it (C-1, C-2, M-8, M-9).

    ``disagreement_until`` is the last day of the C-2 window once acquainted; before that,
    ``disagreement_until_if_acknowledged_today`` says where the window would end. ``justification`` is the evaluator's
    reasoning on the current sheet (D-3), ``None`` where R-2 withholds it. The ``may_*`` flags say what the principal
    asking may do now (the actions check the rules again).
    """

    item: EvaluationItem
    evaluator_name: str | None
    review: str  # "calibration" (C-2) or "commission" (M-7)
    completed_on: date | None
    acquaint_by: date | None
    acquaintance_method: str | None
    acknowledged_at: str | None
    disagreement_until: date | None
    disagreement_until_if_acknowledged_today: date | None
    justification: str | None
    application_text: str | None
    refusal_act_on: date | None
    appealed_on: date | None
    appeal_until: date | None
    is_evaluatee: bool
    may_acknowledge: bool
    may_disagree: bool
    may_appeal: bool
    may_draw_up_refusal: bool
    today: date

    @property
    def id(self) -> int:
        return self.item.id


def _candidates(session: Session, principal: Principal) -> sa.ColumnElement[bool] | None:
    """A superset (SQL) of the evaluations ``principal`` may see; the predicate decides each one. ``None``: none."""
    if principal.body is None or principal.person is None and not principal.roles:
        return None
    body_id = session.execute(sa.select(body_t.c.id).where(body_t.c.code == principal.body)).scalar_one_or_none()
    if body_id is None:
        return None
    in_body: sa.ColumnElement[bool] = period_t.c.body_id == body_id
    if principal.roles & (PROGRESS_ROLES | {Role.HR_HEAD}):
        return in_body
    me = session.execute(
        sa.select(person_t.c.id).where(person_t.c.body_id == body_id, person_t.c.personnel_number == principal.person)
    ).scalar_one_or_none()
    if me is None:
        return None
    on_commission = session.execute(
        sa.select(sa.func.count()).where(commission_member_t.c.person_id == me)
    ).scalar_one()
    if on_commission:
        return in_body  # M-7: the Commission's results of the body; the predicate keeps only those it decides
    on_panel = sa.select(case_t.c.evaluation_id).join(member_t, member_t.c.case_id == case_t.c.id)
    return sa.and_(
        in_body,
        sa.or_(
            evaluation_t.c.person_id == me,
            evaluation_t.c.evaluator_id == me,
            evaluation_t.c.approver_id == me,
            evaluation_t.c.id.in_(on_panel.where(member_t.c.person_id == me)),
        ),
    )


def _rows(session: Session, where: sa.ColumnElement[bool], *, after: int | None, limit: int) -> list[Any]:
    evaluator = person_t.alias("evaluator")
    query = (
        sa.select(
            evaluation_t,
            person_t.c.personnel_number,
            person_t.c.full_name,
            evaluator.c.personnel_number.label("evaluator_number"),
            evaluator.c.full_name.label("evaluator_name"),
            period_t.c.label.label("period_label"),
        )
        .select_from(
            evaluation_t.join(period_t, period_t.c.id == evaluation_t.c.period_id)
            .join(person_t, person_t.c.id == evaluation_t.c.person_id)
            .outerjoin(evaluator, evaluator.c.id == evaluation_t.c.evaluator_id)
        )
        .where(where)
        .order_by(evaluation_t.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(evaluation_t.c.id > after)
    return list(session.execute(query).all())


def _cases(session: Session, ids: list[int]) -> tuple[dict[int, Any], dict[int, list[str]]]:
    """Evaluation id → its calibration case; case id → the members' personnel numbers (two queries)."""
    if not ids:
        return {}, {}
    cases = {
        row.evaluation_id: row for row in session.execute(sa.select(case_t).where(case_t.c.evaluation_id.in_(ids)))
    }
    members: dict[int, list[str]] = defaultdict(list)
    if cases:
        query = (
            sa.select(member_t.c.case_id, person_t.c.personnel_number)
            .join(person_t, person_t.c.id == member_t.c.person_id)
            .where(member_t.c.case_id.in_([case.id for case in cases.values()]))
            .order_by(member_t.c.case_id, member_t.c.id)
        )
        for case_id, number in session.execute(query):
            members[case_id].append(number)
    return cases, members


def _item(row: Any, seen: Visibility, case: Any, members: dict[int, list[str]]) -> EvaluationItem:
    result = seen >= Visibility.RESULT
    calibration = None
    if case is not None:
        calibration = CalibrationView(
            applied_on=case.applied_on,
            decide_by=case.decide_by,
            hold_by=case.hold_by,
            members=tuple(members.get(case.id, ())),
            score=case.final_score if result else None,
            category=case.final_category if result else None,
            protocol_post_by=case.protocol_post_by,
        )
    return EvaluationItem(
        id=row.id,
        employee=row.personnel_number,
        full_name=row.full_name,
        period=row.period_label,
        method=row.method,
        status=row.status,
        eligible=row.eligible,
        ineligible_reason=row.ineligible_reason,
        in_absentia=row.in_absentia,
        evaluator=row.evaluator_number,
        notice_sent_on=row.notice_sent_on,
        deadline=row.deadline,
        submitted_on=row.submitted_on,
        score=row.score if result else None,
        category=row.category if result else None,
        acquainted_on=row.acquainted_on,
        calibration=calibration,
        result_visible=result,
    )


def visible_evaluations(
    env: Environment,
    principal: Principal,
    *,
    period: str | None = None,
    mine: bool = False,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> EvaluationPage:
    """The evaluations ``principal`` may see (R-2), of ``period`` (``2025-Q1``, ``2025``) or every period, by id;
    ``mine``: only those of which the principal is the evaluatee. Raises :class:`BadPeriod` for a malformed one."""
    label = parse_period(period) if period is not None else None
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        session = uow.session
        where = _candidates(session, principal)
        if where is None:
            return EvaluationPage(label, (), None)
        if label is not None:
            where = sa.and_(where, period_t.c.label == label)
        if mine:
            where = sa.and_(where, person_t.c.personnel_number == principal.person)
        found: list[EvaluationItem] = []
        cursor = after
        # The predicate may drop rows of the superset: read pages until this one is full or the rows run out.
        while len(found) <= limit:
            rows = _rows(session, where, after=cursor, limit=limit + 1)
            if not rows:
                break
            cursor = rows[-1].id
            seen = visibility_of(env, principal, [row.id for row in rows], today, session=session)
            kept = [row for row in rows if seen.get(row.id, Visibility.NONE) >= Visibility.PROGRESS]
            cases, members = _cases(session, [row.id for row in kept])
            found += [_item(row, seen[row.id], cases.get(row.id), members) for row in kept]
            if len(rows) <= limit:
                break
        more = len(found) > limit
        found = found[:limit]
        return EvaluationPage(label, tuple(found), found[-1].id if more and found else None)


def evaluation_detail(env: Environment, principal: Principal, evaluation_id: int) -> EvaluationDetail | None:
    """Evaluation ``evaluation_id`` as ``principal`` may see it, or ``None`` (it does not exist for them: R-2)."""
    today = env.clock.today()
    seen = visibility_of(env, principal, [evaluation_id], today).get(evaluation_id, Visibility.NONE)
    if seen < Visibility.PROGRESS:
        return None
    result = seen >= Visibility.RESULT
    with env.unit_of_work(principal) as uow:
        session = uow.session
        rows = _rows(session, evaluation_t.c.id == evaluation_id, after=None, limit=1)
        if not rows:
            return None
        row = rows[0]
        cases, members = _cases(session, [evaluation_id])
        case = cases.get(evaluation_id)
        item = _item(row, seen, case, members)
        sheet = session.execute(
            sa.select(sheet_t.c.justification).where(sheet_t.c.evaluation_id == evaluation_id, sheet_t.c.is_current)
        ).first()
        acknowledged = session.execute(
            sa.select(sa.func.min(ack_t.c.acknowledged_at)).where(ack_t.c.evaluation_id == evaluation_id)
        ).scalar_one()
        act_on = session.execute(
            sa.select(sa.func.min(act_t.c.refused_on)).where(act_t.c.evaluation_id == evaluation_id)
        ).scalar_one()
        appealed_on = session.execute(
            sa.select(sa.func.min(appeal_t.c.filed_on)).where(appeal_t.c.evaluation_id == evaluation_id)
        ).scalar_one()
        book = env.rulebooks.get(uow.rules, row.rulebook_id)
        spec = book.method(row.method)
        review = "commission" if spec.review == "commission" else "calibration"
        appeal_until = None
        if spec.review == "commission" and book.commission is not None:
            decision = annual_state.decision_of(session, evaluation_id)
            if decision is not None and decision["approved_on"] is not None:
                # M-9: 10 working days from the Commission's decision, in effect once approved (M-7, decision 0140)
                appeal_until = commission_schedule(
                    Period.parse(row.period_label),
                    spec,
                    book.commission,
                    working_calendar(uow),
                    decided_on=decision["approved_on"],
                ).appeal_by
        window_if_today = None
        calibrated = book.calibration is not None and spec.review == "calibration"
        if calibrated and row.completed_on is not None and row.acquainted_on is None:
            assert book.calibration is not None
            window_if_today = calibration_schedule(
                book.calibration, working_calendar(uow), acquainted_on=today
            ).apply_by
    is_evaluatee = principal.person is not None and principal.person == row.personnel_number
    has_result = row.eligible and row.completed_on is not None
    window_open = (row.disagreement_until is None and window_if_today is not None) or (
        row.disagreement_until is not None and today <= row.disagreement_until
    )
    return EvaluationDetail(
        item=item,
        evaluator_name=row.evaluator_name,
        review=review,
        completed_on=row.completed_on,
        acquaint_by=row.acquaint_by,
        acquaintance_method=row.acquaintance_method,
        acknowledged_at=acknowledged.isoformat() if acknowledged is not None else None,
        disagreement_until=row.disagreement_until,
        disagreement_until_if_acknowledged_today=window_if_today,
        justification=(sheet.justification if sheet is not None else None) if result else None,
        application_text=(case.application_text if case is not None else None) if result else None,
        refusal_act_on=act_on,
        appealed_on=appealed_on,
        appeal_until=appeal_until,
        is_evaluatee=is_evaluatee,
        may_acknowledge=is_evaluatee and has_result and row.acquainted_on is None,
        may_disagree=is_evaluatee and has_result and calibrated and case is None and window_open,
        may_appeal=is_evaluatee
        and has_result
        and review == "commission"
        and appealed_on is None
        and (appeal_until is None or today <= appeal_until),
        may_draw_up_refusal=(
            principal.has(Role.HR) and review == "commission" and has_result and row.acquainted_on is None
        ),
        today=today,
    )
