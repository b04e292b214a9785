"""The employee's side of the door (issue 10): "My evaluations", one evaluation's result, acknowledging it (C-1),
disagreeing within the C-2 window, the Commission families' acquaintance, refusal act (M-8) and appeal (M-9) —
as pages and as their JSON twins under ``/api/v1/evaluations``; and ``/ack/{id}``, the link of every result notice.

R-2 is decided by :mod:`application.queries.evaluations` (through the one predicate): an evaluation the person may
not see is answered 404 and the refusal recorded (:func:`web.deps.refuse`), on the pages and the API alike; where
they see the progress only, ``score`` and ``category`` are ``null``. An action on someone else's evaluation is
refused the same way (404, recorded, naming the rule of the action). A rule refusing an action is a 422
``{"rule", "detail"}`` (:mod:`web.errors`) or, on a page, the message beside the form. Submitting a form twice
changes nothing the second time: an acknowledgement is acknowledged once (C-1), the same disagreement finds the
case it opened (C-2).

The day an action acts on is the application's (``env.clock``), so that a test can pin the cycle's date while the
sessions run on the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from application.actions.acquaintance import acknowledge, disagree
from application.actions.commission import appeal, refuse_acquaintance
from application.errors import Rejected
from application.queries import evaluations as queries
from domain.access import Principal
from web.deps import PRINTABLE, CurrentLogin, CurrentPrincipal, EnvDep, PagesDep, current_login, refuse
from web.i18n import N_
from web.routes.api import REJECTED, UNAUTHORIZED, Problem

#: A row id in a URL: PostgreSQL's integer range, so a huge number is a 422 naming the field, never a 500.
EvaluationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the evaluation's id")]
#: Free text the person writes: no NUL (PostgreSQL text cannot hold one), at most this long.
MAX_TEXT = 10_000
TEXT_PATTERN = r"^[^\x00]*$"

REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    **REJECTED,
    404: {"model": Problem, "description": "no such evaluation, or not yours to see or act on (R-2; recorded)"},
}
api = APIRouter(
    prefix="/api/v1/evaluations", tags=["evaluations"], dependencies=[Depends(current_login)], responses=REFUSED
)
pages = APIRouter(include_in_schema=False)

STATUS_NAMES: dict[str, str] = {
    "deferred": N_("Deferred"),
    "open": N_("Open"),
    "submitted": N_("Submitted"),
    "returned": N_("Returned for correction"),
    "approved": N_("Approved"),
    "completed": N_("Completed"),
    "acquainted": N_("Acquainted"),
    "in_calibration": N_("In calibration"),
    "closed": N_("Closed"),
    "ineligible": N_("Ineligible"),
    "not_completed": N_("Not completed"),
}
CATEGORY_NAMES: dict[str, str] = {
    "excellent": N_("excellent"),
    "effective": N_("effective"),
    "proper": N_("proper"),
    "satisfactory": N_("satisfactory"),
    "unsatisfactory": N_("unsatisfactory"),
    "meets": N_("meets the requirements"),
    "does_not_meet": N_("does not meet the requirements"),
}
METHOD_NAMES: dict[str, str] = {
    "kpi": N_("KPI"),
    "differentiation": N_("Differentiated evaluation"),
    "form1": N_("Form 1"),
    "form2": N_("Form 2"),
    "kpi_count": N_("KPI (year)"),
    "competencies": N_("Competencies"),
}
#: A calibration case's status (C-2 … C-8), as the calibration pages and the cycle board show it.
CASE_STATUS_NAMES: dict[str, str] = {
    "applied": N_("Application received"),
    "composed": N_("Composition approved"),
    "voted": N_("Voted, protocol signed"),
    "posted": N_("Protocol posted"),
    "closed": N_("Closed"),
}
#: A message's delivery state in the outbox (``domain.vocabulary.OutboxStatus``).
DELIVERY_STATUS_NAMES: dict[str, str] = {
    "pending": N_("waiting to be sent"),
    "retrying": N_("failed, being retried"),
    "dead": N_("not delivered (every attempt failed)"),
    "delivered": N_("delivered"),
}
#: What happened in an evaluation's life, as the HR timeline lists it (``application.queries.board.TimelineEvent``).
EVENT_KIND_NAMES: dict[str, str] = {
    "opened": N_("Opened"),
    "notice": N_("Notice sent (P-4)"),
    "submitted": N_("Sheet submitted"),
    "completed": N_("Result known"),
    "acquainted": N_("Acquainted"),
    "to_commission": N_("Submitted to the Commission"),
    "closed": N_("Closed"),
    "message": N_("Message"),
    "sheet": N_("Sheet version"),
    "review": N_("Review of the sheet (M-5)"),
    "acknowledgement": N_("Acknowledgement"),
    "refusal_act": N_("Act of refusal to acquaint (M-8)"),
    "escalation": N_("Escalation"),
    "calibration": N_("Calibration"),
    "appeal": N_("Appeal filed (M-9)"),
}
#: A timeline event's state beside its kind: a sheet version's, a review's decision (M-5).
EVENT_STATE_NAMES: dict[str, str] = {
    "current": N_("current"),
    "superseded": N_("superseded"),
    "approve": N_("approved"),
    "return": N_("returned for correction"),
}
#: What a message is about (``notifications.kinds.MessageKind``).
MESSAGE_KIND_NAMES: dict[str, str] = {
    "evaluation_notice": N_("Notice of the evaluation"),
    "sheet_request": N_("Evaluation sheet to fill in"),
    "reminder": N_("Reminder of the sheet deadline"),
    "overdue_evaluator": N_("Sheet overdue (to the evaluator)"),
    "overdue_head": N_("Sheet overdue (to the evaluator's head)"),
    "overdue_hr": N_("Sheet overdue (to HR)"),
    "period_opened_late": N_("Period opened late"),
    "result_ready": N_("Result of the evaluation"),
    "acquaintance_recorded_delivery": N_("Result, with recorded delivery"),
    "acquaintance_overdue": N_("Acquaintance overdue"),
    "disagreement_received": N_("Disagreement with the result"),
    "calibration_decided": N_("Calibration session decided"),
    "calibration_session_invitation": N_("Invitation to the calibration session"),
    "calibration_window_missed": N_("Calibration deadline missed"),
    "calibration_no_majority": N_("Calibration session without a majority"),
    "protocol_posted": N_("Protocol posted"),
    "feedback_meeting": N_("Feedback meeting"),
    "survey_360_invitation": N_("360 survey invitation"),
    "survey_360_reminder": N_("360 survey reminder"),
    "survey_360_closed": N_("360 survey closed below the minimum"),
    "commission_schedule_notice": N_("Commission meeting notice"),
    "commission_decision": N_("Commission's decision"),
    "commission_approval_request": N_("Commission's results to approve"),
    "refusal_act": N_("Act of refusal to acknowledge"),
    "appeal_window": N_("Appeal against the decision"),
    "appeal_outcome": N_("Outcome of the appeal"),
    "sunset_warning": N_("Evaluation open as the rules expire"),
    "sheet_returned": N_("Sheet returned for correction"),
    "delivery_failed": N_("Message not delivered"),
    "operator_alert": N_("Scheduled step failed"),
    "test_message": N_("Test message"),
}
TEXT_REQUIRED = N_("Write why you disagree.")
TEXT_TOO_LONG = N_("The text is too long: at most 10,000 characters.")
WITNESSES_REQUIRED = N_("Name two witnesses by their personnel numbers.")


# --- the API's shapes ----------------------------------------------------------------------------------------------


class CalibrationOut(BaseModel):
    """The calibration case (C-2 … C-7); ``score``/``category`` null where R-2 withholds them."""

    applied_on: date
    decide_by: date | None
    hold_by: date | None
    members: list[str]
    score: Decimal | None
    category: str | None
    protocol_post_by: date | None


class EvaluationOut(BaseModel):
    """One evaluation: its ``id`` and the simulation report's fields (``employee``: the personnel number);
    ``score``/``category`` are null where R-2 withholds them (``result_visible`` false)."""

    id: int
    employee: str
    full_name: str
    period: str
    method: str
    status: str
    eligible: bool
    ineligible_reason: str | None
    in_absentia: bool
    evaluator: str | None
    notice_sent_on: date | None
    deadline: date | None
    submitted_on: date | None
    score: Decimal | None
    category: str | None
    acquainted_on: date | None
    calibration: CalibrationOut | None
    result_visible: bool


class EvaluationList(BaseModel):
    """The evaluations the principal may see (of ``period`` when one was asked), by id; ``next_after`` pages on."""

    period: str | None
    evaluations: list[EvaluationOut]
    next_after: int | None


class EvaluationDetailOut(EvaluationOut):
    """One evaluation with its deadlines (C-1 acquaintance, the C-2 disagreement window), the evaluator's
    justification (D-3; null where R-2 withholds it) and what the principal may do now."""

    evaluator_name: str | None
    review: str
    completed_on: date | None
    acquaint_by: date | None
    acquaintance_method: str | None
    acknowledged_at: str | None
    disagreement_until: date | None
    disagreement_until_if_acknowledged_today: date | None
    justification: str | None
    application_text: str | None
    refusal_act_on: date | None
    appealed_on: date | None
    appeal_until: date | None
    may_acknowledge: bool
    may_disagree: bool
    may_appeal: bool
    may_draw_up_refusal: bool


class AcknowledgementOut(BaseModel):
    """C-1: acquainted on ``acquainted_on``; the C-2 window closes on ``disagreement_until``; ``already``: a repeat."""

    evaluation_id: int
    acquainted_on: date | None
    disagreement_until: date | None
    already: bool


class DisagreementIn(BaseModel):
    """Why the employee disagrees with the result (C-2)."""

    text: str = Field(min_length=1, max_length=MAX_TEXT, pattern=TEXT_PATTERN)


class DisagreementOut(BaseModel):
    """C-2 accepted: the calibration case with its C-3 (composition) and C-4 (session) dates; ``already``: the same
    application submitted again found the case it opened."""

    evaluation_id: int
    case_id: int | None
    applied_on: date
    decide_by: date | None
    hold_by: date | None
    already: bool


class AppealIn(BaseModel):
    """The appeal's text (M-9, C-9)."""

    text: str = Field(min_length=1, max_length=MAX_TEXT, pattern=TEXT_PATTERN)


