"""What delivery needs to know, from ``bagalau.settings.Settings`` and the ``BAGALAU_NOTIFY_*`` variables.

``Settings`` holds the SMTP URL (``BAGALAU_SMTP_URL``) and the HR mailbox (``BAGALAU_HR_EMAIL``); the delivery knobs
(attempts, backoff, rate limits, default URLs of other channel kinds) are read here with the same prefix, so that
one ``.env`` configures everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bagalau.settings import Settings
from notifications.channels import EMAIL, UrlTemplates
from notifications.rendering import DEFAULT_MAX_FIELD_CHARS
from persistence.secrets import SecretBox


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
    max_field_chars: int = Field(default=DEFAULT_MAX_FIELD_CHARS, ge=100, description="longer texts are shortened")
    url_templates: dict[str, str] = Field(
        default_factory=dict,
        description='default apprise URL per channel kind, {address} for the recipient: {"sms": "json://…?to={address}"}',
    )


@dataclass(frozen=True)
class DeliveryConfig:
    """Everything :func:`notifications.delivery.deliver_due` reads: no environment access below this object."""

    url_templates: UrlTemplates = field(default_factory=dict)
    hr_email: str | None = None
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=60)
    backoff_cap: timedelta = timedelta(hours=6)
    rate_limits: Mapping[str, int] = field(default_factory=dict)
    lease: timedelta = timedelta(minutes=15)
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
    zone: ZoneInfo = ZoneInfo("Asia/Almaty")
    secrets: SecretBox | None = None
    """Opens the channel secrets stored with contacts (``BAGALAU_SECRET_KEY``); ``None``: only plain ones work."""

    @classmethod
    def from_settings(cls, settings: Settings, notify: NotificationSettings | None = None) -> DeliveryConfig:
        """The delivery configuration of an installation."""
        notify = notify or NotificationSettings()
        return cls(
            url_templates={**notify.url_templates, EMAIL: settings.smtp_url or notify.url_templates.get(EMAIL)},
            hr_email=settings.hr_email,
            max_attempts=notify.max_attempts,
            backoff=timedelta(seconds=notify.backoff_seconds),
            backoff_cap=timedelta(seconds=notify.backoff_cap_seconds),
            rate_limits=dict(notify.rate_limits),
            lease=timedelta(seconds=notify.lease_seconds),
            max_field_chars=notify.max_field_chars,
            zone=settings.zone,
            secrets=settings.secret_box(),
        )

    def backoff_after(self, attempt: int) -> timedelta:
        """Wait after failed attempt ``attempt`` (1, 2, …): ``backoff * 2^(attempt-1)``, at most ``backoff_cap``."""
        doublings = min(max(attempt - 1, 0), 30)  # beyond 2^30 any cap is reached; avoids timedelta overflow
        return min(self.backoff * (1 << doublings), self.backoff_cap)
