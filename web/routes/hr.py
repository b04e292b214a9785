"""HR's dashboard (issue 14): the cycle board, one evaluation's timeline, dead letters sent again, the audit view
and the stalled Prefect runs — as pages under ``/hr`` and their JSON twins under ``/api/v1/hr``.

Only the HR service, its head and admins of the body reach these (G-6); anyone else — and anyone asking about
another body — is answered 404 and the refusal recorded (R-2, :func:`web.deps.refuse`). The audit view is the HR
head's and the admins' only. Scores appear only where ``domain.access.visibility`` says RESULT (the HR head):
the read models of :mod:`application.queries.board` decide it, the templates only show what they were given.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.actions.dead_letters import DeadLetterNotFound, SentAgain, send_again
from application.queries import board as board_queries
from domain.access import Principal
from domain.eligibility import reason_said
from domain.errors import Phrase
from domain.vocabulary import Role
from persistence import audit_view as audit_queries
from web.deps import PRINTABLE, CurrentPrincipal, EnvDep, PagesDep, current_login, refuse
from web.i18n import N_, Translator
from web.rendering import ROLE_NAMES
from web.routes.api import REJECTED, UNAUTHORIZED, Problem
from web.routes.evaluations import (
    CASE_STATUS_NAMES,
    CATEGORY_NAMES,
    DELIVERY_STATUS_NAMES,
    EVENT_KIND_NAMES,
    EVENT_STATE_NAMES,
    MESSAGE_KIND_NAMES,
    METHOD_NAMES,
)
from web.routes.evaluations import STATUS_NAMES as EVALUATION_STATUS_NAMES
from web.runs import PrefectDown, RunNotFound, RunsReader

#: A row id in a URL: PostgreSQL's integer range, so a huge number is a 422 naming the field, never a 500.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

HR_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.ADMIN})
AUDIT_ROLES = frozenset({Role.HR_HEAD, Role.ADMIN})

pages = APIRouter(prefix="/hr", include_in_schema=False)
#: Refusals are 404 (R-2: no leak of existence), so every HR endpoint documents it beside 401.
REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    **REJECTED,
    404: {"model": Problem, "description": "not HR of this body (G-6, R-2), or no such thing"},
}
api = APIRouter(prefix="/api/v1/hr", tags=["hr"], dependencies=[Depends(current_login)], responses=REFUSED)

#: The board's status names as the pages show them: the evaluation's (one vocabulary, ``web.routes.evaluations``)
#: and the board's own two.
STATUS_NAMES: dict[str, str] = {
    **EVALUATION_STATUS_NAMES,
    "not_yet_open": N_("Not yet open"),
    "awaiting_approval": N_("Awaiting the appointing official's approval"),
}
STEP_NAMES: dict[str, str] = {
    "sheet": N_("Evaluation sheet"),
    "acquaintance": N_("Acquaintance with the result"),
    "notice": N_("Notice of the evaluation"),
}
#: What a missed deadline escalated (``escalation.kind``), as the timeline names it.
ESCALATION_KIND_NAMES: dict[str, str] = {
    "overdue_sheet": N_("Sheet overdue"),
    "acquaintance_overdue": MESSAGE_KIND_NAMES["acquaintance_overdue"],
    "period_opened_late": MESSAGE_KIND_NAMES["period_opened_late"],
}
#: The codes a timeline event's details carry (``application.queries.board``), by the value's name: the page names
#: them in its language, the JSON twin keeps the codes.
RECIPIENT_ROLE_NAMES = {role.value: name for role, name in ROLE_NAMES.items()}
DETAIL_CODES: dict[str, dict[str, dict[str, str]]] = {
    "message": {"kind": MESSAGE_KIND_NAMES, "to": RECIPIENT_ROLE_NAMES},
    "escalation": {"kind": ESCALATION_KIND_NAMES, "to": RECIPIENT_ROLE_NAMES},
    "calibration": {"category": CATEGORY_NAMES},
}
PROBLEM_NAMES: dict[str, str] = {
    "failed": N_("Failed"),
    "crashed": N_("Crashed"),
    "late": N_("Late"),
    "too_long": N_("Running too long"),
}


def hr_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """The HR service, its head, or an admin of a body (G-6); anyone else: 404, recorded (R-2)."""
    if not principal.roles & HR_ROLES or principal.body is None:
        raise refuse(request, principal, resource=f"hr:{request.url.path}")
    return principal


def audit_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """The HR head or an admin (R-4's reader); anyone else: 404, recorded (R-2)."""
    if not principal.roles & AUDIT_ROLES or principal.body is None:
        raise refuse(request, principal, resource=f"audit:{request.url.path}")
    return principal


HrPrincipal = Annotated[Principal, Depends(hr_principal)]
AuditPrincipal = Annotated[Principal, Depends(audit_principal)]
BodyQuery = Annotated[
    str | None, Query(max_length=64, pattern=PRINTABLE, description="the body's code; default: the user's body")
]
PeriodQuery = Annotated[
    str | None, Query(max_length=16, pattern=PRINTABLE, description="2025-Q1 or 2025; default: the newest")
]


def _body(request: Request, principal: Principal, body: str | None) -> str:
    """The body asked for: one's own only (R-2: another body's board does not exist for this person)."""
    if body is not None and body != principal.body:
        raise refuse(request, principal, resource=f"body:{body[:64]}")
    assert principal.body is not None
    return principal.body


def _json(value: Any, status_code: int = 200) -> JSONResponse:
    data = dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value
    # scores as exact decimal strings (docs/decisions/0070), never floats
    return JSONResponse(jsonable_encoder(data, custom_encoder={Decimal: str}), status_code=status_code)


def _after(after_number: str | None, after_id: int | None) -> tuple[str, int] | None:
    return (after_number, after_id) if after_number is not None and after_id is not None else None


# --- the board -----------------------------------------------------------------------------------------------------


def _load_board(
    request: Request,
    env: EnvDep,
    principal: Principal,
    body: str | None,
    period: str | None,
    *,
    after: tuple[str, int] | None,
    status: str | None,
) -> tuple[board_queries.Board, board_queries.PeoplePage]:
    code = _body(request, principal, body)
    try:
        found = board_queries.board(env, principal, code, period)
        listed = board_queries.people(env, principal, code, found.period.label, after=after, status=status)
    except board_queries.BoardNotFound:
        raise refuse(request, principal, resource=f"board:{code}:{(period or '')[:16]}") from None
    return found, listed


@pages.get("/board")
def board_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: HrPrincipal,
    body: BodyQuery = None,
    period: PeriodQuery = None,
    status: Annotated[str | None, Query(max_length=32, pattern=PRINTABLE)] = None,
    after_number: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
    after_id: int | None = None,
    sent: int | None = None,
) -> Response:
    """The cycle board of a body's period, with the per-person list (keyset pages) and the dead letters; a body
    with no period yet gets the board's frame (what to set up, the stalled steps), not a 404."""
    if body is None and period is None and not board_queries.has_period(env, principal, principal.body or ""):
        return pages_.render(request, "hr_board_empty.html")
    found, listed = _load_board(
        request, env, principal, body, period, after=_after(after_number, after_id), status=status or None
    )
    next_url = None
    if listed.next_after is not None:
        query = {"period": found.period.label, "after_number": listed.next_after[0], "after_id": listed.next_after[1]}
        if status:
            query["status"] = status
        next_url = "/hr/board?" + urlencode(query)
    return pages_.render(
        request,
        "hr_board.html",
        board=found,
        people=listed,
        status_filter=status or "",
        next_url=next_url,
        sent=sent,
        status_names=STATUS_NAMES,
        step_names=STEP_NAMES,
        # the words of the cycle in the page's language (one vocabulary: web.routes.evaluations); the codes stay in
        # the data attributes and links, and the JSON twin keeps them
        case_status_names=CASE_STATUS_NAMES,
        category_names=CATEGORY_NAMES,
        delivery_status_names=DELIVERY_STATUS_NAMES,
        kind_names=MESSAGE_KIND_NAMES,
        method_names=METHOD_NAMES,
        reason_words=lambda code: reason_said(code)[1],  # domain.eligibility's words, said by the page
        week_end=board_queries.week_end(found.today),
    )


