"""How a sheet's web form becomes the scores ``submit_sheet`` takes (issue 10): typed text kept as typed (a decimal
comma read as a point), yes/no for M-4, one flag per behaviour indicator for M-6 (unticked boxes are ``False``)."""

from __future__ import annotations

from application.queries.inbox import entered_scores


def test_parameter_and_kpi_scores_are_the_text_typed_with_a_decimal_point() -> None:
    pairs = [("csrf_token", "t"), ("score.quality", " 4,5 "), ("score.deadlines", ""), ("justification", "ok")]
    assert entered_scores("parameters", pairs) == {"quality": "4.5"}  # blank fields are missing, not zero
    assert entered_scores("kpi_range", [("score.k1", "4.9")]) == {"k1": "4.9"}


def test_kpi_count_answers_are_yes_or_no() -> None:
    pairs = [("achieved.m1", "yes"), ("achieved.m2", "no"), ("achieved.m3", "maybe")]
    assert entered_scores("kpi_count", pairs) == {"m1": True, "m2": False}  # M-4: anything else is unanswered


def test_competency_flags_follow_the_indicators_shown() -> None:
    pairs = [
        ("competency.teamwork", "4"),
        ("observed.teamwork.0", "1"),
        ("observed.teamwork.2", "1"),
        ("observed.teamwork.9", "1"),  # no such indicator: ignored
        ("observed.forged.0", "1"),  # no such competency on the form: ignored
        ("competency.ethics", "2"),
        ("competency.huge", "9999"),  # more than M-6's ten indicators: not a competency of any form
    ]
    assert entered_scores("competencies", pairs) == {
        "teamwork": [True, False, True, False],
        "ethics": [False, False],
    }
