"""Scoring follows the law to the hundredth: S-1, K-3…K-6, D-2/D-3, Q-1…Q-3, M-4, M-6, T-3…T-7, P-3."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.rulebook import (
    Caps,
    CompetencyRules,
    CountGrading,
    KpiRules,
    Results,
    SheetSpec,
    Survey360,
)
from domain.rulebooks import BUNDLED_DIR, parse_text
from domain.scoring import (
    KpiFact,
    Response,
    achievement_pct,
    allowed_range,
    annual_average,
    answer_points,
    applicable_cap,
    band,
    check_kpi_score,
    check_respondent_count,
    competency_group,
    normalise_scores,
    plain,
    require_publishable,
    round_score,
    score_competencies,
    score_kpi_count,
    score_kpi_sheet,
    score_parameters,
    survey_averages,
    truncate_pct,
)
from domain.vocabulary import ResultCategory, SanctionKind

D = Decimal
TEXT = {"kk": "мәтін", "ru": "текст", "en": "text"}
BUNDLED = parse_text((BUNDLED_DIR / "kz-model-2018.yaml").read_text(encoding="utf-8"), "kz-model-2018.yaml")

# --- the rulebook sections used: the bundled file's own, and the literal tables of METHODOLOGY.md ------------

RESULTS = Results.model_validate(BUNDLED["results"])

# METHODOLOGY.md K-4 (appendix 3 of seeds 000/001), row by row: (min %, max %, min score, max score).
K4_TABLE: list[tuple[str, str | None, str, str]] = [
    ("0", "4.99", "0.00", "0.24"),
    ("5", "9.99", "0.25", "0.49"),
    ("10", "14.99", "0.50", "0.74"),
    ("15", "19.99", "0.75", "0.99"),
    ("20", "24.99", "1.00", "1.24"),
    ("25", "29.99", "1.25", "1.49"),
    ("30", "34.99", "1.50", "1.74"),
    ("35", "39.99", "1.75", "1.99"),
    ("40", "44.99", "2.00", "2.24"),
    ("45", "49.99", "2.25", "2.49"),
    ("50", "54.99", "2.50", "2.74"),
    ("55", "59.99", "2.75", "2.99"),
    ("60", "64.99", "3.00", "3.24"),
    ("65", "69.99", "3.25", "3.49"),
    ("70", "74.99", "3.50", "3.74"),
    ("75", "79.99", "3.75", "3.99"),
    ("80", "84.99", "4.00", "4.24"),
    ("85", "89.99", "4.25", "4.49"),
    ("90", "94.99", "4.50", "4.74"),
    ("95", "99.99", "4.75", "4.99"),
    ("100", None, "5.00", "5.00"),
]
LITERAL_KPI = KpiRules.model_validate(
    {
        "min_count": 3,
        "max_count": 5,
        "ranges": [
            {"min_pct": lo, "max_pct": hi, "min_score": s_lo, "max_score": s_hi} for lo, hi, s_lo, s_hi in K4_TABLE
        ],
    }
)
BUNDLED_KPI = KpiRules.model_validate(BUNDLED["kpi"])
KPI_TABLES = pytest.mark.parametrize("kpi_rules", [BUNDLED_KPI, LITERAL_KPI], ids=["bundled", "methodology"])


def sheet(rule: str, parameter_ids: list[str], **options: Any) -> SheetSpec:
    parameters = [{"id": pid, "name": TEXT} for pid in parameter_ids]
    scale = {"min": 0, "max": 5, "rule": rule}
    return SheetSpec.model_validate({"rules": [rule], "parameters": parameters, "scale": scale, **options})


DIFFERENTIATION = sheet("D-2", ["quality", "deadlines", "initiative", "discipline"], justification_required=True)
FORM2 = sheet(
    "Q-1", ["quality", "deadlines", "initiative", "discipline", "no_sanctions"], zero_means_not_performed=True
)


def caps(apply_to: str = "final") -> Caps:
    """Q-3 as printed in parameter 5 of the 003 forms: warning/reprimand/severe → 2.99, any other → 1.99."""
    return Caps.model_validate(
        {
            "apply_to": apply_to,
            "parameter": "no_sanctions" if apply_to == "parameter" else None,
            "caps": [
                {"sanctions": ["warning", "reprimand", "severe_reprimand"], "max_score": "2.99"},
                {"sanctions": ["other"], "max_score": "1.99"},
            ],
        }
    )


def kpis(*pairs: tuple[Any, Any]) -> list[KpiFact]:
    return [KpiFact(f"k{i}", plan, actual) for i, (plan, actual) in enumerate(pairs, 1)]


def violation(call: Any, *args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value


# --- S-1 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "category"),
    [
        ("0", "unsatisfactory"),
        ("1.99", "unsatisfactory"),
        ("1.994", "unsatisfactory"),
        ("1.995", "satisfactory"),
        ("2.00", "satisfactory"),
        ("2.994", "satisfactory"),
        ("2.995", "proper"),
        ("3.00", "proper"),
        ("3.99", "proper"),
        ("3.995", "effective"),
        ("4.00", "effective"),
        ("5.00", "effective"),
        ("5.004", "effective"),
    ],
)
def test_s1_band_edges_round_half_up_to_two_decimals_first(score: str, category: str) -> None:
    assert band(D(score), RESULTS) == category


def test_s1_rounding_is_half_up_and_keeps_two_decimals() -> None:
    assert round_score(D("2.994"), RESULTS) == D("2.99")
    assert str(round_score(D("2.995"), RESULTS)) == "3.00"
    assert str(round_score(D(4), RESULTS)) == "4.00"
    assert round_score(D("2.985"), RESULTS) == D("2.99")  # half-up, not banker's rounding (2.98)


@pytest.mark.parametrize("score", ["5.005", "-0.01", "7"])
def test_s1_score_outside_every_band_is_refused(score: str) -> None:
    error = violation(band, D(score), RESULTS)
    assert error.rule == "S-1" and "outside every result band" in str(error) and "(S-1)" in str(error)


@given(st.decimals(min_value=0, max_value=5, places=3), st.decimals(min_value=0, max_value=5, places=3))
def test_s1_banding_is_monotone(a: Decimal, b: Decimal) -> None:
    order = [
        ResultCategory.UNSATISFACTORY,
        ResultCategory.SATISFACTORY,
        ResultCategory.PROPER,
        ResultCategory.EFFECTIVE,
    ]
    low, high = sorted([a, b])
    assert order.index(band(low, RESULTS)) <= order.index(band(high, RESULTS))


# --- K-4: the appendix-3 table, entry by entry ------------------------------------------------------------


def golden_cases() -> list[tuple[str, str, str]]:
    """Every row's lower edge, upper edge, middle and the truncation edge just below the next row."""
    cases: list[tuple[str, str, str]] = []
    for lo, hi, s_lo, s_hi in K4_TABLE:
        cases.append((lo, s_lo, s_hi))
        if hi is not None:
            cases.append((hi, s_lo, s_hi))
            cases.append((str((D(lo) + D(hi)) / 2), s_lo, s_hi))
            cases.append((hi + "9", s_lo, s_hi))  # 99.999 stays in 95–99.99: truncated, not rounded
    cases += [("100.001", "5.00", "5.00"), ("150", "5.00", "5.00"), ("1000", "5.00", "5.00")]
    return cases


