"""G-4: the evaluation schedule HR compiles in the system and the appointing official approves (000 §10).

:func:`compile_schedule` is pure: the organization, a period, the rulebook and the calendar in, one entry per
person and method the period considers out — who is evaluated (or why not, E-1…E-6), by whom (the evaluator due
on the opening day, G-7), by which method (G-2, Q-1, M-10) and on which dates (P-1…P-6, K-1, P-5: the working-day
windows). :func:`check_schedule_approval` accepts or refuses the approval (G-4: the appointing official, when the
rulebook's ``schedule.approval_required``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.calendar import WorkingCalendar
from domain.deadlines import PeriodSchedule, period_schedule
from domain.eligibility import (
    DISMISSED_BEFORE_PERIOD,
    NOT_B_CORPS,
    NOT_EMPLOYED_IN_PERIOD,
    decide_eligibility,
    methods_for,
)
from domain.errors import Phrase, RuleViolation
from domain.facts import Employee, Organization
from domain.periods import Period
from domain.routing import due_evaluator
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import Method

NOT_SCHEDULED = frozenset({NOT_B_CORPS, NOT_EMPLOYED_IN_PERIOD, DISMISSED_BEFORE_PERIOD})
"""Eligibility reasons that keep a person off the schedule entirely (not considered by the period)."""


@dataclass(frozen=True)
class ScheduleEntry:
    """One line of the G-4 schedule: who, by whom, which method, which dates (``None``: not set by the rulebook)."""

    employee: str
    method: Method
    eligible: bool
    reason: str | None
    rule: str
    in_absentia: bool
    evaluator: str | None
    evaluator_reason: str | None
    notice_by: date | None
    deadline: date | None
    kpi_plan_by: date | None
    kpi_actuals_by: date | None
    reminders: tuple[date, ...]


@dataclass(frozen=True)
class EvaluationSchedule:
    """G-4: the schedule of one period, compiled on ``opened_on``; ``approval_required`` by the rulebook."""

    period: Period
    opened_on: date
    entries: tuple[ScheduleEntry, ...]
    approval_required: bool
    rule: str

    def entry(self, employee: str, method: Method | str) -> ScheduleEntry:
        found = [e for e in self.entries if e.employee == employee and e.method == method]
        if not found:
            raise KeyError(f"the schedule of {self.period} has no entry for {employee} by {method}")
        return found[0]


def compile_schedule(
    org: Organization,
    period: Period,
    rulebook: Rulebook,
    calendar: WorkingCalendar,
    *,
    opened_on: date | None = None,
) -> EvaluationSchedule:
    """G-4: the evaluation schedule of ``period`` as of ``opened_on`` (default: the first working day after it).

    Every B-corps employee in service during the period, for each method the rulebook applies (G-2, M-10), gets
    an entry: eligible or not (E-1…E-6, with the method E-6 falls back to), the evaluator due that day (G-7), the
    notice day (P-4), the deadline (P-1, P-2) or the E-5 date after return, the KPI plan and actuals windows
    (K-1, P-5) and the reminder days. Sorted by employee, then method.
    """
    day = opened_on or calendar.next_working_day(period.end)
    entries = [
        entry
        for employee in org.employees
        for spec in methods_for(employee, period, rulebook)
        if (entry := _entry(employee, spec, org, period, rulebook, calendar, day)) is not None
    ]
    unique = {(e.employee, e.method): e for e in entries}
    ordered = tuple(sorted(unique.values(), key=lambda e: (e.employee, e.method.value)))
    schedule = rulebook.schedule
    return EvaluationSchedule(period, day, ordered, schedule.approval_required, schedule.rule)


def _entry(
    employee: Employee,
    spec: MethodSpec,
    org: Organization,
    period: Period,
    rulebook: Rulebook,
    calendar: WorkingCalendar,
    day: date,
) -> ScheduleEntry | None:
    appointed = employee.position_on(period.end)
    dates = _dates(period, spec, rulebook, calendar, day, None if appointed is None else appointed.tenure_start)
    decision = decide_eligibility(
        employee, period, rulebook.eligibility, calendar, spec, opened_on=day, deadline=dates.deadline
    )
    if decision.reason in NOT_SCHEDULED:
        return None
    method = decision.method or spec.method
    if method != spec.method:  # E-6: the fallback method, with its own dates
        spec = rulebook.method(method)
        dates = _dates(period, spec, rulebook, calendar, day, None)
    deadline = decision.deferred_until or dates.deadline
    due = due_evaluator(employee, spec, org, day, rulebook, deadline=deadline) if decision.eligible else None
    return ScheduleEntry(
        employee=employee.id,
        method=method,
        eligible=decision.eligible,
        reason=decision.reason,
        rule=decision.rule,
        in_absentia=decision.in_absentia,
        evaluator=None if due is None else due.evaluator,
        evaluator_reason=None if due is None else due.reason,
        notice_by=dates.notice_by if decision.eligible else None,
        deadline=deadline if decision.eligible else None,
        kpi_plan_by=dates.kpi_plan_by if decision.eligible else None,
        kpi_actuals_by=dates.kpi_actuals_by if decision.eligible else None,
        reminders=dates.reminders if decision.eligible else (),
    )


def _dates(
    period: Period, spec: MethodSpec, rulebook: Rulebook, calendar: WorkingCalendar, day: date, appointed: date | None
) -> PeriodSchedule:
    return period_schedule(period, spec, calendar, day, reminders=rulebook.reminders, appointed=appointed)


def check_schedule_approval(by: str, org: Organization, rulebook: Rulebook) -> None:
    """G-4: the schedule is approved by the official entitled to appoint and dismiss (000 §10); anyone else is
    refused, and so is an approval the rulebook does not ask for."""
    rules = rulebook.schedule
    if not rules.approval_required:
        message = Phrase("rulebook {rulebook_id} does not ask for the schedule to be approved", rulebook_id=rulebook.id)
        raise RuleViolation(rule=rules.rule, field="by", value=by, allowed="no approval", message=message)
    if by != org.appointing_official:
        official = org.appointing_official or "nobody"
        message = Phrase(
            "'{by}' may not approve the evaluation schedule: the appointing official ({official}) approves it",
            by=by,
            official=official,
        )
        raise RuleViolation(rule=rules.rule, field="by", value=by, allowed=official, message=message)
