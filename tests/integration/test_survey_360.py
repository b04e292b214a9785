"""The yearly 360 survey through the real ``survey_360`` flow on PostgreSQL (T-1…T-8), on the people of
examples/scenarios/model-2018-360-2025.yaml: E0 (A corps) heads E1 (C-1), who heads E2, E3, E4; E2 is HR."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from application.actions.survey import edit_respondents, respond_360
from application.errors import Rejected
from bagalau.simulate.reporting import survey_section
from tests.flows_support import World, dump, example, prefect, world  # noqa: F401
from tests.flows_support import person as acting

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

OPENS = date(2026, 1, 5)  # Monday: 1–2 January are holidays, 3–4 a weekend
CLOSES = date(2026, 1, 12)  # 10 January 2026 is a Saturday: rolled forward (P-1, P-6)
FORM_6 = (
    "communications",
    "ethics",
    "change_management",
    "result_orientation",
    "independence_decisions",
    "cooperation",
    "promptness",
    "self_development",
)


@pytest.fixture
def engine(world: World) -> Iterator[sa.Engine]:  # noqa: F811
    yield world(example("model-2018-360-2025.yaml"))


def answers(**given: list[Any]) -> dict[str, list[Any]]:
    """Form 6 answers: 3 points per competency (4 by default), some given."""
    return {competency: given.get(competency, [4, 4, 4]) for competency in FORM_6}


def rows(engine: sa.Engine, query: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.text(query)))


def respondents(engine: sa.Engine) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for evaluatee, respondent, relation in rows(
        engine,
        "SELECT e.personnel_number, r.personnel_number, sr.relation FROM survey_respondent sr"
        " JOIN survey_360 s ON s.id = sr.survey_id JOIN person e ON e.id = s.evaluatee_id"
        " JOIN person r ON r.id = sr.respondent_id",
    ):
        found.setdefault(evaluatee, set()).add((respondent, relation))
    return found


def test_nothing_opens_before_the_first_working_day_of_the_year(engine: sa.Engine, world: World) -> None:  # noqa: F811
    world.flows.survey_360(year=2025, as_of=date(2026, 1, 2))
    assert rows(engine, "SELECT count(*) FROM survey_360") == [(0,)]


def test_respondents_are_the_head_subordinates_and_peers_and_the_evaluatee_answers_for_themself(
    engine: sa.Engine,
    world: World,  # noqa: F811
) -> None:
    """T-4 (3 to 7: head, B-corps subordinates, peers with the same head), T-5 (self), T-1 (closes 12 January)."""
    world.flows.survey_360(year=2025, as_of=OPENS)
    assert respondents(engine) == {
        "E1": {("E0", "head"), ("E2", "subordinate"), ("E3", "subordinate"), ("E4", "subordinate"), ("E1", "self")},
        "E2": {("E1", "head"), ("E3", "peer"), ("E4", "peer"), ("E2", "self")},
        "E3": {("E1", "head"), ("E2", "peer"), ("E4", "peer"), ("E3", "self")},
        "E4": {("E1", "head"), ("E2", "peer"), ("E3", "peer"), ("E4", "self")},
    }
    opened = rows(engine, "SELECT DISTINCT opened_on, closes_on, status FROM survey_360")
    assert opened == [(OPENS, CLOSES, "open")]
    forms = dict(
        rows(engine, "SELECT p.personnel_number, s.form FROM survey_360 s JOIN person p ON p.id = s.evaluatee_id")
    )
    assert forms == {"E1": "heads", "E2": "others", "E3": "others", "E4": "others"}
    invitations = rows(engine, "SELECT count(*) FROM outbox_message WHERE kind = 'survey_360_invitation'")
    assert invitations == [(17,)]


def test_the_flow_run_twice_for_a_day_changes_nothing(engine: sa.Engine, world: World) -> None:  # noqa: F811
    for day in (OPENS, date(2026, 1, 6), date(2026, 1, 13)):
        world.flows.survey_360(year=2025, as_of=day)
        before = dump(engine)
        world.flows.survey_360(year=2025, as_of=day)
        assert dump(engine) == before, f"the second run of {day} changed the database"


def test_averages_exclude_the_self_assessment(
    engine: sa.Engine,
    world: World,  # noqa: F811
    pg_owner_engine: sa.Engine,
) -> None:
    """T-6: each of E4's three respondents answers [4, 5, 4] → 4.33; E4's own [1, 1, 1] is shown apart (T-5);
    answers are stored without who gave them (T-8)."""
    world.flows.survey_360(year=2025, as_of=OPENS)
    day = date(2026, 1, 6)
    for respondent in ("E1", "E2", "E3"):
        respond_360(world.env, acting(respondent), as_of=day, evaluatee="E4", answers=answers(communications=[4, 5, 4]))
    respond_360(world.env, acting("E4"), as_of=day, evaluatee="E4", answers=answers(communications=[1, 1, 1]))
    world.flows.survey_360(year=2025, as_of=date(2026, 1, 13))
    numbers = dict(rows(engine, "SELECT id, personnel_number FROM person"))
    with pg_owner_engine.connect() as connection:
        (e4,) = [entry for entry in survey_section(world.env, Session(connection), numbers) if entry.employee == "E4"]
    assert (e4.respondents, float(e4.averages["communications"]), float(e4.averages["ethics"])) == (3, 4.33, 4.0)
    assert e4.self_assessment is not None and float(e4.self_assessment["communications"]) == 1.0
    columns = {column["name"] for column in sa.inspect(pg_owner_engine).get_columns("survey_answer")}
    assert columns == {"id", "survey_id", "competency_id", "question_index", "points", "is_self"}


def test_a_report_below_the_minimum_is_not_published_and_hr_gets_the_count(engine: sa.Engine, world: World) -> None:  # noqa: F811
    """T-4: E4 has two respondents when the survey closes on 13 January; HR (E2) is told how many, never who."""
    world.flows.survey_360(year=2025, as_of=OPENS)
    respond_360(world.env, acting("E1"), as_of=date(2026, 1, 8), evaluatee="E4", answers=answers())
    respond_360(world.env, acting("E2"), as_of=CLOSES, evaluatee="E4", answers=answers(ethics=["always", "half", 5]))
    world.flows.survey_360(year=2025, as_of=date(2026, 1, 13))
    closed = rows(
        engine,
        "SELECT m.recipient_role, m.payload FROM outbox_message m WHERE m.kind = 'survey_360_closed'",
    )
    assert len(closed) == 4  # E1, E2, E3 had nobody at all, E4 two: all four below three respondents
    payloads = {payload["evaluatee_name"]: payload for _, payload in closed}
    e4 = payloads["Тимур Серікбаев"]
    assert ({role for role, _ in closed}, e4["responses"], e4["minimum"]) == ({"hr"}, 2, 3)
    assert not any("respondent" in key for _, payload in closed for key in payload)
    assert rows(engine, "SELECT DISTINCT status, closed_on FROM survey_360") == [("closed", date(2026, 1, 13))]


def test_only_invited_people_answer_once_while_the_survey_is_open(engine: sa.Engine, world: World) -> None:  # noqa: F811
    world.flows.survey_360(year=2025, as_of=OPENS)
    day = date(2026, 1, 7)
    respond_360(world.env, acting("E3"), as_of=day, evaluatee="E2", answers=answers())
    refusals = {
        "uninvited": lambda: respond_360(world.env, acting("E0"), as_of=day, evaluatee="E2", answers=answers()),
        "twice": lambda: respond_360(world.env, acting("E3"), as_of=day, evaluatee="E2", answers=answers()),
        "too_few": lambda: respond_360(world.env, acting("E4"), as_of=day, evaluatee="E2", answers={"ethics": [4, 4]}),
        "word": lambda: respond_360(
            world.env, acting("E4"), as_of=day, evaluatee="E2", answers=answers(ethics=["often", 4, 4])
        ),
        "late": lambda: respond_360(
            world.env, acting("E4"), as_of=date(2026, 1, 13), evaluatee="E2", answers=answers()
        ),
        "early": lambda: respond_360(
            world.env, acting("E4"), as_of=date(2026, 1, 2), evaluatee="E2", answers=answers()
        ),
    }
    reasons = {}
    for name, attempt in refusals.items():
        with pytest.raises(Rejected) as refused:
            attempt()
        reasons[name] = refused.value.rule
    assert reasons == {
        "uninvited": "T-4",
        "twice": "T-4",
        "too_few": "T-2",
        "word": "T-3",
        "late": "P-1",
        "early": "T-1",
    }


def test_hr_may_change_the_respondents_until_someone_answers(engine: sa.Engine, world: World) -> None:  # noqa: F811
    """T-4, T-7: HR (E2) replaces E3's respondents; the next run invites the new one; after a first answer, no."""
    world.flows.survey_360(year=2025, as_of=OPENS)
    day = date(2026, 1, 6)
    with pytest.raises(Rejected, match="HR service"):
        edit_respondents(world.env, acting("E1"), as_of=day, evaluatee="E3", respondents=["E1", "E2", "E0"])
    with pytest.raises(Rejected, match="T-5"):
        edit_respondents(world.env, acting("E2"), as_of=day, evaluatee="E3", respondents=["E1", "E3"])
    edited = edit_respondents(world.env, acting("E2"), as_of=day, evaluatee="E3", respondents=["E1", "E2", "E0"])
    assert edited.respondents == ("E0", "E1", "E2")
    assert respondents(engine)["E3"] == {("E0", "peer"), ("E1", "head"), ("E2", "peer"), ("E3", "self")}
    world.flows.survey_360(year=2025, as_of=day)
    invited = rows(
        engine,
        "SELECT m.idempotency_key FROM outbox_message m JOIN person p ON p.id = m.recipient_person_id"
        " WHERE m.kind = 'survey_360_invitation' AND p.personnel_number = 'E0'",
    )
    assert len(invited) == 2  # E0 for E1 (at the opening) and now for E3
    respond_360(world.env, acting("E0"), as_of=day, evaluatee="E3", answers=answers())
    with pytest.raises(Rejected, match="has started"):
        edit_respondents(world.env, acting("E2"), as_of=day, evaluatee="E3", respondents=["E1", "E2", "E4"])
