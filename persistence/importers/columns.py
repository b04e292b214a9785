"""The columns of a staff file, their Russian and Kazakh header aliases, and how each cell is read.

Headers are matched after folding case, ``ё``/``е``, dots, ``№`` and runs of spaces, underscores and dashes, so
``Табельный №``, ``табельный номер`` and ``personnel_number`` are the same column. Every reader returns the value or
raises :class:`CellError` with the reason a person can act on; the caller adds the row, the column and the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from domain.calendar import ACCEPTED_DATE_FORMATS, parse_iso_date
from domain.categories import CategoryCodeError, normalize_category
from domain.errors import Phrase
from domain.vocabulary import Corps, Language, Role
from persistence.models.org import BODY_ROLES

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters a cell may not hold (tab, line feed and carriage return are spaces, as in any cell)."""


class CellError(ValueError):
    """A cell that cannot be read; the message says why (without the row, column or value), as a
    :class:`~domain.errors.Phrase` that the staff upload page says in the reader's language."""

    @property
    def said(self) -> str:
        """The message as it was raised (a Phrase keeps its template and values)."""
        message = self.args[0] if self.args else ""
        return message if isinstance(message, str) else str(message)


#: What :func:`key` reads, as the messages name it.
PERSONNEL_NUMBER: Final = Phrase("personnel number")
UNIT_CODE: Final = Phrase("unit code")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "personnel_number",
        required=True,
        aliases=("табельный номер", "таб номер", "табельный", "табель нөмірі", "табельдік нөмір", "personnel no"),
        help="the body's key for the person (табель нөмірі); unique within the file",
    ),
    Column(
        "full_name",
        required=True,
        aliases=("фио", "ф и о", "фамилия имя отчество", "аты-жөні", "тегі аты әкесінің аты", "name"),
        help="surname, name, patronymic",
    ),
    Column(
        "unit_code",
        required=True,
        aliases=("код подразделения", "бөлімше коды", "құрылымдық бөлімше коды", "unit"),
        help="the structural unit's code (U1); required for the B corps",
    ),
    Column(
        "unit_name",
        aliases=("подразделение", "наименование подразделения", "бөлімше", "құрылымдық бөлімше", "бөлімше атауы"),
        help="needed once per new unit; a different name renames the unit",
    ),
    Column(
        "parent_unit_code",
        aliases=("код вышестоящего подразделения", "вышестоящее подразделение", "жоғары тұрған бөлімше коды"),
        help="the unit above; empty says nothing (a new unit is then at the top)",
    ),
    Column(
        "position_title",
        aliases=("должность", "наименование должности", "лауазым", "лауазымы", "лауазым атауы", "position"),
        help="default: the category code",
    ),
    Column(
        "category",
        required=True,
        aliases=("категория", "категория должности", "санат", "санаты", "лауазым санаты"),
        help="position category (C-3, C-O-1); required for the B corps; Cyrillic look-alikes and 0/O accepted",
    ),
    Column("corps", aliases=("корпус",), help="B (default), A or political"),
    Column(
        "head_personnel_number",
        aliases=(
            "табельный номер руководителя",
            "руководитель",
            "непосредственный руководитель",
            "басшы",
            "тікелей басшы",
            "басшының табель нөмірі",
            "head",
        ),
        help="the direct head's personnel number; empty: no direct head",
    ),
    Column(
        "appointed",
        aliases=("дата назначения", "назначен", "тағайындалған күні", "тағайындау күні"),
        help="the day the person took this post; a later date than the database's is a move",
    ),
    Column(
        "dismissed",
        aliases=("дата увольнения", "уволен", "босатылған күні", "жұмыстан босатылған күні"),
        help="the last day in service",
    ),
    Column(
        "probation_until",
        aliases=("испытательный срок до", "испытательный срок", "сынақ мерзімі", "сынақ мерзімінің соңы"),
        help="last day of probation (E-5)",
    ),
    Column(
        "public_service",
        aliases=(
            "государственные услуги",
            "оказывает государственные услуги",
            "мемлекеттік қызметтер",
            "мемлекеттік қызмет көрсету",
            "public services",
        ),
        help="yes/no: the post provides public services, so the customer competencies are rated (M-6)",
    ),
    Column("email", aliases=("e-mail", "электронная почта", "эл почта", "электрондық пошта", "почта")),
    Column("phone", aliases=("телефон", "мобильный телефон", "ұялы телефон", "mobile"), help="+7XXXXXXXXXX (SMS)"),
    Column("telegram", aliases=("телеграм", "телеграмм")),
    Column("language", aliases=("язык", "тіл"), help="kk (default), ru or en"),
    Column("roles", aliases=("роли", "роль", "рөлдер", "рөлі"), help="hr; hr_head; appointing_official"),
)

