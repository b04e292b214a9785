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
"""

from __future__ import annotations

from typing import Any


class RuleViolation(ValueError):
    """A fact refused by a rule of METHODOLOGY.md.

    ``rule`` is the rule id (``K-4``), ``field`` the path of the refused input (``scores.k1``), ``value`` what
    was given and ``allowed`` what would have been accepted (a range text, a list of ids …). ``message`` is
    the sentence a person sees; if it does not already name the rule id, `` (K-4)`` is appended, so that every
    refusal names its rule.
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
        self.message = message if rule in message else f"{message} ({rule})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"RuleViolation(rule={self.rule!r}, field={self.field!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments break default exception pickling (Prefect pickles task exceptions).
        fields = {
            "rule": self.rule,
            "message": self.message,
            "field": self.field,
            "value": self.value,
            "allowed": self.allowed,
        }
        return (_rebuild, (fields,))


def _rebuild(fields: dict[str, Any]) -> RuleViolation:
    return RuleViolation(**fields)
