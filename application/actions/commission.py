"""The human actions of the Commission family (004; 002 chapter 6): the superior head's review (M-5), HR's
meeting schedule (M-7), the members' open votes (M-7), the refusal act (M-8) and the appeal (M-9, C-9).

The direct head submits the yearly sheets through ``submit_sheet`` (M-4 booleans, M-6 lists of booleans); a KPI
sheet then waits for the superior head, who approves it or returns it for correction (resubmission within 2
working days, M-5); a competencies sheet goes to the Commission as signed (M-6). HR sets the meeting date at
least N working days ahead (7 for 004, 3 for 002 ch. 6) so that the evaluators are told in time (M-7). On the
meeting day the members vote — never the secretary — and ``application.cycle.commission`` decides once the day
is over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from application import messages
from application.actions.lookup import Row, evaluations_of
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.deadlines import commission_schedule, resolve
from domain.errors import Joined, Phrase, RuleViolation
from domain.facts import CommissionComposition
from domain.periods import Period
from domain.routing import voting_seat
from domain.rulebook import Commission, MethodSpec, Rulebook
from domain.validity import check_in_force
from domain.vocabulary import EvaluationStatus, Method, ResultCategory
from notifications.kinds import MessageKind
from persistence import annual_state, flowstate
from persistence.records import CommissionMeeting, NewMessage

AUTHORISED_BODY = "authorised_body"
ADMINISTRATIVE = "administrative"


@dataclass(frozen=True)
class Reviewed:
    """The superior head's decision on a sheet (M-5); ``resubmit_by`` when returned."""

    evaluation_id: int
    decision: str
    resubmit_by: date | None = None


@dataclass(frozen=True)
class Scheduled:
    meeting_id: int
    meeting_date: date
    notify_by: date
    evaluators_notified: int


@dataclass(frozen=True)
class Voted:
    meeting_id: int
    evaluation_ids: tuple[int, ...]


@dataclass(frozen=True)
class ActDrawnUp:
    evaluation_ids: tuple[int, ...]
    act_ids: tuple[int, ...]


@dataclass(frozen=True)
class Appealed:
    evaluation_ids: tuple[int, ...]
    appeal_ids: tuple[int, ...]
    authority: str
    appeal_by: date | None


# --- shared lookups ------------------------------------------------------------------------------------------------


def spec_of(ctx: BodyContext, row: Row) -> tuple[Rulebook, MethodSpec]:
    """The rulebook of an evaluation and its method's specification."""
    book = ctx.book(row["rulebook_id"])
    return book, book.method(row["method"])


def reviewed_by_commission(ctx: BodyContext, row: Row) -> bool:
    return spec_of(ctx, row)[1].review == "commission"


def check_methods_in_force(ctx: BodyContext, rows: Sequence[Row], day: date, what: str) -> None:
    """M-10: no action under a method past its sunset (002 chapter 6 after 31.08.2023)."""
    for row in rows:
        spec = spec_of(ctx, row)[1]
        if spec.sunset is None:
            continue
        try:
            check_in_force(spec, day, what)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None


def commission_rules(book: Rulebook) -> Commission:
    if book.commission is None:
        raise Rejected.by_rule("M-7", Phrase("rulebook {book_id} has no Evaluation Commission", book_id=book.id))
    return book.commission


def commission_rows(
    ctx: BodyContext, person_id: int, *, method: Method | str | None = None, year: int | None = None
) -> list[Row]:
    """A person's evaluations whose results the Commission reviews, newest period first."""
    rows = [row for row in evaluations_of(ctx, person_id, method=method) if row["eligible"]]
    rows = [row for row in rows if reviewed_by_commission(ctx, row)]
    return [row for row in rows if year is None or row["period_year"] == year]


def _one(rows: Sequence[Row], number: str, what: str, rule: str) -> Row:
    """The one evaluation an action is about; several methods at once must be named."""
    if not rows:
        raise Rejected.by_rule(rule, Phrase("{number} has no {what}", number=number, what=what))
    latest = [row for row in rows if row["period_id"] == rows[0]["period_id"]]
    methods = sorted({row["method"] for row in latest})
    if len(methods) > 1:
        raise Rejected(
            Phrase(
                "{number} has {what} of several methods ({methods}): name the method",
                number=number,
                what=what,
                methods=", ".join(methods),
            )
        )
    return latest[0]


