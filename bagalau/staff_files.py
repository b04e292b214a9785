"""Staff files as the ``bagalau`` entrance reads them: CSV and XLSX (``persistence.importers``), and the third
format, the ``organization`` section of a scenario file (SCENARIOS.md), alone or in a scenario.

The section is validated by the simulator's own model (``bagalau.simulate.scenario.Organization``), so a file that
``bagalau simulate`` accepts is imported the same way and one it refuses is refused with the same paths. Besides
what a CSV row carries, a scenario names absences, sanctions and the Commission; they are imported too. Other
sections of a scenario (rulebook, cycles, events …) are not staff and are ignored, with a warning.

:func:`read_staff_file` and :func:`import_staff` are the importer's own, with this reader of YAML files plugged in
(``persistence`` does not know the simulator's model).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from bagalau.simulate.scenario import Organization, ScenarioError, parse_yaml
from domain.vocabulary import AbsenceKind, Corps, Role, SanctionKind
from persistence.importers import columns, staff
from persistence.importers.columns import CellError
from persistence.importers.spec import (
    FILE,
    AbsenceSpec,
    CommissionSpec,
    ContactSpec,
    PersonSpec,
    Problem,
    SanctionSpec,
    StaffFile,
    UnitSpec,
    UrlPolicy,
    Where,
    YamlStaff,
)
from persistence.importers.staff import ImportReport
from persistence.importers.tabular import summarize
from persistence.secrets import SecretBox

SECTION = "organization"
MANAGED_ROLES = frozenset({Role.APPOINTING_OFFICIAL, Role.HR})
"""The roles a scenario can name; ``hr_head`` given by a CSV import or by hand is left alone."""


DEFAULT_URLS = UrlPolicy()
MAX_URL = 2000
"""Characters of a contact's apprise URL (``contact_channel.apprise_url`` holds it sealed)."""


def read_yaml(text: str, source: str, urls: UrlPolicy = DEFAULT_URLS) -> YamlStaff:
    """Units, people and the Commission of the file's ``organization`` section, or the problems found in it."""
    result = YamlStaff()
    try:
        data, lines = parse_yaml(text, source)
    except ScenarioError as exc:
        result.problems = [_problem(problem.path, problem.message, problem.line) for problem in exc.problems]
        return result
    if not isinstance(data, Mapping) or SECTION not in data:
        message = "a YAML staff file is a scenario, or a mapping with just `organization:` (SCENARIOS.md)"
        result.problems.append(Problem(FILE, None, None, message))
        return result
    ignored = [str(key) for key in data if key != SECTION]
    if ignored:
        result.warnings.append(Problem(FILE, None, None, f"only {SECTION} is imported; ignored: {', '.join(ignored)}"))
    try:
        org = Organization.model_validate(data[SECTION])
    except ValidationError as exc:
        result.problems = [_from_pydantic(error, lines) for error in exc.errors()]
        return result
    result.body_name = org.name
    result.role_order = {Role.APPOINTING_OFFICIAL.value: [org.appointing_official], Role.HR.value: list(org.hr)}
    for index, unit in enumerate(org.units):
        where = _where(f"{SECTION}.units[{index}]", lines)
        result.units[unit.id] = UnitSpec(unit.id, unit.name, unit.parent, True, where)
    no_post: list[Where] = []
    for index, employee in enumerate(org.employees):
        where = _where(f"{SECTION}.employees[{index}]", lines)
        contacts = _contacts(employee.contacts, where, result.problems, result.warnings, urls)
        roles = {Role.APPOINTING_OFFICIAL} if employee.id == org.appointing_official else set()
        if employee.id in org.hr:
            roles.add(Role.HR)
        if employee.corps != Corps.B and employee.unit is not None and employee.category is None:
            no_post.append(where)
        result.people.append(
            PersonSpec(
                where=where,
                personnel_number=employee.id,
                full_name=employee.name,
                corps=Corps(employee.corps),
                unit=employee.unit,
                category=employee.category,
                head=employee.head,
                head_given=True,
                appointed=employee.appointed,
                dismissed=employee.dismissed,
                probation_until=employee.probation_until,
                public_service=employee.public_service,
                contacts=contacts,
                roles=frozenset(roles),
                managed_roles=MANAGED_ROLES,
                absences=tuple(AbsenceSpec(AbsenceKind(a.kind), a.from_, a.to) for a in employee.absences),
                sanctions=tuple(SanctionSpec(SanctionKind(s.kind), s.date) for s in employee.sanctions),
            )
        )
    if no_post:
        message = "no category for a person outside the B corps: no post recorded (the unit is not kept)"
        result.warnings.append(summarize(no_post, message))
    if org.commission is not None:
        commission = org.commission
        where = _where(f"{SECTION}.commission", lines)
        result.commission = CommissionSpec(commission.chair, commission.secretary, tuple(commission.members), where)
        if commission.secretary in commission.members:
            message = f"the secretary {commission.secretary} is also listed as a member: the secretary does not vote"
            result.warnings.append(Problem(where, "secretary", commission.secretary, message + " (M-7)"))
    return result


