"""A methodology as data: the pydantic model of a rulebook (G-3: each state body approves its own variant).

A rulebook holds every number, deadline rule, threshold, scale, form and vocabulary the engine needs for one
methodology version; generic domain code interprets it (rules as data, like Temporal's ``dsl`` sample). Every
section records the METHODOLOGY.md rule ids it configures (``rule``/``rules``), so that a value can always be
traced back to the law. Validation is strict: unknown fields, gaps or overlaps in bands and ranges, negative
day counts, references to undefined groups or parameters are all refused at load time, every problem listed.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.vocabulary import AbsenceKind, Language, Method, PeriodKind, ResultCategory, SanctionKind

RULE_ID = re.compile(r"^[A-Z]-\d{1,2}$")
CATEGORY_PATTERN = re.compile(r"^[A-Z](-[A-Z])?-(\d+|\*)$|^[A-Z](-[A-Z])?-\*$|^[A-Z]-\*$")

STORED_DECIMALS = 4
"""S-1: the one precision a score is stored at (the database's ``Numeric(6, 4)``, every rulebook value). A final
score is the exact mean cut (never rounded) to this many decimals (``domain.scoring.stored_score``); display and
banding round that stored value half-up to ``results.decimals``, which is therefore at most ``STORED_DECIMALS - 1``
(a cut at four decimals followed by a half-up rounding to two or three is the same as that rounding of the exact
value, so what is stored, shown and banded never disagree)."""

RuleId = Annotated[str, Field(pattern=r"^[A-Z]-\d{1,2}$", description="a METHODOLOGY.md rule id, e.g. K-4")]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=STORED_DECIMALS)]
NonNegativeDays = Annotated[int, Field(ge=0, le=366)]
Snake = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


@lru_cache(maxsize=4096)
def matches_any(patterns: tuple[str, ...], category: str) -> bool:
    """Whether a category code matches one of ``patterns`` (codes or wildcards); remembered, as a body's 100,000
    people hold a few dozen categories (issue 13: matching them again was a tenth of routing a quarter)."""
    return any(fnmatch.fnmatchcase(category, pattern) for pattern in patterns)


class Strict(BaseModel):
    """Base of every rulebook section: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """A text in Kazakh (the authority), Russian and English."""

    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def in_language(self, language: Language | str) -> str:
        return str(getattr(self, str(language)))


class Source(Strict):
    """A legal text a rulebook derives from (a seed file of ../shared/seeds)."""

    seed: str = Field(pattern=r"^\d{3}$")
    title: str
    paragraphs: str | None = None


# --- deadlines --------------------------------------------------------------------------------------------

RollPolicy = Literal["roll_forward", "roll_back", "none"]


class DayOfMonthRule(Strict):
    """ "No later than the Nth of the Mth month after the period" (P-1, P-2, P-4), rolled by P-6."""

    kind: Literal["day_of_month"] = "day_of_month"
    day: int = Field(ge=1, le=31)
    months_after: int = Field(default=1, ge=0, le=12)
    roll: RollPolicy = "roll_forward"
    rule: RuleId


class WorkingDaysRule(Strict):
    """ "Within N working days after event X" (P-7: counting starts the day after the event)."""

    kind: Literal["working_days"] = "working_days"
    days: NonNegativeDays
    after: Snake = Field(description="the event the count starts from, e.g. acquainted, applied, signed")
    rule: RuleId


class WorkingDaysBeforeRule(Strict):
    """ "No later than N working days before X" (P-5: KPI actuals; M-7: Commission notice)."""

    kind: Literal["working_days_before"] = "working_days_before"
    days: NonNegativeDays
    before: Snake = Field(description="the date counted back from, e.g. deadline, meeting")
    rule: RuleId


DeadlineRule = Annotated[DayOfMonthRule | WorkingDaysRule | WorkingDaysBeforeRule, Field(discriminator="kind")]


# --- who: categories and routing ---------------------------------------------------------------------------


class CategoryGroup(Strict):
    """A named set of position categories, e.g. heads of structural units (G-2) or leadership (Q-1)."""

    rule: RuleId
    source: str | None = None
    categories: list[str] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _canonical_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not CATEGORY_PATTERN.match(code)]
        if bad:
            raise ValueError(
                f"category codes {bad} are not canonical: use Latin letters and the letter O, "
                "form LETTER[-BLOCK]-NUMBER (B-1, C-O-1) or a wildcard (D-*, C-O-*)"
            )
        return value

    def contains(self, category: str) -> bool:
        return matches_any(tuple(self.categories), category)


