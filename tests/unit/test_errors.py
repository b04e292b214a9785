"""RuleViolation: one small refusal type, a ValueError that always names its rule."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from domain.errors import RuleViolation


def test_a_rule_violation_is_a_value_error_whose_text_is_the_message() -> None:
    error = RuleViolation(
        rule="K-4",
        field="scores.k1",
        value=Decimal("4.6"),
        allowed="4.00–4.24",
        message="score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)",
    )
    assert isinstance(error, ValueError)
    assert str(error) == "score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)"
    assert (error.rule, error.field, error.value, error.allowed) == ("K-4", "scores.k1", Decimal("4.6"), "4.00–4.24")


def test_the_rule_id_is_appended_when_the_message_does_not_name_it() -> None:
    assert str(RuleViolation(rule="C-5", message="two members")) == "two members (C-5)"


def test_it_survives_pickling_as_task_exceptions_do() -> None:
    error = RuleViolation(rule="T-4", field="respondents", value=2, allowed="3–7", message="too few (T-4)")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.rule, copy.field, copy.value, copy.allowed, str(copy)) == (
        "T-4",
        "respondents",
        2,
        "3–7",
        "too few (T-4)",
    )


def test_it_can_be_caught_as_value_error() -> None:
    with pytest.raises(ValueError, match=r"\(S-1\)"):
        raise RuleViolation(rule="S-1", message="score 7 is outside every result band")
