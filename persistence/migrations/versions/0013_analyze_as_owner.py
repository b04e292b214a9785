"""Fresh planner statistics from the application role (decision 0197): ``bagalau_analyze(table)``.

The application's bulk writes re-read a table's statistics at once (``ANALYZE``, ``persistence.bulk.ANALYZE_FROM``)
so that the day's next step is not planned on the statistics of an empty table (issue 13). PostgreSQL lets only a
table's owner analyze it, and the application role is deliberately not the owner (issue 12, decision 0064): its
``ANALYZE`` was skipped with a warning, and outside development the statistics waited for autovacuum (minutes, or
never when it is off). ``bagalau_analyze`` runs ``ANALYZE`` with its owner's rights (``SECURITY DEFINER``) on one
table of this schema that its owner owns, and on nothing else; only the application role may call it. It reads
and changes no row, so no right to data is lent.

Revision ID: 0013
Revises: 0012b
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import context, op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())
    op.execute(
        f"""
        CREATE FUNCTION bagalau_analyze(target text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            IF NOT EXISTS (
                SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = '{schema}' AND c.relname = target AND c.relkind IN ('r', 'p')
                  AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            ) THEN
                RAISE EXCEPTION 'bagalau_analyze: % is not a table of the application', target
                    USING ERRCODE = '42501';
            END IF;
            EXECUTE format('ANALYZE %I.%I', '{schema}', target);
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION bagalau_analyze(text) FROM PUBLIC")
    role = str(context.config.attributes["app_role"])
    op.execute(f'GRANT EXECUTE ON FUNCTION bagalau_analyze(text) TO "{role}"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bagalau_analyze(text)")