@KPI_TABLES
@pytest.mark.parametrize(("pct", "min_score", "max_score"), golden_cases())
def test_k4_golden_allowed_range_for_every_boundary(
    kpi_rules: KpiRules, pct: str, min_score: str, max_score: str
) -> None:
    row = allowed_range(D(pct), kpi_rules)
    assert (row.min_score, row.max_score) == (D(min_score), D(max_score))


def test_k4_bundled_table_equals_the_methodology_table() -> None:
    assert BUNDLED_KPI.ranges == LITERAL_KPI.ranges
    assert (BUNDLED_KPI.min_count, BUNDLED_KPI.max_count) == (3, 5)


def test_k4_percentage_is_truncated_not_rounded() -> None:
    assert truncate_pct(D("99.999"), LITERAL_KPI) == D("99.99")
    assert truncate_pct(D("44.996"), LITERAL_KPI) == D("44.99")
    assert allowed_range(D("99.9999999"), LITERAL_KPI).max_score == D("4.99")


def test_k4_score_outside_allowed_range_is_refused_naming_the_range() -> None:
    pct = achievement_pct(80, D("65.04"))
    assert pct == D("81.3")
    error = violation(check_kpi_score, D("4.6"), pct, LITERAL_KPI, "k1")
    assert str(error) == "score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)"
    assert (error.rule, error.field, error.allowed) == ("K-4", "scores.k1", "4.00–4.24")


