"""Scores and results as the methodologies compute them: facts in, a scored sheet out, or a :class:`RuleViolation`.

One module for every scoring rule of METHODOLOGY.md:

* S-1 — :func:`stored_score` (the one stored precision), :func:`round_score` (the one rounding rule) and
  :func:`band` (score → result category);
* K-3…K-6 — :func:`achievement_pct`, :func:`allowed_range`, :func:`check_kpi_score`, :func:`score_kpi_sheet`;
* D-2/D-3, Q-1…Q-3 — :func:`normalise_scores`, :func:`score_parameters` with the disciplinary caps;
* M-4 — :func:`score_kpi_count`; M-6 — :func:`score_competencies`;
* T-3…T-7 — :func:`answer_points`, :func:`survey_averages`, :func:`check_respondent_count`;
* P-3 — :func:`annual_average`.

Scores are :class:`~decimal.Decimal` throughout. Averages are computed exact (a terminating quotient is exact;
otherwise 40 significant digits, far beyond any rounding tie of two-decimal inputs); the value kept is that mean
cut to ``STORED_DECIMALS`` (:func:`stored_score`, what the database holds), and it is rounded **only** by
:func:`round_score`, for display and for banding (S-1). Because the cut never crosses a rounding boundary of two
(or three) decimals, the stored value, the shown value and the band always agree with the exact mean's. Inputs
from YAML or JSON may be ``int``, ``float`` (read through its shortest repr, so ``4.6`` is ``Decimal("4.6")``),
``Decimal`` or a numeric string; booleans, NaN and infinities are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Literal, get_args

from domain.errors import Joined, Phrase, RuleViolation
from domain.rulebook import (
    STORED_DECIMALS,
    Cap,
    Caps,
    CompetencyRules,
    CountGrading,
    Indicator,
    KpiRange,
    KpiRules,
    Results,
    Scale,
    SheetSpec,
    Survey360,
    SurveyForm,
)
from domain.vocabulary import ResultCategory, SanctionKind

Direction = Literal["higher", "lower"]
Relation = Literal["head", "subordinate", "peer", "self"]
Number = Decimal | int | float | str
Answer = Decimal | int | float | str

# Division only: enough digits that no two-decimal input ever lands on a false rounding tie.
_DIVISION = Context(prec=40, rounding=ROUND_HALF_EVEN)
_HUNDRED = Decimal(100)


# --- small helpers ----------------------------------------------------------------------------------------


def plain(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros (``81.30`` → ``81.3``, ``1E+2`` → ``100``)."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def _listed(items: Iterable[object]) -> str:
    return ", ".join(str(item) for item in items)


def _mean(values: Sequence[Decimal]) -> Decimal:
    """The arithmetic mean, exact when it terminates (K-5, D-3, Q-2, T-6, P-3)."""
    with localcontext(_DIVISION):
        return sum(values, Decimal(0)) / len(values)


def to_decimal(value: object, *, field: str, rule: str, decimals: int | None = None) -> Decimal:
    """A number from YAML/JSON as a Decimal; ``decimals`` limits the digits after the point (None: no limit)."""
    number = _as_decimal(value, field=field, rule=rule)
    exponent = _significant_exponent(number)
    if decimals is not None and exponent < -decimals:
        raise RuleViolation(
            rule=rule,
            field=field,
            value=value,
            allowed=f"at most {decimals} decimals",
            message=Phrase(
                "{field} is {number}: scores have at most {decimals} decimals ({rule})",
                field=field,
                number=plain(number),
                decimals=decimals,
                rule=rule,
            ),
        )
    return number


def _significant_exponent(number: Decimal) -> int:
    """The exponent of the last significant digit (``4.50`` → -1, ``0.000`` → 0, ``1E-999999999`` → -999999999).

    Counted on the digits themselves: ``Decimal.normalize`` rounds in the default context, which turns a number
    below its ``Emin`` (1E-999999999) into 0 and would let it pass for a whole number.
    """
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    text = "".join(map(str, digits))
    return exponent + len(text) - len(text.rstrip("0"))


def _as_decimal(value: object, *, field: str, rule: str) -> Decimal:
    refusal = RuleViolation(
        rule=rule,
        field=field,
        value=value,
        allowed="a finite number",
        message=Phrase("{field} must be a number, got {value!r} ({rule})", field=field, value=value, rule=rule),
    )
    if isinstance(value, bool):
        raise refusal
    try:
        if isinstance(value, Decimal | int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise refusal
    except InvalidOperation:
        raise refusal from None
    if not number.is_finite():
        raise refusal
    return number


def _by_id(raw: object, ids: Sequence[str], *, field: str, rule: str, noun: str) -> dict[str, object]:
    """Values given as a list in ``ids`` order or as a mapping id → value, as a dict in ``ids`` order."""
    duplicates = sorted({i for i in ids if list(ids).count(i) > 1})
    if duplicates:
        raise RuleViolation(
            rule=rule,
            field=field,
            value=list(ids),
            allowed="unique ids",
            message=Phrase(
                "ids {duplicates} appear more than once in {field} ({rule})",
                duplicates=_listed(duplicates),
                field=field,
                rule=rule,
            ),
        )
    expected = f"{len(ids)} {noun}s in the order {_listed(ids)}"
    if isinstance(raw, Mapping):
        unknown = [key for key in raw if key not in ids]
        missing = [i for i in ids if i not in raw]
        if unknown or missing:
            parts = [f"unknown ids {_listed(unknown)}"] if unknown else []
            parts += [f"missing ids {_listed(missing)}"] if missing else []
            raise RuleViolation(
                rule=rule,
                field=field,
                value=dict(raw),
                allowed=list(ids),
                message=Phrase(
                    "{field}: {parts}; expected exactly {ids} ({rule})",
                    field=field,
                    parts="; ".join(parts),
                    ids=_listed(ids),
                    rule=rule,
                ),
            )
        return {i: raw[i] for i in ids}
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        if len(raw) != len(ids):
            raise RuleViolation(
                rule=rule,
                field=field,
                value=list(raw),
                allowed=list(ids),
                message=Phrase(
                    "{field} has {count} values; expected {expected} ({rule})",
                    field=field,
                    count=len(raw),
                    expected=expected,
                    rule=rule,
                ),
            )
        return dict(zip(ids, raw, strict=True))
    raise RuleViolation(
        rule=rule,
        field=field,
        value=raw,
        allowed=list(ids),
        message=Phrase(
            "{field} must be a list of {expected}, or a mapping from id to {noun} ({rule})",
            field=field,
            expected=expected,
            noun=noun,
            rule=rule,
        ),
    )


def normalise_scores(
    raw: object, ids: Sequence[str], *, rule: str, field: str = "scores", decimals: int | None = 2
) -> dict[str, Decimal]:
    """Scores given as a list (in ``ids`` order) or a mapping id → score, as ``{id: Decimal}`` in ``ids`` order.

    Refused, naming ``rule``, the field and what is allowed: a list of the wrong length, unknown, missing or
    duplicate ids, a value that is not a finite number (booleans, words, NaN), more than ``decimals`` decimals.
    """
    values = _by_id(raw, ids, field=field, rule=rule, noun="score")
    return {i: to_decimal(v, field=f"{field}.{i}", rule=rule, decimals=decimals) for i, v in values.items()}


# --- S-1: rounding and bands ------------------------------------------------------------------------------


_STORED_STEP = Decimal(1).scaleb(-STORED_DECIMALS)


def stored_score(value: Decimal) -> Decimal:
    """S-1, the one stored precision: ``value`` cut (toward −∞, never rounded) to ``STORED_DECIMALS`` decimals.

    13/3 → 4.3333; 2.99499… → 2.9949 (not 2.9950, which would band as 3.00). A value already at that precision is
    returned unchanged, so storing a stored value (``Numeric(6, 4)``) changes nothing.
    """
    return value.quantize(_STORED_STEP, rounding=ROUND_FLOOR)


def round_score(value: Decimal, results: Results) -> Decimal:
    """S-1, the one rounding rule: the stored value (:func:`stored_score`) half-up to ``results.decimals``
    (2.994 → 2.99, 2.995 → 3.00).

    Used for display and banding only. Rounding the stored value gives the same as rounding the exact one
    (``results.decimals`` < ``STORED_DECIMALS``), so a score read back from the database shows and bands as
    when it was computed.
    """
    return stored_score(value).quantize(Decimal(1).scaleb(-results.decimals), rounding=ROUND_HALF_UP)


def score_bounds(results: Results) -> tuple[Decimal, Decimal]:
    """The lowest and highest score any S-1 band admits (0.00 and 5.00 in the law)."""
    return min(b.min for b in results.bands), max(b.max for b in results.bands)


def band(score: Decimal, results: Results) -> ResultCategory:
    """S-1: the result category of a score, after rounding its stored value with :func:`round_score`."""
    rounded = round_score(score, results)
    for row in results.bands:
        if row.min <= rounded <= row.max:
            return row.category
    low, high = score_bounds(results)
    raise RuleViolation(
        rule="S-1",
        field="score",
        value=score,
        allowed=f"{low}–{high}",
        message=Phrase(
            "score {rounded} is outside every result band, {low}–{high} (S-1)",
            rounded=plain(rounded),
            low=low,
            high=high,
        ),
    )


@dataclass(frozen=True)
class SheetResult:
    """A scored sheet: the exact final, its S-1 rounding and category, and the item scores used.

    ``exact`` is the mathematical mean (up to 40 digits); :attr:`stored` is what is kept (S-1: cut to
    ``STORED_DECIMALS``); ``score`` its rounding for display and ``category`` its band, both from the stored value.
    ``per_item`` holds the scores averaged (after a parameter cap, Q-3); ``capped_by`` the sanction and cap that
    lowered the score, if one did; ``achievement`` the K-4 achievement percentage of each KPI (KPI sheets).
    """

    exact: Decimal
    score: Decimal
    category: ResultCategory
    per_item: Mapping[str, Decimal]
    capped_by: tuple[SanctionKind, Cap] | None = None
    achievement: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def stored(self) -> Decimal:
        """S-1: the value to store (``Numeric(6, 4)``): the exact mean cut to ``STORED_DECIMALS``."""
        return stored_score(self.exact)


def _sheet_result(
    exact: Decimal,
    results: Results,
    per_item: Mapping[str, Decimal],
    *,
    capped_by: tuple[SanctionKind, Cap] | None = None,
    achievement: Mapping[str, Decimal] | None = None,
) -> SheetResult:
    category = band(stored_score(exact), results)
    shown = round_score(stored_score(exact), results)
    return SheetResult(exact, shown, category, dict(per_item), capped_by, dict(achievement or {}))


# --- K: the KPI method ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiFact:
    """One KPI of the individual work plan for the period: planned and actual values, and its direction (K-6)."""

    id: str
    plan: Number
    actual: Number | None
    direction: Direction = "higher"


def achievement_pct(
    plan: Number, actual: Number | None, direction: Direction = "higher", *, kpi_id: str = "kpi"
) -> Decimal:
    """K-4/K-6: the achievement percentage of a KPI, exact (not truncated — :func:`allowed_range` does that).

    ``higher`` is better: actual / plan × 100. ``lower`` is better (K-6, the texts are silent): plan / actual × 100;
    an actual of 0 is the best possible outcome and counts as fully achieved, 100 % (the ratio is unbounded and
    the table has nothing above the ≥ 100 % row). A plan of 0 is refused in both directions: a zero target has
    no percentage, restate the KPI. Negative values are refused; a missing actual (P-5) too.
    """
    where = f"kpis.{kpi_id}"
    if actual is None:
        raise RuleViolation(
            rule="K-4",
            field=f"{where}.actual",
            allowed="the actual value for the period",
            message=Phrase(
                "KPI {kpi_id} has no actual value for the period: its sheet cannot be scored (K-4)", kpi_id=kpi_id
            ),
        )
    planned = to_decimal(plan, field=f"{where}.plan", rule="K-6")
    achieved = to_decimal(actual, field=f"{where}.actual", rule="K-6")
    if direction not in get_args(Direction):
        raise RuleViolation(
            rule="K-6",
            field=f"{where}.direction",
            value=direction,
            allowed=["higher", "lower"],
            message=Phrase(
                "KPI {kpi_id}: direction {direction!r} must be 'higher' or 'lower' (K-6)",
                kpi_id=kpi_id,
                direction=direction,
            ),
        )
    if planned <= 0 or achieved < 0:
        raise RuleViolation(
            rule="K-6",
            field=f"{where}.plan" if planned <= 0 else f"{where}.actual",
            value=(planned, achieved),
            allowed="plan > 0 and actual ≥ 0",
            message=Phrase(
                "KPI {kpi_id}: plan {planned} and actual {achieved} have no achievement percentage; the plan must be "
                "above 0 and the actual at least 0 (K-6)",
                kpi_id=kpi_id,
                planned=plain(planned),
                achieved=plain(achieved),
            ),
        )
    with localcontext(_DIVISION):
        if direction == "higher":
            return achieved * _HUNDRED / planned
        return _HUNDRED if achieved == 0 else planned * _HUNDRED / achieved


def truncate_pct(pct: Decimal, kpi_rules: KpiRules) -> Decimal:
    """K-4: the percentage cut down (never rounded) to the table's step: 99.999 → 99.99, in the 95–99.99 row.

    Rounding would put 99.995 % in the "≥ 100" row and award a 5 that was not achieved; the table's rows end
    at .99, so the reading that leaves no gap and never overstates achievement is truncation.
    """
    step = kpi_rules.pct_step
    with localcontext(_DIVISION):
        return (pct / step).to_integral_value(rounding=ROUND_FLOOR) * step


def allowed_range(pct: Decimal, kpi_rules: KpiRules) -> KpiRange:
    """K-4 (appendix 3): the row of the allowed-range table for an achievement percentage (truncated first)."""
    cut = truncate_pct(pct, kpi_rules)
    for row in kpi_rules.ranges:
        if row.min_pct <= cut and (row.max_pct is None or cut <= row.max_pct):
            return row
    raise RuleViolation(
        rule="K-4",
        field="achievement",
        value=pct,
        allowed="0 % or more",
        message=Phrase("achievement {cut}% has no row in the allowed-range table (K-4)", cut=plain(cut)),
    )


def check_kpi_score(score: Decimal, pct: Decimal, kpi_rules: KpiRules, kpi_id: str) -> KpiRange:
    """K-4: refuse a KPI score outside the allowed range of its achievement; return the range."""
    row = allowed_range(pct, kpi_rules)
    if row.min_score <= score <= row.max_score:
        return row
    allowed = f"{row.min_score:.2f}–{row.max_score:.2f}"
    raise RuleViolation(
        rule="K-4",
        field=f"scores.{kpi_id}",
        value=score,
        allowed=allowed,
        message=Phrase(
            "score {score} is outside the allowed range {allowed} for {achievement}% achievement (K-4)",
            score=plain(score),
            allowed=allowed,
            achievement=plain(truncate_pct(pct, kpi_rules)),
        ),
    )


def _check_kpi_count(ids: Sequence[str], kpi_rules: KpiRules) -> None:
    """K-3: 3 to 5 KPIs (per rulebook), each id once."""
    if not kpi_rules.min_count <= len(ids) <= kpi_rules.max_count:
        raise RuleViolation(
            rule="K-3",
            field="kpis",
            value=list(ids),
            allowed=f"{kpi_rules.min_count}–{kpi_rules.max_count}",
            message=Phrase(
                "the plan has {count} KPIs ({ids}); it must have {min_count} to {max_count} (K-3)",
                count=len(ids),
                ids=_listed(ids) or "none",
                min_count=kpi_rules.min_count,
                max_count=kpi_rules.max_count,
            ),
        )
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RuleViolation(
            rule="K-3",
            field="kpis",
            value=list(ids),
            allowed="distinct KPI ids",
            message=Phrase("KPI ids {repeated} appear more than once in the plan (K-3)", repeated=_listed(repeated)),
        )


def score_kpi_sheet(scores: object, kpis: Sequence[KpiFact], kpi_rules: KpiRules, results: Results) -> SheetResult:
    """K-3…K-5: score a KPI sheet (appendix 2): final = sum of KPI scores / number of KPIs → S-1 category.

    ``scores`` is a list in the order of ``kpis`` or a mapping KPI id → score; every KPI is scored exactly once
    and each score lies in the K-4 range of that KPI's achievement.
    """
    ids = [kpi.id for kpi in kpis]
    _check_kpi_count(ids, kpi_rules)
    given = normalise_scores(scores, ids, rule="K-4", decimals=results.decimals)
    achievement: dict[str, Decimal] = {}
    for kpi in kpis:
        achievement[kpi.id] = achievement_pct(kpi.plan, kpi.actual, kpi.direction, kpi_id=kpi.id)
        check_kpi_score(given[kpi.id], achievement[kpi.id], kpi_rules, kpi.id)
    return _sheet_result(_mean(list(given.values())), results, given, achievement=achievement)


# --- D and Q: parameter sheets and disciplinary caps ------------------------------------------------------


def _check_scale(score: Decimal, parameter: str, scale: Scale) -> None:
    """D-2 / Q-1: each parameter score lies on the sheet's scale."""
    if not scale.min <= score <= scale.max:
        allowed = f"{plain(scale.min)}–{plain(scale.max)}"
        raise RuleViolation(
            rule=scale.rule,
            field=f"scores.{parameter}",
            value=score,
            allowed=allowed,
            message=Phrase(
                "score {score} for '{parameter}' is outside the scale {allowed} ({rule})",
                score=plain(score),
                parameter=parameter,
                allowed=allowed,
                rule=scale.rule,
            ),
        )


