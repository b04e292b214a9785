"""Issue 12: every forbidden statement, run as the application, is refused by PostgreSQL — or, where a change is
allowed, cannot escape the audit log (R-4). Also the start-up check that keeps the application off a superuser or
owner login, and the retention role (R-1) being the only one that removes a signed sheet.

The application here is what production runs: the login ``bagalau_app_login`` (a member of the application and
retention roles only) with ``SET ROLE bagalau_app`` (``pg_engine``). Each statement runs in a transaction of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg.errors
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.settings import get_settings
from persistence.db import PrivilegedLoginError, check_login, make_engine
from persistence.models import AuditLogRow
from persistence.records import NewMessage
from persistence.uow import UnitOfWork
from tests.conftest import APP_LOGIN, APP_ROLE, RETENTION_ROLE
from tests.integration.conftest import SmallOrg, build_small_org

NOW = datetime(2025, 4, 1, 4, 0, tzinfo=UTC)
LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)

pytestmark = pytest.mark.postgres


@pytest.fixture
def small_org(pg_engine: Engine) -> SmallOrg:
    return build_small_org(pg_engine)


def refusal(engine: Engine, *statements: str) -> BaseException:
    """Run ``statements`` in one transaction (committed: deferred checks run) and return the database's refusal."""
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    return refused.value.orig  # type: ignore[return-value]


def scalar(engine: Engine, query: str) -> Any:
    with engine.connect() as connection:
        return connection.exec_driver_sql(query).scalar()


def signed_sheet(engine: Engine, org: SmallOrg) -> tuple[int, int]:
    with UnitOfWork(engine, actor="person:e1") as uow:
        evaluation, _ = uow.evaluations.ensure(org.evaluation(org.e2))
        sheet = uow.sheets.submit(evaluation.id, scores={"quality": 4}, submitted_by_id=org.e1)
        uow.sheets.sign(sheet.id, signed_by_id=org.e1, signed_at=NOW)
        uow.commit()
    return evaluation.id, sheet.id


def queued_message(engine: Engine, org: SmallOrg, evaluation: int | None = None) -> int:
    with UnitOfWork(engine, actor="flow:test") as uow:
        uow.outbox.enqueue(
            NewMessage(f"notice:{evaluation}", org.body, "evaluation_notice", NOW, org.e2, evaluation_id=evaluation)
        )
        uow.commit()
        message = uow.outbox.by_key(f"notice:{evaluation}")
    assert message is not None
    return message.id


def test_the_tests_log_in_as_the_application_login_not_the_owner(pg_engine: Engine) -> None:
    with pg_engine.connect() as connection:
        login, acting = connection.exec_driver_sql("SELECT session_user, current_user").one()
    assert (login, acting) == (APP_LOGIN, APP_ROLE)


# --- audit log: time and actor come from the database -------------------------------------------------------------


def test_an_audit_row_cannot_be_backdated_or_signed_by_someone_else(pg_engine: Engine) -> None:
    """R-4: ``at`` and ``actor`` written by the caller are replaced by the transaction's time and declared actor."""
    with UnitOfWork(pg_engine, actor="person:e1") as uow:
        uow.session.add(
            AuditLogRow(at=LONG_AGO, actor="person:someone-else", entity="evaluation", entity_id="1", action="update")
        )
        uow.commit()
    with pg_engine.begin() as connection:  # raw SQL, no actor declared
        connection.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, entity, entity_id, action) "
            "VALUES ('2001-01-01', 'hr-head', 'evaluation', '1', 'update')"
        )
    with pg_engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT at, actor FROM audit_log ORDER BY id").all()
        now = connection.exec_driver_sql("SELECT now()").scalar_one()
    assert [actor for _, actor in rows] == ["person:e1", f"db:{APP_LOGIN}"]
    assert all(abs((now - at).total_seconds()) < 60 for at, _ in rows)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET at = '2001-01-01'",
        "UPDATE audit_log SET actor = 'hr-head'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_stamped",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "SET session_replication_role = replica",
        "ALTER TABLE evaluation DISABLE TRIGGER evaluation_changes_audited",
    ],
)
def test_the_application_cannot_rewrite_the_audit_log_or_switch_its_triggers_off(
    pg_engine: Engine, statement: str
) -> None:
    with UnitOfWork(pg_engine, actor="test") as uow:
        uow.audit("evaluation", 1, "update", after={"score": "4"})
        uow.commit()
    refused = refusal(pg_engine, statement)
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege), refused


