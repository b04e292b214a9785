"""The Commission's results: decided at the meeting, approved by the appointing official (M-7; 004 §37–40).

004 §39: "Бағалаудың нәтижелері уәкілетті тұлғамен бекітіледі және ... хаттамасында тіркеледі" — the results are
approved by the authorised person and recorded in the protocol. So there are two steps, done by two hands
(decision record 0140):

1. **The Commission decides** (:func:`record_decisions`): once the meeting's vote is closed (the end of the meeting
   day, :func:`session_over`), each result voted on is approved or revised by the votes (quorum of two thirds of the
   members present, simple majority, the chair's casting vote: ``domain.votes.commission_outcome``), the decisions
   go into the protocol and the protocol is signed. The sweep's Commission step does this; nothing reaches the
   employee yet — the evaluations wait, ``approved`` (by the superior head, M-5), for the appointing official.
2. **The appointing official approves** (:func:`approve_commission_results`, a person's action through the page,
   the API or — for a scenario, which has no such event — the simulator on the meeting day): the approval is
   recorded in the protocol, and only then do the results take effect (:func:`take_effect`): the evaluations are
   completed, M-8's acquaintance is due within 2 working days of the approval and M-9's appeal window runs from it,
   and the employee's ``commission_decision`` and ``appeal_window`` messages are queued.

An approval before the vote is closed, by anyone but the body's appointing official, or of a protocol with no
decision is refused naming M-7; approving an approved protocol again answers as the first approval did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from application import messages
from application.actions.commission import check_methods_in_force, commission_rules, spec_of
from application.actions.lookup import Row
from application.actions.sheets import SCORERS, SheetFacts
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.deadlines import commission_schedule
from domain.errors import Phrase
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, ResultCategory
from domain.votes import CommissionOutcome, Decision, commission_outcome, meeting_attendance
from notifications.kinds import MessageKind
from persistence import flowstate
from persistence.records import CommissionMeeting

UNDECIDED = "commission_undecided"
APPROVED = "approve_commission_results"
SESSION_CLOSES = time(18, 0)
"""M-7: the Commission's vote on a meeting day is closed at the end of the working day (Asia/Almaty)."""


@dataclass(frozen=True)
class ResultsApproved:
    """The appointing official's approval of a meeting's protocol (M-7); ``already``: it had been approved before
    (a double submit), nothing changed."""

    meeting_id: int
    meeting_date: date
    approved_on: date
    approved_by: str
    evaluation_ids: tuple[int, ...]
    already: bool = False


def session_over(ctx: BodyContext, meeting_date: date, day: date) -> bool:
    """Whether the vote of a meeting is closed as of ``day``: after the meeting day, or on it once the working
    day is over (a run for a past day acts at its end, ``Clock.moment``; the 07:00 sweep of the meeting day
    does not decide before the session is held)."""
    return meeting_date < day or (meeting_date == day and ctx.env.clock.moment(day).time() >= SESSION_CLOSES)


def meeting_book(ctx: BodyContext, meeting: CommissionMeeting) -> Rulebook:
    """The rulebook of the meeting's yearly cycle (M-1, M-10)."""
    book = ctx.rulebook_for(date(meeting.year, 12, 31), fallback=ctx.on)
    commission_rules(book)
    return book


def effective_day(decision: Mapping[str, Any]) -> date:
    """The day a decision took effect (``annual_state.decisions_of``'s row): its approval by the appointing
    official, from which M-8's acquaintance and M-9's appeal window run (decision 0140); the meeting's day for a
    decision approved before approvals were recorded apart."""
    approved = decision.get("approved_on")
    found = approved if isinstance(approved, date) else decision["decided_on"]
    assert isinstance(found, date)
    return found


def awaiting_approval(meeting: CommissionMeeting) -> bool:
    """M-7: the protocol is signed (the Commission decided something) and the appointing official has not approved
    it yet."""
    return meeting.protocol_signed_on is not None and meeting.approved_on is None


# --- 1. the Commission decides (M-7) ------------------------------------------------------------------------------


