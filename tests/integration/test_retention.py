"""R-1 through the real ``retention_purge`` flow on PostgreSQL: documents are kept 3 years from the end of the
evaluation, then archived (or purged) with a record; the evaluation row, the service record, stays."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from application.actions.sheet_drafts import save_draft
from application.actions.survey import respond_360
from application.errors import Rejected
from bagalau.simulate.actions import apply_action, approve_commission_results_of_the_day
from domain.rulebook import Retention
from tests.flows_support import World, dump, example, person, prefect, world  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

DOCUMENTS = (
    "sheet_submission",
    "sheet_review",
    "commission_vote",
    "commission_decision",
    "acknowledgement",
    "refusal_act",
    "appeal",
)


def play_004(world: World, after: Callable[[date], None] = lambda day: None) -> sa.Engine:  # noqa: F811
    """The 004 example played to the day after its Commission decided on 27 January 2026 (completed that day);
    ``after`` runs after each event, with its day."""
    scenario = example("annual-commission-2025.yaml")
    engine = world(scenario)
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 5))
    meeting, approved = date(2026, 1, 27), False
    for event in scenario.events:
        if event.date > meeting and not approved:
            approve_commission_results_of_the_day(world.env, meeting)  # M-7: E0 approves on the meeting day
            approved = True
        if event.date <= date(2026, 1, 28):
            try:
                apply_action(world.env, event.date, event.kind, event.action)
            except Rejected:
                pass
            after(event.date)
        if event.date == meeting:
            world.flows.commission_cycle(year=2025, as_of=event.date)
    return engine


@pytest.fixture
def decided(world: World) -> Iterator[sa.Engine]:  # noqa: F811
    yield play_004(world)


def counts(engine: sa.Engine, tables: tuple[str, ...] = DOCUMENTS) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}


def evaluation_of(engine: sa.Engine, number: str, method: str) -> int:
    query = (
        "SELECT evaluation.id FROM evaluation JOIN person ON person.id = evaluation.person_id"
        " WHERE person.personnel_number = :number AND evaluation.method = :method"
    )
    with engine.connect() as connection:
        return int(connection.execute(sa.text(query), {"number": number, "method": method}).scalar_one())


def records(engine: sa.Engine) -> list[Any]:
    with engine.connect() as connection:
        query = "SELECT entity, cutoff_on, rows, detail FROM retention_record ORDER BY id"
        return list(connection.execute(sa.text(query)).mappings())


def test_documents_stay_three_years_from_the_end_of_the_evaluation(
    decided: sa.Engine,
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Completed 27 January 2026: kept through 27 January 2029, archived on the 28th."""
    before = counts(decided)
    assert all(before[table] for table in ("sheet_submission", "commission_vote", "acknowledgement", "refusal_act"))
    world.flows.retention_purge(as_of=date(2029, 1, 27), archive_dir=str(tmp_path))
    assert counts(decided) == before and records(decided) == []


