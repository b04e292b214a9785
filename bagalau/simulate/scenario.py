"""The scenario file of ``bagalau simulate``: its model, how it is read, and every check that makes it malformed.

The format is the contract in ``../shared/SCENARIOS.md`` (Input). A file is refused as a whole (exit 2) when it
cannot be read the same way by every YAML loader, when a key is unknown or misspelt, a value has the wrong type,
a required field is missing, or the organization refers to people or units it does not define. Each problem is
reported as ``FILE: path: message`` with the path in YAML key names (``events[3].submit.scores``).

What the *rules* refuse is not checked here: an event for an unknown employee, a late sheet or a score outside
the K-4 range is a valid file whose event the simulation records under ``rejections``.
"""

from __future__ import annotations

import difflib
import math
import re
import types
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from domain import rulebooks
from domain.categories import CategoryCodeError, normalize_category
from domain.rulebook import Rulebook
from domain.rulebooks import RulebookError
from domain.vocabulary import AbsenceKind, Corps, Method, PeriodKind, ResultCategory, SanctionKind
from domain.yaml12 import Yaml12Loader, YamlLimitError, read_text

# --- problems -----------------------------------------------------------------------------------------------


class Problem(NamedTuple):
    """One thing wrong with a scenario file: where (YAML path, line when known) and what."""

    path: str
    message: str
    line: int | None = None

    def render(self, source: str) -> str:
        where = self.path or "(top)"
        at_line = f" (line {self.line})" if self.line else ""
        return f"{source}: {where}: {self.message}{at_line}"


class ScenarioError(ValueError):
    """A scenario file that cannot be simulated; ``str()`` lists every problem as ``FILE: path: message``."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(problem.render(source) for problem in problems))


Loc = tuple[int | str, ...]


def _refuse(problems: list[tuple[Loc, str]], title: str) -> None:
    """Raise one pydantic error per problem, each at its own location (pydantic prefixes the parents' path)."""
    if problems:
        details = [
            InitErrorDetails(type=PydanticCustomError("scenario", "{message}", {"message": text}), loc=loc, input=None)
            for loc, text in problems
        ]
        raise ValidationError.from_exception_data(title, details)


# --- scalar types -------------------------------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = re.compile(r"^\d{4}(-Q[1-4])?$")
ANSWER_WORDS = ("never", "rarely", "half", "mostly", "always")


def _iso_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"expected a date YYYY-MM-DD, got a date and time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


def _number(value: Any) -> Decimal:
    """A YAML number, kept exact (4.25 stays 4.25); booleans and quoted numbers are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return Decimal(str(value))


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Number = Annotated[Decimal, PlainValidator(_number)]


def _id(value: Any) -> Any:
    """Ids are text; an unquoted number (``id: 1001``) reads the same in every loader, so it is taken as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_id), Field(min_length=1, max_length=64, pattern=r"^\S+$")]
Text = Annotated[str, Field(min_length=1)]
Year = Annotated[StrictInt, Field(ge=1990, le=2200)]


def _period(value: Any) -> str:
    if isinstance(value, str) and PERIOD.match(value):
        return value
    raise ValueError(f"expected a period like 2025-Q1 or 2025, got {value!r}")


Period = Annotated[str, PlainValidator(_period)]


def _scores(value: Any) -> list[Decimal] | list[bool] | dict[str, Decimal] | dict[str, bool] | dict[str, list[bool]]:
    """``submit.scores``: numbers (sheets, KPIs), booleans (kpi_count, M-4), or competency → booleans (M-6)."""
    problems: list[tuple[Loc, str]] = []
    items: list[tuple[Loc, Any]]
    if isinstance(value, list):
        items = [((index,), item) for index, item in enumerate(value)]
    elif isinstance(value, Mapping):
        items = [((key,), item) for key, item in value.items()]
        problems += [((key,), "a score id must be a text") for key in value if not isinstance(key, str) or not key]
    else:
        raise ValueError(
            "scores is a list (in the order of the sheet's parameters or of the KPIs) or a mapping id → score"
        )
    if not items:
        raise ValueError("scores is empty")
    kinds: set[str] = set()
    parsed: list[Any] = []
    for loc, item in items:
        kind, parsed_item, problem = _score_item(item, allow_list=isinstance(value, Mapping))
        if problem:
            problems.append((loc, problem))
        kinds.add(kind)
        parsed.append(parsed_item)
    _refuse(problems, "scores")
    if len(kinds) > 1:
        raise ValueError(f"scores mixes {' and '.join(sorted(kinds))}: give one kind of value for the whole sheet")
    if isinstance(value, list):
        return parsed
    return dict(zip(value.keys(), parsed, strict=True))


