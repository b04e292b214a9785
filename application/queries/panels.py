"""Read models of the panels: the calibration session (C-3…C-8) and the Evaluation Commission (M-7, M-8), as
frozen views for the pages and the API of ``web/routes/panels.py``.

R-2 through the one predicate (``application.queries.access`` → ``domain.access.visibility``): a case or a
Commission line a principal may not see at all is ``None`` (the door answers 404 and records it); one seen for its
progress only carries no score, no category and no vote (``result_visible`` is ``False``) — the appointing official
composes the panel knowing who disagrees and who evaluated, not what was scored. Scores are exact decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from application.actions.commission import (
    allowed_results,
    commission_rules,
    commission_year,
    composition,
    notice_deadline,
    reviewed_by_commission,
    spec_of,
)
from application.actions.commission_results import outcomes, session_over
from application.actions.commission_results import sheet_category as sheet_result
from application.context import BodyContext
from application.environment import Environment
from application.errors import Rejected
from application.messages import seat_holder_of
from application.queries.access import visibility_of
from domain import votes
from domain.access import Principal, Visibility
from domain.errors import Phrase
from domain.rulebook import Rulebook
from domain.scoring import score_bounds
from domain.vocabulary import CalibrationStatus, EvaluationStatus, Role
from persistence import annual_state, flowstate
from persistence.models import CalibrationCaseRow, EvaluationPeriodRow, EvaluationRow
from persistence.records import CalibrationCase, CommissionMeeting

case_t: sa.Table = CalibrationCaseRow.__table__  # type: ignore[attr-defined]
evaluation_t: sa.Table = EvaluationRow.__table__  # type: ignore[attr-defined]
period_t: sa.Table = EvaluationPeriodRow.__table__  # type: ignore[attr-defined]

#: A session whose vote is over (C-6): its composition is fixed and no vote is taken any more.
CLOSED = frozenset({CalibrationStatus.VOTED, CalibrationStatus.POSTED, CalibrationStatus.CLOSED})


@dataclass(frozen=True)
class PersonRef:
    number: str
    name: str


@dataclass(frozen=True)
class Candidate:
    """Someone the appointing official may seat (C-5); ``hr``: in the HR service."""

    number: str
    name: str
    hr: bool


@dataclass(frozen=True)
class CompositionRules:
    """C-5 as the rulebook sets it, shown before the composition is submitted."""

    min_members: int
    odd_members: bool
    require_hr_member: bool
    excluded: tuple[PersonRef, ...]  # the employee who disagrees and the evaluator whose score is disputed
    rule: str = "C-5"


@dataclass(frozen=True)
class VoteView:
    member: PersonRef
    score: Decimal
    voted_on: date
    argument: str | None


@dataclass(frozen=True)
class Tally:
    """C-6 so far: decided once one score has the votes of more than half of all the members."""

    decided: bool
    score: Decimal | None
    votes_for_winner: int
    members: int
    pending: tuple[str, ...]
    no_majority: bool


@dataclass(frozen=True)
class CaseSummary:
    id: int
    evaluation_id: int
    period: str
    employee: PersonRef
    status: str
    applied_on: date
    hold_by: date | None
    role: str  # official, member, employee, evaluator, hr


@dataclass(frozen=True)
class CaseView:
    """One calibration case as ``principal`` may see it (R-2)."""

    id: int
    evaluation_id: int
    period: str
    method: str
    employee: PersonRef
    evaluator: PersonRef | None
    status: str
    applied_on: date
    decide_by: date | None
    hold_by: date | None
    decided_on: date | None
    protocol_signed_on: date | None
    protocol_post_by: date | None
    posted_on: date | None
    feedback_meeting_on: date | None
    feedback_held_on: date | None
    may_record_feedback: bool  # C-8: the evaluator, once the protocol is signed, not recorded yet
    members: tuple[PersonRef, ...]
    voted: tuple[str, ...]  # who has voted (progress); how is in ``votes``, RESULT only
    result_visible: bool
    sheet_score: Decimal | None
    sheet_category: str | None
    final_score: Decimal | None
    final_category: str | None
    votes: tuple[VoteView, ...]
    tally: Tally | None
    scale_low: Decimal
    scale_high: Decimal
    decimals: int
    may_compose: bool
    may_vote: bool
    my_vote: Decimal | None
    closed: bool
    rules: CompositionRules | None
    candidates: tuple[Candidate, ...]
    labels: Mapping[str, Mapping[str, str]]


def category_labels(book: Rulebook) -> dict[str, dict[str, str]]:
    """Result category → its name in kk, ru and en (S-1 bands, M-4/M-6 names), for the pages."""
    found = {str(category): name for category, name in book.results.names.items()}
    found.update({str(band.category): band.name for band in book.results.bands})
    return {key: {"kk": name.kk, "ru": name.ru, "en": name.en} for key, name in found.items()}


def _ref(ctx: BodyContext, person_id: int) -> PersonRef:
    return PersonRef(ctx.numbers.get(person_id, str(person_id)), ctx.name(person_id))


def _body_cases(ctx: BodyContext) -> list[int]:
    query = (
        sa.select(case_t.c.id)
        .join(evaluation_t, evaluation_t.c.id == case_t.c.evaluation_id)
        .join(period_t, period_t.c.id == evaluation_t.c.period_id)
        .where(period_t.c.body_id == ctx.body_id)
        .order_by(case_t.c.id.desc())
    )
    return list(ctx.uow.session.execute(query).scalars())


def _role(ctx: BodyContext, principal: Principal, case: CalibrationCase, row: Mapping[str, Any]) -> str:
    me = ctx.ids.get(principal.person or "")
    if me is not None and me in case.members:
        return "member"
    if me is not None and me == ctx.appointing_official:
        return "official"
    if me is not None and me == row["person_id"]:
        return "employee"
    if me is not None and me == row["evaluator_id"]:
        return "evaluator"
    return "hr"


def calibration_cases(env: Environment, principal: Principal) -> list[CaseSummary]:
    """The calibration cases of the principal's body they may see (R-2: progress at least), newest first."""
    if principal.body is None:
        return []
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        cases = [uow.calibration.get(case_id) for case_id in _body_cases(ctx)]
        rows = {row["id"]: row for row in flowstate.evaluations(uow.session, body_id=ctx.body_id)}
        seen = visibility_of(env, principal, [case.evaluation_id for case in cases], day, session=uow.session)
        found = []
        for case in cases:
            if seen.get(case.evaluation_id, Visibility.NONE) < Visibility.PROGRESS:
                continue
            row = rows[case.evaluation_id]
            found.append(
                CaseSummary(
                    case.id,
                    case.evaluation_id,
                    str(row["period_label"]),
                    _ref(ctx, int(row["person_id"])),
                    case.status.value,
                    case.applied_on,
                    case.hold_by,
                    _role(ctx, principal, case, row),
                )
            )
        return found


