"""M-3 (004 §16): the direct head monitors the KPIs of the individual work plan every quarter and gives written
recommendations — a recorded step, checked here.

Pure: the facts of the day in, a refusal naming M-3 (or nothing) out. The monitoring of a quarter is recorded once
the quarter is over, by the direct head of that day (or the person acting for them, G-7), with the written
recommendations, for a year whose plan has KPIs and whose rulebook monitors them (a method citing M-3).
"""

from __future__ import annotations

from datetime import date

from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.vocabulary import PeriodKind

RULE = "M-3"


def check_kpi_monitoring(
    *,
    employee: str,
    by: str,
    head: str | None,
    year: int,
    quarter: int,
    on: date,
    recommendations: str,
    kpis: int,
) -> Period:
    """M-3: accept the monitoring of ``employee``'s KPIs for ``quarter`` of ``year`` recorded on ``on`` by ``by``
    (``head``: the direct head, or whoever holds that seat on the day), or raise :class:`RuleViolation`.

    Refused: a quarter that is not 1–4 or not over yet, anyone but the direct head, no written recommendations,
    a plan without KPIs. Returns the quarter monitored.
    """
    if quarter not in (1, 2, 3, 4):
        message = Phrase("quarter {quarter} is not a quarter of the year", quarter=quarter)
        raise RuleViolation(rule=RULE, field="quarter", value=quarter, allowed=[1, 2, 3, 4], message=message)
    period = Period(PeriodKind.QUARTER, year, quarter)
    if on <= period.end:
        message = Phrase(
            "the KPIs of {period_label} are monitored once the quarter is over (after {end})",
            period_label=period.label,
            end=period.end,
        )
        raise RuleViolation(rule=RULE, field="date", value=on, allowed=f"after {period.end}", message=message)
    if by != head:
        message = Phrase(
            "'{by}' is not the direct head of '{employee}'; the direct head ({head}) monitors",
            by=by,
            employee=employee,
            head=head or "nobody",
        )
        raise RuleViolation(rule=RULE, field="by", value=by, allowed=head, message=message)
    if not recommendations.strip():
        message = Phrase("the monitoring gives written recommendations")
        raise RuleViolation(rule=RULE, field="recommendations", value="", allowed="a text", message=message)
    if kpis == 0:
        message = Phrase("'{employee}' has no KPIs for {year} to monitor", employee=employee, year=year)
        raise RuleViolation(rule=RULE, field="employee", value=employee, allowed="a plan with KPIs", message=message)
    return period
