"""Logging in and out, and who a request is: accounts checked against the database, sessions kept server-side.

:class:`Authenticator` is built once per app (engine, settings, clock) and does the work behind the login page, the
``/api/v1/session`` endpoint and the single sign-on callback:

- :meth:`Authenticator.password_login`: rate limits first (failures per login and per client address within a
  sliding window), then the password (argon2; an unknown login is verified against a dummy hash), every attempt
  logged in ``login_attempt``; unknown login, wrong password and disabled account all get the same answer.
- :meth:`Authenticator.open_session`: a fresh token (only its SHA-256 is stored), a CSRF secret, an absolute
  expiry (``BAGALAU_WEB_SESSION_LIFETIME_MINUTES``) and an idle timeout (``…_IDLE_MINUTES``).
- :meth:`Authenticator.resolve`: the session of a token, its account and the :class:`~domain.access.Principal` it
  acts as today (granted roles ∪ the person's body roles, read afresh on every request so that a role taken away
  takes effect at once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.engine import Engine

from domain.access import Principal
from domain.vocabulary import Language, Role
from persistence.records import AppUser, WebSession
from persistence.uow import UnitOfWork
from web import security
from web.clock import Clock
from web.config import WebSettings

SessionKind = Literal["cookie", "bearer"]
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute per session
LOGIN_ACTOR = "web:login"


@dataclass(frozen=True)
class Login:
    """An authenticated request: its session, the account, and the principal it acts as (R-2)."""

    session: WebSession
    user: AppUser
    principal: Principal
    via: SessionKind

    @property
    def language(self) -> Language:
        return self.user.language

    def csrf_token(self) -> str:
        """A freshly masked CSRF token of this session, for a form's hidden field or the ``X-CSRF-Token`` header."""
        return security.mask_csrf(self.session.csrf_secret)


@dataclass(frozen=True)
class LoggedIn:
    """A successful login: the account."""

    user: AppUser


@dataclass(frozen=True)
class BadCredentials:
    """Unknown login, wrong password or disabled account: one answer for all (no account enumeration)."""


@dataclass(frozen=True)
class RateLimited:
    """Too many failed attempts for this login or from this address; try again after ``retry_after`` seconds."""

    retry_after: int


LoginOutcome = LoggedIn | BadCredentials | RateLimited


@dataclass(frozen=True)
class Expired:
    """The token named a session that has expired (absolute lifetime or idleness): log in again."""


