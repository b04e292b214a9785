"""The simulation report is the contract's JSON byte for byte (SCENARIOS.md, Output), and reads well as text."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate.report import (
    AnnualResult,
    CalibrationOutcome,
    Escalation,
    Evaluation,
    Notification,
    Rejection,
    Report,
    Survey360Result,
    write_report,
)
from bagalau.simulate.summary import render_summary
from tests.unit.test_scenario import scenario_file

# The example of SCENARIOS.md, as `json.dumps(indent=2)` writes it.
GOLDEN = """\
{
  "rulebook": "kz-model-2018",
  "evaluations": [
    {
      "employee": "E2",
      "period": "2025-Q1",
      "method": "differentiation",
      "eligible": true,
      "ineligible_reason": null,
      "in_absentia": false,
      "evaluator": "E1",
      "notice_sent_on": "2025-04-01",
      "deadline": "2025-04-10",
      "submitted_on": "2025-04-03",
      "score": 4.25,
      "category": "effective",
      "acquainted_on": "2025-04-14",
      "calibration": {
        "applied_on": "2025-04-15",
        "decide_by": "2025-04-18",
        "hold_by": "2025-04-29",
        "members": [
          "E5",
          "E6",
          "H1"
        ],
        "score": 4.0,
        "category": "effective",
        "protocol_post_by": "2025-04-29"
      }
    }
  ],
  "annual": [
    {
      "employee": "E2",
      "year": 2025,
      "score": 4.1,
      "category": "effective"
    }
  ],
  "survey_360": [
    {
      "employee": "E2",
      "year": 2025,
      "respondents": 4,
      "averages": {
        "communications": 4.33
      },
      "self": {
        "communications": 5.0
      }
    }
  ],
  "notifications": [
    {
      "to": "E2",
      "kind": "evaluation_notice",
      "channel": "email",
      "date": "2025-04-01"
    }
  ],
  "escalations": [
    {
      "about": "E2",
      "to": "H1",
      "kind": "overdue_sheet",
      "date": "2025-04-11"
    }
  ],
  "rejections": [
    {
      "event": 7,
      "date": "2025-04-24",
      "reason": "score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)"
    }
  ]
}
"""


def contract_example() -> Report:
    """The report of SCENARIOS.md built the way the runner builds one: exact decimals, dates."""
    return Report(
        rulebook="kz-model-2018",
        evaluations=[
            Evaluation(
                employee="E2",
                period="2025-Q1",
                method="differentiation",
                eligible=True,
                evaluator="E1",
                notice_sent_on=date(2025, 4, 1),
                deadline=date(2025, 4, 10),
                submitted_on=date(2025, 4, 3),
                score=Decimal("4.25"),
                category="effective",
                acquainted_on=date(2025, 4, 14),
                calibration=CalibrationOutcome(
                    applied_on=date(2025, 4, 15),
                    decide_by=date(2025, 4, 18),
                    hold_by=date(2025, 4, 29),
                    members=["E5", "E6", "H1"],
                    score=Decimal("4.0"),
                    category="effective",
                    protocol_post_by=date(2025, 4, 29),
                ),
            )
        ],
        annual=[AnnualResult(employee="E2", year=2025, score=Decimal("4.1"), category="effective")],
        survey_360=[
            Survey360Result(
                employee="E2",
                year=2025,
                respondents=4,
                averages={"communications": Decimal(13) / Decimal(3)},
                self_assessment={"communications": Decimal(5)},
            )
        ],
        notifications=[Notification(to="E2", kind="evaluation_notice", channel="email", date=date(2025, 4, 1))],
        escalations=[Escalation(about="E2", to="H1", kind="overdue_sheet", date=date(2025, 4, 11))],
        rejections=[
            Rejection(
                event=7,
                date=date(2025, 4, 24),
                reason="score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)",
            )
        ],
    )


def evaluation(employee: str, period: str = "2025-Q1", **fields: object) -> Evaluation:
    return Evaluation.model_validate(
        {"employee": employee, "period": period, "method": "differentiation", "eligible": True, **fields}
    )


def test_the_contract_example_serialises_byte_for_byte() -> None:
    assert contract_example().to_json() == GOLDEN


def test_the_contract_example_reads_back_unchanged() -> None:
    assert Report.model_validate_json(GOLDEN).to_json() == GOLDEN


def test_keys_follow_the_contract_order() -> None:
    data = json.loads(contract_example().to_json())

    assert list(data) == [
        "rulebook",
        "evaluations",
        "annual",
        "survey_360",
        "notifications",
        "escalations",
        "rejections",
    ]
    assert list(data["evaluations"][0]) == [
        "employee",
        "period",
        "method",
        "eligible",
        "ineligible_reason",
        "in_absentia",
        "evaluator",
        "notice_sent_on",
        "deadline",
        "submitted_on",
        "score",
        "category",
        "acquainted_on",
        "calibration",
    ]
    assert list(data["evaluations"][0]["calibration"]) == [
        "applied_on",
        "decide_by",
        "hold_by",
        "members",
        "score",
        "category",
        "protocol_post_by",
    ]


@pytest.mark.parametrize(
    ("exact", "shown"),
    [(Decimal("4.125"), 4.13), (Decimal("2.995"), 3.0), (Decimal("2.994"), 2.99), (Decimal(4), 4.0), (4.1, 4.1)],
)
def test_scores_are_json_numbers_rounded_half_up_to_two_decimals(exact: Decimal | float, shown: float) -> None:
    text = Report(rulebook="x", evaluations=[evaluation("E1", score=exact)]).to_json()

    assert json.loads(text)["evaluations"][0]["score"] == shown
    assert f'"score": {shown}' in text  # a number, not a string


def test_values_not_reached_yet_are_null() -> None:
    data = json.loads(Report(rulebook="x", evaluations=[evaluation("E1")]).to_json())["evaluations"][0]

    assert data["submitted_on"] is None and data["score"] is None and data["calibration"] is None
    assert data["in_absentia"] is False


def test_lists_are_written_in_a_deterministic_order() -> None:
    report = Report(
        rulebook="x",
        evaluations=[evaluation("E10"), evaluation("E2", method="kpi"), evaluation("E2"), evaluation("E3", "2025")],
        notifications=[
            Notification(to="E2", kind="reminder", channel="email", date=date(2025, 4, 7)),
            Notification(to="E10", kind="evaluation_notice", channel="email", date=date(2025, 4, 1)),
            Notification(to="E2", kind="evaluation_notice", channel="email", date=date(2025, 4, 1)),
        ],
        rejections=[
            Rejection(event=9, date=date(2025, 4, 2), reason="r"),
            Rejection(event=2, date=date(2025, 4, 9), reason="r"),
        ],
    )
    data = json.loads(report.to_json())

    assert [(e["period"], e["employee"], e["method"]) for e in data["evaluations"]] == [
        ("2025", "E3", "differentiation"),
        ("2025-Q1", "E2", "differentiation"),
        ("2025-Q1", "E2", "kpi"),
        ("2025-Q1", "E10", "differentiation"),
    ]
    assert [(n["date"], n["to"]) for n in data["notifications"]] == [
        ("2025-04-01", "E2"),
        ("2025-04-01", "E10"),
        ("2025-04-07", "E2"),
    ]
    assert [r["event"] for r in data["rejections"]] == [2, 9]


def test_the_360_survey_is_not_an_evaluation_method() -> None:
    with pytest.raises(ValidationError, match="survey_360"):
        evaluation("E1", method="survey_360")


def test_an_unknown_field_or_category_is_refused() -> None:
    with pytest.raises(ValidationError):
        evaluation("E1", grade="A")
    with pytest.raises(ValidationError):
        evaluation("E1", category="good")


def test_write_report_writes_a_file_or_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(contract_example(), tmp_path / "report.json")
    write_report(contract_example(), "-")

    assert (tmp_path / "report.json").read_text(encoding="utf-8") == GOLDEN
    assert capsys.readouterr().out == GOLDEN


def test_the_summary_shows_each_period_the_notices_escalations_and_rejections() -> None:
    report = contract_example()
    report.evaluations.append(
        evaluation("E7", eligible=False, ineligible_reason="tenure_under_one_month", method="differentiation")
    )
    text = render_summary(report, {"E2": "Дана Омарова", "E1": "Айгерім Сәрсенова"})

    assert "Period 2025-Q1" in text
    assert "E2 Дана Омарова" in text and "E1 Айгерім Сәрсенова" in text
    assert "4.25" in text and "effective" in text and "4.00 effective" in text  # the calibrated score
    assert "not evaluated: tenure_under_one_month" in text
    assert "Annual final scores (P-3)" in text and "communications 4.33" in text
    assert "Notices sent: 1 (evaluation_notice 1)" in text
    assert "Escalations: 1" in text and "overdue_sheet" in text
    assert "Rejected events: 1" in text and "#7" in text and "(K-4)" in text


def test_the_summary_of_an_empty_report_says_so() -> None:
    text = render_summary(Report(rulebook="kz-model-2018"))

    assert "No evaluation was considered." in text and "Notices sent: 0" in text


def test_the_command_writes_the_runners_report_and_a_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []

    def run(scenario: object, *, db_url: str | None, deliver: bool) -> Report:
        calls.append({"db_url": db_url, "deliver": deliver})
        return contract_example()

    from bagalau.simulate import runner

    monkeypatch.setattr(runner, "run", run)  # the command's own I/O; the real runner is played in tests/e2e
    out = tmp_path / "report.json"

    result = CliRunner().invoke(
        app, ["simulate", str(scenario_file(tmp_path)), "--out", str(out), "--db", "sqlite://", "--summary"]
    )

    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == GOLDEN
    assert calls == [{"db_url": "sqlite://", "deliver": False}]
    assert "Period 2025-Q1" in result.stdout and "E2 Дана Омарова" in result.stdout