def outcomes(ctx: BodyContext, book: Rulebook, meeting: CommissionMeeting) -> list[tuple[int, CommissionOutcome]]:
    """M-7: what the votes of ``meeting`` decide on each evaluation voted on there and not decided yet (pure: read
    only), in the order the votes came — quorum of two thirds of the members present (those HR recorded, else those
    who voted that day), simple majority, the chair's casting vote (``domain.votes.commission_outcome``)."""
    panel = ctx.org.commission
    votes = ctx.uow.commission.votes(meeting.id)
    if panel is None or not votes:
        return []
    decided = {decision.evaluation_id for decision in ctx.uow.commission.decisions(meeting.id)}
    by_evaluation: dict[int, dict[str, Decision]] = defaultdict(dict)
    for vote in votes:
        by_evaluation[vote.evaluation_id][ctx.numbers[vote.person_id]] = Decision(vote.decision, vote.revised_category)  # type: ignore[arg-type]
    voters = sorted({ctx.numbers[vote.person_id] for vote in votes if vote.voted_on == meeting.meeting_date})
    recorded = [ctx.numbers[person] for person in meeting.present] if meeting.attendance_recorded_on else None
    # M-7: the attendance HR recorded, else the members who voted that day; the chair is never assumed present.
    present = list(meeting_attendance(list(panel.members), panel.secretary, recorded=recorded, voters=voters).present)
    rules = commission_rules(book)
    return [
        (evaluation_id, commission_outcome(cast, list(panel.members), panel.chair, panel.secretary, present, rules))
        for evaluation_id, cast in by_evaluation.items()
        if evaluation_id not in decided
    ]


def record_decisions(ctx: BodyContext, book: Rulebook, meeting: CommissionMeeting) -> int:
    """M-7: the decision on each evaluation voted on at ``meeting`` (once), and the protocol signed on the meeting
    day when there is one; returns how many decisions were recorded now. The results do not take effect here: they
    wait for the appointing official's approval (:func:`approve_commission_results`)."""
    found = outcomes(ctx, book, meeting)
    undecided = _undecided(ctx, [evaluation_id for evaluation_id, _ in found])
    count = 0
    for evaluation_id, outcome in found:
        if not outcome.decided:
            if evaluation_id not in undecided:
                ctx.uow.evaluations.mark_commission_undecided(evaluation_id, meeting.meeting_date)
                ctx.uow.audit(
                    "evaluation", evaluation_id, UNDECIDED, after={"meeting_id": meeting.id}, reason=outcome.reason
                )
            continue
        verdict = outcome.decision
        ctx.uow.commission.decide(
            meeting.id,
            evaluation_id=evaluation_id,
            decision=verdict or "approve",
            decided_on=meeting.meeting_date,
            result_category=outcome.result if verdict == "revise" else None,
        )
        ctx.uow.audit(
            "evaluation",
            evaluation_id,
            "commission_decision",
            after={"meeting_id": meeting.id, "decision": verdict or "approve"},
            reason=f"{outcome.reason}; awaits the appointing official's approval (M-7)",
        )
        count += 1
    if count and meeting.protocol_signed_on is None:
        ctx.uow.commission.update_meeting(
            meeting.id,
            protocol_signed_on=meeting.meeting_date,
            reason="protocol signed; the results await the appointing official's approval (M-7)",
        )
    return count


def _undecided(ctx: BodyContext, evaluation_ids: list[int]) -> set[int]:
    """The evaluations a vote already failed to decide (M-7: HR was told once)."""
    if not evaluation_ids:
        return set()
    where = [flowstate.evaluation.c.id.in_(evaluation_ids), flowstate.evaluation.c.commission_undecided_on.is_not(None)]
    return {row["id"] for row in flowstate.evaluations(ctx.uow.session, where=where)}


# --- 2. the appointing official approves (M-7, 004 §39) -------------------------------------------------------------


def sheet_category(ctx: BodyContext, row: Row) -> ResultCategory | None:
    """The result of the current sheet (M-4 count, M-6 indicators), as the direct head signed it."""
    sheet = ctx.uow.sheets.current(row["id"])
    if sheet is None:
        return None
    book, spec = spec_of(ctx, row)
    number = ctx.numbers[row["person_id"]]
    facts = SheetFacts(ctx, row, row["person_id"], number, Period.parse(row["period_label"]), book, spec, None)
    return SCORERS[spec.scoring](dict(sheet.scores), facts).category


