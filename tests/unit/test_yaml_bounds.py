"""Issue 12: YAML loading is bounded for scenarios, rulebooks and staff imports (``domain.yaml12``). A 500-deep file
(RecursionError), a 484-byte alias bomb (MemoryError at 3 GB) and a control character (yaml ReaderError) were
tracebacks; each is now a clear message naming the file and the line, exit 2, in milliseconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate.scenario import ScenarioError, load_scenario
from bagalau.staff_files import read_staff_file
from domain import rulebooks
from domain.rulebooks import RulebookError
from domain.yaml12 import Yaml12Loader, YamlLimitError, YamlLimits, check_text
from persistence.importers import StaffFileError

DEEP = "organization: " + "[" * 500 + "]" * 500 + "\n"

# The classic "billion laughs": 9^9 = 387,420,489 strings once expanded, padded to the issue's 484 bytes.
_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ALIAS_BOMB = _LAUGHS + "organization: {name: " + "x" * (484 - len(_LAUGHS) - 23) + "}\n"
CONTROL = 'rulebook: kz-model-2018\nstart: 2025-01-01\norganization:\n  name: "Agency\x01"\n'
NUL_ESCAPE = 'rulebook: kz-model-2018\norganization:\n  name: "Agen\\0cy"\n'
CYCLE = "organization: &o [*o]\n"

CASES = [
    ("deep", DEEP, "nested deeper than 64 levels", 1),
    ("alias bomb", ALIAS_BOMB, "aliases expand to more than", 7),  # g: 9^7 values, past the 2,000,000 allowed
    ("control character", CONTROL, "control character U+0001", 4),
    ("NUL escape", NUL_ESCAPE, "control character U+0000", 3),
    ("alias cycle", CYCLE, "refers to a node that contains it", 1),
]


def load(text: str) -> object:
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 - a SafeLoader subclass


def test_the_alias_bomb_is_the_issues_484_bytes() -> None:
    assert len(ALIAS_BOMB.encode()) == 484


@pytest.mark.parametrize(("case", "text", "message", "line"), CASES, ids=[case[0] for case in CASES])
def test_the_loader_refuses_with_the_line(case: str, text: str, message: str, line: int) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlLimitError) as refused:
        load(text)
    assert message in str(refused.value) and refused.value.line == line
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(("case", "text", "message", "line"), CASES, ids=[case[0] for case in CASES])
def test_bagalau_simulate_names_the_file_and_line(
    tmp_path: Path, case: str, text: str, message: str, line: int
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)
    assert f"(line {line})" in str(refused.value)

    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("case", "text", "message", "line"), CASES, ids=[case[0] for case in CASES])
def test_bagalau_rulebook_check_names_the_file_and_line(
    tmp_path: Path, case: str, text: str, message: str, line: int
) -> None:
    path = tmp_path / "rulebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as refused:
        rulebooks.load_file(path)
    assert str(path) in str(refused.value) and f"line {line}" in str(refused.value) and message in str(refused.value)

    result = CliRunner().invoke(app, ["rulebook", "check", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("case", "text", "message", "line"), CASES, ids=[case[0] for case in CASES])
def test_bagalau_org_import_names_the_file_and_line(
    tmp_path: Path, case: str, text: str, message: str, line: int
) -> None:
    path = tmp_path / "staff.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StaffFileError) as refused:
        read_staff_file(path)
    assert message in str(refused.value) and f"line {line}" in str(refused.value)

    result = CliRunner().invoke(app, ["org", "import", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_text_over_the_size_limit_is_not_parsed() -> None:
    with pytest.raises(YamlLimitError, match="longer than 10 characters"):
        check_text("a: 12345678901", YamlLimits(max_bytes=10))


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import domain.yaml12

    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 5000, encoding="utf-8")
    monkeypatch.setattr(domain.yaml12, "DEFAULT_LIMITS", YamlLimits(max_bytes=1000))
    with pytest.raises(YamlLimitError, match="larger than 1,000 bytes"):
        domain.yaml12.read_text(path, domain.yaml12.DEFAULT_LIMITS)


def test_ordinary_anchors_and_deep_enough_files_still_load() -> None:
    text = "base: &b {x: 1, y: [1, 2]}\ncopy: *b\nnested: " + "[" * 40 + "]" * 40 + "\n"
    data = load(text)
    assert isinstance(data, dict) and data["copy"] == {"x": 1, "y": [1, 2]}


def test_every_bundled_rulebook_and_example_scenario_loads_under_the_limits() -> None:
    assert len(rulebooks.bundled()) >= 4
    for path in sorted((Path(__file__).resolve().parents[2] / "examples" / "scenarios").glob("*.yaml")):
        assert load_scenario(path).organization.employees, path


def test_a_list_as_a_mapping_key_is_a_yaml_error_not_a_type_error() -> None:
    with pytest.raises(RulebookError, match="a mapping key must be a plain value"):
        rulebooks.parse_text("? [1, 2]\n: x\n", "<test>")
