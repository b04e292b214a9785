"""The steps of the daily sweep, in order — the one list, written here and nowhere else.

A step is ``fn(ctx: BodyContext, day: date) -> int`` (how many things it did) and runs for one body inside one
unit of work, committed when it returns: a step that fails leaves nothing half-done, and running it again for
the same day does nothing new (every write is keyed). :data:`BEFORE_DELIVERY` steps run before the outbox is
delivered, so that what they queue goes out the same day; :data:`AFTER_DELIVERY` steps read what delivery proved.
The ``daily_sweep`` flow runs each list as one batch task over every body (``flows.daily_sweep``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from application.context import BodyContext, in_body
from application.cycle import acquaintance, annual, commission, deadlines, routing, sunset, survey
from application.environment import Environment
from domain.access import Principal
from notifications.delivery import deliver_due
from persistence.heap import collecting_later

SWEEP = Principal.system_step("daily_sweep")


@dataclass(frozen=True)
class SweepStep:
    """A named step of the daily sweep (the name shows in the flow's result and ``bagalau rerun STEP``)."""

    name: str
    run: Callable[[BodyContext, date], int]


def survey_360_step(ctx: BodyContext, day: date) -> int:
    """T-1…T-8: the survey of the year before ``day`` (it runs in January): open, invite, remind, close."""
    step = survey.run_survey_step(ctx, day.year - 1, day)
    return step.opened + step.queued + step.closed


BEFORE_DELIVERY: tuple[SweepStep, ...] = (
    SweepStep("sunset", sunset.sunset_step),  # M-10: HR warned before a rulebook part expires, open ones closed after
    SweepStep("routing", routing.reroute),  # G-7, D-4, moves: whoever is due on the day evaluates
    SweepStep("reminders", deadlines.send_reminders),  # P-1, G-6
    SweepStep("overdue_sheets", deadlines.escalate_overdue),  # P-1, P-2: evaluator, their head, HR
    SweepStep("disagreement_windows", acquaintance.close_expired_windows),  # C-2
    SweepStep("annual_final", annual.compute_due),  # P-3
    SweepStep("survey_360", survey_360_step),  # T-1…T-8
    SweepStep("commission_cycle", commission.run_commission_step),  # M-1…M-9: open, E-5, submission, decisions
)
"""Before delivery: the M-10 sunset, routing of the day (G-7, D-4), reminders, overdue escalation, C-2 window
expiry, P-3 annual finals, the 360 survey, the Commission cycle."""

AFTER_DELIVERY: tuple[SweepStep, ...] = (
    SweepStep("notices_sent", acquaintance.record_notices_sent),  # P-4
    SweepStep("recorded_delivery_acquaintance", acquaintance.record_delivered_acquaintance),  # C-1, Q-4
    SweepStep("acquaintance_overdue", acquaintance.escalate_unacquainted),  # C-1
)
"""After delivery: notice dates (P-4), acquaintance by recorded delivery (C-1, Q-4), C-1 escalation."""


def by_name(name: str) -> SweepStep:
    for step in (*BEFORE_DELIVERY, *AFTER_DELIVERY):
        if step.name == name:
            return step
    raise KeyError(f"no sweep step {name!r}")


def run_step(env: Environment, name: str, body_id: int, day: date, principal: Principal = SWEEP) -> int:
    """One step for one body as of ``day``, in its own unit of work."""
    step = by_name(name)
    with collecting_later():  # a step may hold a whole body's rows and facts: collected after it (decision 0170)
        return in_body(env, body_id, day, principal, lambda ctx: step.run(ctx, day))


def run_steps(
    env: Environment, steps: list[str], day: date, bodies: list[int], principal: Principal = SWEEP
) -> dict[str, dict[int, int]]:
    """Steps over the given bodies, in order, each in its own unit of work per body."""
    return {name: {body_id: run_step(env, name, body_id, day, principal) for body_id in bodies} for name in steps}


def deliver(env: Environment, day: date) -> dict[str, Any]:
    """Hand every message due by the end of ``day`` (now, for today) to its channel (``notifications.delivery``)."""
    report = deliver_due(env.engine, env.clock.moment(day), channels=env.channel, config=env.delivery)
    return {"delivered": len(report.delivered), "retrying": len(report.retrying), "dead": len(report.dead)}
