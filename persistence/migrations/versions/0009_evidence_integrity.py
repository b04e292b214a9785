"""Evidence integrity in the database (issue 12): the database stamps the audit log, keeps evidence insert-only,
audits what no code path may change silently, and shows 360 averages only when they cannot reveal an answer.

What the database now enforces (docs/schema.md "Evidence integrity", docs/decisions/0064–0066):

- **Audit stamp** (PostgreSQL): a BEFORE INSERT trigger on ``audit_log`` sets ``at`` to the transaction's ``now()``
  and ``actor`` to the session setting ``bagalau.actor`` (set by the unit of work at the start of each
  transaction; ``db:<login>`` when nobody set it) — whatever the caller wrote is replaced.
- **R-4 by trigger** (PostgreSQL): a change of an evaluation's score, category or deadlines (``deadline``,
  ``notice_due_on``, ``acquaint_by``, ``disagreement_until``), and every change of a composition
  (``calibration_member``, ``commission_member``), is checked at commit (deferred constraint triggers): if the
  transaction wrote no audit row for it, the database writes one (before, after, ``db:<login>`` in the reason).
  Deleting an evaluation is refused to the application and retention roles; the owner's deletion is audited.
- **Insert-only evidence**: ``delivery_attempt`` rows are never updated (every role) and never deleted by the
  application; a ``sheet_submission`` is never deleted by the application role (only retention, R-1, deletes
  documents, as the role ``<app_role>_retention``); an outbox message's proof (``proof``, ``delivered_at``,
  ``delivered_address``, status ``delivered``) is written once, and only with a successful ``delivery_attempt``
  recorded for the message (PostgreSQL checks at commit, SQLite at the update).
- **Grants** (PostgreSQL): the application role loses DELETE on ``evaluation``, ``sheet_submission`` and
  ``delivery_attempt`` and UPDATE on ``delivery_attempt``. The new NOLOGIN role ``<app_role>_retention`` has the
  application role's rights plus DELETE on ``sheet_submission``; retention switches to it for its transaction.
- **360 (T-6, T-8)**: ``survey_360_averages`` shows a survey only once it is closed and only for competencies with
  at least 3 respondents (T-4's lowest minimum; the rulebook's own minimum is applied on top by the report).
  ``survey_respondent.answered_at`` becomes ``answered`` (a flag): nothing times an individual answer any more.

SQLite has no roles and no session settings: it gets the triggers that need neither (attempts never updated,
proofs written once and only after a successful attempt, evaluations never deleted, the closed-survey view); the
audit stamp and the R-4 triggers are PostgreSQL's (a limit stated in the README).

Downgrade restores ``answered_at`` (answered rows get their invitation time: the answer's own time is gone by
design), the open view, the grants and drops the triggers; the retention role stays (roles are cluster-wide).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIN_RESPONDENTS = 3
"""T-4: at least 3 respondents. Below this no average is shown by the database, whatever the rulebook says."""

EVALUATION_AUDITED = ("score", "category", "deadline", "notice_due_on", "acquaint_by", "disagreement_until")
"""R-4: the evaluation columns whose every change must have an audit row (the database writes a missing one)."""

_AVERAGES_SELECT = """
SELECT per_question.survey_id AS survey_id,
       per_question.competency_id AS competency_id,
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
"""

GUARDED_AVERAGES = (
    _AVERAGES_SELECT
    + "JOIN survey_360 ON survey_360.id = per_question.survey_id AND survey_360.status = 'closed'\n"
    + "GROUP BY per_question.survey_id, per_question.competency_id\n"
    + f"HAVING MAX(others) >= {MIN_RESPONDENTS}\n"
)
OPEN_AVERAGES = _AVERAGES_SELECT + "GROUP BY per_question.survey_id, per_question.competency_id\n"


def _roles() -> tuple[str, str]:
    app = str(context.config.attributes["app_role"])
    return app, f"{app}_retention"


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())


def upgrade() -> None:
    with op.batch_alter_table("survey_respondent") as batch:
        batch.add_column(
            sa.Column(
                "answered",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="answered or not: never when (T-8)",
            )
        )
    op.execute("UPDATE survey_respondent SET answered = (answered_at IS NOT NULL)")
    with op.batch_alter_table("survey_respondent") as batch:
        batch.alter_column("answered", server_default=None, existing_type=sa.Boolean(), existing_nullable=False)
        batch.drop_column("answered_at")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
    else:
        _sqlite_downgrade()
    with op.batch_alter_table("survey_respondent") as batch:
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE survey_respondent SET answered_at = invited_at WHERE answered")
    with op.batch_alter_table("survey_respondent") as batch:
        batch.drop_column("answered")


# --- PostgreSQL ----------------------------------------------------------------------------------------------------

_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "


def _postgresql_upgrade() -> None:
    app, retention = _roles()
    schema = _schema()
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{retention}') THEN
                BEGIN
                    CREATE ROLE "{retention}" NOLOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END;
            END IF;
        END
        $$
        """
    )
    op.execute(f'GRANT "{app}" TO "{retention}"')
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{retention}"')
    op.execute(f'GRANT DELETE ON sheet_submission TO "{retention}"')
    op.execute(f'REVOKE DELETE ON evaluation, sheet_submission, delivery_attempt FROM "{app}"')
    op.execute(f'REVOKE UPDATE ON delivery_attempt FROM "{app}"')

    # Who is "the application": the app role, the retention role, and any login holding them (after a RESET ROLE
    # too) — but not the owner, and not a superuser (whose rights no trigger can take away anyway).
    op.execute(
        f"""
        CREATE FUNCTION bagalau_acting_as_application(retention_allowed boolean) RETURNS boolean
        LANGUAGE sql STABLE AS $$
            SELECT pg_has_role(current_user, '{app}', 'MEMBER')
               AND NOT (retention_allowed AND current_user = '{retention}')
               AND NOT COALESCE((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false)
        $$
        """
    )
    # The audit stamp: when and who come from the database, not from the row the caller wrote.
    op.execute(
        """
        CREATE FUNCTION audit_log_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.at := now();
            NEW.actor := left(COALESCE(NULLIF(current_setting('bagalau.actor', true), ''), 'db:' || session_user),
                              200);
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_stamped BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_stamp()"
    )
    # what the transaction changed without an audit row is audited by the database at commit.
    op.execute(
        """
        CREATE FUNCTION audit_write_missing(entity text, entity_id text, action text, before jsonb, after jsonb)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT FROM audit_log a WHERE a.entity = audit_write_missing.entity
                           AND a.entity_id = audit_write_missing.entity_id AND a.at = now()) THEN
                INSERT INTO audit_log (at, actor, entity, entity_id, action, before, after, reason)
                VALUES (now(), '', entity, entity_id, action, before, after,
                        'R-4: recorded by the database (no audit row came with the change; login '
                        || session_user || ', role ' || current_user || ')');
            END IF;
        END
        $$
        """
    )
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in EVALUATION_AUDITED)
    pairs = ", ".join(f"'{column}', {{0}}.{column}" for column in EVALUATION_AUDITED)
    op.execute(
        f"""
        CREATE FUNCTION evaluation_audit_required() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM audit_write_missing('evaluation', NEW.id::text, 'update',
                                        jsonb_strip_nulls(jsonb_build_object({pairs.format("OLD")})),
                                        jsonb_strip_nulls(jsonb_build_object({pairs.format("NEW")})));
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER evaluation_changes_audited AFTER UPDATE ON evaluation "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION evaluation_audit_required()"
    )
    op.execute(
        f"""
        CREATE FUNCTION evaluation_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF bagalau_acting_as_application(false) THEN
                {_REFUSE} format('evaluation %s: evaluations are never deleted by the application (R-1, R-4)',
                                 OLD.id);
            END IF;
            INSERT INTO audit_log (at, actor, entity, entity_id, action, before, after, reason)
            VALUES (now(), '', 'evaluation', OLD.id::text, 'delete', to_jsonb(OLD), NULL,
                    'R-4: deleted outside the application (login ' || session_user || ')');
            RETURN OLD;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER evaluation_never_deleted BEFORE DELETE ON evaluation "
        "FOR EACH ROW EXECUTE FUNCTION evaluation_refuse_delete()"
    )
    op.execute(
        """
        CREATE FUNCTION composition_audit_required() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed record;
        BEGIN
            IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
            IF TG_TABLE_NAME = 'calibration_member' THEN
                PERFORM audit_write_missing('calibration_case', changed.case_id::text, 'compose',
                    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
                    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END);
            ELSE
                PERFORM audit_write_missing(TG_TABLE_NAME, changed.id::text, lower(TG_OP),
                    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
                    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for table in ("calibration_member", "commission_member"):
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_changes_audited AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION composition_audit_required()"
        )

    # Insert-only evidence.
    op.execute(
        f"""
        CREATE FUNCTION evidence_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'delivery_attempt' THEN
                {_REFUSE} format('delivery_attempt %s: attempts are evidence, never rewritten (C-1, R-4)', OLD.id);
            END IF;
            IF bagalau_acting_as_application(TG_TABLE_NAME <> 'delivery_attempt') THEN
                {_REFUSE} format('%s %s: evidence is insert-only; only retention (R-1) removes documents',
                                 TG_TABLE_NAME, OLD.id);
            END IF;
            RETURN OLD;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER delivery_attempt_insert_only BEFORE UPDATE OR DELETE ON delivery_attempt "
        "FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER sheet_submission_never_deleted BEFORE DELETE ON sheet_submission "
        "FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change()"
    )
    op.execute(
        f"""
        CREATE FUNCTION outbox_proof_written_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_REFUSE} format('outbox_message %s: a proof of delivery is written once (C-1, Q-4)', OLD.id);
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_message_proof_once BEFORE UPDATE ON outbox_message FOR EACH ROW "
        "WHEN ((OLD.delivered_at IS NOT NULL OR OLD.status = 'delivered') AND ("
        "OLD.proof::text IS DISTINCT FROM NEW.proof::text OR OLD.delivered_at IS DISTINCT FROM NEW.delivered_at "
        "OR OLD.delivered_address IS DISTINCT FROM NEW.delivered_address OR OLD.status IS DISTINCT FROM NEW.status))"
        " EXECUTE FUNCTION outbox_proof_written_once()"
    )
    op.execute(
        f"""
        CREATE FUNCTION outbox_delivered_attempted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT FROM delivery_attempt WHERE outbox_id = NEW.id AND ok) THEN
                {_REFUSE} format('outbox_message %s: delivered without a successful delivery attempt (C-1)', NEW.id);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER outbox_message_delivered_attempted AFTER INSERT OR UPDATE ON outbox_message "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'delivered') "
        "EXECUTE FUNCTION outbox_delivered_attempted()"
    )
    op.execute(f"CREATE OR REPLACE VIEW survey_360_averages AS {GUARDED_AVERAGES}")


_PG_TRIGGERS = (
    ("outbox_message_delivered_attempted", "outbox_message"),
    ("outbox_message_proof_once", "outbox_message"),
    ("sheet_submission_never_deleted", "sheet_submission"),
    ("delivery_attempt_insert_only", "delivery_attempt"),
    ("commission_member_changes_audited", "commission_member"),
    ("calibration_member_changes_audited", "calibration_member"),
    ("evaluation_never_deleted", "evaluation"),
    ("evaluation_changes_audited", "evaluation"),
    ("audit_log_stamped", "audit_log"),
)
_PG_FUNCTIONS = (
    "outbox_delivered_attempted()",
    "outbox_proof_written_once()",
    "evidence_refuse_change()",
    "composition_audit_required()",
    "evaluation_refuse_delete()",
    "evaluation_audit_required()",
    "audit_write_missing(text, text, text, jsonb, jsonb)",
    "audit_log_stamp()",
    "bagalau_acting_as_application(boolean)",
)


def _postgresql_downgrade() -> None:
    app, retention = _roles()
    schema = _schema()
    op.execute(f"CREATE OR REPLACE VIEW survey_360_averages AS {OPEN_AVERAGES}")
    for trigger, table in _PG_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in _PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(f'GRANT UPDATE ON delivery_attempt TO "{app}"')
    op.execute(f'GRANT DELETE ON evaluation, sheet_submission, delivery_attempt TO "{app}"')
    op.execute(f'REVOKE DELETE ON sheet_submission FROM "{retention}"')
    op.execute(f'REVOKE USAGE ON SCHEMA "{schema}" FROM "{retention}"')
    op.execute(f'REVOKE "{app}" FROM "{retention}"')


# --- SQLite --------------------------------------------------------------------------------------------------------

_SQLITE_TRIGGERS = {
    "delivery_attempt_never_updated": (
        "BEFORE UPDATE ON delivery_attempt",
        "delivery_attempt: attempts are evidence, never rewritten (C-1, R-4)",
    ),
    "evaluation_never_deleted": (
        "BEFORE DELETE ON evaluation",
        "evaluation: evaluations are never deleted (R-1, R-4)",
    ),
    "outbox_message_proof_once": (
        "BEFORE UPDATE ON outbox_message FOR EACH ROW WHEN (OLD.delivered_at IS NOT NULL OR OLD.status = 'delivered') "
        "AND (OLD.proof IS NOT NEW.proof OR OLD.delivered_at IS NOT NEW.delivered_at "
        "OR OLD.delivered_address IS NOT NEW.delivered_address OR OLD.status IS NOT NEW.status)",
        "outbox_message: a proof of delivery is written once (C-1, Q-4)",
    ),
    "outbox_message_delivered_attempted": (
        "BEFORE UPDATE ON outbox_message FOR EACH ROW WHEN NEW.status = 'delivered' AND OLD.status <> 'delivered' "
        "AND NOT EXISTS (SELECT 1 FROM delivery_attempt WHERE outbox_id = NEW.id AND ok)",
        "outbox_message: delivered without a successful delivery attempt (C-1)",
    ),
}


def _sqlite_upgrade() -> None:
    for name, (when, message) in _SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END")
    op.execute("DROP VIEW survey_360_averages")
    op.execute(f"CREATE VIEW survey_360_averages AS {GUARDED_AVERAGES}")


def _sqlite_downgrade() -> None:
    op.execute("DROP VIEW survey_360_averages")
    op.execute(f"CREATE VIEW survey_360_averages AS {OPEN_AVERAGES}")
    for name in reversed(_SQLITE_TRIGGERS):
        op.execute(f"DROP TRIGGER {name}")
