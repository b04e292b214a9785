"""Importing staff from HR's files: read and check the file, compare it with the body, write the difference.

::

    staff = read_staff_file("staff.csv")               # StaffFileError listing every bad row
    report = import_staff(engine, staff, body="nchr", actor="cli:aigerim", as_of=date(2025, 4, 1))
    print(report.render())

All or nothing: the whole import is one unit of work. Every problem — in the file alone, or against the database
(an unknown head, a head cycle, a move dated before the current post) — is collected first and raised together
as :class:`StaffFileError` before anything is written; a database error part-way rolls everything back. A dry run
does all the work, then rolls back. Importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from domain.errors import Phrase
from persistence.importers import tabular
from persistence.importers.plan import COUNTS, plan_import
from persistence.importers.spec import FILE, Problem, StaffFile, StaffFileError, UrlPolicy, YamlReader
from persistence.importers.writer import Writer, body_codes, load_snapshot, lock_body
from persistence.secrets import SecretBox
from persistence.uow import UnitOfWork

YAML_SUFFIXES = (".yaml", ".yml")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


MAX_FILE_BYTES = 64 * 1024 * 1024
"""A staff file larger than this is refused unread (20,000 people take ~4 MB of CSV)."""


def _read_bounded(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


class ImportRefused(ValueError):
    """The import cannot start (which body to import into is not clear); nothing was written."""


def read_staff_file(
    path: str | Path,
    data: bytes | None = None,
    *,
    strict: bool = True,
    read_yaml: YamlReader | None = None,
    urls: UrlPolicy | None = None,
) -> StaffFile:
    """Read a CSV, XLSX or scenario YAML staff file and check it on its own; :class:`StaffFileError` if it is bad.

    The format comes from the content (an .xlsx is a zip archive) and, for YAML, from the name; a YAML file needs
    ``read_yaml`` (``bagalau.staff_files`` plugs in the scenario's ``organization`` reader). ``strict=False``
    returns a file with bad rows (left out of ``people``, listed in ``problems``) so that the database checks can
    report theirs too; a file that cannot be used at all (unreadable, no usable header) always raises.
    """
    path = Path(path)
    source = str(path)
    try:
        raw = _read_bounded(path) if data is None else data
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StaffFileError(source, [Problem(FILE, None, None, f"cannot read the file: {reason}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        message = Phrase(
            "larger than {megabytes} MB: not a staff file (split it, or save as .xlsx)",
            megabytes=MAX_FILE_BYTES // (1024 * 1024),
        )
        raise StaffFileError(source, [Problem(FILE, None, None, message)])
    digest = hashlib.sha256(raw).hexdigest()
    try:
        if raw.startswith(OLE_MAGIC):
            raise tabular.UnreadableFile(Phrase("an old Excel .xls workbook: save it as .xlsx or as CSV UTF-8"))
        if path.suffix.lower() in YAML_SUFFIXES and not raw.startswith(ZIP_MAGIC):
            return _yaml(source, raw, digest, read_yaml, urls or UrlPolicy())
        if raw.startswith(ZIP_MAGIC):
            table, kind = tabular.read_xlsx(raw), "xlsx"
        else:
            table, kind = tabular.read_csv(raw), "csv"
    except tabular.UnreadableFile as exc:
        raise StaffFileError(source, [Problem(FILE, None, None, exc.said)]) from None
    found = tabular.table_to_people(table)
    if found.problems and (found.fatal or strict):
        raise StaffFileError(source, found.problems, found.warnings)
    columns = tuple(dict.fromkeys(_mapped(table)))
    return StaffFile(
        source=source,
        format=kind,
        units=found.units,
        people=found.people,
        warnings=found.warnings,
        problems=found.problems,
        bad_numbers=frozenset(found.bad_numbers),
        encoding=table.encoding,
        delimiter=table.delimiter,
        sha256=digest,
        columns=columns,
    )


def _mapped(table: tabular.RawTable) -> list[str]:
    return [name for cell in table.header if cell is not None and (name := tabular.columns.column_for(str(cell)))]


def _yaml(source: str, raw: bytes, digest: str, read_yaml: YamlReader | None, urls: UrlPolicy) -> StaffFile:
    if read_yaml is None:
        message = "a scenario's organization (YAML) is read by `bagalau org import`; this reader has no YAML model"
        raise StaffFileError(source, [Problem(FILE, None, None, message)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StaffFileError(
            source, [Problem(FILE, None, None, f"a YAML file must be UTF-8 (line {line} is not)")]
        ) from None
    result = read_yaml(text, source, urls)
    if result.problems:
        raise StaffFileError(source, result.problems, result.warnings)
    return StaffFile(
        source=source,
        format="yaml",
        units=result.units,
        people=result.people,
        warnings=result.warnings,
        encoding="utf-8",
        body_name=result.body_name,
        commission=result.commission,
        sha256=digest,
        role_order=result.role_order,
    )


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would have done)."""

    source: str
    format: str
    body: str
    rows: int
    counts: dict[str, int]
    warnings: list[Problem]
    dry_run: bool
    body_created: bool = False
    people_not_in_file: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.body_created or any(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "body": self.body,
            "body_created": self.body_created,
            "rows": self.rows,
            "changes": self.counts,
            "people_not_in_file": self.people_not_in_file,
            "warnings": [warning.as_dict() for warning in self.warnings],
            "dry_run": self.dry_run,
            "written": self.changed and not self.dry_run,
            "seconds": self.seconds,
        }

    def render(self) -> str:
        """A few lines for a person: what changed, and whether it was written."""
        where = f"body {self.body}" + (" (new)" if self.body_created else "")
        shape = self.format + (f", {self.encoding}" if self.encoding and self.format == "csv" else "")
        lines = [f"{self.source} ({shape}): {self.rows} people → {where}"]
        if self.changed:
            lines += [f"  {name.replace('_', ' ')}: {count}" for name, count in self.counts.items() if count]
        else:
            lines.append("  nothing to change: the database already says what the file says")
        if self.people_not_in_file:
            lines.append(f"  {self.people_not_in_file} people of the body are not in the file (left as they are)")
        if self.dry_run:
            lines.append("dry run: nothing written")
        elif self.changed:
            lines.append("written")
        return "\n".join(lines)


def import_staff(
    engine: sa.Engine,
    staff: StaffFile | str | Path,
    *,
    actor: str,
    as_of: date,
    body: str | None = None,
    body_name: str | None = None,
    dry_run: bool = False,
    read_yaml: YamlReader | None = None,
    secrets: SecretBox | None = None,
) -> ImportReport:
    """Make the body's organization say what the staff file says, in one transaction.

    ``body``: the body's code (created if new, named ``body_name``, the scenario's name, or its code); default:
    the only body in the database. ``as_of``: the day changes without a date of their own take effect (a new
    head, a role granted or ended, a move whose row has no ``appointed`` date). ``secrets``: seals the contacts'
    apprise URLs (``persistence.secrets``; without it they are stored as they are).
    """
    started = time.perf_counter()
    if not isinstance(staff, StaffFile):
        staff = read_staff_file(staff, strict=False, read_yaml=read_yaml)
    if body_name is not None:
        staff = dataclasses.replace(staff, body_name=None)  # the name given wins over a scenario's
    seconds = {"read": time.perf_counter() - started}
    with UnitOfWork(engine, actor=actor) as uow:
        connection = uow.connection
        body_id, stored_name, created, code = _body(connection, body, body_name or staff.body_name)
        step = time.perf_counter()
        snapshot = load_snapshot(connection, body_id, stored_name, scenario=staff.format == "yaml", secrets=secrets)
        plan, problems, warnings = plan_import(staff, snapshot, as_of)
        seconds["compare"] = time.perf_counter() - step
        if problems or staff.problems:
            raise StaffFileError(staff.source, [*staff.problems, *problems], [*staff.warnings, *warnings])
        step = time.perf_counter()
        counts = {name: plan.counts[name] for name in COUNTS if plan.counts[name]}
        if created or plan.changes_anything:
            audited = f"staff import {Path(staff.source).name}"  # the audit log's reason, not a refusal
            writer = Writer(connection, snapshot, actor=actor, reason=audited, secrets=secrets)
            writer.apply(plan)
            writer.summary(_summary(staff, counts, as_of, created))
            writer.flush_audit()
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
        seconds["write"] = time.perf_counter() - step
    in_file = {person.personnel_number for person in staff.people}
    return ImportReport(
        source=staff.source,
        format=staff.format,
        body=code,
        rows=staff.rows,
        counts=counts,
        warnings=[*staff.warnings, *warnings],
        dry_run=dry_run,
        body_created=created,
        people_not_in_file=sum(1 for number in snapshot.people if number not in in_file),
        encoding=staff.encoding,
        delimiter=staff.delimiter,
        seconds={name: round(value, 3) for name, value in seconds.items()},
    )


def _body(connection: sa.Connection, code: str | None, name: str | None) -> tuple[int, str, bool, str]:
    if code is None:
        codes = body_codes(connection)
        if len(codes) != 1:
            known = f"the database has {', '.join(codes)}" if codes else "the database has no body yet"
            raise ImportRefused(f"which state body? give --body CODE ({known})")
        code = codes[0]
    body_id, stored_name, created = lock_body(connection, code, name or code)
    return body_id, stored_name, created, code


def _summary(staff: StaffFile, counts: Mapping[str, int], as_of: date, created: bool) -> dict[str, Any]:
    return {
        "file": Path(staff.source).name,
        "sha256": staff.sha256,
        "format": staff.format,
        "rows": staff.rows,
        "as_of": as_of.isoformat(),
        "body_created": created,
        "changes": dict(counts),
    }
