"""The evaluator's side of the door (issue 10): the inbox, the sheet form per method, signing it, and the superior
head's approval or return (M-5) — as pages and as their JSON twins under ``/api/v1``.

::

    GET  /api/v1/inbox                          the sheets due, signed and to review, with deadline and days left
    GET  /api/v1/sheets/{id}                    the sheet as its form (from the rulebook: parameters, KPIs, caps …)
    POST /api/v1/sheets/{id}/check              the live hints: each field's problem and the result as entered
    PUT  /api/v1/sheets/{id}/draft              save the evaluator's draft, unsigned (decision 0141)
    GET  /api/v1/sheets/{id}/draft              the evaluator's own draft (404: none); DELETE throws it away
    POST /api/v1/sheets/{id}/signature          submit and sign (201 a new version; 200 the same content again)
    POST /api/v1/sheets/{id}/approval           the superior head agrees (M-5)
    POST /api/v1/sheets/{id}/return             the superior head returns it for correction, with a reason (M-5)

A sheet is the evaluator's and its reviewer's only: for anyone else it does not exist (404, the refusal recorded,
R-2). A refusal of the rules is 422 ``{"rule", "detail"}`` naming the rule and the allowed values (K-4 range,
D-2/Q-1 scale…); nothing is written. Signing is submitting, and every signature is a new version until the
evaluatee has seen the result (C-2); the same content signed twice is one version. A draft ("Save draft") is kept
on the server for the evaluator alone — incomplete is fine, an impossible value is refused naming the rule — comes
back into the form after a new login, never counts as signed, and is discarded when the sheet is signed (0141).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, JsonValue, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.actions.commission import approve_sheet, return_sheet
from application.actions.sheet_drafts import discard_draft, draft_of, save_draft
from application.actions.sheets import submit_sheet
from application.errors import Rejected
from application.queries import inbox as queries
from domain.access import Principal
from domain.errors import Phrase
from web.auth import Login
from web.deps import CurrentLogin, EnvDep, PagesDep, current_login, refuse
from web.i18n import N_
from web.routes.api import REJECTED, UNAUTHORIZED, Problem
from web.routes.hr import STATUS_NAMES, RowId

#: A justification is a text of the evaluator (D-3): ten thousand characters is far more than any sheet's line.
MAX_JUSTIFICATION = 10_000
MAX_REASON = 2_000

QueryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    **REJECTED,
    404: {"model": Problem, "description": "not a sheet this person evaluates or reviews (R-2), or none"},
}
api = APIRouter(prefix="/api/v1", tags=["sheets"], dependencies=[Depends(current_login)], responses=REFUSED)
pages = APIRouter(include_in_schema=False)

TASK_NAMES = {
    "sheet": N_("Sheets to fill and sign"),
    "signed": N_("Signed, still correctable"),
    "review": N_("Sheets to review (M-5)"),
}
#: Q-3's sanction kinds as the pages name them (translated where shown).
SANCTION_NAMES = {
    "warning": N_("warning"),
    "reprimand": N_("reprimand"),
    "severe_reprimand": N_("severe reprimand"),
    "other": N_("another sanction"),
}


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


class SheetIn(BaseModel):
    """What the evaluator signs: the scores as the method takes them, and the justification (D-3).

    ``scores``: parameter id → score (D-2, Q-1), KPI id → score inside the K-4 range, KPI id → true/false (M-4),
    competency id → one true/false per behaviour indicator (M-6)."""

    scores: dict[str, JsonValue] = Field(
        examples=[{"quality": 4, "deadlines": 5, "independence_initiative": 4, "labour_discipline": 5}]
    )
    justification: str | None = Field(default=None, max_length=MAX_JUSTIFICATION)

    @field_validator("justification")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return _no_nul(value)


class ReturnIn(BaseModel):
    """Why the superior head returns the sheet (M-5: the evidence is insufficient or unreliable)."""

    reason: str = Field(min_length=1, max_length=MAX_REASON)

    @field_validator("reason")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _no_nul(value) or ""


class SignedOut(BaseModel):
    """The signed sheet: its version, the result (``null`` for count and competency sheets' scores), whether it was
    late, and whether the evaluation is complete (else it waits for the superior head, M-5, or the Commission)."""

    evaluation_id: int
    version: int
    score: str | None
    category: str | None
    late: bool
    completed: bool
    unchanged: bool


class DraftOut(BaseModel):
    """The evaluator's draft: the values as saved (never signed, decision 0141) and when."""

    evaluation_id: int
    scores: dict[str, JsonValue]
    justification: str | None
    saved_at: str


class DraftSavedOut(BaseModel):
    evaluation_id: int
    saved_at: str
    fields: int


class ReviewedOut(BaseModel):
    evaluation_id: int
    decision: Literal["approve", "return"]
    resubmit_by: str | None


def _json(value: Any, status_code: int = 200) -> JSONResponse:
    data = dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value
    return JSONResponse(jsonable_encoder(data, custom_encoder={Decimal: str}), status_code=status_code)


def _form(
    request: Request,
    env: EnvDep,
    login: Login,
    evaluation_id: int,
    *,
    entered: Any = None,
    justification: str | None = None,
) -> queries.SheetForm:
    """The sheet's form, or 404 recorded (R-2: not this person's sheet, or none)."""
    found = queries.sheet_form(
        env, login.principal, evaluation_id, language=login.language, entered=entered, justification=justification
    )
    if found is None:
        raise refuse(request, login.principal, resource=f"sheet:{evaluation_id}")
    return found


def _sign(env: EnvDep, principal: Principal, form: queries.SheetForm, scores: Any, justification: str | None) -> Any:
    before = form.current.version if form.current else None
    done = submit_sheet(
        env,
        principal,
        as_of=env.clock.today(),
        evaluatee=form.employee,
        scores=scores,
        comment=justification or None,
        method=form.method,
        evaluation_id=form.evaluation_id,
        unchanged_is_noop=True,
    )
    return SignedOut(
        evaluation_id=done.evaluation_id,
        version=done.version,
        score=None if done.score is None else str(done.score),
        category=None if done.category is None else str(done.category),
        late=done.late,
        completed=done.completed,
        unchanged=before == done.version,
    )


def _waiting_for_review(form: queries.SheetForm) -> None:
    if form.status != "submitted":
        raise Rejected.by_rule(
            "M-5",
            Phrase(
                "the sheet of {employee} is not waiting for review (status {status})",
                employee=form.employee,
                status=form.status,
            ),
        )


# --- JSON ----------------------------------------------------------------------------------------------------------


@api.get("/inbox", summary="The sheets due for me: to fill, signed and correctable, to review (M-5)")
def inbox_api(env: EnvDep, login: CurrentLogin) -> JSONResponse:
    return _json(queries.inbox(env, login.principal, language=login.language))


@api.get("/sheets/{evaluation_id}", summary="One sheet as its form (rulebook parameters, KPI ranges, caps, …)")
def sheet_api(request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId) -> JSONResponse:
    return _json(_form(request, env, login, evaluation_id))


@api.post(
    "/sheets/{evaluation_id}/check",
    summary="The live hints of a sheet as entered: each field's problem (rule, allowed) and the result; nothing saved",
)
def check_api(
    request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId, sheet: Annotated[SheetIn, Body()]
) -> JSONResponse:
    return _json(
        _form(request, env, login, evaluation_id, entered=dict(sheet.scores), justification=sheet.justification)
    )


@api.post(
    "/sheets/{evaluation_id}/signature",
    summary="Submit and sign the sheet (201: a new version; 200: this content was already signed)",
    status_code=201,
    response_model=SignedOut,
    responses={200: {"model": SignedOut, "description": "the same content again: nothing changed"}, 403: {}},
)
def sign_api(
    request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId, sheet: Annotated[SheetIn, Body()]
) -> JSONResponse:
    form = _form(request, env, login, evaluation_id)
    signed = _sign(env, login.principal, form, dict(sheet.scores), sheet.justification)
    return _json(signed.model_dump(), status_code=200 if signed.unchanged else 201)


def _evaluator_form(request: Request, env: EnvDep, login: Login, evaluation_id: int) -> queries.SheetForm:
    """The sheet's form for its evaluator only: a draft is theirs alone (a reviewer gets 404 too, recorded)."""
    form = _form(request, env, login, evaluation_id)
    if form.role != "evaluator":
        raise refuse(request, login.principal, resource=f"sheet:{evaluation_id}:draft")
    return form


@api.put(
    "/sheets/{evaluation_id}/draft",
    summary="Save the evaluator's draft of the sheet, unsigned: incomplete is fine, impossible values are refused",
    response_model=DraftSavedOut,
    responses={403: {}},
)
def save_draft_api(
    request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId, sheet: Annotated[SheetIn, Body()]
) -> JSONResponse:
    _evaluator_form(request, env, login, evaluation_id)
    saved = save_draft(
        env,
        login.principal,
        as_of=env.clock.today(),
        evaluation_id=evaluation_id,
        scores=dict(sheet.scores),
        justification=sheet.justification,
    )
    return _json({"evaluation_id": saved.evaluation_id, "saved_at": saved.saved_at.isoformat(), "fields": saved.fields})


@api.get(
    "/sheets/{evaluation_id}/draft",
    summary="The evaluator's own draft of the sheet (404 when there is none); nobody else's (R-2)",
    response_model=DraftOut,
)
def draft_api(request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId) -> JSONResponse:
    _evaluator_form(request, env, login, evaluation_id)
    found = draft_of(env, login.principal, as_of=env.clock.today(), evaluation_id=evaluation_id)
    if found is None:
        return _json({"detail": "no draft"}, status_code=404)
    return _json(
        {
            "evaluation_id": found.evaluation_id,
            "scores": dict(found.scores),
            "justification": found.justification,
            "saved_at": found.saved_at.isoformat(),
        }
    )


@api.delete("/sheets/{evaluation_id}/draft", summary="Throw the evaluator's draft away", status_code=204)
def discard_draft_api(request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId) -> Response:
    _evaluator_form(request, env, login, evaluation_id)
    discard_draft(env, login.principal, as_of=env.clock.today(), evaluation_id=evaluation_id)
    return Response(status_code=204)


@api.post(
    "/sheets/{evaluation_id}/approval",
    summary="The superior head agrees with the signed sheet (M-5)",
    response_model=ReviewedOut,
    responses={403: {}},
)
def approve_api(request: Request, env: EnvDep, login: CurrentLogin, evaluation_id: RowId) -> JSONResponse:
    form = _form(request, env, login, evaluation_id)
    _waiting_for_review(form)
    done = approve_sheet(env, login.principal, as_of=env.clock.today(), evaluatee=form.employee, method=form.method)
    return _json({"evaluation_id": done.evaluation_id, "decision": done.decision, "resubmit_by": None})


@api.post(
    "/sheets/{evaluation_id}/return",
    summary="The superior head returns the sheet for correction, saying why (M-5: resubmission within 2 WD)",
    response_model=ReviewedOut,
    responses={403: {}},
)
def return_api(
    request: Request,
    env: EnvDep,
    login: CurrentLogin,
    evaluation_id: RowId,
    decision: Annotated[ReturnIn, Body()],
) -> JSONResponse:
    form = _form(request, env, login, evaluation_id)
    _waiting_for_review(form)
    done = return_sheet(
        env,
        login.principal,
        as_of=env.clock.today(),
        evaluatee=form.employee,
        method=form.method,
        reason=decision.reason,
    )
    resubmit_by = done.resubmit_by.isoformat() if done.resubmit_by else None
    return _json({"evaluation_id": done.evaluation_id, "decision": done.decision, "resubmit_by": resubmit_by})


# --- pages ---------------------------------------------------------------------------------------------------------


@pages.get("/inbox")
def inbox_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    login: CurrentLogin,
    approved: QueryId = None,
    returned: QueryId = None,
) -> Response:
    """The evaluator's inbox: the sheets due with deadline and working days left; signed ones; reviews (M-5)."""
    found = queries.inbox(env, login.principal, language=login.language)
    return pages_.render(
        request,
        "inbox.html",
        inbox=found,
        task_names=TASK_NAMES,
        status_names=STATUS_NAMES,
        approved=approved,
        returned=returned,
    )


