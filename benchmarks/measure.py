"""What one benchmark step costs: wall time, peak RSS, SQL statements and rows written.

:class:`Meter` counts every statement any SQLAlchemy engine of this process sends (``before_cursor_execute``: an
``executemany`` is one statement, one round trip) and the rows ``INSERT``/``UPDATE``/``DELETE`` statements report,
plus the ``COPY … FROM STDIN`` statements ``persistence.bulk`` sends on the driver connection
(``bulk.COPIES``). CPU seconds are this process's own (``time.process_time``): the Python share of a step, which
a loaded machine stretches far less than the wall time. Peak RSS is the kernel's high-water mark of this process
(``VmHWM``), reset before each step through ``/proc/self/clear_refs`` (Linux ≥ 4.0); where that cannot be reset
the figure is the process's peak so far.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from persistence import bulk

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Cost:
    """What a step cost; ``statements``/``rows`` are ``None`` where they were not counted (another process)."""

    seconds: float = 0.0
    peak_rss_mib: float | None = None
    cpu_seconds: float | None = None
    """CPU time of this process during the step (Python's share; the database server's work is not in it): on a
    shared, loaded machine it moves far less than the wall time."""
    statements: int | None = 0
    rows: int | None = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "peak_rss_mib": None if self.peak_rss_mib is None else round(self.peak_rss_mib, 1),
            "cpu_seconds": None if self.cpu_seconds is None else round(self.cpu_seconds, 3),
            "statements": self.statements,
            "rows_written": self.rows,
            **self.extra,
        }


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """The process's resident-set high-water mark (since the last reset), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Meter:
    """Counts statements and rows of every SQLAlchemy engine while :meth:`step` runs."""

    def __init__(self) -> None:
        self.statements = 0
        self.rows = 0
        self._on = False
        sa.event.listen(sa.Engine, "before_cursor_execute", self._before)
        sa.event.listen(sa.Engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        sa.event.remove(sa.Engine, "before_cursor_execute", self._before)
        sa.event.remove(sa.Engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        if self._on:
            self.statements += 1

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self._on and statement.lstrip()[:6].upper() in WRITES:
            count = getattr(cursor, "rowcount", -1)
            if isinstance(count, int) and count > 0:
                self.rows += count

    @contextmanager
    def step(self) -> Iterator[Cost]:
        """Measure the block; the :class:`Cost` is filled in when it ends."""
        cost = Cost()
        _reset_peak()
        self.statements = self.rows = 0
        copies, copied = bulk.COPIES.statements, bulk.COPIES.rows
        self._on = True
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield cost
        finally:
            cost.seconds = time.perf_counter() - started
            cost.cpu_seconds = time.process_time() - cpu
            self._on = False
            cost.statements = self.statements + bulk.COPIES.statements - copies
            cost.rows = self.rows + bulk.COPIES.rows - copied
            cost.peak_rss_mib = peak_rss_mib()
