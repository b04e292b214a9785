"""The pages' languages: gettext catalogs (``web/locale/<lang>/LC_MESSAGES/messages.po``) and Babel's formats.

The ``.po`` files are read with Babel when the app starts and compiled in memory (no build step, no ``.mo`` file in
the repository; docs/decisions/0032). The message ids are the English texts; a text missing from a catalog shows
in English (the test suite checks that the Kazakh and Russian catalogs translate every text the pages use).

Kazakh is the default. A request's language is the logged-in account's, else the ``bagalau_lang`` cookie a visitor
chose on the login page, else Kazakh. Dates, numbers and plurals follow the language's CLDR rules through Babel:
``2025 ж. 21 сәуір``, ``21 апреля 2025 г.``, ``April 21, 2025``; ``4,25`` in Kazakh and Russian.

Refusals (:class:`~application.errors.Rejected`, :class:`~domain.errors.RuleViolation`) carry their English sentence
as a :class:`~domain.errors.Phrase` (template and parameters); :meth:`Translator.say` says it in the page's language
from ``refusals.po`` (the English template is the message id), formatting the parameters through Babel, and keeps
the English sentence when a catalog lacks it (decision 0150).
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from domain.errors import Joined, Phrase, phrase_of
from domain.vocabulary import Language

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = Language.KK
LANGUAGES: tuple[Language, ...] = (Language.KK, Language.RU, Language.EN)
#: Each language named in itself, for the switcher (never translated).
LANGUAGE_NAMES: dict[Language, str] = {Language.KK: "Қазақша", Language.RU: "Русский", Language.EN: "English"}
DateFormat = Literal["short", "medium", "long", "full"]


def N_(message: str) -> str:  # noqa: N802 — the gettext convention for "mark for extraction, translate later"
    """Mark ``message`` for the catalogs without translating it here (it is translated where it is shown)."""
    return message


def language_of(value: str | None) -> Language | None:
    """The language a code names (``kk``, ``ru``, ``en``), or ``None``."""
    try:
        return Language(value) if value else None
    except ValueError:
        return None


def load_catalogs(directory: Path = LOCALE_DIR, domain: str = "messages") -> dict[Language, Translations]:
    """Read and compile every language's ``<domain>.po`` (a missing file: the English texts as they are)."""
    catalogs: dict[Language, Translations] = {}
    for language in LANGUAGES:
        path = directory / language.value / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            catalogs[language] = Translations()
            continue
        with path.open("rb") as po:
            catalog = read_po(po, locale=language.value)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        catalogs[language] = Translations(buffer)
    return catalogs


@dataclass(frozen=True)
class Translator:
    """One language's texts and formats."""

    language: Language
    translations: Translations
    refusals: Translations = Translations()

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language.value)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def format_date(self, value: date | datetime, form: DateFormat = "long") -> str:
        """``2025 ж. 21 сәуір`` (kk), ``21 апреля 2025 г.`` (ru), ``April 21, 2025`` (en)."""
        day = value.date() if isinstance(value, datetime) else value
        return _format_date(day, form, locale=self.language.value)

    def format_datetime(self, value: datetime, form: DateFormat = "medium", *, zone: str = "Asia/Almaty") -> str:
        """An instant in ``zone`` (Asia/Almaty by default), in the language's format."""
        return _format_datetime(value, form, tzinfo=ZoneInfo(zone), locale=self.language.value)

    def format_number(self, value: int | float | Decimal, *, places: int | None = None) -> str:
        """``4,25`` (kk, ru), ``4.25`` (en); ``places`` fixes the decimals shown (scores: 2)."""
        if places is not None:
            value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
            pattern = "#,##0." + "0" * places if places else "#,##0"
            return format_decimal(value, format=pattern, locale=self.language.value, decimal_quantization=False)
        return format_decimal(value, locale=self.language.value)

    def say(self, message: str, rule: str | None = None) -> str:
        """A refusal's sentence (a :class:`~domain.errors.Phrase`, or a plain English sentence) in this language,
        ending with ``(rule)`` when it does not name it already. English, or a sentence the catalog lacks: the
        English sentence as it is."""
        english = str(message)
        said = self._say(phrase_of(message)) if self.language != Language.EN else None
        text = english if said is None else said
        if rule and f"({rule})" not in text:
            text = f"{text} ({rule})"
        return text

    def _said(self, value: object) -> object:
        """A parameter: a nested phrase (or phrases joined) said in this language, any other value as it is."""
        if isinstance(value, Joined):
            return _Said(value.separator.join(str(self._said(phrase_of(item))) for item in value.items))
        if isinstance(value, Phrase):
            nested = self._say(value)
            return _Said(nested if nested is not None else str(value))
        return value

    def _say(self, phrase: Phrase) -> str | None:
        translated = self.refusals.gettext(phrase.template)
        if translated == phrase.template:  # not in the catalog
            return None
        values = {name: self._said(value) for name, value in phrase.params.items()}
        try:
            return _LocalFormatter(self).vformat(translated, (), values)
        except (KeyError, IndexError, ValueError):  # a broken translation: the English sentence, never an error
            return None


_DECIMAL_POINT = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")


class _Said(str):
    """A nested phrase already said in the language."""


class _LocalFormatter(string.Formatter):
    """``str.format`` whose fields follow the language: dates as dates of the language, decimals with its comma
    (as many places as the English sentence shows, or the spec's ``.2f``), lists joined, words as they are."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.decimal_sign = translator.locale.number_symbols["latn"]["decimal"]

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, _Said):
            return str(value)
        if isinstance(value, str) and not format_spec:
            # a number written into a text (``4.6``, ``4.00–4.24``, ``81.3``) takes the language's decimal sign
            return _DECIMAL_POINT.sub(rf"\1{self.decimal_sign}\2", value)
        if isinstance(value, bool | str):
            return format(value, format_spec)
        if isinstance(value, datetime):
            return self.translator.format_datetime(value, "medium")
        if isinstance(value, date):
            return self.translator.format_date(value)
        if isinstance(value, Decimal | float) and (not format_spec or format_spec.endswith("f")):
            places = _places(value, format_spec)
            return self.translator.format_number(value, places=places)
        if isinstance(value, Sequence):
            return ", ".join(self.format_field(item, "") for item in value)
        return str(super().format_field(value, format_spec))


def _places(value: Decimal | float, spec: str) -> int | None:
    if spec.startswith(".") and spec.endswith("f") and spec[1:-1].isdigit():
        return int(spec[1:-1])
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return None


class Catalogs:
    """The compiled catalogs of every language, loaded once at start-up."""

    def __init__(self, directory: Path = LOCALE_DIR) -> None:
        refusals = load_catalogs(directory, "refusals")
        self._translators = {
            language: Translator(language, translations, refusals[language])
            for language, translations in load_catalogs(directory).items()
        }

    def translator(self, language: Language | None) -> Translator:
        return self._translators[language or DEFAULT_LANGUAGE]


_current: ContextVar[Translator | None] = ContextVar("bagalau_translator", default=None)


def current() -> Translator:
    """The translator of the page being rendered (English texts outside a page)."""
    translator = _current.get()
    return translator if translator is not None else Translator(Language.EN, Translations())


@contextmanager
def speaking(translator: Translator) -> Iterator[Translator]:
    """Render (or build messages) in ``translator``'s language within the block."""
    token = _current.set(translator)
    try:
        yield translator
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current page's language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The plural form of the current page's language for ``count``."""
    return current().ngettext(singular, plural, count)
