"""Downloads: a document as a PDF and the results of a period as XLSX (issue 15), for the logged-in person.

``GET /documents/{kind}/{id}.pdf?language=kk`` — kind ``sheet``, ``protocol``, ``commission_protocol``,
``refusal_act``, ``report_360`` (id: the survey) or ``notice``; id: the evaluation (the results export's ``id``).
``GET /exports/results.xlsx?body=nchr&period=2025-Q1`` — one row per evaluation whose result the person may see.

R-2 is the domain predicate, asked by ``application.queries.documents``: a document the person may not see is
answered 404, exactly as one that does not exist, and the refusal is recorded (``web.deps.refuse``). The routes
are plain functions: FastAPI runs them in its thread pool, so typst and openpyxl never block the event loop.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from application.errors import Rejected
from application.queries.documents import DocumentNotFound, DocumentRefused, result_rows, scope
from application.queries.documents import document as build_document
from documents.pdf import render_pdf, suggested_filename
from documents.xlsx import write_results
from domain.errors import Phrase
from domain.periods import Period
from domain.vocabulary import Language
from web.deps import PRINTABLE, CurrentLogin, CurrentPrincipal, EnvDep, refuse

router = APIRouter(include_in_schema=False)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ID = 2**63 - 1


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


@router.get("/documents/{kind}/{document_id}.pdf")
def document_pdf(
    request: Request,
    env: EnvDep,
    login: CurrentLogin,
    principal: CurrentPrincipal,
    kind: str,
    document_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    language: Annotated[Language | None, Query()] = None,
) -> Response:
    """One document as a PDF in the language asked for (default: the person's)."""
    lang = language or login.language
    try:
        view = build_document(env, principal, kind, document_id, lang)
    except DocumentRefused:
        raise refuse(request, principal, resource=f"document:{kind}:{document_id}") from None
    except DocumentNotFound:
        raise HTTPException(404) from None
    return Response(render_pdf(view), media_type=PDF, headers=_attachment(suggested_filename(view)))


@router.get("/exports/results.xlsx")
def results_xlsx(
    request: Request,
    env: EnvDep,
    principal: CurrentPrincipal,
    period: Annotated[str, Query(max_length=40, pattern=PRINTABLE, description="2025-Q1 … 2025-Q4, or 2025")],
    body: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
    language: Annotated[Language | None, Query()] = None,
) -> Response:
    """The results of a quarter (or a year with its quarters) of a body: the rows ``principal`` may see (R-2)."""
    try:
        label = Period.parse(period.strip()).label
    except ValueError:  # a 422 in the person's language (the schedule's sentence), naming the forms a period takes
        raise Rejected(Phrase("{label} is not a period: 2025-Q1 … 2025-Q4 or 2025", label=repr(period[:40]))) from None
    try:
        where = scope(env, body, label)
    except Rejected:
        raise HTTPException(404) from None
    found, hidden = result_rows(env, principal, where)
    if not found and hidden:
        raise refuse(request, principal, resource=f"results:{where.body_code}:{label}")
    with tempfile.TemporaryDirectory(prefix="bagalau-export-") as folder:
        target = FilePath(folder) / "results.xlsx"
        write_results(found, target, language=language)
        content = target.read_bytes()
    name = f"results-{where.body_code}-{label}.xlsx"
    return Response(content, media_type=XLSX, headers=_attachment(name))