class AppealOut(BaseModel):
    evaluation_ids: list[int]
    authority: str
    appeal_by: date | None


class RefusalActIn(BaseModel):
    """M-8: the two employees who sign the act with HR (personnel numbers)."""

    witnesses: list[Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]] = Field(
        min_length=2, max_length=2
    )


class RefusalActOut(BaseModel):
    evaluation_ids: list[int]
    act_ids: list[int]


def _item_out(item: queries.EvaluationItem) -> dict[str, Any]:
    calibration = None
    if item.calibration is not None:
        calibration = CalibrationOut(**{**vars(item.calibration), "members": list(item.calibration.members)})
    return {**vars(item), "calibration": calibration}


def _detail_out(detail: queries.EvaluationDetail) -> EvaluationDetailOut:
    fields = {key: value for key, value in vars(detail).items() if key not in ("item", "is_evaluatee", "today")}
    return EvaluationDetailOut(**_item_out(detail.item), **fields)


# --- shared steps --------------------------------------------------------------------------------------------------


def _detail(request: Request, env: EnvDep, principal: Principal, evaluation_id: int) -> queries.EvaluationDetail:
    """The evaluation as ``principal`` may see it; otherwise 404 and the refusal recorded (R-2)."""
    found = queries.evaluation_detail(env, principal, evaluation_id)
    if found is None:
        raise refuse(request, principal, resource=f"evaluation:{evaluation_id}")
    return found


