"""PDF documents through typst: one template per document under ``documents/templates``, data passed as JSON.

typst is a self-contained typesetter (a Rust library in the ``typst`` wheel, with its own fonts: Libertinus Serif,
New Computer Modern, DejaVu Sans Mono); it needs no system library and reads no system font (we pass
``ignore_system_fonts``), so a document comes out the same on every machine. No template imports a typst package,
so nothing is ever downloaded (docs/decisions/0040-pdf-renderer.md).

Each view is first turned into a *payload*: a JSON object of plain strings already formatted for the document's
language (labels from :mod:`documents.labels`, numbers and dates from :mod:`documents.formatting`). The template
reads it from ``sys.inputs.data`` and inserts the strings as text, never as markup, so user text such as
``#set``, ``*``, ``$``, ``]`` or ``<script>`` prints literally.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import typst

from documents.charts import radar_for
from documents.formatting import format_date, format_number, format_percent, format_period, format_score
from documents.labels import label, method_name, result_name, sanction_name
from documents.views import (
    CalibrationProtocol,
    CommissionProtocol,
    CompetencySheet,
    Document,
    KpiCountSheet,
    KpiSheet,
    ParameterSheet,
    RefusalAct,
    Report360,
    Requisites,
    ResultNotice,
    Signature,
    SignerRole,
)
from domain.vocabulary import Language, Method, ResultCategory

TEMPLATES = Path(__file__).parent / "templates"
Payload = dict[str, Any]
OutputFormat = Literal["pdf", "png", "svg"]


class RenderError(RuntimeError):
    """typst refused a template (a bug in Bagalau, never in the user's data): the message names the template."""


# --- public API ----------------------------------------------------------------------------------------------


def template_of(document: Document) -> str:
    """The template file that lays out ``document``."""
    return _BUILDERS[type(document)][0]


def payload(document: Document) -> Payload:
    """The JSON object a template reads: every string formatted for ``document.requisites.language``."""
    return _BUILDERS[type(document)][1](document)


def compile_document(
    document: Document, *, fmt: OutputFormat = "pdf", ppi: float = 110.0
) -> tuple[bytes | list[bytes], list[str]]:
    """``document`` compiled by typst, and typst's warnings (a template bug, such as an unknown font: none allowed
    by the tests). PDF is one ``bytes``; PNG and SVG are one ``bytes`` per page (previews for pages)."""
    data = json.dumps(payload(document), ensure_ascii=False)
    source = TEMPLATES / template_of(document)
    try:
        result, warnings = typst.compile_with_warnings(
            str(source),
            root=str(TEMPLATES),
            format=fmt,
            ppi=ppi if fmt == "png" else None,
            sys_inputs={"data": data},
            ignore_system_fonts=True,
        )
    except typst.TypstError as error:
        raise RenderError(f"template {source.name}: {error}") from None
    return result, [str(warning) for warning in warnings]


def render_pages(document: Document, *, fmt: Literal["png", "svg"] = "png", ppi: float = 110.0) -> list[bytes]:
    """One PNG (or SVG) per page of ``document``: a preview a web page can show without a PDF viewer."""
    result = compile_document(document, fmt=fmt, ppi=ppi)[0]
    return [result] if isinstance(result, bytes) else list(result)


def render_pdf(document: Document) -> bytes:
    """``document`` as a PDF (A4)."""
    result = compile_document(document, fmt="pdf")[0]
    assert isinstance(result, bytes)
    return result


def suggested_filename(document: Document, *, suffix: str = "pdf") -> str:
    """A download name that says what the file is: ``sheet-2025-Q1-c7c74b5a.kk.pdf`` (kind, period, hash, language)."""
    req = document.requisites
    short = (document.content_hash or "unsigned")[:8]
    return f"{document.kind.value}-{req.period}-{short}.{req.language.value}.{suffix}"


def write_pdf(document: Document, path: str | Path) -> Path:
    """Write ``document`` as a PDF file and return its path."""
    target = Path(path)
    target.write_bytes(render_pdf(document))
    return target


# --- payload pieces ------------------------------------------------------------------------------------------


def _base(document: Document, title: str, *, appendix: bool = True) -> Payload:
    req = document.requisites
    lang = req.language
    return {
        "lang": lang.value,
        "title": title,
        "confidential": label("confidential", lang),
        "generated": label("generated", lang),
        "appendix": _appendix(req) if appendix and req.appendix is not None else None,
        "footer": {
            "hash_label": label("hash", lang),
            "hash": document.content_hash or "—",
            "page": label("page", lang),
        },
        "signatures": _signatures(document.signatures, lang, kind=type(document)),
    }


def _appendix(req: Requisites) -> Payload:
    """The block at the top right: "… әдістемесіне 4-қосымша" (kk: number last), "Приложение 4 к Методике …"."""
    number, to = label("appendix", req.language, n=req.appendix), label("appendix_to", req.language)
    lines = [to, number] if req.language == Language.KK else [number, to]
    return {"lines": lines, "form": label("form", req.language)}


def _signatures(items: Sequence[Signature], lang: Language, *, kind: type) -> list[Payload]:
    rows = []
    for item in items:
        key = "sign.panel_member" if kind is CalibrationProtocol and item.role == SignerRole.MEMBER else None
        rows.append(
            {
                "role": label(key or f"sign.{item.role.value}", lang),
                "name": item.name,
                "name_hint": label("sign.name_hint", lang),
                "date": format_date(item.signed_on, lang) if item.signed_on else "",
                "date_label": label("sign.date", lang),
                "mark": label("sign.eds", lang) if item.electronic and item.signed_on else "",
                "signature_label": label("sign.signature", lang),
            }
        )
    return rows


def _period_row(req: Requisites) -> list[str]:
    key = "year" if "-" not in req.period else "period"
    return [label(key, req.language), format_period(req.period, req.language)]


def _person_value(full_name: str, position: str = "", category: str = "") -> str:
    detail = ", ".join(part for part in (position, category) if part)
    return f"{full_name} ({detail})" if detail else full_name


def _category(category: ResultCategory, lang: Language, method: Method | None, override: str | None) -> str:
    return override or result_name(category, lang, method=method)


def _optional(text: str) -> str | None:
    return text if text.strip() else None


def _extra_requisites(req: Requisites) -> list[list[str]]:
    rows = []
    if req.number:
        rows.append([label("doc_number", req.language), req.number])
    if req.drawn_up_on:
        rows.append([label("drawn_up_on", req.language), format_date(req.drawn_up_on, req.language)])
    if req.place:
        rows.append([label("place", req.language), req.place])
    return rows


# --- evaluation sheets -----------------------------------------------------------------------------------------


def _parameter_sheet(sheet: ParameterSheet) -> Payload:
    req, lang = sheet.requisites, sheet.requisites.language
    quarterly = sheet.method in (Method.FORM1, Method.FORM2)
    data = _base(sheet, label(f"sheet.title.{sheet.method.value}", lang))
    data["requisites"] = [
        [label("body", lang), req.body_name],
        [label("evaluatee", lang), _person_value(sheet.evaluatee.full_name, sheet.evaluatee.position)],
        [label("unit", lang), sheet.evaluatee.unit],
        _period_row(req),
        [label("evaluator", lang), _person_value(sheet.evaluator.full_name, sheet.evaluator.position)],
        *_extra_requisites(req),
    ]
    score_header = label("sheet.score_0_5_star" if quarterly else "sheet.score_0_5", lang)
    data["table"] = {
        "headers": [
            label("sheet.parameters", lang),
            label("sheet.criteria_003" if quarterly else "sheet.criteria", lang),
            score_header,
            label("sheet.comment", lang),
        ],
        "rows": [
            {
                "name": f"{line.number}. {line.name}",
                "criteria": _bullets(line.criteria),
                "score": format_score(line.score, lang),
                "comment": line.comment,
            }
            for line in sheet.parameters
        ],
        "average_label": label("average_score", lang),
        "average": format_score(sheet.average, lang),
    }
    data["quarterly"] = quarterly
    data["average_note"] = label("sheet.average_note", lang)
    data["zero_note"] = label("sheet.zero_note", lang) if quarterly else None
    data["cap_lines"] = _cap_lines(sheet, lang)
    data["in_absentia"] = label("in_absentia", lang) if sheet.in_absentia else None
    data["final_label"] = label("final_score", lang)
    data["final"] = format_score(sheet.score, lang)
    data["result_label"] = label("result", lang)
    data["result"] = _category(sheet.category, lang, sheet.method, sheet.category_name)
    data["result_basis"] = label("result_basis", lang)
    data["justification_label"] = label("sheet.justification", lang)
    data["justification"] = _optional(sheet.justification)
    return data


def _bullets(text: str) -> str:
    """The forms' inline lists ("Есепке алынады: - …; - …") one item a line."""
    return text.replace(" - ", "\n– ")


def _cap_lines(sheet: ParameterSheet, lang: Language) -> list[str]:
    """Q-3: the sanction, the cap it sets, and whether the average was lowered to it."""
    cap = sheet.cap
    if cap is None:
        return []
    values = {"average": format_score(sheet.average, lang), "score": format_score(sheet.score, lang)}
    return [
        label(
            "sheet.cap",
            lang,
            sanction=sanction_name(cap.sanction, lang),
            date=format_date(cap.imposed_on, lang),
            max=format_score(cap.max_score, lang),
        ),
        label("sheet.cap_applied" if cap.applied else "sheet.cap_not_applied", lang, **values),
    ]


def _kpi_sheet(sheet: KpiSheet) -> Payload:
    req, lang = sheet.requisites, sheet.requisites.language
    data = _base(sheet, label("kpi.title", lang))
    data["requisites"] = [
        [label("body", lang), req.body_name],
        [label("evaluatee", lang), _person_value(sheet.evaluatee.full_name, sheet.evaluatee.position)],
        [label("unit", lang), sheet.evaluatee.unit],
        _period_row(req),
        [label("evaluator", lang), _person_value(sheet.evaluator.full_name, sheet.evaluator.position)],
        *_extra_requisites(req),
    ]
    lower = label("kpi.lower_is_better", lang)
    data["table"] = {
        "headers": [
            label("number_row", lang),
            label("kpi.name", lang),
            label("kpi.unit", lang),
            label("kpi.plan", lang),
            label("kpi.actual", lang),
            label("kpi.achievement", lang),
            label("kpi.allowed", lang),
            label("kpi.score", lang),
        ],
        "rows": [
            {
                "number": str(line.number),
                "name": line.name + (f" {lower}" if line.direction == "lower" else ""),
                "unit": line.unit,
                "plan": format_number(line.plan, lang),
                "actual": format_number(line.actual, lang),
                "achievement": format_percent(line.achievement_pct, lang),
                "allowed": _allowed(line.allowed_min, line.allowed_max, lang),
                "score": format_score(line.score, lang),
            }
            for line in sheet.kpis
        ],
    }
    data["range_note"] = label("kpi.range_note", lang)
    data["count_label"] = label("kpi.count", lang)
    data["count"] = str(sheet.kpi_count)
    data["final_label"] = label("final_score", lang)
    data["final"] = format_score(sheet.score, lang)
    data["final_note"] = label("kpi.final_note", lang)
    data["result_label"] = label("result", lang)
    data["result"] = _category(sheet.category, lang, Method.KPI, sheet.category_name)
    data["result_basis"] = label("result_basis", lang)
    data["in_absentia"] = label("in_absentia", lang) if sheet.in_absentia else None
    return data


def _allowed(low: Decimal, high: Decimal, lang: Language) -> str:
    return format_score(low, lang) if low == high else f"{format_score(low, lang)}–{format_score(high, lang)}"


def _approve(lang: Language, role_key: str, name: str, on: Any) -> Payload:
    return {
        "title": label("approve", lang),
        "role": label(role_key, lang),
        "name": name,
        "name_hint": label("sign.name_hint", lang),
        "date_label": label("sign.date", lang),
        "date": format_date(on, lang) if on else "",
        "signature_label": label("sign.signature", lang),
    }


def _kpi_count_sheet(sheet: KpiCountSheet) -> Payload:
    req, lang = sheet.requisites, sheet.requisites.language
    data = _base(sheet, label("kpi.title", lang))
    data["approve"] = (
        _approve(lang, "sign.superior_head", sheet.approver.full_name, sheet.approved_on) if sheet.approver else None
    )
    data["requisites"] = [
        [label("body", lang), req.body_name],
        [label("evaluatee", lang), _person_value(sheet.evaluatee.full_name, sheet.evaluatee.position)],
        [label("unit", lang), sheet.evaluatee.unit],
        _period_row(req),
        [label("evaluator", lang), _person_value(sheet.evaluator.full_name, sheet.evaluator.position)],
        *_extra_requisites(req),
    ]
    data["table"] = {
        "headers": [
            label("number_row", lang),
            label("kpi.name", lang),
            label("kpi.unit", lang),
            label("kpi.plan", lang),
            label("kpi.actual", lang),
            label("kpicount.achieved_column", lang),
        ],
        "rows": [
            {
                "number": str(line.number),
                "name": line.name,
                "unit": line.unit,
                "plan": _value(line.plan, lang),
                "actual": _value(line.actual, lang),
                "achieved": label("kpicount.achieved" if line.achieved else "kpicount.not_achieved", lang),
            }
            for line in sheet.kpis
        ],
    }
    data["summary_label"] = label("kpicount.summary_label", lang)
    data["summary"] = label("kpicount.summary", lang, achieved=sheet.achieved_count, total=len(sheet.kpis))
    data["result_label"] = label("result", lang)
    data["result"] = _category(sheet.category, lang, Method.KPI_COUNT, sheet.category_name)
    return data


def _value(value: Decimal | str, lang: Language) -> str:
    return format_number(value, lang) if isinstance(value, Decimal) else value


def _competency_sheet(sheet: CompetencySheet) -> Payload:
    req, lang = sheet.requisites, sheet.requisites.language
    data = _base(sheet, label("comp.title", lang))
    data["requisites"] = [
        [label("body", lang), req.body_name],
        [label("evaluatee", lang), sheet.evaluatee.full_name],
        [label("position", lang), _person_value(sheet.evaluatee.position, sheet.evaluatee.category)],
        [label("unit", lang), sheet.evaluatee.unit],
        _period_row(req),
        [label("evaluator", lang), _person_value(sheet.evaluator.full_name, sheet.evaluator.position)],
        *_extra_requisites(req),
    ]
    meets, does_not = ResultCategory.MEETS, ResultCategory.DOES_NOT_MEET
    data["table"] = {
        "headers": [
            label("number_row", lang),
            label("comp.name", lang),
            label("comp.result", lang),
            label("comp.observed", lang),
            label("comp.not_observed", lang),
        ],
        "rows": [
            {
                "number": str(line.number),
                "name": line.name if line.rated else f"{line.name}*",
                "result": result_name(meets if line.meets else does_not, lang) if line.rated else "—",
                "observed": f"{len(line.observed)} / {line.total}" if line.rated else "—",
                "not_observed": [] if line.meets or not line.rated else list(line.not_observed),
            }
            for line in sheet.competencies
        ],
    }
    data["threshold_note"] = label("comp.threshold_note", lang)
    data["public_note"] = label("comp.public_note", lang)
    data["result_label"] = label("result", lang)
    data["result"] = _category(sheet.category, lang, Method.COMPETENCIES, sheet.category_name)
    return data


# --- reviews ---------------------------------------------------------------------------------------------


def _calibration_protocol(protocol: CalibrationProtocol) -> Payload:
    req, lang = protocol.requisites, protocol.requisites.language
    data = _base(protocol, label("cal.title", lang))
    score = format_score(protocol.final_score, lang)
    disputed = format_score(protocol.disputed_score, lang)
    disputed_name = result_name(protocol.disputed_category, lang, method=protocol.method)
    data["requisites"] = [
        [label("body", lang), req.body_name],
        *_extra_requisites(req),
        [label("evaluatee", lang), _person_value(protocol.evaluatee.full_name, protocol.evaluatee.position)],
        [label("unit", lang), protocol.evaluatee.unit],
        _period_row(req),
        [label("method", lang), method_name(protocol.method, lang)],
        [label("evaluator", lang), _person_value(protocol.evaluator.full_name, protocol.evaluator.position)],
        [label("cal.disputed", lang), f"{disputed} — {disputed_name}"],
        [label("cal.applied_on", lang), format_date(protocol.applied_on, lang)],
        [label("cal.appointing_official", lang), protocol.appointing_official.full_name],
        [label("cal.composed_on", lang), format_date(protocol.composed_on, lang)],
        [label("cal.held_on", lang), format_date(protocol.held_on, lang)],
    ]
    data["employee_argument_label"] = label("cal.employee_argument", lang)
    data["employee_argument"] = _optional(protocol.employee_argument)
    data["composition_label"] = label("cal.composition", lang)
    votes = {vote.member: vote for vote in protocol.votes}
    hr_mark = label("cal.hr_mark", lang)
    data["table"] = {
        "headers": [label(key, lang) for key in ("number_row", "cal.member", "cal.vote", "cal.argument")],
        "rows": [
            {
                "number": str(i),
                "name": member.full_name,
                "position": " ".join(part for part in (member.position, hr_mark if member.is_hr else "") if part),
                "vote": format_score(votes[member.full_name].score, lang) if member.full_name in votes else "—",
                "argument": votes[member.full_name].argument if member.full_name in votes else "",
            }
            for i, member in enumerate(protocol.members, start=1)
        ],
    }
    majority = label("cal.majority", lang, votes=protocol.majority, members=len(protocol.members))
    data["decision"] = label("cal.decision", lang, majority=majority, score=score)
    changed = protocol.final_score != protocol.disputed_score
    data["change"] = (
        label("cal.changed", lang, before=disputed, after=score) if changed else label("cal.unchanged", lang)
    )
    data["result_label"] = label("result", lang)
    data["result"] = result_name(protocol.final_category, lang, method=protocol.method)
    data["post_by"] = label("cal.post_by", lang, date=format_date(protocol.post_by, lang)) if protocol.post_by else None
    return data


def _commission_protocol(protocol: CommissionProtocol) -> Payload:
    req, lang = protocol.requisites, protocol.requisites.language
    data = _base(protocol, label("com.title", lang))
    data["approve"] = _approve(lang, "sign.appointing_official", protocol.approved_by.full_name, protocol.approved_on)
    data["body"] = req.body_name
    data["body_hint"] = label("com.body_hint", lang)
    data["period"] = format_period(req.period, lang)
    data["period_hint"] = label("com.period_hint", lang)
    data["requisites"] = [[label("com.meeting_date", lang), format_date(protocol.meeting_date, lang)]]
    data["requisites"] += _extra_requisites(req)
    data["composition_label"] = label("com.composition", lang)
    data["members"] = [
        {
            "role": label(f"com.role.{member.role}", lang),
            "name": _person_value(member.full_name, member.position),
            "present": label("com.present" if member.present else "com.absent", lang),
        }
        for member in protocol.members
    ]
    verdict = label("com.quorum_met" if protocol.quorum_met else "com.quorum_not_met", lang)
    data["quorum"] = label(
        "com.quorum",
        lang,
        total=len(protocol.voting_members),
        present=protocol.present_voting,
        required=protocol.quorum_required,
        verdict=verdict,
    )
    data["results_label"] = label("com.results", lang)
    data["table"] = {
        "headers": [
            label("number_row", lang),
            label("com.employee", lang),
            label("com.result_info", lang),
            label("com.votes", lang),
            label("com.corrected", lang),
            label("com.recommendations", lang),
        ],
        "rows": [
            {
                "number": f"{line.number}.",
                "name": line.employee.full_name,
                "position": _person_value(line.employee.position, line.employee.category),
                "result": _commission_result(line.method, line.result, line.result_detail, lang),
                "votes": f"{line.votes_approve} / {line.votes_revise}" + (" *" if line.casting_vote else ""),
                "corrected": result_name(line.corrected, lang, method=line.method) if line.corrected else "—",
                "recommendations": line.recommendations,
            }
            for line in protocol.lines
        ],
    }
    casting = any(line.casting_vote for line in protocol.lines)
    data["casting_note"] = label("com.casting_vote", lang) if casting else None
    data["conclusion_label"] = label("com.conclusion", lang)
    data["conclusion"] = _optional(protocol.conclusion)
    data["checked_label"] = label("checked", lang)
    return data


def _commission_result(method: Method, result: ResultCategory, detail: str, lang: Language) -> str:
    text = f"{method_name(method, lang)}: {result_name(result, lang, method=method)}"
    return f"{text} ({detail})" if detail else text


def _refusal_act(act: RefusalAct) -> Payload:
    req, lang = act.requisites, act.requisites.language
    data = _base(act, label("act.title", lang), appendix=False)
    data["head"] = [
        [label("body", lang), req.body_name],
        *_extra_requisites(req),
        [label("act.drawn_up_by", lang), _person_value(act.hr.full_name, act.hr.position)],
        [label("act.witnesses", lang), "; ".join(_person_value(w.full_name, w.position) for w in act.witnesses)],
    ]
    data["statement"] = label("act.statement", lang)
    result = _category(act.result, lang, act.method, act.category_name)
    if act.score is not None:
        result = f"{format_score(act.score, lang)} — {result}"
    data["requisites"] = [
        [label("employee", lang), act.employee.full_name],
        [label("position", lang), _person_value(act.employee.position, act.employee.category)],
        [label("unit", lang), act.employee.unit],
        _period_row(req),
        [label("method", lang), method_name(act.method, lang)],
        [label("result", lang), result],
        [label("act.refused_on", lang), format_date(act.refused_on, lang)],
    ]
    data["circumstances_label"] = label("act.circumstances", lang)
    data["circumstances"] = _optional(act.statement)
    data["consequence"] = label("act.consequence", lang)
    return data


# --- 360 and the notice ---------------------------------------------------------------------------------


def _report_360(report: Report360) -> Payload:
    req, lang = report.requisites, report.requisites.language
    data = _base(report, label(f"r360.title.{report.form}", lang))
    data["subtitle"] = label(f"r360.subtitle.{report.form}", lang)
    who = "r360.evaluatee.heads" if report.form == "heads" else "evaluatee"
    data["requisites"] = [
        [label("body", lang), req.body_name],
        [label(who, lang), report.evaluatee.full_name],
        [label("position", lang), _person_value(report.evaluatee.position, report.evaluatee.category)],
        [label("unit", lang), report.evaluatee.unit],
        _period_row(req),
        [label("r360.respondents", lang), str(report.respondents)],
        *_extra_requisites(req),
    ]
    data["table"] = {
        "headers": [
            label("number", lang),
            label("r360.competency", lang),
            label("r360.average", lang),
            label("r360.self", lang),
        ],
        "rows": [
            {
                "number": str(line.number),
                "name": line.name,
                "average": format_score(line.average, lang),
                "self": format_score(line.self_score, lang) if line.self_score is not None else "—",
            }
            for line in report.competencies
        ],
        "overall_label": label("r360.overall", lang),
        "overall": format_score(report.overall, lang),
    }
    data["radar_label"] = label("r360.radar", lang)
    data["radar_svg"] = radar_for(report, fmt="svg", axis_labels="numbers").decode("utf-8")
    data["note"] = label("r360.note", lang)
    data["anonymous"] = label("r360.anonymous", lang)
    data["result_label"] = label("result", lang)
    data["result"] = report.result or "—"
    return data


def _result_notice(notice: ResultNotice) -> Payload:
    req, lang = notice.requisites, notice.requisites.language
    data = _base(notice, label("notice.title", lang), appendix=False)
    data["head"] = [
        [label("body", lang), req.body_name],
        *_extra_requisites(req),
        [label("employee", lang), notice.employee.full_name],
        [label("position", lang), _person_value(notice.employee.position, notice.employee.category)],
        [label("unit", lang), notice.employee.unit],
    ]
    data["greeting"] = label("notice.greeting", lang, name=notice.employee.full_name)
    data["intro"] = label("notice.intro", lang, period=format_period(req.period, lang))
    rows = [
        _period_row(req),
        [label("method", lang), method_name(notice.method, lang)],
        [label("evaluator", lang), notice.evaluator],
        [label("notice.completed_on", lang), format_date(notice.completed_on, lang)],
    ]
    if notice.score is not None:
        rows.append([label("final_score", lang), format_score(notice.score, lang)])
    if notice.calibrated_score is not None:
        rows.append([label("notice.calibrated", lang), format_score(notice.calibrated_score, lang)])
    if notice.acquaint_by is not None:
        rows.append([label("notice.acquaint_by", lang), format_date(notice.acquaint_by, lang)])
    data["requisites"] = rows
    category = notice.calibrated_category or notice.category
    data["result_label"] = label("result", lang)
    data["result"] = _category(category, lang, notice.method, notice.category_name)
    data["disagree"] = label(
        f"notice.disagree.{notice.review}",
        lang,
        date=format_date(notice.disagree_until, lang) if notice.disagree_until else "—",
        official=notice.appointing_official or "—",
    )
    return data


_BUILDERS: dict[type, tuple[str, Callable[[Any], Payload]]] = {
    ParameterSheet: ("sheet_parameters.typ", _parameter_sheet),
    KpiSheet: ("sheet_kpi.typ", _kpi_sheet),
    KpiCountSheet: ("sheet_kpi_count.typ", _kpi_count_sheet),
    CompetencySheet: ("sheet_competencies.typ", _competency_sheet),
    CalibrationProtocol: ("calibration_protocol.typ", _calibration_protocol),
    CommissionProtocol: ("commission_protocol.typ", _commission_protocol),
    RefusalAct: ("refusal_act.typ", _refusal_act),
    Report360: ("report_360.typ", _report_360),
    ResultNotice: ("result_notice.typ", _result_notice),
}
