"""Server-side sheet drafts (decision 0141): ``sheet_draft`` holds what an evaluator saved without signing.

One row per evaluation and evaluator (the one who saved it, the only one who sees it, R-2); the scores as typed and
the justification. It is never a submission: scoring, the flows and every other page read ``sheet_submission``
only. Signing the sheet deletes the evaluation's drafts. Downgrade drops the table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sheet_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False, comment="the evaluator who saved it; only they see it"),
        sa.Column(
            "scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="as typed: parameter or KPI id -> value",
        ),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
            name=op.f("fk_sheet_draft_evaluation_id_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_sheet_draft_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_draft")),
        sa.UniqueConstraint("evaluation_id", "person_id", name=op.f("uq_sheet_draft_evaluation_id_person_id")),
        comment="An evaluator's sheet saved but not signed (decision 0141): theirs only — never a submission, never "
        "read by scoring, the flows or anyone else's page (R-2); one per evaluation and evaluator, discarded when "
        "the sheet is signed.",
    )
    op.create_index(op.f("ix_sheet_draft_person_id"), "sheet_draft", ["person_id"])
    if op.get_bind().dialect.name == "postgresql":
        role = str(context.config.attributes["app_role"])
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON sheet_draft TO "{role}"')
        op.execute(f'GRANT USAGE, SELECT ON SEQUENCE sheet_draft_id_seq TO "{role}"')


def downgrade() -> None:
    op.drop_table("sheet_draft")
