"""The one refusal of the application: :class:`Rejected`, carrying the sentence a person sees.

An action refuses before it writes anything, so a refusal changes nothing. The reason names the rule it enforces
(``… (K-4)``), as the domain's :class:`~domain.errors.RuleViolation` does; a refusal that is not a rule of the
methodology (an unknown person) says so plainly.
"""

from __future__ import annotations

from domain.errors import Phrase, RuleViolation, phrase_of


class Rejected(Exception):
    """A human action the rules refuse; ``str(exc)`` is the reason in English (CLI, reports, logs).

    ``phrase`` is the reason as a :class:`~domain.errors.Phrase` (its template and parameters, without a rule id
    appended by :meth:`by_rule`): the pages and the API say it in the person's language (decision 0150).
    """

    def __init__(self, reason: str, *, rule: str | None = None, phrase: Phrase | None = None) -> None:
        self.rule = rule
        self.phrase = phrase if phrase is not None else phrase_of(reason)
        self.reason = self.phrase.worded(str(reason))  # the English reason, carrying the phrase the pages translate
        super().__init__(self.reason)

    def __str__(self) -> str:
        return str.__str__(self.reason)  # a plain str: the phrase stays on ``reason`` and ``phrase``

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.reason, self.rule, self.phrase))

    def details(self) -> dict[str, object]:
        """What the API adds to the refusal's sentence for a program: the refused ``field`` and what is
        ``allowed`` where the refusal knows them (and, for some, the facts behind it); plain JSON values."""
        found = {name: getattr(self, name, None) for name in ("field", "allowed")}
        return {name: value for name, value in found.items() if isinstance(value, str)}

    @classmethod
    def from_violation(cls, violation: RuleViolation) -> Rejected:
        return cls(str(violation), rule=violation.rule, phrase=violation.phrase)

    @classmethod
    def by_rule(cls, rule: str, message: str) -> Rejected:
        """A refusal whose message ends with the rule id, ``… (C-2)``."""
        reason = message if f"({rule})" in message else f"{message} ({rule})"
        return cls(reason, rule=rule, phrase=phrase_of(message))


def _rebuild(reason: str, rule: str | None, phrase: Phrase | None = None) -> Rejected:
    return Rejected(reason, rule=rule, phrase=phrase)