class Selector(Strict):
    """Which B-corps employees a method or routing applies to: groups or category codes/wildcards."""

    include: list[str] = Field(default_factory=list, description="group names or codes; empty = everyone")
    exclude: list[str] = Field(default_factory=list)


EvaluatorRoute = Literal["direct_head", "head_of_unit", "superior_head"]


class RoutingRule(Strict):
    """The first rule whose selector matches the evaluatee names the evaluator (D-1, Q-1, M-2)."""

    when: Selector = Field(default_factory=Selector)
    route: EvaluatorRoute
    rule: RuleId


class Substitution(Strict):
    """G-7: when the evaluator is absent, the person acting for them evaluates; else the fallback."""

    rule: RuleId = "G-7"
    fallback: Literal["superior_head", "none"] = "superior_head"


class Delegation(Strict):
    """D-4/Q-1: over the threshold an evaluator may designate others to evaluate (recorded).

    ``counts``: the B-corps employees of the evaluator's unit, its sub-units included (000 §31: more than 50), or
    the evaluatees routed to the evaluator (003 §17: more than 20). ``delegate_in_unit``: the designated person
    works in the evaluator's unit (or a unit below it) — the texts let the evaluator designate "persons" of the
    unit whose size allows it.
    """

    rule: RuleId
    threshold: int = Field(ge=1)
    counts: Literal["unit_b_corps", "evaluatees"]
    delegate_in_unit: bool = True


# --- how: scales, sheets, scoring --------------------------------------------------------------------------


class Scale(Strict):
    """The score scale of a sheet parameter (D-2: 0–5 in §31, 1–5 in the form; per body)."""

    min: Score
    max: Score
    rule: RuleId

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min {self.min} must be below max {self.max}")
        return self


class Parameter(Strict):
    """One parameter of an evaluation sheet, with its stable id and names in three languages."""

    id: Snake
    name: Text
    description: Text | None = None
    source: str | None = None


class Cap(Strict):
    """Q-3: a sanction of these kinds in the evaluated period caps the score at ``max_score``."""

    sanctions: list[SanctionKind] = Field(min_length=1)
    max_score: Score


class Caps(Strict):
    """Q-3 disciplinary caps: on the final score (default) or on one parameter only (rulebook option)."""

    rule: RuleId = "Q-3"
    apply_to: Literal["final", "parameter"] = "final"
    parameter: Snake | None = None
    caps: list[Cap] = Field(min_length=1)

    @model_validator(mode="after")
    def _parameter_named(self) -> Caps:
        if self.apply_to == "parameter" and self.parameter is None:
            raise ValueError("apply_to 'parameter' needs 'parameter': the id of the capped parameter")
        kinds = [kind for cap in self.caps for kind in cap.sanctions]
        duplicates = sorted({str(kind) for kind in kinds if kinds.count(kind) > 1})
        if duplicates:
            raise ValueError(f"sanction kinds {duplicates} appear in more than one cap")
        return self


class KpiRange(Strict):
    """One row of the K-4 allowed-range table: achievement in [min_pct, max_pct] → score in [min, max]."""

    min_pct: Decimal = Field(ge=0)
    max_pct: Decimal | None = Field(default=None, description="None: no upper bound (≥ 100 %)")
    min_score: Score
    max_score: Score

    @model_validator(mode="after")
    def _ordered(self) -> KpiRange:
        if self.max_pct is not None and self.max_pct < self.min_pct:
            raise ValueError(f"max_pct {self.max_pct} is below min_pct {self.min_pct}")
        if self.max_score < self.min_score:
            raise ValueError(f"max_score {self.max_score} is below min_score {self.min_score}")
        return self


