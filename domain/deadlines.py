"""Every date of the law, from a rulebook's deadline rules and the Kazakhstan working-day calendar.

A deadline rule (``domain.rulebook``) is one of three shapes, resolved against *anchors* — the dates of the
events it counts from (``period_start``, ``period_end``, ``deadline``, ``completed``, ``acquainted``,
``applied``, ``signed``, ``meeting``, ``decided`` …):

* :class:`~domain.rulebook.DayOfMonthRule` — "no later than the Nth of the month after the period" (P-1, P-2,
  P-3, P-4), counted from ``anchors["period_end"]`` and moved off a non-working day by its P-6 roll policy;
* :class:`~domain.rulebook.WorkingDaysRule` — "within N working days after X" (P-7: counting starts the day
  after X, so the result is always a working day);
* :class:`~domain.rulebook.WorkingDaysBeforeRule` — "no later than N working days before X" (P-5, M-7),
  counted back from the day before X.

The schedules below gather the dates one evaluation, one calibration case or one Commission cycle needs; a date
whose event has not happened yet is ``None``. :func:`check_within` is the window check used when people act.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from domain.calendar import WorkingCalendar
from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.rulebook import (
    Calibration,
    Commission,
    DayOfMonthRule,
    MethodSpec,
    Reminders,
    Rulebook,
    WorkingDaysBeforeRule,
    WorkingDaysRule,
)
from domain.vocabulary import Method

AnyDeadlineRule = DayOfMonthRule | WorkingDaysRule | WorkingDaysBeforeRule


class MissingAnchor(KeyError):
    """A deadline rule counts from an event whose date is not known (yet)."""

    def __init__(self, event: str, rule: AnyDeadlineRule, known: Mapping[str, date]) -> None:
        self.event = event
        self.rule = rule.rule
        self.message = (
            f"deadline rule {rule.rule} ({rule.kind}) counts from the event '{event}', whose date is not given; "
            f"known events: {', '.join(sorted(known)) or 'none'}"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class WindowClosed(RuleViolation):
    """Someone acted after the last day the rule allows."""


class WindowNotOpen(RuleViolation):
    """Someone acted before the first day the rule allows."""


# --- one rule --------------------------------------------------------------------------------------------------


def anchor_of(rule: AnyDeadlineRule) -> str:
    """The event a rule counts from: ``period_end`` for a day-of-month rule, else its ``after`` / ``before``."""
    if isinstance(rule, DayOfMonthRule):
        return "period_end"
    if isinstance(rule, WorkingDaysRule):
        return rule.after
    return rule.before


def resolve(rule: AnyDeadlineRule, anchors: Mapping[str, date], calendar: WorkingCalendar) -> date:
    """The date ``rule`` sets, given the dates of the events in ``anchors``.

    Raises :class:`MissingAnchor` (a ``KeyError``) naming the missing event and the rule id.
    """
    event = anchor_of(rule)
    if event not in anchors:
        raise MissingAnchor(event, rule, anchors)
    when = anchors[event]
    if isinstance(rule, DayOfMonthRule):
        return calendar.day_of_month_after(when, rule.day, rule.months_after, rule.roll)
    if isinstance(rule, WorkingDaysRule):
        return calendar.add_working_days(when, rule.days)
    return calendar.subtract_working_days(when, rule.days)


def resolve_if_known(
    rule: AnyDeadlineRule | None, anchors: Mapping[str, date | None], calendar: WorkingCalendar
) -> date | None:
    """:func:`resolve`, or ``None`` when there is no rule or its event has not happened yet."""
    if rule is None:
        return None
    known = {event: when for event, when in anchors.items() if when is not None}
    if anchor_of(rule) not in known:
        return None
    return resolve(rule, known, calendar)


def as_notice(rule: AnyDeadlineRule) -> AnyDeadlineRule:
    """P-6: a "no later than the Nth" notice never rolls forward (it would be late): ``roll_forward`` becomes
    ``roll_back``; ``roll_back`` and ``none`` stay as the rulebook says."""
    if isinstance(rule, DayOfMonthRule) and rule.roll == "roll_forward":
        return rule.model_copy(update={"roll": "roll_back"})
    return rule


# --- an evaluation period ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSchedule:
    """The dates of one method's evaluation of one period (P-1…P-6, K-1), from the period's end.

    ``notice_by`` is the last day the evaluatee's notice may go out (P-4); when the period was opened after it,
    it is the opening day and ``late`` is set (the flow escalates lateness to HR). ``deadline`` is the last day
    of the evaluation (P-1, P-2); ``overdue_from`` the first day after it. ``reminders`` are working days before
    the deadline, after the opening. A date the rulebook does not set for this method is ``None``.
    """

    period: Period
    method: Method
    opened_on: date | None
    notice_by: date | None
    late: bool
    deadline: date | None
    kpi_plan_by: date | None
    kpi_plan_upload_by: date | None
    kpi_actuals_by: date | None
    reminders: tuple[date, ...]
    overdue_from: date | None

    def anchors(self) -> dict[str, date]:
        """The events of this schedule, by the names rules count from."""
        events = {"period_start": self.period.start, "period_end": self.period.end}
        for name, when in (("opened", self.opened_on), ("notice", self.notice_by), ("deadline", self.deadline)):
            if when is not None:
                events[name] = when
        return events


def period_schedule(
    period: Period,
    method_spec: MethodSpec,
    calendar: WorkingCalendar,
    opened_on: date | None = None,
    *,
    reminders: Reminders | None = None,
    appointed: date | None = None,
    plan_approved_on: date | None = None,
) -> PeriodSchedule:
    """Every date of ``method_spec``'s evaluation of ``period``.

    * notice (P-4): the rule's date, rolled back when on a day off (P-6, :func:`as_notice`); opened late → the
      opening day, ``late``; a method without a notice rule notifies when the period opens;
    * deadline (P-1, P-2): the rule's date with the rule's own roll (``roll_forward`` for deadlines on people);
    * KPI actuals (P-5): N working days before the deadline; KPI plan (K-1, M-2): N working days after the period
      starts, or after ``appointed`` for someone appointed later in the period (K-1, second sentence); the
      approved plan in the system N working days after ``plan_approved_on`` (K-2);
    * reminders: ``reminders.before_deadline_working_days`` working days before the deadline, kept only when
      after the period's end and after the opening day (earlier ones would precede the notice).
    """
    base: dict[str, date | None] = {"period_start": period.start, "period_end": period.end, "opened": opened_on}
    deadline = resolve_if_known(method_spec.deadline, base, calendar)
    anchors = {**base, "deadline": deadline}
    notice_by, late = _notice(method_spec, anchors, calendar, opened_on, deadline)
    plan_anchors = {**anchors, "period_start": max(period.start, appointed)} if appointed else anchors
    return PeriodSchedule(
        period=period,
        method=method_spec.method,
        opened_on=opened_on,
        notice_by=notice_by,
        late=late,
        deadline=deadline,
        kpi_plan_by=resolve_if_known(method_spec.kpi_plan, plan_anchors, calendar),
        kpi_plan_upload_by=resolve_if_known(method_spec.kpi_plan_upload, {"approved": plan_approved_on}, calendar),
        kpi_actuals_by=resolve_if_known(method_spec.kpi_actuals, anchors, calendar),
        reminders=_reminders(
            deadline, reminders or Reminders(), calendar, after=max(period.end, opened_on or period.end)
        ),
        overdue_from=None if deadline is None else deadline + timedelta(days=1),
    )


def _notice(
    method_spec: MethodSpec,
    anchors: Mapping[str, date | None],
    calendar: WorkingCalendar,
    opened_on: date | None,
    deadline: date | None,
) -> tuple[date | None, bool]:
    rule = None if method_spec.notice is None else as_notice(method_spec.notice)
    notice_by = resolve_if_known(rule, anchors, calendar)
    if notice_by is None:
        late = opened_on is not None and deadline is not None and opened_on > deadline
        return opened_on, late
    if opened_on is not None and opened_on > notice_by:
        return opened_on, True
    return notice_by, False


def _reminders(
    deadline: date | None, reminders: Reminders, calendar: WorkingCalendar, *, after: date
) -> tuple[date, ...]:
    if deadline is None:
        return ()
    days = {calendar.subtract_working_days(deadline, n) for n in reminders.before_deadline_working_days if n >= 0}
    return tuple(sorted(day for day in days if after < day <= deadline))


def recomputed(stored: date | None, before: date | None, after: date | None, today: date) -> date | None:
    """P-7 (decision 0196): the new value of a stored date that a calendar override moves from ``before`` (the
    date the calendar gave before the override) to ``after`` (with it), or ``None`` when the stored date stays.

    It moves only when it is still the date the old calendar gave (``stored == before``: nobody set it otherwise),
    that date is today or later (a date already passed was kept or missed: it stays), the new one is today or later
    too (a window never closes in the past), and they differ. Pure: dates in, a decision out.
    """
    if stored is None or before is None or after is None or stored != before or before == after:
        return None
    if before < today or after < today:
        return None
    return after


# --- calibration -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSchedule:
    """C-1…C-7: the last day of each step of a disagreement, ``None`` until the event it counts from happens."""

    acquaint_by: date | None  # C-1: 2 WD after the evaluation is completed
    dismissed_acquaint_by: date | None  # dismissed people, within the month after the quarter
    apply_by: date | None  # C-2: 5 WD after acquaintance
    decide_by: date | None  # C-3: 3 WD after the application
    hold_by: date | None  # C-4: 10 WD after the application
    protocol_post_by: date | None  # C-7: 3 WD after the protocol is signed


def calibration_schedule(
    calibration: Calibration,
    calendar: WorkingCalendar,
    *,
    period: Period | None = None,
    completed_on: date | None = None,
    acquainted_on: date | None = None,
    applied_on: date | None = None,
    signed_on: date | None = None,
    events: Mapping[str, date] | None = None,
) -> CalibrationSchedule:
    """The C-1…C-7 dates from whatever has happened: ``completed``, ``acquainted``, ``applied``, ``signed``
    (the names the rules count from; ``events`` adds or overrides any other). With ``period``, also the Q-4 date
    by which a dismissed employee is made acquainted."""
    anchors: dict[str, date | None] = {
        **(period.anchors() if period is not None else {}),
        "completed": completed_on,
        "acquainted": acquainted_on,
        "applied": applied_on,
        "signed": signed_on,
        **(events or {}),
    }
    return CalibrationSchedule(
        acquaint_by=resolve_if_known(calibration.acquaintance, anchors, calendar),
        dismissed_acquaint_by=resolve_if_known(calibration.dismissed_acquaintance, anchors, calendar),
        apply_by=resolve_if_known(calibration.apply_within, anchors, calendar),
        decide_by=resolve_if_known(calibration.decide_within, anchors, calendar),
        hold_by=resolve_if_known(calibration.hold_within, anchors, calendar),
        protocol_post_by=resolve_if_known(calibration.protocol_post_within, anchors, calendar),
    )


# --- the Commission ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionSchedule:
    """M-2…M-9: the last day of each step of a Commission cycle, ``None`` until its event happens."""

    kpi_plan_by: date | None  # M-2: KPIs set 10 WD after the period starts
    plan_resubmit_by: date | None  # M-2: 2 WD after a work plan is returned as not SMART
    resubmit_by: date | None  # M-2/M-5: 2 WD after a plan or sheet is returned
    submit_to_commission_by: date | None  # M-5/M-6: 2 WD after the superior head's (direct head's) signature
    notify_evaluators_by: date | None  # M-7: 7 (002: 3) WD before the meeting
    acquaint_by: date | None  # M-8: 2 WD after the decision
    appeal_by: date | None  # M-9: 10 WD after the decision


def commission_schedule(
    period: Period,
    method_spec: MethodSpec,
    commission: Commission,
    calendar: WorkingCalendar,
    *,
    plan_returned_on: date | None = None,
    returned_on: date | None = None,
    signed_on: date | None = None,
    meeting_on: date | None = None,
    decided_on: date | None = None,
    events: Mapping[str, date] | None = None,
) -> CommissionSchedule:
    """The M-2…M-9 dates from whatever has happened.

    Event names the rules count from: ``period_start``, ``returned`` (a sheet sent back for correction, M-5; for
    the work plan's own resubmission rule, M-2, ``returned`` is ``plan_returned_on``),
    ``signed`` (also ``superior_signed``: the signature after which HR submits to the Commission), ``meeting``,
    ``decided`` (the Commission's decision); ``events`` adds or overrides any other.
    """
    anchors: dict[str, date | None] = {
        "period_start": period.start,
        "period_end": period.end,
        "returned": returned_on,
        "signed": signed_on,
        "superior_signed": signed_on,
        "meeting": meeting_on,
        "decided": decided_on,
        **(events or {}),
    }
    return CommissionSchedule(
        kpi_plan_by=resolve_if_known(method_spec.kpi_plan, anchors, calendar),
        plan_resubmit_by=resolve_if_known(
            method_spec.kpi_plan_resubmit, {**anchors, "returned": plan_returned_on}, calendar
        ),
        resubmit_by=resolve_if_known(commission.resubmit_within, anchors, calendar),
        submit_to_commission_by=resolve_if_known(commission.submit_to_commission_within, anchors, calendar),
        notify_evaluators_by=resolve_if_known(commission.notice_before_meeting, anchors, calendar),
        acquaint_by=resolve_if_known(commission.acquaintance, anchors, calendar),
        appeal_by=resolve_if_known(commission.appeal_within, anchors, calendar),
    )


# --- yearly dates --------------------------------------------------------------------------------------------


def annual_due(year: int, rulebook: Rulebook, calendar: WorkingCalendar) -> date:
    """P-3: the day the annual final score of ``year`` is due (003: 30 January of the next year)."""
    if rulebook.annual is None:
        raise KeyError(f"rulebook {rulebook.id} has no 'annual' section: no annual final score (P-3)")
    return resolve(rulebook.annual.due, Period.of_year(year).anchors(), calendar)


def survey_deadline(year: int, rulebook: Rulebook, calendar: WorkingCalendar) -> date:
    """T-1 / P-1: the last day of the yearly 360 survey of ``year`` (the 10th of the month after the year)."""
    if rulebook.survey_360 is None:
        raise KeyError(f"rulebook {rulebook.id} has no 'survey_360' section: no 360 survey (T-1)")
    return resolve(rulebook.survey_360.deadline, Period.of_year(year).anchors(), calendar)


# --- windows --------------------------------------------------------------------------------------------------


def check_within(event_date: date, deadline: date, rule: str, what: str, *, opens: date | None = None) -> None:
    """Refuse an action dated after ``deadline`` (:class:`WindowClosed`) or before ``opens``
    (:class:`WindowNotOpen`); both name the rule, the action and the dates. The deadline day itself is allowed."""
    if event_date > deadline:
        raise WindowClosed(
            rule=rule,
            field=what,
            value=event_date,
            allowed=f"no later than {deadline.isoformat()}",
            message=Phrase(
                "{what} on {day} is too late: the deadline was {deadline} ({rule})",
                what=what,
                day=event_date,
                deadline=deadline,
                rule=rule,
            ),
        )
    if opens is not None and event_date < opens:
        raise WindowNotOpen(
            rule=rule,
            field=what,
            value=event_date,
            allowed=f"from {opens.isoformat()} to {deadline.isoformat()}",
            message=Phrase(
                "{what} on {day} is too early: it opens on {opens} ({rule})",
                what=what,
                day=event_date,
                opens=opens,
                rule=rule,
            ),
        )
