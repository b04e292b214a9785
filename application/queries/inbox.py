"""The evaluator's side (issue 10): the sheets due for a principal, and each sheet as a form built from its rulebook.

:func:`inbox` lists what a person has to do with sheets: the sheets they evaluate that wait for them (open, or
returned for correction by the superior head, M-5), those they signed that can still be corrected (before the
evaluatee has been made acquainted, C-1), and the sheets they review as the superior head (M-5) — each with its
deadline and the working days left (P-6 calendar). One query for the evaluations, the body's facts once.

:func:`sheet_form` is one sheet as the form the evaluator fills, per method, everything taken from the rulebook
(rules are data): a KPI sheet (plan, actual, achievement and the allowed score range of K-4 for each KPI), a
parameter sheet — differentiation (D-2/D-3) and forms 1/2 (Q-1…Q-3) — with the parameters' texts in the reader's
language, the scale, the justification and the caps (Q-3), a ``kpi_count`` sheet (achieved yes/no per KPI, M-4),
a competencies sheet (behaviour indicators of the evaluatee's category group, the 3/4 rule of M-6). With
``entered`` values (what the evaluator typed so far) it also gives the live hints: each field's problem, naming
the rule and the allowed values, and the result the sheet would have — computed by the very scorers the
submission uses, without writing anything.

Only the evaluator of the sheet (the one stored, or whoever is due to evaluate it today: an acting head, a D-4
delegate, G-7) and the superior head who reviews it (M-5) get a form; for anyone else the sheet
does not exist (``None``: the caller answers 404 and records the refusal, R-2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from application.actions.commission import approver_of
from application.actions.lookup import Row
from application.actions.sheets import SCORERS, SheetFacts
from application.context import BodyContext
from application.cycle.routing import may_submit
from application.environment import Environment
from application.errors import Rejected
from domain import scoring
from domain.access import Principal
from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.rulebook import MethodSpec, Rulebook
from domain.vocabulary import EvaluationStatus, Language, PeriodKind
from persistence import flowstate

Task = Literal["sheet", "signed", "review"]
Role_ = Literal["evaluator", "reviewer"]

#: Sheets waiting for the evaluator's signature.
DUE = (EvaluationStatus.OPEN.value, EvaluationStatus.RETURNED.value)
#: Signed sheets the evaluator may still correct (a new version) before the evaluatee sees the result (C-2).
SIGNED = (EvaluationStatus.SUBMITTED.value, EvaluationStatus.COMPLETED.value)


@dataclass(frozen=True)
class Due:
    """One line of the inbox: a sheet to fill (``sheet``), one signed and still correctable (``signed``), or one to
    review as the superior head (``review``, M-5)."""

    evaluation_id: int
    task: Task
    employee: str
    full_name: str
    period: str
    method: str
    method_name: str
    status: str
    deadline: date | None
    working_days_left: int | None
    late: bool


@dataclass(frozen=True)
class Inbox:
    today: date
    items: tuple[Due, ...]

    def of(self, task: Task) -> list[Due]:
        return [item for item in self.items if item.task == task]


# --- the sheet form ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    """A field's problem: the rule, the allowed values and the sentence shown next to it; an out-of-range score
    (``kind`` ``range``) also carries the typed ``value`` and the bounds, so that a page can say it in its language."""

    rule: str
    allowed: str
    message: str
    kind: Literal["range", "other"] = "other"
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class ParameterField:
    """D-2/Q-2: one parameter of the sheet, its texts in the reader's language and the value entered."""

    id: str
    name: str
    description: str | None
    value: str
    hint: Hint | None = None


@dataclass(frozen=True)
class KpiField:
    """K-4: one KPI with its plan and actual for the period, the achievement and the allowed score range."""

    id: str
    name: str
    unit: str
    direction: str
    plan: Decimal | None
    actual: Decimal | None
    achievement: Decimal | None
    allowed_min: Decimal | None
    allowed_max: Decimal | None
    value: str
    hint: Hint | None = None


@dataclass(frozen=True)
class CountField:
    """M-4: one KPI of the yearly plan, achieved or not (``None``: not answered yet)."""

    id: str
    name: str
    unit: str
    plan: Decimal | None
    actual: Decimal | None
    value: bool | None


