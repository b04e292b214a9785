"""``bagalau calendar``: the issue's acceptance checks and clear refusals (P-6, P-7)."""

from __future__ import annotations

from typer.testing import CliRunner

from bagalau.cli import app

runner = CliRunner()


def test_p7_five_working_days_after_20_march_2025_is_1_april() -> None:
    result = runner.invoke(app, ["calendar", "add", "2025-03-20", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2025-04-01"


def test_p7_an_operator_day_off_pushes_the_count() -> None:
    result = runner.invoke(app, ["calendar", "add", "2025-03-20", "5", "--days-off", "2025-03-26"])
    assert result.output.strip() == "2025-04-02"


def test_p7_an_operator_working_saturday_shortens_the_count() -> None:
    result = runner.invoke(app, ["calendar", "add", "2025-03-20", "5", "--working-days", "2025-03-22"])
    assert result.output.strip() == "2025-03-31"


def test_nauryz_holiday_is_not_a_working_day() -> None:
    assert runner.invoke(app, ["calendar", "is-working", "2025-03-21"]).output.strip() == "no"
    assert runner.invoke(app, ["calendar", "is-working", "2025-04-01"]).output.strip() == "yes"


def test_a_date_that_is_not_a_date_exits_2_naming_the_field_and_the_formats() -> None:
    result = runner.invoke(app, ["calendar", "add", "2025-02-30", "5"])
    assert result.exit_code == 2
    assert "DATE" in result.output and "YYYY-MM-DD" in result.output


def test_a_bad_override_names_the_option() -> None:
    result = runner.invoke(app, ["calendar", "is-working", "2025-03-21", "--working-days", "21.13.2025"])
    assert result.exit_code == 2
    assert "--working-days" in result.output


def test_every_command_has_help() -> None:
    for command in (
        ["calendar", "add"],
        ["calendar", "is-working"],
        ["calendar", "holidays"],
        ["rulebook", "list"],
        ["rulebook", "show"],
        ["rulebook", "check"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command