@api.get("/board", summary="The cycle board of a body's period (counts, due, overdue, cases, surveys, dead letters)")
def board_api(
    request: Request, env: EnvDep, principal: HrPrincipal, body: BodyQuery = None, period: PeriodQuery = None
) -> JSONResponse:
    found, _ = _load_board(request, env, principal, body, period, after=None, status=None)
    return _json(found)


@api.get("/board/people", summary="The per-person status list of a period, a keyset page at a time")
def people_api(
    request: Request,
    env: EnvDep,
    principal: HrPrincipal,
    body: BodyQuery = None,
    period: PeriodQuery = None,
    status: Annotated[str | None, Query(max_length=32, pattern=PRINTABLE)] = None,
    after_number: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
    after_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=board_queries.MAX_PAGE_SIZE)] = board_queries.PAGE_SIZE,
) -> JSONResponse:
    code = _body(request, principal, body)
    try:
        found = board_queries.people(
            env,
            principal,
            code,
            period or board_queries.board(env, principal, code).period.label,
            after=_after(after_number, after_id),
            status=status or None,
            limit=limit,
        )
    except board_queries.BoardNotFound:
        raise refuse(request, principal, resource=f"board:{code}:{(period or '')[:16]}") from None
    return _json(found)


# --- one evaluation ------------------------------------------------------------------------------------------------