class KpiRules(Strict):
    """K-3…K-6: how many KPIs, the allowed-range table, and the direction of indicators."""

    rules: list[RuleId] = Field(default_factory=lambda: ["K-3", "K-4", "K-5", "K-6"])
    min_count: int = Field(ge=1, le=20)
    max_count: int = Field(ge=1, le=20)
    pct_step: Decimal = Field(
        default=Decimal("0.01"), gt=0, description="the table's resolution: 99.99 is followed by 100"
    )
    ranges: list[KpiRange] = Field(min_length=1)

    @model_validator(mode="after")
    def _table_is_a_partition(self) -> KpiRules:
        if self.min_count > self.max_count:
            raise ValueError(f"min_count {self.min_count} exceeds max_count {self.max_count}")
        rows = sorted(self.ranges, key=lambda row: row.min_pct)
        problems: list[str] = []
        if rows[0].min_pct != 0:
            problems.append(f"the table must start at 0 %, it starts at {rows[0].min_pct} %")
        for low, high in zip(rows, rows[1:], strict=False):
            if low.max_pct is None:
                problems.append(f"the open-ended row from {low.min_pct} % is not the last one")
                continue
            expected = low.max_pct + self.pct_step
            if high.min_pct < expected:
                problems.append(f"rows from {low.min_pct} % and {high.min_pct} % overlap")
            elif high.min_pct > expected:
                problems.append(f"gap between {low.max_pct} % and {high.min_pct} %")
            if high.min_score < low.max_score:
                problems.append(f"scores are not increasing between {low.min_pct} % and {high.min_pct} %")
        if rows[-1].max_pct is not None:
            problems.append("the last row must be open-ended (max_pct: null) for achievement above it")
        if problems:
            raise ValueError("K-4 allowed-range table: " + "; ".join(problems))
        return self


class CountGrade(Strict):
    """M-4: at least ``min_achieved`` KPIs achieved → ``category``."""

    min_achieved: int = Field(ge=0)
    category: ResultCategory
    name: Text | None = Field(
        default=None,
        description="M-4: the grade's own wording where the seed words it apart from the band or results.names "
        "(004 §18 'тиімді'; 002 §49 '... орындайды'); None: the category's usual name",
    )


class CountGrading(Strict):
    """M-4: the year-end KPI result by the count of KPIs achieved (all indicators fully met)."""

    rule: RuleId = "M-4"
    kpi_count: int = Field(ge=1, description="M-2: exactly this many KPIs")
    grades: list[CountGrade] = Field(min_length=1)

    @model_validator(mode="after")
    def _covers_every_count(self) -> CountGrading:
        minima = [grade.min_achieved for grade in self.grades]
        if sorted(minima, reverse=True) != minima or len(set(minima)) != len(minima):
            raise ValueError("grades must be listed from the highest min_achieved down, without repeats")
        if minima[-1] != 0:
            raise ValueError("the last grade must have min_achieved 0 so that every count has a result")
        if minima[0] > self.kpi_count:
            raise ValueError(f"a grade needs {minima[0]} KPIs achieved but there are {self.kpi_count}")
        return self


class Indicator(Strict):
    """M-6: one behaviour indicator of a competency."""

    kk: str
    ru: str
    en: str


class BehaviourCompetency(Strict):
    """M-6: a competency rated by behaviour indicators that differ by category group (appendix 4 of 004)."""

    id: Snake
    name: Text
    public_service_only: bool = False
    indicators: dict[Snake, list[Indicator]] = Field(description="category group id → at most 10 indicators")
    source: str | None = None

    @field_validator("indicators")
    @classmethod
    def _at_most_ten(cls, value: dict[str, list[Indicator]]) -> dict[str, list[Indicator]]:
        too_many = {group: len(items) for group, items in value.items() if len(items) > 10}
        if too_many:
            raise ValueError(f"M-6 allows at most 10 indicators per competency, got {too_many}")
        empty = [group for group, items in value.items() if not items]
        if empty:
            raise ValueError(f"groups {empty} have no indicators")
        return value


class CompetencyRules(Strict):
    """M-6: "meets expectations" when at least ``threshold`` of the indicators were observed."""

    rule: RuleId = "M-6"
    threshold_numerator: int = Field(ge=1)
    threshold_denominator: int = Field(ge=1)
    overall: Literal["all_meet", "none"] = Field(
        default="all_meet",
        description="how one result for the sheet is derived: meets only if every competency meets",
    )
    category_groups: dict[Snake, CategoryGroup]
    competencies: list[BehaviourCompetency] = Field(min_length=1)

    @model_validator(mode="after")
    def _groups_defined(self) -> CompetencyRules:
        if self.threshold_numerator > self.threshold_denominator:
            raise ValueError("the M-6 threshold must be a fraction of at most 1")
        unknown = sorted({group for item in self.competencies for group in item.indicators} - set(self.category_groups))
        if unknown:
            raise ValueError(f"indicators name undefined category groups {unknown}")
        return self


