"""Prefect flows: short, idempotent, batch steps of an evaluation cycle — one entrance into the application.

Each flow is a thin ``@flow``/``@task`` shell around ``application.cycle``: it takes its as-of date, runs one step
for whole bodies in one unit of work per body, and ends. No flow ever waits for a human: people act through the
CLI, the web app or the API, and the next sweep sees it.

The flows are built per environment: ``build_flows(env)`` returns them bound to that environment's database, clock,
rulebooks, channel and launcher (the composition root builds one environment per process:
``deployments.entrypoints`` for Prefect, ``bagalau.bootstrap`` for the CLI; the simulator and the tests build
their own). Flow names and parameters are the deployments'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefect import Flow

from application.cycle.survey import SurveyStep
from application.environment import Environment
from flows import (
    annual_final,
    calibration_session,
    commission,
    daily_sweep,
    deliver_outbox,
    open_period,
    operator_alert,
    retention,
    scheduled,
    survey_360,
)
from flows.launchers import InProcessLauncher
from flows.naming import run_namer


@dataclass(frozen=True)
class Flows:
    """Every flow of Bagalau, bound to one environment (the attribute is the flow's name)."""

    open_period: Flow[..., int]
    open_periods: Flow[..., dict[str, int]]
    daily_sweep: Flow[..., dict[str, Any]]
    deliver_outbox: Flow[..., dict[str, Any]]
    survey_360: Flow[..., dict[int, SurveyStep]]
    annual_final: Flow[..., int]
    annual_finals: Flow[..., dict[str, int]]
    commission_cycle: Flow[..., dict[int, int]]
    retention_purge: Flow[..., dict[int, dict[str, int]]]
    calibration_session: Flow[..., str]
    operator_alert: Flow[..., dict[str, Any]]

    def by_name(self, name: str) -> Flow[..., Any]:
        """The flow called ``name`` (``daily_sweep`` …)."""
        found = getattr(self, name, None)
        if not isinstance(found, Flow):
            raise KeyError(f"no flow {name!r}")
        return found


NAMES = tuple(Flows.__dataclass_fields__)
"""The flows' names, in declaration order."""


def build_flows(env: Environment) -> Flows:
    """Every flow bound to ``env``; an in-process launcher of ``env`` is bound to its ``calibration_session``."""
    opener = open_period.build(env)
    session = calibration_session.build(env)
    outbox, deliver_due = deliver_outbox.build(env)
    final = annual_final.build(env)
    opens, finals = scheduled.build(env, opener, final)
    built = Flows(
        open_period=opener,
        open_periods=opens,
        daily_sweep=daily_sweep.build(env, opener, session, deliver_due),
        deliver_outbox=outbox,
        survey_360=survey_360.build(env),
        annual_final=final,
        annual_finals=finals,
        commission_cycle=commission.build(env),
        retention_purge=retention.build(env),
        calibration_session=session,
        operator_alert=operator_alert.build(env),
    )
    if isinstance(env.launcher, InProcessLauncher):
        env.launcher.bind(session)
    return named(env, built)


def named(env: Environment, built: Flows) -> Flows:
    """The same flows, each run named after what it does (``daily-sweep-2025-04-11``, ``flows.naming``)."""
    renamed = {
        name: getattr(built, name).with_options(flow_run_name=run_namer(env, getattr(built, name).name))
        for name in NAMES
    }
    return Flows(**renamed)
