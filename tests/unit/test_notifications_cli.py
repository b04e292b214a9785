"""``bagalau notify preview``: a message as its recipient would read it, without a database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bagalau.cli import app


def test_preview_renders_a_sample_in_the_language_asked() -> None:
    result = CliRunner().invoke(app, ["notify", "preview", "result_ready", "--language", "ru", "--sees-result"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Результат оценки вашей деятельности за 1-й квартал 2025 г.\n")
    assert "Балл: 4,37." in result.output


def test_preview_withholds_the_result_unless_the_recipient_may_see_it() -> None:
    """R-2: without --sees-result the preview is what HR's service or a colleague would read."""
    result = CliRunner().invoke(app, ["notify", "preview", "result_ready", "-l", "en"])
    assert result.exit_code == 0 and "4.37" not in result.output and "available in Bagalau" in result.output


def test_preview_of_a_payload_file_names_the_missing_variable(tmp_path: Path) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps({"method": "kpi", "deadline": "2025-04-10"}), encoding="utf-8")

    result = CliRunner().invoke(app, ["notify", "preview", "evaluation_notice", "--payload", str(payload)])

    assert result.exit_code == 2
    assert "evaluation_notice (kk)" in result.output and "'period'" in result.output


def test_preview_of_an_unknown_kind_exits_2() -> None:
    result = CliRunner().invoke(app, ["notify", "preview", "birthday"])
    assert result.exit_code == 2 and "birthday" in result.output