_CONTACT_READERS = {"email": columns.email, "sms": columns.phone, "telegram": columns.telegram}


def _contacts(
    contacts: Mapping[str, str], where: Where, problems: list[Problem], warnings: list[Problem], urls: UrlPolicy
) -> tuple[ContactSpec, ...]:
    """Contacts in the order written (the first is tried first); an apprise URL is kept as the channel's URL.

    A URL no channel can use (apprise refuses it) is left out with a warning naming the person and the channel:
    never kept silently, never a reason to refuse the other rows. The address shown is the URL without secrets.
    """
    found = []
    for index, (kind, value) in enumerate(contacts.items(), start=1):
        if "://" in value:
            if len(value) > MAX_URL:
                problems.append(Problem(where, f"contacts.{kind}", None, f"longer than {MAX_URL} characters"))
                continue
            problem = urls.problem(value)
            if problem is not None:
                warnings.append(Problem(where, f"contacts.{kind}", urls.shown(value), f"{problem}: not imported"))
                continue
            shown = urls.shown(value)[:500]
            found.append(ContactSpec(kind=kind, address=shown, apprise_url=value, priority=index * 10))
            continue
        reader = _CONTACT_READERS.get(kind)
        try:
            address = reader(value) if reader else columns.text(value)
        except CellError as exc:
            problems.append(Problem(where, f"contacts.{kind}", value, str(exc)))
            continue
        if address is not None:
            found.append(ContactSpec(kind=kind, address=address, priority=index * 10))
    return tuple(found)


def _where(path: str, lines: Mapping[str, int]) -> Where:
    return Where(path=path, line=_line(path, lines))


def _line(path: str, lines: Mapping[str, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[: max(path.rfind("."), path.rfind("["), 0)]
    return None


def _problem(path: str, message: str, line: int | None) -> Problem:
    return Problem(Where(path=path or None, line=line), None, None, message)


def _from_pydantic(error: Mapping[str, Any], lines: Mapping[str, int]) -> Problem:
    """A pydantic error of the organization model as a problem at its YAML path."""
    loc = tuple(part for part in error["loc"] if part != "[key]")
    path = SECTION
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    value = error.get("input")
    shown = None if isinstance(value, dict | list) or value is None else str(value)
    kind = error.get("type")
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        message = "unknown key"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
    *parents, last = path.replace("[", ".[").split(".")
    column = None if last.startswith("[") else last
    where_path = ".".join(parents).replace(".[", "[") if column else path
    return Problem(Where(path=where_path, line=_line(path, lines)), column, shown, message)


def read_staff_file(
    path: str | Path, data: bytes | None = None, *, strict: bool = True, urls: UrlPolicy | None = None
) -> StaffFile:
    """``persistence.importers.read_staff_file`` that also reads a scenario's organization (YAML)."""
    return staff.read_staff_file(path, data, strict=strict, read_yaml=read_yaml, urls=urls)


def import_staff(
    engine: sa.Engine,
    source: StaffFile | str | Path,
    *,
    actor: str,
    as_of: date,
    body: str | None = None,
    body_name: str | None = None,
    dry_run: bool = False,
    secrets: SecretBox | None = None,
) -> ImportReport:
    """``persistence.importers.import_staff`` that also reads a scenario's organization (YAML)."""
    return staff.import_staff(
        engine,
        source,
        actor=actor,
        as_of=as_of,
        body=body,
        body_name=body_name,
        dry_run=dry_run,
        read_yaml=read_yaml,
        secrets=secrets,
    )