def calibration_case(env: Environment, principal: Principal, case_id: int) -> CaseView | None:
    """One case as ``principal`` may see it; ``None`` when it is not theirs to see (or there is none): 404."""
    if principal.body is None:
        return None
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        if case_id not in _body_cases(ctx):
            return None
        case = uow.calibration.get(case_id)
        seen = visibility_of(env, principal, [case.evaluation_id], day, session=uow.session).get(
            case.evaluation_id, Visibility.NONE
        )
        if seen < Visibility.PROGRESS:
            return None
        [row] = flowstate.evaluations(uow.session, where=[evaluation_t.c.id == case.evaluation_id])
        book = ctx.book(row["rulebook_id"])
        assert book.calibration is not None
        result = seen >= Visibility.RESULT
        me = ctx.ids.get(principal.person or "")
        members = tuple(_ref(ctx, person) for person in case.members)
        cast = {vote.person_id: vote for vote in case.votes}
        closed = case.status in CLOSED
        may_compose = me is not None and me == ctx.appointing_official and not closed and not case.votes
        may_vote = me is not None and me in case.members and me not in cast and not closed
        low, high = score_bounds(book.results)
        tally = None
        if result and case.members:
            outcome = votes.calibration_outcome(
                [(ctx.numbers[vote.person_id], vote.score) for vote in case.votes],
                [member.number for member in members],
                book.results,
            )
            tally = Tally(
                outcome.decided,
                outcome.score,
                outcome.votes_for_winner,
                len(members),
                outcome.pending,
                not outcome.decided and not outcome.pending,
            )
        evaluator = int(row["evaluator_id"]) if row["evaluator_id"] is not None else None
        rules = candidates = None
        if may_compose:
            excluded = [int(row["person_id"])] + ([evaluator] if evaluator is not None else [])
            rules = CompositionRules(
                book.calibration.min_members,
                book.calibration.odd_members,
                book.calibration.require_hr_member,
                tuple(_ref(ctx, person) for person in excluded),
            )
            hr = _hr_numbers(ctx)
            candidates = tuple(
                Candidate(number, ctx.name(ctx.ids[number]), number in hr)
                for number in sorted(ctx.org.employees_by_id, key=_natural)
                if ctx.ids.get(number) not in excluded and ctx.org.in_service(number, day)
            )
        return CaseView(
            id=case.id,
            evaluation_id=case.evaluation_id,
            period=row["period_label"],
            method=row["method"],
            employee=_ref(ctx, row["person_id"]),
            evaluator=_ref(ctx, evaluator) if evaluator is not None else None,
            status=case.status.value,
            applied_on=case.applied_on,
            decide_by=case.decide_by,
            hold_by=case.hold_by,
            decided_on=case.decided_on,
            protocol_signed_on=case.protocol_signed_on,
            protocol_post_by=case.protocol_post_by,
            posted_on=case.posted_on,
            feedback_meeting_on=case.feedback_meeting_on,
            feedback_held_on=case.feedback_held_on,
            may_record_feedback=(
                me is not None
                and me == evaluator
                and case.protocol_signed_on is not None
                and case.feedback_held_on is None
            ),
            members=members,
            voted=tuple(ctx.numbers[person] for person in cast),
            result_visible=result,
            sheet_score=row["score"] if result else None,
            sheet_category=row["category"] if result else None,
            final_score=case.final_score if result else None,
            final_category=str(case.final_category) if result and case.final_category else None,
            votes=tuple(VoteView(_ref(ctx, v.person_id), v.score, v.voted_on, v.argument) for v in case.votes)
            if result
            else (),
            tally=tally,
            scale_low=low,
            scale_high=high,
            decimals=book.results.decimals,
            may_compose=may_compose,
            may_vote=may_vote,
            my_vote=cast[me].score if me is not None and me in cast else None,
            closed=closed,
            rules=rules,
            candidates=candidates or (),
            labels=category_labels(book),
        )


