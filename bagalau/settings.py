"""Bagalau's configuration: one pydantic-settings ``Settings`` read from ``BAGALAU_*`` variables (and ``.env``).

Settings are validated once, at start-up, and fail fast with a message naming the variable. They are passed into
the adapters (database, notifications, flows); the domain never reads them.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from notifications.rendering import DEFAULT_MAX_FIELD_CHARS
from persistence.secrets import SecretBox, SecretKeyError, generate_key
from persistence.urls import POSTGRES_SCHEME, normalize_database_url

__all__ = ["POSTGRES_SCHEME", "NotificationSettings", "Settings", "get_settings", "normalize_database_url"]

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Settings(BaseSettings):
    """Every setting of a Bagalau installation; each is the environment variable ``BAGALAU_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BAGALAU_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".bagalau"), description="where the embedded database and local state live")
    database_url: str = Field(
        default="",
        description=(
            "postgresql+psycopg://… in production, logging in as a member of app_role (never the owner); "
            "unset: an SQLite file under data_dir"
        ),
    )
    owner_database_url: str = Field(
        default="",
        description="the schema owner's URL, for `bagalau db upgrade` only; unset: database_url (development)",
    )
    timezone: str = Field(default="Asia/Almaty", description="the zone 'today' is taken in (as-of dates)")
    app_role: str = Field(
        default="bagalau_app",
        description="the PostgreSQL role the application runs as (grants: see docs/schema.md)",
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="public address used for links in messages")
    smtp_url: str | None = Field(default=None, description="apprise mailto(s):// URL of the outgoing mail server")
    hr_email: str | None = Field(default=None, description="address of the HR service mailbox, for escalations")
    operator_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "the operators' e-mail addresses, comma-separated: they and HR are told when a served step fails, "
            "crashes, is late or runs too long (operator_alert); the body's admins with a contact are told too"
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key sealing channel secrets at rest (contact URLs); required outside development",
    )
    prefect_api_url: str | None = Field(
        default=None,
        description=(
            "the served Prefect API `bagalau rerun` records its runs on; unset: PREFECT_API_URL, else the server "
            "`bagalau serve` runs under data_dir, else a throwaway local one"
        ),
    )
    environment: Literal["development", "production"] | None = Field(
        default=None,
        description="development or production; unset: development on the embedded SQLite, else production",
    )

    @field_validator("database_url", "owner_database_url")
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

    @field_validator("operator_emails", mode="before")
    @classmethod
    def _addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for address in value:
                if not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", str(address)):
                    shown = str(address)[:80]
                    raise ValueError(f"{shown!r} is not an e-mail address (name@example.kz, comma-separated)")
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
    def migration_url(self) -> str:
        """The URL migrations run with: ``BAGALAU_OWNER_DATABASE_URL``, else ``BAGALAU_DATABASE_URL``."""
        return self.owner_database_url or self.database_url

    @property
    def retention_role(self) -> str:
        """The PostgreSQL role the retention step (R-1) deletes documents as: ``<app_role>_retention``."""
        return f"{self.app_role}_retention"

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


class NotificationSettings(BaseSettings):
    """``BAGALAU_NOTIFY_<NAME>``: how the outbox is delivered."""

    model_config = SettingsConfigDict(env_prefix="BAGALAU_NOTIFY_", env_file=".env", extra="ignore")

    max_attempts: int = Field(default=5, ge=1, description="attempts before a message is dead-lettered")
    backoff_seconds: float = Field(default=60, gt=0, description="wait after the first failed attempt; doubles")
    backoff_cap_seconds: float = Field(default=6 * 3600, gt=0, description="longest wait between attempts")
    rate_limits: dict[str, int] = Field(
        default_factory=dict, description='messages per channel kind per run, JSON: {"email": 500, "sms": 100}'
    )
    lease_seconds: float = Field(default=900, gt=0, description="how long a claimed batch is kept from others")
    commit_every: int = Field(
        default=25, ge=1, le=1000, description="messages per delivery transaction: the most a crash can repeat"
    )
    commit_seconds: float = Field(
        default=1.0, gt=0, description="no new message joins a delivery transaction after this many seconds"
    )
    senders: int = Field(default=1, ge=1, le=32, description="threads sending at once (PostgreSQL, no rate limit)")
    max_field_chars: int = Field(default=DEFAULT_MAX_FIELD_CHARS, ge=100, description="longer texts are shortened")
    url_templates: dict[str, str] = Field(
        default_factory=dict,
        description='default apprise URL per channel kind, {address} for the recipient: {"sms": "json://…?to={address}"}',
    )
