"""The cycle board of a body and period (issue 14): what HR follows every day, read set-wise, as frozen views.

:func:`board` sends eight statements whatever the size of the body (decision 0190): the per-status figures of the
period in one pass over its evaluations, the single figures in one statement, the undelivered notices through a
partial index of the outbox — no loop over people, and no figure that reads the evaluations or the outbox again
(``benchmarks/board.py``, ``python -m benchmarks``). The per-person list (:func:`people`) is keyset-paginated on
(personnel number, evaluation id); :func:`timeline` is the whole story of one evaluation.

R-2: the board's counts are progress, which every HR role sees. Scores and categories appear only where the one
predicate (``domain.access.visibility``) says RESULT for the principal — for HR staff that is the HR head (or a
party of that very evaluation); everyone else sees progress only. 360 survey progress is counted (respondents
invited, answered), never who answered what (T-6). Messages are listed by kind and state, never their payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from application.environment import Environment
from domain.access import Principal, Visibility, visibility
from domain.eligibility import reason_said
from domain.errors import Phrase
from domain.vocabulary import EvaluationStatus, OutboxStatus
from persistence import access
from persistence.models import (
    AcknowledgementRow,
    AppealRow,
    BodyRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    EscalationRow,
    EvaluationPeriodRow,
    EvaluationRow,
    OutboxMessageRow,
    PersonRow,
    RefusalActRow,
    SheetReviewRow,
    SheetSubmissionRow,
    Survey360Row,
    SurveyRespondentRow,
)

evaluation: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
period_t: sa.Table = EvaluationPeriodRow.__table__  # type: ignore[attr-defined]
body_t: sa.Table = BodyRow.__table__  # type: ignore[attr-defined]
person: sa.Table = PersonRow.__table__  # type: ignore[attr-defined]
escalation: sa.Table = EscalationRow.__table__  # type: ignore[attr-defined]
outbox: sa.Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
case_t: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
member_t: sa.Table = CalibrationMemberRow.__table__  # type: ignore[attr-defined]
vote_t: sa.Table = CalibrationVoteRow.__table__  # type: ignore[attr-defined]
survey_t: sa.Table = Survey360Row.__table__  # type: ignore[attr-defined]
respondent_t: sa.Table = SurveyRespondentRow.__table__  # type: ignore[attr-defined]
sheet_t: sa.Table = SheetSubmissionRow.__table__  # type: ignore[attr-defined]
review_t: sa.Table = SheetReviewRow.__table__  # type: ignore[attr-defined]
ack_t: sa.Table = AcknowledgementRow.__table__  # type: ignore[attr-defined]
refusal_act_t: sa.Table = RefusalActRow.__table__  # type: ignore[attr-defined]
appeal_t: sa.Table = AppealRow.__table__  # type: ignore[attr-defined]
decision_t: sa.Table = CommissionDecisionRow.__table__  # type: ignore[attr-defined]
meeting_t: sa.Table = CommissionMeetingRow.__table__  # type: ignore[attr-defined]

NOT_YET_OPEN = "not_yet_open"
AWAITING_APPROVAL = "awaiting_approval"
"""M-7: decided by the Commission, the protocol signed, waiting for the appointing official's approval (a board
status, not a stored one: the evaluation stays ``approved`` until the results take effect, decision 0140)."""
#: The board's columns, in the order of the cycle (P-1 … C-8); ``not_yet_open``: people of the body without an
#: evaluation of the period yet (the period is not opened, or they came after it was).
BOARD_STATUSES: tuple[str, ...] = (
    NOT_YET_OPEN,
    EvaluationStatus.DEFERRED.value,
    EvaluationStatus.OPEN.value,
    EvaluationStatus.SUBMITTED.value,
    EvaluationStatus.RETURNED.value,
    EvaluationStatus.APPROVED.value,
    AWAITING_APPROVAL,
    EvaluationStatus.COMPLETED.value,
    EvaluationStatus.ACQUAINTED.value,
    EvaluationStatus.IN_CALIBRATION.value,
    EvaluationStatus.CLOSED.value,
    EvaluationStatus.INELIGIBLE.value,
)
#: Where the evaluator's sheet is the step awaited (P-1, P-2).
SHEET_AWAITED = (EvaluationStatus.OPEN.value, EvaluationStatus.RETURNED.value)
#: Where the evaluatee's acquaintance is the step awaited (C-1, M-8).
ACQUAINTANCE_AWAITED = (EvaluationStatus.COMPLETED.value,)
NOTICE_KINDS = ("evaluation_notice",)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_LISTED = 200  # calibration cases, dead letters: a board lists at most this many, and says so
NOTICES_PROBED = 1000
"""Undelivered notices counted by the first, index-only read of :func:`_notices`; beyond, a second one counts."""


class BoardNotFound(LookupError):
    """No such body, or no period of it (the door answers 404)."""


def has_period(env: Environment, principal: Principal, code: str) -> bool:
    """Whether body ``code`` has an evaluation period yet (the board's frame is shown without one)."""
    with env.unit_of_work(principal) as uow:
        found = uow.session.execute(sa.select(body_t.c.id).where(body_t.c.code == code)).scalar()
        if found is None:
            return True  # not ours to answer: the board's own lookup refuses it
        return bool(uow.periods.of_body(int(found)))


@dataclass(frozen=True)
class PeriodRef:
    """A period of the body, as the board names it."""

    id: int
    label: str
    kind: str
    status: str
    opened_on: date | None
    schedule_approved_on: date | None


@dataclass(frozen=True)
class StepDue:
    """How many evaluations await ``step`` due today, later this week (to Sunday), and already overdue."""

    step: str  # sheet (P-1), acquaintance (C-1), notice (P-4)
    today: int
    this_week: int
    overdue: int


@dataclass(frozen=True)
class OverdueLevel:
    """Overdue evaluations by how far their escalation went (0: not escalated yet; 1, 2, 3 …: E-level reached)."""

    step: str
    level: int
    count: int


@dataclass(frozen=True)
class CaseView:
    """A calibration case (C-2 … C-8) with its windows; who disagreed is progress, the result is not shown here."""

    case_id: int
    evaluation_id: int
    employee: str
    full_name: str
    status: str
    applied_on: date
    decide_by: date | None
    hold_by: date | None
    protocol_post_by: date | None
    late: bool


@dataclass(frozen=True)
class SurveyProgress:
    """360 surveys of the period's year (T-4 … T-6): counted, never who answered what."""

    year: int
    surveys: int
    open_surveys: int
    respondents: int
    answered: int


@dataclass(frozen=True)
class DeadLetter:
    """A message whose every attempt failed (docs/decisions/0010): kind, to whom, when, why — never its payload."""

    id: int
    kind: str
    to: str
    due_at: datetime
    attempts: int
    error: str
    evaluation_id: int | None


@dataclass(frozen=True)
class Board:
    """The cycle board of one body and period."""

    body: str
    body_name: str
    period: PeriodRef
    periods: tuple[PeriodRef, ...]
    today: date
    counts: tuple[tuple[str, int], ...]
    ineligible: tuple[tuple[str, int], ...]
    due: tuple[StepDue, ...]
    overdue: tuple[OverdueLevel, ...]
    disagreement_windows_open: int
    cases: tuple[CaseView, ...]
    cases_total: int
    surveys: SurveyProgress
    notices_undelivered: tuple[tuple[str, int], ...]
    dead_letters: tuple[DeadLetter, ...]
    dead_letters_total: int

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


@dataclass(frozen=True)
class PersonStatus:
    """One evaluation of the period in the per-person list; ``score``/``category`` only where R-2 allows."""

    evaluation_id: int
    employee: str
    full_name: str
    method: str
    status: str
    ineligible_reason: str | None
    evaluator: str | None
    deadline: date | None
    acquaint_by: date | None
    escalation_level: int
    score: Decimal | None
    category: str | None
    result_visible: bool


@dataclass(frozen=True)
class PeoplePage:
    """A page of the per-person list; ``next_after`` is the key to ask the next page with (``None``: last page)."""

    rows: tuple[PersonStatus, ...]
    next_after: tuple[str, int] | None


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened (or is due) in an evaluation's life, in order."""

    on: date
    at: datetime | None
    kind: str  # opened, notice, message, sheet, review, completed, acquainted, escalation, calibration, …
    detail: str
    state: str | None = None  # a message's state (delivered, dead …), a review's decision, a case's status


@dataclass(frozen=True)
class Timeline:
    """The full story of one evaluation (issue 14): notice, reminders, sheet versions, acquaintance, calibration."""

    evaluation_id: int
    body: str
    period: str
    employee: str
    full_name: str
    method: str
    status: str
    evaluator: str | None
    deadline: date | None
    acquaint_by: date | None
    disagreement_until: date | None
    visibility: Visibility
    score: Decimal | None
    category: str | None
    events: tuple[TimelineEvent, ...]


def week_end(day: date) -> date:
    """The Sunday ending ``day``'s week (the board's "this week")."""
    return day + timedelta(days=6 - day.weekday())


def _frame(session: Session, code: str) -> tuple[int, str, str, list[PeriodRef]]:
    """Body ``code`` (id, code, name) and its periods, newest first: one round trip for both."""
    rows = session.execute(
        sa.select(
            body_t.c.id.label("body_id"),
            body_t.c.code.label("body_code"),
            body_t.c.name.label("body_name"),
            period_t.c.id,
            period_t.c.label,
            period_t.c.kind,
            period_t.c.status,
            period_t.c.opened_on,
            period_t.c.schedule_approved_on,
        )
        .select_from(body_t.outerjoin(period_t, period_t.c.body_id == body_t.c.id))
        .where(body_t.c.code == code)
        .order_by(period_t.c.year.desc(), sa.func.coalesce(period_t.c.quarter, 5).desc())
    ).all()
    if not rows:
        raise BoardNotFound(f"no body {code!r}")
    first = rows[0]
    periods = [
        PeriodRef(row.id, row.label, row.kind, row.status, row.opened_on, row.schedule_approved_on)
        for row in rows
        if row.id is not None
    ]
    return first.body_id, first.body_code, first.body_name, periods


def _pick(periods: Sequence[PeriodRef], label: str | None) -> PeriodRef:
    if not periods:
        raise BoardNotFound("the body has no evaluation period yet")
    if label is None:
        return periods[0]
    for found in periods:
        if found.label == label:
            return found
    raise BoardNotFound(f"no period {label!r}")


#: The steps of :class:`StepDue`: the date each is due by, and the statuses (and condition) where it is awaited.
DUE_STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sheet", "deadline", SHEET_AWAITED),  # P-1, P-2
    ("acquaintance", "acquaint_by", ACQUAINTANCE_AWAITED),  # C-1, M-8
    ("notice", "notice_due_on", SHEET_AWAITED),  # P-4, and only while the notice is not sent
)