def _own(
    request: Request, env: EnvDep, principal: Principal, evaluation_id: int, *, action: str, rule: str
) -> queries.EvaluationDetail:
    """The evaluation, which must be the principal's own (only the evaluatee acknowledges, disagrees, appeals):
    anyone else is refused as if it did not exist (404, recorded with the rule of the action)."""
    found = queries.evaluation_detail(env, principal, evaluation_id)
    if found is None or not found.is_evaluatee:
        raise refuse(request, principal, resource=f"evaluation:{evaluation_id}", action=action, rule=rule)
    return found


def _line(detail: queries.EvaluationDetail) -> str | None:
    """The method an action names: the evaluation's own, except where the Commission decided the person's lines
    together — they are acknowledged, refused and appealed together (M-8, M-9)."""
    return None if detail.review == "commission" else detail.item.method


def _acknowledge(env: EnvDep, principal: Principal, detail: queries.EvaluationDetail) -> AcknowledgementOut:
    item = detail.item
    if detail.item.acquainted_on is not None:  # C-1: acknowledged once; a second time changes nothing
        return AcknowledgementOut(
            evaluation_id=item.id,
            acquainted_on=item.acquainted_on,
            disagreement_until=detail.disagreement_until,
            already=True,
        )
    done = acknowledge(env, principal, as_of=env.clock.today(), method=_line(detail), period=item.period, via="web")
    return AcknowledgementOut(
        evaluation_id=item.id,
        acquainted_on=done.acquainted_on,
        disagreement_until=done.disagreement_until,
        already=done.already,
    )