def _hr_numbers(ctx: BodyContext) -> set[str]:
    return {ctx.numbers[person] for person in ctx.hr if person in ctx.numbers} | set(ctx.org.hr)


def _natural(number: str) -> tuple[str, int]:
    head = number.rstrip("0123456789")
    tail = number[len(head) :]
    return head, int(tail) if tail else -1


def composition_problems(env: Environment, principal: Principal, case_id: int, members: Sequence[str]) -> list[str]:
    """C-5 checked before submitting: the problems of a proposed composition (empty when it may be submitted).
    Only the appointing official of a case still open asks; anyone else gets ``Rejected`` (C-3)."""
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        if case_id not in _body_cases(ctx):
            raise Rejected.by_rule("C-3", "no such calibration case")
        case = uow.calibration.get(case_id)
        if ctx.ids.get(principal.person or "") != ctx.appointing_official:
            raise Rejected.by_rule("C-3", Phrase("{person} is not the appointing official", person=principal.person))
        [row] = flowstate.evaluations(uow.session, where=[evaluation_t.c.id == case.evaluation_id])
        book = ctx.book(row["rulebook_id"])
        assert book.calibration is not None
        unknown = [member for member in members if member not in ctx.ids]
        evaluator = ctx.numbers.get(row["evaluator_id"]) if row["evaluator_id"] else None
        problems = votes.calibration_composition_problems(
            list(members), ctx.numbers[row["person_id"]], evaluator, _hr_numbers(ctx), book.calibration
        )
        return [Phrase("unknown employee {member}", member=member) for member in unknown] + problems