def _check_justification(sheet: SheetSpec, justification: str | None) -> None:
    """D-3: the evaluator justifies the score ("Негіздеме", appendix 4) when the sheet requires it."""
    if sheet.justification_required and not (justification or "").strip():
        raise RuleViolation(
            rule="D-3",
            field="justification",
            value=justification,
            allowed="a non-blank text",
            message="the justification of the score (Негіздеме) is required and is blank (D-3)",
        )


def _sanction_kind(value: object, index: int) -> SanctionKind:
    try:
        return SanctionKind(str(value))
    except ValueError:
        allowed = [kind.value for kind in SanctionKind]
        raise RuleViolation(
            rule="Q-3",
            field=f"sanctions[{index}]",
            value=value,
            allowed=allowed,
            message=Phrase(
                "sanction kind {value!r} is not one of {allowed} (Q-3)",
                value=value,
                allowed=_listed(allowed),
            ),
        ) from None


def applicable_cap(
    caps: Caps | None, sanctions_in_period: Sequence[SanctionKind | str]
) -> tuple[SanctionKind, Cap] | None:
    """Q-3: the cap that binds, given the sanctions applied in the evaluated period: the lowest one wins.

    Returns the (first) sanction that triggers the lowest cap, and that cap; None when no sanction is capped.
    """
    found: tuple[SanctionKind, Cap] | None = None
    for index, value in enumerate(sanctions_in_period):
        kind = _sanction_kind(value, index)
        for cap in caps.caps if caps else []:
            if kind in cap.sanctions and (found is None or cap.max_score < found[1].max_score):
                found = (kind, cap)
    return found


