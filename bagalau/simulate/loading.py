"""Loading a scenario into an empty database through the repositories: the body, its people and their facts,
the rulebook (stored in the database when it comes from a file, so that every process finds it) and its
assignment, calendar overrides, KPIs, and the cycles HR asks for (each an evaluation period that the daily sweep
opens on its own date; its schedule approved by the appointing official on the scenario's first day when the
rulebook asks for approval, G-4).

Every write goes through a unit of work acting as ``simulation:load``, so the load is audited like any import.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.environment import Environment
from bagalau.simulate.scenario import Employee, Organization, Scenario
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.vocabulary import AbsenceKind, Corps, PeriodKind, Role, SanctionKind
from notifications.channels import mask
from persistence.secrets import SecretBox
from persistence.uow import UnitOfWork

BODY_CODE = "scenario"
SINCE_EVER = date(1900, 1, 1)
"""The start of an appointment or reporting line the scenario gives no date for ("before anything looked at")."""


def load(env: Environment, scenario: Scenario, book: Rulebook, *, secrets: SecretBox | None = None) -> int:
    """Write the scenario's world into the environment's database; returns the body's id.

    A contact given as an apprise URL is stored sealed with ``secrets`` (``persistence.secrets``), its address
    being the URL with its secrets masked.
    """
    with UnitOfWork(env.engine, actor="simulation:load") as uow:
        if env.rulebooks.bundled().get(book.id) is not book:  # a file's rulebook: every process must find it
            env.rulebooks.store(uow.rules, book)
        body_id = uow.org.add_body(code=BODY_CODE, name=scenario.organization.name).id
        units = _units(uow, body_id, scenario.organization)
        people = {
            person.id: uow.org.add_person(
                body_id=body_id, personnel_number=person.id, full_name=person.name, corps=Corps(person.corps)
            ).id
            for person in scenario.organization.employees
        }
        for person in scenario.organization.employees:
            _person_facts(uow, person, people, units, secrets)
        _roles(uow, body_id, scenario.organization, people)
        uow.rules.assign_rulebook(body_id=body_id, rulebook_id=book.id, valid_from=_assignment_start(scenario))
        for day in scenario.calendar.days_off:
            uow.rules.set_calendar_day(day, kind="day_off", legal_basis="scenario calendar")
        for day in scenario.calendar.working_days:
            uow.rules.set_calendar_day(day, kind="working_day", legal_basis="scenario calendar")
        _kpis(uow, scenario, people)
        for cycle in scenario.cycles:
            period = uow.periods.open(
                body_id=body_id, kind=PeriodKind(cycle.kind), year=cycle.year, quarter=cycle.quarter
            )
            if book.schedule.approval_required:  # G-4: the appointing official approved the schedule beforehand
                uow.periods.approve_schedule(
                    period.id,
                    day=scenario.start,
                    by_id=people[scenario.organization.appointing_official],
                    reason=f"the scenario's schedule of {period.label} ({book.schedule.rule})",
                )
        uow.commit()
        return body_id


def _assignment_start(scenario: Scenario) -> date:
    """From the start of the simulation, or of the earliest cycle it asks for if that is earlier (G-3)."""
    starts = [Period(PeriodKind(cycle.kind), cycle.year, cycle.quarter).start for cycle in scenario.cycles]
    return min([scenario.start, *starts])


def _units(uow: UnitOfWork, body_id: int, org: Organization) -> dict[str, int]:
    ids: dict[str, int] = {}
    pending = list(org.units)
    while pending:
        ready = [unit for unit in pending if unit.parent is None or unit.parent in ids]
        if not ready:  # the scenario model refuses cycles; this only guards the loop
            raise ValueError("unit parents form a cycle")
        for unit in ready:
            parent = ids[unit.parent] if unit.parent else None
            ids[unit.id] = uow.org.add_unit(body_id=body_id, code=unit.id, name=unit.name, parent_id=parent).id
            pending.remove(unit)
    return ids


def _person_facts(
    uow: UnitOfWork, person: Employee, people: dict[str, int], units: dict[str, int], secrets: SecretBox | None
) -> None:
    person_id = people[person.id]
    if person.unit is not None and person.category is not None:
        uow.org.appoint(
            person_id=person_id,
            unit_id=units[person.unit],
            category=person.category,
            started_on=person.appointed or SINCE_EVER,
            public_service=person.public_service,
        )
    if person.head is not None:
        uow.org.set_head(person_id=person_id, head_id=people[person.head], started_on=SINCE_EVER)
    for absence in person.absences:
        uow.org.add_absence(
            person_id=person_id, kind=AbsenceKind(absence.kind), started_on=absence.from_, ended_on=absence.to
        )
    for sanction in person.sanctions:
        uow.org.add_sanction(person_id=person_id, kind=SanctionKind(sanction.kind), imposed_on=sanction.date)
    if person.probation_until is not None:
        uow.org.add_probation(person_id=person_id, ends_on=person.probation_until, started_on=person.appointed)
    for kind, value in person.contacts.items():
        if "://" in value:
            url = secrets.seal(value) if secrets else value
            uow.org.add_contact(person_id=person_id, kind=kind, address=mask(value)[:500], apprise_url=url)
        else:
            uow.org.add_contact(person_id=person_id, kind=kind, address=value)
    if person.dismissed is not None:
        uow.org.dismiss(person_id=person_id, dismissed_on=person.dismissed, reason="scenario")


def _roles(uow: UnitOfWork, body_id: int, org: Organization, people: dict[str, int]) -> None:
    uow.org.add_role(body_id=body_id, person_id=people[org.appointing_official], role=Role.APPOINTING_OFFICIAL)
    for number in org.hr:
        uow.org.add_role(body_id=body_id, person_id=people[number], role=Role.HR)
    if org.commission is not None:
        commission = org.commission
        # M-7: the secretary does not vote, even when the file also lists them among the members.
        named = dict.fromkeys([commission.chair, *commission.members])
        voting = [number for number in named if number != commission.secretary or number == commission.chair]
        for number in voting:
            uow.org.add_commission_member(
                body_id=body_id, person_id=people[number], is_chair=number == commission.chair
            )
        if commission.secretary not in voting:
            uow.org.add_commission_member(body_id=body_id, person_id=people[commission.secretary], is_secretary=True)


def _kpis(uow: UnitOfWork, scenario: Scenario, people: dict[str, int]) -> None:
    """Each KPI in the work plan of every year the scenario touches (plans are yearly; values by quarter, K-1)."""
    years = sorted({cycle.year for cycle in scenario.cycles} | {scenario.start.year})
    for year in years:
        for position, kpi in enumerate(scenario.kpis):
            plan_id = uow.plans.ensure_plan(person_id=people[kpi.employee], year=year)
            planned = {str(period): Decimal(value) for period, value in kpi.plan.items()}
            kpi_id = uow.plans.add_kpi(
                plan_id,
                code=kpi.id,
                name=kpi.name,
                unit=kpi.unit or "",
                direction=kpi.direction,
                planned=planned,
                position=position,
            )
            for period, value in kpi.actual.items():
                uow.plans.set_value(kpi_id, period=period, actual=Decimal(value), reason="scenario actuals (P-5)")