# --- the Evaluation Commission (M-7, M-8) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolLineView:
    """A result the meeting's protocol records (M-7): the Commission approved it or revised it to ``category``;
    ``recorded``: in the signed protocol already, else what the closed vote decides (recorded on approval)."""

    evaluation_id: int
    employee: PersonRef
    method: str
    decision: str
    category: str | None
    recorded: bool


@dataclass(frozen=True)
class MeetingView:
    """A meeting; ``state``: ``scheduled`` (before its day), ``voting`` (its day, the vote open), ``awaiting_approval``
    (the vote closed with decisions: the appointing official approves them, M-7), ``approved``, or ``undecided``
    (the vote closed and decided nothing). ``protocol`` is shown to whom R-2 shows every result in it."""

    id: int
    year: int
    meeting_date: date
    scheduled_on: date | None
    notice_sent_on: date | None
    protocol_signed_on: date | None
    approved_by: PersonRef | None
    approved_on: date | None
    present: tuple[PersonRef, ...]
    today: bool
    state: str = "scheduled"
    protocol: tuple[ProtocolLineView, ...] = ()
    may_approve: bool = False


@dataclass(frozen=True)
class CommissionVoteView:
    member: PersonRef
    decision: str
    revised: str | None
    casting: bool  # the chair's vote, which decides a tie (M-7)


@dataclass(frozen=True)
class LineView:
    """One evaluation the Commission reviews; ``category``/``votes``/``decision`` only where R-2 allows."""

    evaluation_id: int
    employee: PersonRef
    method: str
    status: str
    result_visible: bool
    category: str | None
    allowed: tuple[str, ...]
    votes: tuple[CommissionVoteView, ...]
    decision: str | None
    decided_category: str | None
    my_vote: str | None
    may_refuse_act: bool


@dataclass(frozen=True)
class CommissionView:
    """The Commission of the principal's body for its latest yearly cycle that goes to it (M-7)."""

    year: int
    chair: PersonRef | None
    secretary: PersonRef | None
    members: tuple[PersonRef, ...]
    notice_days: int
    notice_rule: str
    earliest_meeting: date | None
    meetings: tuple[MeetingView, ...]
    lines: tuple[LineView, ...]
    today: date
    meeting_today: MeetingView | None
    is_hr: bool
    is_member: bool
    is_chair: bool
    is_secretary: bool
    is_official: bool
    labels: Mapping[str, Mapping[str, str]]


def _earliest_meeting(ctx: BodyContext, book: Rulebook, day: date) -> date | None:
    """M-7: the first working day a meeting can be set for today (its notice deadline is not past)."""
    candidate = ctx.calendar.next_working_day(day)
    for _ in range(60):
        if notice_deadline(book, candidate, ctx) >= day:
            return candidate
        candidate = ctx.calendar.next_working_day(candidate)
    return None


