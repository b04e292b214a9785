"""``python -m benchmarks --people N [--db URL] [--json FILE]``: the benchmark suite of issue 13.

Creates a database of its own on the PostgreSQL server of ``--db`` (default ``BAGALAU_TEST_DATABASE_URL``, else
``postgres@127.0.0.1:5432``), refusing a name that exists, runs every step of ``benchmarks.suite`` for a synthetic
body of N people, prints each figure next to its baseline, writes the JSON with ``--json``, and drops the database
(``--keep`` keeps it). Exit 0 when every step ran; 2 when the suite refuses to run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks.suite import DEFAULT_SERVER, Refused, Result, Suite


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people in the synthetic body (default 1000)")
    parser.add_argument(
        "--db",
        default=os.environ.get("BAGALAU_TEST_DATABASE_URL", DEFAULT_SERVER),
        help="PostgreSQL server URL; the suite creates a database of its own there",
    )
    parser.add_argument("--database", help="name of the database to create (default bagalau_bench_<random>)")
    parser.add_argument("--json", type=Path, help="write every figure, baseline and ratio to this file")
    parser.add_argument("--mails", type=int, default=2000, help="e-mails the delivery step sends (default 2000)")
    parser.add_argument("--no-simulate", action="store_true", help="leave out the 60-person simulations")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    if args.people < 10:
        parser.error("--people: at least 10")
    if args.json is not None:  # checked before the run: an hour's figures are not lost to a missing folder
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.touch()
        except OSError as exc:
            parser.error(f"--json: cannot write {str(args.json)!r} ({exc.strerror}); name a file in a writable folder")
    return args


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"


def table(results: list[Result], people: int) -> Table:
    shown = Table(title=f"Bagalau, {people:,} people (PostgreSQL)")
    columns = (
        "step",
        "seconds",
        "CPU s",
        "peak RSS MiB",
        "statements",
        "rows",
        "p50/p95 ms",
        "baseline s",
        "ratio",
        "ratio, no FK",
        "baseline",
    )
    for column in columns:
        shown.add_column(column, justify="left" if column in {"step", "baseline"} else "right")
    for result in results:
        figure, base = result.figure, result.baseline
        shown.add_row(
            result.step,
            _fmt(figure.seconds),
            _fmt(figure.cpu_seconds),
            _fmt(figure.peak_rss_mib),
            _fmt(figure.statements),
            _fmt(figure.rows),
            f"{figure.extra['p50_ms']}/{figure.extra['p95_ms']}" if "p95_ms" in figure.extra else "—",
            _fmt(base.seconds if base else None),
            _fmt(result.ratio, "×"),
            _fmt(result.ratio_without_foreign_keys, "×"),
            result.baseline_name or "",
        )
    return shown


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(stderr=True)
    suite = Suite(
        args.people,
        server=args.db,
        database=args.database,
        keep=args.keep,
        mails=args.mails,
        simulate=not args.no_simulate,
    )
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as progress:
        overall = progress.add_task(f"{args.people:,} people", total=len(suite.steps()))

        def report(step: str, state: str) -> None:
            if state == "start":
                progress.update(overall, description=f"{args.people:,} people: {step}")
            else:
                progress.advance(overall)
                last = suite.results[-1]
                progress.console.print(f"  {step}: {last.figure.seconds:.2f} s, {last.figure.statements} statements")

        try:
            suite.run(report)
        except Refused as exc:
            console.print(f"[red]benchmark refused:[/red] {exc}")
            return 2
    out = Console()
    if not out.is_terminal:  # a file or a pipe: the whole table, not squeezed into 80 columns
        out = Console(width=220)
    out.print(table(suite.results, args.people))
    if args.json:
        args.json.write_text(json.dumps(suite.as_dict(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
