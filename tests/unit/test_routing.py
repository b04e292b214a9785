"""Who evaluates whom (D-1, K-4, Q-1), substitution of an absent evaluator (G-7) and delegation (D-4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import rulebooks
from domain.errors import RuleViolation
from domain.facts import Absence, ActingAssignment, Employee, Organization, Unit
from domain.routing import (
    check_delegate,
    delegation_allowed,
    evaluatees_of,
    head_of_unit,
    route_evaluator,
)
from domain.rulebook import Rulebook
from domain.vocabulary import AbsenceKind, Corps

ON = date(2025, 4, 3)
TEXT = {"kk": "x", "ru": "x", "en": "x"}
DIRECT = {"route": "direct_head", "rule": "K-4"}


def method(name: str, evaluator: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "method": name,
        "rules": ["G-2"],
        "name": TEXT,
        "cadence": "quarter",
        "evaluator": evaluator,
        "scoring": "kpi_count",
        **fields,
    }


def rulebook(*methods: dict[str, Any], **sections: Any) -> Rulebook:
    data: dict[str, Any] = {
        "id": "test-model",
        "title": TEXT,
        "family": "model-2018",
        "version": "1",
        "sources": [{"seed": "000", "title": "test"}],
        "valid_from": "2018-01-16",
        "category_groups": {
            "heads_of_units": {"rule": "G-2", "categories": ["B-1", "C-1", "C-3", "C-O-1"]},
            "direct_head_evaluated": {"rule": "Q-1", "categories": ["B-1", "C-O-1"]},
        },
        "results": {"bands": [{"category": "effective", "min": 0, "max": 5, "name": TEXT}]},
        "eligibility": {"rules": ["E-1"], "min_tenure_months": 1, "tenure_reason": "t", "absent": "in_absentia"},
        "methods": list(methods),
        "count_grading": {"kpi_count": 5, "grades": [{"min_achieved": 0, "category": "unsatisfactory"}]},
        "calibration": {
            "rules": ["C-1"],
            "acquaintance": {"kind": "working_days", "days": 2, "after": "completed", "rule": "C-1"},
            "apply_within": {"kind": "working_days", "days": 5, "after": "acquainted", "rule": "C-2"},
            "decide_within": {"kind": "working_days", "days": 3, "after": "applied", "rule": "C-3"},
            "hold_within": {"kind": "working_days", "days": 10, "after": "applied", "rule": "C-4"},
            "protocol_post_within": {"kind": "working_days", "days": 3, "after": "signed", "rule": "C-7"},
            "min_members": 3,
            "odd_members": False,
        },
        "retention": {"years": 3},
    }
    data.update(sections)
    return Rulebook.model_validate(data)


MODEL_2018 = rulebook(
    method("kpi", [DIRECT], applies_to={"include": ["heads_of_units"]}),
    method("differentiation", [{"route": "head_of_unit", "rule": "D-1"}], applies_to={"exclude": ["heads_of_units"]}),
    delegation={"rule": "D-4", "threshold": 50, "counts": "unit_b_corps"},
)
QUARTERLY_003 = rulebook(
    method(
        "form2",
        [
            {"when": {"include": ["direct_head_evaluated"]}, "route": "direct_head", "rule": "Q-1"},
            {"route": "head_of_unit", "rule": "Q-1"},
        ],
    ),
    delegation={"rule": "D-4", "threshold": 20, "counts": "evaluatees"},
)
KPI = MODEL_2018.method("kpi")
DIFFERENTIATION = MODEL_2018.method("differentiation")
FORM2 = QUARTERLY_003.method("form2")


def person(id_: str, head: str | None, category: str, unit: str = "U1", **facts: Any) -> Employee:
    return Employee(id=id_, name=id_, category=category, unit=unit, head=head, appointed=date(2020, 1, 1), **facts)


def agency(*changes: Employee) -> Organization:
    """E0 (political) → E1 (C-1, department head) → E2 (C-2, deputy) → E3, E4 (C-4); E1 → E5 (C-4)."""
    people = {
        "E0": Employee(id="E0", name="E0", corps=Corps.POLITICAL, unit="U0"),
        "E1": person("E1", "E0", "C-1"),
        "E2": person("E2", "E1", "C-2"),
        "E3": person("E3", "E2", "C-4"),
        "E4": person("E4", "E2", "C-4"),
        "E5": person("E5", "E1", "C-4"),
    }
    people.update({employee.id: employee for employee in changes})
    return Organization(employees=list(people.values()), units=[Unit("U0"), Unit("U1", parent="U0")])


AGENCY = agency()


def route(
    org: Organization, person_id: str, spec: Any = DIFFERENTIATION, book: Rulebook = MODEL_2018
) -> tuple[Any, ...]:
    decision = route_evaluator(org.employee(person_id), spec, org, ON, book)
    return decision.evaluator, decision.reason, decision.rule, decision.substituted_for


# --- routes ---


def test_k4_a_head_of_unit_is_evaluated_by_the_direct_head_by_kpis() -> None:
    decision = route_evaluator(AGENCY.employee("E1"), KPI, AGENCY, ON, MODEL_2018)
    assert (decision.evaluator, decision.route, decision.rule, decision.reason) == (
        "E0",
        "direct_head",
        "K-4",
        "routed",
    )


def test_d1_an_employee_is_evaluated_by_the_head_of_their_unit_not_the_deputy() -> None:
    assert route(AGENCY, "E3") == ("E1", "routed", "D-1", None)
    assert head_of_unit("E3", AGENCY, ON, MODEL_2018) == "E1"


def test_d1_a_direct_report_of_the_head_of_unit_is_evaluated_by_that_head() -> None:
    assert route(AGENCY, "E5") == ("E1", "routed", "D-1", None)


def test_d1_a_head_of_unit_routed_to_a_head_of_unit_goes_to_their_direct_head() -> None:
    assert head_of_unit("E1", AGENCY, ON, MODEL_2018) == "E0"


def test_q1_b1_and_c_o_1_are_evaluated_by_the_direct_head() -> None:
    org = agency(person("E2", "E1", "C-O-1"))
    assert route(org, "E2", FORM2, QUARTERLY_003) == ("E1", "routed", "Q-1", None)
    assert route(org, "E3", FORM2, QUARTERLY_003) == ("E2", "routed", "Q-1", None)  # C-O-1 heads E3's unit


def test_superior_head_is_the_direct_heads_own_head() -> None:
    book = rulebook(method("kpi_count", [{"route": "superior_head", "rule": "M-5"}]))
    assert route(AGENCY, "E3", book.method("kpi_count"), book) == ("E1", "routed", "M-5", None)


def test_at_the_top_of_the_tree_there_is_no_evaluator() -> None:
    org = agency(person("E0", None, "C-1", unit="U0"))
    assert route(org, "E0", KPI) == (None, "no_evaluator", "K-4", None)


def test_without_a_head_of_unit_up_the_chain_the_flow_is_told_so() -> None:
    org = agency(person("E1", "E0", "C-2"))
    assert route(org, "E3") == (None, "no_head_of_unit", "D-1", None)


def test_a_category_no_routing_rule_selects_is_reported() -> None:
    book = rulebook(method("kpi_count", [{"when": {"include": ["B-1"]}, "route": "direct_head", "rule": "Q-1"}]))
    assert route(AGENCY, "E3", book.method("kpi_count"), book)[:2] == (None, "no_routing_rule")


def test_a_rulebook_without_a_heads_of_units_group_is_a_key_error_naming_it() -> None:
    book = rulebook(method("kpi_count", [{"route": "head_of_unit", "rule": "D-1"}]), category_groups={})
    with pytest.raises(KeyError, match="heads_of_units"):
        route_evaluator(AGENCY.employee("E3"), book.method("kpi_count"), AGENCY, ON, book)


# --- G-7 substitution ---

ON_LEAVE = [Absence(AbsenceKind.ANNUAL_LEAVE, date(2025, 4, 1), date(2025, 4, 14))]


def test_g7_the_person_acting_for_an_absent_evaluator_evaluates() -> None:
    acting = ActingAssignment("E1", date(2025, 4, 1), date(2025, 4, 14))
    org = agency(person("E1", "E0", "C-1", absences=ON_LEAVE), person("E2", "E1", "C-2", acting_for=[acting]))
    assert route(org, "E3") == ("E2", "acting_for_absent_evaluator", "G-7", "E1")


def test_g7_without_an_acting_person_the_superior_head_evaluates() -> None:
    org = agency(person("E2", "E1", "C-2", absences=ON_LEAVE))
    assert route(org, "E3", KPI) == ("E1", "fallback_superior_head", "G-7", "E2")


def test_g7_a_dismissed_evaluator_is_replaced_too() -> None:
    org = agency(person("E2", "E1", "C-2", dismissed=date(2025, 3, 31)))
    assert route(org, "E3", KPI) == ("E1", "fallback_superior_head", "G-7", "E2")


def test_g7_the_evaluatee_never_evaluates_themself_even_when_acting_for_their_evaluator() -> None:
    acting = ActingAssignment("E2", date(2025, 4, 1), date(2025, 4, 14))
    org = agency(person("E2", "E1", "C-2", absences=ON_LEAVE), person("E3", "E2", "C-4", acting_for=[acting]))
    assert route(org, "E3", KPI) == ("E1", "fallback_superior_head", "G-7", "E2")


def test_g7_an_absent_acting_person_is_skipped_and_the_fallback_walks_up_while_absent() -> None:
    acting = ActingAssignment("E2", date(2025, 4, 1), date(2025, 4, 14))
    org = agency(
        person("E2", "E1", "C-2", absences=ON_LEAVE),
        person("E1", "E0", "C-1", absences=ON_LEAVE),
        person("E5", "E1", "C-4", acting_for=[acting], absences=ON_LEAVE),
    )
    assert route(org, "E3", KPI) == ("E0", "fallback_superior_head", "G-7", "E2")


def test_g7_with_fallback_none_an_absent_evaluator_leaves_no_evaluator() -> None:
    book = rulebook(method("kpi", [DIRECT]), substitution={"fallback": "none"})
    org = agency(person("E2", "E1", "C-2", absences=ON_LEAVE))
    assert route(org, "E3", book.method("kpi"), book) == (None, "evaluator_absent", "G-7", "E2")


def test_g7_nobody_present_up_to_the_top_leaves_no_evaluator() -> None:
    org = agency(
        person("E1", "E0", "C-1", absences=ON_LEAVE), Employee(id="E0", name="E0", corps=Corps.A, absences=ON_LEAVE)
    )
    assert route(org, "E2", KPI) == (None, "no_evaluator", "G-7", "E1")


# --- D-4 delegation ---


def big_unit(size: int) -> Organization:
    staff = [person(f"S{i}", "E1", "C-4") for i in range(size)]
    return agency(*staff)


def test_d4_more_than_fifty_b_corps_in_the_unit_allows_delegation() -> None:
    # E1, E2, E3, E4, E5 and 46 staff = 51; E0 is political and in U0.
    decision = delegation_allowed("E1", big_unit(46), ON, MODEL_2018)
    assert (decision.allowed, decision.count, decision.threshold, decision.rule) == (True, 51, 50, "D-4")


def test_d4_fifty_b_corps_in_the_unit_are_not_enough() -> None:
    decision = delegation_allowed("E1", big_unit(45), ON, MODEL_2018)
    assert (decision.allowed, decision.count, decision.reason) == (False, 50, "at_or_below_threshold")


def test_d4_003_counts_the_evaluatees_routed_to_the_evaluator() -> None:
    # E2 (deputy, C-2) is no head of unit: E3 and E4 go up to E1 too.
    assert sorted(evaluatees_of("E1", big_unit(16), ON, QUARTERLY_003)) == sorted(
        ["E2", "E3", "E4", "E5", *[f"S{i}" for i in range(16)]]
    )
    assert not delegation_allowed("E1", big_unit(16), ON, QUARTERLY_003).allowed  # 20
    assert delegation_allowed("E1", big_unit(17), ON, QUARTERLY_003).allowed  # 21


def test_d4_a_rulebook_without_delegation_never_allows_it() -> None:
    book = rulebook(method("kpi", [DIRECT]))
    assert delegation_allowed("E1", big_unit(60), ON, book).reason == "no_delegation_rule"


def test_d4_a_delegate_is_accepted_when_allowed() -> None:
    assert check_delegate("E1", "E5", "E3", big_unit(46), ON, MODEL_2018).allowed


def test_d4_the_evaluatee_cannot_be_their_own_delegate() -> None:
    with pytest.raises(RuleViolation, match=r"'E3' is the evaluatee and cannot evaluate themself \(D-4\)") as caught:
        check_delegate("E1", "E3", "E3", big_unit(46), ON, MODEL_2018)
    assert (caught.value.rule, caught.value.field) == ("D-4", "delegate")


def test_d4_a_subordinate_of_the_evaluatee_cannot_be_the_delegate() -> None:
    with pytest.raises(RuleViolation, match="'E4' is a subordinate of the evaluatee 'E2'.*D-4"):
        check_delegate("E1", "E4", "E2", big_unit(46), ON, MODEL_2018)


def test_d4_delegating_below_the_threshold_is_refused_with_the_counts() -> None:
    with pytest.raises(RuleViolation, match="5 B-corps employees in the unit, delegation needs more than 50 .D-4."):
        check_delegate("E1", "E5", "E3", AGENCY, ON, MODEL_2018)


def test_d4_an_unknown_or_departed_delegate_is_refused() -> None:
    with pytest.raises(RuleViolation, match="'E9' is not an employee in service"):
        check_delegate("E1", "E9", "E3", big_unit(46), ON, MODEL_2018)


# --- the bundled rulebooks ---


def test_bundled_kz_quarterly_2026_routes_b1_to_the_direct_head_and_the_rest_to_the_head_of_unit() -> None:
    book = rulebooks.get("kz-quarterly-2026")
    org = agency(person("E1", "E0", "B-1"), person("E5", "E1", "C-O-1"), person("E6", "E5", "C-4"))
    assert route(org, "E1", book.method("form1"), book)[:2] == ("E0", "routed")
    assert route(org, "E5", book.method("form1"), book)[:2] == ("E1", "routed")
    assert route(org, "E3", book.method("form2"), book)[:2] == ("E1", "routed")  # past the C-2 deputy
    assert route(org, "E6", book.method("form2"), book)[:2] == ("E5", "routed")
