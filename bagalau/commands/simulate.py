"""``bagalau simulate``: dry-run evaluation cycles from a scenario file and write the JSON report."""

from __future__ import annotations

from typing import Annotated

import typer

from bagalau.simulate.report import write_report
from bagalau.simulate.scenario import ScenarioError, load_scenario
from bagalau.simulate.summary import render_summary


def simulate(
    scenario_file: Annotated[str, typer.Argument(metavar="SCENARIO.yaml", help="the scenario to play")],
    out: Annotated[
        str, typer.Option("--out", "-o", metavar="REPORT.json", help="where to write the JSON report; - for stdout")
    ] = "-",
    db: Annotated[
        str | None, typer.Option("--db", metavar="URL", help="database to load into; default: a fresh embedded one")
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver", help="send through the configured channels instead of recording")
    ] = False,
    summary: Annotated[bool, typer.Option("--summary", help="also print a readable summary")] = False,
) -> None:
    """Dry-run the evaluation cycles of a scenario file and write the JSON report (exit 2: malformed file)."""
    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    from bagalau.simulate import runner  # imported here: it sets Prefect's environment before Prefect loads

    report = runner.run(scenario, db_url=db, deliver=deliver)
    write_report(report, out)
    if summary:
        names = {person.id: person.name for person in scenario.organization.employees}
        # With the report on stdout, the summary goes to stderr so that the JSON stays parseable.
        typer.echo(render_summary(report, names), err=out == "-", nl=False)