class Authenticator:
    """Accounts, passwords, sessions and rate limits over one database."""

    def __init__(self, engine: Engine, settings: WebSettings, clock: Clock) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock

    def _uow(self, actor: str = LOGIN_ACTOR) -> UnitOfWork:
        return UnitOfWork(self.engine, actor=actor)

    # --- logging in ------------------------------------------------------------------------------------------

    def _limited(self, uow: UnitOfWork, login: str, client: str, now: datetime) -> RateLimited | None:
        window = timedelta(minutes=self.settings.login_window_minutes)
        since = now - window
        checks = (
            ({"login": login}, self.settings.login_max_failures_per_login),
            ({"client": client}, self.settings.login_max_failures_per_client),
        )
        for where, limit in checks:
            if uow.users.failures_since(since, **where) >= limit:
                oldest = uow.users.oldest_failure_since(since, **where) or now
                return RateLimited(retry_after=max(1, int((oldest + window - now).total_seconds()) + 1))
        return None

    def password_login(self, login: str, password: str, *, client: str) -> LoginOutcome:
        """Check ``login``/``password`` under the rate limits; every attempt is logged (``login_attempt``)."""
        typed = login
        login = normalize_login(typed)  # what the log and the rate limits key on
        password = password[: security.MAX_PASSWORD_LENGTH + 1]  # longer never matches; bounded hashing cost
        now = self.clock.now()
        with self._uow() as uow:
            limited = self._limited(uow, login, client, now)
            if limited is not None:
                uow.users.record_attempt(login=login, client=client, outcome="rate_limited", at=now)
                uow.commit()
                return limited
            # A login with control characters or over 200 characters names no account (none can be created so).
            plausible = bool(login) and login == typed.strip().lower()
            user = uow.users.by_login(login) if plausible else None
            # Always one argon2 verification, against a dummy hash when there is no account (constant time).
            matches = security.verify_password(user.password_hash if user else None, password)
            outcome = "ok" if matches else "bad_credentials"
            if user is None:
                outcome = "no_account"
            elif matches and user.disabled:
                outcome = "disabled"
            uow.users.record_attempt(
                login=login, client=client, outcome=outcome, at=now, user_id=user.id if user else None
            )
            if outcome != "ok" or user is None:
                uow.commit()
                return BadCredentials()
            if user.password_hash and security.needs_rehash(user.password_hash):
                uow.users.set_password_hash(user.id, security.hash_password(password), reason="stronger parameters")
            uow.users.record_login(user.id, now)
            uow.commit()
            return LoggedIn(uow.users.user(user.id))

    def sso_login(self, login: str, groups: Iterable[str], *, client: str) -> AppUser | None:
        """The account an identity provider vouched for, its ``oidc`` roles set from ``groups``; ``None``: none.

        The account must exist (HR creates it, with or without a password) and be enabled; the mapped roles replace
        the account's previous ``oidc`` roles (a group the provider took away is a role taken away).
        """
        login = normalize_login(login)
        now = self.clock.now()
        mapping = self.settings.oidc_group_roles
        roles = {mapping[group] for group in groups if group in mapping}
        with self._uow(actor=f"oidc:{login}"[:200]) as uow:
            user = uow.users.by_login(login) if login else None
            outcome = "ok" if user is not None and not user.disabled else ("disabled" if user else "no_account")
            uow.users.record_attempt(
                login=login, client=client, outcome=outcome, at=now, user_id=user.id if user else None, method="oidc"
            )
            if user is None or user.disabled:
                uow.commit()
                return None
            uow.users.replace_roles(user.id, roles, source="oidc")
            uow.users.record_login(user.id, now)
            uow.commit()
            return uow.users.user(user.id)

    # --- sessions --------------------------------------------------------------------------------------------

    def open_session(
        self, user: AppUser, *, kind: SessionKind, client: str | None, method: str = "password"
    ) -> tuple[str, WebSession]:
        """Start a session for ``user``; the token (returned once, never stored) and the session."""
        token = security.new_token()
        now = self.clock.now()
        with self._uow(actor=f"user:{user.login}") as uow:
            session = uow.users.open_session(
                user_id=user.id,
                token_hash=security.token_hash(token),
                kind=kind,
                method=method,
                csrf_secret=security.new_csrf_secret(),
                created_at=now,
                expires_at=now + timedelta(minutes=self.settings.session_lifetime_minutes),
                client=client,
            )
            uow.commit()
        return token, session

    def resolve(self, token: str, *, kind: SessionKind) -> Login | Expired | None:
        """Who ``token`` logs in: the :class:`Login`, :class:`Expired`, or ``None`` (unknown, ended, disabled)."""
        if not token or len(token) > 200:
            return None
        now = self.clock.now()
        with self._uow() as uow:
            found = uow.users.session_by_token(security.token_hash(token), kind=kind)
            if found is None:
                return None
            session, user = found
            if session.ended_at is not None or user.disabled:
                return None
            idle = timedelta(minutes=self.settings.session_idle_minutes)
            if now >= session.expires_at or now - session.last_seen_at >= idle:
                uow.users.end_session(session.id, now)
                uow.commit()
                return Expired()
            if now - session.last_seen_at >= TOUCH_EVERY:
                uow.users.touch_session(session.id, now)
            principal = uow.users.principal(user, self.clock.today())
            uow.commit()
        return Login(session=session, user=user, principal=principal, via=kind)

    def user(self, user_id: int) -> AppUser:
        """The account as stored now."""
        with self._uow() as uow:
            return uow.users.user(user_id)

    def end_session(self, login: Login) -> None:
        """Log out: the session ends now."""
        with self._uow(actor=login.principal.actor) as uow:
            uow.users.end_session(login.session.id, self.clock.now())
            uow.commit()

    def set_language(self, login: Login, language: Language) -> None:
        """Store the account's language for the pages."""
        with self._uow(actor=login.principal.actor) as uow:
            uow.users.set_language(login.user.id, language)
            uow.commit()

    def record_refusal(
        self,
        principal: Principal,
        *,
        resource: str,
        action: str,
        user_id: int | None = None,
        rule: str = "R-2",
        path: str | None = None,
        client: str | None = None,
    ) -> None:
        """Log an access refused by ``rule`` in ``access_refusal`` (the caller answers 404)."""
        with self._uow(actor=principal.actor) as uow:
            uow.users.record_refusal(
                actor=principal.actor,
                resource=resource,
                action=action,
                at=self.clock.now(),
                user_id=user_id,
                rule=rule,
                path=path,
                client=client,
            )
            uow.commit()


def normalize_login(login: str) -> str:
    """A login as stored: trimmed, lower case, at most 200 characters, without control characters."""
    cleaned = "".join(char for char in login if ord(char) >= 32 and ord(char) != 127)
    return cleaned.strip().lower()[:200]


def granted(principal: Principal, roles: Iterable[Role]) -> bool:
    """Whether ``principal`` holds any of ``roles``."""
    return bool(principal.roles & frozenset(roles))
