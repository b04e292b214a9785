"""The board's undelivered notices through a partial index (decision 0190): ``ix_outbox_message_undelivered_notice``
on ``outbox_message (status, evaluation_id)`` where the message is a legal notice (``evaluation_notice``, P-4) not
delivered yet. The cycle board counts a period's undelivered notices by status; without it that count read the
whole outbox (every message of every period, ~490,000 rows after one 100,000-person quarter). A notice enters the
index when it is queued and leaves it when it is delivered. Downgrade drops the index.

Revision ID: 0012b
Revises: 0011
Create Date: 2026-12-06 23:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012b"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNDELIVERED_NOTICE = "kind = 'evaluation_notice' AND status <> 'delivered'"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_undelivered_notice",
        "outbox_message",
        ["status", "evaluation_id"],
        postgresql_where=sa.text(UNDELIVERED_NOTICE),
        sqlite_where=sa.text(UNDELIVERED_NOTICE),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_undelivered_notice", table_name="outbox_message")
