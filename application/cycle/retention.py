"""R-1: evaluation documents are kept N years (3 in every family) from the end of the evaluation, then archived or
purged as the rulebook says, with a ``retention_record`` of what went.

* **What is a document**: the sheet versions and the superior head's reviews (R-3, M-5), the calibration case with
  its composition and votes (the protocol, C-5…C-7), the Commission's votes and decision (M-7), refusal acts
  (M-8), appeals (C-9, M-9), acknowledgements (C-1); and the yearly 360 surveys with their respondents and
  anonymous answers (T-8). The evaluation row itself — who, period, method, result — stays: it is the entry of the
  service record (M-8), and the audit log is append-only (R-4).
* **Drafts** (decision 0141): the evaluators' unsigned drafts of an evaluation's sheet go with its documents, and a
  sheet never signed ends, with its draft, at the end of its period (below). A draft is deleted and counted in the
  record (``sheet_draft``), never archived: it was never signed and is its evaluator's alone (R-2).
* **The end of the evaluation**: the day it was closed; else the day its result was known; else (never completed)
  the last day of its period. A 360 survey ends the day it closed. Kept through the same day N years later.
* **Archive** (``action: archive``): the documents are written to one JSON file per body and run under the archive
  folder (the environment's ``archive_dir``: ``<data dir>/archive``; the raw 360 answers cannot be read back by
  design, so a survey's archive is its individual report, T-6), the file's SHA-256 goes in the record, then the
  rows are deleted.
  **Purge**: deleted, the record keeps the counts and ids.

Idempotent: a second run for the same day finds nothing left to remove and records nothing.

**Its own role** (PostgreSQL, issue 12): the application role may not delete a signed sheet; the purge's
transaction switches to ``<app role>_retention`` (``UnitOfWork.act_as_retention``), which may. No role may delete
an evaluation row or a delivery attempt.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped, unused-ignore]

from application.context import BodyContext, in_body
from application.environment import Environment
from application.queries.surveys import report_of, survey_book
from domain.access import Principal
from domain.rulebook import Retention, Rulebook
from persistence import annual_state
from persistence.db import dumps
from persistence.records import Survey

RETENTION_PURGE = Principal.system_step("retention_purge")


@dataclass
class Purged:
    """What one body's run removed: rows per table, and the archive files written."""

    rows: dict[str, int] = field(default_factory=dict)
    archives: list[str] = field(default_factory=list)


def cutoff(retention: Retention, day: date) -> date:
    """R-1: documents of evaluations that ended before this day are past their N years on ``day``."""
    return day - relativedelta(years=retention.years)


def purge_body(ctx: BodyContext, day: date, archive_dir: Path) -> Purged:
    """Archive or purge every expired document of one body (R-1), recording each batch."""
    done = Purged()
    ctx.uow.act_as_retention()  # only the retention role may delete signed sheets (docs/decisions/0065)
    for rulebook_id in annual_state.rulebooks_used(ctx.uow.session, ctx.body_id):
        retention = ctx.book(rulebook_id).retention
        before = cutoff(retention, day)
        ids = annual_state.expired_evaluations(ctx.uow.session, ctx.body_id, rulebook_id, before)
        if not ids:
            continue
        documents = annual_state.evaluation_documents(ctx.uow.session, ids)
        # drafts only (sheets never signed): nothing to archive, the record says what went
        name = f"evaluations-{rulebook_id}"
        archive = _archive(archive_dir, ctx, day, name, documents, retention) if documents else None
        counts = ctx.uow.retention.delete_evaluation_documents(ids)
        _record(ctx, "evaluation_documents", before, counts, ids, retention, archive, done)
    _purge_surveys(ctx, day, archive_dir, done)
    return done


def _purge_surveys(ctx: BodyContext, day: date, archive_dir: Path, done: Purged) -> None:
    """T-8, R-1: 360 surveys past their retention go with their respondents and answers."""
    expired: dict[tuple[int, str], list[Survey]] = defaultdict(list)  # by (years, action)
    books: dict[int, Rulebook] = {}
    for survey in annual_state.surveys(ctx.uow.session, ctx.body_id, status="closed"):
        book = survey_book(ctx, survey)
        if (survey.closed_on or survey.closes_on or day) < cutoff(book.retention, day):
            expired[(book.retention.years, book.retention.action)].append(survey)
            books[survey.id] = book
    for group in expired.values():
        retention = books[group[0].id].retention
        reports = [
            {**report_of(ctx.uow, s, books[s.id], ctx.numbers[s.evaluatee_id]).__dict__, "survey_id": s.id}
            for s in group
        ]
        archive = _archive(archive_dir, ctx, day, "survey_360", {"survey_360_reports": reports}, retention)
        counts = {"survey_360": ctx.uow.retention.delete_surveys([s.id for s in group])}
        _record(ctx, "survey_360", cutoff(retention, day), counts, [s.id for s in group], retention, archive, done)


def _archive(
    folder: Path, ctx: BodyContext, day: date, name: str, documents: dict[str, Any], retention: Retention
) -> dict[str, str] | None:
    """Write the documents to the archive (``action: archive``); the file's path and SHA-256, or None (purge)."""
    if retention.action != "archive":
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"retention-{day.isoformat()}-body{ctx.body_id}-{name}.json"
    content = json.dumps(json.loads(dumps(documents)), ensure_ascii=False, indent=1, sort_keys=True).encode()
    path.write_bytes(content)
    return {"path": str(path), "sha256": hashlib.sha256(content).hexdigest()}


def _record(
    ctx: BodyContext,
    entity: str,
    before: date,
    counts: dict[str, int],
    ids: list[int],
    retention: Retention,
    archive: dict[str, str] | None,
    done: Purged,
) -> None:
    detail: dict[str, Any] = {"action": retention.action, "years": retention.years, "ids": ids, "tables": counts}
    if archive is not None:
        detail["archive"] = archive
        done.archives.append(archive["path"])
    ctx.uow.retention.record(entity=entity, cutoff_on=before, rows=sum(counts.values()), detail=detail)
    for table, count in counts.items():
        done.rows[table] = done.rows.get(table, 0) + count


def retention_purge(env: Environment, body_id: int, day: date, archive_dir: Path | None = None) -> dict[str, int]:
    """The ``retention_purge`` flow's work for one body (R-1): rows removed per table; archives under
    ``archive_dir`` (default: the environment's)."""
    folder = env.archive_dir if archive_dir is None else archive_dir
    return in_body(env, body_id, day, RETENTION_PURGE, lambda ctx: purge_body(ctx, day, folder)).rows
