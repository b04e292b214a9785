"""Alembic environment of Bagalau: migrates the connection it is given, or the database named on the command line.

``persistence.db.upgrade(engine)`` (what ``bagalau db``, the tests and the simulator call) passes its connection in
``config.attributes["connection"]`` and the application role in ``config.attributes["app_role"]``. The ``alembic``
command line names the database itself: ``alembic -c persistence/alembic.ini -x url=postgresql://… [-x
app_role=bagalau_app] upgrade head`` (nothing here reads Bagalau's settings: that is the entrances' job). On SQLite,
foreign keys are switched off while migrating (batch operations rebuild tables, and a rebuilt table must not
cascade deletes) and checked afterwards.
"""

from __future__ import annotations

import logging.config
from typing import Any

import sqlalchemy as sa
from alembic import context

from persistence.models import metadata

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as the plain SQL types they are, so revisions do not import application code."""
    if type_ != "type" or not isinstance(obj, sa.types.TypeDecorator):
        return False
    impl = obj.impl_instance
    if isinstance(impl, sa.DateTime):
        return f"sa.DateTime(timezone={impl.timezone!r})"
    if isinstance(impl, sa.Numeric):
        return f"sa.Numeric(precision={impl.precision!r}, scale={impl.scale!r})"
    if isinstance(impl, sa.String):
        return f"sa.String(length={impl.length!r})" if impl.length else "sa.String()"
    return False


DEFAULT_APP_ROLE = "bagalau_app"
"""The application role when the command line names none (``BAGALAU_APP_ROLE``'s default)."""


def _app_role() -> str:
    role = config.attributes.get("app_role") or context.get_x_argument(as_dictionary=True).get("app_role")
    return str(role or DEFAULT_APP_ROLE)


def _database_url() -> str:
    """The database the ``alembic`` command line migrates: ``-x url=…``, else ``sqlalchemy.url`` of the ini file."""
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            "no database to migrate: use `bagalau db upgrade` (it reads BAGALAU_DATABASE_URL), "
            "or `alembic -c persistence/alembic.ini -x url=postgresql://… upgrade head`"
        )
    return url


def _migrate(connection: sa.Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A PRAGMA is ignored inside a transaction: run it on the raw connection before Alembic begins one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    config.attributes.setdefault("app_role", _app_role())
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        transactional_ddl=True,  # SQLite DDL is transactional too: a failed migration leaves nothing behind
        render_item=_render_item,
        compare_type=True,
        transaction_per_migration=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if problems:
                raise RuntimeError(f"migration left rows violating foreign keys: {problems[:10]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def run_migrations_offline() -> None:
    """Print the SQL of the migrations instead of running it (``alembic upgrade --sql``)."""
    config.attributes.setdefault("app_role", _app_role())
    context.configure(
        url=_database_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the connection passed in by ``persistence.db``, or connect to the configured database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    if config.config_file_name:
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    from persistence.db import make_engine

    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
