"""Playing a scenario: a fresh database, the scenario loaded, then day by day the events and the real daily sweep.

The order inside a simulated day is fixed and documented: **first the periods whose opening day it is are opened
(``open_period`` flow runs: the evaluations exist in the morning, so a sheet may be submitted on the opening day),
then the day's events, in file order, through the application's actions, each as the person it names** (a refusal is
recorded under ``rejections`` and changes nothing), **then the appointing official approves the results of a
Commission meeting held that day** (M-7: the contract has no approval event, so the simulator plays it, through the
same action as the page; ``bagalau.simulate.actions.approve_commission_results_of_the_day``, decision 0140), **then
``daily_sweep(as_of=day)`` as a real Prefect flow run**. So a sheet submitted on day D is completed on D, and
everything queued on D — by the events or by the sweep — is delivered on D (the sweep delivers last). A disagreement
starts its ``calibration_session`` flow run at once, in this process (the environment's in-process launcher); the
sweep runs it again.

The simulator is an entrance like the CLI: it builds its own environment (the scenario's database, a recording
channel unless ``deliver``, the in-process launcher) through ``bagalau.bootstrap`` and the flows bound to it.

Prefect runs embedded (its ephemeral API server, started early by the entrance: ``bagalau.simulate.embedded``)
unless ``PREFECT_API_URL`` points at one: its home is
``<BAGALAU_DATA_DIR>/prefect-simulation``, log shipping to the API and analytics are off, and the flow-run
heartbeat is disabled for the run (a heartbeat thread would hold every flow run open for up to a second).
Channels record instead of sending unless ``deliver`` is true.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from bagalau.simulate import embedded
from bagalau.simulate.embedded import IDLE_SERVER_SERVICES, prefect_environment

__all__ = ["IDLE_SERVER_SERVICES", "prefect_environment"]

log = logging.getLogger(__name__)

SIMULATION_URL_TEMPLATES = {
    "email": "mailto://localhost?from=bagalau@localhost",
    "sms": "json://localhost/sms?to={address}",
}
"""Where recorded messages would have gone: any valid apprise URL will do, nothing is sent."""


prefect_environment()

from application.environment import Environment  # noqa: E402
from bagalau.simulate.report import Rejection, Report  # noqa: E402
from bagalau.simulate.scenario import Scenario  # noqa: E402
from flows import Flows  # noqa: E402
from persistence.secrets import SecretBox, generate_key  # noqa: E402


def _open_due_periods(env: Environment, flows: Flows, day: date) -> None:
    """The morning of ``day``: open the requested periods whose opening day has come (one flow run each)."""
    from application.context import body_ids
    from application.cycle.opening import due_openings

    for body_code, label in due_openings(env, day, body_ids(env, None)):
        flows.open_period(body_code, label, day)


@contextmanager
def _no_heartbeat() -> Iterator[None]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def _one_client() -> Iterator[None]:
    """One Prefect API client for every flow run of the simulation: each run otherwise opens its own (an HTTP
    client, its TLS context, a version check against the server) — a tenth of a second a run, hundreds of runs."""
    from prefect.context import SyncClientContext

    with SyncClientContext.get_or_create():
        yield


def _results_kept_local(flows: Flows) -> Flows:
    """The flows with their results (never persisted) kept by a local store saved once: without one, Prefect asks
    its server for the default result storage at every flow run — three requests a simulated day. Sub-flows and
    tasks inherit the store of the flow run they belong to."""
    from prefect.filesystems import LocalFileSystem

    from flows import NAMES

    storage = LocalFileSystem(basepath=str(Path(tempfile.gettempdir()) / "bagalau-simulation-results"))
    storage.save("bagalau-simulation", overwrite=True)
    return Flows(
        **{name: getattr(flows, name).with_options(result_storage=storage, persist_result=False) for name in NAMES}
    )


def days(start: date, until: date) -> Iterator[date]:
    day = start
    while day <= until:
        yield day
        day += timedelta(days=1)


class DatabaseNotEmpty(ValueError):
    """``--db`` names a database that already holds data (an earlier run, a killed one, a real body)."""


def run(scenario: Scenario, db_url: str | None = None, deliver: bool = False, *, reset: bool = False) -> Report:
    """Play ``scenario`` on a fresh database (a temporary SQLite file unless ``db_url``) and report.

    ``db_url`` must name an empty database (no table, or Bagalau's tables without a row): a second run, or a run
    after a killed one, would mix two worlds. :class:`DatabaseNotEmpty` says so, unless ``reset``, which drops
    every Bagalau table and creates them again (:func:`prepare_database`).
    """
    if db_url is not None:
        prepare_database(db_url, reset=reset)
        return _run(scenario, db_url, deliver, _settings_box())
    with tempfile.TemporaryDirectory(prefix="bagalau-simulation-") as folder:
        url = f"sqlite:///{Path(folder) / 'simulation.db'}"
        return _run(scenario, url, deliver, _settings_box() if deliver else None)


def environment(url: str, deliver: bool, secrets: SecretBox | None = None) -> Environment:
    """The simulation's environment: its own database, messages recorded (unless ``deliver``), sessions in-process;
    ``secrets`` opens the contacts' sealed URLs."""
    from bagalau.bootstrap import build_environment, delivery_config
    from bagalau.settings import get_settings
    from flows.launchers import InProcessLauncher
    from notifications.channels import AppriseChannel, RecordingChannel
    from notifications.config import DeliveryConfig
    from persistence.db import make_engine

    settings = get_settings()
    env = build_environment(
        settings,
        engine=make_engine(url),
        launcher=InProcessLauncher(),
        channel=AppriseChannel() if deliver else RecordingChannel(),
        delivery=(
            delivery_config(settings)
            if deliver
            else DeliveryConfig(url_templates=SIMULATION_URL_TEMPLATES, secrets=secrets)
        ),
    )
    return replace(env, limit_bodies=False)  # one body, one process: no concurrency slot to ask Prefect for


def _settings_box() -> SecretBox:
    """The installation's key: a database that outlives the run, or real sending, uses the real one."""
    from bagalau.settings import get_settings

    return get_settings().secret_box()


def prepare_database(url: str, *, reset: bool = False) -> None:
    """Make sure the simulation's database is empty: refuse one with data, or (``reset``) empty it first."""
    from persistence.db import make_engine

    engine = make_engine(url)
    try:
        found = _contents(engine)
    finally:
        engine.dispose()
    if found is None:
        return
    if not reset:
        raise DatabaseNotEmpty(
            f"{_shown(url)} is not empty ({found}): a simulation needs an empty database. Give another --db, or "
            "--reset to drop every Bagalau table in it and create them again"
        )
    _drop_everything(url, found)


def _contents(engine: sa.Engine) -> str | None:
    """What makes the database not empty (``None``: nothing)."""
    from persistence.models import metadata

    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names())
    if not tables:
        return None
    foreign = sorted(tables - set(metadata.tables) - {"alembic_version"})
    if foreign:
        return f"tables that are not Bagalau's: {', '.join(foreign[:5])}"
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name not in tables:
                continue
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                return f"the table {table.name} has rows"
    return None