BY_NAME: Final[Mapping[str, Column]] = {column.name: column for column in COLUMNS}
REQUIRED: Final[tuple[str, ...]] = tuple(column.name for column in COLUMNS if column.required)


def header_key(text: str) -> str:
    """A header folded for matching: case, ``ё``, dots, ``№``, and separators (``_``, ``-``, spaces) ignored."""
    text = unicodedata.normalize("NFKC", text.replace("№", " ")).replace("\ufeff", "").casefold().replace("ё", "е")
    text = re.sub(r"[.,:;#()]", " ", text)
    return re.sub(r"[\s_\-\u2010-\u2015/]+", " ", text).strip()


_ALIASES: Final[dict[str, str]] = {
    header_key(alias): column.name for column in COLUMNS for alias in (column.name, *column.aliases)
}


def column_for(header: str) -> str | None:
    """The canonical column a header names, or ``None`` for an unknown one."""
    return _ALIASES.get(header_key(header))


# --- cells ---------------------------------------------------------------------------------------------------------


def text(value: Any, *, limit: int = 500) -> str | None:
    """A cell as stripped text (``None`` when empty); numbers from a spreadsheet lose a trailing ``.0``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(Phrase("expected text, got a TRUE/FALSE cell"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        raise CellError(Phrase("expected text, got a date cell"))
    if isinstance(value, str) and (control := _CONTROL.search(value)):
        # A NUL byte (issue 12) or another control character: PostgreSQL refuses NUL, and none belongs in a name.
        code = f"U+{ord(control.group()):04X}"
        raise CellError(Phrase("contains the control character {code}: retype the cell", code=code))
    result = " ".join(str(value).split()) if isinstance(value, str) else str(value)
    result = result.strip()
    if not result:
        return None
    if len(result) > limit:
        raise CellError(Phrase("longer than {limit} characters", limit=limit))
    return result


_YES = frozenset({"yes", "y", "true", "1", "да", "иә", "ия", "x", "+"})
_NO = frozenset({"no", "n", "false", "0", "нет", "жоқ", "-"})


def yes_no(value: Any) -> bool:
    """A yes/no cell (TRUE/FALSE, 1/0, yes/no, да/нет, иә/жоқ); empty is no."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    word = (text(value, limit=20) or "").lower()
    if not word or word in _NO:
        return False
    if word in _YES:
        return True
    raise CellError(Phrase("expected yes or no (да/нет, иә/жоқ, 1/0), got {word!r}", word=word))


def key(value: Any, what: str) -> str | None:
    """A key such as a personnel number or a unit code: text of at most 64 characters without spaces."""
    result = text(value, limit=64)
    if result is not None and re.search(r"\s", result):
        raise CellError(Phrase("a {what} has no spaces", what=what))
    return result


FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2100


def day(value: Any) -> date | None:
    """A date from a date cell, ``YYYY-MM-DD`` or ``dd.mm.yyyy``; impossible dates (31.02.2025) are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            Phrase("a number, not a date: format the cell as a date or write {formats}", formats=DATE_FORMATS)
        )
    else:
        try:
            result = parse_iso_date(str(value), "date")
        except ValueError as exc:
            raise CellError(_date_problem(str(exc), str(value))) from None
    if not FIRST_YEAR <= result.year <= LAST_YEAR:
        raise CellError(
            Phrase(
                "the year {year} is impossible here ({first}–{last})",
                year=result.year,
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return result


#: The date forms a cell may take (domain.calendar's, said in the reader's language).
DATE_FORMATS: Final = Phrase("YYYY-MM-DD (ISO 8601) or dd.mm.yyyy")  # == ACCEPTED_DATE_FORMATS (a test holds it)
_NOT_A_DATE: Final = re.compile(r"^not a date; accepted formats: (?P<formats>.*)$")
_NOT_A_CALENDAR_DATE: Final = re.compile(r"^not a calendar date \((?P<why>.*)\); accepted formats: (?P<formats>.*)$")


#: Python's reasons for an impossible date, said in the reader's language too.
_WHY: Final = {
    "day is out of range for month": Phrase("day is out of range for month"),
    "month must be in 1..12": Phrase("month must be in 1..12"),
}


def _date_problem(message: str, value: str) -> str:
    """``parse_iso_date``'s refusal without the field and the value (the row and column say them): a Phrase."""
    reason = message.removeprefix(f"date: {value!r} ").removeprefix("is ")
    if (found := _NOT_A_DATE.match(reason)) and found["formats"] == ACCEPTED_DATE_FORMATS:
        return Phrase("not a date; accepted formats: {formats}", formats=DATE_FORMATS)
    if (found := _NOT_A_CALENDAR_DATE.match(reason)) and found["formats"] == ACCEPTED_DATE_FORMATS:
        why = _WHY.get(found["why"], found["why"])
        return Phrase("not a calendar date ({why}); accepted formats: {formats}", why=why, formats=DATE_FORMATS)
    return reason