def _disagree(env: EnvDep, principal: Principal, detail: queries.EvaluationDetail, text: str) -> DisagreementOut:
    item = detail.item
    case = item.calibration
    if case is not None and detail.application_text == text:  # the same form sent twice: the case it opened
        return DisagreementOut(
            evaluation_id=item.id,
            case_id=None,
            applied_on=case.applied_on,
            decide_by=case.decide_by,
            hold_by=case.hold_by,
            already=True,
        )
    applied = disagree(env, principal, as_of=env.clock.today(), text=text, method=item.method, period=item.period)
    return DisagreementOut(
        evaluation_id=applied.evaluation_id,
        case_id=applied.case_id,
        applied_on=applied.applied_on,
        decide_by=applied.decide_by,
        hold_by=applied.hold_by,
        already=False,
    )


def _appeal(env: EnvDep, principal: Principal, detail: queries.EvaluationDetail, text: str) -> AppealOut:
    done = appeal(env, principal, as_of=env.clock.today(), text=text, method=_line(detail))
    return AppealOut(evaluation_ids=list(done.evaluation_ids), authority=done.authority, appeal_by=done.appeal_by)


def _refusal_act(
    request: Request, env: EnvDep, principal: Principal, evaluation_id: int, witnesses: list[str]
) -> RefusalActOut:
    """M-8: HR draws up the act; someone who may not even see the evaluation is refused (404, recorded)."""
    detail = _detail(request, env, principal, evaluation_id)
    item = detail.item
    done = refuse_acquaintance(
        env, principal, as_of=env.clock.today(), employee=item.employee, witnesses=witnesses, method=_line(detail)
    )
    return RefusalActOut(evaluation_ids=list(done.evaluation_ids), act_ids=list(done.act_ids))


# --- the API -------------------------------------------------------------------------------------------------------

PeriodQuery = Annotated[
    str | None,
    Query(max_length=16, pattern=PRINTABLE, description="a quarter YYYY-Qn (2025-Q1) or a year YYYY (2025)"),
]


def _bad_period(message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"loc": ["query", "period"], "msg": message, "type": "value_error"}]}, status_code=422
    )


@api.get("", response_model=EvaluationList, summary="The evaluations the principal may see (R-2), by period")
def list_api(
    env: EnvDep,
    principal: CurrentPrincipal,
    period: PeriodQuery = None,
    mine: Annotated[bool, Query(description="only the principal's own evaluations")] = False,
    after: Annotated[int | None, Query(ge=0, le=2**31 - 1, description="the page after this id")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE_SIZE)] = queries.PAGE_SIZE,
) -> EvaluationList | JSONResponse:
    try:
        found = queries.visible_evaluations(env, principal, period=period, mine=mine, after=after, limit=limit)
    except queries.BadPeriod as exc:
        return _bad_period(str(exc))
    return EvaluationList(
        period=found.period,
        evaluations=[EvaluationOut(**_item_out(item)) for item in found.evaluations],
        next_after=found.next_after,
    )


