"""The JSON report of ``bagalau simulate``: the Output section of ``../shared/SCENARIOS.md``, field for field.

Key order is the contract's; dates are ISO; a value not reached yet is ``null``; scores are exact decimals inside
and JSON numbers rounded half-up to two decimals outside (4.25, 4.0). :meth:`Report.to_json` sorts every list,
so that two runs of the same scenario write the same bytes.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from domain.vocabulary import Method, ResultCategory

TWO_PLACES = Decimal("0.01")


def _exact(value: Any) -> Any:
    """Floats become the decimal they print as (4.1, not 4.0999…); everything else is left to pydantic."""
    return Decimal(str(value)) if isinstance(value, float) else value


def two_decimals(value: Decimal) -> Decimal:
    """How the report shows a score: two decimals, half up (S-1 with the law's two decimals)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _json_number(value: Decimal) -> float:
    return float(two_decimals(value))


Score = Annotated[Decimal, BeforeValidator(_exact), PlainSerializer(_json_number, return_type=float, when_used="json")]
Period = Annotated[str, Field(pattern=r"^\d{4}(-Q[1-4])?$", description="2025-Q1 or 2025")]


class Entry(BaseModel):
    """Base of every report entry: the contract's fields only."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CalibrationOutcome(Entry):
    """A calibration case (C-2…C-7): its deadlines, panel and result."""

    applied_on: date
    decide_by: date | None = None  # C-3
    hold_by: date | None = None  # C-4
    members: list[str] | None = None  # C-5, once composed
    score: Score | None = None  # C-6, once every member voted
    category: ResultCategory | None = None
    protocol_post_by: date | None = None  # C-7, from the day the last member voted


class Evaluation(Entry):
    """One (employee, period, method) the cycle considered, eligible or not."""

    employee: str
    period: Period
    method: Method
    eligible: bool
    ineligible_reason: str | None = None
    in_absentia: bool = False
    evaluator: str | None = None
    notice_sent_on: date | None = None
    deadline: date | None = None
    submitted_on: date | None = None
    score: Score | None = None
    category: ResultCategory | None = None
    acquainted_on: date | None = None
    calibration: CalibrationOutcome | None = None
    status: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="v2: where the evaluation stands (snake_case); not_completed when its rulebook part expired "
        "before it finished (M-10). Appended after the v1 fields; left out of the JSON while not known.",
    )

    @model_serializer(mode="wrap")
    def _status_only_when_known(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """v2 ``status`` follows the v1 fields and is written once known, so a v1 report reads byte for byte."""
        data: dict[str, Any] = handler(self)
        if data.get("status") is None:
            data.pop("status", None)
        return data

    @field_validator("method")
    @classmethod
    def _not_the_survey(cls, value: Method) -> Method:
        if value == Method.SURVEY_360:
            raise ValueError("the 360 survey is reported in survey_360, not as an evaluation")
        return value


class AnnualResult(Entry):
    """P-3: the annual final score, the average of the year's quarterly scores."""

    employee: str
    year: int
    score: Score | None = None
    category: ResultCategory | None = None


class Survey360Result(Entry):
    """T-6: per competency, the average of the respondents' points; the self-assessment apart (T-5)."""

    employee: str
    year: int
    respondents: int = Field(ge=0)
    averages: dict[str, Score] = Field(default_factory=dict)
    self_assessment: dict[str, Score] | None = Field(default=None, alias="self")


class Notification(Entry):
    """A message handed to a channel; the first notice of an evaluation is ``evaluation_notice``."""

    to: str
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    channel: str
    date: date


class Escalation(Entry):
    """A missed deadline escalated: ``about`` whom, ``to`` whom (evaluator → their head → HR)."""

    about: str
    to: str
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    date: date


class Rejection(Entry):
    """An event the rules refused: its index in the input, its date, and the reason with the rule id."""

    event: int = Field(ge=0)
    date: date
    reason: str = Field(min_length=1)


class Report(Entry):
    """The whole report of one simulation."""

    rulebook: str
    evaluations: list[Evaluation] = Field(default_factory=list)
    annual: list[AnnualResult] = Field(default_factory=list)
    survey_360: list[Survey360Result] = Field(default_factory=list)
    notifications: list[Notification] = Field(default_factory=list)
    escalations: list[Escalation] = Field(default_factory=list)
    rejections: list[Rejection] = Field(default_factory=list)

    def in_order(self) -> Report:
        """The same report with every list in its canonical order (ids compared naturally: E2 before E10)."""
        return self.model_copy(
            update={
                "evaluations": sorted(self.evaluations, key=lambda e: (e.period, _natural(e.employee), e.method)),
                "annual": sorted(self.annual, key=lambda a: (a.year, _natural(a.employee))),
                "survey_360": sorted(self.survey_360, key=lambda s: (s.year, _natural(s.employee))),
                "notifications": sorted(self.notifications, key=lambda n: (n.date, _natural(n.to), n.kind, n.channel)),
                "escalations": sorted(
                    self.escalations, key=lambda e: (e.date, _natural(e.about), _natural(e.to), e.kind)
                ),
                "rejections": sorted(self.rejections, key=lambda r: (r.event, r.date)),
            }
        )

    def to_json(self) -> str:
        """The report as the contract's JSON, lists in canonical order, ending with a newline."""
        data = self.in_order().model_dump(mode="json", by_alias=True)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_report(report: Report, path: str | Path) -> None:
    """Write the report as JSON to ``path``, or to standard output when ``path`` is ``-``."""
    text = report.to_json()
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    Path(path).write_text(text, encoding="utf-8")


def _natural(text: str) -> tuple[Any, ...]:
    """A sort key that orders the digit runs of an id as numbers: E2 < E10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))
