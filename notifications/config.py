"""What delivery needs to know: :class:`DeliveryConfig`, built once by the composition root.

``bagalau.bootstrap`` fills it from the settings (``BAGALAU_SMTP_URL``, ``BAGALAU_HR_EMAIL``, the ``BAGALAU_NOTIFY_*``
knobs of ``bagalau.settings.NotificationSettings``); the simulator and the tests build their own. Nothing in
``notifications`` reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from notifications.channels import UrlTemplates
from notifications.rendering import DEFAULT_MAX_FIELD_CHARS
from persistence.secrets import SecretBox


@dataclass(frozen=True)
class DeliveryConfig:
    """Everything :func:`notifications.delivery.deliver_due` reads: no environment access below this object."""

    url_templates: UrlTemplates = field(default_factory=dict)
    hr_email: str | None = None
    operator_emails: tuple[str, ...] = ()
    """``BAGALAU_OPERATOR_EMAILS``: the operators' mailboxes, for ``operator_alert`` (with the body's admins)."""
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=60)
    backoff_cap: timedelta = timedelta(hours=6)
    rate_limits: Mapping[str, int] = field(default_factory=dict)
    lease: timedelta = timedelta(minutes=15)
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
    zone: ZoneInfo = ZoneInfo("Asia/Almaty")
    commit_every: int = 25
    """Messages delivered in one transaction (``BAGALAU_NOTIFY_COMMIT_EVERY``): a crash repeats at most this many
    sends (docs/decisions/0180); 1 gives back 0010's single repeat at about a third of the speed."""
    commit_seconds: float = 1.0
    """No new message joins a group after this long (``BAGALAU_NOTIFY_COMMIT_SECONDS``): on a slow server a crash
    repeats only what was sent in the last second or so."""
    senders: int = 1
    """Threads sending at once on PostgreSQL (``BAGALAU_NOTIFY_SENDERS``), each with its own batches, transaction
    and SMTP connection: a crash repeats at most ``senders × commit_every`` sends. More than one pays off when the
    mail server is far (each e-mail waits for its replies); next to it, the threads only share one interpreter."""
    secrets: SecretBox | None = None
    """Opens the channel secrets stored with contacts (``BAGALAU_SECRET_KEY``); ``None``: only plain ones work."""

    def backoff_after(self, attempt: int) -> timedelta:
        """Wait after failed attempt ``attempt`` (1, 2, …): ``backoff * 2^(attempt-1)``, at most ``backoff_cap``."""
        doublings = min(max(attempt - 1, 0), 30)  # beyond 2^30 any cap is reached; avoids timedelta overflow
        return min(self.backoff * (1 << doublings), self.backoff_cap)
