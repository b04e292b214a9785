"""The 360 survey's respondents (T-4) and its individual report from anonymous totals (T-5, T-6, T-7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain import rulebooks
from domain.errors import RuleViolation
from domain.facts import Employee, Organization, Unit
from domain.scoring import Response, require_publishable, survey_averages
from domain.survey360 import (
    Respondent,
    check_edited_respondents,
    choose_respondents,
    survey_result,
)
from domain.vocabulary import Corps

ON = date(2026, 1, 5)
SURVEY = rulebooks.get("kz-model-2018").survey_360
assert SURVEY is not None
OTHERS = SURVEY.forms["others"]
RESULTS = rulebooks.get("kz-model-2018").results


def person(id_: str, head: str | None, **facts: Any) -> Employee:
    return Employee(id=id_, name=id_, category=facts.pop("category", "C-4"), unit="U1", head=head, **facts)


def org(*people: Employee) -> Organization:
    return Organization(employees=people, units=[Unit("U1", "HR")])


HR_DEPARTMENT = org(
    Employee(id="E0", name="E0", corps=Corps.A, unit="U1"),
    person("E1", "E0", category="C-1"),
    person("E2", "E1"),
    person("E3", "E1"),
    person("E4", "E1", category="C-5"),
)


def test_the_direct_head_comes_first_then_subordinates_and_peers() -> None:
    choice = choose_respondents(HR_DEPARTMENT, "E1", ON, SURVEY)
    assert choice.respondents == (
        Respondent("E0", "head"),
        Respondent("E2", "subordinate"),
        Respondent("E3", "subordinate"),
        Respondent("E4", "subordinate"),
    )
    assert not choice.short


def test_peers_are_colleagues_with_the_same_direct_head() -> None:
    choice = choose_respondents(HR_DEPARTMENT, "E2", ON, SURVEY)
    assert [(r.person, r.relation) for r in choice.respondents] == [("E1", "head"), ("E3", "peer"), ("E4", "peer")]


def test_at_most_the_maximum_is_chosen_and_subordinates_alternate_with_peers() -> None:
    staff = [person(f"S{i}", "E1") for i in range(1, 11)]
    peers = [person(f"P{i}", "E0") for i in range(1, 4)]
    big = org(person("E0", None, category="C-1"), person("E1", "E0", category="C-3"), *staff, *peers)
    choice = choose_respondents(big, "E1", ON, SURVEY)
    assert len(choice.respondents) == SURVEY.max_respondents == 7
    assert [r.person for r in choice.respondents] == ["E0", "S1", "P1", "S2", "P2", "S3", "P3"]


def test_fewer_than_the_minimum_are_still_invited_and_marked_short() -> None:
    lonely = org(person("E0", None, category="C-1"), person("E1", "E0"))
    choice = choose_respondents(lonely, "E1", ON, SURVEY)
    assert [r.person for r in choice.respondents] == ["E0"]
    assert choice.short and choice.reason is not None and "T-4" in choice.reason


def test_people_out_of_service_and_a_corps_subordinates_are_not_chosen() -> None:
    people = org(
        person("E0", None, category="C-1"),
        person("E1", "E0", category="C-3"),
        person("E2", "E1", dismissed=date(2025, 12, 31)),
        Employee(id="E3", name="E3", corps=Corps.A, unit="U1", head="E1"),
        person("E4", "E1"),
    )
    assert [r.person for r in choose_respondents(people, "E1", ON, SURVEY).respondents] == ["E0", "E4"]


def test_hr_may_not_list_the_evaluatee_or_more_than_the_maximum() -> None:
    check_edited_respondents("E1", {"E0": "head", "E2": "peer"}, ["E0", "E1", "E2"], SURVEY)
    with pytest.raises(RuleViolation, match="T-4") as refused:
        check_edited_respondents("E1", {"E1": "peer", "E9": "peer"}, ["E0", "E1"], SURVEY)
    assert "E9" in str(refused.value) and "self-assessment" in str(refused.value)
    too_many = {f"S{i}": "subordinate" for i in range(8)}
    with pytest.raises(RuleViolation, match="at most 7"):
        check_edited_respondents("E1", too_many, list(too_many), SURVEY)  # type: ignore[arg-type]


def _answers(points: list[int]) -> dict[str, list[int]]:
    return {item.id: points for item in OTHERS.competencies}


def test_averages_over_all_answers_equal_the_mean_over_respondents_self_excluded() -> None:
    """T-6 with T-5: [4, 5, 4] from one respondent, [3, 3, 3] and [5, 5, 5] from two others, self [5, 5, 5]."""
    given = [[4, 5, 4], [3, 3, 3], [5, 5, 5]]
    responses = [Response("peer", _answers(points)) for points in given] + [Response("self", _answers([5, 5, 5]))]
    expected = survey_averages(responses, OTHERS, SURVEY)
    overall = {item.id: Decimal(37) / Decimal(9) for item in OTHERS.competencies}
    result = survey_result(3, overall, {item.id: Decimal(5) for item in OTHERS.competencies}, OTHERS, SURVEY)
    assert result.rounded(RESULTS) == expected.rounded(RESULTS)
    assert result.rounded(RESULTS)["communications"] == Decimal("4.11")
    assert result.self_assessment == {item.id: Decimal(5) for item in OTHERS.competencies}
    assert result.publishable and result.respondents == 3


def test_one_respondent_answering_4_5_4_averages_4_33() -> None:
    result = survey_result(1, {"communications": Decimal(13) / Decimal(3)}, {}, OTHERS, SURVEY)
    assert result.rounded(RESULTS) == {"communications": Decimal("4.33")}
    assert result.self_assessment is None


def test_a_report_below_the_minimum_is_refused() -> None:
    result = survey_result(2, {"ethics": Decimal("3.3333")}, {}, OTHERS, SURVEY)
    assert not result.publishable
    with pytest.raises(RuleViolation, match=r"only 2 respondents.*at least 3 \(T-4\)"):
        require_publishable(result)


def test_the_weakest_competencies_are_those_with_the_lowest_average_in_form_order() -> None:
    averages = {"promptness": Decimal(3), "ethics": Decimal("3.3333"), "cooperation": Decimal(3), "initiative": None}
    assert survey_result(3, averages, {}, OTHERS, SURVEY).weakest == ("cooperation", "promptness")
