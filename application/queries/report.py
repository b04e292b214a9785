"""The state of every evaluation, as frozen views: what the simulation report (and next the dashboard and API)
shows — evaluations with their calibration, annual results, deliveries and escalations, by personnel number.

Everything is read from the tables after the fact (deliveries from the outbox's proof, escalations to HR once per
HR member of the body that day), so a view says what the database says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from application.environment import Environment
from application.queries.surveys import SurveyReport, survey_reports
from domain.access import Principal
from domain.vocabulary import EvaluationStatus
from persistence import flowstate


@dataclass(frozen=True)
class CalibrationView:
    """A calibration case (C-2…C-7): its deadlines, panel and result."""

    applied_on: date
    decide_by: date | None
    hold_by: date | None
    members: tuple[str, ...]
    score: Decimal | None
    category: str | None
    protocol_post_by: date | None


@dataclass(frozen=True)
class EvaluationView:
    """One (employee, period, method) the cycle considered, eligible or not."""

    employee: str
    period: str
    method: str
    eligible: bool
    ineligible_reason: str | None
    in_absentia: bool
    evaluator: str | None
    notice_sent_on: date | None
    deadline: date | None
    submitted_on: date | None
    score: Decimal | None
    category: str | None
    acquainted_on: date | None
    calibration: CalibrationView | None
    status: str | None = None


NOT_COMPLETED = "not_completed"


def reported_status(row: Mapping[str, Any]) -> str:
    """v2 ``status``: the evaluation's status; an eligible evaluation closed without a result is ``not_completed``
    (M-10: its rulebook part expired before it finished)."""
    if row["status"] == EvaluationStatus.CLOSED.value and row["eligible"] and row["completed_on"] is None:
        return NOT_COMPLETED
    return str(row["status"])


@dataclass(frozen=True)
class AnnualView:
    """P-3: a person's annual final score."""

    employee: str
    year: int
    score: Decimal | None
    category: str | None


@dataclass(frozen=True)
class DeliveryView:
    """A message a channel accepted, once per recipient reached (``to``: a personnel number, or ``hr``)."""

    to: str
    kind: str
    channel: str
    date: date


@dataclass(frozen=True)
class EscalationView:
    """A missed step escalated: ``about`` whom, ``to`` whom."""

    about: str
    to: str
    kind: str
    date: date


@dataclass(frozen=True)
class StateView:
    """Everything the database holds about the cycles, by personnel number."""

    evaluations: tuple[EvaluationView, ...]
    annual: tuple[AnnualView, ...]
    surveys: tuple[SurveyReport, ...]
    deliveries: tuple[DeliveryView, ...]
    escalations: tuple[EscalationView, ...]


Numbers = Mapping[int, str]


def state(env: Environment) -> StateView:
    """The whole state, read in one transaction."""
    with env.unit_of_work(Principal.system_step("report")) as uow:
        session = uow.session
        numbers = personnel_numbers(session)
        return StateView(
            evaluations=tuple(evaluations(session, numbers)),
            annual=tuple(annual(session, numbers)),
            surveys=tuple(survey_reports(env, session, numbers)),
            deliveries=tuple(deliveries(env, session, numbers)),
            escalations=tuple(escalations(session, numbers)),
        )


def personnel_numbers(session: Session) -> dict[int, str]:
    """Person id → personnel number, every body."""
    found: dict[int, str] = {}
    for body_id in flowstate.body_ids(session):
        found.update({person_id: info.number for person_id, info in flowstate.people(session, body_id).items()})
    return found


def evaluations(session: Session, numbers: Numbers) -> list[EvaluationView]:
    cases = {row["evaluation_id"]: row for row in flowstate.case_rows(session)}
    members = flowstate.case_members(session)
    return [
        EvaluationView(
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
            calibration=_calibration(cases[row["id"]], members, numbers) if row["id"] in cases else None,
            status=reported_status(row),
        )
        for row in flowstate.evaluations(session)
    ]


def _calibration(case: Mapping[str, Any], members: Mapping[int, list[int]], numbers: Numbers) -> CalibrationView:
    return CalibrationView(
        applied_on=case["applied_on"],
        decide_by=case["decide_by"],
        hold_by=case["hold_by"],
        members=tuple(numbers[person] for person in members.get(case["id"], [])),
        score=case["final_score"],
        category=case["final_category"],
        protocol_post_by=case["protocol_post_by"],
    )


def annual(session: Session, numbers: Numbers) -> list[AnnualView]:
    return [
        AnnualView(employee=numbers[row["person_id"]], year=row["year"], score=row["score"], category=row["category"])
        for row in flowstate.annual_results(session)
    ]


def deliveries(env: Environment, session: Session, numbers: Numbers) -> list[DeliveryView]:
    """Every message a channel accepted, once per recipient reached (the outbox's proof of delivery)."""
    found = []
    clock = env.clock
    for row in flowstate.all_delivered(session):
        proof = row["proof"] or {}
        day = clock.local_date(proof["at"]) if proof.get("at") else clock.local_date(row["delivered_at"])
        for delivery in proof.get("deliveries") or [proof]:
            person = delivery.get("person_id")
            found.append(
                DeliveryView(
                    to=numbers.get(person, "hr") if person is not None else "hr",
                    kind=row["kind"],
                    channel=str(delivery.get("channel") or row["channel"] or "unknown"),
                    date=day,
                )
            )
    return found


def escalations(session: Session, numbers: Numbers) -> list[EscalationView]:
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
        found += [
            EscalationView(
                about=numbers[row["about_person_id"]], to=numbers[person], kind=row["kind"], date=row["escalated_on"]
            )
            for person in recipients
        ]
    return found
