"""What a staff file says, once read: units and people as plain specs, and every problem with where it is.

The three readers (CSV, XLSX, the scenario's ``organization`` section) produce the same :class:`StaffFile`, so the
checks against the database and the writes do not care where a row came from. A :class:`Where` is the place as
the person who edits the file sees it: a row number of the sheet (the header is row 1), or a YAML path and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import Phrase
from domain.vocabulary import AbsenceKind, Corps, Language, Role, SanctionKind


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the file: ``row`` as numbered by a spreadsheet or an editor, or a YAML ``path`` and ``line``."""

    row: int | None = None
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return str.__str__(self.said())

    def said(self) -> Phrase:
        """The place as a :class:`~domain.errors.Phrase` (``row 3``), which the staff upload page says in the
        reader's language (decision 0150); ``str`` is the same English text."""
        if self.row is not None:
            return Phrase("row {row}", row=self.row)
        if self.path:
            return Phrase("{path} (line {line})", path=self.path, line=self.line) if self.line else Phrase(self.path)
        return Phrase("line {line}", line=self.line) if self.line else Phrase("file")

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "path": self.path, "line": self.line}


HEADER = Where(row=1)
FILE = Where()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file: where, which column, the value as written, and why."""

    where: Where
    column: str | None
    value: str | None
    message: str

    def render(self, source: str) -> str:
        what = ""
        if self.column:
            what = f"{self.column} {self.value!r}: " if self.value not in (None, "") else f"{self.column}: "
        where = "" if self.where == FILE else f"{self.where}: "
        return f"{source}: {where}{what}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {**self.where.as_dict(), "column": self.column, "value": self.value, "message": str(self.message)}

    def sort_key(self) -> tuple[int, int]:
        """By row (or line); problems of one row stay in the order of its columns."""
        return (self.where.row or 0, self.where.line or 0)


class StaffFileError(ValueError):
    """A staff file that cannot be imported; ``problems`` lists every bad row (nothing was written)."""

    def __init__(self, source: str, problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> None:
        self.source = source
        self.problems = sorted(problems, key=Problem.sort_key)
        self.warnings = list(warnings)
        super().__init__("\n".join(problem.render(source) for problem in self.problems))

    @property
    def bad_rows(self) -> int:
        """How many distinct rows (or YAML items) have at least one problem."""
        return len({problem.where for problem in self.problems if problem.where not in (HEADER, FILE)})


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A structural unit as the file describes it; ``parent_given``: whether the file says anything about its parent
    (a CSV cell left empty says nothing; a YAML ``parent: null`` says "at the top")."""

    code: str
    name: str | None
    parent: str | None
    parent_given: bool
    where: Where
    name_where: Where | None = None  # the row that gave the name (CSV: the first that has one)
    parent_where: Where | None = None


_PASSWORD = re.compile(r"(?P<head>://[^/:@\s?#]*):[^/@\s?#]*@")
_SECRET_PARAMETER = re.compile(r"(?P<head>[?&](?:pass|password|pwd|secret|token|key|apikey|api_key)=)[^&#\s]+", re.I)
_TOKEN = re.compile(r"(?<![\w.-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{12,}")


def masked_url(url: str) -> str:
    """An apprise URL as a person may read it: password, secret parameters and token-like parts as ``****``.

    The staff import uses the channels' own mask when the command line hands it in (:class:`UrlPolicy`); this
    one, without apprise, is the default.
    """
    url = _SECRET_PARAMETER.sub(r"\g<head>****", _PASSWORD.sub(r"\g<head>:****@", url))
    scheme, separator, rest = url.partition("://")
    return scheme + separator + _TOKEN.sub("****", rest) if separator else _TOKEN.sub("****", url)


def _no_problem(url: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """How the staff import treats a contact given as an apprise URL: ``problem`` says why no channel can use
    it (``None``: usable; the contact is then left out with a warning), ``shown`` is what the ``address`` column
    keeps (the URL without its secrets; the URL itself is stored sealed)."""

    problem: Callable[[str], str | None] = _no_problem
    shown: Callable[[str], str] = masked_url


@dataclass(frozen=True, slots=True)
class ContactSpec:
    """A way to reach a person: channel kind (``email``, ``sms``, ``telegram`` …), address, optional apprise URL."""

    kind: str
    address: str
    apprise_url: str | None = None
    priority: int = 100


@dataclass(frozen=True, slots=True)
class AbsenceSpec:
    kind: AbsenceKind
    started_on: date
    ended_on: date


@dataclass(frozen=True, slots=True)
class SanctionSpec:
    kind: SanctionKind
    imposed_on: date


@dataclass(frozen=True, slots=True)
class PersonSpec:
    """One person as the file describes them now.

    ``None`` in ``language`` means "not managed by this file" (the column is absent). ``head_given`` and
    ``managed_roles`` say which relations the file describes: an empty head cell in a file that has the column
    means "no direct head"; roles outside ``managed_roles`` are left alone.
    """

    where: Where
    personnel_number: str
    full_name: str
    corps: Corps = Corps.B
    language: Language | None = None
    unit: str | None = None
    title: str | None = None
    category: str | None = None
    head: str | None = None
    head_given: bool = False
    appointed: date | None = None
    dismissed: date | None = None
    probation_until: date | None = None
    public_service: bool = False  # M-6: the post provides public services
    contacts: tuple[ContactSpec, ...] = ()
    roles: frozenset[Role] = frozenset()
    managed_roles: frozenset[Role] = frozenset()
    absences: tuple[AbsenceSpec, ...] = ()
    sanctions: tuple[SanctionSpec, ...] = ()

    @property
    def position(self) -> tuple[str, str, str] | None:
        """(unit code, title, category) of the post, the title defaulting to the category; ``None``: no post."""
        if self.unit is None or self.category is None:
            return None
        return (self.unit, self.title or self.category, self.category)


@dataclass(frozen=True, slots=True)
class CommissionSpec:
    """The Evaluation Commission (M-7) as a scenario file names it."""

    chair: str
    secretary: str
    members: tuple[str, ...]
    where: Where


@dataclass(frozen=True)
class StaffFile:
    """A staff file read and checked on its own (before the database is asked anything)."""

    source: str
    format: str  # csv, xlsx, yaml
    units: dict[str, UnitSpec]
    people: list[PersonSpec]
    warnings: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    body_name: str | None = None
    commission: CommissionSpec | None = None
    sha256: str = ""
    columns: tuple[str, ...] = ()
    role_order: dict[str, list[str]] = field(default_factory=dict)  # role → personnel numbers, as a scenario lists
    problems: list[Problem] = field(default_factory=list)  # bad rows, left out of ``people``
    bad_numbers: frozenset[str] = frozenset()  # personnel numbers of the bad rows (not "unknown" as heads)

    @property
    def rows(self) -> int:
        return len(self.people)


@dataclass
class YamlStaff:
    units: dict[str, UnitSpec] = field(default_factory=dict)
    people: list[PersonSpec] = field(default_factory=list)
    commission: CommissionSpec | None = None
    body_name: str | None = None
    role_order: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


YamlReader = Callable[[str, str, UrlPolicy], YamlStaff]
"""Reads a YAML staff file's text (and its name, for messages): the ``bagalau`` entrance plugs in the scenario's
``organization`` reader (``bagalau.staff_files.read_yaml``)."""