def board(env: Environment, principal: Principal, body_code: str, period_label: str | None = None) -> Board:
    """The board of ``body_code``'s period ``period_label`` (default: the newest), as of the clock's today.

    Eight statements whatever the size of the body (decision 0190): the body and its periods; one pass over the
    period's evaluations for every per-status figure (:func:`_tally`); one statement of single figures
    (:func:`_totals`); the overdue by escalation level; the calibration cases, the undelivered notices and the
    dead letters listed."""
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        session = uow.session
        body_id, code, name, periods = _frame(session, body_code)
        chosen = _pick(periods, period_label)
        year = int(chosen.label[:4])
        tally = _tally(session, chosen.id, today)
        totals = _totals(session, body_id, chosen.id, year)
        counts: dict[str, int] = {}
        for row in tally:
            counts[row.status] = counts.get(row.status, 0) + int(row.n)
        counts[NOT_YET_OPEN] = max(0, int(totals.people) - int(totals.considered))
        awaiting = int(totals.awaiting)
        if awaiting:
            counts[AWAITING_APPROVAL] = awaiting
            counts[EvaluationStatus.APPROVED.value] = counts.get(EvaluationStatus.APPROVED.value, 0) - awaiting
        ordered = tuple((status, int(counts.get(status, 0))) for status in BOARD_STATUSES)
        ordered += tuple((status, int(n)) for status, n in sorted(counts.items()) if status not in BOARD_STATUSES)
        reasons: dict[str, int] = {}
        for row in tally:
            if row.status == EvaluationStatus.INELIGIBLE.value:
                reason = row.ineligible_reason or "unknown"
                reasons[reason] = reasons.get(reason, 0) + int(row.n)
        return Board(
            body=code,
            body_name=name,
            period=chosen,
            periods=tuple(periods),
            today=today,
            counts=ordered,
            ineligible=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
            due=tuple(
                StepDue(
                    step,
                    sum(int(getattr(row, f"{step}_today")) for row in tally if row.status in awaited),
                    sum(int(getattr(row, f"{step}_week")) for row in tally if row.status in awaited),
                    sum(int(getattr(row, f"{step}_overdue")) for row in tally if row.status in awaited),
                )
                for step, _, awaited in DUE_STEPS
            ),
            overdue=tuple(_overdue(session, chosen.id, today)),
            disagreement_windows_open=sum(
                int(row.windows_open) for row in tally if row.status == EvaluationStatus.ACQUAINTED.value
            ),
            cases=tuple(_cases(session, chosen.id, today)),
            cases_total=int(totals.cases),
            surveys=SurveyProgress(
                year, int(totals.surveys), int(totals.open_surveys), int(totals.respondents), int(totals.answered)
            ),
            notices_undelivered=tuple(_notices(session, chosen.id)),
            dead_letters=tuple(_dead_letters(session, body_id, limit=MAX_LISTED)),
            dead_letters_total=int(totals.dead_letters),
        )


