"""``bagalau serve``: run every scheduled flow on this machine, on the embedded default (SQLite, local Prefect).

The Bagalau database (``BAGALAU_DATABASE_URL``, default an SQLite file under ``BAGALAU_DATA_DIR``) is migrated,
a local Prefect server is started under ``<data dir>/prefect`` (its own SQLite database, the UI on
``http://HOST:PORT``), and the deployments of ``deployments.SCHEDULES`` are served from this process until
Ctrl-C, which stops serving (schedules are left active: ``pause_on_shutdown=False``) and then the server.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from bagalau.commands import params
from deployments.local_server import DEFAULT_PORT, LocalPrefectServer, ServerStartError


def _host(value: str) -> str:
    """An IP address or a host name (letters, digits, dots, dashes, colons of IPv6)."""
    text = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9.:\-]{1,253}", text):
        raise typer.BadParameter(f"{text[:60]!r} is not a host: an IP address (127.0.0.1) or a host name")
    return text


@contextmanager
def pointed_at(server: LocalPrefectServer) -> Iterator[None]:
    """This process and the flow runs it starts talk to ``server`` (Prefect settings and the environment)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

    previous = {name: os.environ.get(name) for name in server.client_environment()}
    os.environ.update(server.client_environment())
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_HOME: str(server.home)}):
            yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def install_automations(deployments: list[Any]) -> None:
    """The alert deployment first (its id is what the automations run), then the automations, idempotently:
    a failed, crashed, late or too-long step tells HR and the operators (``deployments.automations``)."""
    from prefect.client.orchestration import get_client

    from deployments.automations import ensure_automations
    from deployments.schedules import ALERT

    [alert] = [deployment for deployment in deployments if deployment.name == ALERT]
    try:
        alert_id = alert.apply(_sync=True)
        with get_client(sync_client=True) as client:
            ensured = ensure_automations(client, alert_id)
    except Exception as exc:  # noqa: BLE001 — serving the steps matters more; say loudly who will not be told
        typer.echo(
            f"automations NOT installed ({type(exc).__name__}: {str(exc)[:300]}): HR and the operators will not be "
            "told of a failed, late or stalled step; /hr/runs still lists them (docs/decisions/0160)",
            err=True,
        )
        return
    for name, what in ensured.done.items():
        typer.echo(f"automation {name!r}: {what}")


def serve_deployments(server: LocalPrefectServer) -> None:
    """Serve every deployment against ``server`` until interrupted (Prefect's ``serve`` returns on Ctrl-C)."""
    from prefect import serve as prefect_serve

    from deployments import build_deployments

    # The deployments load their flows from ``deployments.entrypoints``: the installation's environment, built by
    # ``bagalau.bootstrap`` (a disagreement starts its calibration session as a deployment run).
    with pointed_at(server):
        deployments = build_deployments()
        install_automations(deployments)
        server.mark_served()  # `bagalau rerun` records its runs here while this serves (deployments.local_server)
        try:
            prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=True)
        finally:
            server.unmark_served()


def serve(
    host: Annotated[str, typer.Option(parser=_host, help="address the local Prefect server listens on")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="port of the local Prefect server (UI and API)")
    ] = DEFAULT_PORT,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="serve Prefect's UI too")] = True,
) -> None:
    """Serve the scheduled flows (Asia/Almaty crons) on a local Prefect server under the data dir; Ctrl-C stops."""
    from persistence.db import upgrade

    # Ctrl-C stops serving even when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    settings = params.settings_for(secrets=True)  # refuses to start without BAGALAU_SECRET_KEY outside development
    option = "BAGALAU_OWNER_DATABASE_URL" if settings.owner_database_url else "BAGALAU_DATABASE_URL"
    with params.connected(settings.migration_url, option=option):
        pass
    upgrade(settings.migration_url, app_role=settings.app_role)  # as the owner: the flows then run as the app role
    with params.connected_app(settings):
        pass
    server = LocalPrefectServer(settings.data_dir, host=host, port=port, ui=ui)
    typer.echo(f"starting the local Prefect server on {server.api_url} (home {server.home}) …")
    try:
        with server:
            typer.echo(f"Prefect UI: http://{host}:{port} — serving; Ctrl-C to stop")
            serve_deployments(server)
    except ServerStartError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass
    typer.echo("stopped")


SOURCE = Path(__file__).resolve().parents[2]
"""This checkout: what a worker runs unless ``--source`` names another."""


def _source(value: str | Path) -> Path:
    directory = Path(value).expanduser().resolve()
    if not (directory / "deployments" / "entrypoints.py").is_file():
        raise typer.BadParameter(f"{str(value)[:200]!r} is not a Bagalau checkout (no deployments/entrypoints.py)")
    return directory


def _pool(value: str) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,62}", text):
        raise typer.BadParameter(f"{text[:60]!r} is not a work pool name: letters, digits, '-', '_', '.' (bagalau)")
    return text


def deploy(
    work_pool: Annotated[
        str, typer.Option("--work-pool", parser=_pool, help="the Prefect process work pool (made if missing)")
    ] = "bagalau",
    source: Annotated[
        Path, typer.Option(parser=_source, help="the Bagalau checkout the workers run (default: this one)")
    ] = SOURCE,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="register only this deployment (repeatable): daily-sweep …")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=100, help="runs of one deployment at once, on any workers (e.g. per-body sweeps)")
    ] = 1,
) -> None:
    """Register every deployment on a Prefect process work pool of the server at PREFECT_API_URL; machines then
    run them with `prefect worker start --pool POOL` (docs/decisions/0180)."""
    from deployments.work_pool import UnknownDeployment, deploy_to_pool

    if not os.environ.get("PREFECT_API_URL"):
        params.fail(
            "PREFECT_API_URL",
            "not set: the Prefect server (on PostgreSQL) the workers poll, e.g. http://prefect.example.kz:4200/api",
        )
    params.settings_for(secrets=True)  # the flows are built from the settings when the deployments load
    try:
        registered = deploy_to_pool(work_pool, source, only, concurrency)
    except UnknownDeployment as exc:
        params.fail("--only", str(exc))
    for name in registered:
        typer.echo(f"{name}: on work pool {work_pool!r}, runs {source}")
    typer.echo(f"start a worker on each machine: prefect worker start --pool {work_pool}")
