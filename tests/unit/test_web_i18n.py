"""The pages' languages: every text the pages use is translated in Kazakh and Russian (and listed in English), and
dates, numbers and plurals follow each language's CLDR rules through Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from domain.vocabulary import Language
from web import i18n

WEB = Path(i18n.__file__).parent


def used_messages() -> set[str | tuple[str, str]]:
    """Every text marked in web/ (``_``, ``gettext``, ``ngettext``, ``N_`` in Python and in the templates)."""
    keywords = dict(DEFAULT_KEYWORDS)
    keywords["N_"] = None
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}},
        keywords=keywords,
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalog_messages(language: str) -> dict[str | tuple[str, str], object]:
    with (WEB / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    return {
        (message.id if isinstance(message.id, str) else (message.id[0], message.id[1])): message.string
        for message in catalog
        if message.id
    }


def test_the_extraction_finds_the_pages_texts() -> None:
    used = used_messages()
    assert "Sign in" in used and "Wrong login or password." in used
    assert ("in %(num)d minute", "in %(num)d minutes") in used


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_text_of_the_pages_is_translated(language: str) -> None:
    catalog = catalog_messages(language)
    used = used_messages()  # extracted once: the pages' texts
    missing = sorted(str(message) for message in used if message not in catalog)
    assert missing == [], f"web/locale/{language}/LC_MESSAGES/messages.po lacks: {missing}"
    empty = sorted(str(m) for m, s in catalog.items() if not s or (isinstance(s, tuple | list) and not all(s)))
    assert empty == [], f"untranslated in {language}: {empty}"
    unused = sorted(str(message) for message in catalog if message not in used)
    assert unused == [], f"no page uses these any more, remove them from {language}: {unused}"


def test_the_catalogs_are_loaded_at_start_up_without_a_build_step() -> None:
    catalogs = i18n.Catalogs()
    assert catalogs.translator(Language.KK).gettext("Sign in") == "Кіру"
    assert catalogs.translator(Language.RU).gettext("Sign in") == "Войти"
    assert catalogs.translator(Language.EN).gettext("Sign in") == "Sign in"
    assert catalogs.translator(None).language == Language.KK, "Kazakh is the default"


def test_dates_in_each_language() -> None:
    catalogs = i18n.Catalogs()
    day = date(2025, 4, 21)
    # CLDR puts a narrow no-break space (U+202F) before ж. and г.
    assert catalogs.translator(Language.KK).format_date(day) == "2025\u202fж. 21 сәуір"
    assert catalogs.translator(Language.RU).format_date(day) == "21 апреля 2025\u202fг."
    assert catalogs.translator(Language.EN).format_date(day) == "April 21, 2025"
    instant = datetime(2025, 4, 21, 4, 30, tzinfo=UTC)  # 09:30 in Almaty (UTC+5)
    assert "09:30" in catalogs.translator(Language.RU).format_datetime(instant)


def test_numbers_in_each_language() -> None:
    catalogs = i18n.Catalogs()
    assert catalogs.translator(Language.KK).format_number(Decimal("4.25")) == "4,25"
    assert catalogs.translator(Language.RU).format_number(Decimal("4.25")) == "4,25"
    assert catalogs.translator(Language.EN).format_number(Decimal("4.25")) == "4.25"
    assert catalogs.translator(Language.RU).format_number(Decimal("4.5"), places=2) == "4,50"
    assert catalogs.translator(Language.EN).format_number(Decimal("3.14159"), places=2) == "3.14"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "через 1 минуту"),
        ("ru", 3, "через 3 минуты"),
        ("ru", 5, "через 5 минут"),
        ("ru", 11, "через 11 минут"),
        ("ru", 21, "через 21 минуту"),
        ("kk", 1, "1 минуттан кейін"),
        ("kk", 5, "5 минуттан кейін"),
        ("en", 1, "in 1 minute"),
        ("en", 5, "in 5 minutes"),
    ],
)
def test_plurals_follow_each_language(language: str, count: int, expected: str) -> None:
    translator = i18n.Catalogs().translator(Language(language))
    assert translator.ngettext("in %(num)d minute", "in %(num)d minutes", count) % {"num": count} == expected


def test_unknown_language_codes_name_no_language() -> None:
    assert i18n.language_of("ru") == Language.RU
    assert i18n.language_of("de") is None and i18n.language_of(None) is None and i18n.language_of("") is None


def written_msgids(path: Path) -> list[str]:
    """Every ``msgid`` as the file writes it, continuation lines joined (Babel's reader folds repeats into one)."""
    ids: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("msgid "):
            continue
        parts = [line.removeprefix("msgid ")]
        parts.extend(_continuations(lines, index + 1))
        ids.append("".join(part.strip()[1:-1] for part in parts))
    return ids


def _continuations(lines: list[str], start: int) -> list[str]:
    found: list[str] = []
    for line in lines[start:]:
        if not line.startswith('"'):
            break
        found.append(line)
    return found


CATALOGS = sorted((WEB / "locale").glob("*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(WEB)))
def test_each_catalog_writes_each_text_once(path: Path) -> None:
    """A text written twice is translated twice, and only the last one counts: an edit of the first is lost."""
    ids = [msgid for msgid in written_msgids(path) if msgid]
    repeated = sorted({msgid for msgid in ids if ids.count(msgid) > 1})
    assert repeated == [], f"{path.relative_to(WEB)} writes these more than once: {repeated}"
    assert len(ids) > 10  # the reader found the entries
