"""Position category codes (лауазым санаты): ``B-1``, ``C-3``, ``C-O-1``, ``C-R-2``, ``D-O-4``, ``E-G-3`` …

The seeds and HR files mix Latin and Cyrillic letters that look alike (``С-1`` with a Cyrillic Es), the digit
``0`` for the letter ``O`` (``С-0-1``) and assorted dashes. Every code is normalised to one canonical form (Latin
capitals, the letter ``O``, ASCII hyphens) and checked against the register's form ``LETTER[-BLOCK]-NUMBER``
("Position categories" in METHODOLOGY.md). Which categories are heads of units or leadership is rulebook data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ALLOWED_FORM",
    "Category",
    "CategoryCodeError",
    "is_valid_category",
    "normalize_category",
]

ALLOWED_FORM: Final = "LETTER[-BLOCK]-NUMBER, e.g. B-1, C-3, C-O-1, C-R-2, D-O-4, E-G-3"

# Capital letters (after str.upper()) drawn like a Latin capital: Cyrillic, Kazakh-Cyrillic and Greek.
_LOOK_ALIKES: Final[dict[str, str]] = {
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P", "Т": "T",
    "Х": "X", "У": "Y", "Ѕ": "S", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Kazakh (and Ukrainian) Cyrillic letters identical to Latin ones: dotted I, straight U, shha
    "І": "I", "Ү": "Y", "Һ": "H",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_TRANSLATE: Final = str.maketrans(_LOOK_ALIKES)

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, small and full-width forms.
_DASHES: Final = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_DASH_WITH_SPACES: Final = re.compile(r"\s*-\s*")
_SPACES: Final = re.compile(r"[\s_]+")
_CODE: Final = re.compile(r"(?P<letter>[A-Z])(?:-(?P<block>[A-Z]))?-(?P<number>[1-9][0-9]*)")


class CategoryCodeError(ValueError):
    """A category code not of the form ``LETTER[-BLOCK]-NUMBER``; the message names the field and the raw value."""

    def __init__(self, raw: object, field: str = "category", read_as: str | None = None) -> None:
        self.field = field
        self.value = raw
        self.allowed = ALLOWED_FORM
        seen = f" (read as {read_as!r})" if read_as is not None and read_as != raw else ""
        super().__init__(f"{field}: {raw!r}{seen} is not a position category code; expected {ALLOWED_FORM}")

    def __reduce__(self) -> tuple[object, ...]:
        return (CategoryCodeError, (self.value, self.field))


def _canonical_text(raw: str) -> str:
    """Spelling only: NFKC, upper case, Latin letters, ASCII hyphens; no validation."""
    text = unicodedata.normalize("NFKC", raw).strip().upper().translate(_TRANSLATE)
    text = _DASHES.sub("-", text)
    text = _DASH_WITH_SPACES.sub("-", text)  # "C - 1": the spaces belong to the dash
    text = _SPACES.sub("-", text)  # "C O 1", "C_O_1": spaces and underscores separate parts
    parts = text.split("-")
    if len(parts) == 3 and parts[1] == "0":
        parts[1] = "O"  # the digit zero printed for the letter O in the block position only (С-0-1)
    return "-".join(parts)


def normalize_category(raw: str, field: str = "category") -> str:
    """The canonical code of ``raw`` (``"С-0-1"`` → ``"C-O-1"``), or :class:`CategoryCodeError` naming ``field``."""
    if not isinstance(raw, str):
        raise CategoryCodeError(raw, field)
    text = _canonical_text(raw)
    if not _CODE.fullmatch(text):
        raise CategoryCodeError(raw, field, read_as=text)
    return text


def is_valid_category(raw: object) -> bool:
    """Whether ``raw`` normalises to a code of the form ``LETTER[-BLOCK]-NUMBER``."""
    return isinstance(raw, str) and _CODE.fullmatch(_canonical_text(raw)) is not None


@dataclass(frozen=True, order=True, slots=True)
class Category:
    """A parsed category code; ordered by letter, then block (none first), then number: B-1 < C-1 < C-3 < C-O-1."""

    letter: str
    block: str
    number: int

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(str(self)):
            raise CategoryCodeError(
                f"Category(letter={self.letter!r}, block={self.block!r}, number={self.number!r})", "category"
            )

    @classmethod
    def parse(cls, raw: str, field: str = "category") -> Category:
        """Normalise and split ``raw`` (see :func:`normalize_category`)."""
        match = _CODE.fullmatch(normalize_category(raw, field))
        assert match is not None  # normalize_category has just checked it
        return cls(match["letter"], match["block"] or "", int(match["number"]))

    def __str__(self) -> str:
        return f"{self.letter}-{self.block}-{self.number}" if self.block else f"{self.letter}-{self.number}"

    @property
    def code(self) -> str:
        """The canonical code, as stored and shown."""
        return str(self)
