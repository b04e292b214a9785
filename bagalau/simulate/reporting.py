"""Building the simulation :class:`~bagalau.simulate.report.Report` from the database, after the last day.

Nothing is taken from the simulation's memory but the rejections: evaluations, calibration cases, annual results
(audit rows of P-3), deliveries (the outbox's proof: every message a channel accepted, to whom, when) and
escalations (HR escalations listed once per HR member of the body) are all read back from the tables, so the
report says what the database says.

Sections other rooms fill (``survey_360``) register a builder in ``SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bagalau.simulate.report import (
    AnnualResult,
    CalibrationOutcome,
    Escalation,
    Evaluation,
    Notification,
    Rejection,
    Report,
)
from flows import runtime
from persistence import flowstate
from persistence.uow import UnitOfWork

Numbers = Mapping[int, str]
Section = Callable[[Session, Numbers], list[Any]]

SECTIONS: dict[str, Section] = {}
"""Report field → builder of its entries (``survey_360`` is filled by the 360 room)."""


def build_report(engine: sa.Engine, rulebook_id: str, rejections: list[Rejection]) -> Report:
    """The report of everything the database holds, plus the rejected events."""
    with UnitOfWork(engine, actor="simulation:report") as uow:
        session = uow.session
        numbers = _numbers(session)
        extra = {name: build(session, numbers) for name, build in SECTIONS.items()}
        return Report(
            rulebook=rulebook_id,
            evaluations=evaluations(session, numbers),
            annual=annual(session, numbers),
            notifications=notifications(session, numbers),
            escalations=escalations(session, numbers),
            rejections=rejections,
            **extra,
        )


def _numbers(session: Session) -> dict[int, str]:
    found: dict[int, str] = {}
    for body_id in flowstate.body_ids(session):
        found.update({person_id: info.number for person_id, info in flowstate.people(session, body_id).items()})
    return found


def evaluations(session: Session, numbers: Numbers) -> list[Evaluation]:
    cases = {row["evaluation_id"]: row for row in flowstate.case_rows(session)}
    members = flowstate.case_members(session)
    found = []
    for row in flowstate.evaluations(session):
        case = cases.get(row["id"])
        found.append(
            Evaluation(
                employee=numbers[row["person_id"]],
                period=row["period_label"],
                method=row["method"],
                eligible=row["eligible"],
                ineligible_reason=row["ineligible_reason"],
                in_absentia=row["in_absentia"],
                evaluator=numbers.get(row["evaluator_id"]) if row["evaluator_id"] else None,
                notice_sent_on=row["notice_sent_on"],
                deadline=row["deadline"],
                submitted_on=row["submitted_on"],
                score=row["score"],
                category=row["category"],
                acquainted_on=row["acquainted_on"],
                calibration=None if case is None else _calibration(case, members.get(case["id"], []), numbers),
            )
        )
    return found


def _calibration(case: Mapping[str, Any], members: list[int], numbers: Numbers) -> CalibrationOutcome:
    return CalibrationOutcome(
        applied_on=case["applied_on"],
        decide_by=case["decide_by"],
        hold_by=case["hold_by"],
        members=[numbers[person] for person in members] or None,
        score=case["final_score"],
        category=case["final_category"],
        protocol_post_by=case["protocol_post_by"],
    )


def annual(session: Session, numbers: Numbers) -> list[AnnualResult]:
    return [
        AnnualResult(
            employee=numbers[row["person_id"]],
            year=row["year"],
            score=row["score"],
            category=row["category"],
        )
        for row in flowstate.annual_results(session)
    ]


def notifications(session: Session, numbers: Numbers) -> list[Notification]:
    """Every message a channel accepted, once per recipient reached (the outbox's proof of delivery)."""
    found = []
    for row in flowstate.all_delivered(session):
        proof = row["proof"] or {}
        day = runtime.local_date(proof["at"]) if proof.get("at") else runtime.local_date(row["delivered_at"])
        for delivery in proof.get("deliveries") or [proof]:
            person = delivery.get("person_id")
            found.append(
                Notification(
                    to=numbers.get(person, "hr") if person is not None else "hr",
                    kind=row["kind"],
                    channel=str(delivery.get("channel") or row["channel"] or "unknown"),
                    date=day,
                )
            )
    return found


def escalations(session: Session, numbers: Numbers) -> list[Escalation]:
    """Each escalation to a person; one to HR is listed for every HR member of the body that day."""
    bodies = {row["id"]: row["body_id"] for row in flowstate.evaluations(session)}
    hr_cache: dict[tuple[int, date], list[int]] = {}
    found = []
    for row in flowstate.escalation_rows(session):
        if row["to_person_id"] is not None:
            recipients = [row["to_person_id"]]
        else:
            key = (bodies[row["evaluation_id"]], row["escalated_on"])
            if key not in hr_cache:
                hr_cache[key] = flowstate.role_holders(session, key[0], row["to_role"] or "hr", key[1])
            recipients = hr_cache[key]
        for person in recipients:
            found.append(
                Escalation(
                    about=numbers[row["about_person_id"]],
                    to=numbers[person],
                    kind=row["kind"],
                    date=row["escalated_on"],
                )
            )
    return found
