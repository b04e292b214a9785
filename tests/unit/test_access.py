"""R-2: who may see an evaluation's result, who only its progress, who nothing (domain.access)."""

from __future__ import annotations

import pytest

from domain.access import EvaluationParties, Principal, Visibility, may_see_progress, may_see_result, visibility
from domain.vocabulary import Role

PARTIES = EvaluationParties(
    body="demo",
    evaluatee="E2",
    evaluator="E1",
    approver="E0",
    calibration_members=frozenset({"E5", "E6", "H1"}),
)


def person(number: str, *roles: Role, body: str = "demo") -> Principal:
    return Principal.of_person(number, body=body, roles=roles, login=f"login-{number.lower()}")


@pytest.mark.parametrize("number", ["E2", "E1", "E0", "E5", "E6", "H1"])
def test_the_parties_r2_names_see_the_result(number: str) -> None:
    assert may_see_result(person(number), PARTIES)


def test_the_hr_head_sees_every_result_of_the_body() -> None:
    assert visibility(person("H9", Role.HR_HEAD), PARTIES) is Visibility.RESULT


@pytest.mark.parametrize("role", [Role.HR, Role.APPOINTING_OFFICIAL, Role.ADMIN])
def test_hr_staff_the_official_and_admins_see_progress_never_the_score(role: Role) -> None:
    viewer = person("H2", role)
    assert may_see_progress(viewer, PARTIES)
    assert not may_see_result(viewer, PARTIES)


def test_a_colleague_with_no_part_sees_nothing() -> None:
    assert visibility(person("E7"), PARTIES) is Visibility.NONE
    assert visibility(person("E7", Role.EVALUATOR, Role.EMPLOYEE, Role.OPERATOR), PARTIES) is Visibility.NONE


def test_another_body_sees_nothing_even_its_hr_head() -> None:
    assert visibility(person("E2", Role.HR_HEAD, body="other"), PARTIES) is Visibility.NONE


def test_commission_members_and_the_deciding_official_see_what_they_decide() -> None:
    decided = EvaluationParties(
        body="demo", evaluatee="E2", evaluator="E1", commission=frozenset({"E5", "H1"}), deciding_official="E0"
    )
    assert may_see_result(person("E5"), decided)
    assert may_see_result(person("E0", Role.APPOINTING_OFFICIAL), decided)
    assert not may_see_result(person("E0", Role.APPOINTING_OFFICIAL), PARTIES.__class__(body="demo", evaluatee="E2"))


def test_system_steps_act_on_everything_and_are_recorded_by_name() -> None:
    step = Principal.system_step("daily_sweep")
    assert step.actor == "flow:daily_sweep"
    assert visibility(step, PARTIES) is Visibility.RESULT


def test_the_audit_actor_names_the_login_and_the_person() -> None:
    assert Principal.of_person("E1").actor == "person:E1"
    assert person("E1").actor == "user:login-e1 (person:E1)"
