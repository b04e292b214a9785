"""Compose: a pure renderer from (kind, language, payload) to a :class:`Message` (subject and plain-text body).

No I/O but reading the templates. The renderer enforces two rules of the methodology itself, so no caller can
forget them:

- R-2: a score or a category reaches only people allowed to see results, and only in the kinds whose templates
  may show one (:data:`notifications.kinds.RESULT_KINDS`); otherwise the result variables are withheld, and a
  rendering that still contains a withheld value is refused (:class:`ResultLeak`).
- T-8: a payload that names 360 respondents is refused (:class:`PayloadRefused`).

A missing variable is an error naming the kind, the language and the variable (``StrictUndefined``); an
oversized text field is shortened, and the message says so in the recipient's language.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context

from domain import rulebooks
from domain.vocabulary import Language, ResultCategory
from notifications.dates import format_date, format_datetime, format_score
from notifications.kinds import RESULT_KINDS, MessageKind
from notifications.wording import method_name, period_name

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_MAX_FIELD_CHARS = 4000
"""A text field longer than this is shortened (a 10 MB comment is never sent as it is)."""

RESULT_KEYS: frozenset[str] = frozenset(
    {"score", "category", "category_name", "previous_score", "final_score", "justification", "result"}
)
"""R-2: payload keys that carry a result (the justification is part of the sheet, D-3)."""

ALLOWED_RESPONDENT_KEYS: frozenset[str] = frozenset({"responses", "minimum", "respondent_count"})
"""T-8: counts of respondents are fine; anything else mentioning respondents is refused."""

_FORBIDDEN_KEY = re.compile(r"respondent|answered_by|answers_by", re.IGNORECASE)
_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")
_DOUBLE_STOP = re.compile(r"(?<=\s[гж])\.\.")  # "2025 г." or "2025 ж." ending a sentence takes one full stop


# --- the result -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A rendered message, ready to hand to a channel."""

    kind: str
    language: Language
    subject: str
    body: str
    truncated_fields: tuple[str, ...] = ()
    fallback: bool = False

    @property
    def content_hash(self) -> str:
        """SHA-256 of subject and body: what the proof of delivery says was sent."""
        return hashlib.sha256(f"{self.subject}\n\n{self.body}".encode()).hexdigest()


class RenderError(ValueError):
    """A message could not be rendered; says which kind, which language and why."""

    def __init__(self, kind: str, language: str, problem: str) -> None:
        self.kind, self.language, self.problem = str(kind), str(language), problem
        super().__init__(f"cannot render {self.kind} ({self.language}): {problem}")


class MissingTemplate(RenderError):
    """No template for the kind in the language (an unknown kind, or a missing translation)."""


class MissingVariable(RenderError):
    """The template needs a variable the payload lacks."""

    def __init__(self, kind: str, language: str, variable: str) -> None:
        self.variable = variable
        super().__init__(kind, language, f"the template needs the variable {variable!r}, which the payload lacks")


class PayloadRefused(RenderError):
    """The payload holds something no message may carry (T-8: respondents of a 360 survey)."""


class ResultLeak(RenderError):
    """R-2: a withheld score or category would have appeared in the message."""


# --- the Jinja environment --------------------------------------------------------------------------------


def _language(context: Context) -> Language:
    return Language(context["language"])


@pass_context
def _date_filter(context: Context, value: Any) -> str:
    return format_date(value, _language(context))


@pass_context
def _datetime_filter(context: Context, value: Any) -> str:
    return format_datetime(value, _language(context))


@pass_context
def _score_filter(context: Context, value: Any) -> str:
    return format_score(value, _language(context))


@pass_context
def _period_filter(context: Context, value: Any) -> str:
    return period_name(value, _language(context))


@pass_context
def _method_filter(context: Context, value: Any) -> str:
    return method_name(value, _language(context))


def _names_filter(value: Any) -> str:
    return ", ".join(str(name) for name in value) if isinstance(value, list | tuple) else str(value)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text only; there is no HTML part to escape
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters.update(
        date=_date_filter,
        datetime=_datetime_filter,
        score=_score_filter,
        period=_period_filter,
        method=_method_filter,
        names=_names_filter,
    )
    return environment