def _score_item(item: Any, *, allow_list: bool) -> tuple[str, Any, str | None]:
    if isinstance(item, bool):
        return "booleans", item, None
    if isinstance(item, list) and allow_list:
        if not item or not all(isinstance(observed, bool) for observed in item):
            return "", None, "a competency maps to a non-empty list of booleans (behaviour indicator observed, M-6)"
        return "lists of booleans", item, None
    try:
        return "numbers", _number(item), None
    except ValueError:
        expected = "a number, a boolean or a list of booleans" if allow_list else "a number or a boolean"
        return "", None, f"expected {expected}, got {item!r}"


def _answer(value: Any) -> int | str:
    """One 360 answer: points (an integer) or one of the answer words (T-3)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ANSWER_WORDS:
        return value
    raise ValueError(f"expected points (an integer) or one of {', '.join(ANSWER_WORDS)}, got {value!r}")


Scores = Annotated[
    list[Decimal] | list[bool] | dict[str, Decimal] | dict[str, bool] | dict[str, list[bool]],
    PlainValidator(_scores),
]
Answer = Annotated[int | str, PlainValidator(_answer)]


class Model(BaseModel):
    """Base of every scenario section: unknown keys are errors (a misspelt key must not be ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True)


# --- when and what ------------------------------------------------------------------------------------------


class Cycle(Model):
    """A cycle HR asks to run: a quarter, or a year (annual final P-3, 360 T-1, Commission M-1)."""

    kind: PeriodKind
    year: Year
    quarter: StrictInt | None = Field(default=None, ge=1, le=4)

    @model_validator(mode="after")
    def _quarter_matches_kind(self) -> Cycle:
        if self.kind == PeriodKind.QUARTER and self.quarter is None:
            _refuse([(("quarter",), "a quarter cycle needs quarter: 1 to 4")], "cycle")
        if self.kind == PeriodKind.YEAR and self.quarter is not None:
            _refuse([(("quarter",), "a year cycle has no quarter")], "cycle")
        return self

    @property
    def period(self) -> str:
        """The period label of the report: ``2025-Q1`` or ``2025``."""
        return f"{self.year}-Q{self.quarter}" if self.kind == PeriodKind.QUARTER else str(self.year)


