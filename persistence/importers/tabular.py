"""Reading HR's CSV and XLSX staff files: bytes to rows, rows to :class:`~persistence.importers.spec.PersonSpec`.

CSV files come from Excel and 1C exports in every shape: with or without a UTF-8 byte-order mark, UTF-16 ("Unicode
text"), Windows-1251 (read, with a warning: it cannot hold the Kazakh letters), comma, semicolon or tab delimited,
Windows or Unix line endings. The delimiter is sniffed from the header line. Rows are numbered as an editor or a
spreadsheet shows them (the header is row 1), so that every problem points at a line the user can find.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.errors import Joined, Phrase
from domain.vocabulary import Corps, Role
from persistence.importers import columns
from persistence.importers.columns import BY_NAME, REQUIRED, CellError
from persistence.importers.spec import FILE, ContactSpec, PersonSpec, Problem, UnitSpec, Where
from persistence.models.org import BODY_ROLES

DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": Phrase("semicolon"), ",": Phrase("comma"), "\t": Phrase("tab")}
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
_SHOWN_ROWS = 10


@dataclass
class RawTable:
    """Cells as read, before any column is interpreted: header cells and (row number, cells) per data row."""

    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[Any]]]
    encoding: str | None = None
    delimiter: str | None = None
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    strict_width: bool = True  # CSV: more cells than headers means a delimiter inside a value


# --- CSV -----------------------------------------------------------------------------------------------------------


class UnreadableFile(ValueError):
    """The file cannot be read at all (the message says why and what to do, as a Phrase the upload page says in the
    reader's language)."""

    @property
    def said(self) -> str:
        message = self.args[0] if self.args else ""
        return message if isinstance(message, str) else str(message)


def _looks_cyrillic(text: str) -> bool:
    """Whether text decoded as Windows-1251 reads as Cyrillic words, not as another encoding's letters turned into
    Cyrillic ones inside Latin words (``Müller`` read as ``Mьller``)."""
    words = re.findall(r"[^\W\d_]+", text)
    foreign = [word for word in words if any(ord(char) > 127 for char in word)]
    mixed = [word for word in foreign if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04ff]", word)]
    cyrillic = [word for word in foreign if all("\u0400" <= char <= "\u04ff" for char in word)]
    return bool(foreign) and len(mixed) <= 0.1 * len(foreign) and len(cyrillic) >= 0.9 * len(foreign)


def decode(data: bytes) -> tuple[str, str, list[Problem]]:
    """The text of a CSV file, the encoding it was read as, and a warning when that is not UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8-sig", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if not text or not _looks_cyrillic(text):
        line = data[: utf8_error.start].count(b"\n") + 1
        raise UnreadableFile(
            Phrase(
                "not UTF-8 text (line {line}) and not Windows-1251 Cyrillic either: save it as 'CSV UTF-8' "
                "(Excel: File → Save As → CSV UTF-8) or as .xlsx",
                line=line,
            )
        )
    warning = Problem(
        FILE,
        None,
        None,
        Phrase(
            "read as Windows-1251 (cp1251), not UTF-8: check that names look right. Kazakh letters "
            "({letters}) cannot be written in Windows-1251; save the file as 'CSV UTF-8' to keep them",
            letters=KAZAKH_LETTERS[:9],
        ),
    )
    return text, "cp1251", [warning]


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        said = Phrase(
            "the file says it is {encoding} but is not, from line {line}", encoding=encoding.upper(), line=line
        )
        raise UnreadableFile(said) from None


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: whichever occurs most often outside quotes on the first non-empty line (``,`` if none)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(data: bytes) -> RawTable:
    """The cells of a CSV file: encoding detected, delimiter sniffed, rows numbered by the line they start on."""
    text, encoding, warnings = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    problems: list[Problem] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(
                Problem(Where(row=start), None, None, Phrase("not readable as CSV: {error}", error=str(exc)))
            )
            break
        if "".join(cells).strip():  # some cell holds more than whitespace
            records.append((start, cells))
        start = reader.line_num + 1
    if not records:
        raise UnreadableFile(Phrase("the file is empty: no header row"))
    (header_row, header), rows = records[0], records[1:]
    return RawTable(header, header_row, rows, encoding, delimiter, warnings, problems)


# --- XLSX ----------------------------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> RawTable:
    """The cells of the first worksheet of an .xlsx workbook, numbered as Excel numbers its rows."""
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl on a damaged file: zlib, zip, XML, KeyError … (issue 12: zlib.error)
        raise UnreadableFile(_damaged(exc)) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise UnreadableFile(Phrase("the workbook has no worksheet"))
        sheet = sheets[0]
        warnings = []
        if len(sheets) > 1:
            others = ", ".join(repr(other.title) for other in sheets[1:])
            warnings.append(
                Problem(
                    FILE,
                    None,
                    None,
                    Phrase(
                        "only the first sheet {sheet!r} is read; ignored: {others}", sheet=sheet.title, others=others
                    ),
                )
            )
        records = []
        number = 0
        try:  # read-only workbooks decompress as they go: damage may show on any row
            for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                if number > MAX_ROWS:
                    raise UnreadableFile(Phrase("more than {rows:,} rows: split the file", rows=MAX_ROWS))
                if any(not _blank(cell) for cell in cells):
                    records.append((number, list(cells)))
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(Phrase("{problem} (after row {row})", problem=_damaged(exc), row=number)) from None
    finally:
        try:
            workbook.close()
        except Exception:  # closing a damaged archive may fail again; what failed first was reported
            pass
    if not records:
        raise UnreadableFile(Phrase("the sheet {sheet!r} is empty: no header row", sheet=sheet.title))
    (header_row, header), rows = records[0], records[1:]
    return RawTable(header, header_row, rows, warnings=warnings, strict_width=False)


MAX_ROWS = 200_000
"""Rows of a staff file (a body of 20,000 people has 20,001)."""

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""What an .xlsx archive may unpack to; more is a zip bomb, not a staff list."""


def _check_archive(data: bytes) -> None:
    """Refuse an archive that is not one, or that unpacks to more than :data:`MAX_UNPACKED_BYTES` (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except Exception as exc:  # zipfile on a damaged archive: BadZipFile, EOFError, OSError …
        raise UnreadableFile(_damaged(exc)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            Phrase("the workbook unpacks to {size:,} bytes, more than an .xlsx staff file holds", size=unpacked)
        )


def _damaged(exc: BaseException) -> str:
    reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    kind = type(exc).__name__ if type(exc).__module__ == "builtins" else f"{type(exc).__module__}.{type(exc).__name__}"
    detail = f"{kind}: {reason}" if reason else kind
    return Phrase(
        "not a readable .xlsx workbook: the file is damaged ({detail}); open it in Excel and save it again, "
        "or save it as CSV UTF-8",
        detail=detail,
    )


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# --- rows to people ------------------------------------------------------------------------------------------------


@dataclass
class _Header:
    """Which cell holds which column, and the header as the file wrote it (for messages)."""

    index: dict[str, int]
    written: dict[str, str]


def _map_header(table: RawTable) -> tuple[_Header, list[Problem], list[Problem]]:
    where = Where(row=table.header_row)
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for position, cell in enumerate(table.header):
        title = "" if cell is None else str(cell).strip()
        if not title:
            if any(position < len(cells) and not _blank(cells[position]) for _, cells in table.rows):
                letter = _column_letter(position)
                said = Phrase("column {letter} has values but no header: ignored", letter=letter)
                warnings.append(Problem(where, None, None, said))
            continue
        name = columns.column_for(title)
        if name is None:
            warnings.append(Problem(where, title, None, Phrase("unknown column: ignored")))
        elif name in index:
            problems.append(
                Problem(
                    where,
                    title,
                    None,
                    Phrase("is {name} again (already the column {other!r}): keep one", name=name, other=written[name]),
                )
            )
        else:
            index[name], written[name] = position, title
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        hints = [
            Phrase("{name} (or {aliases})", name=name, aliases=", ".join(repr(a) for a in BY_NAME[name].aliases[:2]))
            for name in missing
        ]
        problems.append(Problem(where, None, None, Phrase("missing required column(s): {hint}", hint=Joined(hints))))
    return _Header(index, written), problems, warnings


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


REPEATING = frozenset(
    {
        "corps",
        "unit_code",
        "unit_name",
        "parent_unit_code",
        "category",
        "position_title",
        "head_personnel_number",
        "appointed",
        "dismissed",
        "probation_until",
        "public_service",
        "roles",
        "language",
    }
)
"""Columns whose values repeat down a file (a unit, a head, a category, a date for many people): each distinct cell
is read once per file and its answer — the value, or the problem — reused (issue 13: reading the cells was most of
re-importing an unchanged file). Personnel numbers, names and contacts are read cell by cell."""

Answers = dict[tuple[str, type, Any], tuple[bool, Any]]


class _Row:
    """One data row: reads its cells by column name, collecting every problem instead of stopping at the first."""

    def __init__(
        self, number: int, cells: list[Any], header: _Header, problems: list[Problem], answers: Answers | None = None
    ) -> None:
        self.where = Where(row=number)
        self.cells = cells
        self.header = header
        self.problems = problems
        self.answers: Answers = {} if answers is None else answers

    def raw(self, name: str) -> Any:
        position = self.header.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        value = self.cells[position]
        return None if _blank(value) else value

    def has(self, name: str) -> bool:
        return name in self.header.index

    def read(self, name: str, reader: Callable[[Any], Any], default: Any = None) -> Any:
        if name in REPEATING:
            position = self.header.index.get(name)
            cell = self.cells[position] if position is not None and position < len(self.cells) else None
            memo = (name, type(cell), cell)
            try:
                known = self.answers.get(memo)
            except TypeError:  # a cell that is no plain value (not hashable): read it on its own
                return self._read(name, reader, default)
            if known is None:
                value = None if _blank(cell) else cell
                try:
                    known = (True, reader(value))
                except CellError as exc:
                    known = (False, exc.said)
                self.answers[memo] = known
            if known[0]:
                return known[1]
            self.fail(name, known[1], self.raw(name))
            return default
        return self._read(name, reader, default)

    def _read(self, name: str, reader: Callable[[Any], Any], default: Any) -> Any:
        value = self.raw(name)
        try:
            return reader(value)
        except CellError as exc:
            self.fail(name, exc.said, value)
            return default

    def fail(self, name: str | None, message: str, value: Any = None) -> None:
        shown = None if value is None else _shown(value)
        column = None if name is None else self.header.written.get(name, name)
        self.problems.append(Problem(self.where, column, shown, message))


def _shown(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass
class Interpreted:
    """A table read as units and people; ``problems`` are bad rows (left out of ``people``), ``fatal`` when the
    file as a whole cannot be used (no usable header, unreadable part-way)."""

    units: dict[str, UnitSpec]
    people: list[PersonSpec]
    problems: list[Problem]
    warnings: list[Problem]
    bad_numbers: set[str] = field(default_factory=set)
    fatal: bool = False


def table_to_people(table: RawTable) -> Interpreted:
    """Interpret the cells: units, people, problems (bad rows) and warnings; checks that need no database."""
    header, problems, warnings = _map_header(table)
    problems = [*table.problems, *problems]
    warnings = [*table.warnings, *warnings]
    if problems:
        return Interpreted({}, [], problems, warnings, fatal=True)
    people: list[PersonSpec] = []
    bad_numbers: set[str] = set()
    units: dict[str, UnitSpec] = {}
    first_row: dict[str, Where] = {}
    appointing: list[Where] = []
    no_post: list[Where] = []
    answers: Answers = {}
    for number, cells in table.rows:
        row = _Row(number, cells, header, problems, answers)
        if table.strict_width and len(cells) > len(table.header):
            extra = [str(cell) for cell in cells[len(table.header) :] if not _blank(cell)]
            if extra:
                delimiter = _DELIMITER_NAMES.get(table.delimiter or ",", Phrase("delimiter"))
                row.fail(
                    None,
                    Phrase(
                        "{cells} cells but the header has {header}: is there an unquoted {delimiter} inside a value? "
                        "(extra: {extra})",
                        cells=len(cells),
                        header=len(table.header),
                        delimiter=delimiter,
                        extra=", ".join(repr(cell) for cell in extra[:3]),
                    ),
                )
        person = _person(row, units)
        if person is None:
            number = row.raw("personnel_number")
            if number is not None:
                bad_numbers.add(str(number).strip())
            continue
        if person.personnel_number in first_row:
            row.fail(
                "personnel_number",
                Phrase("duplicate personnel number: also on {where}", where=first_row[person.personnel_number].said()),
                person.personnel_number,
            )
            continue
        first_row[person.personnel_number] = row.where
        if Role.APPOINTING_OFFICIAL in person.roles:
            appointing.append(row.where)
        if person.corps != Corps.B and (person.unit or person.title) and person.category is None:
            no_post.append(row.where)
        people.append(person)
    for where in appointing[1:]:
        message = Phrase("the body has one appointing official: also on {where}", where=appointing[0].said())
        problems.append(Problem(where, header.written.get("roles"), "appointing_official", message))
    if no_post:
        warnings.append(
            summarize(
                no_post,
                Phrase("no category for a person outside the B corps: no post recorded (unit and title not kept)"),
            )
        )
    return Interpreted(units, people, problems, warnings, bad_numbers)


def summarize(wheres: Iterable[Where], message: str) -> Problem:
    """One warning for many rows: the message and the first rows it concerns (a Phrase: the page says it in the
    reader's language, the CLI prints the same English as ever)."""
    places = list(wheres)
    listed = [str(where) for where in places]
    if len(listed) == 1:
        return Problem(FILE, None, None, Phrase("{message} ({where})", message=message, where=places[0].said()))
    shown = ", ".join(item.removeprefix("row ") for item in listed[:_SHOWN_ROWS])
    rows, count = listed[0].startswith("row "), len(listed)
    if count > _SHOWN_ROWS and rows:
        said = Phrase("{message} (rows {shown} … {count} in all)", message=message, shown=shown, count=count)
    elif count > _SHOWN_ROWS:
        said = Phrase("{message} ({shown} … {count} in all)", message=message, shown=shown, count=count)
    elif rows:
        said = Phrase("{message} (rows {shown})", message=message, shown=shown)
    else:
        said = Phrase("{message} ({shown})", message=message, shown=shown)
    return Problem(FILE, None, None, said)


def _person(row: _Row, units: dict[str, UnitSpec]) -> PersonSpec | None:
    before = len(row.problems)
    number = row.read("personnel_number", lambda value: columns.key(value, columns.PERSONNEL_NUMBER))
    name = row.read("full_name", columns.text)
    if number is None and "personnel_number" not in _failed(row, before):
        row.fail("personnel_number", Phrase("required: the person's personnel number"))
    if name is None and "full_name" not in _failed(row, before):
        row.fail("full_name", Phrase("required"))
    corps = row.read("corps", columns.corps, Corps.B)
    unit = row.read("unit_code", lambda value: columns.key(value, columns.UNIT_CODE))
    category = row.read("category", columns.category)
    title = row.read("position_title", columns.text)
    failed = _failed(row, before)
    if corps == Corps.B:
        if category is None and "category" not in failed:
            row.fail("category", Phrase("required for the B corps (a position category such as C-3 or C-O-1)"))
        if unit is None and "unit_code" not in failed:
            row.fail("unit_code", Phrase("required for the B corps: the structural unit of the post"))
    elif category is not None and unit is None and "unit_code" not in failed:
        row.fail("unit_code", Phrase("required with a category: a post is a unit and a category"))
    head = row.read("head_personnel_number", lambda value: columns.key(value, columns.PERSONNEL_NUMBER))
    if head is not None and head == number:
        row.fail("head_personnel_number", Phrase("a person cannot be their own head"), head)
    appointed = row.read("appointed", columns.day)
    dismissed = row.read("dismissed", columns.day)
    probation = row.read("probation_until", columns.day)
    public_service = bool(row.read("public_service", columns.yes_no, False)) if row.has("public_service") else False
    if appointed and dismissed and dismissed < appointed:
        row.fail("dismissed", Phrase("before the appointment on {day}", day=appointed), dismissed)
    if appointed and probation and probation < appointed:
        row.fail("probation_until", Phrase("before the appointment on {day}", day=appointed), probation)
    contacts = _contacts(row)
    roles = row.read("roles", columns.roles, frozenset())
    language = row.read("language", columns.language) if row.has("language") else None
    _unit(row, units, unit)
    if len(row.problems) > before or number is None or name is None:
        return None
    return PersonSpec(
        where=row.where,
        personnel_number=number,
        full_name=name,
        corps=corps,
        language=language,
        unit=unit,
        title=title,
        category=category,
        head=head,
        head_given=row.has("head_personnel_number"),
        appointed=appointed,
        dismissed=dismissed,
        probation_until=probation,
        public_service=public_service,
        contacts=contacts,
        roles=roles,
        managed_roles=frozenset(BODY_ROLES) if row.has("roles") else frozenset(),
    )


def _failed(row: _Row, before: int) -> set[str]:
    """The canonical columns of this row that already have a problem."""
    by_header = {written: name for name, written in row.header.written.items()}
    return {by_header.get(problem.column or "", problem.column or "") for problem in row.problems[before:]}


CONTACT_COLUMNS = (
    ("email", "email", columns.email),
    ("phone", "sms", columns.phone),
    ("telegram", "telegram", columns.telegram),
)
"""File column, channel kind, reader; the order is the order channels are tried in (lower priority first)."""


def _contacts(row: _Row) -> tuple[ContactSpec, ...]:
    found = []
    for priority, (name, kind, reader) in enumerate(CONTACT_COLUMNS, start=1):
        address = row.read(name, reader)
        if address is not None:
            found.append(ContactSpec(kind=kind, address=address, priority=priority * 10))
    return tuple(found)


def _unit(row: _Row, units: dict[str, UnitSpec], code: str | None) -> None:
    """Record what this row says about its unit; a different name or parent than an earlier row is a problem."""
    name = row.read("unit_name", columns.text)
    parent = row.read("parent_unit_code", lambda value: columns.key(value, columns.UNIT_CODE))
    if code is None:
        if name is not None:
            row.fail("unit_name", Phrase("a unit name needs its unit_code"), name)
        if parent is not None:
            row.fail("parent_unit_code", Phrase("a parent unit needs the unit_code of the unit below it"), parent)
        return
    if parent == code:
        row.fail("parent_unit_code", Phrase("a unit cannot be its own parent"), parent)
        return
    known = units.get(code)
    if known is None:
        units[code] = UnitSpec(code, name, parent, parent is not None, row.where, row.where, row.where)
        return
    if name is not None and known.name is not None and name != known.name:
        said = Phrase(
            "unit {code} is named {name!r} on {where}", code=code, name=known.name, where=known.name_where.said()
        )
        row.fail("unit_name", said, name)
    elif parent is not None and known.parent is not None and parent != known.parent:
        said = Phrase(
            "unit {code} is under {parent} on {where}", code=code, parent=known.parent, where=known.parent_where.said()
        )
        row.fail("parent_unit_code", said, parent)
    else:
        named = known.name is None and name is not None
        placed = known.parent is None and parent is not None
        units[code] = UnitSpec(
            code,
            name if named else known.name,
            parent if placed else known.parent,
            known.parent_given or parent is not None,
            known.where,
            row.where if named else known.name_where,
            row.where if placed else known.parent_where,
        )
