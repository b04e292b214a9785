"""The panels and the 360 survey (issue 10): the calibration session (C-3…C-8), the Evaluation Commission (M-7, M-8)
and the anonymous 360 survey (T-1…T-8) — pages and their JSON twins under ``/api/v1``.

Every read goes through :mod:`application.queries.panels` / :mod:`application.queries.surveys` (R-2 decided there by
the one predicate); a case, a meeting line or a survey that is not the person's to see is answered 404 and the
refusal recorded (:func:`web.deps.refuse`). Every change is an ``application.actions`` call: a refusal of the rules
is 422 ``{"rule", "detail"}`` in the API and the same sentence on the page, nothing changed.

Double submits are harmless: a vote equal to the one already cast, or the composition already approved, answers
as the first did (nothing recorded twice); a second, different vote is refused by C-6 (a member votes once).

Anonymity (T-8): no page and no answer here says who answered a survey or what; the evaluatee's report gives the
number of respondents and the averages only, once the survey is closed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.actions.appeals import hold_feedback_meeting
from application.actions.attendance import record_attendance
from application.actions.calibration import calibration_vote, compose_calibration
from application.actions.commission import commission_vote, refuse_acquaintance, schedule_commission
from application.actions.commission_results import approve_commission_results
from application.actions.survey import respond_360
from application.environment import Environment
from application.errors import Rejected
from application.queries import panels as panel_queries
from application.queries import surveys as survey_queries
from domain.access import Principal
from domain.errors import Phrase
from web.deps import PRINTABLE, CurrentLogin, CurrentPrincipal, EnvDep, PagesDep, current_login, refuse
from web.i18n import N_
from web.rendering import Pages
from web.routes.api import REJECTED, UNAUTHORIZED, Problem
from web.routes.evaluations import CASE_STATUS_NAMES
from web.routes.hr import RowId

REFUSED: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    **REJECTED,
    404: {"model": Problem, "description": "not yours to see (R-2, recorded), or nothing there"},
}
api = APIRouter(prefix="/api/v1", tags=["panels"], dependencies=[Depends(current_login)], responses=REFUSED)
pages = APIRouter(include_in_schema=False)

#: Free text: lines and tabs allowed, no other control character (PostgreSQL text holds no NUL).
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Number = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE, examples=["E2"])]

ROLE_IN_CASE: dict[str, str] = {
    "official": N_("Appointing official"),
    "member": N_("Member of the session"),
    "employee": N_("Employee who disagrees"),
    "evaluator": N_("Evaluator"),
    "hr": N_("HR service"),
}
DECISION_NAMES: dict[str, str] = {"approve": N_("approve"), "revise": N_("revise")}
METHOD_NAMES: dict[str, str] = {"kpi_count": N_("KPIs achieved (M-4)"), "competencies": N_("Competencies (M-6)")}


def _json(value: Any, status_code: int = 200) -> JSONResponse:
    data = dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value
    if isinstance(value, list):
        data = [
            dataclasses.asdict(item) if dataclasses.is_dataclass(item) and not isinstance(item, type) else item
            for item in value
        ]
    # scores as exact decimal strings (docs/decisions/0070), never floats
    return JSONResponse(jsonable_encoder(data, custom_encoder={Decimal: str}), status_code=status_code)


def _today(env: Environment) -> date:
    return env.clock.today()


# --- calibration (C-3…C-8) -----------------------------------------------------------------------------------------


class MembersIn(BaseModel):
    """The members the appointing official seats (personnel numbers), C-5."""

    members: list[Number] = Field(max_length=50)


class VoteIn(BaseModel):
    """A member's vote for a score on the S-1 scale (C-6), with an optional argument."""

    score: Decimal = Field(max_digits=8, decimal_places=4, examples=["4.00"])
    argument: str | None = Field(default=None, max_length=4000, pattern=TEXT)


class Problems(BaseModel):
    """C-5 checked before submitting: what is wrong with a proposed composition (empty: it may be submitted)."""

    problems: list[str]


def _case(request: Request, env: Environment, principal: Principal, case_id: int) -> panel_queries.CaseView:
    found = panel_queries.calibration_case(env, principal, case_id)
    if found is None:
        raise refuse(request, principal, resource=f"calibration:{case_id}")
    return found