class CalendarOverrides(Model):
    """Operator overrides on top of the Kazakhstan calendar (P-7)."""

    days_off: list[IsoDate] = Field(default_factory=list)
    working_days: list[IsoDate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_both(self) -> CalendarOverrides:
        both = set(self.days_off)
        _refuse(
            [
                (("working_days", index), f"{day.isoformat()} is also listed in days_off")
                for index, day in enumerate(self.working_days)
                if day in both
            ],
            "calendar",
        )
        return self


# --- the organization ---------------------------------------------------------------------------------------


class Unit(Model):
    """A structural unit; ``parent`` is null at the top."""

    id: Id
    name: Text
    parent: Id | None = None


class Absence(Model):
    """A period away (E-3, E-5), both days included."""

    kind: AbsenceKind
    from_: IsoDate = Field(alias="from")
    to: IsoDate

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.to < self.from_:
            _refuse([(("to",), f"ends {self.to.isoformat()}, before it starts {self.from_.isoformat()}")], "absence")
        return self


class Sanction(Model):
    """A disciplinary sanction applied on ``date`` (Q-3)."""

    kind: SanctionKind
    date: IsoDate


def _canonical_category(value: Any) -> Any:
    """A position category in its canonical form (Latin letters, letter O); a malformed code is a file error."""
    if not isinstance(value, str):
        return value
    try:
        return normalize_category(value)
    except CategoryCodeError as exc:
        raise ValueError(f"{exc.value!r} is not a position category code; expected {exc.allowed}") from None


class Employee(Model):
    """A person of the state body. Only the B corps is evaluated; A corps and political officials may still head,
    appoint or sit on a Commission."""

    id: Id
    name: Text
    unit: Id | None = None
    corps: Corps = Corps.B
    category: str | None = Field(default=None, description="canonical position category, e.g. C-O-1")
    head: Id | None = Field(default=None, description="direct head; null at the top")
    appointed: IsoDate | None = Field(default=None, description="null: in the position since before the scenario")
    dismissed: IsoDate | None = None
    probation_until: IsoDate | None = None
    contacts: dict[Id, Text] = Field(default_factory=dict, description="channel kind → address or apprise URL")
    absences: list[Absence] = Field(default_factory=list)
    sanctions: list[Sanction] = Field(default_factory=list)
    public_service: StrictBool = Field(
        default=False, description="v2: the post provides public services (M-6: the customer competencies are rated)"
    )

    @field_validator("category", mode="before")
    @classmethod
    def _canonical_category(cls, value: Any) -> Any:
        return _canonical_category(value)

    @model_validator(mode="after")
    def _b_corps_has_a_position(self) -> Employee:
        problems: list[tuple[Loc, str]] = []
        if self.corps == Corps.B:
            if self.category is None:
                problems.append((("category",), "required for the B corps (e.g. C-3, C-O-1)"))
            if self.unit is None:
                problems.append((("unit",), "required for the B corps: the structural unit of the position"))
        if self.head == self.id:
            problems.append((("head",), "an employee cannot be their own head"))
        if self.appointed and self.dismissed and self.dismissed < self.appointed:
            problems.append((("dismissed",), f"before the appointment on {self.appointed.isoformat()}"))
        _refuse(problems, "employee")
        return self

    @property
    def evaluated(self) -> bool:
        """Whether the methodologies apply at all (B corps only)."""
        return self.corps == Corps.B


class Commission(Model):
    """The Evaluation Commission (M-7): the secretary (HR) does not vote."""

    chair: Id
    secretary: Id
    members: list[Id] = Field(min_length=1)


class Organization(Model):
    """The state body: its units and people, who appoints, who is HR, and its Commission if any."""

    name: Text
    appointing_official: Id
    hr: list[Id] = Field(default_factory=list)
    commission: Commission | None = None
    units: list[Unit] = Field(min_length=1)
    employees: list[Employee] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Organization:
        _refuse(list(_organization_problems(self)), "organization")
        return self

    def employee(self, employee_id: str) -> Employee | None:
        return next((person for person in self.employees if person.id == employee_id), None)


def _organization_problems(org: Organization) -> Iterator[tuple[Loc, str]]:
    unit_ids = {unit.id for unit in org.units}
    people = {person.id for person in org.employees}
    yield from _duplicates("units", [unit.id for unit in org.units])
    yield from _duplicates("employees", [person.id for person in org.employees])

    def person(loc: Loc, employee_id: str | None) -> Iterator[tuple[Loc, str]]:
        if employee_id is not None and employee_id not in people:
            yield loc, f"unknown employee {employee_id!r}: not in organization.employees"

    for index, unit in enumerate(org.units):
        if unit.parent is not None and unit.parent not in unit_ids:
            yield ("units", index, "parent"), f"unknown unit {unit.parent!r}: not in organization.units"
    yield from _cycles("units", "parent", {unit.id: unit.parent for unit in org.units}, "unit")
    for index, employee in enumerate(org.employees):
        if employee.unit is not None and employee.unit not in unit_ids:
            yield ("employees", index, "unit"), f"unknown unit {employee.unit!r}: not in organization.units"
        yield from person(("employees", index, "head"), employee.head)
    yield from _cycles("employees", "head", {person.id: person.head for person in org.employees}, "head")
    yield from person(("appointing_official",), org.appointing_official)
    for index, hr_id in enumerate(org.hr):
        yield from person(("hr", index), hr_id)
    if org.commission is not None:
        yield from person(("commission", "chair"), org.commission.chair)
        yield from person(("commission", "secretary"), org.commission.secretary)
        seen: set[str] = set()
        for index, member in enumerate(org.commission.members):
            yield from person(("commission", "members", index), member)
            if member in seen:
                yield ("commission", "members", index), f"{member!r} is listed twice"
            seen.add(member)


def _duplicates(section: str, ids: list[str]) -> Iterator[tuple[Loc, str]]:
    first: dict[str, int] = {}
    for index, item in enumerate(ids):
        if item in first:
            yield (section, index, "id"), f"duplicate id {item!r} (also {section}[{first[item]}])"
        first.setdefault(item, index)


def _cycles(section: str, key: str, links: dict[str, str | None], what: str) -> Iterator[tuple[Loc, str]]:
    """Each chain of ``key`` links that comes back to itself, reported once at its first element in the file."""
    order = list(links)
    reported: set[str] = set()
    for start in order:
        chain: list[str] = [start]
        current = links.get(start)
        while current is not None and current in links and current not in chain:
            chain.append(current)
            current = links[current]
        if current == start and not reported & set(chain):
            reported |= set(chain)
            first = min(chain, key=order.index)
            loop = chain[chain.index(first) :] + chain[: chain.index(first)] + [first]
            yield (section, order.index(first), key), f"{what} cycle: {' → '.join(loop)}"


# --- KPIs ---------------------------------------------------------------------------------------------------

PeriodKey = Literal["Q1", "Q2", "Q3", "Q4", "year"]


class Kpi(Model):
    """A KPI of an evaluatee's individual work plan (K-1, M-2), with planned and actual values per period."""

    employee: Id
    id: Id
    name: Text
    unit: str | None = Field(default=None, description="unit of measure, e.g. %")
    direction: Literal["higher", "lower"] = Field(default="higher", description="K-6: which way is better")
    plan: dict[PeriodKey, Number] = Field(min_length=1)
    actual: dict[PeriodKey, Number] = Field(default_factory=dict)


# --- events -------------------------------------------------------------------------------------------------


class Submit(Model):
    """The evaluator fills in and signs a sheet (D-3, K-4, Q-2, M-4, M-6)."""

    evaluatee: Id
    by: Id
    scores: Scores
    comment: str | None = None
    method: Method | None = Field(default=None, description="needed only when several sheets are open")


class Acknowledge(Model):
    """The employee is made acquainted with the result (C-1, M-8)."""

    employee: Id
    method: Method | None = None
    period: Period | None = None


class Disagree(Model):
    """The employee applies for a calibration session (C-2)."""

    employee: Id
    text: Text
    method: Method | None = None
    period: Period | None = None


class ComposeCalibration(Model):
    """The appointing official decides on a session and approves its composition (C-3, C-5)."""

    employee: Id
    by: Id
    members: list[Id] = Field(min_length=1)


class CalibrationVote(Model):
    """A session member's score (C-6)."""

    employee: Id
    member: Id
    score: Number


class Respond360(Model):
    """A 360 answer sheet (T-3); the evaluatee answering about themself is the self-assessment (T-5)."""

    evaluatee: Id
    respondent: Id
    answers: dict[Id, Annotated[list[Answer], Field(min_length=1)]] = Field(min_length=1)


class Approve(Model):
    """The superior head agrees with the sheet (M-5)."""

    evaluatee: Id
    by: Id


class Return(Model):
    """The superior head returns the sheet for correction (M-5)."""

    evaluatee: Id
    by: Id
    reason: Text


class ScheduleCommission(Model):
    """HR sets the Commission meeting date (M-7)."""

    meeting_date: IsoDate
    by: Id


class CommissionVote(Model):
    """A Commission member approves a result or revises it (M-7)."""

    employee: Id
    member: Id
    decision: Literal["approve", "revise"]
    result: ResultCategory | None = Field(default=None, description="the corrected result; required to revise")
    method: Method | None = Field(default=None, description="kpi_count or competencies, when it is not obvious")

    @model_validator(mode="after")
    def _revise_names_a_result(self) -> CommissionVote:
        if self.decision == "revise" and self.result is None:
            _refuse([(("result",), "required when decision is revise: the result the Commission sets")], "vote")
        return self


class AbsenceEvent(Model):
    """An absence reported during the cycle (E-3, E-5)."""

    employee: Id
    kind: AbsenceKind
    from_: IsoDate = Field(alias="from")
    to: IsoDate

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceEvent:
        if self.to < self.from_:
            _refuse([(("to",), f"ends {self.to.isoformat()}, before it starts {self.from_.isoformat()}")], "absence")
        return self


class Dismiss(Model):
    """The employee is dismissed (E-4), on ``date`` or on the event's date."""

    employee: Id
    date: IsoDate | None = None


class RefuseAcquaintance(Model):
    """Extension: the employee refuses to sign; HR and two others draw up an act (M-8)."""

    employee: Id
    witnesses: list[Id] = Field(min_length=1)


class Appeal(Model):
    """Extension: the employee appeals the calibration (C-9) or Commission decision (M-9)."""

    employee: Id
    text: Text


class FeedbackMeeting(Model):
    """Extension: the evaluator ``by`` held the feedback meeting with the employee after the session (C-8)."""

    employee: Id
    by: Id


class AppealOutcome(Model):
    """Extension: HR ``by`` (default: the first HR officer) records the outcome of the employee's appeal (C-9,
    M-9): ``upheld``, or ``revised`` with the revised ``score`` (calibration) or ``result`` (Commission)."""

    employee: Id
    outcome: Literal["upheld", "revised"]
    score: Number | None = None
    result: str | None = None
    by: Id | None = None


# --- v2 events (SCENARIOS.md v2 additions): only the shape is checked here; the rules refuse at run time ---------


def _repeated(values: list[str]) -> list[str]:
    return sorted({value for value in values if values.count(value) > 1})


class Move(Model):
    """v2: from the event's date the employee holds a new post, unit and/or head (E-1: a new category is a new
    appointment; the head at evaluation time evaluates). The unit must be one of the organization's and the
    category well-formed (file errors); the rules (in service, no loop of heads …) are checked at run time."""

    employee: Id
    unit: Id | None = None
    head: Id | None = None
    category: str | None = Field(default=None, description="canonical position category, e.g. C-4")

    @field_validator("category", mode="before")
    @classmethod
    def _canonical(cls, value: Any) -> Any:
        return _canonical_category(value)

    @model_validator(mode="after")
    def _changes_something(self) -> Move:
        if self.unit is None and self.head is None and self.category is None:
            _refuse([((), "a move names at least one of unit, head, category")], "move")
        if self.head is not None and self.head == self.employee:
            _refuse([(("head",), "an employee cannot be their own head")], "move")
        return self


class Substitute(Model):
    """v2: ``by`` acts for ``for`` from ``from`` to ``to`` (G-7: evaluates, votes and receives in their stead).
    Whether ``for`` is absent then is the rules' question (a rejection at run time), not the file's."""

    for_: Id = Field(alias="for", description="the person who is away")
    by: Id = Field(description="the acting person")
    from_: IsoDate = Field(alias="from")
    to: IsoDate

    @model_validator(mode="after")
    def _well_formed(self) -> Substitute:
        problems: list[tuple[Loc, str]] = []
        if self.to < self.from_:
            problems.append((("to",), f"ends {self.to.isoformat()}, before it starts {self.from_.isoformat()}"))
        if self.by == self.for_:
            problems.append((("by",), "an employee cannot act for themself"))
        _refuse(problems, "substitute")
        return self


class Delegate(Model):
    """v2: ``by`` designates ``to`` to evaluate ``evaluatees`` (D-4 / 003 §17, above the rulebook's threshold)."""

    by: Id
    to: Id
    evaluatees: list[Id] = Field(min_length=1)

    @field_validator("evaluatees")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        _refuse([((), f"{person!r} is listed twice") for person in _repeated(value)], "evaluatees")
        return value


class EditRespondents(Model):
    """v2: HR adds and removes 360 respondents of an evaluatee before the answers start (T-4)."""

    evaluatee: Id
    by: Id
    add: list[Id] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)

    @model_validator(mode="after")
    def _an_edit(self) -> EditRespondents:
        problems: list[tuple[Loc, str]] = []
        if not self.add and not self.remove:
            problems.append(((), "an edit names at least one respondent to add or remove"))
        problems += [(("add",), f"{person!r} is listed twice") for person in _repeated(self.add)]
        problems += [(("remove",), f"{person!r} is listed twice") for person in _repeated(self.remove)]
        both = sorted(set(self.add) & set(self.remove))
        problems += [(("remove",), f"{person!r} is both added and removed") for person in both]
        _refuse(problems, "edit_respondents")
        return self


