"""The one refusal of the domain: :class:`RuleViolation`, a ``ValueError`` that names the rule it enforces.

Every decision function in ``domain/`` refuses bad facts by raising ``RuleViolation``; callers (flows, the
simulator, the API) show ``str(exc)`` to a person as it is, and may read the structured fields::

    raise RuleViolation(
        rule="K-4",
        field="scores.k1",
        value=Decimal("4.6"),
        allowed="4.00–4.24",
        message="score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)",
    )

A refusal a person can meet says its sentence as a :class:`Phrase`: the English template and its parameters, so
that the pages can say it in the person's language (``web/locale/*/LC_MESSAGES/refusals.po``, decision 0150) while
``str(exc)`` stays the English sentence the CLI, the reports and the logs show::

    message=Phrase("the appeal on {filed} precedes the decision of {decided}", filed=day, decided=decided_on)
"""

from __future__ import annotations

from typing import Any


class Phrase(str):
    """An English sentence that keeps its template and parameters: ``str`` is the sentence, exactly as an f-string
    of the same template would say it (``{day}`` of a date is its ISO form, ``{score:.2f}`` two decimals).

    ``template`` is the stable key of the sentence in the refusal catalogs (the English text with ``{name}``
    placeholders); ``params`` the values put in, which the pages format in the person's language (a date as a date
    of the language, a decimal with its comma, a nested :class:`Phrase` translated in turn).
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Phrase:
        said = super().__new__(cls, template.format(**params) if params else template)
        said.template = template
        said.params = params
        return said

    def worded(self, text: str) -> Phrase:
        """The same template and values, said in English as ``text`` (the sentence with its rule id appended): a
        refusal's ``message`` keeps what the pages translate."""
        said = str.__new__(Phrase, text)
        said.template = self.template
        said.params = self.params
        return said

    def __reduce__(self) -> tuple[Any, ...]:
        return (_phrase, (str.__str__(self), self.template, self.params))


def _phrase(text: str, template: str, params: dict[str, Any]) -> Phrase:
    return Phrase(template, **params).worded(text)


class Joined(str):
    """Phrases said one after the other (``a; b``): each is translated on its own where the whole is shown."""

    items: tuple[str, ...]
    separator: str

    def __new__(cls, items: list[str] | tuple[str, ...], separator: str = "; ") -> Joined:
        said = super().__new__(cls, separator.join(items))
        said.items = tuple(items)
        said.separator = separator
        return said

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.items, self.separator))


def phrase_of(message: str) -> Phrase:
    """``message`` as a :class:`Phrase` (a plain sentence is its own template, with no parameters)."""
    return message if isinstance(message, Phrase) else Phrase(message)


class RuleViolation(ValueError):
    """A fact refused by a rule of METHODOLOGY.md.

    ``rule`` is the rule id (``K-4``), ``field`` the path of the refused input (``scores.k1``), ``value`` what
    was given and ``allowed`` what would have been accepted (a range text, a list of ids …). ``message`` is
    the sentence a person sees; if it does not already name the rule id, `` (K-4)`` is appended, so that every
    refusal names its rule. ``phrase`` is the message as given (a :class:`Phrase`, without the appended rule id):
    what the pages translate.
    """

    def __init__(
        self,
        *,
        rule: str,
        message: str,
        field: str | None = None,
        value: Any = None,
        allowed: Any = None,
    ) -> None:
        self.rule = rule
        self.field = field
        self.value = value
        self.allowed = allowed
        self.phrase = phrase_of(message)
        self.message = self.phrase.worded(message if rule in message else f"{message} ({rule})")
        super().__init__(self.message)

    def __str__(self) -> str:
        return str.__str__(self.message)  # a plain str: the phrase stays on ``message`` and ``phrase``

    def __repr__(self) -> str:
        return f"RuleViolation(rule={self.rule!r}, field={self.field!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments break default exception pickling (Prefect pickles task exceptions).
        fields = {
            "rule": self.rule,
            "message": self.phrase,
            "field": self.field,
            "value": self.value,
            "allowed": self.allowed,
        }
        return (_rebuild, (fields,))


def _rebuild(fields: dict[str, Any]) -> RuleViolation:
    return RuleViolation(**fields)
