"""A rulebook part that expires (M-10): actions dated outside its validity are refused, HR is warned before the
sunset, and evaluations still open on the sunset close as ``not_completed``.

002 chapter 6 is valid until 31.08.2023: after that day no chapter-6 action is possible — a sheet, a vote, an
approval dated later is refused citing M-10, whatever period it is about (validity is checked against the date
of the action, not only the period's end). HR is warned ``sunset.warn`` (10 working days) before the sunset about
every chapter-6 evaluation still open; on the sunset those close with ``sunset.status`` and the reason recorded.
Both functions are pure: the method, the dates and the open evaluations in, a refusal or a list of steps out.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, Literal, TypeVar

from domain.calendar import WorkingCalendar
from domain.deadlines import resolve
from domain.errors import Phrase, RuleViolation
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import Method

K = TypeVar("K", bound=Hashable)
DEFAULT_RULE = "M-10"


def validity_rule(spec: MethodSpec) -> str:
    """The rule id of a method's validity interval: its sunset's, else M-10."""
    return spec.sunset.rule if spec.sunset is not None else DEFAULT_RULE


def check_in_force(spec: MethodSpec, on: date, what: str = Phrase("action")) -> None:
    """M-10: refuse an action (``what``: sheet, vote, approval …) dated outside the method's validity interval."""
    if spec.in_force(on):
        return
    rule = validity_rule(spec)
    if spec.valid_until is not None and on > spec.valid_until:
        message = Phrase(
            "{what} on {on} is refused: '{en}' ({method}) was valid until {valid_until}; no action under it is "
            "possible after that day",
            what=what,
            on=on,
            en=spec.name.en,
            method=spec.method,
            valid_until=spec.valid_until,
        )
        allowed = f"no later than {spec.valid_until.isoformat()}"
    else:
        start = spec.valid_from.isoformat() if spec.valid_from else "?"
        message = Phrase(
            "{what} on {on} is refused: '{en}' ({method}) applies from {start}",
            what=what,
            on=on,
            en=spec.name.en,
            method=spec.method,
            start=start,
        )
        allowed = f"from {start}"
    raise RuleViolation(rule=rule, field=what, value=on, allowed=allowed, message=message)


def warning_day(spec: MethodSpec, calendar: WorkingCalendar) -> date | None:
    """M-10: the day HR is warned about the method's open evaluations (``None``: the method does not expire)."""
    if spec.sunset is None or spec.valid_until is None:
        return None
    return resolve(spec.sunset.warn, {"sunset": spec.valid_until}, calendar)


@dataclass(frozen=True)
class SunsetStep(Generic[K]):
    """M-10: one step for one open evaluation: ``warn`` HR about it, or ``close`` it with ``status``.

    ``on`` is the day of the step (a warning is due from the warning day to the sunset; a close happens on the
    first day after the last day in force, when no action is possible any more); ``reason`` is the sentence to
    record or send, naming the rule.
    """

    evaluation: K
    action: Literal["warn", "close"]
    method: Method
    on: date
    valid_until: date
    status: str | None
    reason: str
    rule: str


def sunset_steps(
    day: date,
    open_evaluations: Iterable[tuple[K, Method | str]],
    rulebook: Rulebook,
    calendar: WorkingCalendar,
    *,
    warned: Collection[K] = (),
) -> list[SunsetStep[K]]:
    """M-10: for ``day``, the open evaluations of an expiring method to warn HR about, and those to close.

    ``open_evaluations`` are ``(key, method)`` pairs of the evaluations not finished yet; ``warned`` the keys HR
    was already warned about (so a daily step that runs again warns nobody twice). From the warning day to the
    last day in force, each open evaluation not yet warned about is a ``warn`` step; from the day after the last
    day in force, each open evaluation is a ``close`` step with the sunset's status (``not_completed``).
    """
    steps: list[SunsetStep[K]] = []
    expiring = {spec.method: spec for spec in rulebook.methods if spec.sunset is not None and spec.valid_until}
    for key, method in open_evaluations:
        spec = expiring.get(Method(method))
        if spec is None or spec.sunset is None or spec.valid_until is None:
            continue
        last = spec.valid_until
        warn_on = warning_day(spec, calendar)
        name = f"'{spec.name.en}' ({spec.method})"
        if day > last:
            reason = Phrase(
                "{name} was valid until {last}; the evaluation was not completed by then and closes as "
                "{sunset_status} ({rule})",
                name=name,
                last=last,
                sunset_status=spec.sunset.status,
                rule=spec.sunset.rule,
            )
            closes_on = last + timedelta(days=1)
            status = spec.sunset.status
            steps.append(SunsetStep(key, "close", spec.method, closes_on, last, status, reason, spec.sunset.rule))
        elif warn_on is not None and warn_on <= day and key not in warned:
            reason = Phrase(
                "{name} is valid until {last}: this evaluation is still open and closes as {sunset_status} unless "
                "completed by then ({rule})",
                name=name,
                last=last,
                sunset_status=spec.sunset.status,
                rule=spec.sunset.rule,
            )
            steps.append(SunsetStep(key, "warn", spec.method, day, last, None, reason, spec.sunset.rule))
    return steps