def _compose(
    request: Request, env: Environment, principal: Principal, case_id: int, members: list[str]
) -> panel_queries.CaseView:
    case = _case(request, env, principal, case_id)
    if case.status == "composed" and [m.number for m in case.members] == list(dict.fromkeys(members)):
        return case  # the same composition again (a double submit): nothing to change
    compose_calibration(
        env,
        principal,
        as_of=_today(env),
        employee=case.employee.number,
        members=members,
        method=case.method,
        period=case.period,
    )
    return _case(request, env, principal, case_id)


def _vote(
    request: Request, env: Environment, principal: Principal, case_id: int, score: Decimal, argument: str | None
) -> panel_queries.CaseView:
    case = _case(request, env, principal, case_id)
    if case.my_vote is not None and case.my_vote == score:
        return case  # the same vote again (a double submit): recorded once
    calibration_vote(
        env,
        principal,
        as_of=_today(env),
        employee=case.employee.number,
        score=score,
        method=case.method,
        period=case.period,
        argument=argument or None,
    )
    return _case(request, env, principal, case_id)


def _feedback(request: Request, env: Environment, principal: Principal, case_id: int) -> panel_queries.CaseView:
    case = _case(request, env, principal, case_id)
    if case.feedback_held_on is not None and case.feedback_held_on == _today(env):
        return case  # recorded today already (a double submit): nothing to change
    hold_feedback_meeting(env, principal, as_of=_today(env), employee=case.employee.number)
    return _case(request, env, principal, case_id)


@api.get("/calibration", summary="The calibration cases one may follow (R-2: progress at least)")
def cases_api(env: EnvDep, principal: CurrentPrincipal) -> JSONResponse:
    return _json(panel_queries.calibration_cases(env, principal))


@api.get("/calibration/{case_id}", summary="One calibration case: members, dates; votes and scores only under R-2")
def case_api(request: Request, env: EnvDep, principal: CurrentPrincipal, case_id: RowId) -> JSONResponse:
    return _json(_case(request, env, principal, case_id))


@api.post(
    "/calibration/{case_id}/composition/check",
    response_model=Problems,
    summary="C-5 checked before submitting a composition (nothing recorded)",
)
def check_composition_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, case_id: RowId, proposal: Annotated[MembersIn, Body()]
) -> Problems:
    _case(request, env, principal, case_id)
    return Problems(problems=panel_queries.composition_problems(env, principal, case_id, proposal.members))


@api.post(
    "/calibration/{case_id}/composition", summary="The appointing official approves the session's members (C-3, C-5)"
)
def compose_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, case_id: RowId, proposal: Annotated[MembersIn, Body()]
) -> JSONResponse:
    return _json(_compose(request, env, principal, case_id, proposal.members))


@api.post("/calibration/{case_id}/votes", summary="A member votes for a score, once (C-6)")
def vote_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, case_id: RowId, vote: Annotated[VoteIn, Body()]
) -> JSONResponse:
    return _json(_vote(request, env, principal, case_id, vote.score, vote.argument))


@api.post(
    "/calibration/{case_id}/feedback",
    summary="The evaluator records the feedback meeting held today with the employee (C-8)",
)
def feedback_api(request: Request, env: EnvDep, principal: CurrentPrincipal, case_id: RowId) -> JSONResponse:
    return _json(_feedback(request, env, principal, case_id))


def _case_page(
    request: Request,
    pages_: Pages,
    case: panel_queries.CaseView,
    *,
    error: str | None = None,
    status_code: int = 200,
    done: str | None = None,
    ticked: list[str] | None = None,
) -> Response:
    """The case's page; ``ticked``: the members of a refused composition, ticked again so that one box changes it."""
    return pages_.render(
        request,
        "calibration_case.html",
        status_code=status_code,
        case=case,
        error=error,
        done=done,
        status_names=CASE_STATUS_NAMES,
        ticked=ticked if ticked is not None else [member.number for member in case.members],
    )


@pages.get("/calibration")
def cases_page(request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal) -> Response:
    """The calibration cases one takes part in or follows."""
    found = panel_queries.calibration_cases(env, principal)
    return pages_.render(
        request, "calibration_list.html", cases=found, status_names=CASE_STATUS_NAMES, role_names=ROLE_IN_CASE
    )


