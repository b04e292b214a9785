"""Accounts on PostgreSQL (as the application role): the repository, the principal a login acts as (R-2: granted
roles ∪ the person's body roles valid that day), migration 0005 keeping old accounts, the logs' grants, and the
``bagalau user`` and ``bagalau web`` commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from domain.access import Principal
from domain.vocabulary import Language, Role
from persistence import db as database
from persistence.repositories import principal_of
from persistence.uow import UnitOfWork
from tests.conftest import APP_ROLE
from web.security import verify_password

pytestmark = pytest.mark.postgres
PASSWORD = "correct horse battery staple"


@pytest.fixture
def body(db: Engine) -> int:
    with UnitOfWork(db, actor="test") as uow:
        body = uow.org.add_body(code="nchr", name="Ұлттық орталық")
        other = uow.org.add_body(code="akimat", name="Әкімдік")
        e1 = uow.org.add_person(body_id=body.id, personnel_number="E1", full_name="Айгерім Сәрсенова")
        h1 = uow.org.add_person(body_id=body.id, personnel_number="H1", full_name="Дана Ахметова", language=Language.RU)
        uow.org.add_person(body_id=other.id, personnel_number="E1", full_name="Another E1")
        uow.org.add_role(body_id=body.id, person_id=h1.id, role=Role.HR_HEAD, ended_on=date(2025, 6, 30))
        uow.org.add_role(body_id=body.id, person_id=h1.id, role=Role.HR, started_on=date(2025, 7, 1))
        uow.org.add_role(body_id=body.id, person_id=e1.id, role=Role.APPOINTING_OFFICIAL, started_on=date(2025, 7, 1))
        uow.commit()
        return body.id


def test_a_login_acts_with_its_granted_roles_and_its_body_roles_of_that_day(db: Engine, body: int) -> None:
    """R-2: the principal of a login is the person, with the granted roles plus the body roles valid on the day."""
    with UnitOfWork(db, actor="test") as uow:
        h1 = uow.org.person_by_number(body, "H1")
        assert h1 is not None
        dana = uow.users.add(login="Dana", person_id=h1.id, roles=[Role.ADMIN])
        uow.commit()
        assert dana.login == "dana" and dana.language == Language.RU and dana.body_code == "nchr"
        assert uow.users.principal(dana, date(2025, 3, 1)) == Principal(
            name="dana", person="H1", body="nchr", roles=frozenset({Role.ADMIN, Role.HR_HEAD})
        )
        assert uow.users.principal(dana, date(2025, 9, 1)).roles == {Role.ADMIN, Role.HR}
        assert uow.users.principal(dana, date(2025, 9, 1)).actor == "user:dana (person:H1)"


def test_an_admin_only_account_acts_without_a_person(db: Engine, body: int) -> None:
    with UnitOfWork(db, actor="test") as uow:
        root = uow.users.add(login="root", body_id=body, roles=[Role.ADMIN])
        uow.commit()
        principal = uow.users.principal(root, date(2025, 9, 1))
    assert principal == Principal(name="root", body="nchr", roles=frozenset({Role.ADMIN}))
    assert principal_of(root) == principal and principal.actor == "root"


def test_roles_from_the_identity_provider_replace_only_their_own(db: Engine, body: int) -> None:
    with UnitOfWork(db, actor="test") as uow:
        user = uow.users.add(login="root", body_id=body, roles=[Role.ADMIN])
        assert uow.users.replace_roles(user.id, [Role.HR, Role.ADMIN], source="oidc")
        assert uow.users.user(user.id).roles == {Role.ADMIN, Role.HR}
        assert not uow.users.replace_roles(user.id, [Role.HR, Role.ADMIN], source="oidc"), "nothing changed"
        assert uow.users.replace_roles(user.id, [], source="oidc")
        assert uow.users.user(user.id).roles == {Role.ADMIN}, "the locally granted role stays"
        uow.commit()


def test_the_application_role_may_not_rewrite_the_logs(db: Engine, body: int) -> None:
    with UnitOfWork(db, actor="test") as uow:
        user = uow.users.add(login="root", body_id=body, roles=[Role.ADMIN])
        now = datetime.now(UTC)
        uow.users.record_attempt(login="root", client="127.0.0.1", outcome="ok", at=now, user_id=user.id)
        uow.users.record_refusal(actor="root", resource="evaluation:1", action="read", at=now, user_id=user.id)
        uow.commit()
    for statement in (
        "UPDATE access_refusal SET resource = 'x'",
        "DELETE FROM access_refusal",
        "UPDATE login_attempt SET outcome = 'ok'",
    ):
        with db.connect() as connection, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.exec_driver_sql(statement)
    with db.begin() as connection:  # old login attempts may be purged
        assert connection.exec_driver_sql("DELETE FROM login_attempt").rowcount == 1


def test_migration_0005_keeps_the_accounts_of_0001(fresh_pg_url: str) -> None:
    engine = database.make_engine(fresh_pg_url)
    try:
        database.upgrade(engine, "0003", app_role=APP_ROLE)
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO body (code, name) VALUES ('nchr', 'N')")
            connection.exec_driver_sql(
                "INSERT INTO person (body_id, personnel_number, full_name, corps, language, created_at) "
                "VALUES (1, 'H1', 'Dana', 'B', 'ru', now())"
            )
            connection.exec_driver_sql(
                "INSERT INTO app_user (login, person_id, role, password_hash, active, created_at) VALUES "
                "('dana', 1, 'hr_head', 'h', true, now()), ('ops', NULL, 'operator', NULL, false, now()), "
                "('emp', 1, 'employee', NULL, true, now())"
            )
        database.upgrade(engine, "0005", app_role=APP_ROLE)
        with UnitOfWork(engine, actor="test") as uow:
            users = {user.login: user for user in uow.users.all()}
        assert users["dana"].roles == {Role.HR_HEAD} and users["dana"].language == Language.RU
        assert users["dana"].body_code == "nchr" and not users["dana"].disabled
        assert users["ops"].roles == {Role.ADMIN} and users["ops"].disabled
        assert users["emp"].roles == frozenset(), "employee was a relation, not a role"
        database.downgrade(engine, "0003", app_role=APP_ROLE)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT login, role, active FROM app_user ORDER BY login").all()
        assert [tuple(row) for row in rows] == [
            ("dana", "hr_head", True),
            ("emp", "employee", True),
            ("ops", "operator", False),
        ]
    finally:
        engine.dispose()


# --- bagalau user ------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_db(db: Engine, pg_app_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database's URL for ``--db``: the application's login, as an installation's (issue 12: never the
    owner outside development)."""
    from bagalau.settings import get_settings

    monkeypatch.delenv("BAGALAU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    return pg_app_url


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["user", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_bagalau_user_add_list_disable(cli_db: str, body: int, db: Engine) -> None:
    code, output = run(
        "add", "Aigul", "--person", "E1", "--body", "nchr", "--db", cli_db, "--password-stdin", stdin=f"{PASSWORD}\n"
    )
    assert code == 0 and output.strip() == "added aigul (person E1 of nchr; no role of its own; kk)"
    code, output = run(
        "add",
        "dana",
        "--person",
        "H1",
        "--role",
        "hr",
        "--role",
        "admin",
        "--language",
        "en",
        "--db",
        cli_db,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert code == 0 and "admin, hr" in output
    code, output = run("add", "root", "--role", "admin", "--body", "nchr", "--sso-only", "--db", cli_db)
    assert code == 0 and "admin-only" in output
    code, output = run("list", "--db", cli_db)
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == ["login", "person", "body", "roles", "lang", "state", "last", "login"]
    assert lines[1].split()[:6] == ["aigul", "E1", "nchr", "—", "kk", "active"]
    assert lines[3].split()[:7] == ["root", "—", "nchr", "admin", "kk", "sso", "only"]
    with UnitOfWork(db, actor="test") as uow:
        aigul = uow.users.by_login("aigul")
        assert aigul is not None and verify_password(aigul.password_hash, PASSWORD)
        assert aigul.password_hash is not None and PASSWORD not in aigul.password_hash
        [created] = uow.audit_log.trail("app_user", aigul.id)
    assert created.actor.startswith("cli:") and created.after == {"login": "aigul", "person_id": 1, "roles": []}
    code, output = run("disable", "AIGUL", "--db", cli_db)
    assert code == 0 and output.strip() == "disabled aigul"
    assert run("disable", "aigul", "--db", cli_db)[1].strip() == "aigul was already disabled"
    assert '"disabled": true' in run("list", "--json", "--db", cli_db)[1]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["x", "--person", "E1"], PASSWORD, "LOGIN: 'x' is not a login"),
        (["bad login", "--person", "E1"], PASSWORD, "letters, digits and . _ @ -"),
        (
            ["aigul", "--person", "E1", "--role", "boss"],
            PASSWORD,
            "--role: 'boss' is not a role an account can hold; allowed: hr, hr_head, appointing_official, admin",
        ),
        (
            ["aigul", "--person", "E1", "--language", "de"],
            PASSWORD,
            "--language: 'de' is not a language of the pages; allowed: kk, ru, en",
        ),
        (["aigul", "--role", "hr"], PASSWORD, "--person: required, unless the account is admin-only"),
        (["aigul", "--person", "E1"], PASSWORD, "--person: 'E1' is a personnel number in several bodies"),
        (
            ["aigul", "--person", "E9", "--body", "nchr"],
            PASSWORD,
            "--person: no person with personnel number 'E9' in body 'nchr'",
        ),
        (["aigul", "--person", "E1", "--body", "nope"], PASSWORD, "--body: no body 'nope'; known: akimat, nchr"),
        (["aigul", "--person", "E1", "--body", "nchr"], "short", "password (standard input): it must have at least 12"),
        (["aigul", "--person", "E1", "--body", "nchr", "--no-stdin"], None, "--password-stdin: required"),
    ],
)
def test_bagalau_user_add_refuses_bad_input_naming_the_field(
    cli_db: str, body: int, db: Engine, args: list[str], stdin: str | None, message: str
) -> None:
    use_stdin = "--no-stdin" not in args
    args = [a for a in args if a != "--no-stdin"]
    code, output = run(
        "add",
        *args,
        "--db",
        cli_db,
        *(["--password-stdin"] if use_stdin else []),
        stdin=f"{stdin}\n" if stdin else None,
    )
    assert code == 2 and message in output, output
    assert "Traceback" not in output
    with UnitOfWork(db, actor="test") as uow:
        assert uow.users.all() == [], "nothing written"


