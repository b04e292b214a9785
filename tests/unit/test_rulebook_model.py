"""The rulebook model refuses malformed methodologies at load time, listing every problem (issue: foundation)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain import rulebooks
from domain.rulebook import Rulebook
from domain.rulebooks import RulebookError

TEXT = {"kk": "мәтін", "ru": "текст", "en": "text"}


def band(category: str, low: float, high: float) -> dict[str, Any]:
    return {"category": category, "min": low, "max": high, "name": TEXT}


def minimal() -> dict[str, Any]:
    """The smallest valid rulebook: one differentiation method with one parameter."""
    return {
        "id": "test-book",
        "title": TEXT,
        "family": "model-2018",
        "version": "1",
        "sources": [{"seed": "000", "title": "test"}],
        "valid_from": "2018-01-16",
        "category_groups": {"heads_of_units": {"rule": "G-2", "categories": ["C-1", "C-O-1"]}},
        "results": {
            "bands": [
                band("effective", 4, 5),
                band("proper", 3, 3.99),
                band("satisfactory", 2, 2.99),
                band("unsatisfactory", 0, 1.99),
            ]
        },
        "eligibility": {
            "rules": ["E-1"],
            "min_tenure_months": 1,
            "tenure_reason": "tenure_under_one_month",
            "absent": "in_absentia",
        },
        "methods": [
            {
                "method": "differentiation",
                "rules": ["D-1"],
                "name": TEXT,
                "cadence": "quarter",
                "applies_to": {"exclude": ["heads_of_units"]},
                "evaluator": [{"route": "head_of_unit", "rule": "D-1"}],
                "scoring": "parameters",
                "review": "commission",
                "sheet": {
                    "rules": ["D-2"],
                    "parameters": [{"id": "quality", "name": TEXT}],
                    "scale": {"min": 0, "max": 5, "rule": "D-2"},
                },
                "deadline": {"kind": "day_of_month", "day": 10, "rule": "P-1"},
            }
        ],
        "commission": {
            "rules": ["M-7"],
            "min_members": 5,
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "notice_before_meeting": {"kind": "working_days_before", "days": 7, "before": "meeting", "rule": "M-7"},
            "resubmit_within": {"kind": "working_days", "days": 2, "after": "returned", "rule": "M-5"},
            "submit_to_commission_within": {"kind": "working_days", "days": 2, "after": "signed", "rule": "M-5"},
            "acquaintance": {"kind": "working_days", "days": 2, "after": "decided", "rule": "M-8"},
            "appeal_within": {"kind": "working_days", "days": 10, "after": "decided", "rule": "M-9"},
        },
        "retention": {"years": 3},
    }


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(RulebookError) as caught:
        rulebooks.validate(data, "book.yaml")
    return caught.value.problems


def test_the_minimal_rulebook_is_valid() -> None:
    book = rulebooks.validate(minimal(), "book.yaml")
    assert book.method("differentiation").sheet is not None


def test_every_problem_is_listed_with_its_path_not_only_the_first() -> None:
    data = minimal()
    data["methods"][0]["deadline"]["day"] = "tenth"
    data["retention"]["years"] = -3
    data["methods"][0]["method"] = "astrology"
    paths = [path for path, _ in problems_of(data)]
    assert "retention.years" in paths
    assert any(path.startswith("methods[0].method") for path in paths)
    assert any(path.startswith("methods[0].deadline") and path.endswith("day") for path in paths)


def test_unknown_method_names_the_allowed_values() -> None:
    data = minimal()
    data["methods"][0]["method"] = "astrology"
    (path, message), *_ = problems_of(data)
    assert path == "methods[0].method"
    assert "differentiation" in message and "astrology" in message


def test_negative_day_counts_are_refused() -> None:
    data = minimal()
    data["commission"]["appeal_within"]["days"] = -1
    assert any(path.startswith("commission.appeal_within") for path, _ in problems_of(data))


def test_s1_band_gap_is_refused() -> None:
    data = minimal()
    data["results"]["bands"][1] = band("proper", 3.1, 3.99)
    ((_, message),) = problems_of(data)
    assert "S-1" in message and "gap" in message


def test_s1_band_overlap_is_refused() -> None:
    data = minimal()
    data["results"]["bands"][1] = band("proper", 2.9, 3.99)
    ((_, message),) = problems_of(data)
    assert "overlap" in message


def test_k4_overlapping_kpi_ranges_are_refused() -> None:
    data = minimal()
    data["kpi"] = {
        "min_count": 3,
        "max_count": 5,
        "ranges": [
            {"min_pct": 0, "max_pct": 50, "min_score": 0, "max_score": 2.5},
            {"min_pct": 49, "max_pct": None, "min_score": 2.5, "max_score": 5},
        ],
    }
    ((_, message),) = problems_of(data)
    assert "K-4" in message and "overlap" in message


def test_a_method_scored_by_kpi_ranges_needs_the_kpi_table() -> None:
    data = minimal()
    data["methods"][0]["scoring"] = "kpi_range"
    ((_, message),) = problems_of(data)
    assert "'kpi' is missing" in message


def test_selectors_must_name_defined_groups_or_codes() -> None:
    data = minimal()
    data["methods"][0]["applies_to"] = {"include": ["managers"]}
    ((_, message),) = problems_of(data)
    assert "managers" in message


def test_non_canonical_category_codes_in_groups_are_refused() -> None:
    data = minimal()
    data["category_groups"]["heads_of_units"]["categories"] = ["С-1"]  # Cyrillic С
    ((path, message),) = problems_of(data)
    assert path == "category_groups.heads_of_units.categories"
    assert "canonical" in message


def test_unknown_fields_are_refused_rather_than_ignored() -> None:
    data = minimal()
    data["retention"]["yeras"] = 3
    ((path, message),) = problems_of(data)
    assert path == "retention.yeras" and "unknown field" in message


def test_rule_ids_must_have_the_methodology_form() -> None:
    data = minimal()
    data["methods"][0]["rules"] = ["D1"]
    assert any(path == "methods[0].rules[0]" for path, _ in problems_of(data))


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text("id: a\nid: b\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="duplicate key"):
        rulebooks.load_file(path)


def test_a_rulebook_round_trips_through_json_unchanged() -> None:
    book = rulebooks.validate(minimal(), "book.yaml")
    again = rulebooks.validate(json.loads(rulebooks.to_json(book)), "book.json")
    assert again == book


def test_the_one_in_force_is_picked_by_assignment_and_validity() -> None:
    first = rulebooks.validate(minimal(), "a")
    later_data = copy.deepcopy(minimal())
    later_data.update(id="test-book-2026", valid_from="2026-01-01")
    later = rulebooks.validate(later_data, "b")
    books = {first.id: first, later.id: later}
    assignments = [
        rulebooks.Assignment("body", first.id, first.valid_from, date(2025, 12, 31)),
        rulebooks.Assignment("body", later.id, later.valid_from),
    ]
    assert rulebooks.in_force("body", date(2025, 6, 30), assignments, books).id == first.id
    assert rulebooks.in_force("body", date(2026, 3, 31), assignments, books).id == later.id
    with pytest.raises(LookupError, match="G-3"):
        rulebooks.in_force("other", date(2026, 3, 31), assignments, books)


def test_model_is_frozen() -> None:
    book: Rulebook = rulebooks.validate(minimal(), "a")
    with pytest.raises(Exception, match="frozen"):
        book.id = "x"  # type: ignore[misc]


def test_yaml_1_1_booleans_stay_text_so_every_loader_reads_a_rulebook_alike() -> None:
    data = rulebooks.parse_text("a: on\nb: yes\nc: true\nd: No\n", "book.yaml")
    assert data == {"a": "on", "b": "yes", "c": True, "d": "No"}
