"""The one refusal of the application: :class:`Rejected`, carrying the sentence a person sees.

An action refuses before it writes anything, so a refusal changes nothing. The reason names the rule it enforces
(``… (K-4)``), as the domain's :class:`~domain.errors.RuleViolation` does; a refusal that is not a rule of the
methodology (an unknown person) says so plainly.
"""

from __future__ import annotations

from domain.errors import RuleViolation


class Rejected(Exception):
    """A human action the rules refuse; ``str(exc)`` is the reason shown to the person (and in reports)."""

    def __init__(self, reason: str, *, rule: str | None = None) -> None:
        self.reason = reason
        self.rule = rule
        super().__init__(reason)

    def __str__(self) -> str:
        return self.reason

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.reason, self.rule))

    @classmethod
    def from_violation(cls, violation: RuleViolation) -> Rejected:
        return cls(str(violation), rule=violation.rule)

    @classmethod
    def by_rule(cls, rule: str, message: str) -> Rejected:
        """A refusal whose message ends with the rule id, ``… (C-2)``."""
        return cls(message if f"({rule})" in message else f"{message} ({rule})", rule=rule)


def _rebuild(reason: str, rule: str | None) -> Rejected:
    return Rejected(reason, rule=rule)
