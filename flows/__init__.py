"""Prefect flows: short, idempotent, batch steps of an evaluation cycle.

Each flow takes its as-of date, reads the state from the database, asks ``domain`` what is due, persists the
decisions in one unit of work and queues notices in the outbox. No flow ever waits for a human: people act
through the dashboard, API or CLI, and the next sweep sees it.
"""
