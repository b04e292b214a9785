"""Who is evaluated in a period, by which methods, and how (E-1…E-6, G-2, M-10).

:func:`decide_eligibility` answers for one employee, one period and (optionally) one method; :func:`methods_for`
picks the methods a rulebook applies to an employee in a period. Both are pure: facts and dates in, a decision out.

Definitions (the texts are silent on them; these are the choices, documented in the README):

* **Tenure** (E-1, E-5) is counted by calendar months over the days in the position *during the period*: from
  ``S = max(start of the position, period start)`` to ``L = min(last day in the position, period end)``.
  N months are reached when ``S + N months − 1 day <= L`` (``dateutil.relativedelta``: a day past the end of a
  shorter month clips to its last day). So a person appointed on the 1st of the quarter's last month has exactly
  one month (2025-03-01..2025-03-31) and is evaluated; appointed on the 2nd, they are not.
* The **position** is the one held on the last day in service within the period; tenure counts from the
  appointment to that post (``Appointment.tenure_start``, 003 §5): a new appointment (a new category) restarts
  it, a move of unit or head within the same post does not. So does the return from an absence of a kind the
  rulebook lists in ``tenure_restarts_after`` (E-5, 004 §4: "including after social leave or study"; study has
  no absence kind of its own yet): tenure counts from the day after such an absence that overlaps the tenure.
* **Worked days** (E-2) are the working days in the position during the period minus the working days covered by
  an absence (overlapping absences counted once) of a kind that is not work: the rulebook's
  ``worked_absence_kinds`` (default ``business_trip``: a trip to perform work duties is work, Labour Code art. 1)
  are days worked.
* **The evaluation day** (E-3) is the day the period is opened (``opened_on``; by default the first working day
  after the period): an employee absent that day, for a kind in ``in_absentia_kinds``, is evaluated without
  their participation (E-3) or after their return (E-5). **Dismissed before the deadline** (E-4) means a last
  day in service before the evaluation deadline (``deadline``; by default the method's deadline rule, else the
  evaluation day).
* **Probation** (E-5) excludes an employee still on probation on their last day in service within the period.
* **E-6**: KPIs are not set when fewer than N months remain from the appointment to the end of the *reporting
  year* of the period (the work plan is yearly with quarterly values; with a quarter as horizon the K-1 rule
  "KPIs within 10 working days of a later appointment" could never apply). Such a head is evaluated by the
  rulebook's fallback method; without one, not at all (``kpi_not_set``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from domain.calendar import WorkingCalendar
from domain.deadlines import resolve, resolve_if_known
from domain.errors import Phrase
from domain.facts import Absence, Appointment, Employee
from domain.periods import Period
from domain.rulebook import Eligibility, MethodSpec, PopulationFilter, Rulebook
from domain.vocabulary import AbsenceKind, Corps, Method, PeriodKind

NOT_B_CORPS = "not_b_corps"
NOT_EMPLOYED_IN_PERIOD = "not_employed_in_period"
DISMISSED_BEFORE_PERIOD = "dismissed_before_period"
DISMISSED_BEFORE_DEADLINE = "dismissed_before_deadline"
PROBATION = "probation"
KPI_NOT_SET = "kpi_not_set"

KPI_METHODS: frozenset[Method] = frozenset({Method.KPI, Method.KPI_COUNT})

#: Why a person is not evaluated, as the opening stores it (these constants; the rulebooks' own
#: ``tenure_reason``/``worked_days_reason`` are the first three in the rulebooks we ship): the rule that decides
#: and the reason in words, which the pages say in the reader's language (the refusal, the HR board and the
#: timeline). A reason a rulebook words itself is not here: it shows as it is written, under E-1.
REASONS_SAID: dict[str, tuple[str, Phrase]] = {
    "tenure_under_one_month": ("E-1", Phrase("less than one month in the position (E-1)")),
    "under_15_working_days": ("E-2", Phrase("fewer than 15 working days worked in the period (E-2)")),
    "tenure_under_three_months": ("E-5", Phrase("less than three months in the position (E-5)")),
    PROBATION: ("E-5", Phrase("on probation (E-5)")),
    KPI_NOT_SET: ("E-6", Phrase("KPIs not set: appointed too close to the end of the year (E-6)")),
    DISMISSED_BEFORE_DEADLINE: ("E-4", Phrase("dismissed before the evaluation deadline (E-4)")),
}


def reason_said(code: str) -> tuple[str, str]:
    """The rule and the words of an ineligibility reason (a rulebook's own: E-1 and the code as it is written)."""
    return REASONS_SAID.get(code, ("E-1", code))


@dataclass(frozen=True)
class EligibilityDecision:
    """Whether an employee is evaluated for a period, and how.

    ``reason`` (snake_case) says why not; ``rule`` is the rule id that decided. ``in_absentia``: evaluated without
    their participation within the normal deadlines (E-3, E-4). ``deferred_until``: evaluated within N working
    days after their return, no later than this date (E-5). ``method`` is the method that applies (E-6 may
    replace a KPI method by its fallback, recorded in ``fallback_from``). ``tenure`` is ``(S, L)``, the days in
    the position during the period; ``worked_days`` the E-2 count when the rulebook needs it.
    """

    eligible: bool
    reason: str | None
    in_absentia: bool
    deferred_until: date | None
    rule: str
    method: Method | None = None
    fallback_from: Method | None = None
    tenure: tuple[date, date] | None = None
    worked_days: int | None = None
    evaluation_day: date | None = None


# --- calendar-month arithmetic -----------------------------------------------------------------------------


def months_reached(start: date, last: date, months: int) -> bool:
    """Whether holding a position from ``start`` to ``last`` (both included) lasts ``months`` calendar months:
    ``start + months − 1 day <= last`` (E-1, E-5, E-6)."""
    if months <= 0:
        return start <= last
    return _months_later(start, months) <= last


@lru_cache(maxsize=65_536)
def _months_later(start: date, months: int) -> date:
    """``start + months − 1 day``; remembered, as a body's people share a few thousand appointment dates (issue
    13: the calendar-month arithmetic was a fifth of deciding eligibility for 100,000 people)."""
    reached: date = start + relativedelta(months=months) - timedelta(days=1)
    return reached


# --- the decision ----------------------------------------------------------------------------------------------


def decide_eligibility(
    employee: Employee,
    period: Period,
    rules: Eligibility,
    calendar: WorkingCalendar,
    method_spec: MethodSpec | None = None,
    *,
    opened_on: date | None = None,
    deadline: date | None = None,
) -> EligibilityDecision:
    """Decide whether and how ``employee`` is evaluated for ``period`` (E-1…E-6; see the module docstring)."""
    method = None if method_spec is None else method_spec.method
    if employee.corps != Corps.B:
        return _not(NOT_B_CORPS, "G-2", method)
    position = position_in(employee, period)
    if position is None:
        reason = DISMISSED_BEFORE_PERIOD if _dismissed_before(employee, period) else NOT_EMPLOYED_IN_PERIOD
        return _not(reason, _tenure_rule(rules), method)
    tenure = _tenure(position, period, employee)
    day = opened_on or calendar.next_working_day(period.end)
    worked = (
        None
        if rules.min_worked_days is None
        else worked_days(employee, *tenure, calendar, worked_kinds=rules.worked_absence_kinds)
    )
    decision = _refusal(employee, tenure, worked, rules, method) or _kpi_fallback(
        _participation(employee, rules, calendar, method_spec, period, day, deadline),
        position,
        period,
        rules,
        method_spec,
    )
    return replace(decision, tenure=tenure, worked_days=worked, evaluation_day=day)


def _not(reason: str, rule: str, method: Method | None) -> EligibilityDecision:
    return EligibilityDecision(
        eligible=False, reason=reason, in_absentia=False, deferred_until=None, rule=rule, method=method
    )


def _yes(
    rule: str, method: Method | None, *, in_absentia: bool = False, deferred_until: date | None = None
) -> EligibilityDecision:
    return EligibilityDecision(
        eligible=True, reason=None, in_absentia=in_absentia, deferred_until=deferred_until, rule=rule, method=method
    )


def _tenure_rule(rules: Eligibility) -> str:
    """The rule id of the minimum tenure: E-1 (one month) or E-5 (three months), as the rulebook lists it."""
    return next((rule for rule in rules.rules if rule in ("E-1", "E-5")), "E-1")


def _refusal(
    employee: Employee,
    tenure: tuple[date, date],
    worked: int | None,
    rules: Eligibility,
    method: Method | None,
) -> EligibilityDecision | None:
    """The first of E-1/E-5 (tenure), E-2 (worked days), E-5 (probation) that refuses, if any."""
    start, last = tenure
    counted_from = _tenure_restart(employee, start, last, rules.tenure_restarts_after)
    if not months_reached(counted_from, last, rules.min_tenure_months):
        return _not(rules.tenure_reason, _tenure_rule(rules), method)
    if rules.min_worked_days is not None and worked is not None and worked < rules.min_worked_days:
        return _not(rules.worked_days_reason, "E-2", method)
    if rules.exclude_probation and employee.probation_until is not None and employee.probation_until >= last:
        return _not(PROBATION, "E-5", method)
    return None


def _participation(
    employee: Employee,
    rules: Eligibility,
    calendar: WorkingCalendar,
    method_spec: MethodSpec | None,
    period: Period,
    day: date,
    deadline: date | None,
) -> EligibilityDecision:
    """E-4 (dismissed before the deadline), then E-3/E-5 (absent on the evaluation day), else evaluated normally."""
    method = None if method_spec is None else method_spec.method
    until = deadline or _method_deadline(method_spec, period, calendar) or day
    if employee.dismissed is not None and employee.dismissed < until:
        if rules.dismissed == "not_evaluated":
            return _not(DISMISSED_BEFORE_DEADLINE, "E-4", method)
        return _yes("E-4", method, in_absentia=True)
    absence = employee.absence_on(day, rules.in_absentia_kinds)
    if absence is None:
        return _yes(_tenure_rule(rules), method)
    if rules.absent == "in_absentia" or rules.after_return is None:
        return _yes("E-3", method, in_absentia=True)
    back = return_day(employee, absence, calendar)
    until_after_return = resolve(rules.after_return, {rules.after_return.after: back}, calendar)
    return _yes("E-5", method, deferred_until=until_after_return)


def _method_deadline(method_spec: MethodSpec | None, period: Period, calendar: WorkingCalendar) -> date | None:
    if method_spec is None:
        return None
    anchors: dict[str, date | None] = {**period.anchors()}
    return resolve_if_known(method_spec.deadline, anchors, calendar)


def _kpi_fallback(
    decision: EligibilityDecision,
    position: Appointment,
    period: Period,
    rules: Eligibility,
    method_spec: MethodSpec | None,
) -> EligibilityDecision:
    """E-6: a KPI method with fewer than N months from the appointment to the end of the reporting year."""
    if not decision.eligible or method_spec is None or method_spec.method not in KPI_METHODS:
        return decision
    months = rules.kpi_min_remaining_months
    if months is None or months_reached(position.tenure_start, period.year_period.end, months):
        return decision
    fallback = rules.kpi_fallback_method
    if fallback is None:
        return _not(KPI_NOT_SET, "E-6", method_spec.method)
    return replace(decision, rule="E-6", method=fallback, fallback_from=decision.method)


# --- facts about the period -------------------------------------------------------------------------------------


def position_in(employee: Employee, period: Period) -> Appointment | None:
    """The position held on the employee's last day in service within ``period`` (``None``: not in service)."""
    held = [position for position in employee.positions if position.overlaps(period.start, period.end)]
    return max(held, key=lambda position: position.start, default=None)


def category_in(employee: Employee, period: Period) -> str | None:
    """The category of the position held in ``period`` (the current one when not in service then)."""
    position = position_in(employee, period)
    return employee.category if position is None else position.category


def _dismissed_before(employee: Employee, period: Period) -> bool:
    return employee.dismissed is not None and employee.dismissed < period.start


def _tenure(position: Appointment, period: Period, employee: Employee) -> tuple[date, date]:
    """``(S, L)``: the first and last day in the post during the period (from the appointment to it, 003 §5)."""
    start = max(position.tenure_start, period.start)
    ends = [period.end] + [end for end in (position.end, employee.dismissed) if end is not None]
    return start, min(ends)


def _tenure_restart(employee: Employee, start: date, last: date, kinds: Iterable[AbsenceKind]) -> date:
    """E-5: tenure counts from the day after the last absence of ``kinds`` overlapping ``[start, last]``."""
    restarts = [a.end + timedelta(days=1) for a in employee.absences_between(start, last, kinds)]
    return max([start, *restarts])


DEFAULT_WORKED_KINDS: tuple[AbsenceKind, ...] = (AbsenceKind.BUSINESS_TRIP,)
"""E-2: absence kinds whose days are days worked when a caller names none (the rulebook's default)."""


def worked_days(
    employee: Employee,
    start: date,
    last: date,
    calendar: WorkingCalendar,
    *,
    worked_kinds: Iterable[AbsenceKind] = DEFAULT_WORKED_KINDS,
) -> int:
    """E-2: working days in ``[start, last]`` actually worked: not covered by an absence other than of
    ``worked_kinds`` (a business trip by default); overlapping absences are counted once."""
    if last < start:
        return 0
    worked = set(worked_kinds)
    away = [absence for absence in employee.absences_between(start, last) if absence.kind not in worked]
    absent = sum(calendar.working_days_between(s, e) for s, e in _merged(away, start, last))
    return calendar.working_days_between(start, last) - absent


def _merged(absences: Sequence[Absence], start: date, last: date) -> list[tuple[date, date]]:
    """The absences clipped to ``[start, last]`` and merged where they overlap or touch."""
    spans: list[tuple[date, date]] = []
    for absence in sorted(absences, key=lambda a: a.start):
        low, high = max(absence.start, start), min(absence.end, last)
        if spans and low <= spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
        else:
            spans.append((low, high))
    return spans


def return_day(employee: Employee, absence: Absence, calendar: WorkingCalendar) -> date:
    """E-5: the first working day after ``absence`` on which the employee is not absent again (absences that
    follow one another with no working day between them are one spell away)."""
    back = calendar.next_working_day(absence.end)
    while employee.is_absent_on(back):
        back = calendar.next_working_day(max(a.end for a in employee.absences if a.covers(back)))
    return back


# --- which methods -------------------------------------------------------------------------------------------------


def in_population(employee: Employee, population: PopulationFilter) -> bool:
    """M-10: absent for one of the filter's kinds at some point of ``[absent_from, absent_to]``."""
    return bool(employee.absences_between(population.absent_from, population.absent_to, population.absent_kinds))


def methods_for(employee: Employee, period: Period, rulebook: Rulebook) -> list[MethodSpec]:
    """The methods ``rulebook`` applies to ``employee`` for ``period``, in rulebook order.

    A method applies when its cadence is the period's kind, it is in force on the period's last day, its selector
    matches the category held in the period (G-2, Q-1) and its population filter, if any, includes the employee
    (M-10). A method that applies to the employee for the period, or for the reporting year containing it,
    removes the methods it ``replaces`` (002 chapter 6: ``kpi_count`` instead of ``kpi`` and ``differentiation``).
    Eligibility (corps, tenure, …) is not checked here: :func:`decide_eligibility` does that per method.
    """
    category = category_in(employee, period)
    if category is None:
        return []
    applying = [spec for spec in rulebook.methods if _applies(spec, employee, category, period, rulebook)]
    replacing = [
        spec
        for spec in rulebook.methods
        for covering in _covering(period, spec.cadence)
        if spec.replaces and _applies(spec, employee, category, covering, rulebook)
    ]
    replaced = {method for spec in replacing for method in spec.replaces}
    return [spec for spec in applying if spec.method not in replaced]


def _applies(spec: MethodSpec, employee: Employee, category: str, period: Period, rulebook: Rulebook) -> bool:
    return (
        spec.cadence == period.kind
        and spec.in_force(period.end)
        and rulebook.matches(spec.applies_to, category)
        and (spec.population is None or in_population(employee, spec.population))
    )


def _covering(period: Period, cadence: PeriodKind) -> Iterable[Period]:
    """The period of ``cadence`` that contains ``period`` (its year for a yearly cadence), if any."""
    if cadence == period.kind:
        return [period]
    return [period.year_period] if cadence == PeriodKind.YEAR else []
