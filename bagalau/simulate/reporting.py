"""Building the simulation :class:`~bagalau.simulate.report.Report` from the database, after the last day.

Nothing is taken from the simulation's memory but the rejections: evaluations, calibration cases, annual results,
360 reports, deliveries (the outbox's proof: every message a channel accepted, to whom, when) and escalations
(HR escalations listed once per HR member of the body) are read back as the frozen views of
``application.queries.report`` and turned into the contract's models here, so the report says what the database
says.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from application.environment import Environment
from application.queries import report as views
from application.queries.surveys import SurveyReport, survey_reports
from bagalau.simulate.report import (
    AnnualResult,
    CalibrationOutcome,
    Escalation,
    Evaluation,
    Notification,
    Rejection,
    Report,
    Survey360Result,
)


def build_report(env: Environment, rulebook_id: str, rejections: list[Rejection]) -> Report:
    """The report of everything the database holds, plus the rejected events."""
    state = views.state(env)
    return Report(
        rulebook=rulebook_id,
        evaluations=[evaluation(view) for view in state.evaluations],
        annual=[annual(view) for view in state.annual],
        survey_360=[survey_360(view) for view in state.surveys],
        notifications=[notification(view) for view in state.deliveries],
        escalations=[escalation(view) for view in state.escalations],
        rejections=rejections,
    )


def evaluation(view: views.EvaluationView) -> Evaluation:
    case = view.calibration
    return Evaluation(
        employee=view.employee,
        period=view.period,
        method=view.method,  # validated into Method by the model
        eligible=view.eligible,
        ineligible_reason=view.ineligible_reason,
        in_absentia=view.in_absentia,
        evaluator=view.evaluator,
        notice_sent_on=view.notice_sent_on,
        deadline=view.deadline,
        submitted_on=view.submitted_on,
        score=view.score,
        category=view.category,
        acquainted_on=view.acquainted_on,
        status=view.status,
        calibration=None
        if case is None
        else CalibrationOutcome(
            applied_on=case.applied_on,
            decide_by=case.decide_by,
            hold_by=case.hold_by,
            members=list(case.members) or None,
            score=case.score,
            category=case.category,
            protocol_post_by=case.protocol_post_by,
        ),
    )


def annual(view: views.AnnualView) -> AnnualResult:
    return AnnualResult(employee=view.employee, year=view.year, score=view.score, category=view.category)


def survey_360(report: SurveyReport) -> Survey360Result:
    """T-6: the averages and the self-assessment apart (T-5); a report below the minimum shows the count (T-4)."""
    return Survey360Result(
        employee=report.employee,
        year=report.year,
        respondents=report.respondents,
        averages=dict(report.averages),
        self_assessment=None if report.self_assessment is None else dict(report.self_assessment),
    )


def notification(view: views.DeliveryView) -> Notification:
    return Notification(to=view.to, kind=view.kind, channel=view.channel, date=view.date)


def escalation(view: views.EscalationView) -> Escalation:
    return Escalation(about=view.about, to=view.to, kind=view.kind, date=view.date)


def survey_section(env: Environment, session: Session, numbers: Mapping[int, str]) -> list[Survey360Result]:
    """The report's ``survey_360`` section (T-6) read inside ``session``'s transaction: one entry per survey of
    every body, self apart (T-5); a report below the minimum of respondents shows the count only (T-4)."""
    return [survey_360(report) for report in survey_reports(env, session, numbers)]
