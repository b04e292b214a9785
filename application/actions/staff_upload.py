"""HR uploads a staff file (CSV or XLSX) from the dashboard (issue 14): the importer's row-by-row report first, the
import second — the same importer as ``bagalau org import`` (docs/decisions/0020-staff-import.md).

:func:`preview` reads the file and compares it with the database in a dry run: what would change, or every bad row
(row, column, value, why); nothing is written. :func:`apply` imports it in one transaction, audited as the HR
member (R-4), into the member's own body only (G-6). A file with any bad row is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from application.actions.setup import may_set_up
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase
from notifications.channels import mask, url_problem
from persistence.importers import (
    ImportRefused,
    ImportReport,
    StaffFileError,
    UrlPolicy,
    Where,
    import_staff,
    read_staff_file,
)

SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Row:
    """One problem (or warning) of the file, as the page lists it: where, which column, the value, why. ``where``
    and ``message`` keep the importer's :class:`~domain.errors.Phrase` (a ``str``), which the page says in the
    reader's language (decision 0150); their text is the English the CLI prints."""

    where: str
    column: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class StaffUpload:
    """What an upload would do (``applied`` false) or did: the counts of changes, or the problems (nothing written)."""

    source: str
    applied: bool
    rows: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    people_not_in_file: int = 0
    problems: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.refused is None

    @property
    def changed(self) -> bool:
        return any(self.changes.values())


def _rows(problems: list[object]) -> list[Row]:
    found = []
    for problem in problems:
        where = getattr(problem, "where", None)
        message = getattr(problem, "message", problem)
        found.append(
            Row(
                where=where.said() if isinstance(where, Where) else str(where),
                column=getattr(problem, "column", None),
                value=getattr(problem, "value", None),
                message=message if isinstance(message, str) else str(message),
            )
        )
    return found


def _run(env: Environment, principal: Principal, name: str, data: bytes, as_of: date, *, dry_run: bool) -> StaffUpload:
    may_set_up(principal, principal.body or "")
    if principal.body is None:
        raise Rejected.by_rule("G-6", "only the HR service of a body uploads its staff")
    source = name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "staff.csv"
    if not source.lower().endswith(SUFFIXES):
        raise Rejected(
            Phrase(
                "file {source!r}: a staff file is .csv or .xlsx (allowed: {suffixes})",
                source=source,
                suffixes=", ".join(SUFFIXES),
            )
        )
    try:
        staff = read_staff_file(source, data, strict=False, urls=UrlPolicy(problem=url_problem, shown=mask))
        report: ImportReport = import_staff(
            env.engine,
            staff,
            actor=principal.actor,
            as_of=as_of,
            body=principal.body,
            dry_run=dry_run,
            secrets=env.delivery.secrets,
        )
    except StaffFileError as exc:
        return StaffUpload(
            source=source,
            applied=False,
            problems=_rows(list(exc.problems)),
            warnings=_rows(list(exc.warnings)),
        )
    except ImportRefused as exc:
        return StaffUpload(source=source, applied=False, refused=str(exc))
    return StaffUpload(
        source=source,
        applied=not dry_run,
        rows=report.rows,
        changes=dict(report.counts),
        people_not_in_file=report.people_not_in_file,
        warnings=_rows(list(report.warnings)),
    )


def preview(env: Environment, principal: Principal, name: str, data: bytes, as_of: date) -> StaffUpload:
    """A dry run of the import: what would change, or every bad row; nothing is written."""
    return _run(env, principal, name, data, as_of, dry_run=True)


def apply(env: Environment, principal: Principal, name: str, data: bytes, as_of: date) -> StaffUpload:
    """Import the file into the principal's body in one transaction (all or nothing), audited as the principal."""
    return _run(env, principal, name, data, as_of, dry_run=False)