@pytest.mark.parametrize(
    ("plan", "actual", "score", "shown"),
    [(80, 80, "4.9", "for 100% achievement"), (100, "99.999", "5", "for 99.99% achievement")],
)
def test_k4_message_prints_the_truncated_percentage_without_trailing_zeros(
    plan: int, actual: str, score: str, shown: str
) -> None:
    error = violation(check_kpi_score, D(score), achievement_pct(plan, actual), LITERAL_KPI, "k1")
    assert shown in str(error)


def test_k4_scores_inside_the_range_are_free_including_its_edges() -> None:
    pct = D("81.3")
    for score in ("4.00", "4.1", "4.24"):
        assert check_kpi_score(D(score), pct, LITERAL_KPI, "k1").min_score == D("4.00")


@given(
    st.decimals(min_value=0, max_value=300, places=4),
    st.decimals(min_value=0, max_value=300, places=4),
)
def test_k4_range_of_a_higher_percentage_is_never_lower(a: Decimal, b: Decimal) -> None:
    low, high = sorted([a, b])
    low_row, high_row = allowed_range(low, BUNDLED_KPI), allowed_range(high, BUNDLED_KPI)
    assert low_row.min_score <= high_row.min_score and low_row.max_score <= high_row.max_score


# --- K-6: achievement percentage --------------------------------------------------------------------------


def test_k6_higher_is_better_is_actual_over_plan() -> None:
    assert achievement_pct(80, 76) == D(95)
    assert str(achievement_pct(3, 1)) == "33." + "3" * 38  # 40 significant digits, truncated later (K-4)


def test_k6_lower_is_better_is_plan_over_actual() -> None:
    assert achievement_pct(10, 20, "lower") == D(50)
    assert achievement_pct(10, 5, "lower") == D(200)


def test_k6_lower_is_better_with_actual_zero_is_fully_achieved() -> None:
    assert achievement_pct(10, 0, "lower") == D(100)


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_k6_plan_zero_is_refused(direction: str) -> None:
    error = violation(achievement_pct, 0, 5, direction, kpi_id="k2")
    assert error.rule == "K-6" and error.field == "kpis.k2.plan" and "K-6" in str(error)


def test_k6_negative_values_and_unknown_direction_are_refused() -> None:
    assert violation(achievement_pct, 10, -1).rule == "K-6"
    assert "'sideways'" in str(violation(achievement_pct, 10, 1, "sideways"))


def test_k4_missing_actual_value_is_refused() -> None:
    error = violation(achievement_pct, 10, None, kpi_id="k3")
    assert error.rule == "K-4" and "k3 has no actual value" in str(error)


# --- K-3/K-5: the KPI sheet -------------------------------------------------------------------------------


def test_k5_sheet_final_is_the_mean_of_kpi_scores_and_banded() -> None:
    facts = [*kpis((80, 76), (100, 100)), KpiFact("k3", 10, 20, "lower")]  # 95 %, 100 %, 50 % (K-6)
    result = score_kpi_sheet([D("4.8"), 5, "2.5"], facts, LITERAL_KPI, RESULTS)
    assert result.exact == D("4.1") and result.category == ResultCategory.EFFECTIVE
    assert str(result.score) == "4.10"
    assert result.achievement == {"k1": D(95), "k2": D(100), "k3": D(50)}


def test_k5_kpi_scores_may_be_given_by_id() -> None:
    facts = [*kpis((80, 76), (100, 100)), KpiFact("k3", 10, 20, "lower")]
    result = score_kpi_sheet({"k3": 2.55, "k1": 4.75, "k2": 5}, facts, LITERAL_KPI, RESULTS)
    assert list(result.per_item) == ["k1", "k2", "k3"] and result.exact == D("4.1")


def test_k5_a_repeating_mean_is_stored_to_40_digits_and_rounded_only_for_display() -> None:
    facts = [*kpis((80, 76), (100, 100)), KpiFact("k3", 10, 20, "lower")]
    result = score_kpi_sheet([D("4.8"), 5, "2.6"], facts, LITERAL_KPI, RESULTS)
    assert str(result.exact) == "4.1" + "3" * 38 and result.score == D("4.13")


@pytest.mark.parametrize("count", [2, 6])
def test_k3_fewer_or_more_kpis_than_the_bounds_are_refused_naming_them(count: int) -> None:
    facts = kpis(*[(10, 10)] * count)
    error = violation(score_kpi_sheet, [5] * count, facts, LITERAL_KPI, RESULTS)
    assert error.rule == "K-3" and "3 to 5" in str(error) and f"has {count} KPIs" in str(error)


