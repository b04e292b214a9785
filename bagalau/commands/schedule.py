"""``bagalau schedule``: the evaluation schedule of a period (G-4, issue 14).

``bagalau schedule show BODY PERIOD`` prints who is evaluated, by whom, by which method and on which dates (the
working-day windows the rulebook gives), with the approval; ``bagalau schedule approve BODY PERIOD --by NUMBER``
records the appointing official's approval. A period whose rulebook requires approval does not open without it.
Anyone but the body's appointing official is refused: exit 2 naming G-4, nothing written.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from bagalau.commands import params
from bagalau.commands.body import BodyArgument, environment, refuse

if TYPE_CHECKING:
    from application.actions.schedule import ScheduleView

app = typer.Typer(help="The evaluation schedule of a period: show it, approve it (G-4).", no_args_is_help=True)

OPERATOR = "operator:schedule"

PeriodArgument = Annotated[
    str, typer.Argument(metavar="PERIOD", parser=params.period_label, help="2025-Q1 … 2025-Q4, or 2025")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print the schedule as JSON")]


@app.command("show")
def show(
    body: BodyArgument, period: PeriodArgument, as_json: JsonOption = False, db: params.DatabaseOption = None
) -> None:
    """Show the schedule of PERIOD: who, by whom, which method, which dates; and whether it is approved (G-4)."""
    from application.actions.schedule import ScheduleRefused, show_schedule
    from application.errors import Rejected
    from domain.access import Principal

    with environment(db, "schedule show") as env:
        try:
            view = show_schedule(env, Principal.system_step(OPERATOR), body, period)
        except ScheduleRefused as exc:
            raise refuse(exc.field, exc.reason) from None
        except Rejected as exc:
            raise refuse(None, exc.reason) from None
    typer.echo(json.dumps(view.as_dict(), ensure_ascii=False, indent=2) if as_json else render(view))


@app.command("approve")
def approve(
    body: BodyArgument,
    period: PeriodArgument,
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="PERSONNEL_NUMBER", parser=params.code, help="the appointing official who approves"
        ),
    ],
    as_of: params.AsOfOption = None,
    as_json: JsonOption = False,
    db: params.DatabaseOption = None,
) -> None:
    """Record the appointing official's approval of PERIOD's schedule (G-4); anyone else is refused (exit 2)."""
    from application.actions.schedule import ScheduleRefused, approve_schedule
    from application.errors import Rejected
    from domain.access import Principal
    from domain.vocabulary import Role

    with environment(db, "schedule approve") as env:
        day = as_of or env.clock.today()
        # Audited as the official, through the command line; G-4 checks that they are the appointing official.
        principal = Principal(name=OPERATOR, person=by, body=body, roles=frozenset({Role.APPOINTING_OFFICIAL}))
        try:
            view = approve_schedule(env, principal, body, period, by=by, day=day)
        except ScheduleRefused as exc:
            raise refuse(exc.field, exc.reason) from None
        except Rejected as exc:
            raise refuse(None, exc.reason) from None
    if as_json:
        typer.echo(json.dumps(view.as_dict(), ensure_ascii=False, indent=2))
        return
    if view.approved_now:
        typer.echo(f"{body} {view.period}: schedule approved on {day.isoformat()} by {by} (G-4)")
    else:
        typer.echo(f"{body} {view.period}: already approved on {_day(view.approved_on)} by {view.approved_by} (G-4)")


def _day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def render(view: ScheduleView) -> str:
    """The schedule as text: a heading with the approval, then one line per person and method."""
    schedule = view.schedule
    if view.approved:
        approval = f"approved on {_day(view.approved_on)} by {view.approved_by}"
    elif schedule.approval_required:
        approval = "NOT approved: the period does not open until the appointing official approves it"
    else:
        approval = f"approval not required by {view.rulebook_id}"
    opened = f"opened on {_day(view.opened_on)}" if view.opened_on else f"opens on {_day(schedule.opened_on)}"
    lines = [f"{view.body} {view.period}: rulebook {view.rulebook_id}, {opened}; schedule {approval} ({schedule.rule})"]
    for entry in schedule.entries:
        who = f"{entry.employee:<8} {view.names.get(entry.employee, '')[:32]:<32} {entry.method.value:<16}"
        if not entry.eligible:
            lines.append(f"{who} not evaluated: {entry.reason} ({entry.rule})")
            continue
        parts = [f"by {entry.evaluator or '—'}", f"notice by {_day(entry.notice_by)}", f"due {_day(entry.deadline)}"]
        if entry.kpi_actuals_by:
            parts.append(f"KPI actuals by {_day(entry.kpi_actuals_by)}")
        if entry.reminders:
            parts.append("reminders " + ", ".join(day.isoformat() for day in entry.reminders))
        if entry.in_absentia:
            parts.append("in absentia")
        lines.append(f"{who} " + "; ".join(parts))
    if not schedule.entries:
        lines.append("(nobody is evaluated in this period)")
    return "\n".join(lines)