CATEGORY_LIMIT: Final = 16  # position.category


def category(value: Any) -> str | None:
    """A canonical position category (``С-0-1`` → ``C-O-1``)."""
    raw = text(value, limit=64)
    if raw is None:
        return None
    try:
        code = normalize_category(raw)
    except CategoryCodeError as exc:
        raise CellError(Phrase("not a position category code; expected {allowed}", allowed=exc.allowed)) from None
    if len(code) > CATEGORY_LIMIT:
        raise CellError(Phrase("longer than {limit} characters: not a position category code", limit=CATEGORY_LIMIT))
    return code


_CORPS: Final[dict[str, Corps]] = {
    **dict.fromkeys(("b", "в", "б", "корпус б", "b корпус", "б корпусы"), Corps.B),
    **dict.fromkeys(("a", "а", "корпус а", "a корпус", "а корпусы"), Corps.A),
    **dict.fromkeys(("political", "политический", "политическая", "саяси", "pol"), Corps.POLITICAL),
}


def corps(value: Any) -> Corps:
    """B (default for an empty cell), A or political; Cyrillic ``В``/``А`` and Russian/Kazakh words accepted."""
    raw = text(value)
    if raw is None:
        return Corps.B
    found = _CORPS.get(header_key(raw))
    if found is None:
        raise CellError(Phrase("expected B, A or political"))
    return found


_LANGUAGES: Final[dict[str, Language]] = {
    **dict.fromkeys(("kk", "kz", "kaz", "қаз", "каз", "қазақ", "казахский", "қазақша", "kazakh"), Language.KK),
    **dict.fromkeys(("ru", "rus", "рус", "русский", "орыс", "орысша", "russian"), Language.RU),
    **dict.fromkeys(("en", "eng", "англ", "английский", "ағылшын", "ағылшынша", "english"), Language.EN),
}


def language(value: Any) -> Language:
    """kk (default for an empty cell), ru or en; the languages' names in Kazakh, Russian, English accepted."""
    raw = text(value)
    if raw is None:
        return Language.KK
    found = _LANGUAGES.get(header_key(raw))
    if found is None:
        raise CellError(Phrase("expected kk, ru or en"))
    return found


_ROLES: Final[dict[str, Role]] = {header_key(role.value): role for role in BODY_ROLES}


def roles(value: Any) -> frozenset[Role]:
    """Body roles separated by ``;`` (or ``,``): hr, hr_head, appointing_official."""
    raw = text(value, limit=200)
    if raw is None:
        return frozenset()
    found: set[Role] = set()
    for word in re.split(r"[;,]", raw):
        if not word.strip():
            continue
        role = _ROLES.get(header_key(word))
        if role is None:
            allowed = ", ".join(role.value for role in BODY_ROLES)
            raise CellError(
                Phrase(
                    "unknown role {role!r}; roles are {allowed}, separated by ';'", role=word.strip(), allowed=allowed
                )
            )
        found.add(role)
    return frozenset(found)


_EMAIL: Final = re.compile(r"^[^@\s;,]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}$")


def email(value: Any) -> str | None:
    """An e-mail address with a domain (``name@body.kz``)."""
    raw = text(value)
    if raw is None:
        return None
    if not _EMAIL.match(raw):
        raise CellError(Phrase("not an e-mail address with a domain (name@body.kz)"))
    return raw


def phone(value: Any) -> str | None:
    """A mobile number as ``+<digits>``; Kazakhstan's ``8 701 …`` and ``7 701 …`` become ``+7701…``."""
    raw = text(value, limit=64)
    if raw is None:
        return None
    if re.search(r"[^\d\s()+\-.]", raw):
        raise CellError(Phrase("not a phone number (+7XXXXXXXXXX)"))
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits[0] == "8" and not raw.startswith("+"):
        digits = "7" + digits[1:]
    elif len(digits) == 10 and not raw.startswith("+"):
        digits = "7" + digits
    if not 10 <= len(digits) <= 15:
        raise CellError(Phrase("not a phone number (+7XXXXXXXXXX)"))
    return "+" + digits


_TELEGRAM: Final = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{4,31}|-?\d{5,20})$")


def telegram(value: Any) -> str | None:
    """A Telegram ``@username`` or numeric chat id."""
    raw = text(value, limit=64)
    if raw is None:
        return None
    if not _TELEGRAM.match(raw):
        raise CellError(Phrase("expected a Telegram @username or a numeric chat id"))
    return raw
