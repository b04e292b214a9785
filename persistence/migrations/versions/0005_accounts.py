"""Accounts of the web app and API: logins with several roles, server-side sessions, the login and refusal logs.

- ``app_user`` loses its single ``role`` (and 0001's word list without ``admin``) and ``active``; it gains
  ``body_id`` (the person's body, or an admin-only account's), ``disabled``, ``language`` and ``last_login_at``.
  Existing rows keep their role as a ``user_role`` row where it is one an account may hold (``operator`` becomes
  ``admin``; ``evaluator``/``employee`` were relations, not roles, and are dropped), ``disabled = NOT active``, and
  the linked person's body and language.
- ``user_role``: the roles granted to an account (hr, hr_head, appointing_official, admin), locally or by the
  identity provider's groups.
- ``web_session``: server-side sessions (the token's SHA-256, never the token), cookie or bearer.
- ``login_attempt``: every login attempt (the rate limits count the failures); ``access_refusal``: every access
  R-2 refused. On PostgreSQL the application role may only add to and read ``access_refusal`` (an audit record),
  and add, read and purge ``login_attempt``.

Downgrade restores 0001's ``app_user`` (one role per account: the strongest granted; admin-only accounts become
``operator``) and drops the new tables.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_ROLES = "'hr', 'hr_head', 'evaluator', 'employee', 'appointing_official', 'operator'"


def upgrade() -> None:
    _create_user_role()
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("body_id", sa.Integer(), nullable=True, comment="the person's body, or the admin's; NULL: none")
        )
        batch.add_column(
            sa.Column(
                "disabled",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="a disabled account cannot log in",
            )
        )
        batch.add_column(
            sa.Column(
                "language",
                sa.String(length=2),
                nullable=False,
                server_default="kk",
                comment="kk, ru or en: the pages' language",
            )
        )
        batch.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "INSERT INTO user_role (user_id, role, source, granted_at) "
        "SELECT id, CASE role WHEN 'operator' THEN 'admin' ELSE role END, 'local', created_at FROM app_user "
        "WHERE role IN ('hr', 'hr_head', 'appointing_official', 'operator')"
    )
    op.execute(
        "UPDATE app_user SET disabled = NOT active, "
        "body_id = (SELECT person.body_id FROM person WHERE person.id = app_user.person_id), "
        "language = COALESCE((SELECT person.language FROM person WHERE person.id = app_user.person_id), 'kk')"
    )
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("disabled", server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch.alter_column("language", server_default=None, existing_type=sa.String(length=2), existing_nullable=False)
        batch.drop_constraint(op.f("ck_app_user_role_valid"), type_="check")
        batch.drop_column("role")
        batch.drop_column("active")
        batch.create_check_constraint(op.f("ck_app_user_language_valid"), "language IN ('kk', 'ru', 'en')")
        batch.create_index(op.f("ix_app_user_body_id"), ["body_id"], unique=False)
        batch.create_foreign_key(op.f("fk_app_user_body_id_body"), "body", ["body_id"], ["id"])
        batch.alter_column(
            "login",
            existing_type=sa.String(length=200),
            existing_nullable=False,
            comment="lower case; what a person types",
        )
        batch.alter_column(
            "person_id", existing_type=sa.Integer(), existing_nullable=True, comment="NULL: an admin-only account"
        )
        batch.alter_column(
            "password_hash",
            existing_type=sa.String(length=500),
            existing_nullable=True,
            comment="argon2id; NULL: single sign-on only",
            existing_comment="NULL: SSO only",
        )
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments
        op.create_table_comment(
            "app_user",
            "A login of the web app and API: linked to a person (or admin-only), with a password hash or single "
            "sign-on.",
            existing_comment="A dashboard login and its role (R-2: who may see which result).",
        )
    _create_web_session()
    _create_login_attempt()
    _create_access_refusal()
    if op.get_bind().dialect.name == "postgresql":
        _grant(str(context.config.attributes["app_role"]))


def _create_user_role() -> None:
    op.create_table(
        "user_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False, comment="local (granted here) or oidc (IdP group)"),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('hr', 'hr_head', 'appointing_official', 'admin')", name=op.f("ck_user_role_role_valid")
        ),
        sa.CheckConstraint("source IN ('local', 'oidc')", name=op.f("ck_user_role_source_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_role")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_user_role_user_id_role")),
        comment="A role granted to an account (R-2): HR, HR head, appointing official, admin; several per account.",
    )


def _create_web_session() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", BigId, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="hex SHA-256 of the token"),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="cookie (CSRF-checked) or bearer"),
        sa.Column("method", sa.String(length=16), nullable=False, comment="password or oidc"),
        sa.Column(
            "csrf_secret", sa.String(length=64), nullable=False, comment="the session's CSRF token (masked in forms)"
        ),
        sa.Column("client", sa.String(length=64), nullable=True, comment="client address at login"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, comment="absolute end of the session"),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True, comment="logout"),
        sa.CheckConstraint("kind IN ('cookie', 'bearer')", name=op.f("ck_web_session_kind_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_web_session_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
        comment="A server-side login session: only the SHA-256 of its token is stored; ended by logout, expiry or "
        "idleness.",
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"], unique=False)


def _create_login_attempt() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False, comment="as typed (lower-cased, cut to 200)"),
        sa.Column("client", sa.String(length=64), nullable=False, comment="the client's address"),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False, comment="password or oidc"),
        sa.CheckConstraint(
            "outcome IN ('ok', 'bad_credentials', 'disabled', 'rate_limited', 'no_account')",
            name=op.f("ck_login_attempt_outcome_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_login_attempt_user_id_app_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
        comment="One login attempt, good or bad: the log of logins and the counter behind the rate limits.",
    )
    op.create_index(op.f("ix_login_attempt_client_at"), "login_attempt", ["client", "at"], unique=False)
    op.create_index(op.f("ix_login_attempt_login_at"), "login_attempt", ["login", "at"], unique=False)


def _create_access_refusal() -> None:
    op.create_table(
        "access_refusal",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False, comment="the principal's audit name"),
        sa.Column("resource", sa.String(length=200), nullable=False, comment="what was asked for: evaluation:42 …"),
        sa.Column("action", sa.String(length=64), nullable=False, comment="read, act …"),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=True, comment="the request's path"),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_access_refusal_user_id_app_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_refusal")),
        comment="An access refused by R-2 (or another rule): who asked for what, when; the request was answered 404.",
    )
    op.create_index(op.f("ix_access_refusal_at"), "access_refusal", ["at"], unique=False)
    op.create_index(op.f("ix_access_refusal_user_id"), "access_refusal", ["user_id"], unique=False)


def _grant(role: str) -> None:
    """DML for the application role; the two logs are append-only for it (login attempts may be purged)."""
    for table in ("user_role", "web_session", "login_attempt", "access_refusal"):
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO "{role}"')
        op.execute(f'GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO "{role}"')
    op.execute(f'REVOKE UPDATE, TRUNCATE ON login_attempt FROM "{role}"')
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON access_refusal FROM "{role}"')


def downgrade() -> None:
    op.drop_index(op.f("ix_access_refusal_user_id"), table_name="access_refusal")
    op.drop_index(op.f("ix_access_refusal_at"), table_name="access_refusal")
    op.drop_table("access_refusal")
    op.drop_index(op.f("ix_login_attempt_login_at"), table_name="login_attempt")
    op.drop_index(op.f("ix_login_attempt_client_at"), table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index(op.f("ix_web_session_user_id"), table_name="web_session")
    op.drop_table("web_session")
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("role", sa.String(length=32), nullable=False, server_default="employee"))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    # One role per account again: the strongest granted one (admin-only accounts become 0001's 'operator').
    op.execute(
        "UPDATE app_user SET active = NOT disabled, role = COALESCE(("
        "SELECT CASE MIN(CASE r.role WHEN 'hr_head' THEN 1 WHEN 'hr' THEN 2 WHEN 'appointing_official' THEN 3 "
        "ELSE 4 END) WHEN 1 THEN 'hr_head' WHEN 2 THEN 'hr' WHEN 3 THEN 'appointing_official' "
        "WHEN 4 THEN 'operator' END "
        "FROM user_role r WHERE r.user_id = app_user.id), 'employee')"
    )
    with op.batch_alter_table("app_user") as batch:
        batch.alter_column("role", server_default=None, existing_type=sa.String(length=32), existing_nullable=False)
        batch.alter_column("active", server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch.create_check_constraint(op.f("ck_app_user_role_valid"), f"role IN ({OLD_ROLES})")
        batch.drop_constraint(op.f("ck_app_user_language_valid"), type_="check")
        batch.drop_constraint(op.f("fk_app_user_body_id_body"), type_="foreignkey")
        batch.drop_index(op.f("ix_app_user_body_id"))
        batch.drop_column("last_login_at")
        batch.drop_column("language")
        batch.drop_column("disabled")
        batch.drop_column("body_id")
        batch.alter_column("login", existing_type=sa.String(length=200), existing_nullable=False, comment=None)
        batch.alter_column("person_id", existing_type=sa.Integer(), existing_nullable=True, comment=None)
        batch.alter_column(
            "password_hash", existing_type=sa.String(length=500), existing_nullable=True, comment="NULL: SSO only"
        )
    if op.get_bind().dialect.name == "postgresql":
        op.create_table_comment(
            "app_user",
            "A dashboard login and its role (R-2: who may see which result).",
            existing_comment="A login of the web app and API: linked to a person (or admin-only), with a password "
            "hash or single sign-on.",
        )
    op.drop_table("user_role")
