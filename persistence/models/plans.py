"""Individual work plans (жеке жұмыс жоспары) and their KPIs, with planned and actual values and change history.

KPIs may change only when the body's functions or structure change (K-3), so every change is kept as a
``kpi_revision`` (before, after, who, why) beside the current values.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from persistence.models.base import Instant, Json, Quantity, Table, now_utc, one_of, ref, text

KPI_DIRECTIONS = ("higher", "lower")
KPI_PERIODS = ("Q1", "Q2", "Q3", "Q4", "year")


class WorkPlanRow(Table, table=True):
    """A person's individual work plan for a year: the container of their KPIs (K-1, K-2, M-2)."""

    __tablename__ = "work_plan"
    __table_args__ = (sa.UniqueConstraint("person_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    year: int
    approved_on: date | None = None
    approved_by_id: int | None = ref("person.id", nullable=True)
    placed_on: date | None = Field(default=None, sa_column_kwargs={"comment": "HR placed it in the system (K-2)"})
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class KpiRow(Table, table=True):
    """A KPI (нысаналы мақсатты индикатор) of a plan; ``code`` is its id within the plan (``k1``)."""

    __tablename__ = "kpi"
    __table_args__ = (sa.UniqueConstraint("plan_id", "code"), one_of("direction", KPI_DIRECTIONS))

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = ref("work_plan.id", ondelete="CASCADE", index=False)
    code: str = Field(max_length=32)
    name: str = Field(sa_type=sa.Text)
    unit: str = Field(max_length=32, sa_column_kwargs={"comment": "'%', 'count', 'days' …"})
    direction: str = Field(
        default="higher", max_length=8, sa_column_kwargs={"comment": "higher or lower is better (K-6)"}
    )
    source: str | None = text(comment="planning document or A-corps agreement indicator (K-1)")
    position: int = Field(default=0, sa_column_kwargs={"comment": "order on the sheet"})


class KpiValueRow(Table, table=True):
    """Planned and actual value of a KPI for a quarter (``Q1``…``Q4``) or the ``year``."""

    __tablename__ = "kpi_value"
    __table_args__ = (sa.UniqueConstraint("kpi_id", "period"), one_of("period", KPI_PERIODS))

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = ref("kpi.id", ondelete="CASCADE", index=False)
    period: str = Field(max_length=4)
    planned: Decimal | None = Field(default=None, sa_type=Quantity)
    actual: Decimal | None = Field(default=None, sa_type=Quantity)


class KpiRevisionRow(Table, table=True):
    """One change of a KPI or of its values: before, after, who and why (K-3)."""

    __tablename__ = "kpi_revision"

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = ref("kpi.id", ondelete="CASCADE")
    changed_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
    changed_by: str = Field(max_length=200)
    reason: str | None = text()
    before: dict[str, Any] | None = Field(default=None, sa_type=Json)
    after: dict[str, Any] | None = Field(default=None, sa_type=Json)


class KpiMonitoringRow(Table, table=True):
    """M-3 (004 §16): the direct head's quarterly monitoring of a person's KPIs, with written recommendations."""

    __tablename__ = "kpi_monitoring"
    __table_args__ = (sa.UniqueConstraint("person_id", "year", "quarter"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False, comment="whose KPIs")
    year: int
    quarter: int
    monitored_by_id: int = ref("person.id", comment="the direct head (or the person acting for them, G-7)")
    monitored_on: date
    recommendations: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)
