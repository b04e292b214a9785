"""``bagalau rerun STEP``: run one flow, or one step of the daily sweep, again for a body, a period and a day.

Safe by construction: every step is idempotent (keyed writes, messages keyed by what they are about), so a
re-run does what was missed and nothing twice. The run happens in this process, as a Prefect flow run when STEP
is a flow (recorded by the served Prefect server: ``PREFECT_API_URL``, ``BAGALAU_PREFECT_API_URL`` or the one
``bagalau serve`` runs; a throwaway local one only otherwise, :func:`prefect_api`), run named after what it does, on
the installation's environment (``bagalau.bootstrap``). docs/runbook.md says when to use it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bagalau.commands import params
from domain.periods import Period

if TYPE_CHECKING:
    from bagalau.settings import Settings

FLOWS = (
    "open_period",
    "open_periods",
    "daily_sweep",
    "deliver_outbox",
    "survey_360",
    "annual_final",
    "commission_cycle",
    "retention_purge",
    "calibration_session",
)
OPERATOR = "operator:rerun"
"""Who a re-run sweep step acts as, in the audit log."""


def _year(period: str | None) -> int | None:
    return None if period is None else Period.parse(period).year


def _flow_call(step: str, body: str | None, period: str | None, day: date, case: int | None) -> Callable[[], Any]:
    """The flow call for ``step``; refuses what it cannot run without (a period, a case)."""
    from bagalau.bootstrap import flows

    built = flows()

    def needs(value: object, what: str) -> Any:
        if value is None:
            raise typer.BadParameter(f"{step} needs {what}")
        return value

    calls: dict[str, Callable[[], Any]] = {
        "open_period": lambda: built.open_period(needs(body, "--body"), needs(period, "--period"), day),
        "open_periods": lambda: built.open_periods(day, body),
        "daily_sweep": lambda: built.daily_sweep(day, body),
        "deliver_outbox": lambda: built.deliver_outbox(day),
        "survey_360": lambda: built.survey_360(body, _year(period), day),
        "annual_final": lambda: built.annual_final(needs(body, "--body"), needs(_year(period), "--period YEAR"), day),
        "commission_cycle": lambda: built.commission_cycle(body, _year(period), day),
        "retention_purge": lambda: built.retention_purge(day, body),
        "calibration_session": lambda: built.calibration_session(needs(case, "--case"), day),
    }
    return calls[step]


def _sweep_step_call(step: str, body: str | None, day: date) -> Callable[[], Any]:
    """One step of the daily sweep (``application.cycle.sweep``), for one body or all, in one unit of work per
    body."""
    from application.context import body_ids
    from application.cycle import sweep
    from bagalau.bootstrap import environment
    from domain.access import Principal

    try:
        sweep.by_name(step)
    except KeyError:
        known = ", ".join(FLOWS)
        steps = ", ".join(item.name for item in (*sweep.BEFORE_DELIVERY, *sweep.AFTER_DELIVERY))
        raise typer.BadParameter(f"unknown step {step!r}: a flow ({known}) or a daily-sweep step ({steps})") from None
    env = environment()
    operator = Principal.system_step(OPERATOR)
    return lambda: {body_id: sweep.run_step(env, step, body_id, day, operator) for body_id in body_ids(env, body)}


def rerun(
    step: Annotated[str, typer.Argument(metavar="STEP", help="a flow (open_period, daily_sweep, …) or a sweep step")],
    body: params.BodyOption = None,
    period: params.PeriodOption = None,
    as_of: params.AsOfOption = None,
    case: Annotated[
        int | None,
        typer.Option("--case", min=1, max=params.MAX_ID, help="calibration case id (calibration_session)"),
    ] = None,
) -> None:
    """Run a flow or a sweep step again for a day (safe: every step is idempotent) and print what it did."""
    _check_step(step)
    settings = params.settings_for(secrets=True)
    api_url, where = prefect_api(settings) if step in FLOWS else (None, "")
    if step in FLOWS and api_url is None:
        from bagalau.simulate import embedded

        # the throwaway server starts now, while the checks below run and Prefect loads (issue 13; 0192)
        api_url = embedded.start_throwaway()
    try:
        _rerun(step, settings, body, period, as_of, case, api_url, where)
    finally:
        if step in FLOWS:
            from bagalau.simulate import embedded

            embedded.stop()


def _rerun(
    step: str,
    settings: Settings,
    body: str | None,
    period: str | None,
    as_of: date | None,
    case: int | None,
    api_url: str | None,
    where: str,
) -> None:
    with params.connected_app(settings) as engine:
        params.require_schema(engine, "rerun")
        params.require_body(engine, body)
        if case is not None:
            params.require_row(engine, "calibration_case", case, option="--case", what="calibration case")
    from bagalau.bootstrap import environment

    day = as_of or environment().clock.today()
    if step == "open_period" and body is not None and period is not None:
        _check_schedule(body, period, day)
    if step not in FLOWS:
        result = _sweep_step_call(step, body, day)()
    else:
        call = _flow_call(step, body, period, day, case)
        typer.echo(f"bagalau rerun {step}: recorded by {where}", err=True)
        from bagalau.simulate import embedded

        embedded.wait()
        with embedded.pointed_at(api_url):
            result = call()
    typer.echo(json.dumps(result, default=_plain, ensure_ascii=False, indent=2))


def prefect_api(settings: Settings, environ: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """Which Prefect API a re-run records its flow run on, and that in words (issue 14): ``PREFECT_API_URL``, else
    ``BAGALAU_PREFECT_API_URL``, else the server ``bagalau serve`` serves against under the data dir; a configured
    server that does not answer, or none, leaves a throwaway local one (its runs are seen nowhere afterwards)."""
    from deployments.local_server import api_healthy, served_api_url

    environ = os.environ if environ is None else environ
    for api_url, source in (
        (environ.get("PREFECT_API_URL"), "PREFECT_API_URL"),
        (settings.prefect_api_url, "BAGALAU_PREFECT_API_URL"),
    ):
        if not api_url:
            continue
        if api_healthy(api_url):
            return api_url, f"the Prefect server at {api_url} ({source})"
        return None, f"a throwaway local Prefect server: {api_url} ({source}) does not answer"
    served = served_api_url(settings.data_dir)
    if served is not None:
        return served, f"the served Prefect server at {served} (bagalau serve)"
    return None, "a throwaway local Prefect server (no served one runs: see `bagalau serve`)"


def _check_step(step: str) -> None:
    """STEP is a flow or a step of the daily sweep; anything else is refused before the database is touched."""
    if step in FLOWS:
        return
    from application.cycle import sweep

    steps = [known.name for known in (*sweep.BEFORE_DELIVERY, *sweep.AFTER_DELIVERY)]
    if step not in steps:
        params.fail(
            "STEP", f"{step[:60]!r} is neither a flow ({', '.join(FLOWS)}) nor a daily-sweep step ({', '.join(steps)})"
        )


def _check_schedule(body: str, period: str, day: date) -> None:
    """The opening gate, asked before the run: no rulebook (G-3) or an unapproved schedule (G-4) exits 2 naming the
    rule, no traceback."""
    from application.actions.schedule import opening_refusal
    from bagalau.bootstrap import environment

    refusal = opening_refusal(environment(), body, period, day)
    if refusal is not None:
        typer.echo(f"bagalau rerun open_period: body {body}: {refusal}", err=True)
        raise typer.Exit(2)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dict__"):
        return value.__dict__
    return str(value)