def approver_of(ctx: BodyContext, row: Row) -> int | None:
    """M-5: the superior head — the evaluator's own head; the first head reviews their own sheets (004 §20)."""
    if row["approver_id"] is not None:
        return int(row["approver_id"])
    evaluator = row["evaluator_id"]
    if evaluator is None:
        return None
    head = ctx.org.head_of(ctx.numbers[evaluator], ctx.on)
    return ctx.ids[head] if head is not None else int(evaluator)


def composition(ctx: BodyContext) -> CommissionComposition:
    if ctx.org.commission is None:
        raise Rejected.by_rule("M-7", "the body has no Evaluation Commission (chair, secretary and members)")
    return ctx.org.commission


def require_hr(ctx: BodyContext, principal: Principal, what: str, rule: str) -> int:
    """The person id of ``principal``, who must be in the HR service (G-6)."""
    person_id = ctx.acting_person(principal)
    if person_id not in ctx.hr:
        raise Rejected.by_rule(
            rule, Phrase("{person} is not in the HR service, which {what}", person=principal.person, what=what)
        )
    return person_id


# --- M-5: the superior head approves or returns a sheet ------------------------------------------------------------


def _sheet_under_review(ctx: BodyContext, principal: Principal, evaluatee: str, method: Method | str | None) -> Row:
    person_id = ctx.person_id(evaluatee)
    rows = [row for row in commission_rows(ctx, person_id, method=method) if spec_of(ctx, row)[1].superior_approval]
    if not rows:
        raise Rejected.by_rule(
            "M-5", Phrase("no sheet of {evaluatee} is reviewed by a superior head", evaluatee=evaluatee)
        )
    waiting = [row for row in rows if row["status"] == EvaluationStatus.SUBMITTED.value]
    if not waiting:
        status = rows[0]["status"]
        if status in (EvaluationStatus.OPEN.value, EvaluationStatus.RETURNED.value, EvaluationStatus.DEFERRED.value):
            raise Rejected.by_rule(
                "M-5", Phrase("the sheet of {evaluatee} has not been submitted for review", evaluatee=evaluatee)
            )
        raise Rejected.by_rule("M-5", Phrase("the sheet of {evaluatee} was already reviewed", evaluatee=evaluatee))
    row = _one(waiting, evaluatee, Phrase("sheet waiting for review"), "M-5")
    approver = approver_of(ctx, row)
    if ctx.acting_person(principal) != approver:
        who = ctx.numbers.get(approver, "nobody") if approver is not None else "nobody"
        actor = principal.person
        raise Rejected.by_rule(
            "M-5",
            Phrase(
                "{actor} is not the superior head who reviews the sheet of {evaluatee} ({who})",
                actor=actor,
                evaluatee=evaluatee,
                who=who,
            ),
        )
    return row


def approve_sheet(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    method: Method | str | None = None,
) -> Reviewed:
    """The superior head agrees with the sheet (M-5); HR then submits it to the Commission (within 2 WD)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row = _sheet_under_review(ctx, principal, evaluatee, method)
        check_methods_in_force(ctx, [row], as_of, Phrase("an approval"))
        sheet = uow.sheets.current(row["id"])
        assert sheet is not None  # a submitted evaluation has a sheet
        reviewer = ctx.acting_person(principal)
        uow.sheets.review(row["id"], submission_id=sheet.id, reviewer_id=reviewer, decision="approve", decided_on=as_of)
        uow.evaluations.update(row["id"], status=EvaluationStatus.APPROVED, reason="superior head agrees (M-5)")
        return Reviewed(row["id"], "approve")


def return_sheet(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    reason: str,
    method: Method | str | None = None,
) -> Reviewed:
    """The superior head returns the sheet for correction (M-5): the direct head resubmits it within 2 working
    days, which becomes the sheet's deadline (escalated like any missed deadline)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        row = _sheet_under_review(ctx, principal, evaluatee, method)
        check_methods_in_force(ctx, [row], as_of, Phrase("a return for correction"))
        book, spec = spec_of(ctx, row)
        rules = commission_rules(book)
        period = Period.parse(row["period_label"])
        resubmit_by = commission_schedule(period, spec, rules, ctx.calendar, returned_on=as_of).resubmit_by
        sheet = uow.sheets.current(row["id"])
        assert sheet is not None
        uow.sheets.review(
            row["id"],
            submission_id=sheet.id,
            reviewer_id=ctx.acting_person(principal),
            decision="return",
            decided_on=as_of,
            reason=reason,
        )
        uow.evaluations.update(
            row["id"], status=EvaluationStatus.RETURNED, deadline=resubmit_by, reason=f"returned: {reason} (M-5)"
        )
        if row["evaluator_id"] is not None:
            payload = {
                "evaluatee_name": ctx.name(row["person_id"]),
                "period": row["period_label"],
                "reason": reason,
                "resubmit_by": (resubmit_by or as_of).isoformat(),
            }
            messages.queue(
                ctx,
                row["evaluator_id"],
                key=f"returned:{row['id']}:{sheet.version}",
                kind=MessageKind.SHEET_RETURNED,
                day=as_of,
                payload=payload,
                evaluation_id=row["id"],
            )
        return Reviewed(row["id"], "return", resubmit_by)


