"""``daily_sweep``: everything due on a day, for every body (or one), in a fixed order.

1. open the requested periods whose opening day has come (``open_period`` sub-flows);
2. the steps before delivery (``application.cycle.sweep.BEFORE_DELIVERY``: reminders, overdue escalations, C-2
   windows, annual finals, the 360 survey, the Commission cycle), one task run per body;
3. each open calibration case (``calibration_session`` sub-flows, in this process);
4. deliver the outbox (what every step above queued goes out today);
5. the steps that read deliveries (``AFTER_DELIVERY``: notice dates, acquaintance by recorded delivery, C-1), one
   task run per body.

Fan-out per body (issue 13): each body's steps are a task run of their own, tagged :data:`BODY_TAG`, at most
:data:`MAX_PARALLEL_BODIES` at once in this process; Prefect's tag concurrency limit
(``prefect concurrency-limit create bagalau-sweep-body N``) bounds them across every worker. A body that fails
(its rulebook missing, a database error) is reported and the other bodies are swept all the same; the flow run
fails at its end, naming the bodies, so that the operator re-runs them (every step is idempotent). On a day with
nothing due this is one flow run, two task runs per body, a delivery task run and a few indexed queries per step.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any

from prefect import Flow, Task, flow, tags
from prefect.task_runners import ThreadPoolTaskRunner

from application.context import body_ids
from application.cycle import calibration, opening, sweep
from application.environment import Environment
from flows.tasks import batch_task

BODY_TAG = "bagalau-sweep-body"
"""The tag of every per-body task run of the sweep: the name of its Prefect concurrency limit."""
MAX_PARALLEL_BODIES = 4
"""Bodies swept at once in one process (each holds a database connection of the engine's pool)."""


class BodiesFailed(RuntimeError):
    """Some bodies' steps failed; the others were swept."""


def build(
    env: Environment,
    open_period: Flow[..., int],
    calibration_session: Flow[..., str],
    deliver_due: Task[[date], dict[str, Any]],
) -> Flow[..., dict[str, Any]]:
    @batch_task("sweep-body", task_run_name="{phase}-{body_id}")
    def sweep_body(phase: str, steps: list[str], day: date, body_id: int) -> dict[str, int]:
        """The steps of one phase for one body, in order, each in its own unit of work."""
        return {name: sweep.run_step(env, name, body_id, day) for name in steps}

    def run_steps(phase: str, steps: list[str], day: date, bodies: list[int], failed: dict[int | str, str]) -> Any:
        """One task run per body (tagged for Prefect's concurrency limit); a failing body is recorded in
        ``failed`` and the others go on. Returns {step: {body: count}}."""
        done: dict[str, dict[int, int]] = {name: {} for name in steps}
        with tags(BODY_TAG) if env.limit_bodies else nullcontext():
            if len(bodies) == 1:  # one body (an installation of one body, a simulation): no thread to hand over to
                outcomes: dict[int, Any] = {bodies[0]: lambda: sweep_body(phase, steps, day, bodies[0])}
            else:
                futures = {body_id: sweep_body.submit(phase, steps, day, body_id) for body_id in bodies}
                outcomes = {body_id: future.result for body_id, future in futures.items()}
            for body_id, outcome in outcomes.items():
                try:
                    counts = outcome()
                except Exception as exc:  # one body's failure never stops the others (issue 13)
                    failed.setdefault(body_id, f"{phase}: {type(exc).__name__}: {str(exc)[:300]}")
                    continue
                for name, count in counts.items():
                    done[name][body_id] = count
        return done

    runner: Any = ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_BODIES)  # Prefect types its futures' generics loosely

    @flow(name="daily_sweep", log_prints=False, task_runner=runner)
    def daily_sweep(as_of: date | None = None, body: str | None = None) -> dict[str, Any]:
        """Run everything due on the as-of day (default: today in Asia/Almaty), for one body or all."""
        day = env.clock.as_of(as_of)
        bodies = body_ids(env, body)
        done: dict[str, Any] = {}
        failed: dict[int | str, str] = {}  # body id (or code, for an opening) → why
        for body_code, label in opening.due_openings(env, day, bodies):
            try:
                done[f"open {body_code} {label}"] = open_period(body_code, label, day)
            except Exception as exc:  # e.g. no rulebook assigned (G-3): reported, the other bodies go on
                failed.setdefault(body_code, f"open {label}: {type(exc).__name__}: {str(exc)[:300]}")
        before = [step.name for step in sweep.BEFORE_DELIVERY]
        done["steps"] = run_steps("before-delivery", before, day, bodies, failed)
        for case_id in calibration.open_cases(env, bodies):
            done[f"calibration {case_id}"] = calibration_session(case_id, day)
        done["delivery"] = deliver_due(day)
        after = [step.name for step in sweep.AFTER_DELIVERY]
        done["after"] = run_steps("after-delivery", after, day, [body for body in bodies if body not in failed], failed)
        if failed:
            listed = "; ".join(f"body {body}: {reason}" for body, reason in failed.items())
            raise BodiesFailed(
                f"the sweep of {day.isoformat()} failed for {len(failed)} body(ies), the others were swept: {listed}"
            )
        return done

    return daily_sweep
