"""M-3 (004 §16): the direct head records the quarterly monitoring of a person's KPIs with written
recommendations — for the years whose rulebook monitors KPIs (a method citing M-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.monitoring import RULE, check_kpi_monitoring
from domain.periods import Period
from domain.routing import seat_holder
from domain.vocabulary import PeriodKind


@dataclass(frozen=True)
class Monitored:
    monitoring_id: int
    period: str


def record_kpi_monitoring(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    employee: str,
    quarter: int,
    recommendations: str,
    year: int | None = None,
) -> Monitored:
    """The direct head (``principal``; or whoever acts for them, G-7) records the monitoring of ``employee``'s KPIs
    for ``quarter`` (of ``year``, default the year of ``as_of``, or the last one in its first quarter) with written
    recommendations (M-3). Refused naming M-3: a rulebook without KPI monitoring, a quarter not over, anyone but
    the direct head, no recommendations, no KPIs, a quarter already recorded."""
    year = year or (as_of.year - 1 if quarter == 4 and as_of.month <= 3 else as_of.year)
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        person_id = ctx.person_id(employee)
        book = ctx.rulebook_for(Period(PeriodKind.YEAR, year, None).end, fallback=as_of)
        if not any(RULE in spec.rules for spec in book.methods):
            raise Rejected.by_rule(
                RULE, Phrase("rulebook {book_id} has no quarterly monitoring of KPIs", book_id=book.id)
            )
        head = ctx.org.head_of(employee, as_of) if employee in ctx.org.employees_by_id else None
        seat = seat_holder(head, ctx.org, as_of) if head is not None else None
        by = principal.person or principal.actor
        try:
            period = check_kpi_monitoring(
                employee=employee,
                by=by,
                head=seat,
                year=year,
                quarter=quarter,
                on=as_of,
                recommendations=recommendations,
                kpis=len(uow.plans.kpis(person_id, year)),
            )
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        made = uow.plans.record_monitoring(
            person_id=person_id,
            year=year,
            quarter=quarter,
            by_id=ctx.acting_person(principal),
            on=as_of,
            recommendations=recommendations,
        )
        if made is None:
            raise Rejected.by_rule(
                RULE,
                Phrase(
                    "the monitoring of {employee}'s KPIs for {period_label} is recorded already",
                    employee=employee,
                    period_label=period.label,
                ),
            )
        return Monitored(made, period.label)
