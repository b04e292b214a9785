"""M-10 through ``bagalau simulate`` (examples/scenarios/atyrau-2023-sunset-v2.yaml): chapter 6 of the Atyrau
rulebook expires on 31 August 2023 — HR is warned 10 working days before about every chapter-6 evaluation still
open, those close as ``not_completed`` on 1 September, and a sheet dated after the sunset is refused citing M-10."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.v2_support import evaluations, rejections, simulate
from tests.flows_support import prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(prefect: None, pg_url: str, pg_owner_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    out = tmp_path_factory.mktemp("v2s") / "report.json"
    return simulate("atyrau-2023-sunset-v2.yaml", pg_url, pg_owner_engine, out)


def test_open_chapter_6_evaluations_close_not_completed_after_the_sunset(report: Any) -> None:
    results = evaluations(report)
    for person in ("E2", "E3"):
        entry = results[(person, "kpi_count")]
        assert (entry["status"], entry["category"], entry["score"]) == ("not_completed", None, None)


def test_hr_is_warned_ten_working_days_before_the_sunset_once_per_evaluation(report: Any) -> None:
    """M-10: 10 WD before 31 August 2023 (30 August off) is 16 August; two evaluations × two HR officers."""
    warned = [(n["to"], n["date"]) for n in report["notifications"] if n["kind"] == "sunset_warning"]
    assert sorted(warned) == [("H1", "2023-08-16")] * 2 + [("H2", "2023-08-16")] * 2


def test_a_sheet_after_the_sunset_is_refused_citing_m10(report: Any) -> None:
    reason = rejections(report)[2]
    assert reason.startswith("a sheet on 2023-09-04 is refused") and reason.endswith("(M-10)")