def _timeline(request: Request, env: EnvDep, principal: Principal, evaluation_id: RowId) -> board_queries.Timeline:
    found = board_queries.timeline(env, principal, evaluation_id)
    if found is None:
        raise refuse(request, principal, resource=f"evaluation:{evaluation_id}")
    return found


@pages.get("/evaluations/{evaluation_id}/timeline")
def timeline_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: HrPrincipal, evaluation_id: RowId
) -> Response:
    """The full story of one evaluation: notice, reminders, sheet versions, acquaintance, calibration, messages."""
    found = _timeline(request, env, principal, evaluation_id)
    return pages_.render(
        request,
        "hr_timeline.html",
        timeline=_in_words(found, pages_.translator(request)),
        status_names=STATUS_NAMES,
        # the words in the page's language; the codes stay in the data attributes and the JSON twin
        method_names=METHOD_NAMES,
        category_names=CATEGORY_NAMES,
        kind_names=EVENT_KIND_NAMES,
        state_names={**EVENT_STATE_NAMES, **DELIVERY_STATUS_NAMES, **CASE_STATUS_NAMES},
    )


def _in_words(timeline: board_queries.Timeline, translator: Translator) -> board_queries.Timeline:
    """The timeline with the codes inside its events' details named in the reader's language (``DETAIL_CODES``)."""
    events = []
    for event in timeline.events:
        detail, codes = event.detail, DETAIL_CODES.get(event.kind, {})
        if isinstance(detail, Phrase) and codes:
            named = {
                name: translator.gettext(codes[name][value]) if name in codes and value in codes[name] else value
                for name, value in detail.params.items()
            }
            event = dataclasses.replace(event, detail=Phrase(detail.template, **named))
        events.append(event)
    return dataclasses.replace(timeline, events=tuple(events))


@api.get("/evaluations/{evaluation_id}/timeline", summary="The full timeline of one evaluation (R-2: progress)")
def timeline_api(request: Request, env: EnvDep, principal: HrPrincipal, evaluation_id: RowId) -> JSONResponse:
    return _json(_timeline(request, env, principal, evaluation_id))


# --- dead letters --------------------------------------------------------------------------------------------------


def _send_again(request: Request, env: EnvDep, principal: Principal, message_id: int) -> SentAgain:
    """Another body's message, or none: 404 and the refusal recorded (R-2: no leak of existence)."""
    try:
        return send_again(env, principal, message_id)
    except DeadLetterNotFound:
        raise refuse(request, principal, resource=f"message:{message_id}", action="send-again") from None


@pages.post("/dead-letters/{message_id}/send-again")
def send_again_page(request: Request, env: EnvDep, principal: HrPrincipal, message_id: RowId) -> Response:
    """Send a dead letter again (audited as the HR member); back to the board saying so."""
    _send_again(request, env, principal, message_id)
    return RedirectResponse(f"/hr/board?sent={message_id}", status_code=303)


@api.post("/dead-letters/{message_id}/send-again", summary="Re-queue a dead letter of one's body (audited)")
def send_again_api(request: Request, env: EnvDep, principal: HrPrincipal, message_id: RowId) -> JSONResponse:
    return _json(_send_again(request, env, principal, message_id))


# --- the audit view ------------------------------------------------------------------------------------------------


def _audit(
    env: EnvDep,
    principal: Principal,
    person: str | None,
    evaluation: int | None,
    since: date | None,
    until: date | None,
    before: int | None,
) -> tuple[audit_queries.AuditFilter, audit_queries.AuditPage]:
    wanted = audit_queries.AuditFilter(person=person or None, evaluation_id=evaluation, since=since, until=until)
    with env.unit_of_work(principal) as uow:
        return wanted, audit_queries.audit_log(uow.session, wanted, zone=env.clock.zone, before=before)


PersonQuery = Annotated[str | None, Query(max_length=64, pattern=PRINTABLE, description="a personnel number")]
EvaluationQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="an evaluation's id")]
BeforeQuery = Annotated[int | None, Query(ge=1, le=2**63 - 1, description="the page before this entry (keyset)")]


