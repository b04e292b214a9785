"""Scenario actions → service calls: the table the simulator (and any batch importer) dispatches through.

An adapter takes where to write, the day, and the action as read from a scenario file (``Submit``,
``Acknowledge`` … of ``bagalau.simulate.scenario``: plain attribute access, so any object with those fields
works), and calls the service. Modules that add services register their actions::

    @action("respond_360")
    def _respond_360(target, day, event):
        return respond_360(target, as_of=day, actor=event.respondent, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bagalau.services.acquaintance import acknowledge, disagree
from bagalau.services.calibration import calibration_vote, compose_calibration
from bagalau.services.context import Target
from bagalau.services.errors import Rejected
from bagalau.services.people import dismiss, record_absence
from bagalau.services.sheets import submit_sheet

Adapter = Callable[[Target, date, Any], Any]

ACTIONS: dict[str, Adapter] = {}
"""Action key of a scenario event (``submit``, ``return`` …) → adapter calling the service."""


def action(name: str) -> Callable[[Adapter], Adapter]:
    """Register the adapter of a scenario action."""

    def register(adapter: Adapter) -> Adapter:
        ACTIONS[name] = adapter
        return adapter

    return register


def apply_action(target: Target, day: date, name: str, event: Any) -> Any:
    """Run the service of action ``name``; a refusal is :class:`Rejected`, an action nobody handles too."""
    adapter = ACTIONS.get(name)
    if adapter is None:
        raise Rejected(f"the action {name!r} is not supported by this version of Bagalau")
    return adapter(target, day, event)


@action("submit")
def _submit(target: Target, day: date, event: Any) -> Any:
    return submit_sheet(
        target,
        as_of=day,
        actor=event.by,
        evaluatee=event.evaluatee,
        scores=event.scores,
        comment=event.comment,
        method=event.method,
    )


@action("acknowledge")
def _acknowledge(target: Target, day: date, event: Any) -> Any:
    return acknowledge(
        target,
        as_of=day,
        actor=event.employee,
        method=getattr(event, "method", None),
        period=getattr(event, "period", None),
    )


@action("disagree")
def _disagree(target: Target, day: date, event: Any) -> Any:
    return disagree(
        target,
        as_of=day,
        actor=event.employee,
        text=event.text,
        method=getattr(event, "method", None),
        period=getattr(event, "period", None),
    )


@action("compose_calibration")
def _compose(target: Target, day: date, event: Any) -> Any:
    return compose_calibration(target, as_of=day, actor=event.by, employee=event.employee, members=list(event.members))


@action("calibration_vote")
def _vote(target: Target, day: date, event: Any) -> Any:
    return calibration_vote(target, as_of=day, actor=event.member, employee=event.employee, score=event.score)


@action("absence")
def _absence(target: Target, day: date, event: Any) -> Any:
    return record_absence(
        target, as_of=day, actor="hr", employee=event.employee, kind=event.kind, start=event.from_, end=event.to
    )


@action("dismiss")
def _dismiss(target: Target, day: date, event: Any) -> Any:
    return dismiss(target, as_of=day, actor="hr", employee=event.employee, on=getattr(event, "date", None))