def score_parameters(
    scores: object,
    sheet: SheetSpec,
    results: Results,
    caps: Caps | None = None,
    sanctions_in_period: Sequence[SanctionKind | str] = (),
    *,
    justification: str | None = None,
) -> SheetResult:
    """D-2/D-3, Q-1…Q-3: score a parameter sheet; final = sum of scores / number of parameters → S-1 category.

    Each score lies on the sheet's scale with at most ``results.decimals`` decimals (the forms use whole
    numbers; two decimals are accepted, more are refused). A sanction of the period caps the final score at
    its cap's ``max_score`` (Q-3, ``apply_to: final``) or only the named parameter before averaging
    (``apply_to: parameter``); the lowest applicable cap wins and a cap never raises a score.
    """
    ids = [parameter.id for parameter in sheet.parameters]
    given = normalise_scores(scores, ids, rule=sheet.scale.rule, decimals=results.decimals)
    for parameter, score in given.items():
        _check_scale(score, parameter, sheet.scale)
    _check_justification(sheet, justification)
    binding = applicable_cap(caps, sanctions_in_period)
    if binding is None or caps is None:
        return _sheet_result(_mean(list(given.values())), results, given)
    if caps.apply_to == "parameter":
        return _cap_parameter(given, caps, binding, results)
    mean = _mean(list(given.values()))
    lowered = binding[1].max_score < mean
    return _sheet_result(min(mean, binding[1].max_score), results, given, capped_by=binding if lowered else None)


