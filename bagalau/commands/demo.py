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
) -> None:
    """Show every bundled rulebook's next deadlines, then simulate a whole cycle and print its summary."""
    settings = get_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    calendar = WorkingCalendar()
    typer.echo(f"Deadlines of the periods being evaluated next (today is {today.isoformat()}, {settings.timezone}):\n")
    for book in rulebooks.bundled().values():
        typer.echo("\n".join(schedule_lines(book, today, calendar)) + "\n")

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
    report = runner.run(loaded)
    write_report(report, str(out))
    names = {person.id: person.name for person in loaded.organization.employees}
    typer.echo(render_summary(report, names))
    typer.echo(f"\nThe full JSON report: {out}")