# --- M-7: the meeting schedule and the notices -------------------------------------------------------------------


def commission_year(ctx: BodyContext, day: date) -> tuple[int, Rulebook]:
    """The latest yearly cycle of the body whose results go to the Commission (M-1), not after ``day``'s year."""
    for period in sorted(flowstate.periods(ctx.uow.session, body_id=ctx.body_id), key=lambda p: -p.year):
        if period.quarter is not None or period.year > day.year:
            continue
        book = ctx.rulebook_for(date(period.year, 12, 31), fallback=day)
        if book.commission is not None and any(spec.review == "commission" for spec in book.methods):
            return period.year, book
    raise Rejected.by_rule("M-7", "no yearly evaluation of the body goes to the Commission")


def notice_deadline(book: Rulebook, meeting_date: date, ctx: BodyContext) -> date:
    """M-7: the last day the evaluators may be told of a meeting on ``meeting_date`` (N working days before)."""
    return resolve(commission_rules(book).notice_before_meeting, {"meeting": meeting_date}, ctx.calendar)


def schedule_commission(env: Environment, principal: Principal, *, as_of: date, meeting_date: date) -> Scheduled:
    """HR sets the Commission's meeting date (M-7): at least N working days ahead, so the evaluators are told in
    time (7 in 004, 3 in 002 ch. 6); the evaluators are notified at once."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        hr = require_hr(ctx, principal, Phrase("schedules the Commission's meetings"), "M-7")
        year, book = commission_year(ctx, as_of)
        rules = commission_rules(book)
        days = rules.notice_before_meeting.days
        if meeting_date <= as_of or not ctx.calendar.is_working_day(meeting_date):
            raise Rejected.by_rule(
                "M-7", Phrase("the meeting date {meeting_date} must be a later working day", meeting_date=meeting_date)
            )
        notify_by = notice_deadline(book, meeting_date, ctx)
        if as_of > notify_by:
            raise Rejected.by_rule(
                rules.notice_before_meeting.rule,
                Phrase(
                    "a meeting on {meeting_date} must be set at least {days} working days ahead so that the "
                    "evaluators are told in time: the last day to set it was {notify_by}",
                    meeting_date=meeting_date,
                    days=days,
                    notify_by=notify_by,
                ),
            )
        meeting, _ = uow.commission.schedule(
            body_id=ctx.body_id, year=year, meeting_date=meeting_date, scheduled_by_id=hr, scheduled_on=as_of
        )
        notified = notify_meeting(ctx, meeting, year)
        return Scheduled(meeting.id, meeting_date, notify_by, notified)


def notify_meeting(ctx: BodyContext, meeting: CommissionMeeting, year: int) -> int:
    """M-7: a ``commission_schedule_notice`` to each evaluator of the year's Commission evaluations; returns how
    many evaluators were told."""
    rows = [
        row
        for row in flowstate.evaluations(ctx.uow.session, body_id=ctx.body_id, eligible=True)
        if row["period_year"] == year and row["period_quarter"] is None and reviewed_by_commission(ctx, row)
    ]
    evaluators = sorted({row["evaluator_id"] for row in rows if row["evaluator_id"] is not None})
    for evaluator in evaluators:
        messages.queue(
            ctx,
            evaluator,
            key=f"commission:schedule:{meeting.id}:{evaluator}",
            kind=MessageKind.COMMISSION_SCHEDULE_NOTICE,
            day=ctx.on,
            payload={"period": str(year), "meeting_date": meeting.meeting_date.isoformat()},
        )
    ctx.uow.commission.update_meeting(meeting.id, notice_sent_on=ctx.on, reason="evaluators notified (M-7)")
    return len(evaluators)


def evaluation_notice(ctx: BodyContext, row: Row, due: date | None) -> list[NewMessage]:
    """The evaluatee's first notice (``notice:<evaluation>``), naming the evaluator and, when one is set (E-5), the
    day the evaluation is due; otherwise the Commission's schedule sets it (M-7)."""
    payload: dict[str, Any] = {"period": row["period_label"], "method": row["method"]}
    if due is not None:
        payload["deadline"] = due.isoformat()
    if row["evaluator_id"] is not None:
        payload["evaluator_name"] = ctx.name(row["evaluator_id"])
    return messages.compose(
        ctx,
        row["person_id"],
        key=f"notice:{row['id']}",
        kind=MessageKind.EVALUATION_NOTICE,
        day=ctx.on,
        payload=payload,
        evaluation_id=row["id"],
    )