class CommissionAttendance(Model):
    """v2: who is at the Commission meeting of the event's date (M-7); without it, every member who votes that
    day counts as present. Whether each is a member is the rules' question (a rejection at run time)."""

    present: list[Id] = Field(min_length=1)

    @field_validator("present")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        _refuse([((), f"{person!r} is listed twice") for person in _repeated(value)], "present")
        return value


Action = (
    Submit
    | Acknowledge
    | Disagree
    | ComposeCalibration
    | CalibrationVote
    | Respond360
    | Approve
    | Return
    | ScheduleCommission
    | CommissionVote
    | AbsenceEvent
    | Dismiss
    | RefuseAcquaintance
    | Appeal
    | FeedbackMeeting
    | AppealOutcome
    | Move
    | Substitute
    | Delegate
    | EditRespondents
    | CommissionAttendance
)


class Event(Model):
    """A human action applied on ``date`` (in file order within a day): a date and exactly one action key."""

    date: IsoDate
    submit: Submit | None = None
    acknowledge: Acknowledge | None = None
    disagree: Disagree | None = None
    compose_calibration: ComposeCalibration | None = None
    calibration_vote: CalibrationVote | None = None
    respond_360: Respond360 | None = None
    approve: Approve | None = None
    return_: Return | None = Field(default=None, alias="return")
    schedule_commission: ScheduleCommission | None = None
    commission_vote: CommissionVote | None = None
    absence: AbsenceEvent | None = None
    dismiss: Dismiss | None = None
    refuse_acquaintance: RefuseAcquaintance | None = None
    appeal: Appeal | None = None
    feedback_meeting: FeedbackMeeting | None = None
    appeal_outcome: AppealOutcome | None = None
    move: Move | None = None
    substitute: Substitute | None = None
    delegate: Delegate | None = None
    edit_respondents: EditRespondents | None = None
    commission_attendance: CommissionAttendance | None = None

    @model_validator(mode="after")
    def _exactly_one_action(self) -> Event:
        given = self._given()
        if len(given) != 1:
            problem = f"got {' and '.join(given)}" if given else "none given"
            _refuse([((), f"an event has exactly one action ({problem}); actions: {', '.join(ACTIONS)}")], "event")
        return self

    def _given(self) -> list[str]:
        return [key for key, field in ACTION_FIELDS.items() if getattr(self, field) is not None]

    @property
    def kind(self) -> str:
        """The action key as written in the file: ``submit``, ``return``, ``commission_vote`` …"""
        return self._given()[0]

    @property
    def action(self) -> Action:
        action: Action = getattr(self, ACTION_FIELDS[self.kind])
        return action


