"""Panels and their votes: the calibration session (C-5, C-6) and the Evaluation Commission (M-7).

Pure decisions: who may sit, whose vote counts, and what the votes decide. A vote that may not be cast (a
non-member, a second vote, the secretary, a score off the scale) is refused with a :class:`RuleViolation`;
votes that simply do not decide (no majority, no quorum, a tie without a casting vote) give an outcome with
``decided=False`` and the reason, for the flow to escalate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from domain.errors import Joined, Phrase, RuleViolation
from domain.rulebook import Calibration, Commission, Results
from domain.scoring import Number, band, plain, score_bounds, to_decimal
from domain.vocabulary import ResultCategory

Verdict = Literal["approve", "revise"]


def _listed(items: Sequence[object]) -> str:
    return ", ".join(str(item) for item in items)


def _duplicates(items: Sequence[str]) -> list[str]:
    return sorted({item for item in items if items.count(item) > 1})


# --- C-5/C-6: the calibration session ---------------------------------------------------------------------


def calibration_composition_problems(
    members: Sequence[str],
    employee: str,
    disputed_evaluator: str | None,
    hr_ids: Collection[str],
    calibration_rules: Calibration,
) -> list[str]:
    """C-5: every problem of a session composition, each a sentence (none: the composition may be approved).

    At least ``min_members`` distinct members, an odd number when the rulebook requires it (003 §19), never the
    disagreeing employee nor the evaluator whose score is disputed, an HR employee when required, nobody twice.
    """
    rules = calibration_rules
    distinct = list(dict.fromkeys(members))
    problems: list[str] = [
        Phrase("{person} is listed more than once", person=person) for person in _duplicates(list(members))
    ]
    if len(distinct) < rules.min_members:
        problems.append(
            Phrase("{count} members; at least {minimum} are required", count=len(distinct), minimum=rules.min_members)
        )
    if rules.odd_members and len(distinct) % 2 == 0:
        problems.append(Phrase("{count} members; the number of members must be odd", count=len(distinct)))
    if rules.exclude_employee and employee in distinct:
        problems.append(Phrase("the employee {employee} who disagrees cannot sit in the session", employee=employee))
    if rules.exclude_disputed_evaluator and disputed_evaluator is not None and disputed_evaluator in distinct:
        problems.append(
            Phrase(
                "the evaluator {evaluator} whose score is disputed cannot sit in the session",
                evaluator=disputed_evaluator,
            )
        )
    if rules.require_hr_member and not set(distinct) & set(hr_ids):
        problems.append(Phrase("no member is from the HR service"))
    return problems


def check_calibration_composition(
    members: Sequence[str],
    employee: str,
    disputed_evaluator: str | None,
    hr_ids: Collection[str],
    calibration_rules: Calibration,
) -> None:
    """C-5: refuse a session composition, naming every problem at once (:func:`calibration_composition_problems`)."""
    rules = calibration_rules
    problems = calibration_composition_problems(members, employee, disputed_evaluator, hr_ids, rules)
    if problems:
        raise RuleViolation(
            rule="C-5",
            field="members",
            value=list(members),
            allowed=f"at least {rules.min_members} distinct members" + (", odd" if rules.odd_members else ""),
            message=Phrase("calibration composition: {problems} (C-5)", problems=Joined(problems)),
        )


@dataclass(frozen=True)
class CalibrationOutcome:
    """C-6: the result of the session's vote so far.

    ``decided`` with ``score`` and ``category`` once one score has the votes of more than half of all members;
    otherwise ``score`` is None, ``votes_for_winner`` the largest count so far, ``pending`` who has not voted,
    and ``reason`` says whether the session waits for votes or has no majority (the flow escalates to HR and
    the appointing official).
    """

    decided: bool
    score: Decimal | None
    category: ResultCategory | None
    votes_for_winner: int
    reason: str
    pending: tuple[str, ...] = ()


def _check_vote(member: str, score: object, members: Sequence[str], results: Results) -> Decimal:
    """C-6: a vote comes from a member and is a score on the S-1 scale with at most ``results.decimals``."""
    if member not in members:
        raise RuleViolation(
            rule="C-6",
            field=f"votes.{member}",
            value=member,
            allowed=list(members),
            message=Phrase(
                "{member} is not a member of the calibration session ({members}) (C-6)",
                member=member,
                members=_listed(members),
            ),
        )
    value = to_decimal(score, field=f"votes.{member}", rule="C-6", decimals=results.decimals)
    low, high = score_bounds(results)
    if not low <= value <= high:
        raise RuleViolation(
            rule="C-6",
            field=f"votes.{member}",
            value=value,
            allowed=f"{low}–{high}",
            message=Phrase(
                "the vote {value} of {member} is outside the scale {low}–{high} (C-6)",
                value=plain(value),
                member=member,
                low=low,
                high=high,
            ),
        )
    return value


def record_calibration_vote(
    votes: Mapping[str, Decimal], member: str, score: Number, members: Sequence[str], results: Results
) -> dict[str, Decimal]:
    """C-6: the votes with one more; a non-member, a second vote of the same member or a score off the scale
    is refused (a vote is not replaced: the protocol records the votes as cast)."""
    value = _check_vote(member, score, members, results)
    if member in votes:
        raise RuleViolation(
            rule="C-6",
            field=f"votes.{member}",
            value=value,
            allowed="one vote per member",
            message=Phrase(
                "{member} has already voted {votes}; a member votes once (C-6)",
                member=member,
                votes=plain(votes[member]),
            ),
        )
    return {**votes, member: value}


def _collect_votes(
    votes: Mapping[str, Number] | Sequence[tuple[str, Number]], members: Sequence[str], results: Results
) -> dict[str, Decimal]:
    pairs = list(votes.items()) if isinstance(votes, Mapping) else list(votes)
    collected: dict[str, Decimal] = {}
    for member, score in pairs:
        collected = record_calibration_vote(collected, member, score, members, results)
    return collected


def calibration_outcome(
    votes: Mapping[str, Number] | Sequence[tuple[str, Number]], members: Sequence[str], results: Results
) -> CalibrationOutcome:
    """C-6: the final score is the score voted by a majority — more than half — of ALL the session's members.

    "Басым дауыс" (000 §41, 003 §22) is read as an absolute majority of the members, not a plurality and not
    the median: the text adopts a score by vote, and a median would adopt a score nobody may have voted for.
    Scores are equal by value (4.0 = 4.00). The outcome is decided as soon as one score has that majority, even
    before everyone voted; with every member voted (or a majority out of reach) and none, it is "no majority".
    ``votes`` is a mapping member → score or a sequence of (member, score) in casting order, where a second
    vote of the same member is refused.
    """
    duplicates = _duplicates(list(members))
    if duplicates:
        raise RuleViolation(
            rule="C-5",
            field="members",
            value=list(members),
            allowed="distinct members",
            message=Phrase("members {duplicates} are listed more than once (C-5)", duplicates=_listed(duplicates)),
        )
    cast = _collect_votes(votes, members, results)
    pending = tuple(member for member in members if member not in cast)
    tally = Counter(cast.values()).most_common()
    top_score, top_count = tally[0] if tally else (None, 0)
    total = len(members)
    if top_score is not None and top_count * 2 > total:
        reason = Phrase(
            "{top_score} has {top_count} of the {total} members' votes, a majority (C-6)",
            top_score=plain(top_score),
            top_count=top_count,
            total=total,
        )
        return CalibrationOutcome(True, top_score, band(top_score, results), top_count, reason, pending)
    if pending and (top_count + len(pending)) * 2 > total:
        reason = Phrase(
            "waiting for the votes of {pending}; no score has a majority of the {total} members yet",
            pending=_listed(pending),
            total=total,
        )
        return CalibrationOutcome(False, None, None, top_count, reason + " (C-6)", pending)
    reason = Phrase(
        "no majority: no score has the votes of more than half of the {total} members; the case goes to HR and the "
        "appointing official (C-6)",
        total=total,
    )
    return CalibrationOutcome(False, None, None, top_count, reason, pending)


# --- M-7: the Evaluation Commission -----------------------------------------------------------------------


def check_commission_composition(members: Sequence[str], chair: str, secretary: str | None, rules: Commission) -> None:
    """M-7: at least ``min_members`` distinct members (the chair among them); the secretary, an HR employee who
    does not vote, is listed apart and not counted (004 §5, §34). Every problem is named at once."""
    distinct = list(dict.fromkeys(members))
    problems: list[str] = [
        Phrase("{person} is listed more than once", person=person) for person in _duplicates(list(members))
    ]
    if len(distinct) < rules.min_members:
        problems.append(
            Phrase(
                "{count} members; the Commission has at least {minimum}", count=len(distinct), minimum=rules.min_members
            )
        )
    if chair not in distinct:
        problems.append(Phrase("the chair {chair} is not among the members", chair=chair))
    if secretary is not None and secretary in distinct and not rules.secretary_votes:
        problems.append(
            Phrase(
                "the secretary {secretary} does not vote and must not be listed among the members", secretary=secretary
            )
        )
    if problems:
        raise RuleViolation(
            rule="M-7",
            field="commission.members",
            value=list(members),
            allowed=f"at least {rules.min_members} distinct members including the chair, without the secretary",
            message=Phrase("Commission composition: {problems} (M-7)", problems=Joined(problems)),
        )


@dataclass(frozen=True)
class Decision:
    """One Commission member's open vote (M-7): approve the result, or revise it to ``result``."""

    decision: Verdict
    result: ResultCategory | None = None


