"""Every rule id of METHODOLOGY.md is cited by a test (issue 11: "a test that fails when an id is cited by no
test"). A rule id is cited when a test file names it (``C-8`` in a docstring, comment or message) or a test
function carries it in its name (``test_c8_…``).

The ids are the rules the digest defines (``**G-4**``, the S-1 heading) and the ids its prose refers to as rules
(``(S-4 below)``, which the digest never defines: 004's own KPI result names, M-4). Position-category codes are
not rule ids: ``C-O-6`` contains "O-6" — the "O-6" of issue 11's list, a false match — and ``B-1`` is a code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
ID = r"([A-Z])-(\d{1,2})"
DEFINED = re.compile(rf"\*\*{ID}\*\*")  # - **G-4** HR compiles …
HEADING = re.compile(rf"^#+ .*— {ID}\s*$", re.MULTILINE)  # ## Result categories (all families but 004) — S-1
REFERRED = re.compile(rf"\({ID} below\)")  # … other result names for KPIs (S-4 below)

NOT_CITED_YET: frozenset[str] = frozenset()
"""Rules whose behaviour is not built yet (M-3, the quarterly KPI monitoring, now is: tests/integration/
test_law_actions.py). Keep it empty; never grow it."""


def methodology() -> str:
    for folder in Path(__file__).resolve().parents:
        path = folder / "shared" / "METHODOLOGY.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip("../shared/METHODOLOGY.md is not available")


def rule_ids(text: str) -> set[str]:
    """The ids the digest defines or refers to as rules (never a position-category code such as B-1 or C-O-6)."""
    found = [*DEFINED.findall(text), *HEADING.findall(text), *REFERRED.findall(text)]
    return {f"{letter}-{number}" for letter, number in found}


def cited(rule: str, corpus: str) -> bool:
    letter, number = rule.split("-")
    in_text = re.search(rf"(?<![A-Za-z]-)(?<![A-Za-z0-9]){letter}-{number}(?![\d-])", corpus)
    in_name = re.search(rf"def test_(?:\w*?_)?{letter.lower()}{number}(?:_|\()", corpus)
    return bool(in_text or in_name)


def uncited() -> set[str]:
    corpus = "\n".join(path.read_text(encoding="utf-8") for path in sorted(TESTS.rglob("test_*.py")))
    corpus = corpus.replace(Path(__file__).read_text(encoding="utf-8"), "")  # this file cites nothing
    return {rule for rule in rule_ids(methodology()) if not cited(rule, corpus)}


def test_the_digest_defines_the_rule_families_and_no_category_code_is_taken_for_a_rule() -> None:
    ids = rule_ids(methodology())
    assert {"G-1", "G-7", "P-7", "E-6", "K-6", "D-4", "Q-4", "T-8", "C-10", "M-10", "R-4", "S-1", "S-4"} <= ids
    assert "O-6" not in ids and "B-1" not in ids


def test_no_rule_id_is_left_uncited_but_the_ones_not_built_yet() -> None:
    """Every METHODOLOGY.md rule id is cited by a test, except ``NOT_CITED_YET`` (which must not grow)."""
    missing = uncited()
    assert missing <= NOT_CITED_YET, f"rule ids cited by no test: {sorted(missing - NOT_CITED_YET)}"


def test_every_rule_id_is_cited_by_a_test() -> None:
    """Issue 11: a test fails when an id of METHODOLOGY.md is cited by no test."""
    assert uncited() == set()