Method_ = Method  # alias used in annotations below, so that the field name ``method`` does not shadow it


class SheetSpec(Strict):
    """The evaluation sheet of a parameter-scored method (D-2/D-3, Q-2): parameters, scale, final = mean."""

    rules: list[RuleId]
    parameters: list[Parameter] = Field(min_length=1)
    scale: Scale
    zero_means_not_performed: bool = False
    justification_required: bool = False

    @field_validator("parameters")
    @classmethod
    def _unique_ids(cls, value: list[Parameter]) -> list[Parameter]:
        ids = [parameter.id for parameter in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"parameter ids {duplicates} are not unique")
        return value


Scoring = Literal["kpi_range", "parameters", "kpi_count", "competencies"]


class Sunset(Strict):
    """M-10: what happens when a method's validity ends (``valid_until``): HR is warned ``warn`` before it about
    every evaluation of the method still open, and on the sunset those evaluations close with ``status``."""

    rule: RuleId = "M-10"
    warn: WorkingDaysBeforeRule = Field(description="counted back from 'sunset', the last day in force")
    status: Snake = "not_completed"

    @model_validator(mode="after")
    def _counts_from_the_sunset(self) -> Sunset:
        if self.warn.before != "sunset":
            raise ValueError(f"sunset.warn counts back from 'sunset', not from '{self.warn.before}' (M-10)")
        return self


class PopulationFilter(Strict):
    """M-10: only people absent for these reasons at some point of [from, to] (002 chapter 6)."""

    rule: RuleId
    absent_kinds: list[AbsenceKind] = Field(min_length=1)
    absent_from: date
    absent_to: date


class MethodSpec(Strict):
    """One evaluation method: whom it applies to, who evaluates, when, and how the sheet is scored."""

    method: Method_
    rules: list[RuleId] = Field(min_length=1)
    name: Text
    cadence: PeriodKind
    applies_to: Selector = Field(default_factory=Selector)
    valid_from: date | None = None
    valid_until: date | None = None
    population: PopulationFilter | None = None
    replaces: list[Method_] = Field(
        default_factory=list, description="methods this one replaces for the people it applies to (M-10)"
    )
    evaluator: list[RoutingRule] = Field(min_length=1)
    scoring: Scoring
    sheet: SheetSpec | None = None
    notice: DeadlineRule | None = Field(default=None, description="P-4: the evaluatee's notice")
    deadline: DeadlineRule | None = Field(default=None, description="P-1/P-2: the evaluation deadline")
    kpi_actuals: DeadlineRule | None = Field(default=None, description="P-5: KPI actuals to the evaluator")
    kpi_plan: DeadlineRule | None = Field(default=None, description="K-1/M-2: KPIs set after period start")
    kpi_plan_upload: DeadlineRule | None = Field(
        default=None, description="K-2: HR places the approved work plan in the system (5 WD after approval)"
    )
    kpi_plan_resubmit: DeadlineRule | None = Field(
        default=None, description="M-2: a work plan returned as not SMART is resubmitted (004 §12: 2 WD)"
    )
    review: Literal["calibration", "commission"] = "calibration"
    superior_approval: bool = Field(default=False, description="M-5: the superior head agrees or returns")
    sunset: Sunset | None = Field(default=None, description="M-10: warning and closing when valid_until passes")

    @model_validator(mode="after")
    def _scoring_has_its_data(self) -> MethodSpec:
        if self.scoring == "parameters" and self.sheet is None:
            raise ValueError(f"method {self.method}: scoring 'parameters' needs a 'sheet'")
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"method {self.method}: valid_from is after valid_until")
        if self.kpi_plan is None and (self.kpi_plan_upload or self.kpi_plan_resubmit):
            raise ValueError(f"method {self.method}: kpi_plan_upload/kpi_plan_resubmit need 'kpi_plan' (K-1/M-2)")
        if self.sunset is not None and self.valid_until is None:
            raise ValueError(f"method {self.method}: 'sunset' needs 'valid_until', the last day in force (M-10)")
        return self

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


# --- results -----------------------------------------------------------------------------------------------


class Band(Strict):
    """S-1: scores in [min, max] (two decimals) fall in this category."""

    category: ResultCategory
    min: Score
    max: Score
    name: Text
    source: str | None = None