@dataclass(frozen=True)
class CompetencyField:
    """M-6: one competency with the behaviour indicators of the evaluatee's category group, each observed or not."""

    id: str
    name: str
    indicators: tuple[str, ...]
    observed: tuple[bool, ...]
    meets: bool | None = None


@dataclass(frozen=True)
class CapRule:
    """Q-3: a sanction of these kinds in the period caps the score at ``max_score``."""

    sanctions: tuple[str, ...]
    max_score: Decimal


@dataclass(frozen=True)
class Preview:
    """What the sheet would give as entered (S-1), or the first problem the submission would be refused for."""

    complete: bool
    score: Decimal | None = None
    category: str | None = None
    category_name: str | None = None
    capped_at: Decimal | None = None
    problem: Hint | None = None


@dataclass(frozen=True)
class Current:
    """The signed version in force."""

    version: int
    signed_on: date | None
    justification: str | None


@dataclass(frozen=True)
class Draft:
    """The reader's own draft of the sheet, restored into the form (decision 0141): saved, never signed."""

    saved_at: datetime
    saved_on: date


@dataclass(frozen=True)
class Review:
    """The superior head's last decision on the sheet (M-5)."""

    decision: str
    reason: str | None
    decided_on: date


@dataclass(frozen=True)
class SheetForm:
    """One sheet as its form; ``role`` says whether the reader fills it (evaluator) or reviews it (M-5)."""

    evaluation_id: int
    role: Role_
    employee: str
    full_name: str
    period: str
    method: str
    method_name: str
    scoring: str
    rules: tuple[str, ...]
    status: str
    deadline: date | None
    working_days_left: int | None
    may_sign: bool
    may_review: bool
    superior_approval: bool
    justification: str
    justification_required: bool
    scale_min: Decimal | None = None
    scale_max: Decimal | None = None
    scale_rule: str | None = None
    zero_means_not_performed: bool = False
    parameters: tuple[ParameterField, ...] = ()
    kpis: tuple[KpiField, ...] = ()
    kpi_rule: str = "K-4"
    counts: tuple[CountField, ...] = ()
    count_rule: str = "M-4"
    competencies: tuple[CompetencyField, ...] = ()
    competency_rule: str = "M-6"
    threshold: tuple[int, int] | None = None
    caps: tuple[CapRule, ...] = ()
    cap_rule: str = "Q-3"
    cap_scope: str = "final"
    sanctions_in_period: tuple[str, ...] = ()
    binding_cap: Decimal | None = None
    current: Current | None = None
    draft: Draft | None = None
    last_review: Review | None = None
    preview: Preview | None = None
    problems: tuple[Hint, ...] = field(default_factory=tuple)

    def field_hints(self) -> list[tuple[str, str, Hint]]:
        """(field id, label, hint) of every field with a problem, in the order of the form."""
        found = [(item.id, item.name, item.hint) for item in self.parameters if item.hint is not None]
        found += [(item.id, f"{item.id} {item.name}", item.hint) for item in self.kpis if item.hint is not None]
        return found


# --- the inbox -----------------------------------------------------------------------------------------------------


def working_days_left(ctx: BodyContext, today: date, deadline: date | None) -> int | None:
    """Working days from today to the deadline, both included (1 on the last day); negative when overdue (the
    working days since the deadline, at least 1); ``None`` without a deadline or outside the calendar's years."""
    if deadline is None:
        return None
    try:
        if deadline >= today:
            return ctx.calendar.working_days_between(today, deadline)
        # overdue over a weekend is still overdue: at least one day late
        return -max(1, ctx.calendar.working_days_between(date.fromordinal(deadline.toordinal() + 1), today))
    except ValueError:
        return None


def _method_name(ctx: BodyContext, row: Row, language: Language) -> str:
    try:
        return ctx.book(row["rulebook_id"]).method(row["method"]).name.in_language(language)
    except KeyError:
        return str(row["method"])


def _spec(ctx: BodyContext, row: Row) -> tuple[Rulebook, MethodSpec]:
    book = ctx.book(row["rulebook_id"])
    return book, book.method(row["method"])


def _me(ctx: BodyContext, principal: Principal) -> int | None:
    return ctx.ids.get(principal.person) if principal.person is not None else None