@dataclass(frozen=True)
class CommissionOutcome:
    """M-7: what the Commission decided, or why it did not (no quorum, no votes, an unbroken tie)."""

    decided: bool
    decision: Verdict | None
    result: ResultCategory | None
    reason: str
    quorum: bool
    approve_votes: int = 0
    revise_votes: int = 0
    abstained: tuple[str, ...] = ()


def _check_present(present: Sequence[str], members: Sequence[str], secretary: str | None) -> list[str]:
    """The voting members present; anyone else but the secretary is refused."""
    strangers = [person for person in present if person not in members and person != secretary]
    if strangers:
        raise RuleViolation(
            rule="M-7",
            field="present",
            value=list(present),
            allowed=list(members),
            message=Phrase(
                "{strangers} are not members of the Commission ({members}) (M-7)",
                strangers=_listed(strangers),
                members=_listed(members),
            ),
        )
    return [member for member in dict.fromkeys(present) if member in members]


def _vote_problem(member: str, vote: Decision, attending: Sequence[str], secretary: str | None) -> tuple[str, object]:
    """What is wrong with one Commission vote, and what would be allowed; ``("", None)`` when nothing is."""
    if member == secretary and member not in attending:
        return f"the secretary {member} does not vote", list(attending)
    if member not in attending:
        return f"{member} is not a member present at the meeting and cannot vote", list(attending)
    if vote.decision not in get_args(Verdict):
        return f"{member}'s decision {vote.decision!r} is neither approve nor revise", list(get_args(Verdict))
    if vote.decision == "revise" and vote.result is None:
        return f"{member} votes to revise but gives no revised result", "revise with a result"
    if vote.decision == "approve" and vote.result is not None:
        return f"{member} votes to approve but gives a result ({vote.result}); only a revision carries one", "approve"
    return "", None