class Results(Strict):
    """S-1: the bands of the final score and the one rounding rule (store exact, round half-up)."""

    rule: RuleId = "S-1"
    decimals: int = Field(
        default=2, ge=0, le=STORED_DECIMALS - 1, description="S-1: shown and banded to this many decimals"
    )
    rounding: Literal["half_up"] = "half_up"
    bands: list[Band] = Field(min_length=1)
    names: dict[ResultCategory, Text] = Field(
        default_factory=dict, description="names of the non-band results (M-4, M-6)"
    )

    @model_validator(mode="after")
    def _bands_partition(self) -> Results:
        step = Decimal(1).scaleb(-self.decimals)
        rows = sorted(self.bands, key=lambda band: band.min)
        problems: list[str] = []
        for band in rows:
            if band.min > band.max:
                problems.append(f"band {band.category}: min {band.min} is above max {band.max}")
        for low, high in zip(rows, rows[1:], strict=False):
            expected = low.max + step
            if high.min < expected:
                problems.append(f"bands {low.category} and {high.category} overlap")
            elif high.min > expected:
                problems.append(f"gap between {low.category} (to {low.max}) and {high.category} (from {high.min})")
        categories = [band.category for band in rows]
        if len(set(categories)) != len(categories):
            problems.append("a category appears in two bands")
        if problems:
            raise ValueError("S-1 bands: " + "; ".join(problems))
        return self

    def name_of(self, category: ResultCategory) -> Text:
        for band in self.bands:
            if band.category == category:
                return band.name
        return self.names[category]


class Eligibility(Strict):
    """E-1…E-6: who is evaluated in a period and how absent or dismissed people are handled."""

    rules: list[RuleId] = Field(min_length=1)
    min_tenure_months: int = Field(ge=0, le=12, description="E-1 (1) / E-5 (3): calendar months in position")
    tenure_reason: Snake = Field(description="e.g. tenure_under_one_month, tenure_under_three_months")
    tenure_restarts_after: list[AbsenceKind] = Field(
        default_factory=list,
        description="E-5: tenure is counted again from the return from these absences (004 §4: social leave)",
    )
    min_worked_days: int | None = Field(default=None, ge=1, description="E-2: working days actually worked")
    worked_days_reason: Snake = "under_15_working_days"
    worked_absence_kinds: list[AbsenceKind] = Field(
        default_factory=lambda: [AbsenceKind.BUSINESS_TRIP],
        description="E-2: absences whose days count as worked (a business trip is work, Labour Code art. 1)",
    )
    exclude_probation: bool = Field(default=False, description="E-5: not evaluated during probation")
    absent: Literal["in_absentia", "after_return"] = Field(description="E-3 in absentia / E-5 after return")
    after_return: WorkingDaysRule | None = None
    dismissed: Literal["in_absentia", "not_evaluated"] = "in_absentia"
    in_absentia_kinds: list[AbsenceKind] = Field(default_factory=lambda: list(AbsenceKind))
    kpi_min_remaining_months: int | None = Field(
        default=None, ge=0, le=12, description="E-6: no KPIs with fewer months left in the period"
    )
    kpi_fallback_method: Method_ | None = Field(default=None, description="E-6: how such a head is evaluated")

    @model_validator(mode="after")
    def _after_return_rule(self) -> Eligibility:
        if self.absent == "after_return" and self.after_return is None:
            raise ValueError("absent 'after_return' needs 'after_return': N working days after return (E-5)")
        if len(set(self.tenure_restarts_after)) != len(self.tenure_restarts_after):
            raise ValueError("tenure_restarts_after lists an absence kind twice")
        if len(set(self.worked_absence_kinds)) != len(self.worked_absence_kinds):
            raise ValueError("worked_absence_kinds lists an absence kind twice")
        return self


class Survey360(Strict):
    """T-1…T-8: the yearly anonymous 360 survey."""

    rules: list[RuleId] = Field(min_length=1)
    applies_to: Selector = Field(default_factory=Selector)
    deadline: DeadlineRule
    min_respondents: int = Field(ge=1)
    max_respondents: int = Field(ge=1)
    self_assessment: Literal["collected_excluded"] = "collected_excluded"
    answers: list[AnswerOption] = Field(min_length=2)
    forms: dict[Snake, SurveyForm] = Field(description="form id → competencies with their questions")

    @model_validator(mode="after")
    def _bounds(self) -> Survey360:
        if self.min_respondents > self.max_respondents:
            raise ValueError(f"min_respondents {self.min_respondents} exceeds max {self.max_respondents}")
        return self