def inbox(env: Environment, principal: Principal, *, language: Language = Language.KK) -> Inbox:
    """What ``principal`` has to do with sheets today (see the module's docstring); empty for no person."""
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        try:
            ctx = BodyContext.acting(env, uow, principal, today)
        except Rejected:
            return Inbox(today, ())
        me = _me(ctx, principal)
        if me is None:
            return Inbox(today, ())
        column = flowstate.evaluation.c
        mine = flowstate.evaluations(
            uow.session,
            body_id=ctx.body_id,
            eligible=True,
            statuses=[*DUE, *SIGNED],
            where=[column.evaluator_id == me],
        )
        waiting = flowstate.evaluations(
            uow.session, body_id=ctx.body_id, eligible=True, statuses=[EvaluationStatus.SUBMITTED.value]
        )
        items: list[Due] = []
        for row in mine:
            if row["status"] in SIGNED and row["acquainted_on"] is not None:
                continue
            task: Task = "sheet" if row["status"] in DUE else "signed"
            items.append(_due(ctx, row, task, today, language))
        for row in waiting:
            if _spec(ctx, row)[1].superior_approval and approver_of(ctx, row) == me:
                items.append(_due(ctx, row, "review", today, language))
        items.sort(key=lambda item: (item.deadline or date.max, item.employee, item.evaluation_id))
        return Inbox(today, tuple(items))


def _due(ctx: BodyContext, row: Row, task: Task, today: date, language: Language) -> Due:
    deadline = row["deadline"]
    return Due(
        evaluation_id=row["id"],
        task=task,
        employee=ctx.numbers.get(row["person_id"], ""),
        full_name=ctx.name(row["person_id"]),
        period=row["period_label"],
        method=row["method"],
        method_name=_method_name(ctx, row, language),
        status=row["status"],
        deadline=deadline,
        working_days_left=None if task == "signed" else working_days_left(ctx, today, deadline),
        late=task != "review" and deadline is not None and today > deadline and row["status"] in DUE,
    )


# --- one sheet -----------------------------------------------------------------------------------------------------


def sheet_row(ctx: BodyContext, evaluation_id: int) -> Row | None:
    """The evaluation (of the context's body) with this id, or ``None``."""
    column = flowstate.evaluation.c
    rows = flowstate.evaluations(ctx.uow.session, body_id=ctx.body_id, where=[column.id == evaluation_id])
    return rows[0] if rows else None


def role_of(ctx: BodyContext, principal: Principal, row: Row) -> Role_ | None:
    """The evaluator of the sheet, or the superior head who reviews it (M-5), or nobody with a form (R-2)."""
    me = _me(ctx, principal)
    if me is None or not row["eligible"]:
        return None
    if row["evaluator_id"] == me:
        return "evaluator"
    if row["status"] in DUE and me in may_submit(ctx, row, ctx.on):
        return "evaluator"  # G-7/D-4: due to evaluate today, before the daily step stores it (decision 0071)
    book, spec = _spec(ctx, row)
    if spec.superior_approval and approver_of(ctx, row) == me:
        return "reviewer"
    return None


def sheet_form(
    env: Environment,
    principal: Principal,
    evaluation_id: int,
    *,
    language: Language = Language.KK,
    entered: Any = None,
    justification: str | None = None,
) -> SheetForm | None:
    """The sheet's form for ``principal`` (``None``: not theirs — answer 404, R-2); with ``entered`` scores (the
    shape ``submit_sheet`` takes) also the live hints and the preview of the result."""
    today = env.clock.today()
    with env.unit_of_work(principal) as uow:
        try:
            ctx = BodyContext.acting(env, uow, principal, today)
        except Rejected:
            return None
        row = sheet_row(ctx, evaluation_id)
        if row is None:
            return None
        role = role_of(ctx, principal, row)
        if role is None:
            return None
        return _FormBuilder(ctx, row, role, language, today).build(entered, justification, me=_me(ctx, principal))


