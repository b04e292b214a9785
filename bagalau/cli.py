"""The ``bagalau`` command line: one Typer app with a sub-app per room (rulebook, calendar, db, org, …)."""

from __future__ import annotations

import typer

from bagalau import __version__
from bagalau.commands import (
    body,
    calendar,
    db,
    demo,
    export,
    notify,
    org,
    rerun,
    rulebook,
    schedule,
    serve,
    simulate,
    user,
    webapp,
)
from bagalau.commands.last_resort import GuardedGroup

app = typer.Typer(
    name="bagalau",
    cls=GuardedGroup,  # the last resort: no traceback reaches the user (bagalau/commands/last_resort.py)
    rich_markup_mode=None,  # errors on one plain line ("Error: Invalid value for '--as-of': …"), easy to grep
    help="Bagalau: performance evaluation of B-corps civil servants, run as durable, auditable workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Bagalau: performance evaluation of B-corps civil servants, run as durable, auditable workflows."""


@app.command()
def version() -> None:
    """Print Bagalau's version."""
    typer.echo(__version__)


# Sub-command groups, one line each (keep the list sorted).
app.add_typer(body.app, name="body")
app.add_typer(calendar.app, name="calendar")
app.add_typer(db.app, name="db")
app.add_typer(export.app, name="export")
app.add_typer(notify.app, name="notify")
app.add_typer(org.app, name="org")
app.add_typer(rulebook.app, name="rulebook")
app.add_typer(schedule.app, name="schedule")
app.add_typer(user.app, name="user")
app.command("demo")(demo.demo)
app.command("deploy")(serve.deploy)
app.command("rerun")(rerun.rerun)
app.command("serve")(serve.serve)
app.command("simulate")(simulate.simulate)
app.command("web")(webapp.web)