ENVIRONMENT = _environment()


def template_name(kind: str, language: Language | str) -> str:
    """``<language>/<kind>.txt.j2`` under ``notifications/templates``."""
    return f"{Language(language)}/{kind}.txt.j2"


# --- payload checks ---------------------------------------------------------------------------------------


def _keys(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key of a nested payload, as a dotted path."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            path = f"{prefix}{key}"
            yield path
            yield from _keys(inner, f"{path}.")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from _keys(inner, f"{prefix}{index}.")


def refuse_respondents(kind: str, language: str, payload: Mapping[str, Any]) -> None:
    """T-8: no message names who answered a 360 survey (only counts of respondents may travel)."""
    named = [path for path in _keys(payload) if _names_respondents(path.rsplit(".", 1)[-1])]
    if named:
        raise PayloadRefused(kind, language, f"360 respondents are anonymous (T-8); remove {', '.join(named)}")


def _names_respondents(key: str) -> bool:
    return bool(_FORBIDDEN_KEY.search(key)) and key not in ALLOWED_RESPONDENT_KEYS


def withhold_result(
    kind: MessageKind, payload: Mapping[str, Any], allowed: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """R-2: split off the result variables unless this kind may show them and the recipient may see them."""
    if allowed and kind in RESULT_KINDS:
        return dict(payload), {}
    kept = {key: value for key, value in payload.items() if key not in RESULT_KEYS}
    withheld = {key: value for key, value in payload.items() if key in RESULT_KEYS}
    return kept, withheld


Cut = list[tuple[str, int, str]]
"""Shortened fields: (dotted path, original length, the first characters kept)."""


def shorten(payload: Mapping[str, Any], max_chars: int, prefix: str = "") -> tuple[dict[str, Any], Cut]:
    """Cut every text longer than ``max_chars`` (nested too); returns the payload and what was cut."""
    cut: Cut = []
    result: dict[str, Any] = {}
    for key, value in payload.items():
        result[key] = _shorten_value(value, max_chars, f"{prefix}{key}", cut)
    return result, cut


def _shorten_value(value: Any, max_chars: int, path: str, cut: Cut) -> Any:
    if isinstance(value, str) and len(value) > max_chars:
        cut.append((path, len(value), value[: min(max_chars, 60)].strip()))
        return value[:max_chars].rstrip() + " …"
    if isinstance(value, Mapping):
        inner, inner_cut = shorten(value, max_chars, f"{path}.")
        cut.extend(inner_cut)
        return inner
    if isinstance(value, list | tuple):
        return [_shorten_value(item, max_chars, f"{path}.{index}", cut) for index, item in enumerate(value)]
    return value


# --- names of categories ----------------------------------------------------------------------------------


def category_name(payload: Mapping[str, Any], language: Language) -> str | None:
    """The legal name of the payload's category (S-1, M-4, M-6): given in the payload, or from its rulebook."""
    given = payload.get("category_name")
    if isinstance(given, Mapping):
        if language not in given:
            raise LookupError(f"category_name has no {language} text")
        return str(given[language])
    if given is not None:
        return str(given)
    if payload.get("category") is None:
        return None
    book = rulebooks.get(str(payload["rulebook"]))
    return book.results.name_of(ResultCategory(payload["category"])).in_language(language)


def _withheld_texts(withheld: Mapping[str, Any], rulebook: Any) -> list[str]:
    """How a withheld score or category would look in any language, to prove it did not leak."""
    texts: list[str] = []
    scores = [withheld[key] for key in ("score", "final_score", "previous_score") if withheld.get(key) is not None]
    for language in Language:
        for score in scores:
            with suppress(ValueError):  # not a number: it cannot appear as a formatted score either
                texts.append(format_score(score, language))
        try:
            name = category_name({**withheld, "rulebook": rulebook}, language)
        except (KeyError, ValueError, LookupError):
            name = None
        if name:
            texts.append(name)
    return texts


# --- render -----------------------------------------------------------------------------------------------


def render(
    kind: MessageKind | str,
    language: Language | str,
    payload: Mapping[str, Any],
    recipient_is_allowed_to_see_result: bool,
    *,
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> Message:
    """Render one message; raises :class:`RenderError` (naming kind, language and problem) when it cannot."""
    kind, lang = _known(kind, language)
    refuse_respondents(kind, lang, payload)
    visible, withheld = withhold_result(kind, payload, recipient_is_allowed_to_see_result)
    visible, cut = shorten(visible, max_field_chars)
    context = _context(kind, lang, visible)
    subject, body = _render_template(template_name(kind, lang), kind, lang, context)
    shown = [(field, total) for field, total, start in cut if start in body]
    if shown:  # render again, now with a note per shortened field the message shows
        context["truncation_notes"] = _truncation_notes(lang, shown, max_field_chars)
        subject, body = _render_template(template_name(kind, lang), kind, lang, context)
    _refuse_leaks(kind, lang, f"{subject}\n{body}", withheld, payload.get("rulebook"))
    return Message(kind, lang, subject, body, truncated_fields=tuple(field for field, _, _ in cut))


def fallback_message(kind: MessageKind | str, language: Language | str, recipient_name: str | None = None) -> Message:
    """A generic notice in the recipient's language, sent when the real one cannot be rendered."""
    lang = Language(language) if language in set(Language) else Language.KK  # Kazakh, the state language
    context: dict[str, Any] = {"language": lang}
    if recipient_name:
        context["recipient_name"] = recipient_name
    subject, body = _render_template(template_name("_fallback", lang), str(kind), lang, context)
    return Message(str(kind), lang, subject, body, fallback=True)


def _known(kind: MessageKind | str, language: Language | str) -> tuple[MessageKind, Language]:
    try:
        known_kind = MessageKind(kind)
    except ValueError:
        raise MissingTemplate(str(kind), str(language), f"unknown message kind {str(kind)!r}") from None
    try:
        return known_kind, Language(language)
    except ValueError:
        raise MissingTemplate(str(kind), str(language), f"unknown language {str(language)!r}") from None


def _context(kind: MessageKind, language: Language, payload: Mapping[str, Any]) -> dict[str, Any]:
    context = {**payload, "language": language, "kind": kind}
    if payload.get("category_name") is None and payload.get("category") is not None and "rulebook" not in payload:
        raise MissingVariable(kind, language, "rulebook")  # the category's legal name lives in its rulebook (S-1)
    try:
        name = category_name(payload, language)
    except (ValueError, LookupError) as exc:
        raise RenderError(kind, language, f"cannot name the category: {exc}") from None
    if name is not None:
        context["category_name"] = name
    return context


def _render_template(name: str, kind: str, language: Language, context: dict[str, Any]) -> tuple[str, str]:
    try:
        text = ENVIRONMENT.get_template(name).render(context)
    except jinja2.TemplateNotFound:
        raise MissingTemplate(kind, language, f"there is no template {name}") from None
    except jinja2.UndefinedError as exc:
        raise MissingVariable(kind, language, _undefined_name(exc)) from None
    except (TypeError, ValueError) as exc:
        raise RenderError(kind, language, f"a variable has the wrong form: {exc}") from None
    return _split(text)


def _undefined_name(error: jinja2.UndefinedError) -> str:
    match = _UNDEFINED.search(str(error))
    return next((group for group in match.groups() if group), str(error)) if match else str(error)


def _split(text: str) -> tuple[str, str]:
    """First line is the subject (one line, whatever the payload held); the rest, tidied, is the body."""
    subject, _, body = _DOUBLE_STOP.sub(".", text).strip().partition("\n")
    lines = [line.rstrip() for line in body.strip().splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return " ".join(subject.split()), tidy.strip() + "\n"


def _truncation_notes(language: Language, shown: list[tuple[str, int]], kept: int) -> list[str]:
    note = ENVIRONMENT.get_template(template_name("_truncation_note", language))
    return [note.render(field=field, kept=kept, total=total).strip() for field, total in shown]


def _refuse_leaks(kind: MessageKind, language: Language, text: str, withheld: Mapping[str, Any], rulebook: Any) -> None:
    leaked = [value for value in _withheld_texts(withheld, rulebook) if value in text]
    if leaked:
        raise ResultLeak(kind, language, "a withheld result would appear in the message (R-2)")