# --- M-7: the open vote -------------------------------------------------------------------------------------------


def allowed_results(book: Rulebook, spec: MethodSpec) -> list[str]:
    """The results the Commission may set for a method: the M-4 grades, or meets / does not meet (M-6)."""
    if spec.scoring == "kpi_count" and book.count_grading is not None:
        return [str(grade.category) for grade in book.count_grading.grades]
    if spec.scoring == "competencies":
        return [ResultCategory.MEETS.value, ResultCategory.DOES_NOT_MEET.value]
    return [str(band.category) for band in book.results.bands]


def _before_commission(ctx: BodyContext, employee: str, method: Method | str | None, year: int) -> list[Row]:
    """The employee's sheets before the Commission (approved, not decided yet), both lines unless one is named."""
    rows = commission_rows(ctx, ctx.person_id(employee), method=method, year=year)
    before = [row for row in rows if row["status"] == EvaluationStatus.APPROVED.value]
    if before:
        return before
    if any(row["completed_on"] is not None for row in rows):
        raise Rejected.by_rule(
            "M-7", Phrase("the Commission has already decided on the results of {employee}", employee=employee)
        )
    raise Rejected.by_rule(
        "M-5", Phrase("the sheet of {employee} is not before the Commission: it is not approved yet", employee=employee)
    )


def _voted_lines(
    ctx: BodyContext, rows: Sequence[Row], decision: str, result: str | None
) -> list[tuple[Row, ResultCategory | None]]:
    """M-7: what a vote applies to. A vote is on the employee's results at the session: ``approve`` approves each
    line before the Commission; ``revise`` revises the line whose results include the revised one (``effective``
    is a KPI-count result, ``meets`` a competencies one, M-4/M-6) and says nothing of the other line."""
    if decision not in ("approve", "revise"):
        raise Rejected.by_rule(
            "M-7", Phrase("a vote approves or revises the result, not {decision!r}", decision=decision)
        )
    if decision == "approve":
        if result is not None:
            raise Rejected.by_rule("M-7", "a vote to approve carries no result; only a revision names one")
        return [(row, None) for row in rows]
    if result is None:
        raise Rejected.by_rule("M-7", "a vote to revise names the revised result")
    lines: list[tuple[Row, ResultCategory | None]] = [
        (row, ResultCategory(result)) for row in rows if result in allowed_results(*spec_of(ctx, row))
    ]
    if not lines:
        allowed = sorted({word for row in rows for word in allowed_results(*spec_of(ctx, row))})
        rule = "M-6" if all(spec_of(ctx, row)[1].scoring == "competencies" for row in rows) else "M-4"
        raise Rejected.by_rule(
            rule,
            Phrase(
                "{result} is not a result the Commission can set here: {allowed}",
                result=result,
                allowed=", ".join(allowed),
            ),
        )
    return lines