def _drop_everything(url: str, found: str) -> None:
    """``--reset``: the SQLite file is removed; a PostgreSQL database is migrated down to nothing."""
    from persistence.db import downgrade, make_engine

    if found.startswith("tables that are not"):
        raise DatabaseNotEmpty(f"{_shown(url)} has {found}: --reset drops only Bagalau's tables; use another --db")
    log.warning("--reset: %s holds data (%s); dropping every Bagalau table and creating them again", _shown(url), found)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(database + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        downgrade(engine, "base")
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def _run(scenario: Scenario, url: str, deliver: bool, secrets: SecretBox | None = None) -> Report:
    """``secrets`` seals the contacts' URLs; ``None``: a key of this run only (the database is thrown away)."""
    from application.errors import Rejected
    from bagalau.simulate.actions import apply_action, approve_commission_results_of_the_day
    from bagalau.simulate.loading import load
    from bagalau.simulate.reporting import build_report
    from flows import build_flows
    from persistence.db import upgrade

    box = secrets or SecretBox(generate_key())
    book = scenario.load_rulebook()
    env = environment(url, deliver, box)
    flows = build_flows(env)
    try:
        upgrade(env.engine)
        load(env, scenario, book, secrets=box)
        rejections: list[Rejection] = []
        # Prefect's temporary server, if the entrance started it early (embedded), answers by now
        with embedded.pointed(), _no_heartbeat(), _one_client():
            flows = _results_kept_local(flows)
            for day in days(scenario.start, scenario.until):
                _open_due_periods(env, flows, day)
                for index, event in scenario.events_on(day):
                    try:
                        apply_action(env, day, event.kind, event.action)
                    except Rejected as refusal:
                        rejections.append(Rejection(event=index, date=day, reason=str(refusal)))
                approve_commission_results_of_the_day(env, day)
                flows.daily_sweep(as_of=day)
        return build_report(env, book.id, rejections)
    finally:
        env.engine.dispose()
