"""Scenario events → application actions: the table the simulator (an entrance) dispatches through.

An adapter takes the environment, the day, and the action as read from a scenario file (``Submit``,
``Acknowledge`` … of ``bagalau.simulate.scenario``: plain attribute access, so any object with those fields works),
and calls the action as the person the event names (``Principal.of_person``). HR's facts (an absence, a
dismissal, a refusal act) are recorded by the body's first HR officer that day, as HR would. Register an action
with :func:`action`::

    @action("respond_360")
    def _respond_360(env, day, event):
        return respond_360(env, Principal.of_person(event.respondent), as_of=day, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from application.actions.acquaintance import acknowledge, disagree
from application.actions.appeals import hold_feedback_meeting, record_appeal_outcome
from application.actions.attendance import record_attendance
from application.actions.calibration import calibration_vote, compose_calibration
from application.actions.commission import (
    appeal,
    approve_sheet,
    commission_vote,
    refuse_acquaintance,
    return_sheet,
    schedule_commission,
)
from application.actions.commission_results import ResultsApproved, approve_commission_results
from application.actions.people import dismiss, record_absence
from application.actions.respondents import change_respondents
from application.actions.sheets import submit_sheet
from application.actions.staffing import appoint_acting, delegate, move
from application.actions.survey import respond_360
from application.environment import Environment
from application.errors import Rejected
from application.queries.panels import approvals_due
from application.queries.people import hr_service
from domain.access import Principal
from domain.vocabulary import Role

Adapter = Callable[[Environment, date, Any], Any]

ACTIONS: dict[str, Adapter] = {}
"""Action key of a scenario event (``submit``, ``return`` …) → adapter calling the application action."""

HR_OF_THE_SIMULATION = Principal.system_step("simulation:hr")
"""Who records HR's facts in a body without an HR service."""


def action(name: str) -> Callable[[Adapter], Adapter]:
    """Register the adapter of a scenario action."""

    def register(adapter: Adapter) -> Adapter:
        ACTIONS[name] = adapter
        return adapter

    return register


def apply_action(env: Environment, day: date, name: str, event: Any) -> Any:
    """Run the action ``name``; a refusal is :class:`Rejected`, an action nobody handles too."""
    adapter = ACTIONS.get(name)
    if adapter is None:
        raise Rejected(f"the action {name!r} is not supported by this version of Bagalau")
    return adapter(env, day, event)


def approve_commission_results_of_the_day(env: Environment, day: date) -> list[ResultsApproved]:
    """The appointing official approves the results of the Commission's meeting of ``day`` (M-7; 004 §39).

    A scenario has no approval event (the contract of ``../shared/SCENARIOS.md`` predates it), so the simulator
    plays it as the scenario's appointing official would: on the meeting day, once the day's events (the votes)
    are in and before the day's sweep, through the same action the page and the API call (decision 0140). Its
    dates are the ones the contract's reports have always shown: completed and decided on the meeting day,
    acquaintance and appeal windows from it, messages delivered that day. A meeting with nothing to approve (no
    quorum, no decision) is left as it is, as a real official would find it."""
    approved = []
    for due in approvals_due(env, day):
        principal = Principal.of_person(due.official, body=due.body, roles=[Role.APPOINTING_OFFICIAL])
        try:
            approved.append(approve_commission_results(env, principal, as_of=day, meeting_id=due.meeting_id))
        except Rejected:
            continue
    return approved


def person(number: str) -> Principal:
    """The employee a scenario event names, acting."""
    return Principal.of_person(number)


def first_hr(env: Environment, day: date) -> Principal | None:
    """The body's first HR officer on ``day``, as who records HR's facts."""
    staff = hr_service(env, None, day)
    return staff[0] if staff else None


@action("submit")
def _submit(env: Environment, day: date, event: Any) -> Any:
    return submit_sheet(
        env,
        person(event.by),
        as_of=day,
        evaluatee=event.evaluatee,
        scores=event.scores,
        comment=event.comment,
        method=event.method,
    )


@action("acknowledge")
def _acknowledge(env: Environment, day: date, event: Any) -> Any:
    return acknowledge(
        env,
        person(event.employee),
        as_of=day,
        method=getattr(event, "method", None),
        period=getattr(event, "period", None),
    )


@action("disagree")
def _disagree(env: Environment, day: date, event: Any) -> Any:
    return disagree(
        env,
        person(event.employee),
        as_of=day,
        text=event.text,
        method=getattr(event, "method", None),
        period=getattr(event, "period", None),
    )


@action("compose_calibration")
def _compose(env: Environment, day: date, event: Any) -> Any:
    return compose_calibration(env, person(event.by), as_of=day, employee=event.employee, members=list(event.members))


@action("calibration_vote")
def _calibration_vote(env: Environment, day: date, event: Any) -> Any:
    return calibration_vote(env, person(event.member), as_of=day, employee=event.employee, score=event.score)


