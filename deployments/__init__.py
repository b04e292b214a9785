"""Prefect deployments: every flow with its cron schedule in Asia/Almaty, served by ``bagalau serve``.

Period openers run on the first working day after a quarter, the daily sweep every morning, annual flows in
January; each deployment has a concurrency limit of one and does not pause on shutdown.
"""

from bagalau.quiet import quiet_defaults

quiet_defaults()  # a worker loading the deployments starts with telemetry off (bagalau/quiet.py)

from deployments.schedules import SCHEDULES, TIMEZONE, Scheduled, build_deployments  # noqa: E402

__all__ = ["SCHEDULES", "TIMEZONE", "Scheduled", "build_deployments"]
