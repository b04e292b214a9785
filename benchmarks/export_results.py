"""Time the results export (issue 15) of a body with N people: read the rows from the database, write the XLSX.

Run: ``.venv/bin/python -m benchmarks.export_results --people 10000`` (a temporary SQLite file), or add
``--db postgresql://…`` for an empty PostgreSQL database (its tables are created, filled and left). The data is
synthetic and written with bulk inserts (multi-row ``INSERT`` per table, no ORM loop): one body, 50 units, N people
appointed, a quarter with one evaluation each — scores, categories, dates — and one case in 50 calibrated. It
prints the seconds of the two halves the export costs (reading the rows with R-2, writing the workbook); a
benchmark, not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from application.environment import Environment, FixedClock
from application.queries.documents import result_rows, scope
from documents.xlsx import write_results
from domain.access import Principal
from domain.rulebooks import bundled
from domain.scoring import band
from persistence.db import make_engine
from persistence.models import (
    AppointmentRow,
    BodyRow,
    CalibrationCaseRow,
    CalibrationMemberRow,
    EvaluationPeriodRow,
    EvaluationRow,
    PersonRow,
    PositionRow,
    UnitRow,
    metadata,
)
from persistence.models.base import table_of

UNITS = 50
NOW = datetime(2025, 4, 1, tzinfo=UTC)


def _insert(connection: sa.Connection, model: type, rows: Iterable[Mapping[str, Any]], chunk: int = 2000) -> None:
    table = table_of(model)
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            connection.execute(sa.insert(table), batch)
            batch = []
    if batch:
        connection.execute(sa.insert(table), batch)


def fill(engine: sa.Engine, people: int) -> None:
    """One body, ``UNITS`` units with a head and staff positions, ``people`` people and their Q1 2025 results."""
    results = bundled()["kz-model-2018"].results
    metadata.create_all(engine)
    with engine.begin() as connection:
        _insert(connection, BodyRow, [{"id": 1, "code": "bench", "name": "Benchmark body"}])
        _insert(
            connection,
            UnitRow,
            ({"id": u, "body_id": 1, "code": f"U{u}", "name": f"Unit {u}"} for u in range(1, UNITS + 1)),
        )
        positions = [
            {"id": 2 * u - 1 + k, "unit_id": u, "title": title, "category": category}
            for u in range(1, UNITS + 1)
            for k, (title, category) in enumerate((("Head of unit", "C-1"), ("Chief expert", "C-4")))
        ]
        _insert(connection, PositionRow, positions)
        _insert(
            connection,
            PersonRow,
            (
                {"id": i, "body_id": 1, "personnel_number": f"E{i}", "full_name": f"Person {i}", "corps": "B",
                 "language": "kk", "created_at": NOW}
                for i in range(1, people + 1)
            ),
        )  # fmt: skip
        _insert(
            connection,
            AppointmentRow,
            (
                {"person_id": i, "position_id": 2 * (i % UNITS + 1) - (1 if i <= UNITS else 0),
                 "started_on": date(2020, 1, 1)}
                for i in range(1, people + 1)
            ),
        )  # fmt: skip
        _insert(
            connection,
            EvaluationPeriodRow,
            [{"id": 1, "body_id": 1, "kind": "quarter", "year": 2025, "quarter": 1, "label": "2025-Q1",
              "status": "open", "opened_at": NOW, "opened_on": date(2025, 4, 1)}],
        )  # fmt: skip

        def evaluation(i: int) -> dict[str, Any]:
            score = Decimal(500 - (i * 37) % 400) / 100
            head = i <= UNITS
            return {
                "id": i, "person_id": i, "period_id": 1, "method": "kpi" if head else "differentiation",
                "rulebook_id": "kz-model-2018", "status": "closed", "eligible": True, "in_absentia": i % 97 == 0,
                "evaluator_id": None if head else i % UNITS + 1, "deadline": date(2025, 4, 10),
                "notice_sent_on": date(2025, 4, 1), "submitted_on": date(2025, 4, 3 + i % 7),
                "completed_on": date(2025, 4, 3 + i % 7), "score": score, "category": band(score, results).value,
                "acquaint_by": date(2025, 4, 14), "acquainted_on": date(2025, 4, 14), "closed_on": date(2025, 4, 30),
                "created_at": NOW, "updated_at": NOW,
            }  # fmt: skip

        _insert(connection, EvaluationRow, (evaluation(i) for i in range(1, people + 1)))
        calibrated = range(UNITS + 1, people + 1, 50)
        _insert(
            connection,
            CalibrationCaseRow,
            (
                {"id": i, "evaluation_id": i, "status": "closed", "applied_on": date(2025, 4, 15),
                 "decide_by": date(2025, 4, 18), "hold_by": date(2025, 4, 29), "final_score": Decimal("4.50"),
                 "final_category": "effective", "protocol_post_by": date(2025, 4, 29), "created_at": NOW}
                for i in calibrated
            ),
        )  # fmt: skip
        _insert(
            connection,
            CalibrationMemberRow,
            ({"case_id": i, "person_id": m, "is_hr": m == 1} for i in calibrated for m in (1, 2, 3)),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="how many people (evaluations)")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--out", type=Path, help="where to keep the XLSX (default: a temporary file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bagalau-bench-") as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        started = time.perf_counter()
        fill(engine, args.people)
        filled = time.perf_counter()
        env = Environment(engine=engine, clock=FixedClock(datetime(2025, 5, 1, 12)))
        where = scope(env, "bench", "2025-Q1")
        rows, hidden = result_rows(env, Principal.system_step("operator:benchmark"), where)
        read = time.perf_counter()
        target = args.out or Path(folder) / "results.xlsx"
        count = write_results(rows, target)
        written = time.perf_counter()
        size = target.stat().st_size
        engine.dispose()
    print(f"people: {args.people}; database: {url.split(':', 1)[0]}")
    print(f"fill (bulk inserts): {filled - started:.2f} s")
    print(f"read rows (R-2, placements, calibrations): {read - filled:.2f} s ({len(rows)} rows, {hidden} hidden)")
    print(f"write XLSX: {written - read:.2f} s ({count} rows, {size / 1024:.0f} KiB)")
    print(f"export total: {written - filled:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
