"""A plain-text summary of a simulation report, for people reading a terminal (``bagalau simulate --summary``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from itertools import groupby

from bagalau.simulate.report import Evaluation, Report, two_decimals

DASH = "—"
Label = Callable[[str | None], str]


def render_summary(report: Report, names: Mapping[str, str] | None = None) -> str:
    """The report as text: a table per period, the annual and 360 results, notices, escalations, rejections.

    ``names`` (employee id → name) is optional; ids are shown alone without it.
    """
    report = report.in_order()
    names = names or {}
    who = _who(names)
    sections = [f"Simulation report — rulebook {report.rulebook}"]
    for period, rows in groupby(report.evaluations, key=lambda evaluation: evaluation.period):
        sections.append(_period_table(period, list(rows), who))
    if not report.evaluations:
        sections.append("No evaluation was considered.")
    if report.annual:
        sections.append(
            _table(
                "Annual final scores (P-3)",
                ["who", "year", "score", "category"],
                [[who(a.employee), str(a.year), _score(a.score), a.category or DASH] for a in report.annual],
            )
        )
    if report.survey_360:
        sections.append(
            _table(
                "360 survey (T-6)",
                ["who", "year", "respondents", "weakest competency"],
                [[who(s.employee), str(s.year), str(s.respondents), _weakest(s.averages)] for s in report.survey_360],
            )
        )
    sections.append(_notices(report))
    sections.append(
        _table(
            f"Escalations: {len(report.escalations)}",
            ["date", "kind", "about", "to"],
            [[e.date.isoformat(), e.kind, who(e.about), who(e.to)] for e in report.escalations],
        )
    )
    sections.append(
        _table(
            f"Rejected events: {len(report.rejections)}",
            ["event", "date", "reason"],
            [[f"#{r.event}", r.date.isoformat(), r.reason] for r in report.rejections],
        )
    )
    return "\n\n".join(sections) + "\n"


def _who(names: Mapping[str, str]) -> Label:
    def label(employee_id: str | None) -> str:
        if employee_id is None:
            return DASH
        name = names.get(employee_id)
        return f"{employee_id} {name}" if name else employee_id

    return label


def _period_table(period: str, rows: list[Evaluation], who: Label) -> str:
    header = ["who", "method", "evaluator", "score", "category", "calibrated"]
    lines = []
    for evaluation in rows:
        if not evaluation.eligible:
            result = f"not evaluated: {evaluation.ineligible_reason or 'ineligible'}"
            lines.append([who(evaluation.employee), evaluation.method, DASH, DASH, result, DASH])
            continue
        category = evaluation.category or ("not submitted" if evaluation.submitted_on is None else DASH)
        if evaluation.in_absentia:
            category += " (in absentia)"
        lines.append(
            [
                who(evaluation.employee),
                evaluation.method,
                who(evaluation.evaluator),
                _score(evaluation.score),
                category,
                _calibrated(evaluation),
            ]
        )
    return _table(f"Period {period}", header, lines)


def _calibrated(evaluation: Evaluation) -> str:
    calibration = evaluation.calibration
    if calibration is None:
        return DASH
    if calibration.score is None:
        return f"pending (applied {calibration.applied_on.isoformat()})"
    return f"{_score(calibration.score)} {calibration.category or ''}".strip()


def _notices(report: Report) -> str:
    counts = Counter(notification.kind for notification in report.notifications)
    by_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
    return f"Notices sent: {len(report.notifications)}" + (f" ({by_kind})" if by_kind else "")


def _weakest(averages: Mapping[str, Decimal]) -> str:
    if not averages:
        return DASH
    competency = min(averages, key=lambda key: (averages[key], key))
    return f"{competency} {_score(averages[competency])}"


def _score(value: Decimal | None) -> str:
    return DASH if value is None else str(two_decimals(value))


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A title, then left-aligned columns as wide as their widest cell; just the title when there are no rows."""
    if not rows:
        return title
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [title]
    for row in [header, *rows]:
        lines.append(
            "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        )
    return "\n".join(lines)