ACTION_FIELDS = {(field.alias or name): name for name, field in Event.model_fields.items() if name != "date"}
ACTIONS = tuple(ACTION_FIELDS)


# --- the scenario -------------------------------------------------------------------------------------------


class Scenario(Model):
    """A whole scenario: which rulebook, which days, which cycles, the organization, KPIs and human events."""

    rulebook: Text = Field(description="a bundled rulebook id, or a path (resolved against the scenario's folder)")
    start: IsoDate
    until: IsoDate
    cycles: list[Cycle] = Field(min_length=1)
    calendar: CalendarOverrides = Field(default_factory=CalendarOverrides)
    organization: Organization
    kpis: list[Kpi] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @field_validator("rulebook")
    @classmethod
    def _rulebook_exists(cls, value: str, info: ValidationInfo) -> str:
        base = (info.context or {}).get("base_dir")
        return resolve_rulebook(value, Path(base) if base else None)

    @field_validator("until")
    @classmethod
    def _after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and value < start:
            raise ValueError(f"{value.isoformat()} is before start {start.isoformat()}")
        return value

    @field_validator("cycles")
    @classmethod
    def _distinct_cycles(cls, value: list[Cycle]) -> list[Cycle]:
        periods = [cycle.period for cycle in value]
        _refuse(
            [
                ((index,), f"cycle {period} is listed twice")
                for index, period in enumerate(periods)
                if period in periods[:index]
            ],
            "cycles",
        )
        return value

    @field_validator("events")
    @classmethod
    def _moves_to_known_units(cls, value: list[Event], info: ValidationInfo) -> list[Event]:
        """v2 ``move``: the unit is one of the organization's (a file error, like an employee's unit)."""
        org: Organization | None = info.data.get("organization")
        if org is None:
            return value
        units = {unit.id for unit in org.units}
        _refuse(
            [
                ((index, "move", "unit"), f"unknown unit {event.move.unit!r}: not in organization.units")
                for index, event in enumerate(value)
                if event.move is not None and event.move.unit is not None and event.move.unit not in units
            ],
            "events",
        )
        return value

    @field_validator("kpis")
    @classmethod
    def _kpis_of_known_people(cls, value: list[Kpi], info: ValidationInfo) -> list[Kpi]:
        org: Organization | None = info.data.get("organization")
        problems: list[tuple[Loc, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for index, kpi in enumerate(value):
            if org is not None and org.employee(kpi.employee) is None:
                problems.append(((index, "employee"), f"unknown employee {kpi.employee!r}: not in organization"))
            first = seen.setdefault((kpi.employee, kpi.id), index)
            if first != index:
                problems.append(((index, "id"), f"duplicate KPI id {kpi.id!r} of {kpi.employee} (also kpis[{first}])"))
        _refuse(problems, "kpis")
        return value

    def load_rulebook(self) -> Rulebook:
        """The rulebook the scenario names (bundled, or the file it points at)."""
        return rulebooks.get(self.rulebook)

    def events_on(self, day: date) -> list[tuple[int, Event]]:
        """The events of ``day`` with their index in the file (the report's ``rejections[].event``), in file order."""
        return [(index, event) for index, event in enumerate(self.events) if event.date == day]

    def kpis_of(self, employee_id: str) -> list[Kpi]:
        return [kpi for kpi in self.kpis if kpi.employee == employee_id]


def resolve_rulebook(reference: str, base_dir: Path | None) -> str:
    """A bundled id as is; a path made absolute against the scenario's folder; anything else refused."""
    try:
        bundled = rulebooks.bundled()
        if reference in bundled:
            return reference
        path = Path(reference)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            known = ", ".join(sorted(bundled))
            raise ValueError(f"unknown rulebook {reference!r}: neither a bundled id ({known}) nor an existing file")
        rulebooks.load_file(path)
    except RulebookError as exc:
        details = "; ".join(f"{where or '(top)'}: {message}" for where, message in exc.problems[:3])
        more = " …" if len(exc.problems) > 3 else ""
        raise ValueError(
            f"rulebook {exc.source} is not valid ({len(exc.problems)} problem(s)): {details}{more}"
        ) from None
    return str(path.resolve())


# --- reading the file ---------------------------------------------------------------------------------------


class ScenarioLoader(Yaml12Loader):
    """A safe loader with YAML 1.2 booleans: only true/false are booleans, ``on``/``off``/``yes``/``no`` stay
    text, so that every loader reads the file the same way. Impossible dates (2025-02-30) stay text too, so
    that validation names their path instead of the parser failing without one."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


ScenarioLoader.add_constructor("tag:yaml.org,2002:timestamp", ScenarioLoader.construct_yaml_timestamp)


def parse_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """Parse the text; return the data and the line of each YAML path. Duplicate keys are refused.

    The loader is bounded (``domain.yaml12``: size, depth, aliases, control characters): a refusal names the line.
    """
    loader: ScenarioLoader | None = None
    try:
        loader = ScenarioLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[str, int] = {}
        duplicates = list(_walk(node, "", lines))
        if duplicates:
            raise ScenarioError(source, duplicates)
        return loader.construct_document(node), lines
    except YamlLimitError as exc:
        raise ScenarioError(source, [Problem("", f"not read: {exc.problem}", exc.line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [Problem("", f"not valid YAML: {exc}", _yaml_line(exc))]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return None if mark is None else int(mark.line) + 1


def _walk(node: yaml.Node, path: str, lines: dict[str, int]) -> Iterator[Problem]:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                yield Problem(path, f"duplicate key {key!r} (first on line {seen[key]})", line)
            seen.setdefault(key, line)
            yield from _walk(value_node, f"{path}.{key}" if path else key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, f"{path}[{index}]", lines)


def validate_scenario(
    data: Any, source: str, *, base_dir: Path | None = None, lines: Mapping[str, int] | None = None
) -> Scenario:
    """Validate parsed data as a scenario, listing every problem with its path inside the file."""
    if not isinstance(data, Mapping):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(source, [Problem("", f"a scenario is a mapping (rulebook, start, until, …), got {kind}")])
    try:
        return Scenario.model_validate(dict(data), context={"base_dir": base_dir})
    except ValidationError as exc:
        problems = [_problem(error, lines or {}) for error in exc.errors()]
        raise ScenarioError(source, sorted(problems, key=lambda problem: problem.line or 0)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` listing every problem."""
    path = Path(path)
    try:
        text = read_text(path)
    except YamlLimitError as exc:
        raise ScenarioError(str(path), [Problem("", f"not read: {exc.problem}")]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL in the path
        raise ScenarioError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    data, lines = parse_yaml(text, str(path))
    return validate_scenario(data, str(path), base_dir=path.parent, lines=lines)


# --- pydantic errors as problems ----------------------------------------------------------------------------


def _problem(error: Mapping[str, Any], lines: Mapping[str, int]) -> Problem:
    loc = tuple(part for part in error["loc"] if part != "[key]")
    path = _path(loc)
    return Problem(path, _message(error, loc), _line(path, lines))


def _path(loc: Loc) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _line(path: str, lines: Mapping[str, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[: max(path.rfind("."), path.rfind("["), 0)]
    return None


def _message(error: Mapping[str, Any], loc: Loc) -> str:
    kind = error.get("type")
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}" if known else ""
        return f"unknown key {loc[-1]!r}{hint}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in {"scenario", "value_error"} or isinstance(value, dict | list) or value is None:
        return message
    if kind == "string_type":
        return f"expected a text, got {value!r} (quote it)"
    return f"{message} (got {value!r})"


def _known_keys(loc: Loc) -> list[str]:
    """The keys the model accepts at ``loc`` (for "did you mean"), or [] if it is not a model there."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {(field.alias or name): field for name, field in model.model_fields.items()}
        if part not in fields:
            return []
        model = _model_in(fields[part].annotation)
        if model is None:
            return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``list[X]``; None for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        for argument in get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