@pages.get("/calibration/{case_id}")
def case_page(
    request: Request,
    env: EnvDep,
    pages_: PagesDep,
    principal: CurrentPrincipal,
    case_id: RowId,
    done: str | None = None,
) -> Response:
    """One case: composition (C-5 shown before submitting), the vote (C-6), the protocol (C-7), feedback (C-8)."""
    return _case_page(request, pages_, _case(request, env, principal, case_id), done=done if done in DONE else None)


DONE = {"feedback", "composed", "voted", "answered", "scheduled", "attendance", "refusal", "approved"}


async def _form_list(request: Request, name: str) -> list[str]:
    form = await request.form()
    return [str(value)[:64] for value in form.getlist(name) if isinstance(value, str) and value.strip()]


@pages.post("/calibration/{case_id}/composition/check")
async def check_composition_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, case_id: RowId
) -> Response:
    """htmx: the C-5 problems of the members ticked so far (a fragment; nothing recorded)."""
    members = await _form_list(request, "members")
    await run_in_threadpool(_case, request, env, principal, case_id)
    try:
        problems = await run_in_threadpool(panel_queries.composition_problems, env, principal, case_id, members)
    except Rejected as refusal:  # not the appointing official: the reason, in the fragment's place
        problems = [pages_.say(request, refusal)]
    return pages_.render(request, "calibration_check.html", problems=problems, count=len(set(members)))


@pages.post("/calibration/{case_id}/composition")
async def compose_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, case_id: RowId
) -> Response:
    members = await _form_list(request, "members")
    try:
        await run_in_threadpool(_compose, request, env, principal, case_id, members)
    except Rejected as refusal:
        case = await run_in_threadpool(_case, request, env, principal, case_id)
        said = pages_.say(request, refusal)
        return _case_page(request, pages_, case, error=said, status_code=422, ticked=members)
    return RedirectResponse(f"/calibration/{case_id}?done=composed", status_code=303)


@pages.post("/calibration/{case_id}/vote")
async def vote_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, case_id: RowId
) -> Response:
    form = await request.form()
    raw = str(form.get("score") or "").strip().replace(",", ".")[:32]
    argument = str(form.get("argument") or "")[:4000] or None
    try:
        score = Decimal(raw)
        if not score.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        case = await run_in_threadpool(_case, request, env, principal, case_id)
        message = Phrase(
            "score: {raw!r} is not a number; a score on the scale {scale_low}–{scale_high} (C-6)",
            raw=raw,
            scale_low=case.scale_low,
            scale_high=case.scale_high,
        )
        return _case_page(request, pages_, case, error=message, status_code=422)
    try:
        await run_in_threadpool(_vote, request, env, principal, case_id, score, argument)
    except Rejected as refusal:
        case = await run_in_threadpool(_case, request, env, principal, case_id)
        return _case_page(request, pages_, case, error=pages_.say(request, refusal), status_code=422)
    return RedirectResponse(f"/calibration/{case_id}?done=voted", status_code=303)


@pages.post("/calibration/{case_id}/feedback")
async def feedback_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, case_id: RowId
) -> Response:
    try:
        await run_in_threadpool(_feedback, request, env, principal, case_id)
    except Rejected as refusal:
        case = await run_in_threadpool(_case, request, env, principal, case_id)
        return _case_page(request, pages_, case, error=pages_.say(request, refusal), status_code=422)
    return RedirectResponse(f"/calibration/{case_id}?done=feedback", status_code=303)


# --- the Evaluation Commission (M-7, M-8) ---------------------------------------------------------------------------


class MeetingIn(BaseModel):
    meeting_date: date


class AttendanceIn(BaseModel):
    present: list[Number] = Field(min_length=1, max_length=50)


class CommissionVoteIn(BaseModel):
    """``approve`` the result, or ``revise`` it to ``result`` (M-7, M-4/M-6)."""

    decision: str = Field(min_length=1, max_length=16, pattern=PRINTABLE, examples=["approve"])
    result: str | None = Field(default=None, max_length=32, pattern=PRINTABLE, examples=["effective"])


class WitnessesIn(BaseModel):
    witnesses: list[Number] = Field(max_length=10)


def _commission(request: Request, env: Environment, principal: Principal) -> panel_queries.CommissionView:
    found = panel_queries.commission_view(env, principal)
    if found is None:
        raise refuse(request, principal, resource="commission")
    return found


