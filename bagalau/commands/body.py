"""``bagalau body``: set a state body up — which rulebook it follows when (G-3, issue 14).

``bagalau body assign-rulebook BODY RULEBOOK --from DATE [--until DATE]`` records an assignment (audited as the
operator); ``bagalau body rulebooks BODY`` lists them. A refusal exits 2 with one line naming the argument, the
rule and what is allowed (``application.actions.setup``), and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from bagalau.commands import params

if TYPE_CHECKING:
    from application.environment import Environment

app = typer.Typer(help="Set a state body up: the rulebook it follows when (G-3).", no_args_is_help=True)

OPERATOR = "operator:body"
EXIT_REFUSED = 2

BodyArgument = Annotated[str, typer.Argument(metavar="BODY", parser=params.code, help="the state body's code")]


@contextmanager
def environment(db: str | None, command: str) -> Iterator[Environment]:
    """The installation's environment on ``--db`` (default: the configured database), reachable and migrated."""
    from application.environment import NoLauncher
    from bagalau.bootstrap import build_environment

    settings = params.settings_for(db)
    option = "--db" if db else "BAGALAU_DATABASE_URL"
    with params.connected_app(settings, option=option) as engine:
        params.require_schema(engine, command)
        yield build_environment(settings, engine=engine, launcher=NoLauncher())


def refuse(field: str | None, message: str) -> typer.Exit:
    """Exit 2 with ``Invalid value for 'FIELD': MESSAGE`` (or the message alone when no field is named)."""
    if field:
        params.fail(field, message)
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


@app.command("assign-rulebook")
def assign_rulebook(
    body: BodyArgument,
    rulebook: Annotated[
        str,
        typer.Argument(
            metavar="RULEBOOK", parser=params.text_value(100), help="a rulebook id (`bagalau rulebook list`)"
        ),
    ],
    valid_from: Annotated[
        date,
        typer.Option("--from", metavar="DATE", parser=params.iso_date, help="first day the body follows it"),
    ],
    valid_until: Annotated[
        date | None,
        typer.Option("--until", metavar="DATE", parser=params.iso_date, help="last day (inclusive); default: open"),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", parser=params.text_value(500), help="why (kept in the audit log)"),
    ] = None,
    db: params.DatabaseOption = None,
) -> None:
    """Assign a rulebook to a body from --from to --until (G-3); the same rulebook and --from again changes --until."""
    from application.actions.setup import SetupRefused, assign_rulebook
    from application.errors import Rejected
    from domain.access import Principal

    with environment(db, "body assign-rulebook") as env:
        try:
            done = assign_rulebook(
                env, Principal.system_step(OPERATOR), body, rulebook, valid_from, valid_until, reason=reason
            )
        except SetupRefused as exc:
            raise refuse(exc.field, exc.reason) from None
        except Rejected as exc:
            raise refuse(None, exc.reason) from None
    item = done.assignment
    until = item.valid_until.isoformat() if item.valid_until else "open"
    what = "assigned" if done.created else ("changed" if done.changed else "unchanged")
    typer.echo(f"{body}: {item.rulebook_id} {item.valid_from.isoformat()} … {until} {what} (G-3)")


@app.command("rulebooks")
def rulebooks(body: BodyArgument, db: params.DatabaseOption = None) -> None:
    """List the rulebooks a body follows, with their validity (G-3)."""
    from application.actions.setup import SetupRefused, rulebook_assignments
    from domain.access import Principal

    with environment(db, "body rulebooks") as env:
        try:
            found = rulebook_assignments(env, Principal.system_step(OPERATOR), body)
        except SetupRefused as exc:
            raise refuse(exc.field, exc.reason) from None
    if not found:
        typer.echo(f"{body}: no rulebook is assigned; `bagalau body assign-rulebook {body} RULEBOOK --from DATE`")
        return
    width = max(len(item.rulebook_id) for item in found)
    for item in found:
        until = item.valid_until.isoformat() if item.valid_until else "open"
        validity = f"{item.valid_from.isoformat()} … {until}"
        typer.echo(f"{item.rulebook_id:<{width}}  {validity:<25}  {item.title}")
