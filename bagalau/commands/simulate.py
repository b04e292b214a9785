"""``bagalau simulate``: dry-run evaluation cycles from a scenario file and write the JSON report."""

from __future__ import annotations

from typing import Annotated

import typer

from bagalau.commands import params
from bagalau.simulate.report import write_report
from bagalau.simulate.scenario import ScenarioError, load_scenario
from bagalau.simulate.summary import render_summary


def simulate(
    scenario_file: Annotated[str, typer.Argument(metavar="SCENARIO.yaml", help="the scenario to play")],
    out: Annotated[
        str, typer.Option("--out", "-o", metavar="REPORT.json", help="where to write the JSON report; - for stdout")
    ] = "-",
    db: params.DatabaseOption = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="with --db: drop every Bagalau table of a database that is not empty first"),
    ] = False,
    deliver: Annotated[
        bool, typer.Option("--deliver", help="send through the configured channels instead of recording")
    ] = False,
    summary: Annotated[bool, typer.Option("--summary", help="also print a readable summary")] = False,
) -> None:
    """Dry-run the evaluation cycles of a scenario file and write the JSON report (exit 2: malformed file).

    ``--db`` must name an empty database (or give ``--reset``); by default a fresh embedded one is used.
    """
    if reset and db is None:
        params.fail("--reset", "only with --db: the default database is a fresh one already")
    _check_out(out)
    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for warning in contact_warnings(scenario, scenario_file):
        typer.echo(f"warning: {warning}", err=True)
    from bagalau.simulate import embedded

    embedded.start()  # Prefect's temporary server starts while Prefect and the application load (issue 13)
    from bagalau.simulate import runner  # imported here: it sets Prefect's environment before Prefect loads

    if db is not None:
        with params.connected(db, option="--db"):
            pass
        if reset:
            typer.echo(f"warning: --reset: every Bagalau table of {params.shown_url(db)} is dropped first", err=True)
    try:
        if db is not None:
            runner.prepare_database(db, reset=reset)  # refuses a database with data, unless --reset
        report = runner.run(scenario, db_url=db, deliver=deliver)
    except runner.DatabaseNotEmpty as exc:
        params.fail("--db", str(exc))
    finally:
        embedded.stop()
    try:
        write_report(report, out)
    except OSError as exc:
        params.fail("--out", f"cannot write {out}: {exc.strerror or exc}")
    if summary:
        names = {person.id: person.name for person in scenario.organization.employees}
        # With the report on stdout, the summary goes to stderr so that the JSON stays parseable.
        typer.echo(render_summary(report, names), err=out == "-", nl=False)


def _check_out(out: str) -> None:
    """``--out``: ``-`` or a file in a folder that exists (checked before hours of simulation, not after)."""
    from pathlib import Path

    if out == "-":
        return
    if "\x00" in out:
        params.fail("--out", "a file name cannot hold a NUL character")
    path = Path(out)
    if path.is_dir() or not path.parent.is_dir():
        params.fail("--out", f"{out[:200]!r}: not a file in an existing folder")


def contact_warnings(scenario: object, source: str) -> list[str]:
    """One line per contact of the scenario's people that no channel can use (it is kept, and never used)."""
    from bagalau.simulate.runner import SIMULATION_URL_TEMPLATES
    from notifications.channels import contact_problem

    organization = getattr(scenario, "organization", None)
    lines = []
    for person in getattr(organization, "employees", []):
        for kind, value in person.contacts.items():
            problem = contact_problem(person.id, kind, value, url_templates=SIMULATION_URL_TEMPLATES)
            if problem is not None:
                lines.append(f"{source}: employee {person.id}: {problem}; messages go through their other channels")
    return lines