def _line(request: Request, env: Environment, principal: Principal, evaluation_id: int) -> tuple[str, str]:
    found = panel_queries.commission_line_employee(env, principal, evaluation_id)
    if found is None:
        raise refuse(request, principal, resource=f"commission:evaluation:{evaluation_id}")
    return found


def _commission_vote(
    request: Request, env: Environment, principal: Principal, evaluation_id: int, decision: str, result: str | None
) -> panel_queries.CommissionView:
    employee, method = _line(request, env, principal, evaluation_id)
    view = _commission(request, env, principal)
    line = next(line for line in view.lines if line.evaluation_id == evaluation_id)
    if line.my_vote is not None and line.my_vote == (result or decision):
        return view  # the same vote again (a double submit): recorded once
    commission_vote(
        env, principal, as_of=_today(env), employee=employee, decision=decision, result=result or None, method=method
    )
    return _commission(request, env, principal)


def _refusal_act(
    request: Request, env: Environment, principal: Principal, evaluation_id: int, witnesses: list[str]
) -> Any:
    employee, method = _line(request, env, principal, evaluation_id)
    return refuse_acquaintance(env, principal, as_of=_today(env), employee=employee, witnesses=witnesses, method=method)


def _approve_results(request: Request, env: Environment, principal: Principal, meeting_id: int) -> Any:
    """M-7: the appointing official approves the meeting's results; a meeting not of the body is 404 (recorded); a
    person who sees the Commission but is not its appointing official is refused by the action (422, M-7)."""
    view = _commission(request, env, principal)
    if not any(meeting.id == meeting_id for meeting in view.meetings):
        raise refuse(request, principal, resource=f"commission:meeting:{meeting_id}")
    return approve_commission_results(env, principal, as_of=_today(env), meeting_id=meeting_id)


@api.get("/commission", summary="The Evaluation Commission of one's body: meetings, lines, votes (R-2)")
def commission_api(request: Request, env: EnvDep, principal: CurrentPrincipal) -> JSONResponse:
    return _json(_commission(request, env, principal))


@api.post("/commission/meetings", status_code=201, summary="HR sets the meeting date, N working days ahead (M-7)")
def schedule_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, meeting: Annotated[MeetingIn, Body()]
) -> JSONResponse:
    _commission(request, env, principal)
    done = schedule_commission(env, principal, as_of=_today(env), meeting_date=meeting.meeting_date)
    return _json(done, status_code=201)


@api.post("/commission/attendance", summary="The secretary or HR records the members present today (M-7)")
def attendance_api(
    request: Request, env: EnvDep, principal: CurrentPrincipal, attendance: Annotated[AttendanceIn, Body()]
) -> JSONResponse:
    _commission(request, env, principal)
    return _json(record_attendance(env, principal, as_of=_today(env), present=attendance.present))


@api.post("/commission/evaluations/{evaluation_id}/votes", summary="A member's open vote on a result (M-7)")
def commission_vote_api(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    evaluation_id: RowId,
    vote: Annotated[CommissionVoteIn, Body()],
) -> JSONResponse:
    return _json(_commission_vote(request, env, principal, evaluation_id, vote.decision, vote.result))


@api.post(
    "/commission/evaluations/{evaluation_id}/refusal-act",
    summary="HR draws up the act of an employee's refusal to acknowledge, with two witnesses (M-8)",
)
def refusal_act_api(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    evaluation_id: RowId,
    act: Annotated[WitnessesIn, Body()],
) -> JSONResponse:
    return _json(_refusal_act(request, env, principal, evaluation_id, act.witnesses))


@api.post(
    "/commission/meetings/{meeting_id}/approval",
    summary="The appointing official approves the meeting's results, recorded in its protocol (M-7)",
    description=(
        "004 §39: the results the Commission decided take effect only when the body's appointing official approves "
        "them: the evaluations are completed that day, acquaintance is due within 2 working days (M-8), the appeal "
        "window runs 10 working days from it (M-9) and the employees are told. Refused with 422 naming M-7 before "
        "the meeting's vote is closed, with no decision to approve, or for anyone but the appointing official; 404 "
        "(recorded) for whoever has no part in the Commission. Sent twice, it answers the first approval with "
        '`"already": true` and changes nothing.'
    ),
)
def approve_results_api(request: Request, env: EnvDep, principal: CurrentPrincipal, meeting_id: RowId) -> JSONResponse:
    return _json(_approve_results(request, env, principal, meeting_id))


