"""The facts an operator alert carries (decision 0160): the problem named from Prefect's event, and the
``bagalau rerun`` line that repeats the step with its parameters."""

from __future__ import annotations

from application.cycle.alerts import StepAlert


def alert(**fields: object) -> StepAlert:
    base: dict[str, object] = {
        "flow_run_id": "0b5c",
        "problem": "failed",
        "step": "daily-sweep",
        "flow": "daily_sweep",
        "run_name": "daily-sweep-demo-2025-04-01",
    }
    return StepAlert(**{**base, **fields})  # type: ignore[arg-type]


def test_the_problem_is_named_from_prefects_event() -> None:
    assert StepAlert.problem_of("prefect.flow-run.Failed") == "failed"
    assert StepAlert.problem_of("prefect.flow-run.TimedOut") == "failed"
    assert StepAlert.problem_of("prefect.flow-run.Crashed") == "crashed"
    assert StepAlert.problem_of("prefect.flow-run.Late") == "late"
    assert StepAlert.problem_of("too_long") == "too_long"  # the proactive automation names it itself
    assert StepAlert.problem_of("something.else") == "failed"


def test_the_rerun_line_repeats_the_step_with_its_parameters() -> None:
    found = alert(parameters={"as_of": "2025-04-01", "body": "demo", "secret": "x"})
    assert found.rerun_command() == "bagalau rerun daily_sweep --as-of 2025-04-01 --body demo"
    assert found.body == "demo"
    assert alert(parameters={"body": None}).rerun_command() == "bagalau rerun daily_sweep"
    assert alert(parameters=None).body is None