class AnswerOption(Strict):
    """T-3: one of the five answers and the points it is worth (the texts give none: default 1–5)."""

    id: Literal["never", "rarely", "half", "mostly", "always"]
    name: Text
    points: Score


class Question(Strict):
    kk: str
    ru: str
    en: str


class SurveyCompetency(Strict):
    id: Snake
    name: Text
    questions: list[Question] = Field(min_length=1)
    source: str | None = None


class SurveyForm(Strict):
    """T-2: a 360 form (5 for heads, 6 for others) and whom it is for."""

    applies_to: Selector = Field(default_factory=Selector)
    competencies: list[SurveyCompetency] = Field(min_length=1)


class Calibration(Strict):
    """C-1…C-8: acquaintance, disagreement, the calibration session, its composition and protocol."""

    rules: list[RuleId] = Field(min_length=1)
    acquaintance: WorkingDaysRule
    absent_acquaintance: Literal["recorded_delivery"] = "recorded_delivery"
    dismissed_acquaintance: DeadlineRule | None = Field(
        default=None, description="Q-4: dismissed people are made acquainted by this date (003 §9), recorded delivery"
    )
    apply_within: WorkingDaysRule
    decide_within: WorkingDaysRule
    hold_within: WorkingDaysRule
    protocol_post_within: WorkingDaysRule
    min_members: int = Field(ge=1)
    odd_members: bool
    exclude_employee: bool = True
    exclude_disputed_evaluator: bool = True
    require_hr_member: bool = True
    correction: Literal["up_or_down"] = "up_or_down"
    feedback_within: WorkingDaysRule | None = Field(
        default=None,
        description="C-8: the feedback meeting after the session (000 §42 sets no term: None, no deadline)",
    )
    appeal_within: DeadlineRule | None = Field(
        default=None,
        description="C-9: the appeal of the session's decision (000 §13: under the APPC, no term in the seeds)",
    )


class Commission(Strict):
    """M-5…M-9: the Evaluation Commission."""

    rules: list[RuleId] = Field(min_length=1)
    min_members: int = Field(ge=1)
    quorum_numerator: int = Field(ge=1)
    quorum_denominator: int = Field(ge=1)
    chair_casting_vote: bool = True
    secretary_votes: bool = False
    notice_before_meeting: WorkingDaysBeforeRule
    resubmit_within: WorkingDaysRule
    submit_to_commission_within: WorkingDaysRule
    acquaintance: WorkingDaysRule
    appeal_within: WorkingDaysRule
    refusal_act_witnesses: int = Field(default=2, ge=0)

    @model_validator(mode="after")
    def _quorum_fraction(self) -> Commission:
        if self.quorum_numerator > self.quorum_denominator:
            raise ValueError("the M-7 quorum must be a fraction of at most 1")
        return self


EscalationLevel = Literal["evaluator", "evaluators_head", "hr"]
ESCALATION_LADDER: tuple[EscalationLevel, ...] = ("evaluator", "evaluators_head", "hr")


class Reminders(Strict):
    """Reminder cadence before a deadline, and the escalation ladder after it (each level once)."""

    before_deadline_working_days: list[int] = Field(default_factory=lambda: [3, 1])
    escalation: list[EscalationLevel] = Field(default_factory=lambda: list(ESCALATION_LADDER))


class Schedule(Strict):
    """G-4: HR compiles the evaluation schedule in the system (who, by whom, which method, which dates) and the
    appointing official approves it (000 §10, 001 §10); ``approval_required: false`` for a body that does not."""

    rule: RuleId = "G-4"
    approval_required: bool = True


class Retention(Strict):
    """R-1: documents are kept this many years from the end of the evaluation, then purged or archived."""

    rule: RuleId = "R-1"
    years: int = Field(ge=1, le=75)
    action: Literal["purge", "archive"] = "archive"


class AnnualFinal(Strict):
    """P-3: the annual final score is the average of the quarterly scores, computed by the due date."""

    rule: RuleId = "P-3"
    methods: list[Method_] = Field(min_length=1, description="the quarterly methods averaged")
    due: DeadlineRule