def _commission_page(
    request: Request,
    pages_: Pages,
    view: panel_queries.CommissionView,
    *,
    error: str | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    return pages_.render(
        request,
        "commission.html",
        status_code=status_code,
        view=view,
        error=error,
        done=done,
        decision_names=DECISION_NAMES,
        method_names=METHOD_NAMES,
    )


@pages.get("/commission")
def commission_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, done: str | None = None
) -> Response:
    """The Commission: schedule (M-7 notice days shown), attendance, votes (chair's casting vote), refusal act."""
    return _commission_page(request, pages_, _commission(request, env, principal), done=done if done in DONE else None)


async def _commission_action(
    request: Request, env: Environment, pages_: Pages, principal: Principal, work: Any, done: str
) -> Response:
    try:
        await run_in_threadpool(work)
    except Rejected as refusal:
        view = await run_in_threadpool(_commission, request, env, principal)
        return _commission_page(request, pages_, view, error=pages_.say(request, refusal), status_code=422)
    return RedirectResponse(f"/commission?done={done}", status_code=303)


@pages.post("/commission/schedule")
async def schedule_page(request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal) -> Response:
    form = await request.form()
    await run_in_threadpool(_commission, request, env, principal)
    raw = str(form.get("meeting_date") or "")[:32]
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        view = await run_in_threadpool(_commission, request, env, principal)
        message = Phrase("meeting_date: {raw!r} is not a date (YYYY-MM-DD) (M-7)", raw=raw)
        return _commission_page(request, pages_, view, error=message, status_code=422)

    def work() -> Any:
        return schedule_commission(env, principal, as_of=_today(env), meeting_date=day)

    return await _commission_action(request, env, pages_, principal, work, "scheduled")


@pages.post("/commission/attendance")
async def attendance_page(request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal) -> Response:
    present = await _form_list(request, "present")
    await run_in_threadpool(_commission, request, env, principal)

    def work() -> Any:
        return record_attendance(env, principal, as_of=_today(env), present=present)

    return await _commission_action(request, env, pages_, principal, work, "attendance")


@pages.post("/commission/evaluations/{evaluation_id}/vote")
async def commission_vote_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, evaluation_id: RowId
) -> Response:
    form = await request.form()
    choice = str(form.get("choice") or "")[:32]
    decision, result = ("approve", None) if choice == "approve" else ("revise", choice or None)

    def work() -> Any:
        return _commission_vote(request, env, principal, evaluation_id, decision, result)

    return await _commission_action(request, env, pages_, principal, work, "voted")


@pages.post("/commission/meetings/{meeting_id}/approval")
async def approve_results_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, meeting_id: RowId
) -> Response:
    """The appointing official's "Approve the results" (M-7); a double submit lands on the same page."""

    def work() -> Any:
        return _approve_results(request, env, principal, meeting_id)

    return await _commission_action(request, env, pages_, principal, work, "approved")


@pages.post("/commission/evaluations/{evaluation_id}/refusal-act")
async def refusal_act_page(
    request: Request, env: EnvDep, pages_: PagesDep, principal: CurrentPrincipal, evaluation_id: RowId
) -> Response:
    form = await request.form()
    witnesses = [str(form.get(name) or "").strip()[:64] for name in ("witness1", "witness2")]
    witnesses = [w for w in witnesses if w]

    def work() -> Any:
        return _refusal_act(request, env, principal, evaluation_id, witnesses)

    return await _commission_action(request, env, pages_, principal, work, "refusal")


# --- the 360 survey (T-1…T-8) ---------------------------------------------------------------------------------------


Answer = Annotated[str | int, Field(examples=["mostly"])]


class AnswersIn(BaseModel):
    """Competency id → one answer per question, in order: never, rarely, half, mostly, always, or their points
    (T-2, T-3). Stored without who answered (T-8)."""

    answers: dict[Annotated[str, Field(max_length=64, pattern=PRINTABLE)], list[Answer]] = Field(max_length=40)


class AnsweredOut(BaseModel):
    """The answer sheet was stored; nothing says whose it is (T-8)."""

    survey_id: int
    answered: bool
    self_assessment: bool