def _tally(session: Session, period_id: int, today: date) -> list[sa.Row[tuple[object, ...]]]:
    """One pass over the period's evaluations, by (status, ineligible reason): how many, and per step of
    :data:`DUE_STEPS` how many are due today, later this week (to Sunday) and overdue, and how many disagreement
    windows (C-2) are still open. The caller adds up the rows of the statuses where a step is awaited — what
    one query per figure used to count with the status in its ``WHERE``."""
    end = week_end(today)
    figures: list[sa.ColumnElement[int]] = [sa.func.count().label("n")]
    for step, column_name, _ in DUE_STEPS:
        column: sa.ColumnElement[date] = evaluation.c[column_name]
        unsent = evaluation.c.notice_sent_on.is_(None) if step == "notice" else sa.true()
        figures += [
            sa.func.count().filter(unsent, column == today).label(f"{step}_today"),
            sa.func.count().filter(unsent, column > today, column <= end).label(f"{step}_week"),
            sa.func.count().filter(unsent, column < today).label(f"{step}_overdue"),
        ]
    figures.append(sa.func.count().filter(evaluation.c.disagreement_until >= today).label("windows_open"))
    return list(
        session.execute(
            sa.select(evaluation.c.status, evaluation.c.ineligible_reason, *figures)
            .where(evaluation.c.period_id == period_id)
            .group_by(evaluation.c.status, evaluation.c.ineligible_reason)
        ).all()
    )


