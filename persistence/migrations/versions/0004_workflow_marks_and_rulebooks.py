"""Workflow state out of the audit log, part two, and rulebooks stored in the database.

Until now the yearly steps read audit rows back to know what they had done; the audit log is a trail, not state.
The audit rows are still written, but the steps now read:

- ``evaluation_period.commission_opened_on``: the day a year's Commission evaluations were opened (M-1);
- ``evaluation.submitted_to_commission_on``: the day HR submitted an approved sheet to the Commission (M-5, M-6);
- ``evaluation.commission_undecided_on``: the meeting day whose vote decided nothing about it (M-7; told once);
- ``survey_360_cycle``: one row per (body, year) whose 360 survey was opened (T-1).

All four are filled from the existing audit rows (``evaluation_period``/``open_commission``,
``evaluation``/``submit_to_commission``, ``evaluation``/``commission_undecided``, ``survey_360_year``/``open``), so an
upgraded database neither opens nor submits anything twice.

The ``rulebook`` table holds the rulebooks that are not bundled (a scenario's file, later HR's uploads) as
validated JSON with its SHA-256, so that a Prefect worker or the web app sees a rulebook another process loaded.
On PostgreSQL the application role gets the same DML grants on the new tables as on the others (0002). Downgrade
drops them (the audit rows still hold the marks; stored rulebooks are lost).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_period") as batch:
        batch.add_column(
            sa.Column(
                "commission_opened_on",
                sa.Date(),
                nullable=True,
                comment="a year: the day its Commission evaluations were opened (M-1); NULL until then",
            )
        )
    with op.batch_alter_table("evaluation") as batch:
        batch.add_column(
            sa.Column(
                "submitted_to_commission_on",
                sa.Date(),
                nullable=True,
                comment="HR submitted the approved sheet to the Commission (M-5, M-6)",
            )
        )
        batch.add_column(
            sa.Column(
                "commission_undecided_on",
                sa.Date(),
                nullable=True,
                comment="a meeting day whose vote decided nothing (quorum, M-7)",
            )
        )
    op.create_table(
        "survey_360_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False, comment="the surveyed year"),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("surveys", sa.Integer(), nullable=False, comment="how many surveys the opening created"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], name=op.f("fk_survey_360_cycle_body_id_body")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_360_cycle")),
        sa.UniqueConstraint("body_id", "year", name=op.f("uq_survey_360_cycle_body_id_year")),
        comment="The yearly 360 survey of a body (T-1): opened once, on the day recorded here (the surveys are its "
        "rows).",
    )
    op.create_table(
        "rulebook",
        sa.Column("id", sa.String(length=100), nullable=False, comment="the rulebook's own id"),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="the validated rulebook, as JSON",
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="sha256 hex of the canonical JSON content"),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulebook")),
        comment="A rulebook stored in the database (loaded from a file, or uploaded by HR), so that every process "
        "sees it.",
    )
    if op.get_bind().dialect.name == "postgresql":
        role = str(context.config.attributes["app_role"])
        for table in ("survey_360_cycle", "rulebook"):
            op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO "{role}"')
        op.execute(f'GRANT USAGE, SELECT ON SEQUENCE survey_360_cycle_id_seq TO "{role}"')
    _backfill()


def downgrade() -> None:
    op.drop_table("rulebook")
    op.drop_table("survey_360_cycle")
    with op.batch_alter_table("evaluation") as batch:
        batch.drop_column("commission_undecided_on")
        batch.drop_column("submitted_to_commission_on")
    with op.batch_alter_table("evaluation_period") as batch:
        batch.drop_column("commission_opened_on")


def _after(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _marks(bind: sa.Connection, entity: str, action: str) -> list[tuple[str, dict[str, Any], Any]]:
    """``(entity_id, after, at)`` of every audit row with this entity and action, oldest first."""
    audit = sa.table("audit_log", *(sa.column(name) for name in ("id", "at", "entity", "entity_id", "action", "after")))
    query = sa.select(audit.c.entity_id, audit.c.after, audit.c.at).where(
        audit.c.entity == entity, audit.c.action == action
    )
    return [(str(row.entity_id), _after(row.after), row.at) for row in bind.execute(query.order_by(audit.c.id))]


def _first_by_id(marks: list[tuple[str, dict[str, Any], Any]], key: str) -> dict[int, date]:
    """Entity id → the day in ``after[key]`` of its first mark (ids that are not integers are skipped)."""
    found: dict[int, date] = {}
    for entity_id, after, _ in marks:
        day = _day(after.get(key))
        if day is not None and entity_id.isdigit():
            found.setdefault(int(entity_id), day)
    return found


def _backfill() -> None:
    """Copy the marks the audit rows held into the new columns and table (the first row of each wins)."""
    bind = op.get_bind()
    period = sa.table("evaluation_period", sa.column("id"), sa.column("commission_opened_on", sa.Date()))
    evaluation = sa.table(
        "evaluation",
        sa.column("id"),
        sa.column("submitted_to_commission_on", sa.Date()),
        sa.column("commission_undecided_on", sa.Date()),
    )
    meeting = sa.table("commission_meeting", sa.column("id"), sa.column("meeting_date", sa.Date()))
    body = sa.table("body", sa.column("id"))
    cycle = sa.table(
        "survey_360_cycle",
        *(sa.column(name) for name in ("body_id", "year", "surveys")),
        sa.column("opened_on", sa.Date()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )

    opened = _first_by_id(_marks(bind, "evaluation_period", "open_commission"), "opened_on")
    for period_id, day in opened.items():
        bind.execute(sa.update(period).where(period.c.id == period_id).values(commission_opened_on=day))

    submitted = _first_by_id(_marks(bind, "evaluation", "submit_to_commission"), "submitted_on")
    for evaluation_id, day in submitted.items():
        bind.execute(
            sa.update(evaluation).where(evaluation.c.id == evaluation_id).values(submitted_to_commission_on=day)
        )

    meetings = dict(bind.execute(sa.select(meeting.c.id, meeting.c.meeting_date)).tuples().all())
    undecided: dict[int, date] = {}
    for entity_id, after, at in _marks(bind, "evaluation", "commission_undecided"):
        day = meetings.get(after.get("meeting_id")) or _day(str(at)[:10])
        if day is not None and entity_id.isdigit():
            undecided.setdefault(int(entity_id), _day(str(day)) or day)
    for evaluation_id, day in undecided.items():
        bind.execute(sa.update(evaluation).where(evaluation.c.id == evaluation_id).values(commission_undecided_on=day))

    bodies = set(bind.execute(sa.select(body.c.id)).scalars())
    cycles: dict[tuple[int, int], dict[str, Any]] = {}
    for entity_id, after, _ in _marks(bind, "survey_360_year", "open"):
        body_id, _, year = entity_id.partition(":")
        day = _day(after.get("opened_on"))
        if body_id.isdigit() and year.isdigit() and int(body_id) in bodies and day is not None:
            cycles.setdefault((int(body_id), int(year)), {"opened_on": day, "surveys": int(after.get("surveys") or 0)})
    now = datetime.now(UTC)
    for (body_id, year), found in cycles.items():
        bind.execute(sa.insert(cycle).values(body_id=body_id, year=year, created_at=now, **found))