def commission_vote(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    decision: str,
    result: ResultCategory | str | None = None,
    method: Method | str | None = None,
) -> Voted:
    """A member's open vote at the meeting (M-7) on the employee's results: approve them, or revise one to
    ``result``; the secretary and non-members do not vote, and a member votes once on each result."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        panel = composition(ctx)
        actor = principal.person or principal.actor
        found = annual_state.meeting_on(uow.session, ctx.body_id, as_of)
        if found is None:
            raise Rejected.by_rule("M-7", Phrase("the Commission does not meet on {as_of}", as_of=as_of))
        book = ctx.rulebook_for(date(found["year"], 12, 31), fallback=as_of)
        if actor == panel.secretary and not commission_rules(book).secretary_votes:
            raise Rejected.by_rule("M-7", Phrase("the secretary {actor} does not vote", actor=actor))
        seat = voting_seat(actor, list(panel.members), ctx.org, as_of) if actor in ctx.org.employees_by_id else None
        if seat is None:
            raise Rejected.by_rule("M-7", Phrase("{actor} is not a member of the Commission", actor=actor))
        before = _before_commission(ctx, employee, method, found["year"])
        check_methods_in_force(ctx, before, as_of, Phrase("a Commission vote"))
        lines = _voted_lines(ctx, before, decision, None if result is None else str(result))
        voter = ctx.person_id(seat)  # G-7: a person acting for an absent member votes in that member's seat
        if found["attendance_recorded_on"] is not None and voter not in uow.commission.get(found["id"]).present:
            raise Rejected.by_rule(
                "M-7", Phrase("{seat} is not recorded as present at the meeting of {as_of}", seat=seat, as_of=as_of)
            )
        uow.commission.record_presence(found["id"], [voter])
        cast = [
            row["id"]
            for row, revised in lines
            if uow.commission.vote(
                found["id"],
                evaluation_id=row["id"],
                person_id=voter,
                decision=decision,
                voted_on=as_of,
                revised_category=revised,
            )
        ]
        if not cast:
            raise Rejected.by_rule(
                "M-7", Phrase("{actor} has already voted on the results of {employee}", actor=actor, employee=employee)
            )
        uow.audit("commission_meeting", found["id"], "vote", after={"evaluations": cast, "member": seat, "by": actor})
        return Voted(found["id"], tuple(cast))


# --- M-8: refusal to acknowledge; M-9 / C-9: appeal ------------------------------------------------------------


def _results(
    ctx: BodyContext, employee: str, method: Method | str | None, statuses: Sequence[str], rule: str
) -> list[Row]:
    """The employee's Commission results of the latest cycle in ``statuses`` (both lines unless one is named)."""
    rows = [row for row in commission_rows(ctx, ctx.person_id(employee), method=method) if row["status"] in statuses]
    if not rows:
        raise Rejected.by_rule(rule, Phrase("{employee} has no Commission result for this", employee=employee))
    return [row for row in rows if row["period_id"] == rows[0]["period_id"]]


