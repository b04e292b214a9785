"""Bagalau's configuration: one pydantic-settings ``Settings`` read from ``BAGALAU_*`` variables (and ``.env``).

Settings are validated once, at start-up, and fail fast with a message naming the variable. They are passed into
the adapters (database, notifications, flows); the domain never reads them.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from persistence.secrets import SecretBox, SecretKeyError, generate_key

# The drivers Bagalau ships with: psycopg 3 for PostgreSQL, the standard library's sqlite3 for the embedded default.
POSTGRES_SCHEME = "postgresql+psycopg"
_POSTGRES_ALIASES = ("postgresql", "postgres", POSTGRES_SCHEME)
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def normalize_database_url(url: str) -> str:
    """Return ``url`` with the scheme Bagalau's drivers use; refuse any database it does not support.

    ``postgresql://`` and ``postgres://`` (what ``psql`` and most hosting panels print) become
    ``postgresql+psycopg://``; SQLite URLs are kept as they are.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ValueError(f"database URL {url!r} has no scheme; use postgresql+psycopg://… or sqlite:///…")
    if scheme in _POSTGRES_ALIASES:
        return f"{POSTGRES_SCHEME}://{rest}"
    if scheme in _SQLITE_SCHEMES:
        return url
    raise ValueError(
        f"unsupported database scheme {scheme!r}: Bagalau runs on PostgreSQL (postgresql://…, driver psycopg 3) "
        "or on an embedded SQLite file (sqlite:///path/to/file.db)"
    )


class Settings(BaseSettings):
    """Every setting of a Bagalau installation; each is the environment variable ``BAGALAU_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BAGALAU_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".bagalau"), description="where the embedded database and local state live")
    database_url: str = Field(
        default="",
        description="postgresql+psycopg://… in production; unset: an SQLite file under data_dir",
    )
    timezone: str = Field(default="Asia/Almaty", description="the zone 'today' is taken in (as-of dates)")
    app_role: str = Field(
        default="bagalau_app",
        description="the PostgreSQL role the application runs as (grants: see docs/schema.md)",
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="public address used for links in messages")
    smtp_url: str | None = Field(default=None, description="apprise mailto(s):// URL of the outgoing mail server")
    hr_email: str | None = Field(default=None, description="address of the HR service mailbox, for escalations")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key sealing channel secrets at rest (contact URLs); required outside development",
    )
    environment: Literal["development", "production"] | None = Field(
        default=None,
        description="development or production; unset: development on the embedded SQLite, else production",
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        return normalize_database_url(value) if value else value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (expected an IANA name such as Asia/Almaty)") from None
        return value

    @field_validator("app_role")
    @classmethod
    def _plain_role_name(cls, value: str) -> str:
        # The name is spliced into DDL (CREATE ROLE, GRANT), so only plain lower-case identifiers are accepted.
        if not _ROLE_NAME.match(value):
            raise ValueError(f"role name {value!r} must be a lower-case SQL identifier (letters, digits, _)")
        return value

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _resolve_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'bagalau.db').as_posix()}"
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.timezone)

    @property
    def is_development(self) -> bool:
        """``BAGALAU_ENVIRONMENT=development``, or unset on the embedded SQLite database."""
        return self.environment == "development" or (self.environment is None and self.is_sqlite)

    def secret_box(self) -> SecretBox:
        """What seals channel secrets (``persistence.secrets``): from ``BAGALAU_SECRET_KEY``.

        Outside development a missing key is refused (:class:`SettingsError`): Bagalau does not start. In
        development a key is made once and kept in ``<data dir>/secret.key`` (readable by its owner only).
        """
        try:
            if self.secret_key is not None:
                return SecretBox(self.secret_key.get_secret_value())
            if not self.is_development:
                raise SettingsError(
                    "BAGALAU_SECRET_KEY is required outside development (BAGALAU_ENVIRONMENT=production, or a "
                    "PostgreSQL database): it seals the channel secrets stored with contacts. Generate one with "
                    "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
                )
            return SecretBox(_development_key(self.data_dir))
        except SecretKeyError as exc:
            raise SettingsError(str(exc)) from None


class SettingsError(ValueError):
    """A setting that stops Bagalau from starting; the message names the variable."""


def _development_key(data_dir: Path) -> str:
    """The development key of a data dir: made once, kept in ``secret.key`` (mode 0600)."""
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(generate_key() + "\n")
    return path.read_text(encoding="ascii").strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (``get_settings.cache_clear()`` re-reads them, e.g. in tests)."""
    return Settings()
