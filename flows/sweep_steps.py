"""The steps of the daily sweep, in order: a small, explicit list that other flows' authors append to.

A step is ``fn(ctx: BodyContext, day: date) -> int`` (how many things it did) and runs for one body inside one
unit of work, committed when it returns: a step that fails leaves nothing half-done, and running it again for
the same day does nothing new (every write is keyed). ``SWEEP_STEPS`` run before the outbox is delivered, so
that what they queue goes out the same day; ``AFTER_DELIVERY`` steps read what delivery proved.

To add a step (the 360 survey, the Commission cycle …)::

    from flows.sweep_steps import SWEEP_STEPS, SweepStep
    SWEEP_STEPS += (SweepStep("survey_360", survey_step),)   # in flows/sweep_steps.py, at the end of the tuple
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bagalau.services.context import BodyContext
from flows.steps import acquaintance, annual, deadlines
from persistence import flowstate


@dataclass(frozen=True)
class SweepStep:
    """A named step of the daily sweep (the name shows as the Prefect task run's name)."""

    name: str
    run: Callable[[BodyContext, date], int]


def compute_annual_finals(ctx: BodyContext, day: date) -> int:
    """P-3: for each year cycle of the body that is due, the annual final scores."""
    count = 0
    for period in flowstate.periods(ctx.uow.session, body_id=ctx.body_id):
        if period.quarter is not None:
            continue
        book = ctx.rulebook_for(date(period.year, 12, 31), fallback=day)
        if book.annual is not None and annual.is_due(ctx, book, period.year, day):
            count += annual.compute(ctx, book, period.year, day)
    return count


SWEEP_STEPS: tuple[SweepStep, ...] = (
    SweepStep("reminders", deadlines.send_reminders),
    SweepStep("overdue_sheets", deadlines.escalate_overdue),
    SweepStep("disagreement_windows", acquaintance.close_expired_windows),
    SweepStep("annual_final", compute_annual_finals),
)
"""Before delivery: reminders (P-1), overdue escalation, C-2 window expiry, P-3 annual finals."""

AFTER_DELIVERY: tuple[SweepStep, ...] = (
    SweepStep("notices_sent", acquaintance.record_notices_sent),
    SweepStep("recorded_delivery_acquaintance", acquaintance.record_delivered_acquaintance),
    SweepStep("acquaintance_overdue", acquaintance.escalate_unacquainted),
)
"""After delivery: notice dates (P-4), acquaintance by recorded delivery (C-1, Q-4), C-1 escalation."""


def by_name(name: str) -> SweepStep:
    for step in (*SWEEP_STEPS, *AFTER_DELIVERY):
        if step.name == name:
            return step
    raise KeyError(f"no sweep step {name!r}")


# --- appended by the yearly flows (360 survey, Commission cycle) --------------------------------------------------
from flows.commission import commission_step  # noqa: E402
from flows.survey_360 import survey_step  # noqa: E402

SWEEP_STEPS += (
    SweepStep("survey_360", survey_step),  # T-1…T-8: opens, invites, reminds, closes the yearly survey in January
    SweepStep("commission_cycle", commission_step),  # M-1…M-9: open, E-5 returns, submission, decisions, M-9
)