class _FormBuilder:
    def __init__(self, ctx: BodyContext, row: Row, role: Role_, language: Language, today: date) -> None:
        self.ctx = ctx
        self.row = row
        self.role = role
        self.language = language
        self.today = today
        self.book, self.spec = _spec(ctx, row)
        self.period = Period(PeriodKind(row["period_kind"]), row["period_year"], row["period_quarter"])
        self.number = ctx.numbers.get(row["person_id"], "")

    def build(self, entered: Any, justification: str | None, *, me: int | None = None) -> SheetForm:
        uow = self.ctx.uow
        current = uow.sheets.current(self.row["id"])
        # decision 0141: the evaluator's own draft comes back into the form (nobody else's, R-2)
        draft = uow.sheets.draft(self.row["id"], me) if self.role == "evaluator" and me is not None else None
        if draft is not None and entered is None:
            entered = dict(draft.scores)
            if justification is None:
                justification = draft.justification or ""
        stored: Mapping[str, Any] = current.scores if current is not None and current.signed_at else {}
        values = entered if entered is not None else stored
        if justification is None:
            justification = (current.justification if current is not None else None) or ""
        reviews = uow.sheets.reviews(self.row["id"])
        status = self.row["status"]
        may_sign = self.role == "evaluator" and status in (*DUE, *SIGNED) and self.row["acquainted_on"] is None
        form: dict[str, Any] = {
            "evaluation_id": self.row["id"],
            "role": self.role,
            "employee": self.number,
            "full_name": self.ctx.name(self.row["person_id"]),
            "period": self.row["period_label"],
            "method": self.row["method"],
            "method_name": self.spec.name.in_language(self.language),
            "scoring": self.spec.scoring,
            "rules": tuple(self.spec.rules),
            "status": status,
            "deadline": self.row["deadline"],
            "working_days_left": working_days_left(self.ctx, self.today, self.row["deadline"]),
            "may_sign": may_sign,
            "may_review": self.role == "reviewer" and status == EvaluationStatus.SUBMITTED.value,
            "superior_approval": self.spec.superior_approval,
            "justification": justification,
            "justification_required": bool(self.spec.sheet and self.spec.sheet.justification_required),
            "current": _current(current, self.ctx),
            "draft": (
                Draft(draft.saved_at, self.ctx.env.clock.local_date(draft.saved_at)) if draft is not None else None
            ),
            "last_review": (
                Review(reviews[-1].decision, reviews[-1].reason, reviews[-1].decided_on) if reviews else None
            ),
        }
        problems: list[Hint] = []
        builders = {
            "parameters": self._parameters,
            "kpi_range": self._kpis,
            "kpi_count": self._counts,
            "competencies": self._competencies,
        }
        try:
            form.update(builders[self.spec.scoring](values, problems))
        except RuleViolation as violation:  # the sheet cannot be filled at all (no plan, no indicators…)
            problems.append(_hint(violation))
        except Rejected as rejected:
            problems.append(Hint(rejected.rule or "", "", rejected.reason))
        if entered is not None:
            form["preview"] = self._preview(entered, justification, problems)
        form["problems"] = tuple(problems)
        return SheetForm(**form)

    # --- per method ---

    def _parameters(self, values: Any, problems: list[Hint]) -> dict[str, Any]:
        sheet = self.spec.sheet
        assert sheet is not None  # the rulebook model requires a sheet for parameter scoring
        given = values if isinstance(values, Mapping) else {}
        fields = []
        for parameter in sheet.parameters:
            raw = given.get(parameter.id)
            value = "" if raw is None else str(raw)
            hint = None
            if value.strip():
                hint = _scale_hint(value, parameter.id, sheet.scale.min, sheet.scale.max, sheet.scale.rule, self)
            fields.append(
                ParameterField(
                    parameter.id,
                    parameter.name.in_language(self.language),
                    parameter.description.in_language(self.language) if parameter.description else None,
                    value,
                    hint,
                )
            )
        caps = self.book.caps
        sanctions = tuple(
            flowstate.sanctions_between(self.ctx.uow.session, self.row["person_id"], self.period.start, self.period.end)
        )
        binding = None
        if caps is not None and sanctions:
            try:
                found = scoring.applicable_cap(caps, sanctions)
                binding = found[1].max_score if found else None
            except RuleViolation as violation:
                problems.append(_hint(violation))
        return {
            "scale_min": sheet.scale.min,
            "scale_max": sheet.scale.max,
            "scale_rule": sheet.scale.rule,
            "zero_means_not_performed": sheet.zero_means_not_performed,
            "parameters": tuple(fields),
            "caps": tuple(
                CapRule(tuple(str(kind) for kind in cap.sanctions), cap.max_score)
                for cap in (caps.caps if caps else [])
            ),
            "cap_rule": caps.rule if caps else "Q-3",
            "cap_scope": (caps.parameter or "final") if caps and caps.apply_to == "parameter" else "final",
            "sanctions_in_period": sanctions,
            "binding_cap": binding,
        }

    def _kpis(self, values: Any, problems: list[Hint]) -> dict[str, Any]:
        rules = self.book.kpi
        if rules is None:
            raise Rejected.by_rule("K-4", Phrase("rulebook {book_id} has no KPI table", book_id=self.book.id))
        key = "year" if self.period.kind == PeriodKind.YEAR else f"Q{self.period.quarter}"
        given = values if isinstance(values, Mapping) else {}
        fields = []
        for kpi in self.ctx.uow.plans.kpis(self.row["person_id"], self.period.year):
            value_row = kpi.values.get(key)
            plan = value_row.planned if value_row else None
            actual = value_row.actual if value_row else None
            achievement = low = high = None
            hint = None
            direction: scoring.Direction = "lower" if kpi.direction == "lower" else "higher"
            try:
                if plan is not None and actual is not None:
                    achievement = scoring.achievement_pct(plan, actual, direction, kpi_id=kpi.code)
                    allowed = scoring.allowed_range(achievement, rules)
                    cents = Decimal(1).scaleb(-self.book.results.decimals)
                    low, high = allowed.min_score.quantize(cents), allowed.max_score.quantize(cents)
                    achievement = scoring.truncate_pct(achievement, rules)
            except RuleViolation as violation:
                hint = _hint(violation)
            raw = given.get(kpi.code)
            value = "" if raw is None else str(raw)
            if hint is None and value.strip() and low is not None and high is not None:
                hint = _scale_hint(value, kpi.code, low, high, "K-4", self, achievement=achievement)
            fields.append(
                KpiField(kpi.code, kpi.name, kpi.unit, direction, plan, actual, achievement, low, high, value, hint)
            )
        if not fields:
            problems.append(
                Hint(
                    "K-1",
                    "",
                    Phrase(
                        "{number} has no KPIs in the work plan of {year} (K-1)",
                        number=self.number,
                        year=self.period.year,
                    ),
                )
            )
        return {"kpis": tuple(fields), "kpi_rule": "K-4"}

    def _counts(self, values: Any, problems: list[Hint]) -> dict[str, Any]:
        grading = self.book.count_grading
        given = values if isinstance(values, Mapping) else {}
        fields = []
        for kpi in self.ctx.uow.plans.kpis(self.row["person_id"], self.period.year):
            value_row = kpi.values.get("year")
            raw = given.get(kpi.code)
            fields.append(
                CountField(
                    kpi.code,
                    kpi.name,
                    kpi.unit,
                    value_row.planned if value_row else None,
                    value_row.actual if value_row else None,
                    raw if isinstance(raw, bool) else None,
                )
            )
        return {"counts": tuple(fields), "count_rule": grading.rule if grading else "M-4"}

    def _competencies(self, values: Any, problems: list[Hint]) -> dict[str, Any]:
        rules = self.book.competencies
        if rules is None:
            raise Rejected.by_rule("M-6", Phrase("rulebook {book_id} has no competency rules", book_id=self.book.id))
        category = self.ctx.org.employee(self.number).category or ""
        group = scoring.competency_group(rules, category)
        rated = scoring.rated_competencies(rules, group, public_service=False)
        given = values if isinstance(values, Mapping) else {}
        fields = []
        for item in rules.competencies:
            if item.id not in rated:
                continue
            indicators = item.indicators[group]
            raw = given.get(item.id)
            flags = tuple(flag is True for flag in raw) if isinstance(raw, list) else ()
            flags = (flags + (False,) * len(indicators))[: len(indicators)]
            meets = None
            if isinstance(raw, list):
                meets = sum(flags) * rules.threshold_denominator >= rules.threshold_numerator * len(indicators)
            fields.append(
                CompetencyField(
                    item.id,
                    item.name.in_language(self.language),
                    tuple(str(getattr(indicator, self.language.value)) for indicator in indicators),
                    flags,
                    meets,
                )
            )
        return {
            "competencies": tuple(fields),
            "competency_rule": rules.rule,
            "threshold": (rules.threshold_numerator, rules.threshold_denominator),
        }

    # --- the result as entered ---

    def _preview(self, entered: Any, justification: str | None, problems: list[Hint]) -> Preview:
        if problems:
            return Preview(complete=False, problem=problems[0])
        facts = SheetFacts(
            self.ctx,
            self.row,
            self.row["person_id"],
            self.number,
            self.period,
            self.book,
            self.spec,
            justification,
        )
        try:
            scored = SCORERS[self.spec.scoring](entered, facts)
        except RuleViolation as violation:
            return Preview(complete=False, problem=_hint(violation))
        except Rejected as rejected:
            return Preview(complete=False, problem=Hint(rejected.rule or "", "", rejected.reason))
        category = scored.category
        shown = scoring.round_score(scored.score, self.book.results) if scored.score is not None else None
        capped = None
        if scored.score is not None and self.book.caps is not None and self.spec.scoring == "parameters":
            sanctions = flowstate.sanctions_between(
                self.ctx.uow.session, self.row["person_id"], self.period.start, self.period.end
            )
            binding = scoring.applicable_cap(self.book.caps, sanctions)
            if binding is not None and binding[1].max_score <= scored.score:
                capped = binding[1].max_score
        name = None
        if category is not None:
            try:
                name = self.book.results.name_of(category).in_language(self.language)
            except KeyError:
                name = str(category)
        return Preview(True, shown, str(category) if category else None, name, capped)