def commission_view(env: Environment, principal: Principal) -> CommissionView | None:
    """The Commission as ``principal`` may see it; ``None`` when they have no part in it (404, recorded)."""
    if principal.body is None:
        return None
    day = env.clock.today()
    with env.unit_of_work(principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, day)
        me = ctx.ids.get(principal.person or "")
        try:
            year, book = commission_year(ctx, day)
            panel = composition(ctx)
        except Rejected:
            return None
        rules = commission_rules(book)
        is_hr = me is not None and me in ctx.hr or bool(principal.roles & {Role.HR, Role.HR_HEAD})
        number = principal.person
        is_member = number in panel.members
        is_secretary = number == panel.secretary
        official = ctx.appointing_official
        acting = seat_holder_of(ctx, official, day) if official is not None else None
        is_official = me is not None and me in (official, acting)  # G-7: the person acting for them too
        if not (is_hr or is_member or is_secretary or is_official or principal.has(Role.ADMIN)):
            return None
        meetings = []
        today_meeting = None
        for meeting in uow.commission.meetings(ctx.body_id, year):
            state, protocol = _protocol(env, principal, ctx, book, meeting, day)
            view = MeetingView(
                meeting.id,
                meeting.year,
                meeting.meeting_date,
                meeting.scheduled_on,
                meeting.notice_sent_on,
                meeting.protocol_signed_on,
                _ref(ctx, meeting.approved_by_id) if meeting.approved_by_id else None,
                meeting.approved_on,
                tuple(_ref(ctx, person) for person in meeting.present),
                meeting.meeting_date == day,
                state,
                protocol,
                is_official and state == "awaiting_approval",
            )
            meetings.append(view)
            if view.today:
                today_meeting = view
        rows = [
            row
            for row in flowstate.evaluations(uow.session, body_id=ctx.body_id, eligible=True)
            if row["period_year"] == year and row["period_quarter"] is None and reviewed_by_commission(ctx, row)
        ]
        seen = visibility_of(env, principal, [row["id"] for row in rows], day, session=uow.session)
        decisions = annual_state.decisions_of(uow.session, [row["id"] for row in rows])
        all_votes = [vote for meeting in meetings for vote in uow.commission.votes(meeting.id)]
        lines = []
        for row in sorted(rows, key=lambda r: (_natural(ctx.numbers[r["person_id"]]), r["method"])):
            visible = seen.get(row["id"], Visibility.NONE)
            if visible < Visibility.PROGRESS:
                continue
            result = visible >= Visibility.RESULT
            cast = [vote for vote in all_votes if vote.evaluation_id == row["id"]]
            mine = next((vote for vote in cast if vote.person_id == me), None)
            decision = decisions.get(row["id"])
            lines.append(
                LineView(
                    evaluation_id=row["id"],
                    employee=_ref(ctx, row["person_id"]),
                    method=row["method"],
                    status=row["status"],
                    result_visible=result,
                    category=row["category"] if result else None,
                    allowed=tuple(allowed_results(*spec_of(ctx, row))),
                    votes=tuple(
                        CommissionVoteView(
                            _ref(ctx, vote.person_id),
                            vote.decision,
                            str(vote.revised_category) if vote.revised_category else None,
                            ctx.numbers.get(vote.person_id) == panel.chair and rules.chair_casting_vote,
                        )
                        for vote in cast
                    )
                    if result
                    else (),
                    decision=str(decision["decision"]) if result and decision else None,
                    decided_category=_decided_category(decision) if result else None,
                    my_vote=(mine.revised_category or mine.decision) if mine else None,
                    may_refuse_act=is_hr and row["status"] == EvaluationStatus.COMPLETED.value,
                )
            )
        return CommissionView(
            year=year,
            chair=_ref(ctx, ctx.ids[panel.chair]) if panel.chair in ctx.ids else None,
            secretary=_ref(ctx, ctx.ids[panel.secretary]) if panel.secretary in ctx.ids else None,
            members=tuple(_ref(ctx, ctx.ids[member]) for member in panel.members if member in ctx.ids),
            notice_days=rules.notice_before_meeting.days,
            notice_rule=rules.notice_before_meeting.rule,
            earliest_meeting=_earliest_meeting(ctx, book, day) if is_hr else None,
            meetings=tuple(meetings),
            lines=tuple(lines),
            today=day,
            meeting_today=today_meeting,
            is_hr=is_hr,
            is_member=is_member,
            is_chair=number == panel.chair,
            is_secretary=is_secretary,
            is_official=is_official,
            labels=category_labels(book),
        )


