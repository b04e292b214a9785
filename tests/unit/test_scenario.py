"""A scenario file is read the same way by every loader, and a malformed one is refused with every problem named
by its path (SCENARIOS.md: exit 2, "the file, the path inside it and what is wrong")."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.simulate.scenario import (
    Acknowledge,
    CommissionVote,
    Return,
    Scenario,
    ScenarioError,
    Submit,
    load_scenario,
)
from domain import rulebooks
from domain.vocabulary import Corps

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

VALID = """\
rulebook: kz-model-2018
start: 2025-03-25
until: 2025-05-31
cycles:
  - {kind: quarter, year: 2025, quarter: 1}
calendar:
  days_off: [2025-04-02]
  working_days: [2025-04-05]
organization:
  name: Demo agency
  appointing_official: E0
  hr: [H1]
  units:
    - {id: U0, name: Leadership}
    - {id: U1, name: Department of planning, parent: U0}
  employees:
    - {id: E0, name: Ержан Төлеуов, corps: A, unit: U0}
    - {id: E1, name: Айгерім Сәрсенова, unit: U1, category: С-1, head: E0, appointed: 2020-01-01}
    - id: E2
      name: Дана Омарова
      unit: U1
      category: c-0-4
      head: E1
      appointed: 2021-05-03
      contacts: {email: e2@example.kz, sms: "+77010000002"}
      absences:
        - {kind: sick, from: 2025-04-01, to: 2025-04-14}
      sanctions:
        - {kind: reprimand, date: 2025-02-10}
    - {id: H1, name: Сәуле Ибраева, unit: U1, category: C-4, head: E1, appointed: 2019-09-02}
kpis:
  - {employee: E1, id: k1, name: Share of services online, unit: "%", direction: higher,
     plan: {Q1: 80, Q2: 85}, actual: {Q1: 76}}
events:
  - {date: 2025-04-03, submit: {evaluatee: E2, by: E1, scores: [4, 5, 3.5, 5], comment: "Жақсы жұмыс"}}
  - {date: 2025-04-14, acknowledge: {employee: E2}}
  - {date: 2025-04-25, return: {evaluatee: E2, by: E0, reason: "no evidence for parameter 3"}}
  - {date: 2025-04-28, commission_vote: {employee: E2, member: E0, decision: revise, result: effective}}
  - {date: 2025-04-28, absence: {employee: H1, kind: annual_leave, from: 2025-04-28, to: 2025-05-05}}
"""


def scenario_file(tmp_path: Path, text: str = VALID) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> dict[str, str]:
    """Load a scenario that must be refused; return its problems as {path: message}."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_file(tmp_path, text))
    return {problem.path: problem.message for problem in caught.value.problems}


def edited(old: str, new: str) -> str:
    assert old in VALID, f"the test edits {old!r}, which is not in VALID"
    return VALID.replace(old, new, 1)


# --- a valid file ----------------------------------------------------------------------------------------


def test_a_valid_scenario_loads_with_defaults_aliases_and_canonical_categories(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path))

    assert scenario.rulebook == "kz-model-2018"
    assert [cycle.period for cycle in scenario.cycles] == ["2025-Q1"]
    e0, e1, e2, _ = scenario.organization.employees
    assert e0.corps == Corps.A and e0.category is None and not e0.evaluated
    assert e1.corps == Corps.B and e1.category == "C-1"  # Cyrillic С made Latin
    assert e2.category == "C-O-4"  # lower case and the digit 0 normalised
    assert e2.absences[0].from_ == date(2025, 4, 1)
    assert e2.contacts == {"email": "e2@example.kz", "sms": "+77010000002"}
    assert scenario.kpis[0].plan == {"Q1": Decimal("80"), "Q2": Decimal("85")}


def test_each_event_exposes_its_one_action_and_its_index(tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(tmp_path))

    kinds = [event.kind for event in scenario.events]
    assert kinds == ["submit", "acknowledge", "return", "commission_vote", "absence"]
    submit = scenario.events[0].action
    assert isinstance(submit, Submit) and submit.scores == [Decimal(4), Decimal(5), Decimal("3.5"), Decimal(5)]
    assert isinstance(scenario.events[1].action, Acknowledge)
    assert isinstance(scenario.events[2].action, Return)
    vote = scenario.events[3].action
    assert isinstance(vote, CommissionVote) and vote.result == "effective"
    assert [index for index, _ in scenario.events_on(date(2025, 4, 28))] == [3, 4]


def test_scores_may_be_a_mapping_of_booleans_or_of_competency_indicator_lists(tmp_path: Path) -> None:
    text = (
        edited("scores: [4, 5, 3.5, 5]", "scores: {k1: true, k2: false}")
        + "  - {date: 2025-04-04, submit: {evaluatee: E2, by: E1, scores: {ethics: [true, true, false]}}}\n"
    )
    scenario = load_scenario(scenario_file(tmp_path, text))

    assert scenario.events[0].action.scores == {"k1": True, "k2": False}  # type: ignore[union-attr]
    assert scenario.events[-1].action.scores == {"ethics": [True, True, False]}  # type: ignore[union-attr]


