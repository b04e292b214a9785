"""Prefect deployments: every flow with its cron schedule in Asia/Almaty, served by ``bagalau serve``.

Period openers run on the first working day after a quarter, the daily sweep every morning, annual flows in
January; each deployment has a concurrency limit of one and does not pause on shutdown.
"""