@api.get("/{evaluation_id}", response_model=EvaluationDetailOut, summary="One evaluation (R-2), with its deadlines")
def detail_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, evaluation_id: EvaluationId
) -> EvaluationDetailOut:
    return _detail_out(_detail(request, env, principal, evaluation_id))


@api.post(
    "/{evaluation_id}/acknowledgement",
    response_model=AcknowledgementOut,
    summary="The evaluatee acknowledges the result (C-1); again: nothing changes",
)
def acknowledge_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, evaluation_id: EvaluationId
) -> AcknowledgementOut:
    detail = _own(request, env, principal, evaluation_id, action="acknowledge", rule="C-1")
    return _acknowledge(env, principal, detail)


@api.post(
    "/{evaluation_id}/disagreement",
    response_model=DisagreementOut,
    status_code=201,
    summary="The evaluatee disagrees within the C-2 window: a calibration case opens",
    responses={200: {"model": DisagreementOut, "description": "the same application sent again: the case it opened"}},
)
def disagree_api(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    application: Annotated[DisagreementIn, Body()],
) -> DisagreementOut | JSONResponse:
    detail = _own(request, env, principal, evaluation_id, action="disagree", rule="C-2")
    done = _disagree(env, principal, detail, application.text)
    if done.already:
        return JSONResponse(done.model_dump(mode="json"), status_code=200)
    return done


@api.post(
    "/{evaluation_id}/appeal",
    response_model=AppealOut,
    status_code=201,
    summary="The evaluatee appeals the Commission's decision (M-9) or a calibration decision (C-9)",
)
def appeal_api(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    text: Annotated[AppealIn, Body()],
) -> AppealOut:
    detail = _own(request, env, principal, evaluation_id, action="appeal", rule="M-9")
    return _appeal(env, principal, detail, text.text)


@api.post(
    "/{evaluation_id}/refusal-act",
    response_model=RefusalActOut,
    status_code=201,
    summary="HR draws up the act of a refusal to acknowledge the Commission's results (M-8)",
)
def refusal_act_api(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    act: Annotated[RefusalActIn, Body()],
) -> RefusalActOut:
    return _refusal_act(request, env, principal, evaluation_id, list(act.witnesses))


# --- the pages -----------------------------------------------------------------------------------------------------


@pages.get("/ack/{evaluation_id}")
def ack_link(login: CurrentLogin, evaluation_id: EvaluationId) -> Response:
    """The link of every result notice: after the login (``next`` keeps it), the result's page, where the
    evaluatee acknowledges it (opening a link changes nothing by itself)."""
    return RedirectResponse(f"/evaluations/{evaluation_id}", status_code=303)


@pages.get("/evaluations")
def my_evaluations(request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal) -> Response:
    """ "My evaluations": the person's own evaluations, newest first, with their result and what awaits them."""
    found = queries.visible_evaluations(env, principal, mine=True, limit=queries.MAX_PAGE_SIZE)
    listed = sorted(found.evaluations, key=lambda item: (item.period, item.id), reverse=True)
    return pages_.render(request, "evaluations.html", evaluations=listed, **_names())


def _names() -> dict[str, Any]:
    return {"status_names": STATUS_NAMES, "category_names": CATEGORY_NAMES, "method_names": METHOD_NAMES}


def _detail_page(
    request: Request,
    pages_: PagesDep,
    detail: queries.EvaluationDetail,
    *,
    status_code: int = 200,
    error: str | None = None,
    rule: str | None = None,
    done: str | None = None,
    text: str = "",
) -> Response:
    if request.headers.get("HX-Boosted") == "true":
        status_code = 200  # a boosted form: htmx swaps only a 2xx answer; the message beside the form says it all
    return pages_.render(
        request,
        "evaluation.html",
        status_code=status_code,
        detail=detail,
        item=detail.item,
        error=error,
        rule=rule,
        done=done,
        text=text,
        **_names(),
    )