def test_an_event_for_an_unknown_employee_is_not_a_file_error(tmp_path: Path) -> None:
    """The rules refuse it during the simulation (a rejection), the file is fine."""
    text = edited("acknowledge: {employee: E2}", "acknowledge: {employee: E99}")

    assert load_scenario(scenario_file(tmp_path, text)).events[1].action.employee == "E99"  # type: ignore[union-attr]


def test_360_answers_accept_points_and_answer_words(tmp_path: Path) -> None:
    text = VALID + (
        "  - {date: 2025-04-24, respond_360: {evaluatee: E2, respondent: H1,"
        " answers: {communications: [4, mostly, always]}}}\n"
    )
    event = load_scenario(scenario_file(tmp_path, text)).events[-1]

    assert event.action.answers == {"communications": [4, "mostly", "always"]}  # type: ignore[union-attr]


def test_unquoted_numeric_ids_are_read_as_text(tmp_path: Path) -> None:
    text = VALID.replace("E2", "1002")
    scenario = load_scenario(scenario_file(tmp_path, text))

    assert scenario.organization.employees[2].id == "1002"
    assert scenario.events[0].action.evaluatee == "1002"  # type: ignore[union-attr]


# --- malformed files -------------------------------------------------------------------------------------


def test_a_misspelt_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("appointed: 2020-01-01", "apointed: 2020-01-01"))

    assert "unknown key 'apointed'; did you mean 'appointed'?" in problems["organization.employees[1].apointed"]


def test_a_misspelt_action_is_refused_at_the_event(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("acknowledge: {employee: E2}", "acknowledged: {employee: E2}"))

    assert list(problems) == ["events[1].acknowledged"]
    assert "did you mean 'acknowledge'" in problems["events[1].acknowledged"]


def test_a_score_of_the_wrong_type_is_refused_at_its_index(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("scores: [4, 5, 3.5, 5]", 'scores: [4, 5, "3.5", five]'))

    assert problems == {
        "events[0].submit.scores[2]": "expected a number or a boolean, got '3.5'",
        "events[0].submit.scores[3]": "expected a number or a boolean, got 'five'",
    }


def test_scores_that_are_not_a_list_or_mapping_are_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("scores: [4, 5, 3.5, 5]", "scores: 4.5"))

    assert "scores is a list" in problems["events[0].submit.scores"]


def test_scores_that_mix_numbers_and_booleans_are_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("scores: [4, 5, 3.5, 5]", "scores: [4, true]"))

    assert "mixes booleans and numbers" in problems["events[0].submit.scores"]


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("{id: H1, name: Сәуле Ибраева, ", "{id: H1, "))

    assert problems == {"organization.employees[3].name": "required field is missing"}


def test_a_b_corps_employee_needs_a_category(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("category: C-4, ", ""))

    assert problems == {"organization.employees[3].category": "required for the B corps (e.g. C-3, C-O-1)"}


def test_a_malformed_category_code_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("category: C-4,", "category: chief-expert,"))

    assert list(problems) == ["organization.employees[3].category"]


def test_a_wrong_vocabulary_word_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("{kind: sick,", "{kind: flu,"))

    assert list(problems) == ["organization.employees[2].absences[0].kind"]


def test_an_on_key_is_text_so_it_is_an_unknown_key_and_not_a_boolean(tmp_path: Path) -> None:
    """YAML 1.1 loaders read `on:` as the boolean true; this file means the same to every loader."""
    problems = problems_of(tmp_path, edited("{date: 2025-04-14, acknowledge", "{on: 2025-04-14, acknowledge"))

    assert problems["events[1].on"].startswith("unknown key 'on'")
    assert problems["events[1].date"] == "required field is missing"


def test_yes_and_no_are_text_not_booleans(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("scores: [4, 5, 3.5, 5]", "scores: [yes, no]"))

    assert problems["events[0].submit.scores[0]"] == "expected a number or a boolean, got 'yes'"


def test_an_unknown_head_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("head: E1, appointed: 2019", "head: E9, appointed: 2019"))

    assert problems == {"organization.employees[3].head": "unknown employee 'E9': not in organization.employees"}


def test_a_cycle_of_heads_is_refused_once(tmp_path: Path) -> None:
    text = edited("category: С-1, head: E0,", "category: С-1, head: H1,")
    problems = problems_of(tmp_path, text)

    assert problems == {"organization.employees[1].head": "head cycle: E1 → H1 → E1"}


