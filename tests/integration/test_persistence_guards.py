"""What PostgreSQL itself enforces, whatever the application does: the append-only audit log (R-4), the
anonymity of 360 answers (T-8), immutable signed sheets (R-3), one current sheet version."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import psycopg.errors
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from persistence.uow import UnitOfWork
from tests.conftest import APP_ROLE
from tests.integration.conftest import SmallOrg, build_small_org

NOW = datetime(2025, 4, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def small_org(pg_engine: Engine) -> SmallOrg:
    return build_small_org(pg_engine)


def write_audit_row(engine: Engine) -> None:
    with UnitOfWork(engine, actor="test") as uow:
        uow.audit("evaluation", 1, "update", before={"score": None}, after={"score": "4.25"}, reason="test")
        uow.commit()


def sql_error(engine: Engine, statement: str) -> BaseException:
    """Run ``statement`` in its own transaction and return the database's refusal."""
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as connection:
        connection.exec_driver_sql(statement)
    return refused.value.orig  # type: ignore[return-value]


# --- audit log -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"])
def test_the_application_role_may_not_change_the_audit_log(pg_engine: Engine, statement: str) -> None:
    write_audit_row(pg_engine)
    assert isinstance(sql_error(pg_engine, statement), psycopg.errors.InsufficientPrivilege)
    assert isinstance(sql_error(pg_engine, "TRUNCATE audit_log"), psycopg.errors.InsufficientPrivilege)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
)
def test_even_the_owner_cannot_change_the_audit_log(pg_engine: Engine, pg_owner_engine: Engine, statement: str) -> None:
    write_audit_row(pg_engine)
    refusal = sql_error(pg_owner_engine, statement)
    assert isinstance(refusal, psycopg.errors.RestrictViolation)
    assert "audit_log is append-only" in str(refusal) and "R-4" in str(refusal)
    with pg_owner_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT reason FROM audit_log").scalars().all() == ["test"]


def test_the_application_role_appends_and_reads_the_audit_log(pg_engine: Engine) -> None:
    write_audit_row(pg_engine)
    with UnitOfWork(pg_engine, actor="test") as uow:
        [entry] = uow.audit_log.trail("evaluation", 1)
    assert (entry.actor, entry.after, entry.reason) == ("test", {"score": "4.25"}, "test")


def test_the_tests_really_run_as_the_application_role(pg_engine: Engine) -> None:
    with pg_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT current_user").scalar_one() == APP_ROLE


# --- 360 anonymity ---------------------------------------------------------------------------------------------


def answered_survey(engine: Engine, org: SmallOrg) -> int:
    with UnitOfWork(engine, actor="flow:survey_360") as uow:
        survey, _ = uow.surveys.open(body_id=org.body, year=2025, evaluatee_id=org.e2, opened_on=NOW.date())
        for person in (org.e1, org.e3, org.h1):
            uow.surveys.invite(survey.id, respondent_id=person, relation="peer", invited_at=NOW)
        uow.commit()
    for person, points in [(org.e1, [5, 4]), (org.e3, [3, 3]), (org.h1, [4, 5])]:
        with UnitOfWork(engine, actor=f"person:{person}") as uow:
            uow.surveys.answer(survey.id, respondent_id=person, answers={"ethics": points})
            uow.commit()
    return survey.id


def test_the_application_role_writes_360_answers_but_cannot_read_them(pg_engine: Engine, small_org: SmallOrg) -> None:
    survey = answered_survey(pg_engine, small_org)
    for statement in [
        "SELECT * FROM survey_answer",
        "SELECT count(*) FROM survey_answer",
        "SELECT r.respondent_id, a.points FROM survey_respondent r JOIN survey_answer a USING (survey_id)",
        "UPDATE survey_answer SET points = 0",
        "DELETE FROM survey_answer",
    ]:
        assert isinstance(sql_error(pg_engine, statement), psycopg.errors.InsufficientPrivilege), statement
    averages = f"SELECT count(*) FROM survey_360_averages WHERE survey_id = {survey}"
    with pg_engine.connect() as connection:
        assert connection.exec_driver_sql(averages).scalar_one() == 0  # T-8: nothing while the survey is open
    with UnitOfWork(pg_engine, actor="flow:survey_360") as uow:
        uow.surveys.close(survey, closed_on=NOW.date())
        uow.commit()
    with pg_engine.connect() as connection:
        row = connection.exec_driver_sql(
            f"SELECT respondents, average FROM survey_360_averages WHERE survey_id = {survey}"
        ).one()
    assert row.respondents == 3 and round(row.average, 4) == pytest.approx(4.0)