def test_a_reset_role_gives_the_login_no_way_around_the_triggers(pg_engine: Engine, small_org: SmallOrg) -> None:
    """The login holds the roles' rights after RESET ROLE, and the triggers still treat it as the application."""
    _, sheet = signed_sheet(pg_engine, small_org)
    refused = refusal(pg_engine, "RESET ROLE", f"DELETE FROM sheet_submission WHERE id = {sheet}")
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege) and "insert-only" in str(refused)


# --- evidence: signed sheets, attempts, proofs -----------------------------------------------------------------


def test_a_signed_sheet_cannot_be_deleted(pg_engine: Engine, small_org: SmallOrg) -> None:
    _, sheet = signed_sheet(pg_engine, small_org)
    refused = refusal(pg_engine, f"DELETE FROM sheet_submission WHERE id = {sheet}")
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege)
    assert scalar(pg_engine, "SELECT count(*) FROM sheet_submission") == 1


def test_only_the_retention_role_removes_a_signed_sheet(pg_engine: Engine, small_org: SmallOrg) -> None:
    """R-1: retention switches its transaction to ``<app>_retention``, which may delete documents."""
    evaluation, _ = signed_sheet(pg_engine, small_org)
    with UnitOfWork(pg_engine, actor="flow:retention_purge") as uow:
        uow.act_as_retention()
        assert uow.connection.exec_driver_sql("SELECT current_user").scalar_one() == RETENTION_ROLE
        counts = uow.retention.delete_evaluation_documents([evaluation])
        uow.commit()
    assert counts == {"sheet_submission": 1}
    with pg_engine.connect() as connection:  # the switch ended with the transaction
        assert connection.exec_driver_sql("SELECT current_user").scalar_one() == APP_ROLE


def test_an_outbox_row_cannot_be_set_delivered_with_a_fake_proof(pg_engine: Engine, small_org: SmallOrg) -> None:
    message = queued_message(pg_engine, small_org)
    refused = refusal(
        pg_engine,
        "UPDATE outbox_message SET status = 'delivered', delivered_at = now(), "
        f"delivered_address = 'e2@example.kz', proof = '{{\"body\": \"forged\"}}' WHERE id = {message}",
    )
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege) and "delivery attempt" in str(refused)
    assert scalar(pg_engine, f"SELECT status FROM outbox_message WHERE id = {message}") == "pending"


def test_a_proof_and_its_attempts_are_written_once(pg_engine: Engine, small_org: SmallOrg) -> None:
    message = queued_message(pg_engine, small_org)
    with UnitOfWork(pg_engine, actor="flow:deliver") as uow:
        uow.outbox.record_attempt(message, channel="email", address="e2@example.kz", ok=True, response="250 ok")
        uow.outbox.mark_delivered(message, at=NOW, address="e2@example.kz", proof={"body": "the notice"})
        uow.commit()
    for statement in [
        f'UPDATE outbox_message SET proof = \'{{"body": "forged"}}\' WHERE id = {message}',
        f"UPDATE outbox_message SET delivered_at = '2025-01-01' WHERE id = {message}",
        f"UPDATE outbox_message SET status = 'pending' WHERE id = {message}",
        "UPDATE delivery_attempt SET ok = false",
        "UPDATE delivery_attempt SET response = 'edited'",
        "DELETE FROM delivery_attempt",
    ]:
        assert isinstance(refusal(pg_engine, statement), psycopg.errors.InsufficientPrivilege), statement
    assert scalar(pg_engine, f"SELECT proof::text FROM outbox_message WHERE id = {message}") == '{"body": "the notice"}'


def test_even_the_owner_cannot_rewrite_a_delivery_attempt(
    pg_engine: Engine, pg_owner_engine: Engine, small_org: SmallOrg
) -> None:
    message = queued_message(pg_engine, small_org)
    with UnitOfWork(pg_engine, actor="flow:deliver") as uow:
        uow.outbox.record_attempt(message, channel="email", address="e2@example.kz", ok=False, response="timeout")
        uow.commit()
    refused = refusal(pg_owner_engine, "UPDATE delivery_attempt SET ok = true")
    assert "never rewritten" in str(refused)