def _cap_parameter(
    given: dict[str, Decimal], caps: Caps, binding: tuple[SanctionKind, Cap], results: Results
) -> SheetResult:
    """Q-3 (rulebook option): the cap applies to one parameter's score, before averaging."""
    parameter = caps.parameter or ""
    if parameter not in given:
        raise RuleViolation(
            rule="Q-3",
            field="caps.parameter",
            value=parameter,
            allowed=list(given),
            message=Phrase(
                "the capped parameter '{parameter}' is not on this sheet ({given}) (Q-3)",
                parameter=parameter,
                given=_listed(given),
            ),
        )
    capped = dict(given)
    capped[parameter] = min(given[parameter], binding[1].max_score)
    lowered = capped[parameter] < given[parameter]
    return _sheet_result(_mean(list(capped.values())), results, capped, capped_by=binding if lowered else None)


# --- M-4: the yearly KPI count ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CountResult:
    """M-4: how many KPIs were achieved, of how many, and the resulting category."""

    achieved_count: int
    total: int
    category: ResultCategory
    per_item: Mapping[str, bool]


def _to_bool(value: object, *, field: str, rule: str, meaning: str) -> bool:
    if not isinstance(value, bool):
        raise RuleViolation(
            rule=rule,
            field=field,
            value=value,
            allowed=[True, False],
            message=Phrase(
                "{field} is {value!r}: give true or false ({meaning}); numbers and words are not accepted ({rule})",
                field=field,
                value=value,
                meaning=meaning,
                rule=rule,
            ),
        )
    return value


