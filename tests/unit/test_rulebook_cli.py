"""``bagalau rulebook list/show/check``: the bundled rulebooks through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bagalau.cli import app
from domain import rulebooks

BOOK_IDS = ["kz-annual-commission-2018", "kz-atyrau-2023", "kz-model-2018", "kz-quarterly-2026"]
runner = CliRunner()


def broken_copy(book_id: str, into: Path) -> tuple[Path, str]:
    """A copy of a bundled rulebook file (includes still relative) with a negative window and an unknown method.

    Returns the file and the path, inside it, of the negative window.
    """
    shutil.copytree(rulebooks.BUNDLED_DIR / "catalogue", into / "catalogue")
    source = rulebooks.BUNDLED_DIR / f"{book_id}.yaml"
    data: dict[str, Any] = rulebooks.parse_text(source.read_text(encoding="utf-8"), str(source))
    section = "calibration" if data.get("calibration") else "commission"
    data[section]["acquaintance"]["days"] = -2
    data["methods"][0]["method"] = "astrology"
    path = into / f"{book_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, f"{section}.acquaintance.days"


def test_list_shows_every_bundled_rulebook_with_its_validity() -> None:
    result = runner.invoke(app, ["rulebook", "list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == BOOK_IDS
    assert "2023-06-29 … open" in next(line for line in lines if line.startswith("kz-atyrau-2023"))
    assert "2026-03-13 … open" in next(line for line in lines if line.startswith("kz-quarterly-2026"))


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_show_prints_the_resolved_rulebook_as_yaml(book_id: str) -> None:
    result = runner.invoke(app, ["rulebook", "show", book_id])
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.stdout)
    assert shown["id"] == book_id
    assert "$include" not in result.stdout


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_show_json_is_accepted_back_by_check_from_stdin(book_id: str) -> None:
    shown = runner.invoke(app, ["rulebook", "show", book_id, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["id"] == book_id
    checked = runner.invoke(app, ["rulebook", "check", "-"], input=shown.stdout)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"-: valid rulebook {book_id} ")


def test_show_of_an_unknown_rulebook_exits_2_naming_the_bundled_ones() -> None:
    result = runner.invoke(app, ["rulebook", "show", "kz-astrology-2030"])
    assert result.exit_code == 2
    assert "unknown rulebook 'kz-astrology-2030'" in result.stderr
    assert all(book_id in result.stderr for book_id in BOOK_IDS)


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_check_accepts_a_bundled_file_and_a_copy_elsewhere(book_id: str, tmp_path: Path) -> None:
    bundled = runner.invoke(app, ["rulebook", "check", str(rulebooks.BUNDLED_DIR / f"{book_id}.yaml")])
    assert bundled.exit_code == 0, bundled.output
    shutil.copytree(rulebooks.BUNDLED_DIR / "catalogue", tmp_path / "catalogue")
    copy = shutil.copy(rulebooks.BUNDLED_DIR / f"{book_id}.yaml", tmp_path / "mine.yaml")
    elsewhere = runner.invoke(app, ["rulebook", "check", str(copy)])
    assert elsewhere.exit_code == 0, elsewhere.output
    assert f"valid rulebook {book_id}" in elsewhere.stdout


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_check_of_a_broken_copy_exits_2_listing_every_problem_with_file_and_path(book_id: str, tmp_path: Path) -> None:
    path, window = broken_copy(book_id, tmp_path)
    result = runner.invoke(app, ["rulebook", "check", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 2 problem(s)"
    assert f"{path}: {window}: Input should be greater than or equal to 0 (got -2)" in lines
    method = next(line for line in lines if line.startswith(f"{path}: methods[0].method: "))
    assert "'astrology'" in method and "'kpi_count'" in method and "'form1'" in method
    assert result.stdout == ""


def test_check_of_a_missing_include_names_the_file_and_the_include(tmp_path: Path) -> None:
    source = rulebooks.BUNDLED_DIR / "kz-quarterly-2026.yaml"
    path = tmp_path / "kz-quarterly-2026.yaml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")  # no catalogue next to it
    result = runner.invoke(app, ["rulebook", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path}: (top): included file 'catalogue/params_quarterly2026.yaml' does not exist" in result.stderr


def test_an_include_outside_the_rulebook_folder_is_refused(tmp_path: Path) -> None:
    """A rulebook handed in cannot read other files of the machine through ``$include`` (absolute or ``..``)."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    folder = tmp_path / "books"
    folder.mkdir()
    for reference in (str(secret), "../secret.yaml"):
        path = folder / "book.yaml"
        path.write_text(yaml.safe_dump({"id": "x", "methods": {"$include": reference}}), encoding="utf-8")
        result = runner.invoke(app, ["rulebook", "check", str(path)])
        assert result.exit_code == 2, result.output
        assert "outside the rulebook's folder" in result.stderr
        assert "hunter2" not in result.output