# --- scores, categories, deadlines, compositions ---------------------------------------------------------


def test_a_score_changed_without_an_audit_row_is_audited_by_the_database(
    pg_engine: Engine, small_org: SmallOrg
) -> None:
    evaluation, _ = signed_sheet(pg_engine, small_org)
    with pg_engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE evaluation SET score = 4.9, category = 'excellent', deadline = '2025-12-31' "
            f"WHERE id = {evaluation}"
        )
    with UnitOfWork(pg_engine, actor="test") as uow:
        [entry] = uow.audit_log.trail("evaluation", evaluation)
    assert entry.actor == f"db:{APP_LOGIN}" and entry.action == "update"
    assert entry.before == {"deadline": "2025-04-10"}
    assert entry.after == {"score": 4.9, "category": "excellent", "deadline": "2025-12-31"}
    assert entry.reason is not None and "R-4: recorded by the database" in entry.reason


def test_a_change_audited_by_the_application_gets_no_second_row(pg_engine: Engine, small_org: SmallOrg) -> None:
    evaluation, _ = signed_sheet(pg_engine, small_org)
    with UnitOfWork(pg_engine, actor="person:e1") as uow:
        uow.evaluations.update(evaluation, score=4.25, reason="K-5")
        uow.commit()
        trail = uow.audit_log.trail("evaluation", evaluation)
    assert [(entry.actor, entry.reason) for entry in trail] == [("person:e1", "K-5")]


def test_a_composition_changed_behind_the_application_is_audited(pg_engine: Engine, small_org: SmallOrg) -> None:
    with pg_engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO commission_member (body_id, person_id, is_chair, is_secretary, started_on) "
            f"VALUES ({small_org.body}, {small_org.e3}, false, false, '2025-01-01')"
        )
    count = "SELECT count(*) FROM audit_log WHERE entity = 'commission_member' AND action = 'insert'"
    assert scalar(pg_engine, count) == 1


def test_an_evaluation_cannot_be_deleted(pg_engine: Engine, small_org: SmallOrg) -> None:
    evaluation, _ = signed_sheet(pg_engine, small_org)
    refused = refusal(pg_engine, f"DELETE FROM evaluation WHERE id = {evaluation}")
    assert isinstance(refused, psycopg.errors.InsufficientPrivilege)
    with UnitOfWork(pg_engine, actor="flow:retention_purge") as uow:  # not even by retention (R-1 keeps the row)
        uow.act_as_retention()
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
            uow.connection.exec_driver_sql(f"DELETE FROM evaluation WHERE id = {evaluation}")


def test_the_owner_deleting_an_evaluation_leaves_an_audit_row(
    pg_engine: Engine, pg_owner_engine: Engine, small_org: SmallOrg
) -> None:
    """R-4: outside the application too, a deletion cannot go unrecorded (the triggers bind the owner)."""
    evaluation, _ = signed_sheet(pg_engine, small_org)
    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM evaluation WHERE id = {evaluation}")
    with UnitOfWork(pg_engine, actor="test") as uow:
        [entry] = uow.audit_log.trail("evaluation", evaluation)
    assert (entry.action, entry.actor) == ("delete", "db:postgres")
    assert entry.before is not None and entry.before["id"] == evaluation


# --- 360 (T-6, T-8) ----------------------------------------------------------------------------------------------


def survey_with(engine: Engine, org: SmallOrg, respondents: list[int]) -> int:
    with UnitOfWork(engine, actor="flow:survey_360") as uow:
        survey, _ = uow.surveys.open(body_id=org.body, year=2025, evaluatee_id=org.e2, opened_on=NOW.date())
        for person in respondents:
            uow.surveys.invite(survey.id, respondent_id=person, relation="peer", invited_at=NOW)
        uow.commit()
    for person in respondents:
        with UnitOfWork(engine, actor=f"person:{person}") as uow:
            uow.surveys.answer(survey.id, respondent_id=person, answers={"ethics": [person % 5 + 1]})
            uow.commit()
    return survey.id


