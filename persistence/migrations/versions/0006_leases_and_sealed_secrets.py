"""Delivery leases that name their holder, and room for sealed channel secrets (issue 12).

- ``outbox_message.lease_token`` / ``lease_until`` / ``lease_expires_at``: a delivery run's claim on a row (which
  run, until when in the run's time, until when on the wall clock). Until now the claim was written into
  ``next_attempt_at``, so the row's own due time was lost and a run killed while re-running a past day left its
  batch leased for every other re-run of that day (docs/decisions/0060). Rows leased under the old scheme are
  released: ``next_attempt_at`` is left as it is (the lease's end), so they are due again when it passes.
- ``contact_channel.apprise_url`` grows from 2,000 to 4,000 characters: a sealed URL (``sealed:v1:`` + a Fernet
  token, ``persistence.secrets``) is about 1.4 times as long as the URL. Existing URLs stay readable as they are;
  ``bagalau db seal-secrets`` seals them in place (it needs ``BAGALAU_SECRET_KEY``, which a migration does not).

Downgrade drops the lease columns and shortens ``apprise_url`` back (refused by the database while a sealed URL
longer than 2,000 characters is stored: unseal first).

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(
            sa.Column(
                "lease_token",
                sa.String(length=64),
                nullable=True,
                comment="the delivery run holding the row: holder:claim:nonce",
            )
        )
        batch.add_column(
            sa.Column(
                "lease_until",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="the lease ends at this instant of the run's time",
            )
        )
        batch.add_column(
            sa.Column(
                "lease_expires_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="and at this instant of the wall clock",
            )
        )
    with op.batch_alter_table("contact_channel") as batch:
        batch.alter_column(
            "apprise_url",
            existing_type=sa.String(length=2000),
            type_=sa.String(length=4000),
            existing_nullable=True,
            comment="full apprise URL, sealed (sealed:v1:…, BAGALAU_SECRET_KEY); NULL: from settings",
            existing_comment="full apprise URL; NULL: built from settings",
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_channel") as batch:
        batch.alter_column(
            "apprise_url",
            existing_type=sa.String(length=4000),
            type_=sa.String(length=2000),
            existing_nullable=True,
            comment="full apprise URL; NULL: built from settings",
            existing_comment="full apprise URL, sealed (sealed:v1:…, BAGALAU_SECRET_KEY); NULL: from settings",
        )
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_until")
        batch.drop_column("lease_token")
