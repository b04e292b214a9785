"""Time ``bagalau simulate`` for one quarter of a 60-person body (Model 2018), on the embedded SQLite default.

Run: ``.venv/bin/python benchmarks/simulate_quarter_60.py`` — prints the seconds taken (Prefect start-up included).
Six units of ten: a head of unit (C-1, by KPIs) and nine staff (differentiation); every sheet submitted on time,
a few acknowledged, one disagreement calibrated.
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


def scenario() -> dict[str, Any]:
    units = [{"id": "U0", "name": "Leadership"}] + [
        {"id": f"U{u}", "name": f"Unit {u}", "parent": "U0"} for u in range(1, 7)
    ]
    employees: list[dict[str, Any]] = [
        {"id": "E0", "name": "Official", "unit": "U0", "corps": "A", "contacts": {"email": "e0@example.kz"}}
    ]
    kpis, events = [], []
    day = date(2025, 4, 2)
    for u in range(1, 7):
        head = f"H{u}"
        employees.append(
            {
                "id": head,
                "name": f"Head {u}",
                "unit": f"U{u}",
                "category": "C-1",
                "head": "E0",
                "appointed": "2020-01-01",
                "contacts": {"email": f"h{u}@example.kz"},
            }
        )
        for k in range(1, 4):
            kpis.append({"employee": head, "id": f"k{k}", "name": f"KPI {k}", "plan": {"Q1": 10}, "actual": {"Q1": 10}})
        events.append({"date": day.isoformat(), "submit": {"evaluatee": head, "by": "E0", "scores": [5, 5, 5]}})
        for s in range(1, 10):
            person = f"S{u}{s}"
            employees.append(
                {
                    "id": person,
                    "name": f"Staff {u}.{s}",
                    "unit": f"U{u}",
                    "category": "C-4",
                    "head": head,
                    "appointed": "2021-01-01",
                    "contacts": {"email": f"s{u}{s}@example.kz"},
                }
            )
            events.append(
                {
                    "date": (day + timedelta(days=s % 3)).isoformat(),
                    "submit": {"evaluatee": person, "by": head, "scores": [4, 4, 3, 4], "comment": "ok"},
                }
            )
    events.append({"date": "2025-04-08", "acknowledge": {"employee": "S11"}})
    events.append({"date": "2025-04-09", "disagree": {"employee": "S11", "text": "no"}})
    events.append(
        {"date": "2025-04-10", "compose_calibration": {"employee": "S11", "by": "E0", "members": ["H2", "H3", "H4"]}}
    )
    for member in ("H2", "H3", "H4"):
        events.append({"date": "2025-04-15", "calibration_vote": {"employee": "S11", "member": member, "score": 4.0}})
    return {
        "rulebook": "kz-model-2018",
        "start": "2025-03-31",
        "until": "2025-06-30",
        "cycles": [{"kind": "quarter", "year": 2025, "quarter": 1}],
        "organization": {
            "name": "Benchmark body",
            "appointing_official": "E0",
            "hr": ["H1"],
            "units": units,
            "employees": employees,
        },
        "kpis": kpis,
        "events": sorted(events, key=lambda e: e["date"]),
    }


def main() -> int:
    started = time.perf_counter()
    report = runner.run(validate_scenario(scenario(), "benchmark"))
    seconds = time.perf_counter() - started
    whole = time.perf_counter() - PROCESS_STARTED
    evaluated = sum(1 for evaluation in report.evaluations if evaluation.score is not None)
    print(
        f"60-person quarter (92 days): {whole:.1f} s, the whole process ({seconds:.1f} s in the run); "
        f"{evaluated} evaluations scored, "
        f"{len(report.notifications)} notifications, {len(report.rejections)} rejections"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