def close(engine: Engine, survey: int) -> None:
    with UnitOfWork(engine, actor="flow:survey_360") as uow:
        uow.surveys.close(survey, closed_on=NOW.date())
        uow.commit()


def test_the_averages_of_an_open_survey_cannot_be_read(pg_engine: Engine, small_org: SmallOrg) -> None:
    """T-8: reading the averages before and after someone answers would give that person's answers away."""
    survey = survey_with(pg_engine, small_org, [small_org.e1, small_org.e3, small_org.h1])
    averages = f"SELECT count(*) FROM survey_360_averages WHERE survey_id = {survey}"
    assert scalar(pg_engine, averages) == 0
    close(pg_engine, survey)
    assert scalar(pg_engine, averages) == 1


def test_the_averages_of_fewer_than_three_respondents_cannot_be_read(pg_engine: Engine, small_org: SmallOrg) -> None:
    """T-4/T-6: with one or two respondents the average would be their answers."""
    survey = survey_with(pg_engine, small_org, [small_org.e1, small_org.e3])
    close(pg_engine, survey)
    assert scalar(pg_engine, f"SELECT count(*) FROM survey_360_averages WHERE survey_id = {survey}") == 0


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM survey_answer",
        "SELECT count(*) FROM survey_answer",
        "SELECT xmin, points FROM survey_answer",
        "DELETE FROM survey_answer",
    ],
)
def test_raw_360_answers_cannot_be_read(pg_engine: Engine, small_org: SmallOrg, statement: str) -> None:
    survey_with(pg_engine, small_org, [small_org.e1, small_org.e3, small_org.h1])
    assert isinstance(refusal(pg_engine, statement), psycopg.errors.InsufficientPrivilege)


def test_nothing_times_an_individual_answer(pg_owner_engine: Engine) -> None:
    """T-8: ``survey_respondent`` says whether someone answered, never when."""
    columns = {column["name"] for column in sa.inspect(pg_owner_engine).get_columns("survey_respondent")}
    assert "answered" in columns and not any(name.startswith("answered_") for name in columns)


# --- the start-up check ----------------------------------------------------------------------------------------


def test_the_application_login_passes_the_start_up_check(pg_engine: Engine) -> None:
    described = check_login(pg_engine, app_role=APP_ROLE, development=False)
    assert described == f"database login '{APP_LOGIN}' acting as '{APP_ROLE}'"


def test_a_superuser_login_is_refused_outside_development(pg_url: str) -> None:
    engine = make_engine(pg_url, role=APP_ROLE)  # SET ROLE does not help: a superuser can RESET ROLE
    try:
        with pytest.raises(PrivilegedLoginError, match="superuser") as refused:
            check_login(engine, app_role=APP_ROLE, development=False)
        assert "BAGALAU_OWNER_DATABASE_URL" in str(refused.value)
        assert "superuser" in check_login(engine, app_role=APP_ROLE, development=True)
    finally:
        engine.dispose()


def test_an_owner_login_that_skips_the_role_is_refused(pg_owner_engine: Engine) -> None:
    with pytest.raises(PrivilegedLoginError, match=f"acts as 'postgres', not the application role '{APP_ROLE}'"):
        check_login(pg_owner_engine, app_role=APP_ROLE, development=False)


def test_sqlite_is_exempt_and_says_so(sqlite_engine: Engine) -> None:
    assert "exempt" in check_login(sqlite_engine, app_role=APP_ROLE, development=False)


def test_the_command_line_refuses_a_superuser_login(
    pg_engine: Engine, pg_url: str, pg_app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BAGALAU_ENVIRONMENT", raising=False)
    monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_url)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["notify", "retry", "--dead"])
        monkeypatch.setenv("BAGALAU_DATABASE_URL", pg_app_url)
        get_settings.cache_clear()
        allowed = CliRunner().invoke(app, ["notify", "retry", "--dead"])
    finally:
        get_settings.cache_clear()
    assert refused.exit_code == 2 and "BAGALAU_DATABASE_URL" in refused.output
    assert "superuser" in refused.output and "Traceback" not in refused.output
    assert allowed.exit_code == 0, allowed.output
