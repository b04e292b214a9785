"""``bagalau rulebook``: list, show and check methodology rulebooks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from domain import rulebooks
from domain.rulebooks import RulebookError
from domain.yaml12 import DEFAULT_LIMITS

app = typer.Typer(help="List, show and check methodology rulebooks.", no_args_is_help=True)

MAX_STDIN = DEFAULT_LIMITS.max_bytes
"""``rulebook check -`` reads at most this much; the YAML loader refuses a longer text."""


@app.command("list")
def list_rulebooks() -> None:
    """List the bundled rulebooks: id, validity and title."""
    books = rulebooks.bundled()
    width = max(len(book_id) for book_id in books)
    for book in books.values():
        until = book.valid_until.isoformat() if book.valid_until else "open"
        validity = f"{book.valid_from.isoformat()} … {until}"
        typer.echo(f"{book.id:<{width}}  {validity:<25}  {book.title.en}")


@app.command("show")
def show(
    rulebook_id: Annotated[str, typer.Argument(metavar="ID", help="a bundled rulebook id or a file path")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON that `rulebook check` accepts back")] = False,
) -> None:
    """Show a whole rulebook (all sections, includes resolved)."""
    try:
        book = rulebooks.get(rulebook_id)
    except (KeyError, RulebookError) as exc:
        typer.echo(str(exc).strip('"'), err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(rulebooks.to_json(book))
        return
    import yaml

    typer.echo(yaml.safe_dump(book.model_dump(mode="json"), allow_unicode=True, sort_keys=False, width=110))


@app.command("check")
def check(
    file: Annotated[str, typer.Argument(metavar="FILE", help="a YAML/JSON rulebook, - for stdin")],
) -> None:
    """Validate a rulebook file: exit 0 if valid, else exit 2 listing every problem (file, path, what)."""
    try:
        if file == "-":
            data = rulebooks.parse_text(sys.stdin.read(MAX_STDIN + 1), "<stdin>")  # longer: refused as too long
            book = rulebooks.validate(data, "<stdin>")
        else:
            book = rulebooks.load_file(Path(file))
    except RulebookError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{file}: valid rulebook {book.id} ({book.title.en})")
