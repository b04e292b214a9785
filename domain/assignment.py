"""G-3: which rulebook a body follows when — the checks an assignment passes before it is recorded.

A body follows one rulebook at a time (its own variant of a family, G-3); a transitional chapter that runs beside
the main text for a population (002 chapter 6, M-10) is part of that rulebook, not a second assignment. So an
assignment's interval [from, until] (inclusive; ``until`` ``None``: open) must lie within the rulebook's own
validity and must not overlap another rulebook's assignment to the body. Re-assigning the same rulebook from the
same day changes only its ``until`` (closing an open interval before the next rulebook starts). Pure: the
intervals in, a :class:`~domain.errors.RuleViolation` naming the field, the rule and what is allowed out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import Phrase, RuleViolation
from domain.rulebook import Rulebook

RULE = "G-3"


@dataclass(frozen=True)
class Interval:
    """One assignment of a rulebook to a body: from ``valid_from`` to ``valid_until`` (inclusive; ``None``: open)."""

    rulebook_id: str
    valid_from: date
    valid_until: date | None = None

    def overlaps(self, other: Interval) -> bool:
        ends_before = self.valid_until is not None and self.valid_until < other.valid_from
        starts_after = other.valid_until is not None and other.valid_until < self.valid_from
        return not (ends_before or starts_after)

    @property
    def shown(self) -> str:
        until = self.valid_until.isoformat() if self.valid_until else "open"
        return f"{self.rulebook_id} {self.valid_from.isoformat()} … {until}"


def check_assignment(new: Interval, book: Rulebook, existing: Iterable[Interval]) -> Interval | None:
    """Refuse ``new`` (G-3) or accept it; returns the existing interval it replaces (same rulebook, same start),
    else ``None``."""
    until = new.valid_until
    if until is not None and until < new.valid_from:
        raise RuleViolation(
            rule=RULE,
            field="--until",
            value=until.isoformat(),
            allowed=f"{new.valid_from.isoformat()} or later",
            message=Phrase(
                "--until {until} is before --from {valid_from}: allowed is {valid_from} or later",
                until=until,
                valid_from=new.valid_from,
            ),
        )
    book_until = book.valid_until.isoformat() if book.valid_until else "open"
    in_force = f"{book.valid_from.isoformat()} … {book_until}"
    if new.valid_from < book.valid_from:
        raise RuleViolation(
            rule=RULE,
            field="--from",
            value=new.valid_from.isoformat(),
            allowed=f"{book.valid_from.isoformat()} or later",
            message=Phrase(
                "--from {valid_from} is before rulebook {book_id} is in force ({in_force}): allowed is {valid_from2} "
                "or later",
                valid_from=new.valid_from,
                book_id=book.id,
                in_force=in_force,
                valid_from2=book.valid_from,
            ),
        )
    if book.valid_until is not None and (until is None or until > book.valid_until):
        shown = until.isoformat() if until else "open"
        raise RuleViolation(
            rule=RULE,
            field="--until",
            value=shown,
            allowed=f"{book.valid_until.isoformat()} or earlier",
            message=Phrase(
                "--until {shown} is past the end of rulebook {book_id} ({in_force}): allowed is {valid_until} or "
                "earlier",
                shown=shown,
                book_id=book.id,
                in_force=in_force,
                valid_until=book.valid_until,
            ),
        )
    replaced = None
    for old in existing:
        if old.rulebook_id == new.rulebook_id and old.valid_from == new.valid_from:
            replaced = old
            continue
        if new.overlaps(old):
            raise RuleViolation(
                rule=RULE,
                field="--from" if old.valid_until is not None and new.valid_from <= old.valid_until else "--until",
                value=new.shown,
                allowed=_free(old),
                message=Phrase(
                    "{shown} overlaps the body's assignment {shown2}: a body follows one rulebook at a time; allowed "
                    "is {free}",
                    shown=new.shown,
                    shown2=old.shown,
                    free=_free(old),
                ),
            )
    return replaced


def _free(old: Interval) -> str:
    """What an overlapping interval leaves free, in words."""
    before = f"until {(old.valid_from - timedelta(days=1)).isoformat()} at the latest"
    if old.valid_until is None:
        return (
            f"an interval ending {before}, or first close {old.rulebook_id} with "
            f"`--from {old.valid_from.isoformat()} --until DATE`"
        )
    return f"an interval ending {before} or starting {(old.valid_until + timedelta(days=1)).isoformat()} or later"
