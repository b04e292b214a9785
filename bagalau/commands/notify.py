"""``bagalau notify``: deliver the outbox, test a person's channels, export the proof of acquaintance, preview."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bagalau.commands import params

if TYPE_CHECKING:
    import sqlalchemy as sa

    from notifications.config import DeliveryConfig

app = typer.Typer(help="Deliver notices, test channels, export proofs of delivery.", no_args_is_help=True)

MAX_PAYLOAD_BYTES = 1_000_000
"""A payload file for ``preview`` larger than this is refused unread."""


@contextmanager
def _engine(db: str | None = None) -> Iterator[sa.Engine]:
    """The database (``--db`` or the settings'), reachable and migrated, or exit 2/1 saying why."""
    settings = params.settings_for(db, secrets=True)
    option = "--db" if db else "BAGALAU_DATABASE_URL"
    with params.connected_app(settings, option=option) as engine:
        params.require_schema(engine, "notify")
        yield engine


def _config(db: str | None = None) -> DeliveryConfig:
    from bagalau.bootstrap import delivery_config

    settings = params.settings_for(db, secrets=True)
    try:
        return delivery_config(settings)
    except ValueError as exc:  # a BAGALAU_NOTIFY_* variable that is not what it should be
        params.fail("BAGALAU_NOTIFY_*", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


@app.command("deliver")
def deliver(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="messages claimed per batch (1 to 10000)")] = 200,
    db: params.DatabaseOption = None,
) -> None:
    """Deliver every due message of the outbox now, and print what happened."""
    from notifications.channels import AppriseChannel
    from notifications.delivery import deliver_due

    config = _config(db)
    with _engine(db) as engine:
        report = deliver_due(engine, datetime.now(UTC), batch_size, channels=AppriseChannel(), config=config)
    typer.echo(report.summary())


@app.command("retry")
def retry(
    dead: Annotated[
        bool, typer.Option("--dead", help="dead letters too (a fresh set of attempts); default: only retries")
    ] = False,
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", parser=_kind, help="only messages of this kind")
    ] = None,
    since: Annotated[
        date | None,
        typer.Option("--since", metavar="DATE", parser=params.iso_date, help="only messages due on or after DATE"),
    ] = None,
    db: params.DatabaseOption = None,
) -> None:
    """Re-queue failed messages: due now, audited; --dead brings dead letters back (safe to run twice)."""
    import getpass

    from notifications.dead_letters import requeue

    settings = params.settings_for(db)
    try:
        actor = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        actor = "cli:notify-retry"
    with _engine(db) as engine:
        done = requeue(engine, datetime.now(UTC), actor=actor, dead=dead, kind=kind, since=since, zone=settings.zone)
    typer.echo(done.summary())


def _kind(value: str) -> str:
    """A message kind (``evaluation_notice`` …)."""
    from notifications.kinds import MessageKind

    known = sorted(member.value for member in MessageKind)
    if value not in known:
        raise typer.BadParameter(f"{value[:60]!r} is not a message kind: one of {', '.join(known)}")
    return value


@app.command("test")
def test(
    person: Annotated[
        str,
        typer.Argument(metavar="PERSON", parser=params.text_value(64), help="person id or personnel number"),
    ],
    db: params.DatabaseOption = None,
) -> None:
    """Send a test message to each of a person's channels; exit 1 unless every channel accepted it."""
    from notifications.channels import AppriseChannel
    from notifications.check import check_channels

    if person.isdigit() and not 1 <= int(person) <= params.MAX_ID:
        params.fail("PERSON", f"{person[:30]}: a person id is a whole number from 1 to {params.MAX_ID}")
    config = _config(db)
    try:
        with _engine(db) as engine:
            name, checks = check_channels(engine, person, channel=AppriseChannel(), config=config)
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
    evaluation_id: Annotated[
        int, typer.Argument(metavar="EVALUATION_ID", min=1, max=params.MAX_ID, help="the evaluation's id")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable, for a dispute file")] = False,
    db: params.DatabaseOption = None,
) -> None:
    """Export the proof of acquaintance (C-1, Q-4, M-8): messages, addresses, answers, acknowledgement."""
    from notifications.proof import proof_for

    try:
        with _engine(db) as engine:
            record = proof_for(engine, evaluation_id)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(record.to_json() if as_json else record.to_text())


@app.command("preview")
def preview(
    kind: Annotated[str, typer.Argument(metavar="KIND", parser=_kind, help="a message kind, e.g. result_ready")],
    language: params.LanguageOption = "kk",
    payload: Annotated[Path | None, typer.Option(help="JSON file of template variables (default: a sample)")] = None,
    sees_result: Annotated[bool, typer.Option("--sees-result", help="the recipient may see results (R-2)")] = False,
) -> None:
    """Render one message as its recipient would read it."""
    from notifications.rendering import RenderError, render
    from notifications.samples import SAMPLE_PAYLOADS

    try:
        variables = _payload(payload) if payload else SAMPLE_PAYLOADS[kind]
        message = render(kind, language, variables, sees_result)
    except RenderError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except (KeyError, OSError, ValueError, TypeError, RecursionError) as exc:
        typer.echo(f"cannot preview {kind} ({language}): {str(exc)[:300] or type(exc).__name__}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Subject: {message.subject}\n\n{message.body}", nl=False)


def _payload(path: Path) -> dict[str, object]:
    """The template variables of a JSON file: an object, at most 1 MB (``--payload``)."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_PAYLOAD_BYTES + 1)
    if len(raw) > MAX_PAYLOAD_BYTES:
        params.fail("--payload", f"{path}: larger than {MAX_PAYLOAD_BYTES // 1000} kB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        params.fail("--payload", f"{path}: not a JSON file ({str(exc)[:200] or 'nested too deeply'})")
    if not isinstance(data, dict):
        params.fail("--payload", f"{path}: a JSON object of template variables is expected, got {type(data).__name__}")
    return data