def test_k3_duplicate_kpi_ids_are_refused() -> None:
    facts = [KpiFact("k1", 1, 1), KpiFact("k1", 1, 1), KpiFact("k2", 1, 1)]
    assert "k1" in str(violation(score_kpi_sheet, [5, 5, 5], facts, LITERAL_KPI, RESULTS))


def test_k4_unknown_and_missing_kpi_ids_are_named() -> None:
    facts = kpis((10, 10), (10, 10), (10, 10))
    error = violation(score_kpi_sheet, {"k1": 5, "k2": 5, "k9": 5}, facts, LITERAL_KPI, RESULTS)
    assert "unknown ids k9" in str(error) and "missing ids k3" in str(error) and "k1, k2, k3" in str(error)


def test_k4_one_kpi_out_of_range_refuses_the_sheet() -> None:
    facts = kpis((80, 76), (100, 100), (80, "65.04"))
    error = violation(score_kpi_sheet, [D("4.8"), 5, D("4.6")], facts, LITERAL_KPI, RESULTS)
    assert error.field == "scores.k3" and "4.00–4.24" in str(error)


# --- normalising scores -----------------------------------------------------------------------------------

IDS = ["quality", "deadlines", "initiative", "discipline"]


def test_scores_as_a_list_or_a_mapping_give_the_same_result() -> None:
    as_list = normalise_scores([4, 5, 3, 5], IDS, rule="D-2")
    as_map = normalise_scores({"discipline": 5, "initiative": 3, "deadlines": 5, "quality": 4}, IDS, rule="D-2")
    assert as_list == as_map and list(as_map) == IDS


def test_floats_are_read_through_their_shortest_repr() -> None:
    assert normalise_scores([4.6, 0.1, 2, "3.5"], IDS, rule="D-2")["quality"] == D("4.6")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([4, 5, 3], "has 3 values; expected 4 scores in the order quality, deadlines, initiative, discipline"),
        ({"quality": 4, "deadlines": 5, "initiative": 3}, "missing ids discipline"),
        ({"quality": 4, "deadlines": 5, "initiative": 3, "discipline": 5, "charm": 5}, "unknown ids charm"),
        ([4, 5, 3, True], "scores.discipline must be a number, got True"),
        ([4, 5, 3, "five"], "scores.discipline must be a number, got 'five'"),
        ([4, 5, 3, float("nan")], "scores.discipline must be a number, got nan"),
        ([4, 5, 3, D("Infinity")], "must be a number"),
        ([4, 5, 3, None], "must be a number"),
        ([4, 5, 3, "4.125"], "scores.discipline is 4.125: scores have at most 2 decimals"),
        ("4 5 3 5", "must be a list of 4 scores"),
        (4, "must be a list of 4 scores"),
    ],
)
def test_malformed_scores_are_refused_naming_the_field_and_what_is_allowed(raw: Any, expected: str) -> None:
    error = violation(normalise_scores, raw, IDS, rule="D-2")
    assert expected in str(error) and error.rule == "D-2" and str(error).endswith("(D-2)")


def test_trailing_zeros_do_not_count_as_decimals() -> None:
    assert normalise_scores(["4.500", 5, 3, 5], IDS, rule="D-2")["quality"] == D("4.5")


def test_duplicate_ids_are_refused() -> None:
    assert "quality" in str(violation(normalise_scores, [1, 2], ["quality", "quality"], rule="D-2"))


# --- D-2/D-3: the differentiation sheet -------------------------------------------------------------------


def test_d3_final_is_the_mean_of_the_parameters() -> None:
    result = score_parameters([4, 5, 4, 4], DIFFERENTIATION, RESULTS, justification="Good work")
    assert (result.exact, result.score, result.category) == (D("4.25"), D("4.25"), ResultCategory.EFFECTIVE)
    assert result.capped_by is None


def test_d2_score_outside_the_scale_is_refused_naming_the_scale() -> None:
    error = violation(score_parameters, [6, 5, 4, 4], DIFFERENTIATION, RESULTS, justification="x")
    assert str(error) == "score 6 for 'quality' is outside the scale 0–5 (D-2)"
    assert (error.field, error.allowed) == ("scores.quality", "0–5")


def test_d2_two_decimals_are_accepted_three_are_not() -> None:
    assert score_parameters([D("4.25"), 5, 4, 4], DIFFERENTIATION, RESULTS, justification="x").exact == D("4.3125")
    assert violation(score_parameters, [D("4.255"), 5, 4, 4], DIFFERENTIATION, RESULTS, justification="x").rule == "D-2"