def _render_sheet(
    request: Request,
    pages_: PagesDep,
    form: queries.SheetForm,
    *,
    status_code: int = 200,
    error: str | None = None,
    error_rule: str | None = None,
    signed: int | None = None,
    drafted: bool = False,
) -> Response:
    return pages_.render(
        request,
        "sheet.html",
        status_code=status_code,
        form=form,
        error=error,
        error_rule=error_rule,
        signed=signed,
        drafted=drafted,
        status_names=STATUS_NAMES,
        sanction_names=SANCTION_NAMES,
        max_justification=MAX_JUSTIFICATION,
        max_reason=MAX_REASON,
    )


@pages.get("/sheets/{evaluation_id}")
def sheet_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    login: CurrentLogin,
    evaluation_id: RowId,
    signed: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    draft: Annotated[Literal["saved"] | None, Query()] = None,
) -> Response:
    """The sheet form of its method, filled with the evaluator's draft (if any), else the version in force."""
    form = _form(request, env, login, evaluation_id)
    return _render_sheet(request, pages_, form, signed=signed, drafted=draft == "saved")


async def _entered(request: Request, scoring: str) -> tuple[Any, str]:
    data = await request.form()
    pairs = [(key, value) for key, value in data.multi_items() if isinstance(value, str)]
    justification = next((value for key, value in pairs if key == "justification"), "")
    return queries.entered_scores(scoring, pairs), justification.replace("\x00", "")


