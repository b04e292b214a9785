"""Prefect automations that tell HR and the operators when a served step needs a person (issue 14, decision 0160).

``bagalau serve`` creates them on the Prefect server it serves against, idempotently (:func:`ensure_automations`:
found by name, updated to what this code says, duplicates removed). Two automations watch every flow run tagged
``bagalau`` (every served deployment but the alert's own):

- **a step failed, crashed or is late** (reactive): the run entered ``Failed``, ``Crashed``, ``TimedOut`` or
  ``Late`` (scheduled, not started: Prefect's late-runs service marks it);
- **a step runs too long** (proactive): a run went ``Running`` and did not finish (``Completed``, ``Failed``,
  ``Crashed``, ``Cancelled``) within :data:`TOO_LONG`.

Each runs the ``operator-alert`` deployment with the run's facts (Prefect renders the parameters' templates from
the triggering event: the run, its deployment, its flow), whose flow queues an ``operator_alert`` message to HR and
the operators through Bagalau's own outbox (``flows.operator_alert``), delivered at once by the channels of every
notice (apprise: e-mail, SMS, Telegram …). The alert deployment is tagged ``bagalau-alert``, not ``bagalau``: an
alert that fails is on the runs page, but does not alert about itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from deployments.schedules import TAGS

if TYPE_CHECKING:
    from prefect.automations import Automation

TOO_LONG = timedelta(hours=2)
"""A served step running longer than this is reported (the stalled-runs page uses the same, ``deployments.runs``)."""
PREFIX = "bagalau: "
FAILED = f"{PREFIX}a step failed, crashed or is late"
TOO_LONG_NAME = f"{PREFIX}a step runs too long"
NAMES = (FAILED, TOO_LONG_NAME)

STOPPED = {"prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut", "prefect.flow-run.Late"}
FINISHED = {
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Crashed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.TimedOut",
}


def _text(template: str) -> dict[str, str]:
    """A parameter Prefect renders as text from the triggering event's context."""
    return {"__prefect_kind": "jinja", "template": template}


PARAMETERS: dict[str, Any] = {
    "flow_run_id": _text("{{ flow_run.id }}"),
    "event": _text("{{ event.event }}"),
    "step": _text("{{ deployment.name }}"),
    "flow": _text("{{ flow.name }}"),
    "run_name": _text("{{ flow_run.name }}"),
    "error": _text("{{ flow_run.state.message or '' }}"),
    "run_parameters": {"__prefect_kind": "json", "value": _text("{{ flow_run.parameters | tojson }}")},
}
"""The alert flow's parameters, rendered by Prefect from the triggering event: the run, its deployment, its flow."""


def specs(alert_deployment_id: UUID, *, too_long: timedelta = TOO_LONG) -> list[Automation]:
    """The automations of :data:`NAMES`, each running the alert deployment ``alert_deployment_id``."""
    from prefect.automations import Automation, EventTrigger, Posture, RunDeployment

    served = {"prefect.resource.role": "tag", "prefect.resource.id": [f"prefect.tag.{tag}" for tag in TAGS]}
    runs = {"prefect.resource.id": "prefect.flow-run.*"}

    def alert(problem: str | None = None) -> RunDeployment:
        parameters = dict(PARAMETERS)
        if problem:
            parameters["event"] = _text(problem)
        return RunDeployment(source="selected", deployment_id=alert_deployment_id, parameters=parameters)

    return [
        Automation(
            name=FAILED,
            description="Tell HR and the operators (operator_alert) that a served Bagalau step failed, crashed or is "
            "late; re-run it from /hr/runs or with `bagalau rerun` (docs/decisions/0160).",
            trigger=EventTrigger(
                expect=set(STOPPED),
                match=runs,
                match_related=served,
                posture=Posture.Reactive,
                threshold=1,
                within=timedelta(0),
            ),
            actions=[alert()],
        ),
        Automation(
            name=TOO_LONG_NAME,
            description=f"Tell HR and the operators that a served Bagalau step has run for more than {too_long} "
            "(docs/decisions/0160).",
            trigger=EventTrigger(
                after={"prefect.flow-run.Running"},
                expect=set(FINISHED),
                for_each={"prefect.resource.id"},
                match=runs,
                match_related=served,
                posture=Posture.Proactive,
                threshold=1,
                within=too_long,
            ),
            actions=[alert("too_long")],
        ),
    ]


@dataclass(frozen=True)
class Ensured:
    """What :func:`ensure_automations` did, by automation name: ``created``, ``updated`` or ``unchanged``."""

    ids: dict[str, UUID]
    done: dict[str, str]


def _comparable(automation: Any) -> Any:
    """What decides whether a stored automation says the same: sets (``expect`` …) compared as sets."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return sorted(value)
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return plain(
        automation.model_dump(
            mode="json", include={"name", "description", "enabled", "trigger", "actions"}, exclude_none=True
        )
    )


def ensure_automations(client: Any, alert_deployment_id: UUID, *, too_long: timedelta = TOO_LONG) -> Ensured:
    """Create or update the automations on the Prefect server of the synchronous ``client``: one of each name.

    Idempotent: an automation found by name that already says the same is left alone; one that differs (another
    alert deployment after the server's database was reset, a new threshold) is updated; extra copies of a name are
    deleted; anything else on the server is not touched.
    """
    from prefect.events.schemas.automations import AutomationCore

    ids: dict[str, UUID] = {}
    done: dict[str, str] = {}
    for wanted in specs(alert_deployment_id, too_long=too_long):
        core = AutomationCore(**wanted.model_dump(exclude={"id"}))
        found = client.read_automations_by_name(wanted.name)
        if not found:
            ids[wanted.name] = client.create_automation(core)
            done[wanted.name] = "created"
            continue
        first, *extra = sorted(found, key=lambda automation: str(automation.id))
        for duplicate in extra:
            client.delete_automation(duplicate.id)
        ids[wanted.name] = first.id
        if _comparable(first) == _comparable(core):
            done[wanted.name] = "unchanged"
        else:
            # the update endpoint takes no owner (Prefect's own ``Automation.update`` leaves it out too)
            client.update_automation(first.id, AutomationCore(**core.model_dump(exclude={"owner_resource"})))
            done[wanted.name] = "updated"
    return Ensured(ids, done)