@pytest.mark.parametrize("justification", [None, "", "   "])
def test_d3_blank_justification_is_refused(justification: str | None) -> None:
    error = violation(score_parameters, [4, 5, 4, 4], DIFFERENTIATION, RESULTS, justification=justification)
    assert error.rule == "D-3" and error.field == "justification" and "Негіздеме" in str(error)


@given(st.lists(st.decimals(min_value=0, max_value=5, places=2), min_size=4, max_size=4))
def test_d3_the_average_lies_between_the_lowest_and_highest_score(scores: list[Decimal]) -> None:
    result = score_parameters(scores, DIFFERENTIATION, RESULTS, justification="x")
    assert min(scores) <= result.exact <= max(scores)


# --- Q-1…Q-3: the quarterly sheet and the disciplinary caps -----------------------------------------------


def test_q2_form_final_is_the_mean_and_zero_is_allowed() -> None:
    result = score_parameters([5, 5, 5, 5, 0], FORM2, RESULTS)
    assert result.exact == D(4) and result.category == ResultCategory.EFFECTIVE


def test_q1_score_outside_the_scale_names_q1() -> None:
    assert str(violation(score_parameters, [5, 5, 5, 5, "5.5"], FORM2, RESULTS)).endswith("outside the scale 0–5 (Q-1)")


@pytest.mark.parametrize("sanction", ["warning", "reprimand", "severe_reprimand"])
def test_q3_warning_or_reprimand_caps_the_final_at_2_99(sanction: str) -> None:
    result = score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, caps(), [sanction])
    assert (result.exact, result.score, result.category) == (D("2.99"), D("2.99"), ResultCategory.SATISFACTORY)
    assert result.capped_by is not None and result.capped_by[0] == SanctionKind(sanction)
    assert result.per_item["quality"] == D(5)


def test_q3_any_other_sanction_caps_the_final_at_1_99() -> None:
    result = score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, caps(), [SanctionKind.OTHER])
    assert result.score == D("1.99") and result.category == ResultCategory.UNSATISFACTORY


def test_q3_with_two_sanctions_the_lower_cap_wins() -> None:
    result = score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, caps(), ["warning", "other"])
    assert result.score == D("1.99") and result.capped_by is not None and result.capped_by[0] == SanctionKind.OTHER


def test_q3_a_cap_never_raises_a_score() -> None:
    result = score_parameters([1, 1, 1, 1, 1], FORM2, RESULTS, caps(), ["warning"])
    assert result.exact == D(1) and result.capped_by is None


def test_q3_cap_applies_to_the_exact_score_before_rounding() -> None:
    # 2.996 would round to 3.00 (proper); the cap makes it 2.99 (satisfactory)
    result = score_parameters(["2.99", "2.99", "2.99", "3", "3.01"], FORM2, RESULTS, caps(), ["reprimand"])
    assert result.category == ResultCategory.SATISFACTORY and result.exact == D("2.99")


def test_q3_without_sanctions_or_caps_nothing_is_capped() -> None:
    assert score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, caps(), []).exact == D(5)
    assert score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, None, ["other"]).exact == D(5)


def test_q3_parameter_option_caps_only_that_parameter_before_averaging() -> None:
    result = score_parameters([5, 5, 5, 5, 5], FORM2, RESULTS, caps("parameter"), ["warning"])
    assert result.per_item["no_sanctions"] == D("2.99")
    assert result.exact == (D(20) + D("2.99")) / 5 and result.category == ResultCategory.EFFECTIVE


def test_q3_parameter_option_on_a_sheet_without_that_parameter_is_refused() -> None:
    error = violation(
        score_parameters, [5, 5, 5, 5], DIFFERENTIATION, RESULTS, caps("parameter"), ["warning"], justification="x"
    )
    assert error.rule == "Q-3" and "no_sanctions" in str(error)


def test_q3_unknown_sanction_kind_is_refused() -> None:
    assert "'dismissal'" in str(violation(applicable_cap, caps(), ["dismissal"]))


@given(
    st.lists(st.decimals(min_value=0, max_value=5, places=2), min_size=5, max_size=5),
    st.lists(st.sampled_from(list(SanctionKind)), max_size=3),
    st.sampled_from(["final", "parameter"]),
)
def test_q3_caps_never_raise_a_score(scores: list[Decimal], sanctions: list[SanctionKind], apply_to: str) -> None:
    uncapped = score_parameters(scores, FORM2, RESULTS)
    capped = score_parameters(scores, FORM2, RESULTS, caps(apply_to), sanctions)
    assert capped.exact <= uncapped.exact
    if sanctions and apply_to == "final":
        assert capped.exact <= D("2.99")