def _totals(session: Session, body_id: int, period_id: int, year: int) -> sa.Row[tuple[object, ...]]:
    """The board's single figures in one statement: people of the body, people with an evaluation of the period,
    those awaiting the appointing official (M-7), calibration cases, dead letters, and the 360 surveys of the year
    with their respondents (T-6: counts only — who was invited and whether they answered, never what)."""
    in_period = evaluation.c.period_id == period_id
    surveys = (
        sa.select(
            sa.func.count(sa.distinct(survey_t.c.id)).label("surveys"),
            sa.func.count(sa.distinct(sa.case((survey_t.c.status == "open", survey_t.c.id)))).label("open_surveys"),
            sa.func.count(respondent_t.c.id).label("respondents"),
            sa.func.count(sa.case((respondent_t.c.answered.is_(True), respondent_t.c.id))).label("answered"),
        )
        .select_from(survey_t.outerjoin(respondent_t, respondent_t.c.survey_id == survey_t.c.id))
        .where(survey_t.c.body_id == body_id, survey_t.c.year == year)
        .subquery("surveys")
    )
    return session.execute(
        sa.select(
            sa.select(sa.func.count()).where(person.c.body_id == body_id).scalar_subquery().label("people"),
            sa.select(sa.func.count(sa.distinct(evaluation.c.person_id)))
            .where(in_period)
            .scalar_subquery()
            .label("considered"),
            sa.select(sa.func.count()).where(in_period, _awaiting_approval()).scalar_subquery().label("awaiting"),
            sa.select(sa.func.count())
            .select_from(case_t.join(evaluation, evaluation.c.id == case_t.c.evaluation_id))
            .where(in_period)
            .scalar_subquery()
            .label("cases"),
            sa.select(sa.func.count())
            .where(outbox.c.body_id == body_id, outbox.c.status == OutboxStatus.DEAD.value)
            .scalar_subquery()
            .label("dead_letters"),
            surveys.c.surveys,
            surveys.c.open_surveys,
            surveys.c.respondents,
            surveys.c.answered,
        ).select_from(surveys)
    ).one()


def _awaiting_approval() -> sa.ColumnElement[bool]:
    """M-7: the evaluation is decided in a protocol the appointing official has not approved yet."""
    decided = (
        sa.select(decision_t.c.id)
        .join(meeting_t, meeting_t.c.id == decision_t.c.meeting_id)
        .where(decision_t.c.evaluation_id == evaluation.c.id, meeting_t.c.approved_on.is_(None))
    )
    return sa.and_(evaluation.c.status == EvaluationStatus.APPROVED.value, decided.exists())


def _status() -> sa.ColumnElement[str]:
    """The status the board shows: the stored one, or ``awaiting_approval`` (M-7)."""
    return sa.case((_awaiting_approval(), sa.literal(AWAITING_APPROVAL)), else_=evaluation.c.status)


