"""S-1/D-2: "at most N decimals" is counted on the digits given, so a number too small for ``Decimal``'s default
context (``1E-999999999``, which ``normalize`` rounds to 0) is refused, not taken for a whole number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import scoring
from domain.errors import RuleViolation


@pytest.mark.parametrize("value", ["4.50", "4.500", "0.000", "45E-1", "5", "4.5E+1", Decimal("1E+2")])
def test_numbers_within_the_decimals_are_accepted(value: object) -> None:
    assert scoring.to_decimal(value, field="scores.q", rule="D-2", decimals=2) == Decimal(str(value))


@pytest.mark.parametrize("value", ["1e-999999999", "4.555", "0.001", "1E-3", "4.5000001"])
def test_more_decimals_than_allowed_are_refused_naming_the_rule(value: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        scoring.to_decimal(value, field="scores.q", rule="D-2", decimals=2)
    assert refused.value.rule == "D-2" and "at most 2 decimals" in str(refused.value)