def score_kpi_count(achieved: object, grading: CountGrading, kpi_ids: Sequence[str]) -> CountResult:
    """M-4: the year-end KPI result from the count of KPIs achieved (true/false per KPI, M-2: exactly 5 KPIs).

    ``achieved`` is a list of booleans in ``kpi_ids`` order or a mapping KPI id → boolean. Only real booleans
    are accepted (not 0/1): "achieved" is a yes/no fact, and a number there is more likely a score typed by
    mistake.
    """
    if len(kpi_ids) != grading.kpi_count:
        raise RuleViolation(
            rule="M-2",
            field="kpis",
            value=list(kpi_ids),
            allowed=grading.kpi_count,
            message=Phrase(
                "the plan has {count} KPIs ({ids}); exactly {kpi_count} are required (M-2)",
                count=len(kpi_ids),
                ids=_listed(kpi_ids) or "none",
                kpi_count=grading.kpi_count,
            ),
        )
    raw = _by_id(achieved, kpi_ids, field="scores", rule="M-4", noun="true/false value")
    flags = {i: _to_bool(v, field=f"scores.{i}", rule="M-4", meaning="KPI achieved or not") for i, v in raw.items()}
    count = sum(flags.values())
    category = next(grade.category for grade in grading.grades if count >= grade.min_achieved)
    return CountResult(count, len(kpi_ids), category, flags)


