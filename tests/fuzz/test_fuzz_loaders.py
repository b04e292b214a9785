"""Fuzzing the loaders people hand files to (issue 12: of 2,751 generated bad inputs, 89 gave a traceback): the
scenario loader, the rulebook checker and the staff importer (CSV, XLSX, YAML). Every generated input must end in
the loader's own refusal (``ScenarioError``, ``RulebookError``, ``StaffFileError``) or in a result — any other
exception fails the test with the input that caused it.

Inputs are grown from real files (the bundled rulebooks, the example scenarios and staff files) by mutations a
person or a broken export makes: lines dropped, doubled or cut, values replaced by odd ones (huge numbers,
impossible dates, control characters, anchors and aliases, deep brackets), bytes flipped in a workbook."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bagalau.commands.simulate import contact_warnings
from bagalau.simulate.scenario import ScenarioError, parse_yaml, validate_scenario
from bagalau.staff_files import read_staff_file
from domain import rulebooks
from domain.rulebooks import RulebookError
from persistence.importers import StaffFileError, UrlPolicy
from tests.fuzz.budget import budget

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
RULEBOOKS = sorted((ROOT / "domain" / "rulebooks").glob("*.yaml"))
STAFF_CSV = (ROOT / "examples" / "staff" / "staff.csv").read_text(encoding="utf-8")
STAFF_XLSX = (ROOT / "examples" / "staff" / "staff.xlsx").read_bytes()

ODD_VALUES = [
    "",
    "~",
    "null",
    "-1",
    "0",
    "9223372036854775808",
    "1e400",
    "nan",
    ".inf",
    "2025-02-30",
    "0000-00-00",
    "31.02.2025",
    "9999-12-31",
    "'\x00'",
    '"\\0"',
    '"\\x01"',
    "\x1b[31m",
    "&a [*a]",
    "*undefined",
    "&x {}",
    "!!python/object:os.system {}",
    "!!binary ===",
    "[" * 80 + "]" * 80,
    "{" * 30,
    "? [1, 2]\n: x",
    "<<: *a",
    "tgram://bottoken/1",
    "mailto://u:p@h?to=",
    "json://",
    "a" * 5000,
    "Ж" * 300,
    "\u202e\u200b",
    "yes",
    "on",
    "- - -",
    "|",
    ">-",
    "'unterminated",
    '"unterminated',
    "%TAG ! tag:x,2000:",
    "---\n---",
    "...",
    "@\t#",
]

odd = st.sampled_from(ODD_VALUES) | st.text(max_size=40)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few lines dropped, doubled, cut, or given an odd value."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "cut", "value", "insert", "indent"]))
        line = lines[index]
        if action == "drop":
            del lines[index]
        elif action == "double":
            lines.insert(index, line)
        elif action == "cut":
            lines[index] = line[: draw(st.integers(0, max(len(line) - 1, 0)))]
        elif action == "value":
            head, colon, _ = line.partition(": ")
            lines[index] = f"{head}: {draw(odd)}" if colon else f"{line} {draw(odd)}"
        elif action == "insert":
            lines.insert(index, draw(odd))
        else:
            lines[index] = " " * draw(st.integers(1, 7)) + line
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n", "\n\x00"]))


def scenario_texts() -> st.SearchStrategy[str]:
    return st.sampled_from(SCENARIOS).flatmap(lambda path: mutated(path.read_text(encoding="utf-8")))


def rulebook_texts() -> st.SearchStrategy[str]:
    return st.sampled_from(RULEBOOKS).flatmap(lambda path: mutated(path.read_text(encoding="utf-8")))


@budget(50)
@given(text=scenario_texts() | st.text(max_size=300))
def test_the_scenario_loader_refuses_or_loads_never_crashes(text: str) -> None:
    try:
        data, lines = parse_yaml(text, "fuzz.yaml")
        scenario = validate_scenario(data, "fuzz.yaml", base_dir=ROOT / "examples" / "scenarios", lines=lines)
    except ScenarioError as refused:
        assert str(refused).startswith("fuzz.yaml: ")
        return
    contact_warnings(scenario, "fuzz.yaml")  # what simulate and demo print next


@budget(50)
@given(text=rulebook_texts() | st.text(max_size=300))
def test_the_rulebook_checker_refuses_or_accepts_never_crashes(text: str) -> None:
    try:
        rulebooks.validate(rulebooks.parse_text(text, "fuzz.yaml"), "fuzz.yaml")
    except RulebookError as refused:
        assert refused.problems and refused.source


@budget(40)
@given(text=mutated(STAFF_CSV) | st.text(max_size=300), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
def test_the_staff_importer_reads_any_csv_without_crashing(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    try:
        staff = read_staff_file("fuzz.csv", data, strict=False)
    except StaffFileError as refused:
        assert refused.problems
        return
    assert all(person.personnel_number and person.full_name for person in staff.people)


@st.composite
def damaged_workbooks(draw: st.DrawFn) -> bytes:
    data = bytearray(STAFF_XLSX)
    action = draw(st.sampled_from(["flip", "cut", "zero", "member"]))
    if action == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    elif action == "cut":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif action == "zero":
        start = draw(st.integers(0, len(data) - 1))
        data[start : start + draw(st.integers(1, 500))] = bytes(min(500, len(data) - start))
    else:  # a well-formed archive whose sheet XML is garbage
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(STAFF_XLSX)) as source, zipfile.ZipFile(out, "w") as target:
            for member in source.infolist():
                content = source.read(member)
                if member.filename.startswith("xl/worksheets/"):
                    content = draw(st.binary(max_size=200)) or content[: len(content) // 2]
                target.writestr(member, content)
        data = bytearray(out.getvalue())
    return bytes(data)


@budget(25)
@given(data=damaged_workbooks())
def test_the_staff_importer_reads_any_damaged_xlsx_without_crashing(data: bytes) -> None:
    try:
        read_staff_file("fuzz.xlsx", data, strict=False)
    except StaffFileError as refused:
        assert refused.problems


@budget(25)
@given(text=scenario_texts())
def test_the_staff_importer_reads_any_scenario_organization_without_crashing(text: str) -> None:
    try:
        read_staff_file("fuzz.yaml", text.encode("utf-8", errors="replace"), strict=False, urls=UrlPolicy())
    except StaffFileError as refused:
        assert refused.problems
