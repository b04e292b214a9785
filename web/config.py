"""The web app's settings: one pydantic-settings ``WebSettings`` read from ``BAGALAU_WEB_*`` variables (and ``.env``).

Validated once at start-up; a bad value fails fast naming the variable. Outside development the secret key must be
set to a long random value (the development default is refused), and cookies are ``Secure`` unless said otherwise.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.vocabulary import Role

#: The development secret: accepted only with ``BAGALAU_WEB_ENVIRONMENT=development``.
DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105 — refused outside development
MIN_SECRET_LENGTH = 32
GRANTABLE = (Role.HR, Role.HR_HEAD, Role.APPOINTING_OFFICIAL, Role.ADMIN)


class WebSettings(BaseSettings):
    """Every setting of the web app; each is the environment variable ``BAGALAU_WEB_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BAGALAU_WEB_", env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "production"] = Field(
        default="development",
        # one switch for the installation: BAGALAU_ENVIRONMENT (bagalau.settings) also sets the web app's
        validation_alias=AliasChoices("BAGALAU_WEB_ENVIRONMENT", "BAGALAU_ENVIRONMENT", "environment"),
        description="production refuses the development secret and insecure cookies (BAGALAU_ENVIRONMENT too)",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET),
        description="signs the login form's CSRF token and the single sign-on state (≥ 32 characters)",
    )
    session_lifetime_minutes: int = Field(
        default=480, ge=5, le=43_200, description="a session ends this long after login"
    )
    session_idle_minutes: int = Field(default=60, ge=1, le=43_200, description="… or after this long unused")
    secure_cookies: bool | None = Field(
        default=None, description="Secure cookies (HTTPS only); default: yes in production, no in development"
    )
    login_max_failures_per_login: int = Field(default=5, ge=1, description="failed logins of one login per window")
    login_max_failures_per_client: int = Field(
        default=20, ge=1, description="failed logins from one address per window"
    )
    login_window_minutes: int = Field(default=15, ge=1, le=1440, description="the rate limits' sliding window")
    oidc_issuer: str | None = Field(default=None, description="OpenID Connect issuer URL; unset: no single sign-on")
    oidc_client_id: str | None = Field(default=None, description="this app's client id at the identity provider")
    oidc_client_secret: SecretStr | None = Field(default=None, description="this app's client secret")
    oidc_scopes: str = Field(default="openid profile email", description="scopes asked for")
    oidc_login_claim: str = Field(default="preferred_username", description="the claim matched to an account's login")
    oidc_groups_claim: str = Field(default="groups", description="the claim listing the person's groups")
    oidc_group_roles: dict[str, Role] = Field(
        default_factory=dict,
        description='JSON: identity-provider group → role, e.g. {"bagalau-hr": "hr", "bagalau-admins": "admin"}',
    )
    oidc_redirect_url: str | None = Field(
        default=None, description="the callback URL registered at the provider; default: this app's own address"
    )
    prefect_api_url: str | None = Field(
        default=None,
        description="the Prefect API the served deployments report to (http://127.0.0.1:4200/api); unset: the "
        "stalled-runs page says it is not configured",
    )
    prefect_ui_url: str | None = Field(
        default=None, description="Prefect's UI, for links to a run; default: the API URL without /api"
    )

    @field_validator("oidc_issuer", "oidc_redirect_url", "prefect_api_url", "prefect_ui_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("oidc_group_roles")
    @classmethod
    def _grantable_roles(cls, value: dict[str, Role]) -> dict[str, Role]:
        for group, role in value.items():
            if role not in GRANTABLE:
                allowed = ", ".join(r.value for r in GRANTABLE)
                raise ValueError(f"group {group!r} maps to {role.value!r}; the roles an account can hold are {allowed}")
        return value

    @model_validator(mode="after")
    def _safe_outside_development(self) -> WebSettings:
        secret = self.secret_key.get_secret_value()
        if self.environment != "development":
            if secret == DEVELOPMENT_SECRET:
                raise ValueError(
                    "BAGALAU_WEB_SECRET_KEY is the development default; set a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            if self.secure_cookies is False:
                raise ValueError("BAGALAU_WEB_SECURE_COOKIES=false is refused outside development")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"BAGALAU_WEB_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters")
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("BAGALAU_WEB_OIDC_CLIENT_ID is required when BAGALAU_WEB_OIDC_ISSUER is set")
        return self

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry the ``Secure`` flag."""
        return self.secure_cookies if self.secure_cookies is not None else self.environment != "development"

    @property
    def sso_enabled(self) -> bool:
        """Whether single sign-on through OpenID Connect is configured."""
        return bool(self.oidc_issuer and self.oidc_client_id)