@action("absence")
def _absence(env: Environment, day: date, event: Any) -> Any:
    hr = first_hr(env, day) or HR_OF_THE_SIMULATION
    return record_absence(env, hr, as_of=day, employee=event.employee, kind=event.kind, start=event.from_, end=event.to)


@action("dismiss")
def _dismiss(env: Environment, day: date, event: Any) -> Any:
    hr = first_hr(env, day) or HR_OF_THE_SIMULATION
    return dismiss(env, hr, as_of=day, employee=event.employee, on=getattr(event, "date", None))


@action("respond_360")
def _respond_360(env: Environment, day: date, event: Any) -> Any:
    return respond_360(
        env,
        person(event.respondent),
        as_of=day,
        evaluatee=event.evaluatee,
        answers=event.answers,
        respondent=event.respondent,
    )


@action("approve")
def _approve(env: Environment, day: date, event: Any) -> Any:
    return approve_sheet(env, person(event.by), as_of=day, evaluatee=event.evaluatee)


@action("return")
def _return(env: Environment, day: date, event: Any) -> Any:
    return return_sheet(env, person(event.by), as_of=day, evaluatee=event.evaluatee, reason=event.reason)


@action("schedule_commission")
def _schedule(env: Environment, day: date, event: Any) -> Any:
    return schedule_commission(env, person(event.by), as_of=day, meeting_date=event.meeting_date)


@action("commission_vote")
def _commission_vote(env: Environment, day: date, event: Any) -> Any:
    return commission_vote(
        env,
        person(event.member),
        as_of=day,
        employee=event.employee,
        decision=event.decision,
        result=event.result,
        method=getattr(event, "method", None),
    )


@action("refuse_acquaintance")
def _refuse(env: Environment, day: date, event: Any) -> Any:
    hr = first_hr(env, day)
    if hr is None:
        raise Rejected.by_rule("M-8", "the body has no HR service to draw up the act")
    return refuse_acquaintance(env, hr, as_of=day, employee=event.employee, witnesses=list(event.witnesses))


@action("appeal")
def _appeal(env: Environment, day: date, event: Any) -> Any:
    return appeal(env, person(event.employee), as_of=day, employee=event.employee, text=event.text)


# --- v2 events (SCENARIOS.md v2 additions) ---------------------------------------------------------------------


def hr_or_simulation(env: Environment, day: date) -> Principal:
    """HR's facts are recorded by the body's first HR officer that day (or the simulation's HR)."""
    return first_hr(env, day) or HR_OF_THE_SIMULATION


@action("move")
def _move(env: Environment, day: date, event: Any) -> Any:
    """E-1: a new unit, head and/or category from the event's date, recorded by HR."""
    return move(
        env,
        hr_or_simulation(env, day),
        as_of=day,
        employee=event.employee,
        unit=event.unit,
        head=event.head,
        category=event.category,
    )


@action("substitute")
def _substitute(env: Environment, day: date, event: Any) -> Any:
    """G-7: an acting appointment, recorded by HR."""
    return appoint_acting(
        env,
        hr_or_simulation(env, day),
        as_of=day,
        replaced=event.for_,
        substitute=event.by,
        start=event.from_,
        end=event.to,
    )


@action("delegate")
def _delegate(env: Environment, day: date, event: Any) -> Any:
    """D-4: the evaluator designates another person to evaluate some of their evaluatees."""
    return delegate(env, person(event.by), as_of=day, delegate_to=event.to, evaluatees=list(event.evaluatees))


@action("edit_respondents")
def _edit_respondents(env: Environment, day: date, event: Any) -> Any:
    """T-4: HR adds and removes 360 respondents before the answers start."""
    return change_respondents(
        env, person(event.by), as_of=day, evaluatee=event.evaluatee, add=list(event.add), remove=list(event.remove)
    )


@action("commission_attendance")
def _commission_attendance(env: Environment, day: date, event: Any) -> Any:
    """M-7: who attends the Commission's meeting of the day, recorded by HR."""
    hr = first_hr(env, day)
    if hr is None:
        raise Rejected.by_rule("M-7", "the body has no HR service to record the attendance")
    return record_attendance(env, hr, as_of=day, present=list(event.present))


@action("feedback_meeting")
def _feedback_meeting(env: Environment, day: date, event: Any) -> Any:
    """Extension, C-8: the evaluator records the feedback meeting held after the session."""
    return hold_feedback_meeting(env, person(event.by), as_of=day, employee=event.employee)


@action("appeal_outcome")
def _appeal_outcome(env: Environment, day: date, event: Any) -> Any:
    """Extension, C-9/M-9: HR records the appeal's outcome; a revised result replaces the decided one."""
    recorder = person(event.by) if event.by else first_hr(env, day)
    if recorder is None:
        raise Rejected.by_rule("C-9", "the body has no HR service to record the outcome of the appeal")
    return record_appeal_outcome(
        env, recorder, as_of=day, employee=event.employee, outcome=event.outcome, score=event.score, result=event.result
    )