@pages.post("/sheets/{evaluation_id}/hints")
async def hints_fragment(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, evaluation_id: RowId
) -> Response:
    """htmx: the hints of the sheet as typed so far (each field's rule and allowed values, the result S-1)."""
    form = await run_in_threadpool(_form, request, env, login, evaluation_id)
    entered, justification = await _entered(request, form.scoring)
    justification = justification[:MAX_JUSTIFICATION]
    hinted = await run_in_threadpool(
        _form, request, env, login, evaluation_id, entered=entered, justification=justification
    )
    return await run_in_threadpool(pages_.render, request, "sheet_hints.html", form=hinted)


@pages.post("/sheets/{evaluation_id}")
async def sign_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, evaluation_id: RowId
) -> Response:
    """Sign the sheet; refused: the form again with what was typed and the reason (422), nothing saved."""
    form = await run_in_threadpool(_form, request, env, login, evaluation_id)
    entered, justification = await _entered(request, form.scoring)
    too_long = len(justification) > MAX_JUSTIFICATION
    shown = await run_in_threadpool(
        _form, request, env, login, evaluation_id, entered=entered, justification=justification[:MAX_JUSTIFICATION]
    )
    if too_long:
        message = Phrase(
            "justification: at most {maximum} characters, got {length} (D-3)",
            maximum=MAX_JUSTIFICATION,
            length=len(justification),
        )
        return _render_sheet(request, pages_, shown, status_code=422, error=message, error_rule="D-3")
    try:
        signed = await run_in_threadpool(_sign, env, login.principal, form, entered, justification)
    except Rejected as rejected:
        return _render_sheet(
            request, pages_, shown, status_code=422, error=pages_.say(request, rejected), error_rule=rejected.rule
        )
    return RedirectResponse(f"/sheets/{evaluation_id}?signed={signed.version}", status_code=303)


