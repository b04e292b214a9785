"""``python -m benchmarks.opening_trial build NAME --people N`` / ``run NAME [--json FILE]``: opening 2025-Q1 on
copies of one prepared database (issue 13, decision 0191).

``build`` creates database ``NAME``, imports the synthetic body of N people (CSV) and its XLSX twin, assigns the
rulebook, approves the quarter's schedule and records the leave (as ``benchmarks.suite`` does before
``open_quarter``), and stops: a template. ``run`` copies it (``CREATE DATABASE … TEMPLATE NAME``), times
``open_quarter`` there as the suite does (after a read-only warm-up: the rulebook parsed, the modules imported, as
the suite's earlier steps leave them) — figure, CPU seconds, statements, the bare ``COPY`` baseline and
the ratio — prints them as JSON and drops the copy, so A/B trials of opening start from the same state.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from benchmarks.measure import Meter
from benchmarks.suite import DEFAULT_SERVER, Suite, World


def _admin(server: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(server), isolation_level="AUTOCOMMIT")


def build(name: str, people: int, server: str) -> None:
    from persistence.db import make_engine, upgrade

    suite = Suite(people, server=server, database=name, keep=True, simulate=False)
    with suite.database_url() as url, tempfile.TemporaryDirectory(prefix="bagalau-trial-") as folder:
        upgrade(url)
        engine = make_engine(url)
        meter = Meter()
        try:
            world = World(suite, engine, meter, Path(folder))
            world.import_csv()
            world.import_xlsx()
            world._prepare_quarter()
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        finally:
            meter.close()
            engine.dispose()


def server_cpu(database: str) -> float:
    """CPU seconds (user + system) the server's backends connected to ``database`` have used so far (Linux, a local
    server whose processes this user may read): the server's share of a step, which a loaded machine stretches far
    less than the wall time."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f" {database} " not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode() + " ":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def run(template: str, server: str) -> dict[str, object]:
    from application.cycle import opening
    from benchmarks.suite import OPENING_DAY, QUARTER
    from persistence.db import make_engine

    name = f"{template}_t{secrets.token_hex(3)}"
    admin = _admin(server)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine = make_engine(sa.make_url(server).set(database=name).render_as_string(hide_password=False))
    meter = Meter()
    try:
        suite = Suite(0, server=server, database=name, keep=True, simulate=False)
        world = World(suite, engine, meter, Path(tempfile.gettempdir()))
        with engine.connect() as connection:
            world.body_id = connection.execute(sa.text("SELECT id FROM body WHERE code = 'bench'")).scalar_one()
        # As in the suite, where earlier steps did it: the rulebook read and parsed, the modules imported.
        opening.due_openings(world.env, OPENING_DAY, [world.body_id])
        with world._measured("open_quarter") as result:
            before = server_cpu(name)
            evaluations = opening.open_period(world.env, world.body_id, QUARTER, OPENING_DAY)
            spent = server_cpu(name) - before
        result.figure.extra.update(evaluations=evaluations, server_cpu_seconds=round(spent, 3))
        return result.as_dict()
    finally:
        meter.close()
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.opening_trial", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("name", help="the template database")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--db", default=DEFAULT_SERVER)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.action == "build":
        build(args.name, args.people, args.db)
        return 0
    found = run(args.name, args.db)
    text = json.dumps(found, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