def _check_commission_vote(member: str, vote: Decision, attending: Sequence[str], secretary: str | None) -> None:
    """M-7: only members present vote, the secretary never; a revise vote carries the revised result."""
    problem, allowed = _vote_problem(member, vote, attending, secretary)
    if problem:
        raise RuleViolation(rule="M-7", field=f"votes.{member}", value=vote, allowed=allowed, message=problem)


def _revised_result(votes: Mapping[str, Decision], chair: str, rules: Commission) -> tuple[ResultCategory | None, str]:
    """M-7: among the revise votes, the most voted revised result; a tie goes to the chair's result."""
    counts = Counter(vote.result for vote in votes.values() if vote.decision == "revise").most_common()
    best = counts[0][1]
    tied = [result for result, count in counts if count == best]
    if len(tied) == 1:
        return tied[0], f"revised to {tied[0]} by {best} vote(s)"
    chair_vote = votes.get(chair)
    if rules.chair_casting_vote and chair_vote is not None and chair_vote.result in tied:
        return chair_vote.result, f"revised to {chair_vote.result}: the revised results tie and the chair decides"
    return None, f"the revise votes split evenly between {_listed([str(r) for r in tied])}"


def commission_outcome(
    votes: Mapping[str, Decision],
    members: Sequence[str],
    chair: str,
    secretary: str | None,
    present: Sequence[str],
    rules: Commission,
) -> CommissionOutcome:
    """M-7: the Commission's decision by open vote, once the vote is closed.

    Quorum: the members present (the composition, chair included; the secretary is listed apart and not
    counted) number at least ``quorum_numerator/quorum_denominator`` of the members, compared in integers
    (4 of 6 present is exactly 2/3: quorum; 3 of 5 is not). The decision is the simple majority of the votes
    cast; members present who did not vote abstained. A tie is decided by the chair's vote. When "revise" wins,
    the most voted revised result is adopted; a tie between revised results goes to the chair's, else nothing
    is decided.
    """
    check_commission_composition(members, chair, secretary, rules)
    attending = _check_present(present, members, secretary)
    for member, vote in votes.items():
        _check_commission_vote(member, vote, attending, secretary)
    abstained = tuple(member for member in attending if member not in votes)
    if len(attending) * rules.quorum_denominator < rules.quorum_numerator * len(members):
        reason = Phrase(
            "no quorum: {present} of the {members} members are present; at least "
            "{quorum_numerator}/{quorum_denominator} of the members are required (M-7)",
            present=len(attending),
            members=len(members),
            quorum_numerator=rules.quorum_numerator,
            quorum_denominator=rules.quorum_denominator,
        )
        return CommissionOutcome(False, None, None, reason, quorum=False, abstained=abstained)
    approve = sum(1 for vote in votes.values() if vote.decision == "approve")
    revise = len(votes) - approve
    if not votes:
        return CommissionOutcome(False, None, None, "no vote was cast (M-7)", True, abstained=abstained)
    return _decide(votes, chair, rules, approve, revise, abstained)


