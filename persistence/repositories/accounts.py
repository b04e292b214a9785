"""Accounts of the web app and API (R-2): logins and their roles, server-side sessions, the login and refusal logs.

An account (``app_user``) is linked to a person of a body, or is admin-only (no person; a body of its own may be
named). Its roles are the ``user_role`` rows granted here or by the identity provider's groups; the person's body
roles (``body_role``, valid on the day asked) are added when the principal is built (:func:`principal_of`,
docs/decisions/0033). Sessions keep only the SHA-256 of their token. Login attempts and refusals are logs: written,
counted and read, never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa

from domain.access import Principal
from domain.vocabulary import Language, Role
from persistence.models import (
    AccessRefusalRow,
    AppUserRow,
    BodyRoleRow,
    BodyRow,
    LoginAttemptRow,
    PersonRow,
    UserRoleRow,
    WebSessionRow,
)
from persistence.records import AccessRefusal, AppUser, LoginAttempt, WebSession
from persistence.repositories.base import NotFound, Repository

#: Outcomes of a login attempt that count towards the rate limits (a refused-because-limited attempt does not).
FAILED_OUTCOMES = ("bad_credentials", "disabled", "no_account")


def principal_of(user: AppUser, body_roles: Iterable[Role] = ()) -> Principal:
    """The principal a logged-in ``user`` acts as: their granted roles plus their person's body roles (R-2).

    An account linked to a person acts as that person (``Principal.of_person``: personnel number and body code);
    an admin-only account has no person and acts with its granted roles only.
    """
    roles = frozenset(user.roles) | frozenset(body_roles)
    if user.person_number is None:
        return Principal(name=user.login, body=user.body_code, roles=roles)
    return Principal.of_person(user.person_number, body=user.body_code, roles=roles, login=user.login)


def _session(row: WebSessionRow) -> WebSession:
    return WebSession(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        method=row.method,
        csrf_secret=row.csrf_secret,
        client=row.client,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
        ended_at=row.ended_at,
    )


def _attempt(row: LoginAttemptRow) -> LoginAttempt:
    return LoginAttempt(row.id, row.at, row.login, row.client, row.outcome, row.user_id, row.method)


def _refusal(row: AccessRefusalRow) -> AccessRefusal:
    return AccessRefusal(
        row.id, row.at, row.user_id, row.actor, row.resource, row.action, row.rule, row.path, row.client
    )


class UserRepository(Repository):
    """Accounts, their roles and sessions, login attempts and access refusals (R-2)."""

    # --- accounts ----------------------------------------------------------------------------------------------

    def add(
        self,
        *,
        login: str,
        person_id: int | None = None,
        body_id: int | None = None,
        roles: Iterable[Role] = (),
        password_hash: str | None = None,
        language: Language | None = None,
    ) -> AppUser:
        """Create an account (``login`` is stored lower-case); the person's body and language are the defaults."""
        person = None if person_id is None else self._get(PersonRow, person_id)
        if person is not None and body_id is not None and body_id != person.body_id:
            raise ValueError(f"person {person.personnel_number} is not of body {body_id}")
        row = self._add(
            AppUserRow(
                login=login.lower(),
                person_id=person_id,
                body_id=person.body_id if person is not None else body_id,
                password_hash=password_hash,
                language=(language or (Language(person.language) if person is not None else Language.KK)).value,
            )
        )
        granted = sorted({Role(role) for role in roles})
        for role in granted:
            self._add(UserRoleRow(user_id=row.id, role=role.value, source="local"))
        self._audit.record(
            "app_user",
            row.id,
            "create",
            after={"login": row.login, "person_id": person_id, "roles": [role.value for role in granted]},
        )
        return self.user(row.id)

    def _select(self) -> sa.Select[tuple[AppUserRow, str | None, str | None, str | None]]:
        return (
            sa.select(AppUserRow, PersonRow.personnel_number, PersonRow.full_name, BodyRow.code)
            .outerjoin(PersonRow, PersonRow.id == AppUserRow.person_id)
            .outerjoin(BodyRow, BodyRow.id == AppUserRow.body_id)
        )

    def _records(self, rows: Iterable[tuple[AppUserRow, str | None, str | None, str | None]]) -> list[AppUser]:
        rows = list(rows)
        roles: dict[int, set[Role]] = {row.id: set() for row, _, _, _ in rows}
        if roles:
            grants = self.session.execute(
                sa.select(UserRoleRow.user_id, UserRoleRow.role).where(UserRoleRow.user_id.in_(list(roles)))
            )
            for user_id, role in grants:
                roles[user_id].add(Role(role))
        return [
            AppUser(
                id=row.id,
                login=row.login,
                person_id=row.person_id,
                person_number=number,
                person_name=name,
                body_id=row.body_id,
                body_code=code,
                password_hash=row.password_hash,
                disabled=row.disabled,
                language=Language(row.language),
                roles=frozenset(roles[row.id]),
                created_at=row.created_at,
                last_login_at=row.last_login_at,
            )
            for row, number, name, code in rows
        ]

    def user(self, user_id: int) -> AppUser:
        found = self._records(self.session.execute(self._select().where(AppUserRow.id == user_id)).tuples())
        if not found:
            raise NotFound("app_user", user_id)
        return found[0]

    def by_login(self, login: str) -> AppUser | None:
        """The account of ``login`` (case-insensitive), or ``None``."""
        statement = self._select().where(AppUserRow.login == login.lower())
        found = self._records(self.session.execute(statement).tuples())
        return found[0] if found else None

    def all(self) -> list[AppUser]:
        """Every account, by login."""
        return self._records(self.session.execute(self._select().order_by(AppUserRow.login)).tuples())

    def _row(self, user_id: int) -> AppUserRow:
        return self._get(AppUserRow, user_id, for_update=True)

    def set_disabled(self, user_id: int, disabled: bool, *, at: datetime, reason: str | None = None) -> bool:
        """Disable (or enable) an account; disabling ends its open sessions at ``at``. Whether anything changed."""
        changed = self._update(
            self._row(user_id), {"disabled": disabled}, allowed={"disabled"}, entity_id=user_id, reason=reason
        )
        if disabled:
            self.end_sessions_of(user_id, at=at)
        return bool(changed)

    def set_language(self, user_id: int, language: Language) -> bool:
        """Store the account's language for the pages (kk, ru, en)."""
        row = self._row(user_id)
        return bool(self._update(row, {"language": language}, allowed={"language"}, entity_id=user_id, reason=None))

    def set_password_hash(self, user_id: int, password_hash: str | None, *, reason: str | None = None) -> None:
        """Replace the stored hash (a new password, or a re-hash with stronger parameters); the audit row says only
        that it changed."""
        row = self._row(user_id)
        if row.password_hash != password_hash:
            row.password_hash = password_hash
            self.session.flush()
            self._audit.record("app_user", user_id, "set_password", reason=reason)

    def record_login(self, user_id: int, at: datetime) -> None:
        """Remember when the account last logged in (not audited: the login log has every attempt)."""
        self._row(user_id).last_login_at = at
        self.session.flush()

    def replace_roles(self, user_id: int, roles: Iterable[Role], *, source: str) -> bool:
        """Make the account's roles of ``source`` (``local`` or ``oidc``) exactly ``roles``; audited if changed.

        A role already granted from the other source stays as it is.
        """
        wanted = {Role(role) for role in roles}
        rows = self.session.execute(sa.select(UserRoleRow).where(UserRoleRow.user_id == user_id)).scalars().all()
        held = {Role(row.role): row for row in rows}
        before = sorted(role.value for role, row in held.items() if row.source == source)
        for role, row in held.items():
            if row.source == source and role not in wanted:
                self.session.delete(row)
        for role in sorted(wanted - set(held)):
            self.session.add(UserRoleRow(user_id=user_id, role=role.value, source=source))
        self.session.flush()
        after = sorted(role.value for role in wanted if role not in held or held[role].source == source)
        if before == after:
            return False
        self._audit.record("user_role", user_id, "replace", before={source: before}, after={source: after})
        return True

    def body_roles(self, user: AppUser, on: date) -> frozenset[Role]:
        """The body roles (``body_role``) of the account's person valid on ``on`` (none for an admin-only account)."""
        if user.person_id is None:
            return frozenset()
        statement = sa.select(BodyRoleRow.role).where(
            BodyRoleRow.person_id == user.person_id,
            sa.or_(BodyRoleRow.started_on.is_(None), BodyRoleRow.started_on <= on),
            sa.or_(BodyRoleRow.ended_on.is_(None), BodyRoleRow.ended_on >= on),
        )
        return frozenset(Role(role) for role in self.session.execute(statement).scalars())

    def principal(self, user: AppUser, on: date) -> Principal:
        """The principal ``user`` acts as on ``on``: granted roles ∪ the person's body roles of that day."""
        return principal_of(user, self.body_roles(user, on))

    # --- sessions ----------------------------------------------------------------------------------------------

    def open_session(
        self,
        *,
        user_id: int,
        token_hash: str,
        kind: str,
        csrf_secret: str,
        created_at: datetime,
        expires_at: datetime,
        method: str = "password",
        client: str | None = None,
    ) -> WebSession:
        """Start a session whose token hashes to ``token_hash`` (the token itself is never stored)."""
        row = WebSessionRow(
            token_hash=token_hash,
            user_id=user_id,
            kind=kind,
            method=method,
            csrf_secret=csrf_secret,
            client=client[:64] if client else None,
            created_at=created_at,
            expires_at=expires_at,
            last_seen_at=created_at,
        )
        return _session(self._add(row))

    def session_by_token(self, token_hash: str, *, kind: str) -> tuple[WebSession, AppUser] | None:
        """The session of that token (of that kind) and its account, ended or not (the caller checks expiry)."""
        statement = sa.select(WebSessionRow).where(WebSessionRow.token_hash == token_hash, WebSessionRow.kind == kind)
        row = self.session.execute(statement).scalar_one_or_none()
        if row is None:
            return None
        return _session(row), self.user(row.user_id)

    def touch_session(self, session_id: int, at: datetime) -> None:
        """Record that the session was used at ``at`` (the idle timeout counts from there)."""
        self.session.execute(sa.update(WebSessionRow).where(WebSessionRow.id == session_id).values(last_seen_at=at))

    def end_session(self, session_id: int, at: datetime) -> None:
        """Log out: the session ends at ``at`` (kept for the record; a purge removes old rows)."""
        self.session.execute(
            sa.update(WebSessionRow)
            .where(WebSessionRow.id == session_id, WebSessionRow.ended_at.is_(None))
            .values(ended_at=at)
        )

    def end_sessions_of(self, user_id: int, *, at: datetime) -> int:
        """End every open session of an account (it was disabled); how many were open."""
        result = self.session.execute(
            sa.update(WebSessionRow)
            .where(WebSessionRow.user_id == user_id, WebSessionRow.ended_at.is_(None))
            .values(ended_at=at)
        )
        return int(result.rowcount or 0)

    def sessions_of(self, user_id: int) -> list[WebSession]:
        statement = sa.select(WebSessionRow).where(WebSessionRow.user_id == user_id).order_by(WebSessionRow.id)
        return [_session(row) for row in self.session.execute(statement).scalars()]

    def purge_sessions(self, *, before: datetime) -> int:
        """Delete the sessions that expired or ended before ``before``; how many."""
        result = self.session.execute(
            sa.delete(WebSessionRow).where(sa.or_(WebSessionRow.expires_at < before, WebSessionRow.ended_at < before))
        )
        return int(result.rowcount or 0)

    # --- the login log -----------------------------------------------------------------------------------------

    def record_attempt(
        self,
        *,
        login: str,
        client: str,
        outcome: str,
        at: datetime,
        user_id: int | None = None,
        method: str = "password",
    ) -> None:
        """Log one login attempt (``login`` as typed, cut to 200 characters)."""
        self._add(
            LoginAttemptRow(
                at=at, login=login.lower()[:200], client=client[:64], outcome=outcome, user_id=user_id, method=method
            )
        )

    def failures_since(self, since: datetime, *, login: str | None = None, client: str | None = None) -> int:
        """How many failed attempts (for ``login`` and/or from ``client``) since ``since``: the rate limits."""
        statement = sa.select(sa.func.count()).where(
            LoginAttemptRow.at >= since, LoginAttemptRow.outcome.in_(FAILED_OUTCOMES)
        )
        if login is not None:
            statement = statement.where(LoginAttemptRow.login == login.lower()[:200])
        if client is not None:
            statement = statement.where(LoginAttemptRow.client == client[:64])
        return int(self.session.execute(statement).scalar_one())

    def oldest_failure_since(
        self, since: datetime, *, login: str | None = None, client: str | None = None
    ) -> datetime | None:
        """When the oldest failure counted since ``since`` happened (the limit lifts a window after it)."""
        statement = sa.select(sa.func.min(LoginAttemptRow.at)).where(
            LoginAttemptRow.at >= since, LoginAttemptRow.outcome.in_(FAILED_OUTCOMES)
        )
        if login is not None:
            statement = statement.where(LoginAttemptRow.login == login.lower()[:200])
        if client is not None:
            statement = statement.where(LoginAttemptRow.client == client[:64])
        return self.session.execute(statement).scalar_one()

    def attempts(self, *, login: str | None = None, limit: int = 100) -> list[LoginAttempt]:
        """The latest login attempts (of ``login``), newest first."""
        statement = sa.select(LoginAttemptRow).order_by(LoginAttemptRow.id.desc()).limit(limit)
        if login is not None:
            statement = statement.where(LoginAttemptRow.login == login.lower()[:200])
        return [_attempt(row) for row in self.session.execute(statement).scalars()]

    # --- the refusal log ---------------------------------------------------------------------------------------

    def record_refusal(
        self,
        *,
        actor: str,
        resource: str,
        action: str,
        at: datetime,
        user_id: int | None = None,
        rule: str = "R-2",
        path: str | None = None,
        client: str | None = None,
    ) -> None:
        """Log an access refused by ``rule`` (answered as if ``resource`` did not exist)."""
        self._add(
            AccessRefusalRow(
                at=at,
                user_id=user_id,
                actor=actor[:200],
                resource=resource[:200],
                action=action[:64],
                rule=rule[:16],
                path=path[:500] if path else None,
                client=client[:64] if client else None,
            )
        )

    def refusals(self, *, user_id: int | None = None, limit: int = 100) -> list[AccessRefusal]:
        """The latest refusals (of an account), newest first."""
        statement = sa.select(AccessRefusalRow).order_by(AccessRefusalRow.id.desc()).limit(limit)
        if user_id is not None:
            statement = statement.where(AccessRefusalRow.user_id == user_id)
        return [_refusal(row) for row in self.session.execute(statement).scalars()]
