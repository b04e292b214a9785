"""G-4: the evaluation schedule of a period — HR compiles it, the appointing official approves it (000 §10, 001 §10).

:func:`show_schedule` compiles the schedule (``domain.schedule.compile_schedule``: who, by whom, which method, the
dates the rulebook gives, on the period's opening day) with its approval; :func:`approve_schedule` records the
approval by the body's appointing official on the day (refused, naming G-4, for anyone else or when the rulebook
asks for no approval), audited as who approved. ``opening.approval_missing`` is the opening gate: a period whose
rulebook requires approval (``schedule.approval_required``, default true) does not open without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from application.actions.setup import staff_incomplete
from application.context import BodyContext
from application.cycle.opening import approval_missing, opening_day
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.calendar import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, CalendarRangeError
from domain.errors import Phrase, RuleViolation
from domain.facts import FactError
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.schedule import EvaluationSchedule, check_schedule_approval, compile_schedule
from domain.vocabulary import Role
from persistence.uow import UnitOfWork

RULE = "G-4"
VIEW_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.ADMIN, Role.APPOINTING_OFFICIAL})


class ScheduleRefused(Rejected):
    """A refusal naming the refused ``field`` (``--by``, ``PERIOD``, ``BODY``) beside the rule."""

    def __init__(self, reason: str, *, field: str, rule: str | None = RULE, phrase: Phrase | None = None) -> None:
        super().__init__(reason, rule=rule, phrase=phrase)
        self.field = field


@dataclass(frozen=True)
class ScheduleView:
    """A period's schedule as HR and the appointing official see it, with its approval (G-4)."""

    body: str
    period: str
    rulebook_id: str
    schedule: EvaluationSchedule
    names: dict[str, str]
    approved_on: date | None
    approved_by: str | None
    opened_on: date | None
    approved_now: bool = False

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    @property
    def may_open(self) -> bool:
        """The opening gate (G-4): approved, or the rulebook asks for no approval."""
        return self.approved or not self.schedule.approval_required

    def as_dict(self) -> dict[str, Any]:
        """The schedule as JSON (``bagalau schedule show --json``, ``GET /api/v1/hr/schedule/{period}``)."""
        view, schedule = self, self.schedule
        return {
            "body": view.body,
            "period": view.period,
            "rulebook": view.rulebook_id,
            "opens_on": schedule.opened_on.isoformat(),
            "opened_on": None if view.opened_on is None else view.opened_on.isoformat(),
            "approval_required": schedule.approval_required,
            "approved_on": None if view.approved_on is None else view.approved_on.isoformat(),
            "approved_by": view.approved_by,
            "may_open": view.may_open,
            "rule": schedule.rule,
            "entries": [
                {
                    "employee": entry.employee,
                    "name": view.names.get(entry.employee),
                    "method": entry.method.value,
                    "eligible": entry.eligible,
                    "reason": entry.reason,
                    "rule": entry.rule,
                    "in_absentia": entry.in_absentia,
                    "evaluator": entry.evaluator,
                    "notice_by": None if entry.notice_by is None else entry.notice_by.isoformat(),
                    "deadline": None if entry.deadline is None else entry.deadline.isoformat(),
                    "kpi_plan_by": None if entry.kpi_plan_by is None else entry.kpi_plan_by.isoformat(),
                    "kpi_actuals_by": None if entry.kpi_actuals_by is None else entry.kpi_actuals_by.isoformat(),
                    "reminders": [day.isoformat() for day in entry.reminders],
                }
                for entry in schedule.entries
            ],
        }


def may_see(principal: Principal, body: str) -> None:
    """G-4, G-6: the system, or the body's HR service, HR head, admins and appointing official."""
    if principal.system:
        return
    if principal.body != body or not principal.roles & VIEW_ROLES:
        raise Rejected.by_rule("G-6", "only the HR service and the appointing official of the body see its schedule")


def _body(uow: UnitOfWork, body: str) -> int:
    found = uow.org.body_by_code(body)
    if found is None:
        raise ScheduleRefused(Phrase("there is no state body {body}", body=repr(body[:64])), field="BODY", rule=None)
    return found.id


def _period(label: str) -> Period:
    try:
        return Period.parse(label)
    except (TypeError, ValueError):
        raise ScheduleRefused(
            Phrase("{label} is not a period: 2025-Q1 … 2025-Q4 or 2025", label=repr(label[:40])),
            field="PERIOD",
            rule=None,
        ) from None


def _book(ctx: BodyContext, period: Period) -> Rulebook:
    try:
        return ctx.rulebook_for(period.end, fallback=ctx.on)
    except Rejected as exc:
        raise ScheduleRefused(
            Phrase("{reason}: `bagalau body assign-rulebook` first", reason=exc.phrase), field="BODY", rule=exc.rule
        ) from None


