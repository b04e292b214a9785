"""Fixtures shared by every test tier: a real PostgreSQL database and an embedded SQLite one, both migrated.

PostgreSQL (the production database, and the default for tests):

- once per test session, a throwaway database ``bagalau_test_<random>`` is created on the server of
  ``BAGALAU_TEST_DATABASE_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), migrated with
  ``persistence.db.upgrade``, and dropped at the end (its connections terminated first);
- ``pg_engine`` (alias ``db``): an engine that logs in as ``bagalau_app_login`` (a member of the application and
  retention roles only, like production's login) and runs as the application role (``SET ROLE bagalau_app``), so
  tests exercise the grants production has (``pg_app_url`` is its URL); every table is emptied and every id
  sequence restarted before each test;
- ``pg_owner_engine``: the same database as its owner (a superuser on the test server), for what the application
  may not do (reading raw 360 answers, checking triggers against the owner);
- ``pg_server_url``: the server, to create further databases (``fresh_pg_url`` does, for migration tests).

If the server cannot be reached, every test that needs it **fails** with a message saying so; nothing is skipped.

SQLite: ``sqlite_engine`` is a migrated database file of its own for each test (a copy of one migrated once).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bagalau.settings import normalize_database_url
from persistence.db import make_engine, upgrade
from persistence.models import metadata
from persistence.secrets import generate_key

pytest_plugins = ["tests.integration.smtp"]

# Outside development (a PostgreSQL database) Bagalau refuses to start without the key that seals channel secrets;
# the tests run the CLI against PostgreSQL, so the session has a key of its own (never a real one).
os.environ.setdefault("BAGALAU_SECRET_KEY", generate_key())

DEFAULT_TEST_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
APP_ROLE = os.environ.get("BAGALAU_APP_ROLE", "bagalau_app")
RETENTION_ROLE = f"{APP_ROLE}_retention"
APP_LOGIN = f"{APP_ROLE}_login"
"""The tests' application login: a LOGIN role that is a member of the application and retention roles only — what
production's ``BAGALAU_DATABASE_URL`` logs in as (issue 12: two roles, never the owner)."""


def _admin_engine(url: sa.URL) -> Engine:
    """An autocommit engine for CREATE/DROP DATABASE, which cannot run inside a transaction."""
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_server_url() -> sa.URL:
    """The PostgreSQL server the tests create their databases on; fails (never skips) when it is unreachable."""
    raw = os.environ.get("BAGALAU_TEST_DATABASE_URL", DEFAULT_TEST_SERVER)
    url = sa.make_url(normalize_database_url(raw))
    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)}: {exc.orig}\n"
            "The integration tests need a real PostgreSQL server: start it (`.ci/ensure-postgres`) or set "
            "BAGALAU_TEST_DATABASE_URL to one where the user may create databases.",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return url


def create_database(server: sa.URL, prefix: str = "bagalau_test") -> sa.URL:
    """Create an empty database with a random name on ``server``; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = _admin_engine(server)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return server.set(database=name)


def drop_database(server: sa.URL, name: str) -> None:
    """Drop a test database, disconnecting whoever is still connected to it."""
    engine = _admin_engine(server)
    try:
        with engine.connect() as connection:
            others = (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            )
            connection.execute(sa.text(others), {"db": name})
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url(pg_server_url: sa.URL) -> Iterator[str]:
    """The session's throwaway database, migrated to the latest revision (URL with password)."""
    url = create_database(pg_server_url)
    try:
        upgrade(url.render_as_string(hide_password=False), app_role=APP_ROLE)
        yield url.render_as_string(hide_password=False)
    finally:
        drop_database(pg_server_url, str(url.database))


def ensure_app_login(owner_url: str) -> str:
    """Create (once per server) the application login ``APP_LOGIN``, member of the application and retention roles;
    returns ``owner_url`` logging in as it instead (no password: the test server trusts local connections)."""
    engine = _admin_engine(sa.make_url(owner_url))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f"""
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{APP_LOGIN}') THEN
                        BEGIN
                            CREATE ROLE "{APP_LOGIN}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
                        EXCEPTION WHEN duplicate_object OR unique_violation THEN
                            NULL;
                        END;
                    END IF;
                END
                $$
                """
            )
            connection.exec_driver_sql(f'GRANT "{APP_ROLE}", "{RETENTION_ROLE}" TO "{APP_LOGIN}"')
    finally:
        engine.dispose()
    return sa.make_url(owner_url).set(username=APP_LOGIN, password=None).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_app_url(pg_url: str) -> str:
    """The session's database as the application logs in: ``APP_LOGIN`` (``BAGALAU_DATABASE_URL`` of production);
    ``pg_url`` stays the owner's (``BAGALAU_OWNER_DATABASE_URL``)."""
    return ensure_app_login(pg_url)


@pytest.fixture(scope="session")
def pg_owner_engine(pg_url: str) -> Iterator[Engine]:
    """The test database as its owner (superuser): for what the application role may not do."""
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


# Emptying the tables between tests: DELETE, not TRUNCATE. On tables holding a few rows, DELETE takes milliseconds
# where TRUNCATE of 40-odd tables takes seconds (it swaps every table's and index's files). "Replica" mode switches
# off triggers for the transaction, which means both the audit log's append-only triggers and the foreign-key
# checks (so the order does not matter); then every sequence restarts at 1, as TRUNCATE … RESTART IDENTITY would.
_EMPTY_ALL_TABLES = "; ".join(
    [
        "SET LOCAL session_replication_role = replica",
        "SET LOCAL lock_timeout = '10s'",  # a forgotten open transaction fails the test instead of hanging the run
        *(f'DELETE FROM "{table.name}"' for table in metadata.sorted_tables),
        "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'S' AND n.nspname = current_schema()",
    ]
)


@pytest.fixture
def pg_engine(pg_app_url: str, pg_owner_engine: Engine) -> Iterator[Engine]:
    """An engine on the emptied test database as the application logs in (``APP_LOGIN``, ``SET ROLE`` to the
    application role): its grants apply, and nothing a superuser could undo is within reach."""
    with pg_owner_engine.begin() as connection:
        connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    engine = make_engine(pg_app_url, role=APP_ROLE)
    yield engine
    engine.dispose()


@pytest.fixture
def db(pg_engine: Engine) -> Engine:
    """The database under test: PostgreSQL as the application role (alias of ``pg_engine``)."""
    return pg_engine


@pytest.fixture
def fresh_pg_url(pg_server_url: sa.URL) -> Iterator[str]:
    """An empty, unmigrated database of its own (for migration tests); dropped afterwards."""
    url = create_database(pg_server_url, prefix="bagalau_test_fresh")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        drop_database(pg_server_url, str(url.database))


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "bagalau.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, app_role=APP_ROLE)
    engine.dispose()  # the last connection to close folds the WAL journal into the file, so one file is the copy
    return path


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a migrated SQLite database file of this test's own."""
    path = tmp_path / "bagalau.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
