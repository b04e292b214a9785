"""Setting a body up from HR's dashboard (issue 14): the staff upload (the importer's report first, the import
second), the working-day calendar's overrides (P-7), the rulebooks the body follows (G-3) and the evaluation
schedule of a period with the appointing official's approval (G-4).

The same actions as ``bagalau org import``, ``bagalau body assign-rulebook`` and ``bagalau schedule``
(``application.actions``). Only the HR service, its head and admins of the body reach the pages (G-6); the schedule
is also the appointing official's, who alone approves it. Anyone else is answered 404 and the refusal recorded (R-2).
A refusal re-shows the page with the reason naming the field and the rule (422); nothing is written.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as FastApiPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.actions import body_edit, setup, staff_upload
from application.actions import schedule as schedules
from application.actions.survey import edit_respondents
from application.environment import Environment
from application.errors import Rejected
from application.queries import body_setup
from domain.access import Principal
from domain.calendar import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR
from domain.errors import Phrase
from domain.vocabulary import Role
from web.deps import PRINTABLE, CurrentPrincipal, EnvDep, PagesDep, current_login, refuse
from web.i18n import N_
from web.routes.hr import REFUSED, HrPrincipal

pages = APIRouter(prefix="/hr", include_in_schema=False)

SCHEDULE_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.ADMIN, Role.APPOINTING_OFFICIAL})
MAX_UPLOAD = 10 * 1024 * 1024
"""The largest staff file the page takes (the importer's own limit is the same order)."""
TOKEN = re.compile(r"^[0-9a-f]{64}$")

KIND_NAMES = {"day_off": N_("Day off"), "working_day": N_("Working day")}
MOVED_NAMES = {
    "notice_by": N_("Notice"),
    "deadline": N_("Sheet deadline"),
    "kpi_actuals_by": N_("KPI actuals"),
    "reminders": N_("Reminders"),
    "acquaint_by": N_("Acquaintance (C-1, M-8)"),
    "disagreement_until": N_("Disagreement window (C-2)"),
    "decide_by": N_("Calibration decision (C-3)"),
    "hold_by": N_("Calibration session (C-4)"),
    "protocol_post_by": N_("Protocol placed (C-7)"),
    "closes_on": N_("360 survey closes (T-1)"),
}
MOVES_SHOWN = 500
"""Moved dates listed on /hr/calendar; a national day off may move a deadline of every open sheet (P-7), so the rest
are counted (the audit log keeps each one, action ``calendar_move``)."""
CHANGE_NAMES = {
    "body_renamed": N_("Body renamed"),
    "units_added": N_("Units added"),
    "units_updated": N_("Units updated"),
    "people_added": N_("People added"),
    "people_updated": N_("People updated"),
    "posts_added": N_("Posts added"),
    "moves": N_("Moves"),
    "posts_corrected": N_("Posts corrected"),
    "appointment_dates_corrected": N_("Appointment dates corrected"),
    "heads_set": N_("Heads set"),
    "heads_changed": N_("Heads changed"),
    "heads_removed": N_("Heads removed"),
    "dismissals": N_("Dismissals"),
    "dismissal_dates_corrected": N_("Dismissal dates corrected"),
    "probations_added": N_("Probations added"),
    "probations_corrected": N_("Probations corrected"),
    "contacts_added": N_("Contacts added"),
    "contacts_replaced": N_("Contacts replaced"),
    "roles_granted": N_("Roles granted"),
    "roles_ended": N_("Roles ended"),
    "absences_added": N_("Absences added"),
    "sanctions_added": N_("Sanctions added"),
    "commission_seats_added": N_("Commission seats added"),
    "commission_seats_ended": N_("Commission seats ended"),
}
#: The form field a refusal names, for the command line's names of the same things.
FIELDS = {
    "commission.members": "members",
    "--from": "valid_from",
    "--until": "valid_until",
    "RULEBOOK": "rulebook",
    "--by": "by",
    "BODY": "body",
}


def field_of(error: Rejected | None) -> str | None:
    """The form field a refusal is about (``data-field`` on the page), or ``None``."""
    name = getattr(error, "field", None)
    return None if name is None else FIELDS.get(name, name)


def schedule_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """HR, its head, admins and the appointing official of a body (G-4, G-6); anyone else: 404, recorded (R-2)."""
    if not principal.roles & SCHEDULE_ROLES or principal.body is None:
        raise refuse(request, principal, resource=f"hr:{request.url.path}")
    return principal


SchedulePrincipal = Annotated[Principal, Depends(schedule_principal)]


def _today(request: Request) -> date:
    """Today as the web app's clock says (the one its sessions run on)."""
    today: date = request.app.state.clock.today()
    return today


def _day(value: str, field: str) -> date:
    """An ISO date from a form field, within the calendar's years; a refusal naming the field otherwise."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise setup.SetupRefused(
            Phrase("{field}: {value!r} is not a date (YYYY-MM-DD)", field=field, value=value[:20]),
            rule=None,
            field=field,
            allowed="YYYY-MM-DD",
        ) from None
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        years = f"{FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}"
        raise setup.SetupRefused(
            Phrase("{field}: {day} is outside {years}", field=field, day=day, years=years), rule=None, field=field
        )
    return day


# --- staff upload ---------------------------------------------------------------------------------------------------


def _uploads(env: Environment, body: str) -> FilePath:
    """Where a previewed file waits for "apply" (by its SHA-256, per body): the system's temporary directory,
    readable by this user only; applying deletes it."""
    folder = FilePath(tempfile.gettempdir()) / "bagalau-uploads" / hashlib.sha256(body.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _staff(
    request: Request, env: Environment, pages_: PagesDep, *, status_code: int = 200, **context: object
) -> Response:
    values: dict[str, Any] = {"result": None, "token": None, "name": "", "as_of": _today(request), "error": None}
    values.update(context)
    values["field"] = field_of(values["error"])
    return pages_.render(request, "hr_staff.html", status_code=status_code, change_names=CHANGE_NAMES, **values)


@pages.get("/staff")
def staff_page(request: Request, env: EnvDep, pages_: PagesDep, principal: HrPrincipal) -> Response:
    """The staff upload form: a CSV or XLSX file in the importer's columns, and the day undated changes take effect."""
    return _staff(request, env, pages_)


@pages.post("/staff/preview")
async def staff_preview(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    file: Annotated[UploadFile, File()],
    as_of: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The importer's report of the file (dry run): what would change, or every bad row; nothing is written."""
    data = await file.read(MAX_UPLOAD + 1)
    name = (file.filename or "staff.csv")[:200]
    try:
        day = _day(as_of, "as_of") if as_of else _today(request)
        if len(data) > MAX_UPLOAD:
            raise Rejected(Phrase("file: larger than {megabytes} MB", megabytes=MAX_UPLOAD // (1024 * 1024)))
        result = await run_in_threadpool(staff_upload.preview, env, principal, name, data, day)
    except Rejected as exc:
        return _staff(request, env, pages_, status_code=422, error=exc)
    token = None
    if result.ok:
        token = hashlib.sha256(data).hexdigest()
        assert principal.body is not None
        (_uploads(env, principal.body) / token).write_bytes(data)
    status = 200 if result.ok else 422
    return await run_in_threadpool(
        _staff, request, env, pages_, status_code=status, result=result, token=token, name=name, as_of=day
    )


@pages.post("/staff/apply")
def staff_apply(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    token: Annotated[str, Form(max_length=64, pattern=r"^[0-9a-f]{64}$")],
    name: Annotated[str, Form(max_length=200, pattern=PRINTABLE)],
    as_of: Annotated[str, Form(max_length=10)],
) -> Response:
    """Import the previewed file (all or nothing), audited as the HR member."""
    assert principal.body is not None
    path = _uploads(env, principal.body) / token
    try:
        day = _day(as_of, "as_of")
        if not TOKEN.match(token) or not path.is_file():
            raise Rejected("file: the previewed file is gone; upload it again")
        result = staff_upload.apply(env, principal, name, path.read_bytes(), day)
    except Rejected as exc:
        return _staff(request, env, pages_, status_code=422, error=exc)
    if result.applied:
        path.unlink(missing_ok=True)
    return _staff(request, env, pages_, status_code=200 if result.ok else 422, result=result, name=name, as_of=day)


# --- the calendar ---------------------------------------------------------------------------------------------------


def _calendar(
    request: Request,
    env: Environment,
    pages_: PagesDep,
    principal: Principal,
    *,
    error: Rejected | None = None,
    saved: str | None = None,
    form: dict[str, str] | None = None,
    moved: setup.CalendarSaved | None = None,
) -> Response:
    assert principal.body is not None
    moves: Sequence[setup.Move] = moved.moved if moved else getattr(error, "moves", [])
    overrides = setup.calendar_overrides(env, principal, principal.body)
    return pages_.render(
        request,
        "hr_calendar.html",
        status_code=422 if error else 200,
        overrides=overrides,
        kind_names=KIND_NAMES,
        moved_names=MOVED_NAMES,
        moves=list(moves[:MOVES_SHOWN]),
        moves_more=max(0, len(moves) - MOVES_SHOWN),
        applied=moved is not None,
        moved_elsewhere=moved.moved_elsewhere if moved else 0,
        error=error,
        field=field_of(error),
        saved=saved,
        form={"day": "", "kind": "", "legal_basis": "", **(form or {})},
    )


@pages.get("/calendar")
def calendar_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    saved: Annotated[str | None, Query(max_length=10, pattern=r"^[0-9-]*$")] = None,
) -> Response:
    """The days decrees moved (day off, working day) with their legal basis, and a form to add one (P-7)."""
    return _calendar(request, env, pages_, principal, saved=saved)


@pages.post("/calendar")
def calendar_set(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    day: Annotated[str, Form(max_length=10)],
    kind: Annotated[str, Form(max_length=20)],
    legal_basis: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    """Record a moved day (audited with its legal basis); refused, naming the field and P-7, when it cannot be.
    When it moved stored dates of open windows (decision 0196), the page lists them instead of redirecting."""
    assert principal.body is not None
    form = {"day": day, "kind": kind, "legal_basis": legal_basis}
    try:
        when = _day(day, "day")
        saved = setup.set_calendar_day(
            env, principal, principal.body, day=when, kind=kind, legal_basis=legal_basis, today=_today(request)
        )
    except Rejected as exc:
        return _calendar(request, env, pages_, principal, error=exc, form=form)
    if saved.moved or saved.moved_elsewhere:  # decision 0196: HR sees at once which stored dates moved
        return _calendar(request, env, pages_, principal, saved=when.isoformat(), moved=saved)
    return RedirectResponse(f"/hr/calendar?saved={when.isoformat()}", status_code=303)


# --- rulebooks and the schedule (G-3, G-4) --------------------------------------------------------------------------


def _schedule(
    request: Request,
    env: Environment,
    pages_: PagesDep,
    principal: Principal,
    period: str | None,
    *,
    error: Rejected | None = None,
    approved: bool = False,
    assigned: bool = False,
) -> Response:
    assert principal.body is not None
    system = Principal.system_step("operator:web")  # the list of assignments is no secret to who sees the schedule
    assignments = setup.rulebook_assignments(env, system, principal.body)
    view = None
    problem = error
    if period:
        try:
            view = schedules.show_schedule(env, principal, principal.body, period)
        except Rejected as exc:
            problem = problem or exc
    return pages_.render(
        request,
        "hr_schedule.html",
        status_code=422 if error else 200,
        assignments=assignments,
        known=setup.known_rulebooks(env),
        field=field_of(problem),
        view=view,
        period=period or "",
        error=problem,
        approved=approved,
        assigned=assigned,
        may_approve=Role.APPOINTING_OFFICIAL in principal.roles,
        may_assign=bool(principal.roles & setup.SETUP_ROLES),
    )


PeriodQuery = Annotated[str | None, Query(max_length=16, pattern=r"^[0-9]{4}(-Q[1-4])?$")]


@pages.get("/schedule")
def schedule_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: SchedulePrincipal,
    period: PeriodQuery = None,
    approved: bool = False,
    assigned: bool = False,
) -> Response:
    """The body's rulebooks (G-3) and a period's schedule: who, by whom, which method, which dates (G-4)."""
    return _schedule(request, env, pages_, principal, period, approved=approved, assigned=assigned)


@pages.post("/schedule/approve")
def schedule_approve(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: SchedulePrincipal,
    period: Annotated[str, Form(max_length=16, pattern=r"^[0-9]{4}(-Q[1-4])?$")],
) -> Response:
    """The appointing official approves the schedule (G-4); anyone else is refused naming G-4."""
    assert principal.body is not None
    try:
        if principal.person is None:
            raise schedules.ScheduleRefused(Phrase("only a person approves the schedule"), field="by")
        schedules.approve_schedule(env, principal, principal.body, period, by=principal.person, day=_today(request))
    except Rejected as exc:
        return _schedule(request, env, pages_, principal, period, error=exc)
    return RedirectResponse(f"/hr/schedule?period={period}&approved=true", status_code=303)


@pages.post("/rulebooks")
def rulebook_assign(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    rulebook: Annotated[str, Form(max_length=100, pattern=PRINTABLE)],
    valid_from: Annotated[str, Form(max_length=10)],
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Assign a rulebook to the body (G-3); overlaps and dates outside the rulebook are refused naming the field."""
    assert principal.body is not None
    try:
        start = _day(valid_from, "valid_from")
        end = _day(valid_until, "valid_until") if valid_until.strip() else None
        setup.assign_rulebook(env, principal, principal.body, rulebook, start, end)
    except Rejected as exc:
        return _schedule(request, env, pages_, principal, None, error=exc)
    return RedirectResponse("/hr/schedule?assigned=true", status_code=303)


# --- people and the Commission --------------------------------------------------------------------------------------


@pages.get("/people")
def people_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    saved: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
) -> Response:
    """The body's people today: unit, category, head, body roles and contacts (never a score, R-2); each editable."""
    assert principal.body is not None
    error: Rejected | None = None
    try:
        found = body_setup.people(env, principal, principal.body, _today(request))
    except Rejected as exc:
        found, error = [], exc
    return pages_.render(
        request,
        "hr_people.html",
        status_code=422 if error else 200,
        people=found,
        error=error,
        field=field_of(error),
        saved=saved,
    )


def _person(
    request: Request,
    env: Environment,
    pages_: PagesDep,
    principal: Principal,
    number: str,
    *,
    error: Rejected | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    assert principal.body is not None
    everyone = body_setup.people(env, principal, principal.body, _today(request))
    found = [line for line in everyone if line.number == number]
    if not found:
        raise refuse(request, principal, resource=f"hr:person:{number[:64]}")
    person = found[0]
    contacts: dict[str, list[str]] = {}
    for kind, address in person.contacts:
        contacts.setdefault(kind, []).append(address)
    values: dict[str, Any] = {
        "roles": list(person.roles),
        "email": ", ".join(contacts.get("email", [])),
        "phone": ", ".join(contacts.get("sms", [])),
        "telegram": ", ".join(contacts.get("telegram", [])),
        "language": person.language,
        "reason": "",
    }
    values.update(form or {})
    return pages_.render(
        request,
        "hr_person.html",
        status_code=422 if error else 200,
        person=person,
        form=values,
        editable_roles=[role.value for role in body_edit.EDITABLE_ROLES],
        error=error,
        field=field_of(error),
    )


PersonNumber = Annotated[str, FastApiPath(max_length=64, pattern=r"^[^\s\x00-\x1f\x7f/]+$")]


@pages.get("/people/{number}")
def person_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: HrPrincipal, number: PersonNumber
) -> Response:
    """One person's body roles, contacts and language, to edit with the reason (G-6, C-1, R-4)."""
    return _person(request, env, pages_, principal, number)


@pages.post("/people/{number}")
def person_edit(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    number: PersonNumber,
    roles: Annotated[list[str] | None, Form(max_length=8)] = None,
    email: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=500)] = "",
    telegram: Annotated[str, Form(max_length=500)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
    reason: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    """Change the person's roles, contacts and language from today, audited with the reason; a refusal re-shows the
    form with what was typed and the reason naming the field and the rule (422), nothing written."""
    assert principal.body is not None
    chosen = [role[:40] for role in roles or []]
    form = {"roles": chosen, "email": email, "phone": phone, "telegram": telegram, "language": language}
    form["reason"] = reason
    try:
        body_edit.edit_person(
            env,
            principal,
            principal.body,
            number,
            roles=chosen,
            email=email,
            phone=phone,
            telegram=telegram,
            language=language,
            reason=reason,
            today=_today(request),
        )
    except Rejected as exc:
        return _person(request, env, pages_, principal, number, error=exc, form=form)
    return RedirectResponse(f"/hr/people?saved={number}", status_code=303)


def _commission(
    request: Request,
    env: Environment,
    pages_: PagesDep,
    principal: Principal,
    *,
    error: Rejected | None = None,
    saved: bool = False,
    form: dict[str, str] | None = None,
) -> Response:
    assert principal.body is not None
    today = _today(request)
    view = None
    problems: list[str] = []
    try:
        view = body_setup.commission(env, principal, principal.body, today)
        problems = body_edit.commission_problems(env, principal, principal.body, today)
    except Rejected as exc:
        error = error or exc
    values = {"chair": "", "secretary": "", "members": "", "reason": ""}
    if view is not None and view.chair and view.secretary:
        values.update(
            chair=view.chair[0], secretary=view.secretary[0], members=" ".join(number for number, _ in view.members)
        )
    values.update(form or {})
    return pages_.render(
        request,
        "hr_commission.html",
        status_code=422 if error else 200,
        view=view,
        problems=problems,
        form=values,
        saved=saved,
        error=error,
        field=field_of(error),
    )


@pages.get("/commission")
def commission_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: HrPrincipal, saved: bool = False
) -> Response:
    """M-7: the Evaluation Commission's composition today with its checks, whether the body's rulebook has one, and
    the form that appoints it."""
    return _commission(request, env, pages_, principal, saved=saved)


@pages.post("/commission")
def commission_set(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    chair: Annotated[str, Form(max_length=64)] = "",
    secretary: Annotated[str, Form(max_length=64)] = "",
    members: Annotated[str, Form(max_length=4000)] = "",
    reason: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    """M-7: appoint the Commission from today (chair, secretary from HR, members), audited with the reason."""
    assert principal.body is not None
    form = {"chair": chair, "secretary": secretary, "members": members, "reason": reason}
    try:
        body_edit.set_commission(
            env,
            principal,
            principal.body,
            chair=chair,
            secretary=secretary,
            members=members,
            reason=reason,
            today=_today(request),
        )
    except Rejected as exc:
        return _commission(request, env, pages_, principal, error=exc, form=form)
    return RedirectResponse("/hr/commission?saved=true", status_code=303)


# --- the 360 respondents (T-4) --------------------------------------------------------------------------------------

YearQuery = Annotated[int | None, Query(ge=FIRST_SUPPORTED_YEAR, le=LAST_SUPPORTED_YEAR)]


def _surveys(
    request: Request,
    env: Environment,
    pages_: PagesDep,
    principal: Principal,
    year: int | None,
    *,
    error: Rejected | None = None,
    saved: str | None = None,
) -> Response:
    assert principal.body is not None
    today = _today(request)
    shown = year or (today.year - 1 if today.month == 1 else today.year)  # in January: the survey of the year ended
    found = body_setup.surveys(env, principal, principal.body, shown)
    return pages_.render(
        request,
        "hr_surveys.html",
        status_code=422 if error else 200,
        surveys=found,
        year=shown,
        error=error,
        field=field_of(error),
        saved=saved,
    )


@pages.get("/surveys")
def surveys_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    year: YearQuery = None,
    saved: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
) -> Response:
    """The 360 surveys of a year with their respondents; HR edits them, with the reason, before anyone answers."""
    return _surveys(request, env, pages_, principal, year, saved=saved)


@pages.post("/surveys/{evaluatee}/respondents")
def respondents_edit(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    evaluatee: Annotated[str, FastApiPath(max_length=64, pattern=r"^[^\s\x00-\x1f\x7f/]+$")],
    year: Annotated[int, Form(ge=FIRST_SUPPORTED_YEAR, le=LAST_SUPPORTED_YEAR)],
    respondents: Annotated[str, Form(max_length=4000, pattern=PRINTABLE)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """T-4: replace the respondents (personnel numbers, comma or space separated) with the reason, audited."""
    wanted = [number for number in re.split(r"[\s,;]+", respondents) if number]
    try:
        if not reason.strip() or any(ord(c) < 32 for c in reason):
            raise setup.SetupRefused(
                "reason: say why the respondents change (1 to 500 characters) (T-4)",
                rule="T-4",
                field="reason",
                allowed="1 to 500 characters",
            )
        edit_respondents(
            env,
            principal,
            as_of=_today(request),
            evaluatee=evaluatee,
            respondents=wanted,
            year=year,
            reason=reason.strip(),
        )
    except Rejected as exc:
        return _surveys(request, env, pages_, principal, year, error=exc)
    return RedirectResponse(f"/hr/surveys?year={year}&saved={evaluatee}", status_code=303)


# --- the JSON twins of the people and Commission pages --------------------------------------------------------------

api = APIRouter(prefix="/api/v1/hr", tags=["hr"], dependencies=[Depends(current_login)], responses=REFUSED)


class PersonChange(BaseModel):
    """What changes for a person from today; a field left out keeps its value (contacts: every address of the kind)."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Annotated[str, StringConstraints(max_length=40)]] | None = Field(
        default=None, max_length=3, description="body roles held from today: appointing_official, hr_head, hr (G-6)"
    )
    email: list[Annotated[str, StringConstraints(max_length=320)]] | None = Field(default=None, max_length=5)
    phone: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=5)
    telegram: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=5)
    language: Annotated[str, StringConstraints(max_length=8)] | None = Field(default=None, description="kk, ru, en")
    reason: Annotated[str, StringConstraints(max_length=600)] = Field(description="why (audited, R-4)")


class CommissionChange(BaseModel):
    """M-7: the Commission from today."""

    model_config = ConfigDict(extra="forbid")

    chair: Annotated[str, StringConstraints(max_length=64)]
    secretary: Annotated[str, StringConstraints(max_length=64)] = Field(description="an HR employee, not voting")
    members: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=100)
    reason: Annotated[str, StringConstraints(max_length=600)] = Field(description="why (audited, R-4)")


def _person_json(request: Request, env: Environment, principal: Principal, number: str) -> dict[str, Any]:
    assert principal.body is not None
    everyone = body_setup.people(env, principal, principal.body, _today(request))
    found = [line for line in everyone if line.number == number]
    if not found:
        raise refuse(request, principal, resource=f"hr:person:{number[:64]}")
    person = found[0]
    return {
        "number": person.number,
        "name": person.name,
        "roles": list(person.roles),
        "email": [address for kind, address in person.contacts if kind == "email"],
        "phone": [address for kind, address in person.contacts if kind == "sms"],
        "telegram": [address for kind, address in person.contacts if kind == "telegram"],
        "language": person.language,
    }


@api.get("/people/{number}", summary="A person's body roles, contacts and language (G-6)")
def person_api(request: Request, env: EnvDep, principal: HrPrincipal, number: PersonNumber) -> JSONResponse:
    return JSONResponse(_person_json(request, env, principal, number))


@api.patch("/people/{number}", summary="Change a person's roles, contacts or language from today (audited, R-4)")
def person_edit_api(
    request: Request, env: EnvDep, principal: HrPrincipal, number: PersonNumber, change: PersonChange
) -> JSONResponse:
    assert principal.body is not None
    now = _person_json(request, env, principal, number)

    def joined(values: list[str] | None, field: str) -> str:
        return ", ".join(now[field] if values is None else values)

    done = body_edit.edit_person(
        env,
        principal,
        principal.body,
        number,
        roles=now["roles"] if change.roles is None else change.roles,
        email=joined(change.email, "email"),
        phone=joined(change.phone, "phone"),
        telegram=joined(change.telegram, "telegram"),
        language=change.language or now["language"],
        reason=change.reason,
        today=_today(request),
    )
    return JSONResponse({**_person_json(request, env, principal, number), "changed": sorted(done.changes)})


def _commission_json(request: Request, env: Environment, principal: Principal) -> dict[str, Any]:
    assert principal.body is not None
    today = _today(request)
    view = body_setup.commission(env, principal, principal.body, today)
    return {
        "rulebook": view.rulebook_id,
        "required": view.required,
        "min_members": view.min_members,
        "chair": None if view.chair is None else view.chair[0],
        "secretary": None if view.secretary is None else view.secretary[0],
        "members": [number for number, _ in view.members],
        "problems": body_edit.commission_problems(env, principal, principal.body, today),
    }


@api.get("/commission", summary="M-7: the Evaluation Commission today and what is wrong with it")
def commission_api(request: Request, env: EnvDep, principal: HrPrincipal) -> JSONResponse:
    return JSONResponse(_commission_json(request, env, principal))


@api.put("/commission", summary="M-7: appoint the Evaluation Commission from today (audited, R-4)")
def commission_set_api(request: Request, env: EnvDep, principal: HrPrincipal, change: CommissionChange) -> JSONResponse:
    assert principal.body is not None
    body_edit.set_commission(
        env,
        principal,
        principal.body,
        chair=change.chair,
        secretary=change.secretary,
        members=" ".join(change.members),
        reason=change.reason,
        today=_today(request),
    )
    return JSONResponse(_commission_json(request, env, principal))


# --- the JSON twin of the calendar page ---------------------------------------------------------------------------


class CalendarDay(BaseModel):
    """P-7: what a decree made of a day."""

    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, StringConstraints(max_length=20)] = Field(description="day_off or working_day")
    legal_basis: Annotated[str, StringConstraints(max_length=600)] = Field(
        description="the decree that moved the day (audited)"
    )


def _override_json(override: setup.Override) -> dict[str, Any]:
    return {
        "day": override.day.isoformat(),
        "kind": override.kind,
        "legal_basis": override.legal_basis,
        "created_by": override.created_by,
    }


@api.get("/calendar", summary="P-7: the working-day calendar's overrides (national)")
def calendar_api(env: EnvDep, principal: HrPrincipal) -> JSONResponse:
    assert principal.body is not None
    overrides = setup.calendar_overrides(env, principal, principal.body)
    return JSONResponse({"overrides": [_override_json(override) for override in overrides]})


@api.put(
    "/calendar/{day}",
    summary="P-7: a day a decree moved (day_off or working_day), with its legal basis; the stored dates of open "
    "windows it moves are recomputed and listed (decision 0196)",
)
def calendar_set_api(
    request: Request,
    env: EnvDep,
    principal: HrPrincipal,
    day: Annotated[str, FastApiPath(max_length=20)],
    change: CalendarDay,
) -> JSONResponse:
    """Every moved date of the caller's body is listed (``moved``); other bodies' are counted
    (``moved_elsewhere``). A refused past day answers 422 with the dates it would move (``moves``)."""
    assert principal.body is not None
    saved = setup.set_calendar_day(
        env,
        principal,
        principal.body,
        day=_day(day, "day"),
        kind=change.kind,
        legal_basis=change.legal_basis,
        today=_today(request),
    )
    return JSONResponse(
        {
            "override": _override_json(saved.override),
            "moved": [move.as_dict() for move in saved.moved],
            "moved_elsewhere": saved.moved_elsewhere,
        }
    )


# --- the JSON twin of the schedule page ---------------------------------------------------------------------------

PeriodPath = Annotated[str, FastApiPath(max_length=16, pattern=r"^[0-9]{4}(-Q[1-4])?$")]


@api.get("/schedule/{period}", summary="G-4: a period's schedule — who, by whom, which method, which dates")
def schedule_api(env: EnvDep, principal: SchedulePrincipal, period: PeriodPath) -> JSONResponse:
    assert principal.body is not None
    return JSONResponse(schedules.show_schedule(env, principal, principal.body, period).as_dict())


@api.post(
    "/schedule/{period}/approve",
    summary="G-4: the appointing official approves the period's schedule (anyone else is refused naming G-4)",
)
def schedule_approve_api(
    request: Request, env: EnvDep, principal: SchedulePrincipal, period: PeriodPath
) -> JSONResponse:
    assert principal.body is not None
    if principal.person is None:
        raise schedules.ScheduleRefused(Phrase("only a person approves the schedule"), field="by")
    view = schedules.approve_schedule(env, principal, principal.body, period, by=principal.person, day=_today(request))
    return JSONResponse(view.as_dict())


# --- the JSON twin of the staff upload -----------------------------------------------------------------------------


@api.post(
    "/staff",
    summary="Upload the staff file (CSV or XLSX): the importer's report (a dry run), or the import with apply=true "
    "(all or nothing, audited); bad rows listed, nothing written",
)
async def staff_api(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    file: Annotated[UploadFile, File()],
    as_of: Annotated[str, Form(max_length=10)] = "",
    apply: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """The page's two steps in one call: the report first (``apply`` false, the default), then the same file with
    ``apply`` true. 200 when the file is good (and, applied, imported), 422 with every bad row otherwise."""
    data = await file.read(MAX_UPLOAD + 1)
    name = (file.filename or "staff.csv")[:200]
    day = _day(as_of, "as_of") if as_of else _today(request)
    if len(data) > MAX_UPLOAD:
        raise Rejected(Phrase("file: larger than {megabytes} MB", megabytes=MAX_UPLOAD // (1024 * 1024)))
    act = staff_upload.apply if apply else staff_upload.preview
    result = await run_in_threadpool(act, env, principal, name, data, day)
    translator = pages_.translator(request)

    def rows(found: list[staff_upload.Row]) -> list[dict[str, str | None]]:
        return [
            {
                "where": translator.say(row.where),
                "column": row.column,
                "value": row.value,
                "message": translator.say(row.message),
            }
            for row in found
        ]

    answer = {
        "source": result.source,
        "as_of": day.isoformat(),
        "ok": result.ok,
        "applied": result.applied,
        "rows": result.rows,
        "changes": result.changes,
        "people_not_in_file": result.people_not_in_file,
        "problems": rows(result.problems),
        "warnings": rows(result.warnings),
        "refused": None if result.refused is None else translator.say(result.refused),
        "language": translator.language.value,
    }
    return JSONResponse(answer, status_code=200 if result.ok else 422)
