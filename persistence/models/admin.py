"""The append-only audit log (R-4), accounts and their sessions, login and refusal logs (R-2), retention (R-1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import Language, Role
from persistence.models.base import BigId, Instant, Json, Table, now_utc, one_of, ref, text


class AuditLogRow(Table, table=True):
    """Who changed what, when, from what to what, and why (R-4). Append-only: the database refuses UPDATE/DELETE.

    Written by ``UnitOfWork.audit`` in the same transaction as the change it describes, so a rolled-back change
    leaves no audit row and a committed one always has its row (docs/decisions/0003).
    """

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index(None, "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(default_factory=now_utc, sa_type=Instant, index=True)
    actor: str = Field(max_length=200, sa_column_kwargs={"comment": "a user login, a person, or flow:<name>"})
    entity: str = Field(max_length=64, sa_column_kwargs={"comment": "table name of the changed row"})
    entity_id: str = Field(max_length=64)
    action: str = Field(max_length=64, sa_column_kwargs={"comment": "snake_case: create, update, compose, purge …"})
    before: dict[str, Any] | None = Field(default=None, sa_type=Json)
    after: dict[str, Any] | None = Field(default=None, sa_type=Json)
    reason: str | None = text()


#: Roles an account may be granted (``user_role``); evaluator, evaluatee, panel member are relations, not roles.
GRANTABLE_ROLES = (Role.HR, Role.HR_HEAD, Role.APPOINTING_OFFICIAL, Role.ADMIN)

#: How a web session is carried: an HttpOnly cookie (CSRF-checked) or an ``Authorization: Bearer`` token.
SESSION_KINDS = ("cookie", "bearer")

#: Why a login attempt ended as it did (``login_attempt.outcome``).
LOGIN_OUTCOMES = ("ok", "bad_credentials", "disabled", "rate_limited", "no_account")

#: Where a role grant comes from: granted by a person (``bagalau user add``) or by the identity provider's groups.
ROLE_SOURCES = ("local", "oidc")


class AppUserRow(Table, table=True):
    """A login of the web app and API: linked to a person (or admin-only), with a password hash or single sign-on.

    The roles are rows of ``user_role``; the linked person's body roles (``body_role``) are added when a session's
    principal is built (docs/decisions/0033).
    """

    __tablename__ = "app_user"
    __table_args__ = (one_of("language", Language),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=200, unique=True, sa_column_kwargs={"comment": "lower case; what a person types"})
    person_id: int | None = ref("person.id", nullable=True, comment="NULL: an admin-only account")
    body_id: int | None = ref("body.id", nullable=True, comment="the person's body, or the admin's; NULL: none")
    password_hash: str | None = Field(
        default=None, max_length=500, sa_column_kwargs={"comment": "argon2id; NULL: single sign-on only"}
    )
    disabled: bool = Field(default=False, sa_column_kwargs={"comment": "a disabled account cannot log in"})
    language: str = Field(
        default=Language.KK.value, max_length=2, sa_column_kwargs={"comment": "kk, ru or en: the pages' language"}
    )
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    last_login_at: datetime | None = Field(default=None, sa_type=Instant)


class UserRoleRow(Table, table=True):
    """A role granted to an account (R-2): HR, HR head, appointing official, admin; several per account."""

    __tablename__ = "user_role"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role"),
        one_of("role", GRANTABLE_ROLES),
        one_of("source", ROLE_SOURCES),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = ref("app_user.id", ondelete="CASCADE", index=False)
    role: str = Field(max_length=32)
    source: str = Field(
        default="local", max_length=8, sa_column_kwargs={"comment": "local (granted here) or oidc (IdP group)"}
    )
    granted_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class WebSessionRow(Table, table=True):
    """A server-side login session: only the SHA-256 of its token is stored; ended by logout, expiry or idleness."""

    __tablename__ = "web_session"
    __table_args__ = (one_of("kind", SESSION_KINDS),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    token_hash: str = Field(max_length=64, unique=True, sa_column_kwargs={"comment": "hex SHA-256 of the token"})
    user_id: int = ref("app_user.id", ondelete="CASCADE")
    kind: str = Field(max_length=8, sa_column_kwargs={"comment": "cookie (CSRF-checked) or bearer"})
    method: str = Field(default="password", max_length=16, sa_column_kwargs={"comment": "password or oidc"})
    csrf_secret: str = Field(max_length=64, sa_column_kwargs={"comment": "the session's CSRF token (masked in forms)"})
    client: str | None = Field(default=None, max_length=64, sa_column_kwargs={"comment": "client address at login"})
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    expires_at: datetime = Field(sa_type=Instant, sa_column_kwargs={"comment": "absolute end of the session"})
    last_seen_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    ended_at: datetime | None = Field(default=None, sa_type=Instant, sa_column_kwargs={"comment": "logout"})


class LoginAttemptRow(Table, table=True):
    """One login attempt, good or bad: the log of logins and the counter behind the rate limits."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index(None, "login", "at"),
        sa.Index(None, "client", "at"),
        one_of("outcome", LOGIN_OUTCOMES),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    login: str = Field(max_length=200, sa_column_kwargs={"comment": "as typed (lower-cased, cut to 200)"})
    client: str = Field(max_length=64, sa_column_kwargs={"comment": "the client's address"})
    outcome: str = Field(max_length=16)
    user_id: int | None = ref("app_user.id", nullable=True, ondelete="SET NULL", index=False)
    method: str = Field(default="password", max_length=16, sa_column_kwargs={"comment": "password or oidc"})


class AccessRefusalRow(Table, table=True):
    """An access refused by R-2 (or another rule): who asked for what, when; the request was answered 404."""

    __tablename__ = "access_refusal"
    __table_args__ = (sa.Index(None, "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    user_id: int | None = ref("app_user.id", nullable=True, ondelete="SET NULL")
    actor: str = Field(max_length=200, sa_column_kwargs={"comment": "the principal's audit name"})
    resource: str = Field(max_length=200, sa_column_kwargs={"comment": "what was asked for: evaluation:42 …"})
    action: str = Field(max_length=64, sa_column_kwargs={"comment": "read, act …"})
    rule: str = Field(default="R-2", max_length=16)
    path: str | None = Field(default=None, max_length=500, sa_column_kwargs={"comment": "the request's path"})
    client: str | None = Field(default=None, max_length=64)


class RetentionRecordRow(Table, table=True):
    """The record of one retention purge: what was removed, up to which date, by whom (R-1)."""

    __tablename__ = "retention_record"

    id: int | None = Field(default=None, primary_key=True)
    purged_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    actor: str = Field(max_length=200)
    entity: str = Field(max_length=64, sa_column_kwargs={"comment": "what was purged, e.g. evaluation"})
    cutoff_on: date = Field(sa_column_kwargs={"comment": "documents whose evaluation ended before this day"})
    rows: int
    detail: dict[str, Any] | None = Field(default=None, sa_type=Json, sa_column_kwargs={"comment": "ids, labels"})