def _decide(
    votes: Mapping[str, Decision],
    chair: str,
    rules: Commission,
    approve: int,
    revise: int,
    abstained: tuple[str, ...],
) -> CommissionOutcome:
    """M-7: simple majority of the votes cast, the chair's vote breaking a tie."""
    chair_vote = votes.get(chair)
    if approve > revise:
        verdict: Verdict = "approve"
        how = f"approved by {approve} votes to {revise}"
    elif revise > approve:
        verdict, how = "revise", f"revision voted by {revise} votes to {approve}"
    elif rules.chair_casting_vote and chair_vote is not None:
        verdict, how = chair_vote.decision, f"{approve} votes to {revise}; the chair's vote decides"
    else:
        reason = Phrase(
            "tie: {approve} votes to {revise} and no casting vote of the chair (M-7)", approve=approve, revise=revise
        )
        return CommissionOutcome(False, None, None, reason, True, approve, revise, abstained)
    if verdict == "approve":
        return CommissionOutcome(True, "approve", None, f"{how} (M-7)", True, approve, revise, abstained)
    result, why = _revised_result(votes, chair, rules)
    decided = f"{how}; {why} (M-7)"  # the record's reason, not a refusal
    return CommissionOutcome(result is not None, "revise", result, decided, True, approve, revise, abstained)


# --- M-7: who attends a meeting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """M-7: who is at a Commission meeting. ``present`` are the members' seats present (a member, or the member
    an acting person sits for, G-7) — the chair only when actually present; ``secretary_present`` is apart (the
    secretary never counts for the quorum nor votes); ``recorded``: from an attendance record, or inferred from
    the votes of the day when there is none."""

    present: tuple[str, ...]
    secretary_present: bool
    recorded: bool


def check_attendance(
    attendees: Sequence[str],
    members: Sequence[str],
    secretary: str | None,
    seats: Mapping[str, str] | None = None,
) -> Attendance:
    """M-7: a recorded attendance list: every person listed is a member, the secretary, or acting for a member
    (``seats``: person → the member whose seat they hold that day, G-7); anyone else is refused, naming M-7."""
    holders = dict(seats or {})
    strangers = [
        person for person in attendees if person not in members and person != secretary and person not in holders
    ]
    if strangers:
        raise RuleViolation(
            rule="M-7",
            field="present",
            value=list(attendees),
            allowed=[*members, *([secretary] if secretary else [])],
            message=Phrase(
                "{strangers} {be} of the Commission ({members}) and cannot attend its meeting as a member (M-7)",
                strangers=_listed(strangers),
                be=Phrase("is not a member") if len(strangers) == 1 else Phrase("are not members"),
                members=_listed(members),
            ),
        )
    present = [holders.get(person, person) for person in attendees if person != secretary or person in members]
    seated = tuple(member for member in dict.fromkeys(present) if member in members)
    return Attendance(seated, secretary is not None and secretary in attendees, recorded=True)


def meeting_attendance(
    members: Sequence[str],
    secretary: str | None,
    *,
    recorded: Sequence[str] | None,
    voters: Sequence[str],
    seats: Mapping[str, str] | None = None,
) -> Attendance:
    """M-7: who is present at a meeting: the recorded attendance when there is one (:func:`check_attendance`);
    without one, every member who voted that day (their seat, when voting for an absent member) — the chair is
    never assumed present, and the secretary, who never votes, is never counted."""
    if recorded is not None:
        return check_attendance(recorded, members, secretary, seats)
    holders = dict(seats or {})
    seated = [holders.get(voter, voter) for voter in voters if voter != secretary or voter in holders]
    present = tuple(member for member in dict.fromkeys(seated) if member in members)
    return Attendance(present, secretary_present=False, recorded=False)