def _waiting_rows(ctx: BodyContext, meeting: CommissionMeeting) -> list[tuple[Row, str, ResultCategory | None]]:
    """The evaluations decided at ``meeting`` whose results have not taken effect yet, with the decision."""
    decisions = {decision.evaluation_id: decision for decision in ctx.uow.commission.decisions(meeting.id)}
    if not decisions:
        return []
    where = [flowstate.evaluation.c.id.in_(list(decisions))]
    rows = {row["id"]: row for row in flowstate.evaluations(ctx.uow.session, where=where)}
    return [
        (rows[key], decision.decision, decision.result_category)
        for key, decision in decisions.items()  # in the order decided, as the protocol lists them
        if key in rows and rows[key]["status"] == EvaluationStatus.APPROVED.value
    ]


def take_effect(ctx: BodyContext, book: Rulebook, meeting: CommissionMeeting, approved_on: date) -> list[int]:
    """The approved results take effect (M-7, M-8, M-9): each evaluation decided at ``meeting`` is completed on the
    approval day with its result, acquaintance is due within 2 working days of it (M-8), and the employee gets the
    decision and the appeal window (10 working days, M-9). Returns the evaluations completed."""
    done = []
    for row, verdict, revised in _waiting_rows(ctx, meeting):
        _, spec = spec_of(ctx, row)
        result = revised if verdict == "revise" else sheet_category(ctx, row)
        dates = commission_schedule(
            Period.parse(row["period_label"]), spec, commission_rules(book), ctx.calendar, decided_on=approved_on
        )
        word = "revised" if verdict == "revise" else "approved"
        ctx.uow.evaluations.update(
            row["id"],
            status=EvaluationStatus.COMPLETED,
            completed_on=approved_on,
            category=result,
            score=None,
            acquaint_by=dates.acquaint_by,
            reason=f"the Commission {word} the result; approved by the appointing official (M-7)",
        )
        base = {"period": row["period_label"], "rulebook": book.id}
        for kind, key, payload in (
            (
                MessageKind.COMMISSION_DECISION,
                "commission:decision",
                {"decision": word, **messages.result_payload(book, None, result)},
            ),
            (MessageKind.APPEAL_WINDOW, "commission:appeal", {"appeal_by": (dates.appeal_by or ctx.on).isoformat()}),
        ):
            messages.queue(
                ctx,
                row["person_id"],
                key=f"{key}:{row['id']}",
                kind=kind,
                day=ctx.on,
                payload={**base, **payload},
                evaluation_id=row["id"],
            )
        done.append(int(row["id"]))
    return done


def ask_for_approval(ctx: BodyContext, meeting: CommissionMeeting) -> int:
    """M-7: the appointing official is told, once, that the signed protocol awaits their approval."""
    if not awaiting_approval(meeting) or ctx.appointing_official is None:
        return 0
    decided = len(ctx.uow.commission.decisions(meeting.id))
    messages.queue(
        ctx,
        ctx.appointing_official,
        key=f"commission:approval:{meeting.id}",
        kind=MessageKind.COMMISSION_APPROVAL_REQUEST,
        day=ctx.on,
        payload={
            "period": str(meeting.year),
            "meeting_date": meeting.meeting_date.isoformat(),
            "results": decided,
            "link": ctx.env.link("commission"),
        },
    )
    return 1


