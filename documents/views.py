"""What each document shows, and nothing else: frozen, typed view models built by ``application.queries``.

A view is the content of one document in one language (``requisites.language``): texts that come from a rulebook
(parameter, KPI and competency names) are already in that language; numbers are :class:`~decimal.Decimal` as
``domain.scoring`` computes them (already rounded by S-1's one rule), dates are :class:`~datetime.date`. The
renderers (:mod:`documents.pdf`, :mod:`documents.xlsx`, :mod:`documents.charts`) format them per language and
add the fixed wording of the forms from :mod:`documents.labels`. Nothing here reads a database or a file.

R-2 (who may see a document) is decided before a view is built (``domain.access.visibility``); R-3 (who signed
what, when, and the hash of the signed content) is carried by :class:`Signature` and ``content_hash``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from math import ceil
from typing import ClassVar, Literal

from domain.vocabulary import Language, Method, ResultCategory, SanctionKind

# --- common parts ------------------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    """The documents of ``bagalau export document KIND ID`` (issue 15)."""

    SHEET = "sheet"  # evaluation sheet of any method (000 app. 2/4, 003 forms 1/2, 004 app. 2/3)
    PROTOCOL = "protocol"  # calibration session protocol (C-6)
    COMMISSION_PROTOCOL = "commission_protocol"  # Commission meeting protocol (004 app. 5, 002 app. 11)
    REFUSAL_ACT = "refusal_act"  # act of refusal of acquaintance (M-8)
    REPORT_360 = "report_360"  # individual 360 report (000 app. 7/8, T-6)
    NOTICE = "notice"  # the employee's result notice (C-1, M-8)


class SignerRole(StrEnum):
    """In which capacity someone signs a document (R-3)."""

    EVALUATEE = "evaluatee"
    EVALUATOR = "evaluator"
    SUPERIOR_HEAD = "superior_head"  # M-5: agrees with the sheet ("БЕКІТЕМІН" on 004 app. 2)
    HR = "hr"
    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"
    APPOINTING_OFFICIAL = "appointing_official"
    WITNESS = "witness"


@dataclass(frozen=True)
class Person:
    """A person as a document names them: full name, position title, position category code, unit."""

    full_name: str
    position: str = ""
    category: str = ""  # canonical position category code, e.g. C-3 (METHODOLOGY "Position categories")
    unit: str = ""


@dataclass(frozen=True)
class Signature:
    """R-3: who signs, in which capacity, and when; ``signed_on`` None prints an empty line to sign on paper."""

    role: SignerRole
    name: str
    signed_on: date | None = None
    electronic: bool = False  # certified by an electronic digital signature (003 forms)


@dataclass(frozen=True)
class Requisites:
    """The heading facts of every document: the state body, the period, the language, the form followed.

    ``period`` is a period label (``2025-Q1`` or ``2025``). ``appendix`` is the number of the methodology's
    appendix whose form the document follows (000 app. 4 → 4); None for documents the law leaves free-form
    (the refusal act of M-8, the result notice).
    """

    body_name: str
    period: str
    language: Language
    appendix: int | None = None
    number: str = ""  # the document's registration number, if any
    drawn_up_on: date | None = None  # the date printed on the document
    place: str = ""  # where it was drawn up (acts, protocols)


# --- evaluation sheets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterLine:
    """One parameter of a differentiation sheet (D-2) or of 003 forms 1/2 (Q-2) and the score it got."""

    number: int
    name: str
    criteria: str  # the form's "Критерийлер" / "Толтыру кезінде түсініктеме" column
    score: Decimal
    comment: str = ""  # the evaluator's optional comment on this parameter (003 forms)


@dataclass(frozen=True)
class SanctionCap:
    """Q-3: a disciplinary sanction of the quarter caps the score at ``max_score`` (2.99 or 1.99)."""

    sanction: SanctionKind
    imposed_on: date
    max_score: Decimal
    applied: bool  # True when the average was above the cap and the final score was lowered to it


@dataclass(frozen=True)
class ParameterSheet:
    """Evaluation sheet by parameters: differentiation (000 app. 4, D-3) or 003 form 1 / form 2 (Q-2, Q-3).

    ``average`` is the sum of the scores divided by their number; ``score`` is the final score after the Q-3 cap
    (equal to ``average`` when no cap applies); both are rounded as S-1 says.
    """

    requisites: Requisites
    method: Method  # DIFFERENTIATION, FORM1 or FORM2
    evaluatee: Person
    evaluator: Person
    parameters: tuple[ParameterLine, ...]
    average: Decimal
    score: Decimal
    category: ResultCategory
    cap: SanctionCap | None = None
    justification: str = ""  # D-3 "Негіздеме"
    in_absentia: bool = False  # E-3/E-4: evaluated without the employee's participation
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None  # the rulebook's own wording, when it differs from the catalogue's

    kind: ClassVar[DocumentKind] = DocumentKind.SHEET


@dataclass(frozen=True)
class KpiLine:
    """K-4: one KPI of the KPI sheet (000 app. 2) with its achievement and the allowed score range."""

    number: int
    name: str
    unit: str
    plan: Decimal
    actual: Decimal
    achievement_pct: Decimal
    allowed_min: Decimal
    allowed_max: Decimal
    score: Decimal
    direction: Literal["higher", "lower"] = "higher"  # K-6


@dataclass(frozen=True)
class KpiSheet:
    """KPI evaluation sheet of a head of a structural unit (000/001 app. 2): final = sum / number of KPIs (K-5)."""

    requisites: Requisites
    evaluatee: Person
    evaluator: Person
    kpis: tuple[KpiLine, ...]
    score: Decimal
    category: ResultCategory
    in_absentia: bool = False
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None

    kind: ClassVar[DocumentKind] = DocumentKind.SHEET
    method: ClassVar[Method] = Method.KPI

    @property
    def kpi_count(self) -> int:
        return len(self.kpis)


@dataclass(frozen=True)
class KpiCountLine:
    """M-4: one of the five KPIs of the yearly sheet (004 app. 2), achieved only if all its indicators are met."""

    number: int
    name: str
    unit: str
    plan: Decimal | str
    actual: Decimal | str
    achieved: bool


@dataclass(frozen=True)
class KpiCountSheet:
    """Yearly KPI sheet of the Commission family (004 app. 2, 002 app. 10): result by the count achieved (M-4).

    ``approver`` is the superior head who agrees with the sheet ("БЕКІТЕМІН", M-5) on ``approved_on``.
    """

    requisites: Requisites
    evaluatee: Person
    evaluator: Person
    kpis: tuple[KpiCountLine, ...]
    category: ResultCategory
    approver: Person | None = None
    approved_on: date | None = None
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None

    kind: ClassVar[DocumentKind] = DocumentKind.SHEET
    method: ClassVar[Method] = Method.KPI_COUNT

    @property
    def achieved_count(self) -> int:
        return sum(1 for line in self.kpis if line.achieved)


@dataclass(frozen=True)
class CompetencyLine:
    """M-6: one competency of 004 app. 3, with the behaviour indicators observed and not observed.

    ``rated`` False: a public-service competency of a post that provides none (app. 3 footnote), printed with
    its number and a dash, as the form lists all eleven.
    """

    number: int
    name: str
    observed: tuple[str, ...]
    not_observed: tuple[str, ...]
    meets: bool
    rated: bool = True

    @property
    def total(self) -> int:
        return len(self.observed) + len(self.not_observed)


@dataclass(frozen=True)
class CompetencySheet:
    """Competency sheet of the Commission family (004 app. 3): "meets" when ≥ 3/4 of indicators were observed."""

    requisites: Requisites
    evaluatee: Person
    evaluator: Person
    competencies: tuple[CompetencyLine, ...]
    category: ResultCategory  # MEETS or DOES_NOT_MEET for the sheet as a whole
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None

    kind: ClassVar[DocumentKind] = DocumentKind.SHEET
    method: ClassVar[Method] = Method.COMPETENCIES


# --- reviews ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelMember:
    """C-5: a member of a calibration session (odd, at least 3, an HR employee among them)."""

    full_name: str
    position: str = ""
    is_hr: bool = False


@dataclass(frozen=True)
class PanelVote:
    """C-6: the score a member supports, and their argument."""

    member: str
    score: Decimal
    argument: str = ""


@dataclass(frozen=True)
class CalibrationProtocol:
    """Protocol of a calibration session (C-5…C-7): composition, votes, the majority and the final score.

    ``applied_on`` is the employee's application (C-2), ``composed_on`` the appointing official's decision
    (C-3), ``held_on`` the session (C-4), ``post_by`` the day HR must place the signed protocol (C-7).
    """

    requisites: Requisites
    evaluatee: Person
    evaluator: Person
    appointing_official: Person
    method: Method
    disputed_score: Decimal
    disputed_category: ResultCategory
    applied_on: date
    composed_on: date | None
    held_on: date | None
    members: tuple[PanelMember, ...]
    votes: tuple[PanelVote, ...]
    final_score: Decimal
    final_category: ResultCategory
    employee_argument: str = ""
    post_by: date | None = None
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""

    kind: ClassVar[DocumentKind] = DocumentKind.PROTOCOL

    @property
    def majority(self) -> int:
        """How many members voted for the adopted score (C-6: a majority of the composition)."""
        return sum(1 for vote in self.votes if vote.score == self.final_score)


CommissionRole = Literal["chair", "member", "secretary"]


@dataclass(frozen=True)
class CommissionMember:
    """M-7: a Commission member, whether present at the meeting; the secretary (HR) does not vote."""

    full_name: str
    role: CommissionRole
    present: bool
    position: str = ""


@dataclass(frozen=True)
class CommissionLine:
    """One evaluation the Commission decided (a row of 004 app. 5 / 002 app. 11).

    ``result`` is the evaluation's result before the meeting, ``result_detail`` what it rests on (``4/5`` KPIs
    achieved); ``corrected`` is the "corrected by the Commission" column, None when the result was approved.
    ``casting_vote`` marks a tie the chair's vote decided (M-7).
    """

    number: int
    employee: Person
    method: Method
    result: ResultCategory
    votes_approve: int
    votes_revise: int
    corrected: ResultCategory | None = None
    casting_vote: bool = False
    result_detail: str = ""
    recommendations: str = ""


@dataclass(frozen=True)
class CommissionProtocol:
    """Protocol of the Evaluation Commission's meeting (004 app. 5; 002 app. 11), approved by the official (M-7)."""

    requisites: Requisites
    meeting_date: date
    members: tuple[CommissionMember, ...]
    lines: tuple[CommissionLine, ...]
    approved_by: Person  # the appointing official ("БЕКІТЕМІН")
    approved_on: date | None = None
    conclusion: str = ""
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""

    kind: ClassVar[DocumentKind] = DocumentKind.COMMISSION_PROTOCOL

    @property
    def voting_members(self) -> tuple[CommissionMember, ...]:
        return tuple(member for member in self.members if member.role != "secretary")

    @property
    def present_voting(self) -> int:
        return sum(1 for member in self.voting_members if member.present)

    @property
    def quorum_required(self) -> int:
        """M-7: at least two thirds of the members (rounded up)."""
        return ceil(len(self.voting_members) * self.quorum_numerator / self.quorum_denominator)

    @property
    def quorum_met(self) -> bool:
        return self.present_voting >= self.quorum_required