def _level() -> sa.ColumnElement[int]:
    """The highest escalation level an evaluation reached (0: none), as a correlated subquery: PostgreSQL computes
    it for the rows that survive the filter and the LIMIT only, through the (evaluation_id, kind, level) index."""
    highest = sa.select(sa.func.max(escalation.c.level)).where(escalation.c.evaluation_id == evaluation.c.id)
    return sa.func.coalesce(highest.scalar_subquery(), 0)


def _overdue(session: Session, period_id: int, today: date) -> list[OverdueLevel]:
    """Overdue sheets and acquaintances by the highest escalation level each reached, in one statement: the late
    evaluations (a part per step, each on its own index: ``(status, deadline)`` for sheets, ``(period_id, status)``
    for acquaintances) joined once to their escalations and grouped. A correlated ``max(level)`` per late
    evaluation cost PostgreSQL's JIT compilation besides on a day when every sheet is late (decision 0190)."""
    steps = (
        ("sheet", evaluation.c.deadline, SHEET_AWAITED),
        ("acquaintance", evaluation.c.acquaint_by, ACQUAINTANCE_AWAITED),
    )
    late = sa.union_all(
        *(
            sa.select(evaluation.c.id, sa.literal(rank).label("rank")).where(
                evaluation.c.period_id == period_id, evaluation.c.status.in_(awaited), column < today
            )
            for rank, (_, column, awaited) in enumerate(steps)
        )
    ).subquery("late")
    each = (
        sa.select(late.c.rank, sa.func.coalesce(sa.func.max(escalation.c.level), 0).label("level"))
        .select_from(late.outerjoin(escalation, escalation.c.evaluation_id == late.c.id))
        .group_by(late.c.rank, late.c.id)
        .subquery("each")
    )
    counted = sa.select(each.c.rank, each.c.level, sa.func.count().label("n")).group_by(each.c.rank, each.c.level)
    rows = sorted(session.execute(counted).all(), key=lambda row: (int(row.rank), int(row.level)))
    return [OverdueLevel(steps[int(row.rank)][0], int(row.level), int(row.n)) for row in rows]


def _cases(session: Session, period_id: int, today: date) -> list[CaseView]:
    rows = session.execute(
        sa.select(
            case_t.c.id,
            case_t.c.evaluation_id,
            person.c.personnel_number,
            person.c.full_name,
            case_t.c.status,
            case_t.c.applied_on,
            case_t.c.decide_by,
            case_t.c.hold_by,
            case_t.c.protocol_post_by,
            case_t.c.decided_on,
            case_t.c.held_on,
            case_t.c.posted_on,
        )
        .select_from(
            case_t.join(evaluation, evaluation.c.id == case_t.c.evaluation_id).join(
                person, person.c.id == evaluation.c.person_id
            )
        )
        .where(evaluation.c.period_id == period_id, case_t.c.status != "closed")
        .order_by(case_t.c.applied_on, case_t.c.id)
        .limit(MAX_LISTED)
    ).all()
    found = []
    for row in rows:
        late = (
            (row.decided_on is None and row.decide_by is not None and row.decide_by < today)
            or (row.held_on is None and row.hold_by is not None and row.hold_by < today)
            or (row.posted_on is None and row.protocol_post_by is not None and row.protocol_post_by < today)
        )
        found.append(
            CaseView(
                case_id=row.id,
                evaluation_id=row.evaluation_id,
                employee=row.personnel_number,
                full_name=row.full_name,
                status=row.status,
                applied_on=row.applied_on,
                decide_by=row.decide_by,
                hold_by=row.hold_by,
                protocol_post_by=row.protocol_post_by,
                late=late,
            )
        )
    return found


def _notices(session: Session, period_id: int) -> list[tuple[str, int]]:
    """Legal notices (P-4) of the period not delivered yet, by outbox status.

    Through the partial index of the undelivered notices (``ix_outbox_message_undelivered_notice``, decision 0190)
    rather than the whole outbox. First the notices in the index's order, at most :data:`NOTICES_PROBED` of them:
    an ordered, limited read that PostgreSQL walks in the index itself (an index-only scan that stops early), which
    also marks the entries of notices delivered since the last ``VACUUM`` as dead, so that the next read skips them
    — a count by status would be read through a bitmap that visits every such row's page, every time. Only a
    period with more undelivered notices than that (a quarter just opened, before delivery) is counted in a second
    statement. The kinds and the status are literals in the statement, so that the planner can match the index's
    predicate on every plan (a prepared statement's generic one included)."""
    kinds = [sa.literal(kind, literal_execute=True) for kind in NOTICE_KINDS]
    undelivered = sa.and_(
        evaluation.c.period_id == period_id,
        outbox.c.kind.in_(kinds),
        outbox.c.status != sa.literal(OutboxStatus.DELIVERED.value, literal_execute=True),
    )
    joined = outbox.join(evaluation, evaluation.c.id == outbox.c.evaluation_id)
    probed = (
        sa.select(outbox.c.status)
        .select_from(joined)
        .where(undelivered)
        .order_by(outbox.c.status, outbox.c.evaluation_id)
        .limit(sa.literal_column(str(NOTICES_PROBED + 1)))
        .subquery("probed")
    )
    query = sa.select(probed.c.status, sa.func.count()).group_by(probed.c.status).order_by(probed.c.status)
    rows = session.execute(query).all()
    if sum(int(n) for _, n in rows) > NOTICES_PROBED:
        query = sa.select(outbox.c.status, sa.func.count()).select_from(joined).where(undelivered)
        rows = session.execute(query.group_by(outbox.c.status).order_by(outbox.c.status)).all()
    return [(status, int(n)) for status, n in rows]