class Rulebook(Strict):
    """A methodology version: everything the engine needs to evaluate a state body's B-corps staff."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    title: Text
    family: Literal["model-2018", "quarterly-2026", "annual-commission-2018"]
    version: str
    sources: list[Source] = Field(min_length=1)
    valid_from: date
    valid_until: date | None = None
    category_groups: dict[Snake, CategoryGroup] = Field(default_factory=dict)
    results: Results
    eligibility: Eligibility
    methods: list[MethodSpec] = Field(min_length=1)
    kpi: KpiRules | None = None
    count_grading: CountGrading | None = None
    competencies: CompetencyRules | None = None
    caps: Caps | None = None
    delegation: Delegation | None = None
    substitution: Substitution = Field(default_factory=Substitution)
    annual: AnnualFinal | None = None
    survey_360: Survey360 | None = None
    calibration: Calibration | None = None
    commission: Commission | None = None
    reminders: Reminders = Field(default_factory=Reminders)
    schedule: Schedule = Field(default_factory=Schedule)
    retention: Retention

    @model_validator(mode="after")
    def _consistent(self) -> Rulebook:
        problems: list[str] = []
        if self.valid_until is not None and self.valid_until < self.valid_from:
            problems.append("valid_until is before valid_from")
        selectors = [(f"methods[{i}].applies_to", spec.applies_to) for i, spec in enumerate(self.methods)]
        for i, spec in enumerate(self.methods):
            selectors += [(f"methods[{i}].evaluator[{j}].when", r.when) for j, r in enumerate(spec.evaluator)]
        if self.survey_360:
            selectors.append(("survey_360.applies_to", self.survey_360.applies_to))
            forms = self.survey_360.forms.items()
            selectors += [(f"survey_360.forms.{k}.applies_to", f.applies_to) for k, f in forms]
        for where, selector in selectors:
            for name in [*selector.include, *selector.exclude]:
                if not CATEGORY_PATTERN.match(name) and name not in self.category_groups:
                    problems.append(f"{where}: '{name}' is neither a category group nor a category code")
        needs = {
            "kpi_range": ("kpi", self.kpi),
            "kpi_count": ("count_grading", self.count_grading),
            "competencies": ("competencies", self.competencies),
        }
        for spec in self.methods:
            section = needs.get(spec.scoring)
            if section is not None and section[1] is None:
                problems.append(f"method {spec.method} scores by '{spec.scoring}'; '{section[0]}' is missing")
            if spec.review == "calibration" and self.calibration is None:
                problems.append(f"method {spec.method} is calibrated but 'calibration' is missing")
            if spec.review == "commission" and self.commission is None:
                problems.append(f"method {spec.method} goes to a Commission but 'commission' is missing")
        if self.caps and self.caps.apply_to == "parameter":
            ids = {p.id for spec in self.methods if spec.sheet for p in spec.sheet.parameters}
            if self.caps.parameter not in ids:
                problems.append(f"caps.parameter '{self.caps.parameter}' is not a sheet parameter id")
        if self.annual:
            unknown = sorted(set(self.annual.methods) - {spec.method for spec in self.methods})
            if unknown:
                problems.append(f"annual.methods {unknown} are not methods of this rulebook")
        keys = [(spec.method, spec.valid_from) for spec in self.methods]
        if len(set(keys)) != len(keys):
            problems.append("a method is listed twice with the same validity")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- lookups used by the engine ---

    def in_force(self, on: date) -> bool:
        """Whether this rulebook version governs a period that ends on ``on``."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def method(self, method: Method | str) -> MethodSpec:
        for spec in self.methods:
            if spec.method == method:
                return spec
        known = [spec.method.value for spec in self.methods]
        raise KeyError(f"rulebook {self.id} has no method '{method}'; it has {known}")

    def matches(self, selector: Selector, category: str) -> bool:
        """Whether a canonical category code is selected (empty include = everyone)."""
        included = not selector.include or any(self._matches_name(n, category) for n in selector.include)
        excluded = any(self._matches_name(n, category) for n in selector.exclude)
        return included and not excluded

    def _matches_name(self, name: str, category: str) -> bool:
        group = self.category_groups.get(name)
        if group is not None:
            return group.contains(category)
        return matches_any((name,), category)


Survey360.model_rebuild()