def _questionnaire(request: Request, env: Environment, login: Any, survey_id: int) -> survey_queries.Questionnaire:
    found = survey_queries.questionnaire(env, login.principal, survey_id, login.language.value)
    if found is None:
        raise refuse(request, login.principal, resource=f"survey:{survey_id}")
    return found


def _answer(
    request: Request, env: Environment, login: Any, survey_id: int, answers: dict[str, list[Any]]
) -> AnsweredOut:
    form = _questionnaire(request, env, login, survey_id)
    invitation = form.invitation
    done = respond_360(
        env,
        login.principal,
        as_of=_today(env),
        evaluatee=invitation.evaluatee,
        answers=answers,
        year=invitation.year,
    )
    return AnsweredOut(survey_id=done.survey_id, answered=True, self_assessment=done.self_assessment)


@api.get("/surveys", summary="The 360 surveys one is asked to answer, and one's own self-assessment (T-4, T-5)")
def surveys_api(env: EnvDep, principal: CurrentPrincipal) -> JSONResponse:
    return _json(survey_queries.my_surveys(env, principal))


@api.get("/surveys/reports", summary="One's own 360 reports once published (T-6); never who answered (T-8)")
def reports_api(env: EnvDep, login: CurrentLogin) -> JSONResponse:
    return _json(survey_queries.my_reports(env, login.principal, login.language.value))


@api.get("/surveys/{survey_id}", summary="The questionnaire of a survey one is asked to answer (T-2, T-3)")
def questionnaire_api(request: Request, env: EnvDep, login: CurrentLogin, survey_id: RowId) -> JSONResponse:
    return _json(_questionnaire(request, env, login, survey_id))


@api.post(
    "/surveys/{survey_id}/answers",
    status_code=201,
    response_model=AnsweredOut,
    summary="Answer a survey once, while it is open (T-1, T-4, T-5); stored without who answered (T-8)",
)
def answer_api(
    request: Request, env: EnvDep, login: CurrentLogin, survey_id: RowId, body: Annotated[AnswersIn, Body()]
) -> AnsweredOut:
    return _answer(request, env, login, survey_id, dict(body.answers))


@pages.get("/surveys")
def surveys_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, done: str | None = None
) -> Response:
    """The surveys one is asked to answer, one's self-assessment, and one's own published reports."""
    invitations = survey_queries.my_surveys(env, login.principal)
    reports = survey_queries.my_reports(env, login.principal, login.language.value)
    return pages_.render(
        request,
        "surveys.html",
        invitations=invitations,
        reports=reports,
        done=done if done in DONE else None,
    )


@pages.get("/surveys/{survey_id}")
def questionnaire_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, survey_id: RowId
) -> Response:
    """The questionnaire: every question of every competency, one of five answers each (T-2, T-3)."""
    return pages_.render(
        request, "survey_form.html", form=_questionnaire(request, env, login, survey_id), error=None, chosen={}
    )


@pages.post("/surveys/{survey_id}")
async def answer_page(
    request: Request, env: EnvDep, pages_: PagesDep, login: CurrentLogin, survey_id: RowId
) -> Response:
    form = await request.form()
    questionnaire = await run_in_threadpool(_questionnaire, request, env, login, survey_id)
    chosen: dict[str, str] = {}
    answers: dict[str, list[Any]] = {}
    missing = 0
    for block in questionnaire.competencies:
        given = []
        for index in range(len(block.questions)):
            key = f"{block.id}.{index}"
            value = form.get(key)
            if isinstance(value, str) and value:
                chosen[key] = value[:16]
                given.append(value[:16])
            else:
                missing += 1
        answers[block.id] = given
    error = None
    if missing:
        unanswered = Rejected.by_rule(
            "T-3",
            Phrase(
                "answers: {missing} question(s) left without an answer; every question takes one answer (T-3)",
                missing=missing,
            ),
        )
        error = pages_.say(request, unanswered)
    else:
        try:
            await run_in_threadpool(_answer, request, env, login, survey_id, answers)
        except Rejected as refusal:
            error = pages_.say(request, refusal)
    if error is not None:
        questionnaire = await run_in_threadpool(_questionnaire, request, env, login, survey_id)
        return pages_.render(
            request, "survey_form.html", status_code=422, form=questionnaire, error=error, chosen=chosen
        )
    return RedirectResponse("/surveys?done=answered", status_code=303)