# --- M-6: competencies by behaviour indicators ------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyScore:
    """M-6: one competency: observed n of m indicators, meets or not, and which indicators were not observed.

    ``not_observed`` are 0-based positions in the submitted list (= the rulebook's indicator order).
    """

    id: str
    meets: bool
    observed: int
    total: int
    not_observed: tuple[int, ...]
    not_observed_indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class CompetencyResult:
    """M-6: every competency's result, and the sheet's overall category (``None`` when the rulebook sets none)."""

    per_competency: Mapping[str, CompetencyScore]
    category: ResultCategory | None


def competency_group(rules: CompetencyRules, category: str) -> str:
    """M-6: the indicator group of a (canonical) position category; categories with no indicators are refused."""
    for group_id, group in rules.category_groups.items():
        if group.contains(category):
            return group_id
    raise RuleViolation(
        rule="M-6",
        field="category",
        value=category,
        allowed=list(rules.category_groups),
        message=Phrase(
            "category {category} has no behaviour indicators in this rulebook (groups: {category_groups}) (M-6)",
            category=category,
            category_groups=_listed(rules.category_groups),
        ),
    )


def rated_competencies(rules: CompetencyRules, group: str, public_service: bool) -> list[str]:
    """M-6: the ids of the competencies rated on the sheet of a position of ``group``, in rulebook order: the two
    customer competencies (``public_service_only``) only for a post that provides public services (004 app. 3)."""
    return [
        item.id
        for item in rules.competencies
        if group in item.indicators and (public_service or not item.public_service_only)
    ]


def _competency_problems(
    observed: Mapping[object, object], rules: CompetencyRules, group: str, public_service: bool
) -> list[str]:
    known = {item.id: item for item in rules.competencies}
    applicable = [c for c in rules.competencies if group in c.indicators]
    required = [c.id for c in applicable if public_service or not c.public_service_only]
    problems: list[str] = []
    for key in observed:
        item = known.get(key) if isinstance(key, str) else None
        if item is None:
            problems.append(Phrase("unknown competency {key!r}", key=key))
        elif group not in item.indicators:
            problems.append(Phrase("competency '{key}' has no indicators for group '{group}'", key=key, group=group))
        elif item.public_service_only and not public_service:
            problems.append(
                Phrase("competency '{key}' applies only to positions that provide public services", key=key)
            )
    missing = [i for i in required if i not in observed]
    if missing:
        problems.append(Phrase("missing competencies {missing}", missing=_listed(missing)))
    return problems


def score_competencies(observed: object, rules: CompetencyRules, group: str, public_service: bool) -> CompetencyResult:
    """M-6: "meets expectations" when at least 3/4 (per rulebook) of a competency's indicators were observed.

    ``observed`` maps competency id → one boolean per behaviour indicator of the evaluatee's category group,
    in order. Competencies for public-service positions are required exactly when ``public_service`` is true.
    The threshold is compared in integers (observed × den ≥ num × total): 3 of 4 meets, 5 of 7 does not.
    """
    if group not in rules.category_groups:
        raise RuleViolation(
            rule="M-6",
            field="group",
            value=group,
            allowed=list(rules.category_groups),
            message=Phrase(
                "category group '{group}' is not one of {category_groups} (M-6)",
                group=group,
                category_groups=_listed(rules.category_groups),
            ),
        )
    if not isinstance(observed, Mapping):
        raise RuleViolation(
            rule="M-6",
            field="scores",
            value=observed,
            allowed="competency id → list of true/false",
            message="scores must map each competency id to a list of true/false, one per indicator (M-6)",
        )
    problems = _competency_problems(observed, rules, group, public_service)
    if problems:
        raise RuleViolation(
            rule="M-6",
            field="scores",
            value=dict(observed),
            allowed="the competencies of the position",
            message=Phrase("scores: {problems} (M-6)", problems=Joined(problems)),
        )
    per_competency = {
        item.id: _score_competency(observed[item.id], item.id, item.indicators[group], rules)
        for item in rules.competencies
        if item.id in observed
    }
    return CompetencyResult(per_competency, _overall(per_competency.values(), rules))


