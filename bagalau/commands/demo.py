"""``bagalau demo``: the README's run command — the engine's schedule, then a whole cycle simulated."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bagalau.settings import get_settings
from domain import rulebooks
from domain.calendar import WorkingCalendar
from domain.deadlines import period_schedule
from domain.periods import period_of
from domain.rulebook import Rulebook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
RICHEST = "model-2018-q1-2025.yaml"


def schedule_lines(book: Rulebook, today: date, calendar: WorkingCalendar) -> list[str]:
    """The notice, reminder and deadline dates of the period each method of ``book`` evaluates next."""
    lines = [f"{book.id} — {book.title.en}"]
    for spec in book.methods:
        if not spec.in_force(today):
            continue
        period = period_of(today, spec.cadence)
        plan = period_schedule(period, spec, calendar, reminders=book.reminders)
        reminders = ", ".join(day.isoformat() for day in plan.reminders) or "—"
        lines.append(
            f"  {spec.method.value:<16} {period.label:<8} notice by {_iso(plan.notice_by)}  "
            f"deadline {_iso(plan.deadline)}  reminders {reminders}"
        )
    return lines


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "(set by the Commission's schedule)"


def demo(
    scenario: Annotated[
        Path | None, typer.Option(help="scenario to simulate; default: the richest bundled example")
    ] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="after the simulation, open its database in the web app with a login per person (Ctrl-C stops)",
        ),
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="the web app's port (with --serve)")] = 8000,
) -> None:
    """Show every bundled rulebook's next deadlines, simulate a whole cycle and print its summary; then serve the
    simulated body in the web app, printing the demo logins (random passwords, shown once), until Ctrl-C."""
    settings = get_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    calendar = WorkingCalendar()
    typer.echo(f"Deadlines of the periods being evaluated next (today is {today.isoformat()}, {settings.timezone}):\n")
    for book in rulebooks.bundled().values():
        typer.echo("\n".join(schedule_lines(book, today, calendar)) + "\n")

    from bagalau.simulate import embedded

    embedded.start()  # Prefect's temporary server starts while the rest loads (issue 13)
    from bagalau.commands.simulate import contact_warnings
    from bagalau.simulate import runner
    from bagalau.simulate.report import write_report
    from bagalau.simulate.scenario import ScenarioError, load_scenario
    from bagalau.simulate.summary import render_summary

    path = scenario or EXAMPLES / RICHEST
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for warning in contact_warnings(loaded, path.name):
        typer.echo(f"warning: {warning}", err=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    out = settings.data_dir / "demo-report.json"
    typer.echo(f"Simulating {path.name} ({loaded.start} … {loaded.until}) through the Prefect flows …\n")
    database = settings.data_dir / "demo.db"
    url = f"sqlite:///{database.as_posix()}"
    try:
        report = runner.run(loaded, url, reset=True)
    finally:
        embedded.stop()  # the web app does not use Prefect's temporary server
    write_report(report, str(out))
    names = {person.id: person.name for person in loaded.organization.employees}
    typer.echo(render_summary(report, names))
    typer.echo(f"\nThe full JSON report: {out}")
    if serve:
        serve_demo(url, names, port)


def serve_demo(url: str, names: dict[str, str], port: int) -> None:
    """Give every simulated person a login (their personnel number) and a random password, print them once, and
    serve the web app on the simulated database until Ctrl-C. The roles come from the organisation (the HR head,
    the evaluators), exactly as for a real body."""
    import secrets

    import sqlalchemy as sa
    import uvicorn

    from bagalau.bootstrap import build_environment
    from bagalau.settings import Settings
    from persistence import flowstate
    from persistence.db import make_engine
    from persistence.uow import UnitOfWork
    from web.app import create_app
    from web.clock import SystemClock
    from web.config import WebSettings
    from web.security import hash_password

    settings = Settings(database_url=url)
    engine = make_engine(url)
    logins: list[tuple[str, str, str]] = []
    with UnitOfWork(engine, actor="system:demo") as uow:
        people = uow.session.execute(
            sa.select(flowstate.person.c.id, flowstate.person.c.personnel_number).order_by(
                flowstate.person.c.personnel_number
            )
        ).all()
        for person_id, number in people:
            login = str(number).lower()
            if uow.users.by_login(login) is not None:
                continue
            password = secrets.token_urlsafe(9)
            uow.users.add(login=login, person_id=person_id, password_hash=hash_password(password))
            logins.append((login, password, names.get(str(number), "")))
        uow.commit()
    from flows.launchers import InProcessLauncher

    env = build_environment(settings, engine=engine, launcher=InProcessLauncher())
    app = create_app(WebSettings(environment="development"), engine, clock=SystemClock(settings.timezone), env=env)
    typer.echo(f"\nThe simulated body in the web app: http://127.0.0.1:{port}/  (Ctrl-C stops; --no-serve skips this)")
    typer.echo("Demo logins (random passwords, shown only now):")
    width = max((len(login) for login, _, _ in logins), default=5)
    for login, password, name in logins:
        typer.echo(f"  {login:<{width}}  {password}  {name}")
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, server_header=False, log_level="warning")
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    typer.echo("stopped")