@pages.post("/sheets/{evaluation_id}/draft")
async def save_draft_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, evaluation_id: RowId
) -> Response:
    """ "Save draft": kept for the evaluator, unsigned (0141); refused: the form again with what was typed (422)."""
    form = await run_in_threadpool(_evaluator_form, request, env, login, evaluation_id)
    entered, justification = await _entered(request, form.scoring)
    shown = await run_in_threadpool(
        _form, request, env, login, evaluation_id, entered=entered, justification=justification[:MAX_JUSTIFICATION]
    )
    if len(justification) > MAX_JUSTIFICATION:
        message = Phrase(
            "justification: at most {maximum} characters, got {length} (D-3)",
            maximum=MAX_JUSTIFICATION,
            length=len(justification),
        )
        return _render_sheet(request, pages_, shown, status_code=422, error=message, error_rule="D-3")
    try:
        await run_in_threadpool(
            lambda: save_draft(
                env,
                login.principal,
                as_of=env.clock.today(),
                evaluation_id=evaluation_id,
                scores=entered,
                justification=justification,
            )
        )
    except Rejected as rejected:
        return _render_sheet(
            request, pages_, shown, status_code=422, error=pages_.say(request, rejected), error_rule=rejected.rule
        )
    return RedirectResponse(f"/sheets/{evaluation_id}?draft=saved", status_code=303)


@pages.post("/sheets/{evaluation_id}/approval")
def approve_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, evaluation_id: RowId
) -> Response:
    """The superior head agrees (M-5); back to the inbox saying so."""
    form = _form(request, env, login, evaluation_id)
    try:
        _waiting_for_review(form)
        approve_sheet(env, login.principal, as_of=env.clock.today(), evaluatee=form.employee, method=form.method)
    except Rejected as rejected:
        return _render_sheet(
            request, pages_, form, status_code=422, error=pages_.say(request, rejected), error_rule=rejected.rule
        )
    return RedirectResponse(f"/inbox?approved={evaluation_id}", status_code=303)


@pages.post("/sheets/{evaluation_id}/return")
async def return_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, evaluation_id: RowId
) -> Response:
    """The superior head returns the sheet with a reason (M-5); back to the inbox saying so."""
    form = await run_in_threadpool(_form, request, env, login, evaluation_id)
    data = await request.form()
    raw = data.get("reason")
    reason = raw.replace("\x00", "").strip() if isinstance(raw, str) else ""
    try:
        if not reason or len(reason) > MAX_REASON:
            raise Rejected.by_rule(
                "M-5",
                Phrase("reason: say why the sheet is returned, 1 to {maximum} characters", maximum=MAX_REASON),
            )
        _waiting_for_review(form)
        await run_in_threadpool(
            lambda: return_sheet(
                env,
                login.principal,
                as_of=env.clock.today(),
                evaluatee=form.employee,
                method=form.method,
                reason=reason,
            )
        )
    except Rejected as rejected:
        return _render_sheet(
            request, pages_, form, status_code=422, error=pages_.say(request, rejected), error_rule=rejected.rule
        )
    return RedirectResponse(f"/inbox?returned={evaluation_id}", status_code=303)