def test_a_360_answer_row_names_no_respondent_and_no_time(pg_owner_engine: Engine) -> None:
    """T-8: nothing in an answer row can be joined to a respondent or ordered by when it was written."""
    columns = {column["name"]: column for column in sa.inspect(pg_owner_engine).get_columns("survey_answer")}
    assert set(columns) == {"id", "survey_id", "competency_id", "question_index", "points", "is_self"}
    assert str(columns["id"]["type"]) == "UUID"
    foreign_keys = sa.inspect(pg_owner_engine).get_foreign_keys("survey_answer")
    assert [key["referred_table"] for key in foreign_keys] == ["survey_360"]


def test_360_answer_keys_are_random(pg_engine: Engine, pg_owner_engine: Engine, small_org: SmallOrg) -> None:
    answered_survey(pg_engine, small_org)
    with pg_owner_engine.connect() as connection:
        ids = connection.exec_driver_sql("SELECT id FROM survey_answer").scalars().all()
    assert len(set(ids)) == 6
    assert all(key.version == 4 for key in ids)  # random (v4), not time-based (v1, v7) nor a sequence


# --- sheets ----------------------------------------------------------------------------------------------------


def submitted_sheet(engine: Engine, org: SmallOrg) -> tuple[int, int]:
    with UnitOfWork(engine, actor="person:e1") as uow:
        evaluation, _ = uow.evaluations.ensure(org.evaluation(org.e2))
        sheet = uow.sheets.submit(evaluation.id, scores={"quality": 4}, submitted_by_id=org.e1)
        uow.commit()
    return evaluation.id, sheet.id


@pytest.mark.parametrize(
    "assignment", ["scores = '{\"quality\": 5}'", "justification = 'rewritten'", "content_hash = repeat('0', 64)"]
)
def test_the_signed_content_of_a_sheet_version_cannot_change(
    pg_engine: Engine, pg_owner_engine: Engine, small_org: SmallOrg, assignment: str
) -> None:
    _, sheet = submitted_sheet(pg_engine, small_org)
    for engine in (pg_engine, pg_owner_engine):
        refusal = sql_error(engine, f"UPDATE sheet_submission SET {assignment} WHERE id = {sheet}")
        assert isinstance(refusal, psycopg.errors.RestrictViolation) and "R-3" in str(refusal)


def test_a_sheet_is_signed_once(pg_engine: Engine, small_org: SmallOrg) -> None:
    _, sheet = submitted_sheet(pg_engine, small_org)
    with UnitOfWork(pg_engine, actor="person:e1") as uow:
        signed = uow.sheets.sign(sheet, signed_by_id=small_org.e1, signed_at=NOW)
        uow.commit()
    assert (signed.signed_by_id, signed.signed_at) == (small_org.e1, NOW)
    with pytest.raises(sa.exc.DBAPIError, match="R-3"), UnitOfWork(pg_engine, actor="person:e3") as uow:
        uow.sheets.sign(sheet, signed_by_id=small_org.e3, signed_at=NOW)


def test_two_current_versions_of_one_sheet_are_refused(pg_engine: Engine, small_org: SmallOrg) -> None:
    evaluation, _ = submitted_sheet(pg_engine, small_org)
    refusal = sql_error(
        pg_engine,
        "INSERT INTO sheet_submission "
        "(evaluation_id, version, is_current, submitted_at, scores, content_hash, on_paper) "
        f"VALUES ({evaluation}, 2, true, now(), '{{}}', '{uuid4().hex * 2}', false)",
    )
    assert isinstance(refusal, psycopg.errors.UniqueViolation) and "ux_sheet_submission_current" in str(refusal)


def test_deleting_a_survey_removes_its_answers_though_the_application_cannot_read_them(
    pg_engine: Engine, pg_owner_engine: Engine, small_org: SmallOrg
) -> None:
    """R-1 retention: the foreign key's cascade runs with the owner's rights, so the application can purge."""
    survey = answered_survey(pg_engine, small_org)
    with pg_engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM survey_360 WHERE id = {survey}")
    with pg_owner_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM survey_answer").scalar_one() == 0