def test_unknown_ids_in_the_organization_are_refused(tmp_path: Path) -> None:
    text = edited("appointing_official: E0", "appointing_official: E7").replace("hr: [H1]", "hr: [H1, H2]")
    text = text.replace("parent: U0}", "parent: U9}")
    problems = problems_of(tmp_path, text)

    assert set(problems) == {"organization.appointing_official", "organization.hr[1]", "organization.units[1].parent"}


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("{id: H1, name", "{id: E2, name").replace("hr: [H1]", "hr: [E2]"))

    assert problems == {"organization.employees[3].id": "duplicate id 'E2' (also employees[2])"}


def test_duplicate_keys_are_refused_with_their_path_and_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_file(tmp_path, edited("      unit: U1\n", "      unit: U1\n      unit: U0\n")))

    (problem,) = caught.value.problems
    assert problem.path == "organization.employees[2]"
    assert problem.message == "duplicate key 'unit' (first on line 21)"
    assert problem.line == 22
    assert str(caught.value).endswith(
        "scenario.yaml: organization.employees[2]: duplicate key 'unit' (first on line 21) (line 22)"
    )


def test_two_actions_in_one_event_are_refused(tmp_path: Path) -> None:
    text = edited("acknowledge: {employee: E2}}", "acknowledge: {employee: E2}, disagree: {employee: E2, text: no}}")
    problems = problems_of(tmp_path, text)

    assert list(problems) == ["events[1]"]
    assert "exactly one action (got acknowledge and disagree)" in problems["events[1]"]


def test_an_event_without_an_action_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, VALID + "  - {date: 2025-04-30}\n")

    assert "exactly one action (none given)" in problems["events[5]"]


def test_a_revise_vote_without_a_result_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("decision: revise, result: effective", "decision: revise"))

    assert problems == {
        "events[3].commission_vote.result": "required when decision is revise: the result the Commission sets"
    }


def test_event_dates_must_be_iso_dates(tmp_path: Path) -> None:
    text = edited("{date: 2025-04-03,", "{date: 03.04.2025,").replace("{date: 2025-04-14,", "{date: 2025-02-30,")
    problems = problems_of(tmp_path, text)

    assert problems == {
        "events[0].date": "expected an ISO date YYYY-MM-DD, got '03.04.2025'",
        "events[1].date": "'2025-02-30' is not a calendar date",
    }


def test_a_day_cannot_be_both_off_and_working(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("working_days: [2025-04-05]", "working_days: [2025-04-05, 2025-04-02]"))

    assert problems == {"calendar.working_days[1]": "2025-04-02 is also listed in days_off"}


def test_until_cannot_precede_start(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("until: 2025-05-31", "until: 2025-03-01"))

    assert problems == {"until": "2025-03-01 is before start 2025-03-25"}


def test_a_quarter_cycle_needs_its_quarter(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("quarter: 1}", "quarter: 5}"))

    assert list(problems) == ["cycles[0].quarter"]


def test_an_unknown_rulebook_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, edited("rulebook: kz-model-2018", "rulebook: kz-model-2019"))

    assert problems["rulebook"].startswith("unknown rulebook 'kz-model-2019'")


def test_a_rulebook_path_is_resolved_against_the_scenario_folder(tmp_path: Path) -> None:
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "body.json").write_text(rulebooks.to_json(rulebooks.get("kz-model-2018")))
    scenario = load_scenario(scenario_file(tmp_path, edited("rulebook: kz-model-2018", "rulebook: books/body.json")))

    assert scenario.rulebook == str((tmp_path / "books" / "body.json").resolve())
    assert scenario.load_rulebook().id == "kz-model-2018"


def test_every_problem_of_a_file_is_listed_in_file_order(tmp_path: Path) -> None:
    text = edited("until: 2025-05-31", "until: 2025-03-01").replace("scores: [4, 5, 3.5, 5]", "scores: []")
    text = text.replace("{kind: sick,", "{kind: flu,")
    problems = problems_of(tmp_path, text)

    assert list(problems) == ["until", "organization.employees[2].absences[0].kind", "events[0].submit.scores"]


def test_a_file_that_is_not_yaml_or_not_a_mapping_is_refused(tmp_path: Path) -> None:
    assert list(problems_of(tmp_path, "rulebook: [unclosed\n")) == [""]
    assert problems_of(tmp_path, "- just\n- a list\n") == {
        "": "a scenario is a mapping (rulebook, start, until, …), got a list"
    }


# --- the example scenarios -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_every_example_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)

    assert isinstance(scenario, Scenario) and scenario.events
    # plain YAML: a YAML 1.1 loader reads the same data (no on/off/yes/no surprises)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["events"][0]["date"] == scenario.events[0].date


# --- the command -----------------------------------------------------------------------------------------


def test_the_command_exits_2_listing_the_problems_and_writes_nothing(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, edited("appointed: 2020-01-01", "apointed: 2020-01-01"))
    out = tmp_path / "report.json"

    result = CliRunner().invoke(app, ["simulate", str(path), "--out", str(out)])

    assert result.exit_code == 2
    assert f"{path}: organization.employees[1].apointed: unknown key 'apointed'" in result.stderr
    assert not out.exists()
