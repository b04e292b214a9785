"""The yearly 360 survey beyond scoring: who answers it (T-4) and the report from anonymous totals (T-5, T-6, T-8).

**Respondents (T-4)**: the direct head, B-corps subordinates, close peers; 3 to 7 of them.

000 §35 names three sources of respondents and leaves the choice to "the system or HR". The system's choice is
deterministic so that re-running the opening step picks the same people:

* the **direct head** (тікелей басшы) first, whatever their corps (a head in the A corps still sees the work);
* then the evaluatee's **direct** subordinates in the B corps and their **peers** — B-corps colleagues with the same
  direct head, the reading of "peers at the same level who work closely with them" that the facts can support —
  taken alternately, each list in natural id order (E2 before E10), so that a head with many subordinates still
  gets peers' views;
* only people in service on the day of the choice; never the evaluatee (their self-assessment is separate, T-5);
* at most ``max_respondents``; fewer than ``min_respondents`` available is not an error: those available are
  invited and the choice is marked ``short`` with the T-4 reason, for HR to complete the list.

HR may then replace the list (:func:`check_edited_respondents`): any people of the body but the evaluatee, each once,
no more than the maximum.

**The report (T-6)**: answers are stored without the respondent (T-8), so the report is built from per-competency
averages over all the answers, self-assessment apart (:func:`survey_result`). Every response answers every
question of every competency (``domain.scoring.survey_averages`` refuses anything else when it is given), so the
mean over all answers *is* the mean over respondents of each respondent's mean: [4, 5, 4] from one respondent →
4.33.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain, zip_longest

from domain.errors import Joined, Phrase, RuleViolation
from domain.facts import Organization
from domain.rulebook import Survey360, SurveyForm
from domain.scoring import Relation, SurveyResult
from domain.vocabulary import Corps


@dataclass(frozen=True)
class Respondent:
    """One person invited to answer (T-4), and how they stand to the evaluatee (never shown to anyone, T-8)."""

    person: str
    relation: Relation


@dataclass(frozen=True)
class RespondentChoice:
    """The respondents chosen for one evaluatee; ``short`` with ``reason`` when fewer than the minimum exist."""

    evaluatee: str
    respondents: tuple[Respondent, ...]
    short: bool
    reason: str | None


def natural_key(text: str) -> tuple[object, ...]:
    """Sort ids with their digit runs as numbers: E2 before E10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def direct_reports(org: Organization, on: date) -> dict[str, list[str]]:
    """Head → the people in service on ``on`` who report to them directly: the reporting lines of a whole body,
    computed once (choosing every evaluatee's respondents is then linear in the size of the body)."""
    found: dict[str, list[str]] = defaultdict(list)
    for person in org.employees:
        if person.head is not None and person.in_service_on(on):
            found[person.head].append(person.id)
    return found


def choose_respondents(
    org: Organization,
    evaluatee: str,
    on: date,
    survey: Survey360,
    reports: Mapping[str, Sequence[str]] | None = None,
) -> RespondentChoice:
    """T-4: the respondents the system proposes for ``evaluatee`` on ``on`` (see the module docstring);
    ``reports`` is :func:`direct_reports` of the body when choosing for many evaluatees."""
    lines = direct_reports(org, on) if reports is None else reports
    head = org.head_of(evaluatee, on)
    heads = [Respondent(head, "head")] if head is not None and org.in_service(head, on) else []
    subordinates = [Respondent(p, "subordinate") for p in _b_corps(org, lines.get(evaluatee, ()))]
    colleagues = [p for p in lines.get(head, ()) if p != evaluatee] if head is not None else []
    peers = [Respondent(p, "peer") for p in _b_corps(org, colleagues)]
    alternated = [r for r in chain.from_iterable(zip_longest(subordinates, peers)) if r is not None]
    chosen = tuple([*heads, *alternated][: survey.max_respondents])
    if len(chosen) >= survey.min_respondents:
        return RespondentChoice(evaluatee, chosen, False, None)
    reason = Phrase(
        "only {available} possible respondents (direct head, subordinates, peers) for {evaluatee}; the 360 survey "
        "needs at least {min_respondents}: those available are invited and HR may add others (T-4)",
        available=len(chosen),
        evaluatee=evaluatee,
        min_respondents=survey.min_respondents,
    )
    return RespondentChoice(evaluatee, chosen, True, reason)


def _b_corps(org: Organization, people: Sequence[str]) -> list[str]:
    return sorted((p for p in people if org.employee(p).corps == Corps.B), key=natural_key)


def check_edited_respondents(
    evaluatee: str, respondents: Mapping[str, Relation], known_people: Sequence[str], survey: Survey360
) -> None:
    """T-4: HR's own list: known people, never the evaluatee, at most ``max_respondents`` (fewer than the minimum
    is allowed here and refused only when the report would be published, T-4)."""
    problems: list[str] = []
    unknown = sorted(set(respondents) - set(known_people), key=natural_key)
    if unknown:
        problems.append(Phrase("unknown people {people}", people=", ".join(unknown)))
    if evaluatee in respondents:
        problems.append(
            Phrase(
                "the evaluatee {evaluatee} answers only the self-assessment (T-5), not as a respondent",
                evaluatee=evaluatee,
            )
        )
    if len(respondents) > survey.max_respondents:
        problems.append(
            Phrase("{count} respondents; at most {maximum}", count=len(respondents), maximum=survey.max_respondents)
        )
    self_relations = sorted(p for p, relation in respondents.items() if relation == "self")
    if self_relations:
        problems.append(Phrase("{people} cannot be listed with the relation 'self'", people=", ".join(self_relations)))
    if problems:
        raise RuleViolation(
            rule="T-4",
            field="respondents",
            value=dict(respondents),
            allowed=f"up to {survey.max_respondents} people of the body other than the evaluatee",
            message=Phrase(
                "360 respondents of {evaluatee}: {problems} (T-4)", evaluatee=evaluatee, problems=Joined(problems)
            ),
        )


# --- T-6: the individual report from anonymous averages ----------------------------------------------------


def survey_result(
    respondents: int,
    averages: Mapping[str, Decimal | None],
    self_averages: Mapping[str, Decimal | None],
    form: SurveyForm,
    survey: Survey360,
) -> SurveyResult:
    """T-4…T-7: the individual report of one evaluatee from the number of respondents who answered (self
    excluded) and each competency's average over all their answers (and the self-assessment's, apart).

    The averages come from integer totals, in form order; competencies nobody answered are left out;
    ``publishable`` is false below the minimum number of respondents (T-4); ``weakest`` are the competencies
    sharing the lowest average (T-7: training topics).
    """
    ids = [item.id for item in form.competencies]
    others = {c: value for c in ids if (value := averages.get(c)) is not None}
    own = {c: value for c in ids if (value := self_averages.get(c)) is not None}
    lowest = min(others.values(), default=None)
    weakest = tuple(c for c, value in others.items() if value == lowest)
    if respondents >= survey.min_respondents:
        return SurveyResult(respondents, others, own or None, True, None, weakest)
    reason = Phrase(
        "only {respondents} respondents answered (self-assessment excluded); the 360 report needs at least "
        "{min_respondents} (T-4)",
        respondents=respondents,
        min_respondents=survey.min_respondents,
    )
    return SurveyResult(respondents, others, own or None, False, reason, weakest)