# --- M-4: the yearly KPI count ----------------------------------------------------------------------------

GRADING = CountGrading.model_validate(
    {
        "kpi_count": 5,
        "grades": [
            {"min_achieved": 5, "category": "excellent"},
            {"min_achieved": 4, "category": "effective"},
            {"min_achieved": 3, "category": "satisfactory"},
            {"min_achieved": 0, "category": "unsatisfactory"},
        ],
    }
)
FIVE = ["k1", "k2", "k3", "k4", "k5"]


@pytest.mark.parametrize(
    ("achieved", "category"),
    [(5, "excellent"), (4, "effective"), (3, "satisfactory"), (2, "unsatisfactory"), (0, "unsatisfactory")],
)
def test_m4_category_by_count_of_kpis_achieved(achieved: int, category: str) -> None:
    flags = [True] * achieved + [False] * (5 - achieved)
    result = score_kpi_count(flags, GRADING, FIVE)
    assert (result.achieved_count, result.total, result.category) == (achieved, 5, category)


def test_m4_flags_by_kpi_id() -> None:
    result = score_kpi_count({"k5": True, "k4": True, "k3": False, "k2": True, "k1": True}, GRADING, FIVE)
    assert result.category == ResultCategory.EFFECTIVE and result.per_item["k3"] is False


def test_m2_not_exactly_five_kpis_is_refused() -> None:
    error = violation(score_kpi_count, [True] * 4, GRADING, FIVE[:4])
    assert error.rule == "M-2" and "exactly 5" in str(error)


@pytest.mark.parametrize("value", [1, 0, "yes", None])
def test_m4_only_real_booleans_are_accepted(value: Any) -> None:
    error = violation(score_kpi_count, [True, True, True, True, value], GRADING, FIVE)
    assert error.rule == "M-4" and error.field == "scores.k5" and "true or false" in str(error)


# --- M-6: competencies by behaviour indicators ------------------------------------------------------------


def competency(cid: str, counts: dict[str, int], public_service_only: bool = False) -> dict[str, Any]:
    indicators = {
        group: [{"kk": f"{cid} {i}", "ru": "и", "en": f"{cid} {i}"} for i in range(n)] for group, n in counts.items()
    }
    return {"id": cid, "name": TEXT, "public_service_only": public_service_only, "indicators": indicators}


COMPETENCIES = CompetencyRules.model_validate(
    {
        "threshold_numerator": 3,
        "threshold_denominator": 4,
        "category_groups": {
            "staff": {"rule": "M-6", "categories": ["C-4", "C-5", "C-O-5"]},
            "heads": {"rule": "M-6", "categories": ["C-1", "C-O-1"]},
        },
        "competencies": [
            competency("cooperation", {"staff": 4, "heads": 4}),
            competency("promptness", {"staff": 8, "heads": 8}),
            competency("initiative", {"staff": 7, "heads": 7}),
            competency("customers", {"staff": 4}, public_service_only=True),
            competency("management", {"heads": 5}),
        ],
    }
)


def observed(**overrides: list[bool]) -> dict[str, list[bool]]:
    base = {"cooperation": [True] * 4, "promptness": [True] * 8, "initiative": [True] * 7}
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("cid", "flags", "meets"),
    [
        ("cooperation", [True, True, True, False], True),  # 3 of 4
        ("cooperation", [True, False, True, False], False),  # 2 of 4
        ("promptness", [True] * 6 + [False] * 2, True),  # 6 of 8
        ("initiative", [True] * 5 + [False] * 2, False),  # 5 of 7: 5*4 = 20 < 21
        ("initiative", [True] * 6 + [False], True),  # 6 of 7
    ],
)
def test_m6_three_quarters_edges(cid: str, flags: list[bool], meets: bool) -> None:
    result = score_competencies(observed(**{cid: flags}), COMPETENCIES, "staff", public_service=False)
    score = result.per_competency[cid]
    assert score.meets is meets and (score.observed, score.total) == (sum(flags), len(flags))
    assert result.category == (ResultCategory.MEETS if meets else ResultCategory.DOES_NOT_MEET)


def test_m6_names_the_indicators_not_observed() -> None:
    result = score_competencies(observed(cooperation=[True, False, True, False]), COMPETENCIES, "staff", False)
    score = result.per_competency["cooperation"]
    assert score.not_observed == (1, 3) and [i.en for i in score.not_observed_indicators] == [
        "cooperation 1",
        "cooperation 3",
    ]


