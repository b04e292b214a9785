"""Engines and migrations: ``make_engine(url)`` for either database, and ``upgrade``/``downgrade``/``current``.

The schema exists only through the Alembic migrations in ``persistence/migrations``; ``upgrade(engine)`` is the one
way to build a database (the CLI, the tests and the simulator all call it).

PostgreSQL runs through psycopg 3. SQLite (the embedded default) is set up to behave like a real database: foreign
keys enforced, WAL journal, a busy timeout, and ``BEGIN IMMEDIATE`` transactions so that two writers queue up
instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from persistence.urls import normalize_database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def _json_default(value: Any) -> Any:
    # Scores are Decimals: stored as JSON numbers (every score has at most four decimals, exact in a double).
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """Serialize a JSON column value: Decimals, dates, enums and UUIDs included; keys kept in order, UTF-8 kept."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def make_engine(url: str, *, role: str | None = None, echo: bool = False) -> Engine:
    """An engine for a Bagalau database URL; ``role``: PostgreSQL role to ``SET ROLE`` to on every connection.

    Production connects as a login that is a member of the application role (see docs/schema.md); the tests
    connect as the owner and pass ``role`` so that every repository test runs with the application's grants.
    """
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        if role:
            raise ValueError("SQLite has no roles: role= is for PostgreSQL only")
        return _sqlite_engine(url, echo=echo)
    engine = sa.create_engine(url, echo=echo, pool_pre_ping=True, json_serializer=dumps)
    if role:
        _set_role_on_connect(engine, role)
    return engine


def _set_role_on_connect(engine: Engine, role: str) -> None:
    from psycopg import sql

    @sa.event.listens_for(engine, "connect")
    def _set_role(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        dbapi_connection.commit()


class PrivilegedLoginError(RuntimeError):
    """The application would run with more rights than its role: as a superuser or the schema's owner."""


def check_login(engine: Engine, *, app_role: str, development: bool) -> str:
    """Refuse (``PrivilegedLoginError``) an application engine that logs in as a superuser or the schema owner.

    The application role's grants and the database's triggers only bind the role they are written for: a superuser
    session can ``RESET ROLE`` or disable the triggers, and the owner can do both (issue 12, docs/decisions/0064).
    Outside ``development`` the login of ``BAGALAU_DATABASE_URL`` must be a plain member of ``app_role``. In
    development the check only describes what it found. SQLite has no roles and is exempt: whoever opens the file
    can change anything, and the answer says so. Returns a one-line description of the login.
    """
    if engine.dialect.name != "postgresql":
        return "embedded SQLite: no database roles (exempt from the role check; the file's reader can change anything)"
    query = """
        SELECT session_user::text, current_user::text,
               (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user),
               (SELECT tableowner::text FROM pg_catalog.pg_tables
                 WHERE schemaname = current_schema() AND tablename = 'audit_log')
    """
    with engine.connect() as connection:
        login, acting, superuser, owner = connection.exec_driver_sql(query).one()
        owns = bool(owner) and bool(
            connection.execute(sa.text("SELECT pg_has_role(session_user, :owner, 'MEMBER')"), {"owner": owner}).scalar()
        )
    problems = []
    if superuser:
        problems.append(f"logs in as {login!r}, a superuser (it can RESET ROLE and switch the triggers off)")
    elif owns:
        problems.append(f"logs in as {login!r}, the owner of the tables (or a member of {owner!r})")
    if acting != app_role:
        problems.append(f"acts as {acting!r}, not the application role {app_role!r}")
    description = f"database login {login!r} acting as {acting!r}"
    if problems and not development:
        raise PrivilegedLoginError(
            f"BAGALAU_DATABASE_URL {'; '.join(problems)}. Outside development the application must log in as a "
            f"member of {app_role!r} only (CREATE ROLE bagalau_web LOGIN PASSWORD '…' IN ROLE {app_role}); "
            "migrations run with BAGALAU_OWNER_DATABASE_URL (`bagalau db upgrade`). "
            "Set BAGALAU_ENVIRONMENT=development to run anyway on a development machine."
        )
    return description + (f" (development: {'; '.join(problems)})" if problems else "")


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = sa.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, echo=echo, json_serializer=dumps, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the "begin" hook below) instead of sqlite3's own guesses.
        dbapi_connection.isolation_level = None
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 30000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Take the write lock up front: a transaction that reads then writes cannot deadlock with another writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# --- migrations --------------------------------------------------------------------------------------------------


def alembic_config(connection: sa.Connection | None = None, *, app_role: str | None = None) -> Config:
    """The Alembic configuration of Bagalau's migrations, bound to ``connection`` when given.

    Without a connection, ``env.py`` migrates the database of the command line's ``-x url=…``.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    if app_role is not None:
        config.attributes["app_role"] = app_role
    return config


def _with_engine(target: Engine | str) -> Engine:
    return target if isinstance(target, Engine) else make_engine(target)


def upgrade(target: Engine | str, revision: str = "head", *, app_role: str | None = None) -> None:
    """Migrate the database of ``target`` (an engine or a URL) up to ``revision`` (default: the latest)."""
    engine = _with_engine(target)
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection, app_role=app_role), revision)
    if not isinstance(target, Engine):
        engine.dispose()


def downgrade(target: Engine | str, revision: str = "-1", *, app_role: str | None = None) -> None:
    """Migrate the database of ``target`` down to ``revision`` (default: one step; ``"base"``: empty database)."""
    engine = _with_engine(target)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection, app_role=app_role), revision)
    if not isinstance(target, Engine):
        engine.dispose()


def current(target: Engine | str) -> str | None:
    """The revision the database of ``target`` is at (``None``: not migrated at all)."""
    engine = _with_engine(target)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


def head() -> str:
    """The latest revision of the migrations shipped with this version of Bagalau."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({', '.join(heads)}); merge them")
    return heads[0]
