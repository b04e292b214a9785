"""Database guards: the application role and its grants, append-only audit log, immutable signed sheets, and the
anonymous 360 averages view.

What the database itself enforces, so that no application bug can undo it (docs/schema.md, docs/decisions/0002,
0003):

- PostgreSQL: the NOLOGIN role ``app_role`` (setting ``BAGALAU_APP_ROLE``) is created if missing and granted
  SELECT/INSERT/UPDATE/DELETE on every table, except ``audit_log`` (INSERT, SELECT), ``survey_answer`` (INSERT only)
  and ``alembic_version`` (SELECT); default privileges give tables of later migrations the same DML grants.
- Both: triggers refuse UPDATE and DELETE (and on PostgreSQL TRUNCATE) of ``audit_log``, even by its owner; triggers
  refuse changes to the signed content of a ``sheet_submission`` (R-3); the ``survey_360_averages`` view.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The signed content of a sheet version: never rewritten once stored; a correction is a new version.
SHEET_CONTENT_COLUMNS = (
    "evaluation_id",
    "version",
    "submitted_by_id",
    "submitted_at",
    "scores",
    "justification",
    "content_hash",
    "on_paper",
    "entered_by_id",
    "scan_ref",
)

SURVEY_360_AVERAGES = """
CREATE VIEW survey_360_averages AS
SELECT survey_id,
       competency_id,
       MAX(others) AS respondents,
       SUM(others) AS answers,
       SUM(others_points) AS points,
       SUM(others_points) * 1.0 / NULLIF(SUM(others), 0) AS average,
       SUM(own) AS self_answers,
       SUM(own_points) AS self_points,
       SUM(own_points) * 1.0 / NULLIF(SUM(own), 0) AS self_average
FROM (
    SELECT survey_id,
           competency_id,
           question_index,
           SUM(CASE WHEN is_self THEN 0 ELSE 1 END) AS others,
           SUM(CASE WHEN is_self THEN 0 ELSE points END) AS others_points,
           SUM(CASE WHEN is_self THEN 1 ELSE 0 END) AS own,
           SUM(CASE WHEN is_self THEN points ELSE 0 END) AS own_points
    FROM survey_answer
    GROUP BY survey_id, competency_id, question_index
) AS per_question
GROUP BY survey_id, competency_id
"""


def _role() -> str:
    return str(context.config.attributes["app_role"])


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())


def upgrade() -> None:
    op.execute(SURVEY_360_AVERAGES)
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
    else:
        _sqlite_downgrade()
    op.execute("DROP VIEW survey_360_averages")


# --- PostgreSQL ----------------------------------------------------------------------------------------------------


def _postgresql_upgrade() -> None:
    role, schema = _role(), _schema()
    # CREATE ROLE has no IF NOT EXISTS; two databases migrated at once may both try, so a duplicate is fine too.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
                BEGIN
                    CREATE ROLE "{role}" NOLOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
        END
        $$
        """
    )
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
    defaults = f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}"'
    op.execute(f'{defaults} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"')
    op.execute(f'{defaults} GRANT USAGE, SELECT ON SEQUENCES TO "{role}"')
    # The exceptions: the audit log only grows; answers can be written but never read back; migrations are ours.
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{role}"')
    op.execute(f'REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON survey_answer FROM "{role}"')
    op.execute(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"')

    op.execute(
        """
        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused (R-4)', TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
    )

    op.execute(
        """
        CREATE FUNCTION sheet_submission_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'sheet_submission %: signed content cannot change; submit a new version (R-3)', OLD.id
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        f"CREATE TRIGGER sheet_submission_content_immutable BEFORE UPDATE OF {', '.join(SHEET_CONTENT_COLUMNS)} "
        "ON sheet_submission FOR EACH ROW EXECUTE FUNCTION sheet_submission_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER sheet_submission_signed_once BEFORE UPDATE OF signed_by_id, signed_at ON sheet_submission "
        "FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION sheet_submission_refuse_change()"
    )


def _postgresql_downgrade() -> None:
    role, schema = _role(), _schema()
    op.execute("DROP TRIGGER sheet_submission_signed_once ON sheet_submission")
    op.execute("DROP TRIGGER sheet_submission_content_immutable ON sheet_submission")
    op.execute("DROP FUNCTION sheet_submission_refuse_change()")
    op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_refuse_change()")
    # The role is cluster-wide (other databases may use it): take back this database's grants, keep the role.
    defaults = f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}"'
    op.execute(f'{defaults} REVOKE USAGE, SELECT ON SEQUENCES FROM "{role}"')
    op.execute(f'{defaults} REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"')
    op.execute(f'REVOKE USAGE ON SCHEMA "{schema}" FROM "{role}"')


# --- SQLite --------------------------------------------------------------------------------------------------------


def _sqlite_upgrade() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {operation} refused (R-4)'); END"
        )
    refuse = "SELECT RAISE(ABORT, 'sheet_submission: signed content cannot change; submit a new version (R-3)')"
    op.execute(
        f"CREATE TRIGGER sheet_submission_content_immutable BEFORE UPDATE OF {', '.join(SHEET_CONTENT_COLUMNS)} "
        f"ON sheet_submission BEGIN {refuse}; END"
    )
    op.execute(
        "CREATE TRIGGER sheet_submission_signed_once BEFORE UPDATE OF signed_by_id, signed_at ON sheet_submission "
        f"WHEN OLD.signed_at IS NOT NULL BEGIN {refuse}; END"
    )


def _sqlite_downgrade() -> None:
    for trigger in (
        "sheet_submission_signed_once",
        "sheet_submission_content_immutable",
        "audit_log_no_delete",
        "audit_log_no_update",
    ):
        op.execute(f"DROP TRIGGER {trigger}")
