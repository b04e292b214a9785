"""S-1: the domain defines the stored precision once (``STORED_DECIMALS``, the database's ``Numeric(6, 4)``) and
shows and bands the stored value, so that what is stored, shown and banded can never disagree (issue 11: scores
were stored to four decimals while the category was banded from the exact value). M-6: the two customer
competencies are rated only for public-service posts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain import rulebooks
from domain.errors import RuleViolation
from domain.rulebook import STORED_DECIMALS, Results
from domain.scoring import (
    annual_average,
    band,
    competency_group,
    rated_competencies,
    round_score,
    score_competencies,
    score_parameters,
    stored_score,
)

MODEL = rulebooks.get("kz-model-2018")
QUARTERLY = rulebooks.get("kz-quarterly-2026")
ANNUAL = rulebooks.get("kz-annual-commission-2018")
RESULTS = MODEL.results
FORM2 = QUARTERLY.method("form2").sheet
assert FORM2 is not None
FOUR = Decimal("0.0001")
TWO = Decimal("0.01")


def as_database(value: Decimal) -> Decimal:
    """What PostgreSQL's ``Numeric(6, 4)`` keeps of a decimal: rounded half away from zero to four places."""
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def half_up_of_exact(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def test_s1_the_stored_precision_is_the_databases_four_decimals_and_cuts_never_rounds() -> None:
    assert STORED_DECIMALS == 4
    assert stored_score(Decimal(13) / 3) == Decimal("4.3333")
    assert stored_score(Decimal(2) / 3) == Decimal("0.6666")
    # 2.99499…: rounded to four places it would be 2.9950 and band as 3.00 (proper); cut, it stays 2.99.
    near = Decimal("2.994999999")
    assert stored_score(near) == Decimal("2.9949") and as_database(near) == Decimal("2.9950")
    assert (round_score(near, RESULTS), band(near, RESULTS).value) == (Decimal("2.99"), "satisfactory")


def test_s1_a_sheet_result_carries_the_value_to_store_and_shows_and_bands_it() -> None:
    result = annual_average([Decimal("4.25"), Decimal("3.5"), Decimal(13) / 3], RESULTS)
    assert result.stored == Decimal("4.0277")  # (4.25 + 3.5 + 4.3333…) / 3 = 4.02777…
    assert (result.score, result.category.value) == (Decimal("4.03"), "effective")
    assert as_database(result.stored) == result.stored  # storing it changes nothing


def test_s1_rulebook_decimals_stay_below_the_stored_precision() -> None:
    data = RESULTS.model_dump()
    with pytest.raises(ValidationError, match="less than or equal to 3"):
        Results.model_validate({**data, "decimals": 4})


def thirds() -> st.SearchStrategy[Decimal]:
    """Means of three two-decimal scores (the P-3 average of three quarters; a three-KPI sheet, K-5)."""
    score = st.integers(min_value=0, max_value=500).map(lambda n: Decimal(n) / 100)
    return st.tuples(score, score, score).map(lambda t: sum(t, Decimal(0)) / 3)


def near_boundaries() -> st.SearchStrategy[Decimal]:
    """Values within 10⁻⁴ of a rounding boundary x.xx5 (above or below), down to 10⁻³⁰ from it."""
    boundary = st.integers(min_value=0, max_value=499).map(lambda n: Decimal(n) / 100 + Decimal("0.005"))
    offset = st.integers(min_value=5, max_value=30).map(lambda k: Decimal(1).scaleb(-k))
    return st.tuples(boundary, offset, st.booleans()).map(lambda t: t[0] + t[1] if t[2] else t[0] - t[1])


@settings(max_examples=400)
@given(st.one_of(thirds(), near_boundaries()))
def test_s1_shown_and_banded_from_the_stored_value_equal_the_single_half_up_rounding_of_the_exact(
    exact: Decimal,
) -> None:
    stored = stored_score(exact)
    assert as_database(stored) == stored  # the database keeps the stored value as is
    assert stored_score(stored) == stored
    assert round_score(stored, RESULTS) == round_score(exact, RESULTS) == half_up_of_exact(exact)
    assert band(stored, RESULTS) == band(exact, RESULTS)


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=5, max_size=5))
def test_s1_a_sheet_read_back_from_the_database_shows_and_bands_as_when_it_was_scored(cents: list[int]) -> None:
    result = score_parameters([Decimal(c) / 100 for c in cents], FORM2, RESULTS)
    read_back = as_database(result.stored)
    assert (round_score(read_back, RESULTS), band(read_back, RESULTS)) == (result.score, result.category)


@settings(max_examples=200)
@given(st.lists(thirds(), min_size=1, max_size=4))
def test_s1_p3_the_annual_average_of_stored_quarters_shows_and_bands_its_stored_value(quarters: list[Decimal]) -> None:
    result = annual_average([stored_score(q) for q in quarters], RESULTS)
    assert result.score == round_score(result.stored, RESULTS)
    assert result.category == band(result.stored, RESULTS)


# --- M-6: public-service posts ------------------------------------------------------------------------------

COMPETENCIES = ANNUAL.competencies
assert COMPETENCIES is not None
CUSTOMER = ["customer_orientation", "informing_customers"]


def test_m6_the_two_customer_competencies_are_rated_only_for_public_service_posts() -> None:
    """M-6 (004 app. 3 footnote): eleven competencies, two of them only where the post provides public services."""
    group = competency_group(COMPETENCIES, "C-4")
    everyone = rated_competencies(COMPETENCIES, group, public_service=False)
    public = rated_competencies(COMPETENCIES, group, public_service=True)
    assert len(everyone) == 9 and not set(CUSTOMER) & set(everyone)
    assert len(public) == 11 and public[5:7] == CUSTOMER


def sheet(ids: list[str], group: str) -> dict[str, list[bool]]:
    indicators = {item.id: item.indicators[group] for item in COMPETENCIES.competencies}  # type: ignore[union-attr]
    return {competency: [True] * len(indicators[competency]) for competency in ids}


def test_m6_a_public_service_post_must_be_rated_on_the_customer_competencies_and_others_must_not() -> None:
    group = "staff"
    public = rated_competencies(COMPETENCIES, group, True)
    others = rated_competencies(COMPETENCIES, group, False)
    assert score_competencies(sheet(public, group), COMPETENCIES, group, True).category == "meets"
    with pytest.raises(RuleViolation, match="missing competencies customer_orientation, informing_customers"):
        score_competencies(sheet(others, group), COMPETENCIES, group, True)
    with pytest.raises(RuleViolation, match="'customer_orientation' applies only to positions that provide public"):
        score_competencies(sheet(public, group), COMPETENCIES, group, False)