def _protocol(
    env: Environment, principal: Principal, ctx: BodyContext, book: Rulebook, meeting: CommissionMeeting, day: date
) -> tuple[str, tuple[ProtocolLineView, ...]]:
    """The meeting's state and its protocol's lines (M-7): the decisions recorded, then what the closed vote decides
    and is recorded on approval. The lines are shown only to whom R-2 shows every result in them."""
    if meeting.approved_on is not None:
        state = "approved"
    elif not session_over(ctx, meeting.meeting_date, day):
        state = "voting" if meeting.meeting_date == day else "scheduled"
    else:
        state = "undecided"
    if state in ("scheduled", "voting"):
        return state, ()
    recorded = [
        (item.evaluation_id, item.decision, item.result_category, True)
        for item in ctx.uow.commission.decisions(meeting.id)
    ]
    pending = (
        [
            (key, outcome.decision or "approve", outcome.result if outcome.decision == "revise" else None, False)
            for key, outcome in outcomes(ctx, book, meeting)
            if outcome.decided
        ]
        if state == "undecided"
        else []
    )
    lines = recorded + pending
    if state == "undecided" and lines:
        state = "awaiting_approval"
    if not lines:
        return state, ()
    ids = [key for key, *_ in lines]
    seen = visibility_of(env, principal, ids, day, session=ctx.uow.session)
    if any(seen.get(key, Visibility.NONE) < Visibility.RESULT for key in ids):
        return state, ()
    where = [flowstate.evaluation.c.id.in_(ids)]
    rows = {row["id"]: row for row in flowstate.evaluations(ctx.uow.session, where=where)}
    return state, tuple(
        ProtocolLineView(
            key,
            _ref(ctx, rows[key]["person_id"]),
            rows[key]["method"],
            decision,
            str(revised) if revised else _sheet_result(ctx, rows[key]),
            was_recorded,
        )
        for key, decision, revised, was_recorded in lines
        if key in rows
    )


def _sheet_result(ctx: BodyContext, row: Mapping[str, Any]) -> str | None:
    """The result the direct head's sheet gives (M-4, M-6): what an approval confirms."""
    if row["category"]:
        return str(row["category"])
    found = sheet_result(ctx, row)
    return str(found) if found else None


def _decided_category(decision: Mapping[str, Any] | None) -> str | None:
    return str(decision["result_category"]) if decision and decision["result_category"] else None


def commission_line_employee(env: Environment, principal: Principal, evaluation_id: int) -> tuple[str, str] | None:
    """The (personnel number, method) of a Commission line ``principal`` may see; ``None``: 404."""
    view = commission_view(env, principal)
    if view is None:
        return None
    line = next((line for line in view.lines if line.evaluation_id == evaluation_id), None)
    return (line.employee.number, line.method) if line else None


def approvals_waiting(env: Environment, principal: Principal) -> int:
    """How many Commission protocols of ``principal``'s body, signed, wait for their approval as the appointing
    official (M-7): the home page's reminder; 0 for anyone else."""
    if principal.body is None or principal.person is None or not principal.has(Role.APPOINTING_OFFICIAL):
        return 0
    meeting = annual_state.meeting_table
    with env.unit_of_work(principal) as uow:
        found = uow.org.body_by_code(principal.body)
        if found is None:
            return 0
        query = sa.select(sa.func.count()).where(
            meeting.c.body_id == found.id, meeting.c.protocol_signed_on.is_not(None), meeting.c.approved_on.is_(None)
        )
        return int(uow.session.execute(query).scalar_one())


@dataclass(frozen=True)
class ApprovalDue:
    """A meeting held on a day, voted on, whose results no appointing official approved yet (M-7)."""

    body: str
    official: str
    meeting_id: int
    meeting_date: date


def approvals_due(env: Environment, day: date) -> list[ApprovalDue]:
    """The Commission meetings of ``day`` (every body) where members voted and the appointing official has not
    approved the results yet, with who that official is: what a scenario's appointing official approves on the
    meeting day (``bagalau.simulate``, decision 0140)."""
    found = []
    with env.unit_of_work(Principal.system_step("lookup")) as uow:
        for body_id in flowstate.body_ids(uow.session):
            meeting = annual_state.meeting_on(uow.session, body_id, day)
            if meeting is None or meeting["approved_on"] is not None or not uow.commission.votes(meeting["id"]):
                continue
            ctx = BodyContext(env, uow, body_id, day)
            if ctx.appointing_official is None:
                continue
            code = uow.org.body(body_id).code
            found.append(ApprovalDue(code, ctx.numbers[ctx.appointing_official], meeting["id"], day))
    return found


__all__ = [
    "ApprovalDue",
    "CaseSummary",
    "CaseView",
    "CommissionView",
    "MeetingView",
    "ProtocolLineView",
    "calibration_case",
    "calibration_cases",
    "commission_line_employee",
    "approvals_due",
    "approvals_waiting",
    "commission_view",
    "composition_problems",
]