def test_bagalau_user_add_refuses_a_login_twice(cli_db: str, body: int) -> None:
    args = ["add", "aigul", "--person", "E1", "--body", "nchr", "--db", cli_db, "--password-stdin"]
    assert run(*args, stdin=f"{PASSWORD}\n")[0] == 0
    code, output = run(*args, stdin=f"{PASSWORD}\n")
    assert code == 2 and "LOGIN: 'aigul' exists already" in output
    code, output = run("disable", "nobody", "--db", cli_db)
    assert code == 2 and "LOGIN: no account 'nobody'" in output


def test_bagalau_user_needs_a_migrated_database(fresh_pg_url: str) -> None:
    code, output = run("list", "--db", fresh_pg_url)
    assert code == 1 and "run `bagalau db upgrade` first" in output


# --- bagalau web -------------------------------------------------------------------------------------------------


def test_bagalau_web_serves_until_ctrl_c(pg_app_url: str, body: int, tmp_path: Path) -> None:
    from tests.browser.conftest import free_port

    port = free_port()
    environment = {
        **os.environ,
        "BAGALAU_DATABASE_URL": pg_app_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "BAGALAU_WEB_ENVIRONMENT": "development",
    }
    bagalau = str(Path(sys.executable).parent / "bagalau")
    process = subprocess.Popen(
        [bagalau, "web", "--port", str(port)],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"bagalau web did not start: {process.stdout.read() if process.stdout else ''}")
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "database": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me").status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output and output.rstrip().endswith("stopped")


def test_bagalau_web_refuses_unsafe_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_WEB_ENVIRONMENT", "production")
    monkeypatch.delenv("BAGALAU_WEB_SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["web"])
    assert result.exit_code == 2 and "BAGALAU_WEB_SECRET_KEY is the development default" in result.output