@pages.get("/audit")
def audit_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: AuditPrincipal,
    person: PersonQuery = None,
    evaluation: EvaluationQuery = None,
    since: date | None = None,
    until: date | None = None,
    before: BeforeQuery = None,
) -> Response:
    """Who changed what, when, before/after and why; and every refused access (R-4, R-2)."""
    wanted, found = _audit(env, principal, person, evaluation, since, until, before)
    next_url = None
    if found.next_before is not None:
        query: dict[str, Any] = {k: v for k, v in dataclasses.asdict(wanted).items() if v is not None}
        if "evaluation_id" in query:
            query["evaluation"] = query.pop("evaluation_id")
        next_url = "/hr/audit?" + urlencode({**query, "before": found.next_before})
    return pages_.render(request, "hr_audit.html", wanted=wanted, page=found, next_url=next_url)


@api.get("/audit", summary="The audit log and the refused accesses (HR head and admins only)")
def audit_api(
    env: EnvDep,
    principal: AuditPrincipal,
    person: PersonQuery = None,
    evaluation: EvaluationQuery = None,
    since: date | None = None,
    until: date | None = None,
    before: BeforeQuery = None,
) -> JSONResponse:
    return _json(_audit(env, principal, person, evaluation, since, until, before)[1])


# --- stalled runs --------------------------------------------------------------------------------------------------


RunQuery = Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)]


def _runs(request: Request) -> RunsReader:
    runs: RunsReader = request.app.state.runs
    return runs


@pages.get("/runs")
async def runs_page(request: Request, pages_: PagesDep, principal: HrPrincipal, again: RunQuery = None) -> Response:
    """The served deployments' runs that need a person; when Prefect does not answer, the page says so."""
    reader = _runs(request)
    down: str | None = None
    try:
        stalled = await reader.stalled()
    except PrefectDown as exc:
        stalled, down = [], str(exc)
    return await run_in_threadpool(
        pages_.render,
        request,
        "hr_runs.html",
        runs=stalled,
        down=down,
        again=again,
        problem_names=PROBLEM_NAMES,
        api_url=reader.api_url,
    )


@pages.get("/runs/summary")
async def runs_summary(request: Request, pages_: PagesDep, principal: HrPrincipal) -> Response:
    """The board's box of stalled steps, loaded by htmx after the board (a slow or absent Prefect never delays the
    board): the runs that need a person with "run again", or that Prefect does not answer."""
    down: str | None = None
    try:
        stalled = await _runs(request).stalled()
    except PrefectDown as exc:
        stalled, down = [], str(exc)
    return await run_in_threadpool(
        pages_.render,
        request,
        "hr_runs_summary.html",
        runs=stalled[:5],
        total=len(stalled),
        down=down,
        problem_names=PROBLEM_NAMES,
    )


#: Prefect's API does not answer: said so with 503 (the rest of the dashboard keeps working).
PREFECT_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"description": "Prefect's API does not answer: {prefect: down, detail}; the board still works"}
}
RunId = Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Fa-f-]+$", description="a Prefect flow run's id")]


@api.get(
    "/runs",
    summary="Stalled flow runs of the served deployments (failed, crashed, late, running too long)",
    responses=PREFECT_DOWN,
)
async def runs_api(request: Request, principal: HrPrincipal) -> JSONResponse:
    try:
        stalled = await _runs(request).stalled()
    except PrefectDown as exc:
        return _json({"prefect": "down", "detail": str(exc), "runs": []}, status_code=503)
    return _json({"prefect": "up", "detail": None, "runs": [dataclasses.asdict(run) for run in stalled]})


async def _run_again(request: Request, principal: Principal, run_id: str) -> str:
    try:
        return await _runs(request).run_again(run_id)
    except RunNotFound:
        raise refuse(request, principal, resource=f"flow_run:{run_id[:64]}") from None


@pages.post("/runs/{run_id}/again")
async def run_again_page(request: Request, principal: HrPrincipal, run_id: RunId) -> Response:
    """Trigger the run's deployment again with the same parameters (every step is idempotent)."""
    try:
        new_id = await _run_again(request, principal, run_id)
    except PrefectDown:
        return RedirectResponse("/hr/runs", status_code=303)
    return RedirectResponse(f"/hr/runs?again={new_id}", status_code=303)


@api.post(
    "/runs/{run_id}/again",
    summary="Run a stalled step again: the same deployment, the same parameters",
    status_code=201,
    responses=PREFECT_DOWN,
)
async def run_again_api(request: Request, principal: HrPrincipal, run_id: RunId) -> JSONResponse:
    try:
        new_id = await _run_again(request, principal, run_id)
    except PrefectDown as exc:
        return _json({"prefect": "down", "detail": str(exc)}, status_code=503)
    return _json({"flow_run_id": new_id}, status_code=201)
