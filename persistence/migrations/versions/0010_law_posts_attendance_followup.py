"""The law's facts that had no column: public-service posts (M-6), recorded Commission attendance (M-7), the
feedback meeting held (C-8), an appeal's revised result (C-9, M-9), and D-4 delegations.

- ``appointment.public_service``: the post held provides public services (M-6: the two customer competencies are
  rated); a move to another unit keeps it.
- ``commission_meeting.attendance_recorded_on``: HR recorded who attended the meeting (M-7); while NULL, the
  members who voted that day are those present (the chair is never assumed present).
- ``calibration_case.feedback_held_on``: the day the evaluator held the feedback meeting (C-8); the existing
  ``feedback_meeting_on`` is the day it was called for.
- ``appeal.revised_score`` / ``appeal.revised_category``: the result the appeal's outcome put in place of the
  decided one (C-9 score, M-9 category); the evaluation's own columns are updated and audited.

- ``delegation``: an evaluator designated another person to evaluate an evaluatee from a day (D-4).
- ``kpi_monitoring``: the direct head's quarterly monitoring of a person's KPIs with written recommendations (M-3).

Only columns and two tables are added (SQLite adds them in place: no table is rebuilt, so 0009's triggers stay).
Downgrade drops them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "public_service",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="the post provides public services (M-6)",
            )
        )
    with op.batch_alter_table("commission_meeting", recreate="never") as batch:
        batch.add_column(
            sa.Column("attendance_recorded_on", sa.Date(), nullable=True, comment="HR recorded who attended (M-7)")
        )
    with op.batch_alter_table("calibration_case", recreate="never") as batch:
        batch.add_column(
            sa.Column("feedback_held_on", sa.Date(), nullable=True, comment="the evaluator held the meeting (C-8)")
        )
    with op.batch_alter_table("appeal", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "revised_score", sa.Numeric(6, 4), nullable=True, comment="C-9: the score that replaced the decided one"
            )
        )
        batch.add_column(
            sa.Column(
                "revised_category",
                sa.String(length=16),
                nullable=True,
                comment="C-9/M-9: the result that replaced the decided one",
            )
        )

    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False, comment="the evaluator who designates"),
        sa.Column("delegate_id", sa.Integer(), nullable=False, comment="the person designated to evaluate"),
        sa.Column("evaluatee_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("delegate_id <> evaluator_id", name=op.f("ck_delegation_not_own_delegate")),
        sa.ForeignKeyConstraint(["evaluator_id"], ["person.id"], name=op.f("fk_delegation_evaluator_id_person")),
        sa.ForeignKeyConstraint(["delegate_id"], ["person.id"], name=op.f("fk_delegation_delegate_id_person")),
        sa.ForeignKeyConstraint(["evaluatee_id"], ["person.id"], name=op.f("fk_delegation_evaluatee_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
        comment="D-4 (000 §31, 003 §17): evaluator_id designated delegate_id to evaluate evaluatee_id from "
        "started_on (above the rulebook's threshold); the delegate is due while the evaluator is the one routed.",
    )
    op.create_index(op.f("ix_delegation_evaluator_id"), "delegation", ["evaluator_id"])
    op.create_index(op.f("ix_delegation_delegate_id"), "delegation", ["delegate_id"])
    op.create_index(op.f("ix_delegation_evaluatee_id_started_on"), "delegation", ["evaluatee_id", "started_on"])
    op.create_table(
        "kpi_monitoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False, comment="whose KPIs"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column(
            "monitored_by_id",
            sa.Integer(),
            nullable=False,
            comment="the direct head (or the person acting for them, G-7)",
        ),
        sa.Column("monitored_on", sa.Date(), nullable=False),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_kpi_monitoring_person_id_person")),
        sa.ForeignKeyConstraint(
            ["monitored_by_id"], ["person.id"], name=op.f("fk_kpi_monitoring_monitored_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_monitoring")),
        sa.UniqueConstraint("person_id", "year", "quarter", name=op.f("uq_kpi_monitoring_person_id_year_quarter")),
        comment="M-3 (004 §16): the direct head's quarterly monitoring of a person's KPIs, with written "
        "recommendations.",
    )
    op.create_index(op.f("ix_kpi_monitoring_monitored_by_id"), "kpi_monitoring", ["monitored_by_id"])
    if op.get_bind().dialect.name == "postgresql":
        role = str(context.config.attributes["app_role"])
        for table in ("delegation", "kpi_monitoring"):
            op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO "{role}"')
            op.execute(f'GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO "{role}"')


def downgrade() -> None:
    op.drop_table("kpi_monitoring")
    op.drop_table("delegation")
    with op.batch_alter_table("appeal") as batch:
        batch.drop_column("revised_category")
        batch.drop_column("revised_score")
    with op.batch_alter_table("calibration_case") as batch:
        batch.drop_column("feedback_held_on")
    with op.batch_alter_table("commission_meeting") as batch:
        batch.drop_column("attendance_recorded_on")
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("public_service")