def _meeting(ctx: BodyContext, meeting_id: int | None, meeting_date: date | None) -> CommissionMeeting:
    """The meeting approved: by id, by date, else the earliest one not approved yet (its protocol signed, else its
    vote closed), else the latest approved one (a second approval answers as the first)."""
    found = [
        meeting
        for period in flowstate.periods(ctx.uow.session, body_id=ctx.body_id)
        if period.quarter is None
        for meeting in ctx.uow.commission.meetings(ctx.body_id, period.year)
    ]
    if meeting_id is not None:
        found = [meeting for meeting in found if meeting.id == meeting_id]
    elif meeting_date is not None:
        found = [meeting for meeting in found if meeting.meeting_date == meeting_date]
    else:  # the earliest protocol awaiting approval, else the earliest meeting whose vote is closed, else the latest
        found.sort(key=lambda meeting: meeting.meeting_date)
        pending = [meeting for meeting in found if meeting.approved_on is None]
        found = (
            [meeting for meeting in pending if awaiting_approval(meeting)]
            or [meeting for meeting in pending if session_over(ctx, meeting.meeting_date, ctx.on)]
            or pending
            or found[-1:]
        )
    if not found:
        if meeting_id is not None:
            missing = Phrase("the Commission of the body has no meeting {meeting_id}", meeting_id=meeting_id)
        elif meeting_date is not None:
            missing = Phrase("the Commission of the body has no meeting on {meeting_date}", meeting_date=meeting_date)
        else:
            missing = Phrase("the Commission of the body has no protocol awaiting approval")
        raise Rejected.by_rule("M-7", missing)
    return found[0]


def approve_commission_results(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    meeting_id: int | None = None,
    meeting_date: date | None = None,
) -> ResultsApproved:
    """The appointing official (or the person acting for them, G-7) approves the results of a Commission meeting,
    recorded in its protocol (M-7; 004 §39). The meeting is named by id or date (else the earliest one not approved).
    Its vote must be closed; the decisions are recorded first if the daily step has not done it yet; then the
    approval is recorded and the results take effect (:func:`take_effect`). Approving an approved protocol again
    changes nothing."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        me = ctx.acting_person(principal)
        official = ctx.appointing_official
        # G-7: while the official is away, the person acting for them approves (and was asked to)
        acting = messages.seat_holder_of(ctx, official, as_of) if official is not None else None
        if me not in (official, acting) or official is None:
            who = ctx.numbers.get(official) if official is not None else None
            raise Rejected.by_rule(
                "M-7",
                Phrase(
                    "{person} is not the appointing official of the body ({official}), who approves the "
                    "Commission's results",
                    person=principal.person,
                    official=who,
                )
                if who is not None
                else Phrase(
                    "{person} is not the appointing official of the body (nobody), who approves the "
                    "Commission's results",
                    person=principal.person,
                ),
            )
        meeting = _meeting(ctx, meeting_id, meeting_date)
        meeting = uow.commission.get(meeting.id, for_update=True)  # two approvals at once: one waits, then sees it
        if meeting.approved_on is not None:
            decided = tuple(decision.evaluation_id for decision in uow.commission.decisions(meeting.id))
            by = ctx.numbers.get(meeting.approved_by_id or 0, "")
            return ResultsApproved(meeting.id, meeting.meeting_date, meeting.approved_on, by, decided, already=True)
        if not session_over(ctx, meeting.meeting_date, as_of):
            raise Rejected.by_rule(
                "M-7",
                Phrase(
                    "the vote of the Commission's meeting of {meeting_date} is not closed yet (it closes at "
                    "{closes_at} on {meeting_date})",
                    meeting_date=meeting.meeting_date,
                    closes_at=SESSION_CLOSES.strftime("%H:%M"),
                ),
            )
        book = meeting_book(ctx, meeting)
        record_decisions(ctx, book, meeting)
        meeting = uow.commission.get(meeting.id)
        rows = [row for row, _, _ in _waiting_rows(ctx, meeting)]
        if meeting.protocol_signed_on is None or not rows:
            raise Rejected.by_rule(
                "M-7",
                Phrase(
                    "the protocol of the meeting of {meeting_date} holds no decision of the Commission to approve",
                    meeting_date=meeting.meeting_date,
                ),
            )
        check_methods_in_force(ctx, rows, as_of, "an approval of the Commission's results")
        uow.commission.update_meeting(
            meeting.id,
            approved_by_id=me,
            approved_on=as_of,
            reason="results approved by the appointing official, recorded in the protocol (M-7)",
        )
        done = take_effect(ctx, book, meeting, as_of)
        uow.audit(
            "commission_meeting",
            meeting.id,
            APPROVED,
            after={"approved_on": as_of.isoformat(), "evaluations": done, "by": principal.person},
            reason="the appointing official approves the Commission's results (M-7)",
        )
        return ResultsApproved(meeting.id, meeting.meeting_date, as_of, principal.person or "", tuple(done))
