"""Workflow state out of the audit log: ``evaluation_period.opened_on`` and the ``annual_result`` table.

Until now "a period has been opened" and the annual final scores (P-3) were audit rows that the flows read back;
the audit log is an audit trail, not state. The audit rows are still written, but the flows now read:

- ``evaluation_period.opened_on``: the day the period's evaluations were opened (NULL: not opened yet);
- ``annual_result``: one row per (person, year), the annual final score and category.

Both are filled from the existing audit rows (``evaluation_period``/``open`` and ``annual_result``/``compute``), so
an upgraded database neither opens a period twice nor computes an annual result again. On PostgreSQL the
application role gets the same DML grants on the new table as on the others (0002). Downgrade drops both (the audit
rows still hold everything).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:40:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = "'excellent', 'effective', 'proper', 'satisfactory', 'unsatisfactory', 'meets', 'does_not_meet'"
FOUR_PLACES = Decimal("0.0001")


def upgrade() -> None:
    with op.batch_alter_table("evaluation_period") as batch:
        batch.add_column(
            sa.Column(
                "opened_on",
                sa.Date(),
                nullable=True,
                comment="the day its evaluations were opened (P-1, P-4); NULL until then",
            )
        )
    op.create_table(
        "annual_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "score", sa.Numeric(precision=6, scale=4), nullable=False, comment="the exact average, to four decimals"
        ),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column(
            "quarters_count", sa.Integer(), nullable=False, comment="how many quarterly final scores were averaged"
        ),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f("ck_annual_result_category_valid")),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"], name=op.f("fk_annual_result_body_id_body")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_annual_result_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_result")),
        sa.UniqueConstraint("person_id", "year", name=op.f("uq_annual_result_person_id_year")),
        comment="A person's annual final score of a year (P-3): the average of the year's quarterly final scores, "
        "banded.",
    )
    op.create_index(op.f("ix_annual_result_body_id"), "annual_result", ["body_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        role = str(context.config.attributes["app_role"])
        op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON annual_result TO "{role}"')
        op.execute(f'GRANT USAGE, SELECT ON SEQUENCE annual_result_id_seq TO "{role}"')
    _backfill()


def downgrade() -> None:
    op.drop_index(op.f("ix_annual_result_body_id"), table_name="annual_result")
    op.drop_table("annual_result")
    with op.batch_alter_table("evaluation_period") as batch:
        batch.drop_column("opened_on")


def _after(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _backfill() -> None:
    """Copy the state the audit rows held into the new column and table (the first row of each wins)."""
    bind = op.get_bind()
    audit = sa.table("audit_log", *(sa.column(name) for name in ("id", "entity", "entity_id", "action", "after")))
    period = sa.table("evaluation_period", sa.column("id"), sa.column("opened_on", sa.Date()))
    person = sa.table("person", sa.column("id"), sa.column("body_id"))
    annual = sa.table(
        "annual_result",
        *(sa.column(name) for name in ("body_id", "person_id", "year", "category", "quarters_count")),
        sa.column("score", sa.Numeric(6, 4)),
        sa.column("computed_on", sa.Date()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    opened: dict[int, date] = {}
    query = sa.select(audit.c.entity_id, audit.c.after).where(
        audit.c.entity == "evaluation_period", audit.c.action == "open"
    )
    for row in bind.execute(query.order_by(audit.c.id)):
        day = _after(row.after).get("opened_on")
        if day and row.entity_id.isdigit():
            opened.setdefault(int(row.entity_id), date.fromisoformat(day))
    for period_id, day in opened.items():
        bind.execute(sa.update(period).where(period.c.id == period_id).values(opened_on=day))

    bodies = dict(bind.execute(sa.select(person.c.id, person.c.body_id)).tuples().all())
    results: dict[tuple[int, int], dict[str, Any]] = {}
    query = sa.select(audit.c.after).where(audit.c.entity == "annual_result", audit.c.action == "compute")
    for (after,) in bind.execute(query.order_by(audit.c.id)):
        found = _after(after)
        person_id, year = found.get("person_id"), found.get("year")
        if person_id in bodies and year is not None:
            results.setdefault((person_id, year), found)
    now = datetime.now(UTC)
    rows = [
        {
            "body_id": bodies[person_id],
            "person_id": person_id,
            "year": year,
            "score": Decimal(found["score"]).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP),
            "category": found["category"],
            "quarters_count": len(found.get("quarters") or {}),
            "computed_on": date.fromisoformat(found["computed_on"]),
            "created_at": now,
        }
        for (person_id, year), found in results.items()
    ]
    for row in rows:
        bind.execute(sa.insert(annual).values(**row))
