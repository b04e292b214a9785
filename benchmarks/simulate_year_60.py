"""Time ``bagalau simulate`` for a whole year of the 60-person body of ``simulate_quarter_60`` (Model 2018).

Run: ``.venv/bin/python benchmarks/simulate_year_60.py`` — prints the seconds taken (Prefect start-up included).
365 simulated days from 2025-03-31: the first three quarters of 2025 open in April, July and October (Q1's sheets
submitted on time, a disagreement calibrated; Q2's and Q3's never submitted, so they are escalated as the law
says), and a sweep runs every day — 365 ``daily_sweep`` flow runs.
"""

from __future__ import annotations

import time

PROCESS_STARTED = time.perf_counter()  # the figure is the whole process: imports and Prefect's start-up included

import sys  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from bagalau.simulate import embedded  # noqa: E402

embedded.start()  # as `bagalau simulate` does: Prefect's temporary server starts while the rest loads
from bagalau.simulate import runner  # noqa: E402 (sets Prefect's environment before Prefect is imported)
from bagalau.simulate.scenario import validate_scenario  # noqa: E402

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from simulate_quarter_60 import scenario as quarter  # noqa: E402

START = date(2025, 3, 31)


def scenario() -> dict[str, Any]:
    found = quarter()
    found["until"] = (START + timedelta(days=364)).isoformat()
    found["cycles"] = [{"kind": "quarter", "year": 2025, "quarter": q} for q in (1, 2, 3)]
    for kpi in found["kpis"]:
        kpi["plan"] = dict.fromkeys(("Q1", "Q2", "Q3"), 10)
        kpi["actual"] = dict.fromkeys(("Q1", "Q2", "Q3"), 10)
    return found


def main() -> int:
    started = time.perf_counter()
    report = runner.run(validate_scenario(scenario(), "benchmark"))
    seconds = time.perf_counter() - started
    whole = time.perf_counter() - PROCESS_STARTED
    scored = sum(1 for evaluation in report.evaluations if evaluation.score is not None)
    print(
        f"60-person year (365 days): {whole:.1f} s, the whole process ({seconds:.1f} s in the run); "
        f"{len(report.evaluations)} evaluations ({scored} scored), "
        f"{len(report.notifications)} notifications, {len(report.rejections)} rejections"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