def test_m6_wrong_number_of_indicators_names_both_numbers() -> None:
    error = violation(score_competencies, observed(promptness=[True] * 7), COMPETENCIES, "staff", False)
    assert "'promptness' has 8 indicators" in str(error) and "got 7 values" in str(error) and error.rule == "M-6"


def test_m6_public_service_competencies_are_required_only_for_public_service_positions() -> None:
    error = violation(score_competencies, observed(), COMPETENCIES, "staff", True)
    assert "missing competencies customers" in str(error)
    result = score_competencies(observed(customers=[True] * 4), COMPETENCIES, "staff", True)
    assert "customers" in result.per_competency
    refused = violation(score_competencies, observed(customers=[True] * 4), COMPETENCIES, "staff", False)
    assert "applies only to positions that provide public services" in str(refused)


def test_m6_missing_unknown_and_other_group_competencies_are_named() -> None:
    data = observed(charm=[True], management=[True] * 5)
    del data["initiative"]
    message = str(violation(score_competencies, data, COMPETENCIES, "staff", False))
    assert "unknown competency 'charm'" in message and "'management' has no indicators for group 'staff'" in message
    assert "missing competencies initiative" in message


def test_m6_indicator_values_must_be_booleans() -> None:
    numbers: list[Any] = [1, 1, 1, 0]
    error = violation(score_competencies, observed(cooperation=numbers), COMPETENCIES, "staff", False)
    assert error.field == "scores.cooperation[0]"


def test_m6_group_of_a_category_and_unknown_categories() -> None:
    assert competency_group(COMPETENCIES, "C-O-1") == "heads"
    assert violation(competency_group, COMPETENCIES, "C-O-2").rule == "M-6"
    assert violation(score_competencies, observed(), COMPETENCIES, "nobody", False).rule == "M-6"


# --- T-3…T-7: the 360 survey ------------------------------------------------------------------------------

SURVEY = Survey360.model_validate(
    {
        "rules": ["T-1"],
        "deadline": {"kind": "day_of_month", "day": 10, "rule": "P-1"},
        "min_respondents": 3,
        "max_respondents": 7,
        "answers": [
            {"id": word, "name": TEXT, "points": points}
            for points, word in enumerate(["never", "rarely", "half", "mostly", "always"], 1)
        ],
        "forms": {
            "others": {
                "competencies": [
                    {"id": cid, "name": TEXT, "questions": [{"kk": "q", "ru": "q", "en": "q"}] * 3}
                    for cid in ("communications", "ethics")
                ]
            }
        },
    }
)
FORM = SURVEY.forms["others"]


@pytest.mark.parametrize(
    ("answer", "points"), [("never", 1), ("Always", 5), (" half ", 3), (4, 4), ("2", 2), (D(5), 5)]
)
def test_t3_answer_words_and_points_are_accepted(answer: Any, points: int) -> None:
    assert answer_points(answer, SURVEY) == points


@pytest.mark.parametrize("answer", [0, 6, "sometimes", True, 4.5, None])
def test_t3_other_answers_are_refused_naming_the_allowed_ones(answer: Any) -> None:
    error = violation(answer_points, answer, SURVEY)
    assert error.rule == "T-3" and "never, rarely, half, mostly, always" in str(error) and "1, 2, 3, 4, 5" in str(error)


def response(relation: str, communications: list[Any], ethics: list[Any] | None = None) -> Response:
    return Response(relation, {"communications": communications, "ethics": ethics or [5, 5, 5]})  # type: ignore[arg-type]


def test_t6_average_is_the_mean_over_respondents_with_the_self_assessment_excluded() -> None:
    result = survey_averages(
        [
            response("head", [4, 5, 4]),
            response("peer", ["always", "always", "mostly"]),
            response("subordinate", [3, 3, 3], [1, 2, 3]),
            response("self", [5, 5, 5], [5, 5, 5]),
        ],
        FORM,
        SURVEY,
    )
    assert result.respondents == 3 and result.publishable and result.reason is None
    # respondents' competency means 13/3, 14/3, 3 → (13/3 + 14/3 + 3) / 3 = 4
    assert result.averages["communications"] == D(4)
    assert result.rounded(RESULTS)["ethics"] == D("4.00") and result.averages["ethics"] == D(4)
    assert result.self_assessment == {"communications": D(5), "ethics": D(5)}
    assert result.weakest == ("communications", "ethics")


