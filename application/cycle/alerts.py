"""Telling HR and the operators that a scheduled step needs a person (issue 14, docs/decisions/0160).

Prefect's automations (``deployments.automations``) watch the served deployments' flow runs; when one fails,
crashes, is late or runs too long, they run the ``operator-alert`` deployment, whose flow hands the run's facts to
:func:`queue_operator_alert`. It queues one ``operator_alert`` message to the HR service of each body the run was
about (the run's ``body`` parameter, else every body: a sweep of all bodies concerns all of them) and one to the
operators (``BAGALAU_OPERATOR_EMAILS`` and the body's admins, ``notifications.store.operators``), through the same
outbox, templates (kk/ru/en) and channels as every notice. Keyed by the flow run and the problem, so a repeated
alert queues nothing twice. No score, no person's data: only the step, the run and its error (R-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from application.environment import Environment
from domain.access import Principal
from domain.vocabulary import Role
from notifications import store
from notifications.kinds import MessageKind
from persistence import flowstate
from persistence.records import NewMessage

PROBLEMS = {
    "prefect.flow-run.Failed": "failed",
    "prefect.flow-run.Crashed": "crashed",
    "prefect.flow-run.TimedOut": "failed",
    "prefect.flow-run.Late": "late",
    "prefect.flow-run.Running": "too_long",
}
"""The Prefect event that triggered the alert → the problem the message names."""
KNOWN = frozenset(PROBLEMS.values())
MAX_ERROR = 600


@dataclass(frozen=True)
class StepAlert:
    """A served step's flow run that needs a person."""

    flow_run_id: str
    problem: str  # failed, crashed, late, too_long
    step: str  # the deployment: daily-sweep …
    flow: str  # the flow: daily_sweep …
    run_name: str
    error: str = ""
    parameters: dict[str, Any] | None = None
    run_link: str | None = None

    @staticmethod
    def problem_of(event: str) -> str:
        """``failed``/``crashed``/``late``/``too_long`` for a Prefect event name (or a problem given as such)."""
        if event in KNOWN:
            return event
        return PROBLEMS.get(event, "failed")

    @property
    def body(self) -> str | None:
        body = (self.parameters or {}).get("body")
        return str(body) if body else None

    def rerun_command(self) -> str:
        """The ``bagalau rerun`` line that runs the step again with the same parameters."""
        words = ["bagalau", "rerun", self.flow or "?"]
        for name, value in sorted((self.parameters or {}).items()):
            if value is not None and name in {"body", "period", "as_of", "year", "case_id"}:
                words += [f"--{name.replace('_', '-')}", str(value)]
        return " ".join(words)


@dataclass(frozen=True)
class Alerted:
    """What was queued: keys new this time (an alert repeated queues nothing)."""

    queued: tuple[str, ...]
    bodies: tuple[int, ...]


def queue_operator_alert(env: Environment, alert: StepAlert, day: date) -> Alerted:
    """Queue ``operator_alert`` to HR of each body the run concerns and to the operators (once); committed."""
    payload = {
        "problem": alert.problem,
        "step": alert.step,
        "run_name": alert.run_name,
        "error": alert.error[:MAX_ERROR],
        "run_link": alert.run_link or "",
        "runs_link": env.link("/hr/runs"),
        "rerun_command": alert.rerun_command(),
        "orchestrator": "Prefect",
    }
    queued: list[str] = []
    with env.unit_of_work(Principal.system_step("operator_alert")) as uow:
        every = flowstate.body_ids(uow.session)
        named = uow.org.body_by_code(alert.body) if alert.body else None
        bodies = [named.id] if named is not None else every
        due = env.clock.day_start(day)
        for index, body_id in enumerate(bodies):
            language = store.hr_language(uow, body_id, day)
            to: list[str] = [Role.HR.value] + ([store.OPERATORS] if index == 0 else [])
            for role in to:
                key = f"alert:{alert.flow_run_id}:{alert.problem}:{body_id}:{role}"
                message = NewMessage(
                    idempotency_key=key,
                    body_id=body_id,
                    kind=MessageKind.OPERATOR_ALERT.value,
                    due_at=due,
                    recipient_role=role,
                    language=language,
                    payload=payload,
                )
                if uow.outbox.enqueue(message):
                    queued.append(key)
        uow.commit()
    return Alerted(tuple(queued), tuple(bodies))