def _view(env: Environment, uow: UnitOfWork, body: str, label: str, *, approved_now: bool = False) -> ScheduleView:
    body_id = _body(uow, body)
    period = _period(label)
    try:
        return _compiled(env, uow, body, body_id, period, approved_now=approved_now)
    except CalendarRangeError:  # a period whose days the calendar cannot count: refused, never an error
        raise ScheduleRefused(
            Phrase(
                "{label}: its working days cannot be counted, the Kazakhstan working-day calendar covers the years "
                "{years}",
                label=period.label,
                years=f"{FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}",
            ),
            field="PERIOD",
            rule="P-7",
        ) from None


def _compiled(
    env: Environment, uow: UnitOfWork, body: str, body_id: int, period: Period, *, approved_now: bool
) -> ScheduleView:
    probe = BodyContext(env, uow, body_id, period.end)
    day = opening_day(period, probe)
    ctx = BodyContext(env, uow, body_id, day)
    book = _book(ctx, period)
    try:
        org = ctx.org
    except FactError as exc:  # the staff data cannot be evaluated yet: say what is missing, where
        raise ScheduleRefused(staff_incomplete(exc), field="BODY", rule=None) from None
    schedule = compile_schedule(org, period, book, ctx.calendar, opened_on=day)
    found = uow.periods.by_label(body_id, period.label)
    approval = None if found is None else uow.periods.schedule_approval(found.id)
    opened = None if found is None else uow.periods.opened_on([found.id]).get(found.id)
    names = {employee.id: employee.name for employee in org.employees}
    by = None if approval is None or approval[1] is None else ctx.numbers.get(approval[1])
    return ScheduleView(
        body=body,
        period=period.label,
        rulebook_id=book.id,
        schedule=schedule,
        names=names,
        approved_on=None if approval is None else approval[0],
        approved_by=by,
        opened_on=opened,
        approved_now=approved_now,
    )


def show_schedule(env: Environment, principal: Principal, body: str, label: str) -> ScheduleView:
    """G-4: the schedule of ``label`` for ``body`` as compiled for its opening day, with its approval."""
    may_see(principal, body)
    with env.unit_of_work(principal) as uow:
        return _view(env, uow, body, label)


def approve_schedule(
    env: Environment, principal: Principal, body: str, label: str, *, by: str, day: date
) -> ScheduleView:
    """G-4: ``by`` (a personnel number) approves the schedule of ``label`` on ``day``; refused unless ``by`` is the
    body's appointing official on ``day`` and the rulebook asks for approval. Approving again changes nothing."""
    may_see(principal, body)
    if not principal.system and principal.person != by:
        raise ScheduleRefused(
            Phrase("{actor} may not approve in the name of {by}", actor=principal.actor, by=by), field="--by"
        )
    with env.unit_of_work(principal) as uow:
        body_id = _body(uow, body)
        period = _period(label)
        ctx = BodyContext(env, uow, body_id, day)
        book = _book(ctx, period)
        try:
            check_schedule_approval(by, ctx.org, book)
        except RuleViolation as violation:
            raise ScheduleRefused(str(violation), field="--by", rule=violation.rule, phrase=violation.phrase) from None
        found = uow.periods.open(body_id=body_id, kind=period.kind, year=period.year, quarter=period.quarter)
        done = uow.periods.approve_schedule(
            found.id, day=day, by_id=ctx.person_id(by), reason=f"evaluation schedule of {period.label} approved (G-4)"
        )
        view = _view(env, uow, body, period.label, approved_now=done)
        uow.commit()
        return view


def opening_refusal(env: Environment, body: str, label: str, day: date) -> str | None:
    """The opening gate asked before a run (``bagalau rerun open_period``): why ``label`` may not open for ``body``
    on ``day`` (G-4; G-3 when no rulebook is assigned), or ``None`` when it may (or it is opened already)."""
    with env.unit_of_work(Principal.system_step("operator:lookup")) as uow:
        body_id = _body(uow, body)
        period = _period(label)
        ctx = BodyContext(env, uow, body_id, day)
        try:
            book = ctx.rulebook_for(period.end, fallback=day)
        except Rejected as exc:
            return f"{exc.reason}: `bagalau body assign-rulebook {body} RULEBOOK --from DATE` first"
        found = uow.periods.by_label(body_id, period.label)
        if found is None:
            return approval_missing_for_new(book, period.label)
        if uow.periods.is_opened(found.id):
            return None
        return approval_missing(ctx, found.id, period.label, book)


def approval_missing_for_new(book: Rulebook, label: str) -> str | None:
    """A period not requested yet has no approval: the gate refuses it when the rulebook requires one."""
    if not book.schedule.approval_required:
        return None
    return (
        f"the evaluation schedule of {label} is not approved: the appointing official approves it first "
        f"(`bagalau schedule approve BODY {label} --by PERSONNEL_NUMBER`) ({book.schedule.rule})"
    )


__all__ = [
    "ScheduleRefused",
    "ScheduleView",
    "approval_missing",
    "approve_schedule",
    "opening_refusal",
    "show_schedule",
]