def test_t6_one_respondents_answers_4_5_4_average_4_33() -> None:
    result = survey_averages([response("peer", [4, 5, 4])], FORM, SURVEY)
    assert result.rounded(RESULTS)["communications"] == D("4.33")


def test_t7_weakest_competency_is_the_lowest_average() -> None:
    result = survey_averages([response("peer", [2, 2, 2]), response("head", [3, 3, 3])] * 2, FORM, SURVEY)
    assert result.weakest == ("communications",)


def test_t4_below_the_minimum_the_report_is_not_publishable_and_is_refused() -> None:
    result = survey_averages(
        [response("peer", [4, 4, 4]), response("head", [4, 4, 4]), response("self", [5, 5, 5])], FORM, SURVEY
    )
    assert result.respondents == 2 and not result.publishable
    error = violation(require_publishable, result)
    assert error.rule == "T-4" and "only 2 respondents" in str(error) and "at least 3" in str(error)


def test_t4_no_respondents_gives_no_averages() -> None:
    result = survey_averages([response("self", [5, 5, 5])], FORM, SURVEY)
    assert result.averages == {} and result.weakest == () and not result.publishable


def test_t4_more_respondents_than_the_maximum_are_refused() -> None:
    assert violation(survey_averages, [response("peer", [3, 3, 3])] * 8, FORM, SURVEY).rule == "T-4"


@pytest.mark.parametrize(("count", "ok"), [(2, False), (3, True), (7, True), (8, False)])
def test_t4_respondent_selection_is_3_to_7(count: int, ok: bool) -> None:
    if ok:
        check_respondent_count(count, SURVEY)
    else:
        assert "3 to 7" in str(violation(check_respondent_count, count, SURVEY))


def test_t5_two_self_assessments_are_refused() -> None:
    assert violation(survey_averages, [response("self", [5, 5, 5])] * 2, FORM, SURVEY).rule == "T-5"


def test_t2_answers_per_competency_must_match_its_questions() -> None:
    error = violation(survey_averages, [response("peer", [4, 5])], FORM, SURVEY)
    assert "'communications' has 3 questions; got 2 answers" in str(error)
    assert error.field == "responses[0].answers.communications"


def test_t2_missing_competency_and_bad_relation_are_refused() -> None:
    missing = Response("peer", {"communications": [4, 4, 4]})
    assert "missing ids ethics" in str(violation(survey_averages, [missing], FORM, SURVEY))
    assert violation(survey_averages, [response("friend", [4, 4, 4])], FORM, SURVEY).rule == "T-4"


# --- P-3: the annual final --------------------------------------------------------------------------------


def test_p3_annual_final_is_the_mean_of_the_quarterly_exact_scores() -> None:
    result = annual_average([D("4.25"), D("3.5"), D("4"), D("13") / 3], RESULTS)
    assert abs(result.exact - (D("4.25") + D("3.5") + D(4) + D(13) / 3) / 4) < D("1E-25")
    assert result.score == D("4.02") and result.category == ResultCategory.EFFECTIVE


def test_p3_only_the_available_quarters_count_and_labels_are_kept() -> None:
    result = annual_average({"2025-Q2 kpi": D("4.5"), "2025-Q4 differentiation": D(3)}, RESULTS)
    assert result.exact == D("3.75") and list(result.per_item) == ["2025-Q2 kpi", "2025-Q4 differentiation"]


def test_p3_no_quarterly_score_is_refused() -> None:
    error = violation(annual_average, [], RESULTS)
    assert error.rule == "P-3" and "no quarterly score in the year" in str(error)


def test_p3_quarterly_score_off_the_scale_is_refused() -> None:
    assert violation(annual_average, [D(4), D(6)], RESULTS).rule == "P-3"


@given(st.lists(st.decimals(min_value=0, max_value=5, places=6), min_size=1, max_size=4))
def test_p3_average_lies_between_min_and_max(scores: list[Decimal]) -> None:
    assert min(scores) <= annual_average(scores, RESULTS).exact <= max(scores)


def test_plain_prints_decimals_as_people_write_them() -> None:
    assert [plain(D(x)) for x in ("81.30", "100", "1E+2", "0.00", "4.6")] == ["81.3", "100", "100", "0", "4.6"]


def test_the_bundled_rulebook_file_is_where_the_tables_come_from() -> None:
    assert Path(BUNDLED_DIR / "kz-model-2018.yaml").is_file() and BUNDLED["id"] == "kz-model-2018"