def _dead_letters(session: Session, body_id: int, *, limit: int) -> list[DeadLetter]:
    rows = session.execute(
        sa.select(
            outbox.c.id,
            outbox.c.kind,
            person.c.personnel_number,
            outbox.c.recipient_role,
            outbox.c.due_at,
            outbox.c.attempts,
            outbox.c.last_error,
            outbox.c.evaluation_id,
        )
        .select_from(outbox.outerjoin(person, person.c.id == outbox.c.recipient_person_id))
        .where(outbox.c.body_id == body_id, outbox.c.status == OutboxStatus.DEAD.value)
        .order_by(outbox.c.due_at.desc(), outbox.c.id.desc())
        .limit(limit)
    ).all()
    return [
        DeadLetter(
            id=row.id,
            kind=row.kind,
            to=row.personnel_number or row.recipient_role or "?",
            due_at=row.due_at,
            attempts=row.attempts,
            error=(row.last_error or "")[:300],
            evaluation_id=row.evaluation_id,
        )
        for row in rows
    ]


def people(
    env: Environment,
    principal: Principal,
    body_code: str,
    period_label: str,
    *,
    after: tuple[str, int] | None = None,
    status: str | None = None,
    limit: int = PAGE_SIZE,
) -> PeoplePage:
    """One page of the period's evaluations by personnel number (keyset: rows after ``after``)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        session = uow.session
        body_id, _, _, periods = _frame(session, body_code)
        chosen = _pick(periods, period_label)
        evaluator = person.alias("evaluator")
        query = (
            sa.select(
                evaluation.c.id,
                person.c.personnel_number,
                person.c.full_name,
                evaluation.c.method,
                _status().label("status"),
                evaluation.c.ineligible_reason,
                evaluator.c.personnel_number.label("evaluator"),
                evaluation.c.deadline,
                evaluation.c.acquaint_by,
                _level().label("level"),
                evaluation.c.score,
                evaluation.c.category,
            )
            .select_from(
                evaluation.join(person, person.c.id == evaluation.c.person_id).outerjoin(
                    evaluator, evaluator.c.id == evaluation.c.evaluator_id
                )
            )
            # the body filter lets PostgreSQL walk person (body_id, personnel_number) in order and stop at the page
            .where(evaluation.c.period_id == chosen.id, person.c.body_id == body_id)
            .order_by(person.c.personnel_number, evaluation.c.id)
            .limit(limit + 1)
        )
        if status == AWAITING_APPROVAL:
            query = query.where(_awaiting_approval())
        elif status:
            query = query.where(evaluation.c.status == status)
        if after is not None:
            query = query.where(
                sa.tuple_(person.c.personnel_number, evaluation.c.id)
                > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        rows = session.execute(query).all()
        more = len(rows) > limit
        rows = rows[:limit]
        seen = _visibilities(session, principal, [row.id for row in rows], today)
        listed = tuple(
            PersonStatus(
                evaluation_id=row.id,
                employee=row.personnel_number,
                full_name=row.full_name,
                method=row.method,
                status=row.status,
                ineligible_reason=row.ineligible_reason,
                evaluator=row.evaluator,
                deadline=row.deadline,
                acquaint_by=row.acquaint_by,
                escalation_level=int(row.level),
                score=row.score if seen.get(row.id) == Visibility.RESULT else None,
                category=row.category if seen.get(row.id) == Visibility.RESULT else None,
                result_visible=seen.get(row.id) == Visibility.RESULT,
            )
            for row in rows
        )
        last = listed[-1] if listed else None
        return PeoplePage(listed, (last.employee, last.evaluation_id) if more and last else None)


def _visibilities(session: Session, principal: Principal, ids: list[int], on: date) -> dict[int, Visibility]:
    """R-2 through the one predicate, for one page of evaluations (one batched read of their parties)."""
    if not ids:
        return {}
    return {key: visibility(principal, parties) for key, parties in access.evaluation_parties(session, ids, on).items()}


def evaluation_visibility(env: Environment, principal: Principal, evaluation_id: int) -> Visibility:
    """R-2: how much of evaluation ``evaluation_id`` the principal may see (NONE also when it does not exist)."""
    with env.unit_of_work(principal) as uow:
        return _visibilities(uow.session, principal, [evaluation_id], env.clock.today()).get(
            evaluation_id, Visibility.NONE
        )


def timeline(env: Environment, principal: Principal, evaluation_id: int) -> Timeline | None:
    """The whole story of evaluation ``evaluation_id``, or ``None`` when the principal may not see its progress."""
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        session = uow.session
        seen = _visibilities(session, principal, [evaluation_id], today).get(evaluation_id, Visibility.NONE)
        if seen < Visibility.PROGRESS:
            return None
        evaluator = person.alias("evaluator")
        row = session.execute(
            sa.select(
                evaluation,
                person.c.personnel_number,
                person.c.full_name,
                evaluator.c.personnel_number.label("evaluator_number"),
                period_t.c.label.label("period_label"),
                body_t.c.code.label("body_code"),
            )
            .select_from(
                evaluation.join(person, person.c.id == evaluation.c.person_id)
                .join(period_t, period_t.c.id == evaluation.c.period_id)
                .join(body_t, body_t.c.id == period_t.c.body_id)
                .outerjoin(evaluator, evaluator.c.id == evaluation.c.evaluator_id)
            )
            .where(evaluation.c.id == evaluation_id)
        ).one()
        result = seen >= Visibility.RESULT
        events = _events(session, row, result=result)
        events.sort(key=lambda event: (event.on, event.at.timestamp() if event.at else 0.0))
        return Timeline(
            evaluation_id=evaluation_id,
            body=row.body_code,
            period=row.period_label,
            employee=row.personnel_number,
            full_name=row.full_name,
            method=row.method,
            status=row.status,
            evaluator=row.evaluator_number,
            deadline=row.deadline,
            acquaint_by=row.acquaint_by,
            disagreement_until=row.disagreement_until,
            visibility=seen,
            score=row.score if result else None,
            category=row.category if result else None,
            events=tuple(events),
        )


def _events(session: Session, ev: sa.Row[tuple[object, ...]], *, result: bool) -> list[TimelineEvent]:
    """Every dated fact of the evaluation, from its own columns and the tables that point at it."""
    key = ev.id
    found: list[TimelineEvent] = []
    day = ev.created_at.date() if ev.created_at else None
    if day is not None:
        # the method is the timeline's own heading; an ineligible one says why it is not evaluated
        reason = "" if ev.eligible else reason_said(ev.ineligible_reason or "")[1]
        detail = Phrase("not evaluated: {reason}", reason=reason) if reason else ""
        found.append(TimelineEvent(day, ev.created_at, "opened", detail))
    for column, kind in (
        ("notice_sent_on", "notice"),
        ("submitted_on", "submitted"),
        ("completed_on", "completed"),
        ("acquainted_on", "acquainted"),
        ("submitted_to_commission_on", "to_commission"),
        ("closed_on", "closed"),
    ):
        value = getattr(ev, column)
        if value is not None:
            found.append(TimelineEvent(value, None, kind, ""))
    messages = session.execute(
        sa.select(
            outbox.c.id,
            outbox.c.kind,
            outbox.c.status,
            outbox.c.due_at,
            outbox.c.delivered_at,
            outbox.c.attempts,
            outbox.c.channel,
            outbox.c.recipient_role,
            person.c.personnel_number,
        )
        .select_from(outbox.outerjoin(person, person.c.id == outbox.c.recipient_person_id))
        .where(outbox.c.evaluation_id == key)
        .order_by(outbox.c.due_at, outbox.c.id)
    ).all()
    for message in messages:
        at = message.delivered_at or message.due_at
        to = message.personnel_number or message.recipient_role or "?"
        detail = Phrase("{kind} → {to} ({attempts} attempt(s))", kind=message.kind, to=to, attempts=message.attempts)
        found.append(TimelineEvent(at.date(), at, "message", detail, state=message.status))
    submitter = person.alias("submitter")
    for sheet in session.execute(
        sa.select(
            sheet_t.c.version,
            sheet_t.c.submitted_at,
            sheet_t.c.is_current,
            sheet_t.c.on_paper,
            sheet_t.c.content_hash,
            sheet_t.c.scores,
            submitter.c.personnel_number,
        )
        .select_from(sheet_t.outerjoin(submitter, submitter.c.id == sheet_t.c.submitted_by_id))
        .where(sheet_t.c.evaluation_id == key)
        .order_by(sheet_t.c.version)
    ).all():
        scores = ", ".join(f"{name}={value}" for name, value in sorted(sheet.scores.items())) if result else ""
        detail = Phrase(
            "v{version} by {number} ({how}), sha256 {digest}…{scores}",
            version=sheet.version,
            number=sheet.personnel_number or "?",
            how=Phrase("on paper") if sheet.on_paper else Phrase("in the browser"),
            digest=sheet.content_hash[:12],
            scores=f": {scores}" if scores else "",
        )
        state = "current" if sheet.is_current else "superseded"
        found.append(TimelineEvent(sheet.submitted_at.date(), sheet.submitted_at, "sheet", detail, state=state))
    for review in session.execute(
        sa.select(review_t.c.decision, review_t.c.decided_on, review_t.c.reason).where(review_t.c.evaluation_id == key)
    ).all():
        why = review.reason or "" if result else ""  # the reviewer's own words
        found.append(TimelineEvent(review.decided_on, None, "review", why, state=review.decision))
    for ack in session.execute(sa.select(ack_t.c.acknowledged_at, ack_t.c.via).where(ack_t.c.evaluation_id == key)):
        found.append(TimelineEvent(ack.acknowledged_at.date(), ack.acknowledged_at, "acknowledgement", ack.via))
    for act in session.execute(sa.select(refusal_act_t.c.refused_on).where(refusal_act_t.c.evaluation_id == key)):
        found.append(TimelineEvent(act.refused_on, None, "refusal_act", "M-8"))
    to_person = person.alias("to_person")
    for esc in session.execute(
        sa.select(
            escalation.c.kind,
            escalation.c.level,
            escalation.c.escalated_on,
            escalation.c.to_role,
            to_person.c.personnel_number,
        )
        .select_from(escalation.outerjoin(to_person, to_person.c.id == escalation.c.to_person_id))
        .where(escalation.c.evaluation_id == key)
        .order_by(escalation.c.level)
    ).all():
        to = esc.personnel_number or esc.to_role or "?"
        detail = Phrase("{kind}, level {level} → {to}", kind=esc.kind, level=esc.level, to=to)
        found.append(TimelineEvent(esc.escalated_on, None, "escalation", detail))
    found += _case_events(session, key, result=result)
    for appeal in session.execute(
        sa.select(appeal_t.c.filed_on, appeal_t.c.authority, appeal_t.c.outcome, appeal_t.c.decided_on).where(
            appeal_t.c.evaluation_id == key
        )
    ):
        found.append(TimelineEvent(appeal.filed_on, None, "appeal", appeal.authority, state=appeal.outcome))
    return found


def _case_events(session: Session, evaluation_id: int, *, result: bool) -> list[TimelineEvent]:
    case = session.execute(sa.select(case_t).where(case_t.c.evaluation_id == evaluation_id)).first()
    if case is None:
        return []
    members = session.execute(sa.select(sa.func.count()).where(member_t.c.case_id == case.id)).scalar_one()
    votes = session.execute(sa.select(sa.func.count()).where(vote_t.c.case_id == case.id)).scalar_one()
    found = [TimelineEvent(case.applied_on, None, "calibration", Phrase("applied (C-2)"), state=case.status)]
    if case.decided_on:
        composed = Phrase("composed: {members} members (C-3, C-5)", members=members)
        found.append(TimelineEvent(case.decided_on, None, "calibration", composed))
    if case.held_on:
        held = Phrase("held: {votes} of {members} votes (C-6)", votes=votes, members=members)
        found.append(TimelineEvent(case.held_on, None, "calibration", held))
    if case.protocol_signed_on:
        signed = Phrase("protocol signed (C-6)")
        if result and case.final_category:
            signed = Phrase(
                "protocol signed (C-6): {score} {category}", score=case.final_score, category=case.final_category
            )
        found.append(TimelineEvent(case.protocol_signed_on, None, "calibration", signed))
    if case.posted_on:
        found.append(TimelineEvent(case.posted_on, None, "calibration", Phrase("protocol posted (C-7)")))
    if case.feedback_meeting_on:
        found.append(TimelineEvent(case.feedback_meeting_on, None, "calibration", Phrase("feedback meeting (C-8)")))
    return found
