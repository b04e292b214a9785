"""Individual work plans and KPIs: set them, record planned and actual values, keep every change (K-3)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from persistence.models import KpiMonitoringRow, KpiRevisionRow, KpiRow, KpiValueRow, WorkPlanRow
from persistence.records import Kpi, KpiValue
from persistence.repositories.base import Repository, plain


class PlanRepository(Repository):
    """Work plans (one per person and year) and their KPIs."""

    def record_monitoring(
        self, *, person_id: int, year: int, quarter: int, by_id: int, on: date, recommendations: str
    ) -> int | None:
        """M-3: the quarterly monitoring of a person's KPIs (audited); ``None`` if that quarter's is recorded."""
        values = {
            "person_id": person_id,
            "year": year,
            "quarter": quarter,
            "monitored_by_id": by_id,
            "monitored_on": on,
            "recommendations": recommendations,
        }
        new_id = self._insert_new(KpiMonitoringRow.__table__, values, ("person_id", "year", "quarter"))
        if new_id is not None:
            after = {"person_id": person_id, "period": f"{year}-Q{quarter}", "on": on.isoformat()}
            self._audit.record("kpi_monitoring", new_id, "monitor", after=after, reason="quarterly monitoring (M-3)")
        return new_id

    def ensure_plan(self, *, person_id: int, year: int) -> int:
        """The id of a person's work plan for a year, created if absent (race-safe)."""
        self._insert_new(WorkPlanRow.__table__, {"person_id": person_id, "year": year}, ("person_id", "year"))
        statement = sa.select(WorkPlanRow.id).filter_by(person_id=person_id, year=year)
        return int(self.session.execute(statement).scalar_one())

    def approve_plan(
        self, plan_id: int, *, approved_on: date, approved_by_id: int, placed_on: date | None = None
    ) -> None:
        """Record the plan's approval (K-1, M-2) and when HR placed it in the system (K-2); audited."""
        row = self._get(WorkPlanRow, plan_id, for_update=True)
        changes = {"approved_on": approved_on, "approved_by_id": approved_by_id, "placed_on": placed_on}
        self._update(row, changes, allowed=changes.keys(), entity_id=plan_id, reason=None, action="approve")

    def add_kpi(
        self,
        plan_id: int,
        *,
        code: str,
        name: str,
        unit: str,
        direction: str = "higher",
        planned: Mapping[str, Decimal] | None = None,
        source: str | None = None,
        position: int | None = None,
    ) -> int:
        """Add a KPI to a plan with its planned values by period (``Q1``…``Q4``, ``year``); returns its id."""
        if position is None:
            count = sa.select(sa.func.count()).select_from(KpiRow).where(KpiRow.plan_id == plan_id)
            position = int(self.session.execute(count).scalar_one())
        row = self._add(
            KpiRow(
                plan_id=plan_id, code=code, name=name, unit=unit, direction=direction, source=source, position=position
            )
        )
        for period, value in (planned or {}).items():
            self.session.add(KpiValueRow(kpi_id=row.id, period=period, planned=value))
        self.session.flush()
        return row.id

    def set_value(
        self,
        kpi_id: int,
        *,
        period: str,
        planned: Decimal | None = None,
        actual: Decimal | None = None,
        reason: str | None = None,
    ) -> None:
        """Set the planned and/or actual value of a KPI for a period; the change is kept as a revision (K-3, P-5).

        Only the values given (not ``None``) change.
        """
        statement = sa.select(KpiValueRow).filter_by(kpi_id=kpi_id, period=period).with_for_update()
        row = self.session.execute(statement).scalar_one_or_none()
        if row is None:
            row = self._add(KpiValueRow(kpi_id=kpi_id, period=period))
        changes = {name: value for name, value in (("planned", planned), ("actual", actual)) if value is not None}
        before = {name: getattr(row, name) for name in changes}
        changed = {name: value for name, value in changes.items() if before[name] != value}
        if not changed:
            return
        for name, value in changed.items():
            setattr(row, name, value)
        self._revise(
            kpi_id,
            before={"period": period, **{name: plain(before[name]) for name in changed}},
            after={"period": period, **{name: plain(value) for name, value in changed.items()}},
            reason=reason,
        )

    def change_kpi(self, kpi_id: int, *, reason: str, **changes: Any) -> None:
        """Change a KPI's name, unit, direction or source (K-3: only on a change of functions or structure)."""
        row = self._get(KpiRow, kpi_id, for_update=True)
        allowed = {"name", "unit", "direction", "source", "position"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"kpi cannot be updated through this method: {', '.join(sorted(unknown))}")
        changed = {name: value for name, value in changes.items() if getattr(row, name) != value}
        if not changed:
            return
        before = {name: plain(getattr(row, name)) for name in changed}
        for name, value in changed.items():
            setattr(row, name, value)
        self._revise(
            kpi_id, before=before, after={name: plain(value) for name, value in changed.items()}, reason=reason
        )

    def _revise(self, kpi_id: int, *, before: dict[str, Any], after: dict[str, Any], reason: str | None) -> None:
        actor = self._audit.actor
        self._add(KpiRevisionRow(kpi_id=kpi_id, changed_by=actor, reason=reason, before=before, after=after))

    def revisions(self, kpi_id: int) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, str | None]]:
        """The change history of a KPI, oldest first: (who, before, after, why)."""
        statement = sa.select(KpiRevisionRow).filter_by(kpi_id=kpi_id).order_by(KpiRevisionRow.id)
        return [
            (row.changed_by, row.before, row.after, row.reason) for row in self.session.execute(statement).scalars()
        ]

    def kpis(self, person_id: int, year: int) -> list[Kpi]:
        """A person's KPIs for a year, in sheet order, with their values by period (empty without a plan)."""
        plan = sa.select(WorkPlanRow.id).filter_by(person_id=person_id, year=year).scalar_subquery()
        rows = list(
            self.session.execute(
                sa.select(KpiRow).where(KpiRow.plan_id == plan).order_by(KpiRow.position, KpiRow.id)
            ).scalars()
        )
        values: dict[int, dict[str, KpiValue]] = defaultdict(dict)
        statement = sa.select(KpiValueRow).where(KpiValueRow.kpi_id.in_([row.id for row in rows]))
        for value in self.session.execute(statement).scalars():
            values[value.kpi_id][value.period] = KpiValue(value.period, value.planned, value.actual)
        return [
            Kpi(
                id=row.id,
                plan_id=row.plan_id,
                code=row.code,
                name=row.name,
                unit=row.unit,
                direction=row.direction,
                source=row.source,
                position=row.position,
                values=dict(values[row.id]),
            )
            for row in rows
        ]