def test_expired_documents_are_archived_with_a_record_and_the_results_stay(
    decided: sa.Engine,
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    before = counts(decided)
    world.flows.retention_purge(as_of=date(2029, 1, 28), archive_dir=str(tmp_path))
    assert set(counts(decided).values()) == {0}
    (record,) = records(decided)
    detail = record["detail"]
    assert (record["entity"], record["cutoff_on"], record["rows"]) == (
        "evaluation_documents",
        date(2026, 1, 28),
        sum(before.values()),
    )
    assert (detail["action"], detail["years"], len(detail["ids"])) == ("archive", 3, 10)
    archive = Path(detail["archive"]["path"])
    content = archive.read_bytes()
    assert hashlib.sha256(content).hexdigest() == detail["archive"]["sha256"]
    archived = json.loads(content)
    assert {table: len(archived.get(table, [])) for table in DOCUMENTS} == before
    with decided.connect() as connection:
        results = connection.execute(
            sa.text("SELECT count(*) FROM evaluation WHERE eligible AND category IS NOT NULL")
        ).scalar_one()
    assert results == 10


def test_a_second_run_for_the_same_day_changes_nothing(
    decided: sa.Engine,
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    world.flows.retention_purge(as_of=date(2029, 1, 28), archive_dir=str(tmp_path))
    state = dump(decided)
    world.flows.retention_purge(as_of=date(2029, 1, 28), archive_dir=str(tmp_path))
    assert dump(decided) == state


def test_a_rulebook_that_purges_keeps_no_copy(decided: sa.Engine, world: World, tmp_path: Path) -> None:  # noqa: F811
    book = world.rulebook("kz-annual-commission-2018")
    world.store_rulebook(book.model_copy(update={"retention": Retention(years=3, action="purge")}))
    world.flows.retention_purge(as_of=date(2029, 1, 28), archive_dir=str(tmp_path))
    (record,) = records(decided)
    assert record["detail"]["action"] == "purge" and "archive" not in record["detail"]
    assert list(tmp_path.iterdir()) == []


def test_360_surveys_go_with_their_anonymous_answers_and_the_archive_keeps_the_reports(
    world: World,  # noqa: F811
    pg_owner_engine: sa.Engine,
    tmp_path: Path,
) -> None:
    """T-8, R-1: closed 13 January 2026 → removed on 14 January 2029, answers with them (the application cannot
    delete or read answers itself); the archive holds the individual reports (T-6)."""
    engine = world(example("model-2018-360-2025.yaml"))
    world.flows.survey_360(year=2025, as_of=date(2026, 1, 5))
    points = {"communications": [4, 5, 4], "ethics": [3, 3, 3], "change_management": [5, 5, 5]}
    points |= {c: [4, 4, 4] for c in ("result_orientation", "independence_decisions", "cooperation", "promptness")}
    points |= {"self_development": [4, 4, 4]}
    for respondent in ("E1", "E3", "E4"):
        respond_360(world.env, person(respondent), as_of=date(2026, 1, 6), evaluatee="E2", answers=points)
    world.flows.survey_360(year=2025, as_of=date(2026, 1, 13))
    world.flows.retention_purge(as_of=date(2029, 1, 13), archive_dir=str(tmp_path))
    assert counts(pg_owner_engine, ("survey_360", "survey_respondent", "survey_answer"))["survey_answer"] == 3 * 8 * 3
    world.flows.retention_purge(as_of=date(2029, 1, 14), archive_dir=str(tmp_path))
    assert set(counts(pg_owner_engine, ("survey_360", "survey_respondent", "survey_answer")).values()) == {0}
    (record,) = records(engine)
    assert (record["entity"], record["rows"]) == ("survey_360", 4)
    reports = json.loads(Path(record["detail"]["archive"]["path"]).read_text())["survey_360_reports"]
    e2 = next(report for report in reports if report["employee"] == "E2")
    assert (e2["respondents"], e2["averages"]["communications"]) == (3, 4.33)


def test_a_draft_goes_with_the_documents_of_its_evaluation_and_is_not_archived(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """R-1, decision 0141: E2 signed E3's count sheet on 8 January 2026 and saved a draft of a new version that day
    (a signed sheet may be signed again until the result is seen); never signed, the draft outlived the sheet's
    completion. It goes with the evaluation's documents on 28 January 2029, counted in the record, and is not in
    the archive: it was never signed and is its evaluator's alone (R-2)."""
    drafted: list[int] = []

    def draft(day: date) -> None:
        if day == date(2026, 1, 8) and not drafted:  # right after [0], E3's count sheet signed by E2
            e3 = evaluation_of(world.engine, "E3", "kpi_count")
            saved = save_draft(world.env, person("E2"), as_of=day, evaluation_id=e3, scores={"k5": False})
            drafted.append(saved.evaluation_id)

    engine = play_004(world, draft)
    assert counts(engine, ("sheet_draft",)) == {"sheet_draft": 1}
    before = counts(engine)
    world.flows.retention_purge(as_of=date(2029, 1, 27), archive_dir=str(tmp_path))
    assert counts(engine, ("sheet_draft",)) == {"sheet_draft": 1} and records(engine) == []
    world.flows.retention_purge(as_of=date(2029, 1, 28), archive_dir=str(tmp_path))
    assert counts(engine, ("sheet_draft",)) == {"sheet_draft": 0}
    (record,) = records(engine)
    assert record["rows"] == sum(before.values()) + 1 and record["detail"]["tables"]["sheet_draft"] == 1
    assert drafted[0] in record["detail"]["ids"]
    archived = json.loads(Path(record["detail"]["archive"]["path"]).read_bytes())
    assert "sheet_draft" not in archived and {table: len(archived.get(table, [])) for table in DOCUMENTS} == before


def test_the_draft_of_a_sheet_never_signed_goes_when_its_period_is_past_retention(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """R-1, decision 0141: E2 saved a draft of E3's 2025 count sheet and never signed it; the evaluation ends with
    its period (31 December 2025), so the draft is kept through 31 December 2028 and deleted on 1 January 2029,
    with a record and no archive file (nothing signed to archive); the evaluation row stays."""
    engine = world(example("annual-commission-2025.yaml"))
    world.flows.commission_cycle(year=2025, as_of=date(2026, 1, 5))
    e3 = evaluation_of(engine, "E3", "kpi_count")
    save_draft(world.env, person("E2"), as_of=date(2026, 1, 5), evaluation_id=e3, scores={"k1": True})
    evaluations = counts(engine, ("evaluation",))
    world.flows.retention_purge(as_of=date(2028, 12, 31), archive_dir=str(tmp_path))
    assert counts(engine, ("sheet_draft",)) == {"sheet_draft": 1} and records(engine) == []
    world.flows.retention_purge(as_of=date(2029, 1, 1), archive_dir=str(tmp_path))
    assert counts(engine, ("sheet_draft",)) == {"sheet_draft": 0} and counts(engine, ("evaluation",)) == evaluations
    (record,) = records(engine)
    assert (record["entity"], record["cutoff_on"], record["rows"]) == ("evaluation_documents", date(2026, 1, 1), 1)
    assert (record["detail"]["ids"], record["detail"]["tables"]) == ([e3], {"sheet_draft": 1})
    assert "archive" not in record["detail"] and list(tmp_path.iterdir()) == []
    world.flows.retention_purge(as_of=date(2029, 1, 1), archive_dir=str(tmp_path))  # a second run: nothing more
    assert len(records(engine)) == 1