DONE = {"acknowledged", "disagreed", "appealed", "act"}


@pages.get("/evaluations/{evaluation_id}")
def evaluation_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    done: Annotated[str | None, Query(max_length=16, pattern=PRINTABLE)] = None,
) -> Response:
    """One evaluation: the result, category and the evaluator's justification (R-2), the acknowledgement button
    and the disagreement form with the last day of the C-2 window."""
    detail = _detail(request, env, principal, evaluation_id)
    return _detail_page(request, pages_, detail, done=done if done in DONE else None)


def _after(evaluation_id: int, done: str) -> Response:
    return RedirectResponse(f"/evaluations/{evaluation_id}?done={done}", status_code=303)


def _text_problem(text: str) -> str | None:
    if not text.strip():
        return TEXT_REQUIRED
    if len(text) > MAX_TEXT or "\x00" in text:
        return TEXT_TOO_LONG if len(text) > MAX_TEXT else TEXT_REQUIRED
    return None


@pages.post("/evaluations/{evaluation_id}/acknowledge")
def acknowledge_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, evaluation_id: EvaluationId
) -> Response:
    """C-1 from the page; a second click changes nothing."""
    detail = _own(request, env, principal, evaluation_id, action="acknowledge", rule="C-1")
    try:
        _acknowledge(env, principal, detail)
    except Rejected as exc:
        return _detail_page(request, pages_, detail, status_code=422, error=pages_.say(request, exc), rule=exc.rule)
    return _after(evaluation_id, "acknowledged")


@pages.post("/evaluations/{evaluation_id}/disagree")
def disagree_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    text: Annotated[str, Form()] = "",
) -> Response:
    """C-2 from the page: refused with the rule named beside the form (the text kept), else the case is open."""
    return _text_action(request, env, pages_, principal, evaluation_id, text, "disagree", "C-2", _disagree, "disagreed")


@pages.post("/evaluations/{evaluation_id}/appeal")
def appeal_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    text: Annotated[str, Form()] = "",
) -> Response:
    """M-9 / C-9 from the page."""
    return _text_action(request, env, pages_, principal, evaluation_id, text, "appeal", "M-9", _appeal, "appealed")


def _text_action(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: Principal,
    evaluation_id: int,
    text: str,
    action: str,
    rule: str,
    act: Callable[[EnvDep, Principal, queries.EvaluationDetail, str], Any],
    done: str,
) -> Response:
    """An employee's statement with a text (disagreement, appeal): refused with the rule named beside the form (the
    text kept), else acted on and the result page shown again."""
    detail = _own(request, env, principal, evaluation_id, action=action, rule=rule)
    problem = _text_problem(text)
    kept = text[:MAX_TEXT].replace("\x00", "")
    if problem is not None:
        return _detail_page(request, pages_, detail, status_code=422, error=problem, rule=rule, text=kept)
    try:
        act(env, principal, detail, text)
    except Rejected as exc:
        return _detail_page(
            request, pages_, detail, status_code=422, error=pages_.say(request, exc), rule=exc.rule, text=kept
        )
    return _after(evaluation_id, done)


@pages.post("/evaluations/{evaluation_id}/refusal-act")
def refusal_act_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: CurrentPrincipal,
    evaluation_id: EvaluationId,
    witness_1: Annotated[str, Form(max_length=64)] = "",
    witness_2: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """M-8 from the page (HR): the act with its two witnesses."""
    detail = _detail(request, env, principal, evaluation_id)
    witnesses = [value.strip() for value in (witness_1, witness_2) if value.strip()]
    if len(witnesses) != 2:
        return _detail_page(request, pages_, detail, status_code=422, error=WITNESSES_REQUIRED, rule="M-8")
    try:
        _refusal_act(request, env, principal, evaluation_id, witnesses)
    except Rejected as exc:
        return _detail_page(request, pages_, detail, status_code=422, error=pages_.say(request, exc), rule=exc.rule)
    return _after(evaluation_id, "act")