def _current(current: Any, ctx: BodyContext) -> Current | None:
    if current is None or current.signed_at is None:
        return None
    return Current(current.version, ctx.env.clock.local_date(current.signed_at), current.justification)


def _hint(violation: RuleViolation) -> Hint:
    allowed = violation.allowed
    if isinstance(allowed, list | tuple):
        text = ", ".join(str(item) for item in allowed)
    else:
        text = "" if allowed is None else str(allowed)
    return Hint(violation.rule, text, violation.message)


def _scale_hint(
    value: str,
    field_id: str,
    low: Decimal,
    high: Decimal,
    rule: str,
    builder: _FormBuilder,
    *,
    achievement: Decimal | None = None,
) -> Hint | None:
    """The problem of one typed score: not a number, too many decimals, or outside [low, high] (naming the rule)."""
    allowed = f"{low:.2f}–{high:.2f}"
    try:
        number = scoring.to_decimal(
            value.replace(",", "."), field=f"scores.{field_id}", rule=rule, decimals=builder.book.results.decimals
        )
    except RuleViolation as violation:
        return _hint(violation)
    if low <= number <= high:
        return None
    if achievement is not None:
        message = Phrase(
            "score {score} is outside the allowed range {allowed} for {achievement}% achievement ({rule})",
            score=scoring.plain(number),
            allowed=allowed,
            achievement=scoring.plain(achievement),
            rule=rule,
        )
    else:
        message = Phrase(
            "score {score} for '{field_id}' is outside the scale {allowed} ({rule})",
            score=scoring.plain(number),
            field_id=field_id,
            allowed=allowed,
            rule=rule,
        )
    return Hint(rule, allowed, message, "range", number, low, high)


