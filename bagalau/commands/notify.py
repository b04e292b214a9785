"""``bagalau notify``: deliver the outbox, test a person's channels, export the proof of acquaintance, preview."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import sqlalchemy as sa

    from notifications.config import DeliveryConfig

app = typer.Typer(help="Deliver notices, test channels, export proofs of delivery.", no_args_is_help=True)


def _engine() -> sa.Engine:
    from bagalau.settings import get_settings
    from persistence.db import make_engine

    return make_engine(get_settings().database_url)


def _config() -> DeliveryConfig:
    from bagalau.bootstrap import delivery_config
    from bagalau.settings import get_settings

    return delivery_config(get_settings())


@app.command("deliver")
def deliver(
    batch_size: Annotated[int, typer.Option(min=1, help="messages claimed per batch")] = 200,
) -> None:
    """Deliver every due message of the outbox now, and print what happened."""
    from notifications.channels import AppriseChannel
    from notifications.delivery import deliver_due

    report = deliver_due(_engine(), datetime.now(UTC), batch_size, channels=AppriseChannel(), config=_config())
    typer.echo(report.summary())


@app.command("test")
def test(
    person: Annotated[str, typer.Argument(metavar="PERSON", help="person id or personnel number")],
) -> None:
    """Send a test message to each of a person's channels; exit 1 unless every channel accepted it."""
    from notifications.channels import AppriseChannel
    from notifications.check import check_channels

    try:
        name, checks = check_channels(_engine(), person, channel=AppriseChannel(), config=_config())
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if not checks:
        typer.echo(f"{name}: no channel at all — HR must add an e-mail or a phone before notices can reach them")
        raise typer.Exit(1)
    for check in checks:
        verdict = "ok" if check.ok else "FAILED"
        typer.echo(f"{check.channel:<10} {check.address:<40} {verdict}")
        typer.echo("".join(f"    {line}\n" for line in check.response.splitlines()), nl=False)
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


@app.command("proof")
def proof(
    evaluation_id: Annotated[int, typer.Argument(metavar="EVALUATION_ID")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable, for a dispute file")] = False,
) -> None:
    """Export the proof of acquaintance (C-1, Q-4, M-8): messages, addresses, answers, acknowledgement."""
    from notifications.proof import proof_for

    try:
        record = proof_for(_engine(), evaluation_id)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(record.to_json() if as_json else record.to_text())


@app.command("preview")
def preview(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="a message kind, e.g. result_ready")],
    language: Annotated[str, typer.Option("--language", "-l", help="kk, ru or en")] = "kk",
    payload: Annotated[Path | None, typer.Option(help="JSON file of template variables (default: a sample)")] = None,
    sees_result: Annotated[bool, typer.Option("--sees-result", help="the recipient may see results (R-2)")] = False,
) -> None:
    """Render one message as its recipient would read it."""
    from notifications.rendering import RenderError, render
    from notifications.samples import SAMPLE_PAYLOADS

    try:
        variables = json.loads(payload.read_text(encoding="utf-8")) if payload else SAMPLE_PAYLOADS[kind]
        message = render(kind, language, variables, sees_result)
    except RenderError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except (KeyError, OSError, ValueError) as exc:
        typer.echo(f"cannot preview {kind} ({language}): {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Subject: {message.subject}\n\n{message.body}", nl=False)
