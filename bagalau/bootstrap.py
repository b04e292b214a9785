"""The composition root: the settings become one :class:`~application.environment.Environment` per process.

Every entrance builds its environment here — the CLI (``bagalau rerun``, ``bagalau notify`` …), the Prefect
entrypoints (``deployments.entrypoints``), the simulator (with its own database, recording channel and in-process
launcher) — and hands it down; nothing below reads the settings or the environment variables. ``environment()``
is the installation's, built once per process from ``BAGALAU_*``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import sqlalchemy as sa

from application.environment import Environment, Launcher, RulebookSource, ZoneClock
from bagalau.settings import NotificationSettings, Settings, SettingsError, get_settings
from notifications.channels import EMAIL, AppriseChannel, Channel
from notifications.config import DeliveryConfig
from persistence.db import PrivilegedLoginError, check_login, make_engine

if TYPE_CHECKING:
    from flows import Flows


def delivery_config(settings: Settings, notify: NotificationSettings | None = None) -> DeliveryConfig:
    """The delivery configuration of an installation: SMTP and the HR mailbox from ``Settings``, the
    ``BAGALAU_NOTIFY_*`` knobs from ``NotificationSettings``."""
    notify = notify or NotificationSettings()
    return DeliveryConfig(
        url_templates={**notify.url_templates, EMAIL: settings.smtp_url or notify.url_templates.get(EMAIL)},
        hr_email=settings.hr_email,
        operator_emails=tuple(settings.operator_emails),
        max_attempts=notify.max_attempts,
        backoff=timedelta(seconds=notify.backoff_seconds),
        backoff_cap=timedelta(seconds=notify.backoff_cap_seconds),
        rate_limits=dict(notify.rate_limits),
        lease=timedelta(seconds=notify.lease_seconds),
        commit_every=notify.commit_every,
        commit_seconds=notify.commit_seconds,
        senders=notify.senders,
        max_field_chars=notify.max_field_chars,
        zone=settings.zone,
        secrets=settings.secret_box(),
    )


def app_engine(settings: Settings, url: str | None = None) -> sa.Engine:
    """The application's engine: ``BAGALAU_DATABASE_URL`` (or ``url``), every connection ``SET ROLE``'d to
    ``BAGALAU_APP_ROLE`` on PostgreSQL, so that the application runs with the restricted role's grants only.

    Nothing is checked here (the database may be unreachable yet); :func:`check_app_engine` is the start-up check.
    """
    url = url or settings.database_url
    return make_engine(url) if url.startswith("sqlite") else make_engine(url, role=settings.app_role)


def check_app_engine(settings: Settings, engine: sa.Engine) -> str:
    """The start-up check (issue 12): outside development, a login that is a superuser or the schema owner is
    refused with :class:`SettingsError` naming ``BAGALAU_DATABASE_URL``; returns what the login is."""
    try:
        return check_login(engine, app_role=settings.app_role, development=settings.is_development)
    except PrivilegedLoginError as exc:
        raise SettingsError(str(exc)) from None


def build_environment(
    settings: Settings,
    *,
    engine: sa.Engine | None = None,
    launcher: Launcher | None = None,
    channel: Channel | None = None,
    delivery: DeliveryConfig | None = None,
) -> Environment:
    """An environment from ``settings``; each part may be replaced (the simulator's database and channel). The
    default launcher starts calibration sessions as runs of their deployment."""
    if launcher is None:
        from flows.launchers import DeploymentLauncher  # Prefect is imported only by the entrances that run flows

        launcher = DeploymentLauncher()
    if engine is None:
        engine = app_engine(settings)
        try:
            check_app_engine(settings, engine)
        except BaseException:
            engine.dispose()
            raise
    return Environment(
        engine=engine,
        clock=ZoneClock(settings.timezone),
        rulebooks=RulebookSource(),
        launcher=launcher,
        channel=channel if channel is not None else AppriseChannel(),
        delivery=delivery if delivery is not None else delivery_config(settings),
        base_url=settings.base_url,
        archive_dir=settings.data_dir / "archive",
    )


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The installation's environment (database, clock, rulebooks, deployment launcher, apprise), built once."""
    return build_environment(get_settings())


@lru_cache(maxsize=1)
def flows() -> Flows:
    """The flows bound to the installation's environment (what ``deployments.entrypoints`` exposes)."""
    from flows import build_flows

    return build_flows(environment())


def reset() -> None:
    """Forget the installation's environment and flows (tests that change the settings), closing its engine."""
    if environment.cache_info().currsize:
        environment().engine.dispose()
    flows.cache_clear()
    environment.cache_clear()