def entered_scores(scoring_kind: str, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A web form's fields as the scores ``submit_sheet`` takes: ``score.<id>`` (parameters, KPIs: the text as
    typed, a decimal comma accepted), ``achieved.<id>`` = ``yes``/``no`` (M-4), ``observed.<competency>.<i>`` for
    each indicator ticked, with ``competency.<id>`` naming each competency shown (M-6)."""
    if scoring_kind in ("parameters", "kpi_range"):
        return {
            key[len("score.") :]: value.strip().replace(",", ".")
            for key, value in pairs
            if key.startswith("score.") and value.strip()
        }
    if scoring_kind == "kpi_count":
        return {
            key[len("achieved.") :]: value == "yes"
            for key, value in pairs
            if key.startswith("achieved.") and value in ("yes", "no")
        }
    shown: dict[str, int] = {}
    for key, value in pairs:
        if key.startswith("competency.") and value.isdigit() and int(value) <= 10:
            shown[key[len("competency.") :]] = int(value)
    observed: dict[str, list[bool]] = {name: [False] * count for name, count in shown.items()}
    for key, _value in pairs:
        if key.startswith("observed."):
            name, _, index = key[len("observed.") :].rpartition(".")
            if name in observed and index.isdigit() and int(index) < len(observed[name]):
                observed[name][int(index)] = True
    return dict(observed)
