"""Messages composed by the database: a whole body's notices or escalations in one ``INSERT … SELECT`` (PostgreSQL).

The cycle decides in Python who is concerned (eligibility, routing, G-7 seat holders) and hands the decisions over
as a few arrays — one bind parameter each, however many people — with their order; the database joins them to the
evaluations, periods and people and writes the outbox rows (and escalations) with the same idempotency keys,
recipients, languages and payloads as ``application.messages.compose`` writes them one by one, in the same order
(``WITH ORDINALITY``), skipping keys already queued (issue 13, decision 0170: composing 300,000 messages in Python
and streaming them back was a third of the day after a deadline at 100,000 people).

Payload values are what the Python composer puts there: dates as ``YYYY-MM-DD`` text, a person's name (the person's
id as text when the person is not of the body, as ``BodyContext.name`` does). SQLite keeps the Python path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from persistence.bulk import ANALYZE_FROM, COPIES, analyze, evaluation_status
from persistence.models.base import now_utc
from persistence.records import NewEvaluation

OUTBOX_COLUMNS = (
    "idempotency_key, body_id, recipient_person_id, recipient_role, kind, language, channel, payload, "
    "evaluation_id, due_at, status, attempts, next_attempt_at, created_at"
)


def supported(connection: sa.Connection) -> bool:
    """Whether the database composes messages itself (PostgreSQL); elsewhere the caller composes them."""
    return connection.dialect.name == "postgresql"


def fresh_statistics(connection: sa.Connection, table: str, inserted: int) -> None:
    """Re-read ``table``'s statistics when a bulk write of ``inserted`` rows in this transaction did not
    (``persistence.bulk`` does from ``ANALYZE_FROM`` rows): a composing join planned on the statistics of an
    almost empty table runs as a nested loop over every pair (issue 13: 24 s instead of 1 s for the notices of
    20,000 new evaluations). One ``ANALYZE`` of the table whatever the size: the statements stay flat."""
    if 0 < inserted < ANALYZE_FROM:
        analyze(connection, table)


def _analyzed(connection: sa.Connection, table: str, inserted: int) -> int:
    if inserted >= ANALYZE_FROM:  # as persistence.bulk does: the day's next step is planned on fresh statistics
        analyze(connection, table)
    return inserted


_OPENING = sa.text(
    f"""
    INSERT INTO outbox_message ({OUTBOX_COLUMNS})
    SELECT m.key, :body, m.recipient, NULL, m.kind, coalesce(r.language, 'kk'), NULL, m.payload, m.evaluation_id,
           :due, 'pending', 0, :due, :now
    FROM (
        SELECT d.ord, 0 AS part, 'notice:' || e.id AS key, e.person_id AS recipient,
               'evaluation_notice' AS kind, e.id AS evaluation_id,
               jsonb_build_object('period', CAST(:label AS text), 'method', e.method,
                                  'deadline', to_char(e.deadline, 'YYYY-MM-DD'))
               || CASE WHEN e.evaluator_id IS NULL THEN '{{}}'::jsonb
                       ELSE jsonb_build_object('evaluator_name', coalesce(ev.full_name, e.evaluator_id::text)) END
               AS payload
        FROM unnest(CAST(:persons AS bigint[]), CAST(:methods AS text[])) WITH ORDINALITY AS d(person_id, method, ord)
        JOIN evaluation e ON e.period_id = :period AND e.person_id = d.person_id AND e.method = d.method
                         AND e.eligible
        LEFT JOIN person ev ON ev.id = e.evaluator_id AND ev.body_id = :body
        UNION ALL
        SELECT d.ord, 1, 'sheet:' || e.id, coalesce(h.holder, e.evaluator_id), 'sheet_request', e.id,
               jsonb_build_object('period', CAST(:label AS text), 'method', e.method,
                                  'deadline', to_char(e.deadline, 'YYYY-MM-DD'),
                                  'evaluatee_name', coalesce(p.full_name, e.person_id::text),
                                  'sheet_link', CAST(:sheets AS text) || e.id)
        FROM unnest(CAST(:persons AS bigint[]), CAST(:methods AS text[])) WITH ORDINALITY AS d(person_id, method, ord)
        JOIN evaluation e ON e.period_id = :period AND e.person_id = d.person_id AND e.method = d.method
                         AND e.eligible AND e.evaluator_id IS NOT NULL
        LEFT JOIN person p ON p.id = e.person_id AND p.body_id = :body
        LEFT JOIN unnest(CAST(:evaluators AS bigint[]), CAST(:holders AS bigint[])) AS h(evaluator, holder)
               ON h.evaluator = e.evaluator_id
    ) AS m
    LEFT JOIN person r ON r.id = m.recipient AND r.body_id = :body
    ORDER BY m.ord, m.part
    ON CONFLICT (idempotency_key) DO NOTHING
    """
)


def queue_opening_notices(
    connection: sa.Connection,
    *,
    body_id: int,
    period_id: int,
    label: str,
    due_at: datetime,
    evaluations: Sequence[tuple[int, str]],
    seat_holders: dict[int, int],
    sheets: str,
) -> int:
    """P-4: for each (person id, method) of ``evaluations``, in order, whose evaluation of the period is eligible —
    the evaluatee's ``evaluation_notice`` (``notice:<id>``) and, with an evaluator, the ``sheet_request``
    (``sheet:<id>``) to whoever holds the evaluator's seat (``seat_holders``, G-7; the evaluator when absent from
    it), carrying ``sheet_link`` (``sheets`` followed by the evaluation's id). Returns how many rows were new."""
    parameters = {
        "body": body_id,
        "period": period_id,
        "label": label,
        "due": due_at,
        "now": now_utc(),
        "persons": [person for person, _ in evaluations],
        "methods": [method for _, method in evaluations],
        "evaluators": list(seat_holders),
        "holders": list(seat_holders.values()),
        "sheets": sheets,
    }
    inserted = connection.execute(_OPENING.execution_options(preserve_rowcount=True), parameters).rowcount
    return _analyzed(connection, "outbox_message", inserted)


_OVERDUE_ESCALATIONS = sa.text(
    """
    INSERT INTO escalation (evaluation_id, about_person_id, to_person_id, to_role, kind, level, escalated_on,
                            created_at)
    SELECT e.id, e.person_id, d.to_person, CASE WHEN d.to_person IS NULL THEN 'hr' END, :kind, d.level, :day, :now
    FROM unnest(CAST(:evaluations AS bigint[]), CAST(:levels AS integer[]), CAST(:to_persons AS bigint[]))
         WITH ORDINALITY AS d(evaluation_id, level, to_person, ord)
    JOIN evaluation e ON e.id = d.evaluation_id
    ORDER BY d.ord
    ON CONFLICT (evaluation_id, kind, level) DO NOTHING
    """
)

_OVERDUE_MESSAGES = sa.text(
    f"""
    INSERT INTO outbox_message ({OUTBOX_COLUMNS})
    SELECT 'escalation:' || e.id || ':' || :kind || ':' || d.level, :body, d.recipient,
           CASE WHEN d.recipient IS NULL THEN 'hr' END, d.message_kind,
           CASE WHEN d.recipient IS NULL THEN :hr_language ELSE coalesce(r.language, 'kk') END, NULL,
           jsonb_build_object(
               'period', ep.label,
               'deadline', to_char(e.deadline, 'YYYY-MM-DD'),
               'evaluatee_name', coalesce(p.full_name, e.person_id::text),
               'evaluator_name', coalesce(nullif(CASE WHEN e.evaluator_id IS NULL THEN ''
                                                      ELSE coalesce(ev.full_name, e.evaluator_id::text) END, ''), '—')
           ) || CASE WHEN d.message_kind = ANY(CAST(:linked AS text[]))
                     THEN jsonb_build_object('sheet_link', CAST(:sheets AS text) || e.id) ELSE '{{}}'::jsonb END,
           e.id, :due, 'pending', 0, :due, :now
    FROM unnest(CAST(:evaluations AS bigint[]), CAST(:levels AS integer[]), CAST(:recipients AS bigint[]),
                CAST(:message_kinds AS text[]))
         WITH ORDINALITY AS d(evaluation_id, level, recipient, message_kind, ord)
    JOIN evaluation e ON e.id = d.evaluation_id
    JOIN evaluation_period ep ON ep.id = e.period_id
    LEFT JOIN person p ON p.id = e.person_id AND p.body_id = :body
    LEFT JOIN person ev ON ev.id = e.evaluator_id AND ev.body_id = :body
    LEFT JOIN person r ON r.id = d.recipient AND r.body_id = :body
    ORDER BY d.ord
    ON CONFLICT (idempotency_key) DO NOTHING
    """
)


def queue_overdue_escalations(
    connection: sa.Connection,
    *,
    body_id: int,
    kind: str,
    day: date,
    due_at: datetime,
    hr_language: str,
    levels: Sequence[tuple[int, int, int | None, int | None, str]],
    sheets: str,
    linked: Sequence[str],
) -> int:
    """P-1, P-2, G-6: for each (evaluation id, level, escalated to, message recipient, message kind) in order, the
    escalation row (``to_person_id`` the person escalated to, HR when ``None``) and its message
    (``escalation:<id>:<kind>:<level>``) to the recipient (who holds that person's seat, G-7), or to HR when
    ``None`` (in ``hr_language``); a message of a ``linked`` kind carries ``sheet_link`` (``sheets`` followed by the
    evaluation's id). Returns how many escalations were new."""
    now = now_utc()
    evaluations = [item[0] for item in levels]
    numbers = [item[1] for item in levels]
    messages = {
        "body": body_id,
        "kind": kind,
        "due": due_at,
        "now": now,
        "hr_language": hr_language,
        "evaluations": evaluations,
        "levels": numbers,
        "recipients": [item[3] for item in levels],
        "message_kinds": [item[4] for item in levels],
        "sheets": sheets,
        "linked": list(linked),
    }
    queued = connection.execute(_OVERDUE_MESSAGES.execution_options(preserve_rowcount=True), messages).rowcount
    _analyzed(connection, "outbox_message", queued)
    escalations = {
        "kind": kind,
        "day": day,
        "now": now,
        "evaluations": evaluations,
        "levels": numbers,
        "to_persons": [item[2] for item in levels],
    }
    inserted = connection.execute(_OVERDUE_ESCALATIONS.execution_options(preserve_rowcount=True), escalations).rowcount
    return _analyzed(connection, "escalation", inserted)


# --- a period opened in parts (decision 0191) ----------------------------------------------------------------------


def unopened_and_empty(connection: sa.Connection, period_id: int) -> bool:
    """Lock the period's row (``FOR UPDATE``: an opening of the same period waits for this one and then finds it
    opened) and say whether it is still unopened and holds no evaluation at all — then the opening's evaluations
    are all new and can be written without the unique key's arbiter (:func:`open_part`)."""
    found = connection.execute(
        sa.text(
            "SELECT opened_on IS NULL AND NOT EXISTS (SELECT 1 FROM evaluation WHERE period_id = :period) "
            "FROM evaluation_period WHERE id = :period FOR UPDATE"
        ),
        {"period": period_id},
    ).scalar_one_or_none()
    return bool(found)


_OPENING_PART = sa.text(
    f"""
    WITH d AS (
        SELECT * FROM unnest(CAST(:persons AS integer[]), CAST(:methods AS text[]), CAST(:rulebooks AS text[]),
                             CAST(:statuses AS text[]), CAST(:eligible AS boolean[]), CAST(:reasons AS text[]),
                             CAST(:in_absentia AS boolean[]), CAST(:evaluators AS integer[]),
                             CAST(:delegated_by AS integer[]), CAST(:approvers AS integer[]),
                             CAST(:deadlines AS date[]), CAST(:notices AS date[]))
             WITH ORDINALITY AS d(person_id, method, rulebook_id, status, eligible, reason, in_absentia,
                                  evaluator_id, delegated_by_id, approver_id, deadline, notice_due_on, ord)
    ),
    e AS (
        INSERT INTO evaluation (person_id, period_id, method, rulebook_id, status, eligible, ineligible_reason,
                                in_absentia, evaluator_id, delegated_by_id, approver_id, deadline, notice_due_on,
                                created_at, updated_at)
        SELECT d.person_id, :period, d.method, d.rulebook_id, d.status, d.eligible, d.reason, d.in_absentia,
               d.evaluator_id, d.delegated_by_id, d.approver_id, d.deadline, d.notice_due_on, :now, :now
        FROM d ORDER BY d.ord
        RETURNING id, person_id, method, eligible, evaluator_id, deadline
    ),
    o AS (
        INSERT INTO outbox_message ({OUTBOX_COLUMNS})
        SELECT m.key, :body, m.recipient, NULL, m.kind, coalesce(r.language, 'kk'), NULL,
               jsonb_build_object('period', CAST(:label AS text), 'method', m.method, 'deadline', m.deadline)
               || CASE WHEN m.part = 1
                       THEN jsonb_build_object('evaluatee_name', m.name, 'sheet_link', CAST(:sheets AS text) || m.id)
                       WHEN m.name IS NULL THEN '{{}}'::jsonb
                       ELSE jsonb_build_object('evaluator_name', m.name) END,
               m.id, :due, 'pending', 0, :due, :now
        FROM (
            SELECT e.id, 0 AS part, 'notice:' || e.id AS key, e.person_id AS recipient,
                   'evaluation_notice' AS kind, e.method, to_char(e.deadline, 'YYYY-MM-DD') AS deadline,
                   CASE WHEN e.evaluator_id IS NOT NULL THEN coalesce(ev.full_name, e.evaluator_id::text) END AS name
            FROM e LEFT JOIN person ev ON ev.id = e.evaluator_id AND ev.body_id = :body
            WHERE e.eligible
            UNION ALL
            SELECT e.id, 1, 'sheet:' || e.id, coalesce(h.holder, e.evaluator_id), 'sheet_request', e.method,
                   to_char(e.deadline, 'YYYY-MM-DD'), coalesce(p.full_name, e.person_id::text)
            FROM e LEFT JOIN person p ON p.id = e.person_id AND p.body_id = :body
                   LEFT JOIN unnest(CAST(:seats AS integer[]), CAST(:holders AS integer[])) AS h(evaluator, holder)
                          ON h.evaluator = e.evaluator_id
            WHERE e.eligible AND e.evaluator_id IS NOT NULL
        ) AS m
        LEFT JOIN person r ON r.id = m.recipient AND r.body_id = :body
        ORDER BY m.id, m.part
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM o)
    """
)


def open_part(
    connection: sa.Connection,
    *,
    body_id: int,
    period_id: int,
    label: str,
    due_at: datetime,
    now: datetime,
    rows: Sequence[NewEvaluation],
    seat_holders: dict[int, int],
    sheets: str,
) -> tuple[int, int]:
    """One part of a period whose evaluations are all new (:func:`unopened_and_empty`), in one statement: the
    evaluations ``rows`` in order (ids in that order, as ``persistence.bulk.insert_evaluations`` gives them) and,
    for each eligible one, in the order of their ids, the messages :func:`queue_opening_notices` composes — the
    evaluatee's notice and, with an evaluator, the sheet request to whoever holds the evaluator's seat. No
    ``ON CONFLICT``: nothing of the period exists, and the messages' keys carry the new evaluations' ids. Returns
    (evaluations, messages) written."""
    statuses = [evaluation_status(row) for row in rows]  # refuses an ineligible one without its reason
    parameters = {
        "body": body_id,
        "period": period_id,
        "label": label,
        "due": due_at,
        "now": now,
        "persons": [row.person_id for row in rows],
        "methods": [row.method.value for row in rows],
        "rulebooks": [row.rulebook_id for row in rows],
        "statuses": statuses,
        "eligible": [row.eligible for row in rows],
        "reasons": [row.ineligible_reason for row in rows],
        "in_absentia": [row.in_absentia for row in rows],
        "evaluators": [row.evaluator_id for row in rows],
        "delegated_by": [row.delegated_by_id for row in rows],
        "approvers": [row.approver_id for row in rows],
        "deadlines": [row.deadline for row in rows],
        "notices": [row.notice_due_on for row in rows],
        "seats": list(seat_holders),
        "holders": list(seat_holders.values()),
        "sheets": sheets,
    }
    evaluations, messages = connection.execute(_OPENING_PART, parameters).one()
    COPIES.rows += evaluations + messages  # a WITH statement: the benchmarks' meter reads no row count from it
    return int(evaluations), int(messages)


def analyzed_after_opening(connection: sa.Connection, evaluations: int, messages: int) -> None:
    """The statistics an opening leaves behind, as the one-pass opening left them: the evaluations re-read at any
    size (``persistence.bulk`` from ``ANALYZE_FROM`` rows, :func:`fresh_statistics` below that), the outbox from
    ``ANALYZE_FROM`` new messages."""
    if evaluations > 0:
        analyze(connection, "evaluation")
    _analyzed(connection, "outbox_message", messages)