@dataclass(frozen=True)
class RefusalAct:
    """M-8: the act drawn up when an employee refuses acquaintance, signed by HR and two other employees."""

    requisites: Requisites
    employee: Person
    method: Method
    result: ResultCategory
    refused_on: date
    hr: Person
    witnesses: tuple[Person, Person]
    score: Decimal | None = None
    statement: str = ""  # what happened, in the drafter's words
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None

    kind: ClassVar[DocumentKind] = DocumentKind.REFUSAL_ACT


# --- 360 and the result notice ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyAverage:
    """T-6: a competency's average over the respondents (self excluded) and the self-assessment apart (T-5)."""

    number: int
    name: str
    average: Decimal
    self_score: Decimal | None = None


@dataclass(frozen=True)
class Report360:
    """The individual 360 report (000 app. 7 for heads, app. 8 for others, T-6) with its radar chart.

    It names no respondent (T-8): only how many answered.
    """

    requisites: Requisites
    evaluatee: Person
    form: Literal["heads", "others"]
    respondents: int
    competencies: tuple[CompetencyAverage, ...]
    result: str = ""  # the form's "Бағалау нәтижесі" line, as HR words it (T-7)
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""

    kind: ClassVar[DocumentKind] = DocumentKind.REPORT_360

    @property
    def overall(self) -> Decimal:
        """The mean of the competency averages, to two decimals (half up)."""
        total = sum((line.average for line in self.competencies), Decimal(0))
        return (total / len(self.competencies)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ResultNotice:
    """The notice that tells an employee their result (C-1; M-8 in writing) and how to disagree (C-2, M-9)."""

    requisites: Requisites
    employee: Person
    method: Method
    category: ResultCategory
    evaluator: str
    completed_on: date
    score: Decimal | None = None
    acquaint_by: date | None = None
    disagree_until: date | None = None  # C-2: apply for a calibration session; M-9: appeal
    review: Literal["calibration", "commission"] = "calibration"
    appointing_official: str = ""
    calibrated_score: Decimal | None = None
    calibrated_category: ResultCategory | None = None
    signatures: tuple[Signature, ...] = ()
    content_hash: str = ""
    category_name: str | None = None

    kind: ClassVar[DocumentKind] = DocumentKind.NOTICE


EvaluationSheet = ParameterSheet | KpiSheet | KpiCountSheet | CompetencySheet
Document = EvaluationSheet | CalibrationProtocol | CommissionProtocol | RefusalAct | Report360 | ResultNotice


# --- charts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCategories:
    """How many results of each category a unit has in a period (for the distribution chart)."""

    unit: str
    counts: tuple[tuple[ResultCategory, int], ...]

    def count(self, category: ResultCategory) -> int:
        return sum(n for c, n in self.counts if c == category)


@dataclass(frozen=True)
class CategoryDistribution:
    """The distribution of result categories per unit for one period of one body."""

    body_name: str
    period: str
    language: Language
    units: tuple[UnitCategories, ...]
    categories: tuple[ResultCategory, ...] = (
        ResultCategory.EFFECTIVE,
        ResultCategory.PROPER,
        ResultCategory.SATISFACTORY,
        ResultCategory.UNSATISFACTORY,
    )


# --- export rows -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSummary:
    """The ``calibration`` object of one evaluation in the simulation report (SCENARIOS.md)."""

    applied_on: date | None = None
    decide_by: date | None = None
    hold_by: date | None = None
    members: tuple[str, ...] = ()
    score: Decimal | None = None
    category: ResultCategory | None = None
    protocol_post_by: date | None = None


@dataclass(frozen=True)
class ResultRow:
    """One evaluation in the results export: the simulation report's fields plus ``id``, unit and category code."""

    id: int
    employee: str  # personnel number, as the report's ``employee``
    period: str
    method: Method
    employee_name: str = ""
    unit: str = ""
    category_code: str = ""  # position category (C-3)
    status: str = ""
    eligible: bool = True
    ineligible_reason: str | None = None
    in_absentia: bool = False
    evaluator: str | None = None
    evaluator_name: str = ""
    notice_sent_on: date | None = None
    deadline: date | None = None
    submitted_on: date | None = None
    score: Decimal | None = None
    category: ResultCategory | None = None
    acquainted_on: date | None = None
    calibration: CalibrationSummary | None = None


@dataclass(frozen=True)
class AnnualResultRow:
    """P-3: a person's annual final score (the mean of the year's quarterly scores), the report's ``annual`` entry."""

    employee: str
    year: int
    score: Decimal
    category: ResultCategory
    employee_name: str = ""
    unit: str = ""
    category_code: str = ""
    quarters: int = 0  # how many quarterly scores were averaged


@dataclass(frozen=True)
class CycleStatusRow:
    """One evaluation of an open cycle as HR follows it: where it stands and who is late (no score, R-2)."""

    id: int
    employee: str
    employee_name: str
    unit: str
    period: str
    method: Method
    status: str
    evaluator: str | None = None
    evaluator_name: str = ""
    deadline: date | None = None
    notice_sent_on: date | None = None
    submitted_on: date | None = None
    acquaint_by: date | None = None
    acquainted_on: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class SurveySummaryRow:
    """T-6/T-8: one competency of one evaluatee's 360 survey: averages and how many answered, never who."""

    employee: str
    employee_name: str
    unit: str
    year: int
    competency: str  # competency id
    competency_name: str
    respondents: int
    average: Decimal
    self_score: Decimal | None = None


@dataclass(frozen=True)
class AuditRow:
    """R-4: one row of the audit log as the extract shows it."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str = ""  # JSON text
    after: str = ""
    reason: str = ""


ExportRow = ResultRow | AnnualResultRow | CycleStatusRow | SurveySummaryRow | AuditRow

__all__ = [
    "AnnualResultRow",
    "AuditRow",
    "CalibrationProtocol",
    "CalibrationSummary",
    "CategoryDistribution",
    "CommissionLine",
    "CommissionMember",
    "CommissionProtocol",
    "CompetencyAverage",
    "CompetencyLine",
    "CompetencySheet",
    "CycleStatusRow",
    "Document",
    "DocumentKind",
    "EvaluationSheet",
    "ExportRow",
    "KpiCountLine",
    "KpiCountSheet",
    "KpiLine",
    "KpiSheet",
    "PanelMember",
    "PanelVote",
    "ParameterLine",
    "ParameterSheet",
    "Person",
    "RefusalAct",
    "Report360",
    "Requisites",
    "ResultNotice",
    "ResultRow",
    "SanctionCap",
    "Signature",
    "SignerRole",
    "SurveySummaryRow",
    "UnitCategories",
]