def _score_competency(
    flags: object, competency: str, indicators: Sequence[Indicator], rules: CompetencyRules
) -> CompetencyScore:
    where = f"scores.{competency}"
    if not isinstance(flags, Sequence) or isinstance(flags, str | bytes) or len(flags) != len(indicators):
        given = len(flags) if isinstance(flags, Sequence) and not isinstance(flags, str | bytes) else "no list"
        raise RuleViolation(
            rule="M-6",
            field=where,
            value=flags,
            allowed=len(indicators),
            message=Phrase(
                "competency '{competency}' has {indicators} indicators for this position; got {given} values (M-6)",
                competency=competency,
                indicators=len(indicators),
                given=given,
            ),
        )
    meaning = "indicator observed or not"
    seen = [_to_bool(v, field=f"{where}[{i}]", rule="M-6", meaning=meaning) for i, v in enumerate(flags)]
    missed = tuple(i for i, flag in enumerate(seen) if not flag)
    count = len(seen) - len(missed)
    meets = count * rules.threshold_denominator >= rules.threshold_numerator * len(seen)
    return CompetencyScore(competency, meets, count, len(seen), missed, tuple(indicators[i] for i in missed))


def _overall(scores: Iterable[CompetencyScore], rules: CompetencyRules) -> ResultCategory | None:
    """M-6: the sheet meets expectations only if every competency does (``overall: all_meet``)."""
    if rules.overall == "none":
        return None
    all_meet = all(score.meets for score in scores)
    return ResultCategory.MEETS if all_meet else ResultCategory.DOES_NOT_MEET


# --- T: the 360 survey ------------------------------------------------------------------------------------


def answer_points(answer: Answer, survey: Survey360, *, field: str = "answer") -> Decimal:
    """T-3: the points of one answer: an answer word (never, rarely, half, mostly, always) or one of their points."""
    words = [option.id for option in survey.answers]
    points = [plain(option.points) for option in survey.answers]
    refusal = RuleViolation(
        rule="T-3",
        field=field,
        value=answer,
        allowed=words,
        message=Phrase(
            "answer {answer!r} is not one of {words} or their points {points} (T-3)",
            answer=answer,
            words=_listed(words),
            points=_listed(points),
        ),
    )
    if isinstance(answer, str):
        for option in survey.answers:
            if option.id == answer.strip().lower():
                return option.points
    try:
        number = _as_decimal(answer, field=field, rule="T-3")
    except RuleViolation:
        raise refusal from None
    for option in survey.answers:
        if option.points == number:
            return option.points
    raise refusal


@dataclass(frozen=True)
class Response:
    """One filled 360 form (T-1, T-8: anonymous, so no respondent id): competency id → one answer per question."""

    respondent_relation: Relation
    answers: Mapping[str, Sequence[Answer]]


@dataclass(frozen=True)
class SurveyResult:
    """T-4…T-7: the individual 360 report (appendices 7 and 8), exact averages per competency.

    ``respondents`` excludes the self-assessment (T-5); ``averages`` is empty when nobody but the evaluatee
    answered; ``self_assessment`` holds the evaluatee's own averages, shown apart and never averaged in;
    ``publishable`` is false (with ``reason``) below the minimum number of respondents (T-4); ``weakest`` are the
    competencies sharing the lowest average, in form order (T-7: training topics).
    """

    respondents: int
    averages: Mapping[str, Decimal]
    self_assessment: Mapping[str, Decimal] | None
    publishable: bool
    reason: str | None
    weakest: tuple[str, ...]

    def rounded(self, results: Results) -> dict[str, Decimal]:
        """The averages as shown (S-1 rounding)."""
        return {key: round_score(value, results) for key, value in self.averages.items()}


def check_respondent_count(count: int, survey: Survey360) -> None:
    """T-4: 3 to 7 respondents (per rulebook) are chosen for each evaluatee, the self-assessment not counted."""
    if not survey.min_respondents <= count <= survey.max_respondents:
        allowed = f"{survey.min_respondents}–{survey.max_respondents}"
        raise RuleViolation(
            rule="T-4",
            field="respondents",
            value=count,
            allowed=allowed,
            message=Phrase(
                "{count} respondents were chosen; the 360 survey needs {min_respondents} to {max_respondents}, the "
                "self-assessment not counted (T-4)",
                count=count,
                min_respondents=survey.min_respondents,
                max_respondents=survey.max_respondents,
            ),
        )


def _respondent_scores(response: Response, form: SurveyForm, survey: Survey360, where: str) -> dict[str, Decimal]:
    """T-6, appendices 5/6: a respondent's score for a competency is the mean of their points for its questions."""
    ids = [item.id for item in form.competencies]
    answers = _by_id(response.answers, ids, field=f"{where}.answers", rule="T-2", noun="answer list")
    scores: dict[str, Decimal] = {}
    for item in form.competencies:
        given = answers[item.id]
        field_ = f"{where}.answers.{item.id}"
        if not isinstance(given, Sequence) or isinstance(given, str | bytes) or len(given) != len(item.questions):
            count = len(given) if isinstance(given, Sequence) and not isinstance(given, str | bytes) else "no list"
            raise RuleViolation(
                rule="T-2",
                field=field_,
                value=given,
                allowed=len(item.questions),
                message=Phrase(
                    "competency '{item_id}' has {questions} questions; got {count} answers (T-2)",
                    item_id=item.id,
                    questions=len(item.questions),
                    count=count,
                ),
            )
        points = [answer_points(a, survey, field=f"{field_}[{i}]") for i, a in enumerate(given)]
        scores[item.id] = _mean(points)
    return scores