def refuse_acquaintance(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    witnesses: Sequence[str],
    method: Method | str | None = None,
) -> ActDrawnUp:
    """M-8: the employee refuses to acknowledge the Commission's results in writing; HR (``principal``) draws up an act
    signed with two other employees. The results stand (acquainted by the act) and go through the intranet portal
    (``refusal_act`` message)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        hr = require_hr(ctx, principal, Phrase("draws up the refusal act"), "M-8")
        rows = _results(ctx, employee, method, [EvaluationStatus.COMPLETED.value], "M-8")
        book, _ = spec_of(ctx, rows[0])
        actor = ctx.numbers[hr]
        pair = _witnesses(ctx, employee, actor, witnesses, commission_rules(book).refusal_act_witnesses)
        acts = []
        for row in rows:
            content = f"{employee} refused to acknowledge in writing the result for {row['period_label']} (M-8)"
            acts.append(
                uow.evaluations.add_refusal_act(
                    evaluation_id=row["id"], refused_on=as_of, drawn_up_by_id=hr, witnesses=pair, content=content
                )
            )
            uow.evaluations.update(
                row["id"],
                status=EvaluationStatus.ACQUAINTED,
                acquainted_on=as_of,
                acquaintance_method="refusal_act",
                reason="refused to acknowledge: act drawn up (M-8)",
            )
            payload = {"period": row["period_label"], "act_date": as_of.isoformat()}
            messages.queue(
                ctx,
                row["person_id"],
                key=f"refusal_act:{row['id']}",
                kind=MessageKind.REFUSAL_ACT,
                day=as_of,
                payload={**payload, **messages.result_payload(book, None, row["category"])},
                evaluation_id=row["id"],
            )
        return ActDrawnUp(tuple(row["id"] for row in rows), tuple(acts))


def _witnesses(ctx: BodyContext, employee: str, actor: str, witnesses: Sequence[str], needed: int) -> tuple[int, int]:
    """M-8: the act is signed by HR and two other employees (neither the employee nor the HR officer)."""
    distinct = list(dict.fromkeys(witnesses))
    problems: list[str] = [
        Phrase("{witness} is not an employee of the body", witness=w) for w in distinct if w not in ctx.ids
    ]
    if employee in distinct or actor in distinct:
        problems.append(Phrase("the witnesses are other employees, neither the employee nor the HR officer"))
    if len(distinct) != needed or needed != 2:
        problems.append(
            Phrase("{count} witness(es) given; the act is signed by {needed}", count=len(distinct), needed=needed)
        )
    if problems:
        raise Rejected.by_rule("M-8", Phrase("refusal act: {problems}", problems=Joined(problems)))
    return ctx.ids[distinct[0]], ctx.ids[distinct[1]]


def appeal_by(ctx: BodyContext, row: Row) -> date | None:
    """M-9: 10 working days from the Commission's decision, which takes effect when the appointing official approves
    it (M-7, decision 0140); ``None`` before."""
    decision = annual_state.decision_of(ctx.uow.session, row["id"])
    if decision is None or decision["approved_on"] is None:
        return None
    book, spec = spec_of(ctx, row)
    period = Period.parse(row["period_label"])
    rules = commission_rules(book)
    return commission_schedule(period, spec, rules, ctx.calendar, decided_on=decision["approved_on"]).appeal_by


def appeal(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    text: str,
    employee: str | None = None,
    method: Method | str | None = None,
) -> Appealed:
    """The employee appeals: the Commission's decision on their results to the authorised body within 10 working
    days (M-9), or a calibration decision under the administrative procedure code (C-9); outcomes come later."""
    employee = employee or principal.person
    if employee is None:
        raise Rejected(Phrase("{actor} acts for no person: name the employee", actor=principal.actor))
    decided = (EvaluationStatus.COMPLETED.value, EvaluationStatus.ACQUAINTED.value, EvaluationStatus.CLOSED.value)
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        if any(row["status"] in decided for row in commission_rows(ctx, person_id, method=method)):
            rows = _results(ctx, employee, method, decided, "M-9")
            until = min(filter(None, (appeal_by(ctx, row) for row in rows)), default=None)
            if until is not None and as_of > until:
                raise Rejected.by_rule("M-9", Phrase("the appeal window closed on {until}", until=until))
            authority, rule = AUTHORISED_BODY, "M-9"
        else:
            rows, until, authority, rule = [_calibrated(ctx, person_id, employee, method)], None, ADMINISTRATIVE, "C-9"
        appealed = annual_state.appeals_of(uow.session, [row["id"] for row in rows])
        fresh = [row for row in rows if row["id"] not in appealed]
        if not fresh:
            raise Rejected.by_rule(rule, Phrase("{employee} has already appealed this decision", employee=employee))
        ids = tuple(
            uow.evaluations.add_appeal(evaluation_id=row["id"], filed_on=as_of, authority=authority, note=text)
            for row in fresh
        )
        return Appealed(tuple(row["id"] for row in fresh), ids, authority, until)


def _calibrated(ctx: BodyContext, person_id: int, employee: str, method: Method | str | None) -> Row:
    """C-9: the latest evaluation whose calibration session decided."""
    for row in evaluations_of(ctx, person_id, method=method):
        case = ctx.uow.calibration.for_evaluation(row["id"])
        if case is not None and case.protocol_signed_on is not None:
            return row
    raise Rejected.by_rule(
        "C-9", Phrase("{employee} has no Commission or calibration decision to appeal", employee=employee)
    )
