"""Through ``bagalau simulate`` on PostgreSQL: HR's edit of the 360 respondents (v2 ``edit_respondents``, T-4,
T-7; examples/scenarios/model-2018-360-2025-v2.yaml) and the calibration's follow-up as recorded steps — the
feedback meeting (C-8) and an appeal with its outcome (C-9; examples/scenarios/quarterly-2026-q1-followup-v2.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.v2_support import evaluations, rejections, simulate
from tests.flows_support import prefect  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def reports(prefect: None, pg_url: str, pg_owner_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    folder = tmp_path_factory.mktemp("v2f")
    survey = simulate("model-2018-360-2025-v2.yaml", pg_url, pg_owner_engine, folder / "survey.json")
    followup = simulate("quarterly-2026-q1-followup-v2.yaml", pg_url, pg_owner_engine, folder / "followup.json")
    with pg_owner_engine.connect() as connection:
        held = connection.exec_driver_sql("SELECT feedback_meeting_on, feedback_held_on FROM calibration_case").all()
        appeals = connection.exec_driver_sql("SELECT authority, outcome, revised_score FROM appeal").all()
    return survey, followup, held, appeals


def test_hr_replaces_a_respondent_before_the_answers_and_the_report_counts_the_new_one(reports: Any) -> None:
    """T-4: E3 replaced by E0 for E4 on 2026-01-06; 3 respondents, averages over 9 answers each."""
    survey = {entry["employee"]: entry for entry in reports[0]["survey_360"]}
    e4 = survey["E4"]
    assert e4["respondents"] == 3
    assert e4["averages"] == {
        "communications": 3.67,
        "ethics": 3.56,
        "change_management": 3.67,
        "result_orientation": 3.56,
        "independence_decisions": 3.67,
        "cooperation": 3.33,
        "promptness": 3.89,
        "self_development": 3.78,
    }


def test_a_respondent_edit_by_someone_outside_hr_of_a_stranger_or_after_answers_is_refused(reports: Any) -> None:
    found = rejections(reports[0])
    assert found[0] == "E3 is not in the HR service: only HR edits the 360 respondents (T-7)"
    assert found[2] == "E9 not among the respondents of E4: cannot remove (T-4)"
    assert found[17] == "the 360 survey of E4 has started: someone has answered it (T-4)"


def test_c8_the_evaluator_records_the_feedback_meeting_after_the_session(reports: Any) -> None:
    """C-8: called for the next working day after the protocol (24 April → 27 April), held on 27 April by E5."""
    found = rejections(reports[1])
    assert found[25] == "'E8' is not the evaluator; the evaluator (E5) holds the feedback meeting (C-8)"
    assert found[27] == "the feedback meeting with E6 was held on 2026-04-27 (C-8)"
    assert [(str(called), str(held)) for called, held in reports[2]] == [("2026-04-27", "2026-04-27")]


def test_g7_an_acting_person_votes_in_the_absent_members_seat(reports: Any) -> None:
    """G-7/C-6: E9 acts for E8 on 24 April and votes in E8's seat: no rejection, the panel's seats unchanged."""
    assert 23 not in rejections(reports[1])
    calibration = evaluations(reports[1])[("E6", "form2")]["calibration"]
    assert calibration["members"] == ["E1", "E8", "H1"]
    assert calibration["protocol_post_by"] == "2026-04-29"


def test_c9_a_revised_appeal_outcome_replaces_the_session_result(reports: Any) -> None:
    """C-9: appealed under the APPC; revised to 4.40, which replaces the session's 4.00 (still effective)."""
    calibration = evaluations(reports[1])[("E6", "form2")]["calibration"]
    assert (calibration["score"], calibration["category"]) == (4.4, "effective")
    assert [(a, o, float(s)) for a, o, s in reports[3]] == [("administrative", "revise", 4.4)]
    found = rejections(reports[1])
    assert found[29] == "an upheld decision stands as decided: it carries no revised result (C-9)"
    assert found[31] == "E6 has no appeal waiting for its outcome (C-9)"
    assert ("E6", "appeal_outcome", "2026-05-15") in {
        (n["to"], n["kind"], n["date"]) for n in reports[1]["notifications"]
    }