def _check_relation(response: Response, where: str) -> None:
    relations = list(get_args(Relation))
    if response.respondent_relation not in relations:
        raise RuleViolation(
            rule="T-4",
            field=f"{where}.respondent_relation",
            value=response.respondent_relation,
            allowed=relations,
            message=Phrase(
                "respondent relation {respondent_relation!r} is not one of {relations} (T-4)",
                respondent_relation=response.respondent_relation,
                relations=_listed(relations),
            ),
        )


def survey_averages(responses: Sequence[Response], form: SurveyForm, survey: Survey360) -> SurveyResult:
    """T-5/T-6: per competency, the sum of the respondents' points divided by the number of respondents.

    Appendices 5/6 define a respondent's "average score" for a competency as the sum of their points divided by
    the number of their answers (the mean over the competency's questions); appendices 7/8 then add each
    respondent's points and divide by the number of respondents, self-assessment excluded. With every question
    answered, this mean of means equals the mean of all the answers ([4, 5, 4] from one respondent → 4.33).
    At most one self-assessment; more respondents than the maximum are refused (T-4); fewer than the minimum
    give a result that is not publishable (see :func:`require_publishable`).
    """
    others: list[dict[str, Decimal]] = []
    own: dict[str, Decimal] | None = None
    for index, response in enumerate(responses):
        where = f"responses[{index}]"
        _check_relation(response, where)
        scores = _respondent_scores(response, form, survey, where)
        if response.respondent_relation != "self":
            others.append(scores)
        elif own is None:
            own = scores
        else:
            raise RuleViolation(
                rule="T-5",
                field=where,
                allowed="one self-assessment",
                message="the evaluatee's self-assessment was given more than once (T-5)",
            )
    if len(others) > survey.max_respondents:
        check_respondent_count(len(others), survey)
    averages = {item.id: _mean([r[item.id] for r in others]) for item in form.competencies} if others else {}
    return SurveyResult(len(others), averages, own, *_publishable(len(others), survey), _weakest(averages))


def _publishable(count: int, survey: Survey360) -> tuple[bool, str | None]:
    if count >= survey.min_respondents:
        return True, None
    return False, (
        f"only {count} respondents answered (self-assessment excluded); the 360 report needs at least "
        f"{survey.min_respondents} (T-4)"
    )


def _weakest(averages: Mapping[str, Decimal]) -> tuple[str, ...]:
    if not averages:
        return ()
    lowest = min(averages.values())
    return tuple(key for key, value in averages.items() if value == lowest)


def require_publishable(result: SurveyResult) -> SurveyResult:
    """T-4: refuse an individual 360 report built from fewer respondents than the minimum."""
    if not result.publishable:
        raise RuleViolation(
            rule="T-4",
            field="respondents",
            value=result.respondents,
            allowed="the rulebook's minimum",
            message=result.reason or "too few respondents (T-4)",
        )
    return result


# --- P-3: the annual final score --------------------------------------------------------------------------


def annual_average(quarter_scores: Sequence[Number] | Mapping[str, Number], results: Results) -> SheetResult:
    """P-3: the annual final = the mean of the year's quarterly final scores (exact values), banded by S-1.

    Every quarterly final of the year is averaged, whatever its method: someone who moved between a KPI and a
    differentiation position has both kinds, and the law averages "the quarterly scores" without distinction.
    A mapping keeps its labels (``{"2025-Q1": 4.2}``) in ``per_item``; a list is labelled by position.
    """
    labelled = dict(quarter_scores) if isinstance(quarter_scores, Mapping) else dict(enumerate(quarter_scores))
    if not labelled:
        raise RuleViolation(
            rule="P-3",
            field="quarter_scores",
            value=[],
            allowed="at least one quarterly score",
            message="no quarterly score in the year: there is no annual final score (P-3)",
        )
    low, high = score_bounds(results)
    scores: dict[str, Decimal] = {}
    for label, value in labelled.items():
        score = to_decimal(value, field=f"quarter_scores.{label}", rule="P-3")
        if not low <= score <= high:
            raise RuleViolation(
                rule="P-3",
                field=f"quarter_scores.{label}",
                value=score,
                allowed=f"{low}–{high}",
                message=Phrase(
                    "quarterly score {score} ({label}) is outside {low}–{high} (P-3)",
                    score=plain(score),
                    label=label,
                    low=low,
                    high=high,
                ),
            )
        scores[str(label)] = score
    return _sheet_result(_mean(list(scores.values())), results, scores)
