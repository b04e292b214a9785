"""Setting a body up (issue 14): which rulebook it follows when (G-3).

``bagalau body assign-rulebook`` and the HR pages call these. The checks are the domain's
(:func:`domain.assignment.check_assignment`); a refusal names the field, the rule and what is allowed, and changes
nothing. Only the system (an operator at the command line) or the body's HR service, HR head and admins may assign
(G-6); every assignment is audited as who made it (R-4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from application.context import BodyContext, working_calendar
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.assignment import Interval, check_assignment
from domain.calendar import WorkingCalendar
from domain.deadlines import calibration_schedule, commission_schedule, recomputed, survey_deadline
from domain.errors import Phrase, RuleViolation
from domain.facts import FactError, Organization
from domain.periods import Period
from domain.rulebook import Calibration, Rulebook
from domain.schedule import ScheduleEntry, compile_schedule
from domain.vocabulary import CalibrationStatus, EvaluationStatus, Role
from persistence import flowstate
from persistence.records import DateMove
from persistence.uow import UnitOfWork

SETUP_ROLES = frozenset({Role.HR, Role.HR_HEAD, Role.ADMIN})


class SetupRefused(Rejected):
    """A refusal of a setup action, naming the refused ``field`` and what is ``allowed`` beside the rule."""

    def __init__(
        self,
        reason: str,
        *,
        rule: str | None,
        field: str | None,
        allowed: str | None = None,
        phrase: Phrase | None = None,
    ) -> None:
        super().__init__(reason, rule=rule, phrase=phrase)
        self.field = field
        self.allowed = allowed

    @classmethod
    def of(cls, violation: RuleViolation) -> SetupRefused:
        allowed = None if violation.allowed is None else str(violation.allowed)
        return cls(str(violation), rule=violation.rule, field=violation.field, allowed=allowed, phrase=violation.phrase)


@dataclass(frozen=True)
class Assignment:
    """A rulebook assignment of a body as the pages and the command line show it."""

    id: int
    rulebook_id: str
    title: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class Assigned:
    """What :func:`assign_rulebook` did: ``created`` a new assignment, or changed the end of one (``changed``)."""

    assignment: Assignment
    created: bool
    changed: bool


def may_set_up(principal: Principal, body: str) -> None:
    """G-6: the system, or the body's HR service, HR head or admin; anyone else is refused."""
    if principal.system:
        return
    if principal.body != body or not principal.roles & SETUP_ROLES:
        raise Rejected.by_rule("G-6", "only the HR service of the body sets the body up")


def staff_incomplete(exc: FactError) -> Phrase:
    """The refusal's sentence when the body's staff data cannot be evaluated yet: what is missing, where."""
    return Phrase("the body's staff data is incomplete: {exc}", exc=str(exc))


def organization_of(ctx: BodyContext) -> Organization:
    """The body's organisation as the setup pages read it, or :class:`SetupRefused` saying what the staff data
    lacks (field ``BODY``)."""
    try:
        return ctx.org
    except FactError as exc:
        raise SetupRefused(staff_incomplete(exc), rule=None, field="BODY") from None


def body_id_of(uow: UnitOfWork, body: str) -> int:
    found = uow.org.body_by_code(body)
    if found is None:
        raise SetupRefused(Phrase("there is no state body {body!r}", body=body), rule=None, field="BODY")
    return found.id


def rulebook_assignments(env: Environment, principal: Principal, body: str) -> list[Assignment]:
    """The body's rulebook assignments, earliest first (G-3)."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        return [
            Assignment(row.id, row.rulebook_id, _title(env, uow, row.rulebook_id), row.valid_from, row.valid_until)
            for row in uow.rules.assignments(body_id)
        ]


def _title(env: Environment, uow: UnitOfWork, rulebook_id: str) -> str:
    try:
        return env.rulebooks.get(uow.rules, rulebook_id).title.en
    except LookupError:
        return "(unknown rulebook)"


def known_rulebooks(env: Environment) -> list[str]:
    """The ids a body may be assigned: the bundled rulebooks and those stored in the database."""
    with env.unit_of_work(Principal.system_step("operator:lookup")) as uow:
        return sorted({*env.rulebooks.bundled(), *uow.rules.stored_rulebook_ids()})


def assign_rulebook(
    env: Environment,
    principal: Principal,
    body: str,
    rulebook_id: str,
    valid_from: date,
    valid_until: date | None = None,
    *,
    reason: str | None = None,
) -> Assigned:
    """G-3: the body follows ``rulebook_id`` from ``valid_from`` to ``valid_until`` (inclusive; ``None``: open).

    Refused, with nothing written, when the rulebook is unknown, the interval is reversed or outside the rulebook's
    own validity, or it overlaps another assignment of the body. The same rulebook from the same day again changes
    only the end of that assignment (audited before/after).
    """
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        try:
            book = env.rulebooks.get(uow.rules, rulebook_id)
        except LookupError:
            known = sorted({*env.rulebooks.bundled(), *uow.rules.stored_rulebook_ids()})
            raise SetupRefused(
                Phrase(
                    "there is no rulebook {rulebook_id!r}: allowed are {known} (G-3)",
                    rulebook_id=rulebook_id[:100],
                    known=", ".join(known),
                ),
                rule="G-3",
                field="RULEBOOK",
                allowed=", ".join(known),
            ) from None
        stored = uow.rules.assignments(body_id)
        existing = {Interval(row.rulebook_id, row.valid_from, row.valid_until): row for row in stored}
        new = Interval(book.id, valid_from, valid_until)
        try:
            replaced = check_assignment(new, book, existing)
        except RuleViolation as violation:
            raise SetupRefused.of(violation) from None
        if replaced is None:
            assignment_id = uow.rules.assign_rulebook(
                body_id=body_id, rulebook_id=book.id, valid_from=valid_from, valid_until=valid_until, reason=reason
            )
            created, changed = True, True
        else:
            assignment_id = existing[replaced].id
            changed = uow.rules.set_assignment_until(assignment_id, valid_until, reason=reason)
            created = False
        uow.commit()
    return Assigned(Assignment(assignment_id, book.id, book.title.en, valid_from, valid_until), created, changed)


# --- the calendar overrides (P-7) -----------------------------------------------------------------------------------

CALENDAR_RULE = "P-7"
KINDS = ("day_off", "working_day")
MAX_BASIS = 500


MOVES_LISTED = 10
"""How many moved dates a refusal's sentence lists (the page shows them all)."""
DATE_NAMES = {
    "notice_by": "notice",
    "deadline": "sheet deadline",
    "kpi_actuals_by": "KPI actuals",
    "reminders": "reminders",
    "acquaint_by": "acquaintance",
    "disagreement_until": "disagreement window",
    "decide_by": "calibration decision",
    "hold_by": "calibration session",
    "protocol_post_by": "protocol placed",
    "closes_on": "360 survey closes",
}


@dataclass(frozen=True)
class Move:
    """A date of an open period's schedule that a calendar override would move (P-7)."""

    period: str
    employee: str
    what: str  # notice_by, deadline, kpi_actuals_by, reminders
    before: str
    after: str
    method: str = field(default="", compare=False)  # which of the employee's evaluations (G-2, M-10)

    def __str__(self) -> str:
        return f"{self.period} {self.employee} {DATE_NAMES.get(self.what, self.what)} {self.before} → {self.after}"

    def as_dict(self) -> dict[str, str]:
        """The move as the API shows it."""
        return {
            "period": self.period,
            "employee": self.employee,
            "method": self.method,
            "what": self.what,
            "before": self.before,
            "after": self.after,
        }


class CalendarRefused(SetupRefused):
    """P-7: a past day moved under an open period's windows; ``moves`` are the dates it would move."""

    def __init__(self, reason: str, *, rule: str, field: str, allowed: str, moves: list[Move]) -> None:
        super().__init__(reason, rule=rule, field=field, allowed=allowed)
        self.moves = moves

    def details(self) -> dict[str, object]:
        return {**super().details(), "moves": [move.as_dict() for move in self.moves]}


def calendar_moves(
    env: Environment, uow: UnitOfWork, body_id: int, periods: list[Any], day: date, kind: str
) -> list[Move]:
    """The dates of the open ``periods``' schedules (G-4: notice, sheet deadline, KPI actuals, reminders; compiled
    on the day each opened) that differ once ``day`` becomes ``kind`` — what the override would move."""
    return [
        Move(period_row.label, entry.employee, what, _shown(was), _shown(now), entry.method.value)
        for period_row, entry, what, was, now in _schedule_changes(env, uow, body_id, periods, day, kind)
    ]


def _schedule_changes(
    env: Environment, uow: UnitOfWork, body_id: int, periods: list[Any], day: date, kind: str
) -> Iterator[tuple[Any, ScheduleEntry, str, Any, Any]]:
    """(period row, schedule entry, date name, before, after) for every schedule date ``day`` as ``kind`` moves:
    the one schedule computation behind :func:`calendar_moves` and the recomputation of stored dates."""
    for period_row in periods:
        opened = uow.periods.opened_on([period_row.id]).get(period_row.id)
        if opened is None:
            continue
        period = Period.parse(period_row.label)
        ctx = BodyContext(env, uow, body_id, opened)
        try:
            book = ctx.rulebook_for(period.end, fallback=opened)
            org = ctx.org
        except (Rejected, FactError):
            continue
        before = compile_schedule(org, period, book, ctx.calendar, opened_on=opened)
        moved = (
            ctx.calendar.with_overrides(days_off=[day])
            if kind == "day_off"
            else ctx.calendar.with_overrides(working_days=[day])
        )
        after = compile_schedule(org, period, book, moved, opened_on=opened)
        for old, new in zip(before.entries, after.entries, strict=True):
            for what in ("notice_by", "deadline", "kpi_actuals_by", "reminders"):
                was, now = getattr(old, what), getattr(new, what)
                if was != now:
                    yield period_row, old, what, was, now


def _opened_periods(uow: UnitOfWork, body_id: int) -> list[Any]:
    """The body's open periods that were opened (their windows counted with the calendar of the day)."""
    return [period for period in uow.periods.of_body(body_id, status="open") if uow.periods.is_opened(period.id)]


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(item.isoformat() for item in value) or "—"
    return "—" if value is None else value.isoformat()


@dataclass(frozen=True)
class Override:
    """A day a decree moved: ``day_off`` or ``working_day``, with its legal basis and who entered it."""

    day: date
    kind: str
    legal_basis: str | None
    created_by: str


def calendar_overrides(env: Environment, principal: Principal, body: str) -> list[Override]:
    """The working-day calendar's overrides (national: every body counts working days the same way, P-7)."""
    may_set_up(principal, body)
    with env.unit_of_work(principal) as uow:
        return [Override(*row) for row in uow.rules.calendar_override_rows()]


def set_calendar_day(
    env: Environment, principal: Principal, body: str, *, day: date, kind: str, legal_basis: str, today: date
) -> CalendarSaved:
    """P-7: a decree moved ``day`` (a day off, or a working Saturday); audited with its legal basis.

    Refused, nothing written, when the kind is not one of :data:`KINDS`, the legal basis is missing or too long,
    or the day is already past while a period of the body is open (its windows were counted with the old calendar:
    moving a past day would move deadlines people already kept or missed).

    Today or later: in the same transaction, every stored date of an open window the override moves (sheet
    deadlines and notice dates of evaluations still waiting for their sheet, in every body: the calendar is
    national) is recomputed and audited with the override's legal basis (decision 0196); a date already passed,
    submitted work and a date that would fall before today stay.
    """
    may_set_up(principal, body)
    if kind not in KINDS:
        raise SetupRefused(
            Phrase(
                "kind {kind!r} is not a calendar override: allowed are {kinds} ({rule})",
                kind=kind[:40],
                kinds=", ".join(KINDS),
                rule=CALENDAR_RULE,
            ),
            rule=CALENDAR_RULE,
            field="kind",
            allowed=", ".join(KINDS),
        )
    basis = legal_basis.strip()
    if not basis or len(basis) > MAX_BASIS or any(ord(c) < 32 and c not in "\t" for c in basis):
        raise SetupRefused(
            Phrase(
                "the legal basis (the decree that moved the day) is required: 1 to {maximum} characters ({rule})",
                maximum=MAX_BASIS,
                rule=CALENDAR_RULE,
            ),
            rule=CALENDAR_RULE,
            field="legal_basis",
            allowed=f"1 to {MAX_BASIS} characters",
        )
    with env.unit_of_work(principal) as uow:
        body_id = body_id_of(uow, body)
        if day < today:
            moves, elsewhere = [], 0
            for each in flowstate.body_ids(uow.session):  # the calendar is national: every body's open windows
                open_periods = _opened_periods(uow, each)
                found = calendar_moves(env, uow, each, open_periods, day, kind) if open_periods else []
                if each == body_id:
                    moves = found
                else:
                    elsewhere += len(found)
            if elsewhere and not moves:  # another body's windows: counted, never listed to this body's HR
                raise CalendarRefused(
                    Phrase(
                        "{day} is already past and moving it would move {count} date(s) of other bodies' open "
                        "periods, which were counted with the calendar as it was (the calendar is national); "
                        "allowed is today ({today}) or later, or a past day no open window counts ({rule})",
                        day=day,
                        count=elsewhere,
                        today=today,
                        rule=CALENDAR_RULE,
                    ),
                    rule=CALENDAR_RULE,
                    field="day",
                    allowed=f"{today.isoformat()} or later",
                    moves=[],
                )
            if moves:
                labels = ", ".join(dict.fromkeys(move.period for move in moves))
                listed = "; ".join(str(move) for move in moves[:MOVES_LISTED])
                if len(moves) > MOVES_LISTED:
                    listed += f"; … (+{len(moves) - MOVES_LISTED})"
                raise CalendarRefused(
                    Phrase(
                        "{day} is already past and period {open_periods} is open: its working-day windows were "
                        "counted with the calendar as it was, and moving the day would move {count} date(s) people "
                        "already kept or missed: {moves}; allowed is today ({today}) or later, or a past day no "
                        "open window counts ({rule})",
                        day=day,
                        open_periods=labels,
                        count=len(moves),
                        moves=listed,
                        today=today,
                        rule=CALENDAR_RULE,
                    ),
                    rule=CALENDAR_RULE,
                    field="day",
                    allowed=f"{today.isoformat()} or later",
                    moves=moves,
                )
        moved: dict[int, list[Move]] = {}
        if day >= today:  # a past day reaching here moves no open window of the body (refused above otherwise)
            # the audit trail's reason, never a refusal: English like every audit reason
            audited = f"calendar override {day.isoformat()} {kind}: {basis} ({CALENDAR_RULE})"
            numbers = _Numbers(uow)
            moved = _move_stored_dates(env, uow, day, kind, today, audited, numbers)
            for other, moves in _move_event_windows(env, uow, day, kind, today, audited, numbers).items():
                moved.setdefault(other, []).extend(moves)
        uow.rules.set_calendar_day(day, kind=kind, legal_basis=basis)
        uow.commit()
    mine = tuple(moved.pop(body_id, []))
    return CalendarSaved(Override(day, kind, basis, principal.actor), mine, sum(len(moves) for moves in moved.values()))


@dataclass(frozen=True)
class CalendarSaved:
    """What :func:`set_calendar_day` did: the ``override``, the acting body's stored dates it ``moved`` (P-7,
    decision 0196), and how many stored dates of other bodies it moved (the calendar is national)."""

    override: Override
    moved: tuple[Move, ...]
    moved_elsewhere: int


STORED_AS = {"deadline": "deadline", "notice_by": "notice_due_on"}
"""The schedule dates (:func:`calendar_moves`) an evaluation stores; KPI actuals and reminders are derived from the
stored deadline each day by the sweep, so they follow it without being written."""
WAITING_FOR_SHEET = (EvaluationStatus.DEFERRED, EvaluationStatus.OPEN)
"""Evaluations whose sheet is still awaited by the schedule: their deadline and notice date are windows still open
(a sheet returned for correction has the M-5 deadline, counted from the return: :func:`_move_event_windows`)."""


class _Numbers:
    """Personnel numbers by body and person id, each body's read once (one query, :func:`flowstate.people`)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._bodies: dict[int, dict[int, str]] = {}

    def of_body(self, body_id: int) -> dict[int, str]:
        if body_id not in self._bodies:
            people = flowstate.people(self._uow.session, body_id)
            self._bodies[body_id] = {key: info.number for key, info in people.items()}
        return self._bodies[body_id]

    def __call__(self, body_id: int, person_id: int) -> str:
        return self.of_body(body_id).get(person_id, str(person_id))


Planned = list[tuple[int, Move, DateMove]]
"""Moves decided (the body, the move as shown, the stored date's change), written together by one set-based call."""


def _made(planned: Planned, made: list[DateMove], moved: dict[int, list[Move]]) -> None:
    """Adds to ``moved`` (by body, in the order decided) the planned moves the repository made."""
    done = set(made)
    for body_id, move, change in planned:
        if change in done:
            moved.setdefault(body_id, []).append(move)


def _move_stored_dates(
    env: Environment, uow: UnitOfWork, day: date, kind: str, today: date, reason: str, numbers: _Numbers
) -> dict[int, list[Move]]:
    """P-7, decision 0196: the stored dates of open windows that ``day`` becoming ``kind`` moves, recomputed in
    the caller's transaction (every body: the calendar is national), each audited (``calendar_move``, before →
    after, ``reason`` naming the override and its legal basis). Which date moves is the domain's
    (:func:`domain.deadlines.recomputed`): only a date still as the old calendar gave it, today or later, to a day
    today or later. Set-based (issue 13): the reads are per body and per period, the writes one call for every
    body (:meth:`EvaluationRepository.move_dates`). Returns the moves made, by body."""
    planned: Planned = []
    for body_id in flowstate.body_ids(uow.session):
        periods = _opened_periods(uow, body_id)
        if not periods:
            continue
        changes = list(_schedule_changes(env, uow, body_id, periods, day, kind))
        if not changes:
            continue
        people = numbers.of_body(body_id)
        for period_row in periods:
            waiting = {
                (people.get(row.person_id), row.method.value): row
                for row in uow.evaluations.in_period(period_row.id, statuses=WAITING_FOR_SHEET)
                if row.eligible
            }
            for changed_period, entry, what, was, now in changes:
                column = STORED_AS.get(what)
                row = waiting.get((entry.employee, entry.method.value))
                if changed_period.id != period_row.id or column is None or row is None:
                    continue
                if column == "notice_due_on" and row.notice_sent_on is not None:
                    continue  # the notice went out: done work stays (P-4)
                stored = getattr(row, column)
                new = recomputed(stored, was, now, today)
                if new is not None:
                    move = Move(period_row.label, entry.employee, what, _shown(was), _shown(new), entry.method.value)
                    planned.append((body_id, move, DateMove(row.id, column, stored, new)))
    moved: dict[int, list[Move]] = {}
    made = uow.evaluations.move_dates([change for _, _, change in planned], statuses=WAITING_FOR_SHEET, reason=reason)
    _made(planned, made, moved)
    return moved


Window = Callable[[WorkingCalendar], "date | None"]
"""How a stored window date is computed from its (stored) event with a calendar: the domain's own schedule."""


def _move_event_windows(
    env: Environment, uow: UnitOfWork, day: date, kind: str, today: date, reason: str, numbers: _Numbers
) -> dict[int, list[Move]]:
    """P-7, decision 0196: the stored windows counted from an event that already happened — a returned sheet's
    resubmission (M-5), acquaintance (C-1, M-8), disagreement (C-2), the calibration decision, session and protocol
    (C-3, C-4, C-7), the 360 survey's last day (T-1) — recomputed like the schedule's dates: each date is computed
    again from its stored event with the calendar before and after the override (the domain's
    :func:`calibration_schedule`, :func:`commission_schedule`, :func:`survey_deadline`), and :func:`recomputed`
    decides. A window whose step is done (acquainted, applied, decided, held, posted, closed) is not read.
    Set-based (issue 13): each kind of window is read in one query with what it is counted from (the last return,
    the case's evaluation and period, a body's rulebook once), and written in one call. Returns the moves made, by
    body."""
    old = working_calendar(uow)
    new = old.with_overrides(days_off=[day]) if kind == "day_off" else old.with_overrides(working_days=[day])
    moved: dict[int, list[Move]] = {}

    def decide(stored: date | None, ways: list[Window]) -> tuple[date, date] | None:
        for way in ways:  # the way the stored date was computed is the one that gives it with the old calendar
            was = way(old)
            if was is not None and was == stored:
                now = recomputed(stored, was, way(new), today)
                return None if now is None else (was, now)
        return None

    evaluation = flowstate.evaluation
    for column, status in (
        ("deadline", EvaluationStatus.RETURNED),
        ("acquaint_by", EvaluationStatus.COMPLETED),
        ("disagreement_until", EvaluationStatus.ACQUAINTED),
    ):
        where = [evaluation.c[column] >= today]
        rows = flowstate.evaluations(uow.session, statuses=[status.value], eligible=True, where=where)
        returns: dict[int, date] = {}
        if rows and column == "deadline":  # M-5 counts from the last return (the other windows do not read it)
            returns = flowstate.last_returned_on(uow.session, statuses=[status.value], eligible=True, where=where)
        planned: Planned = []
        for row in rows:
            book = env.rulebooks.get(uow.rules, row["rulebook_id"])
            ways = _evaluation_windows(book, row, column, returns.get(row["id"]))
            found = decide(row[column], ways)
            if found:
                who = numbers(row["body_id"], row["person_id"])
                move = Move(row["period_label"], who, column, _shown(found[0]), _shown(found[1]), row["method"])
                planned.append((row["body_id"], move, DateMove(row["id"], column, row[column], found[1])))
        changes = [change for _, _, change in planned]
        _made(planned, uow.evaluations.move_dates(changes, statuses=[status], reason=reason), moved)
    planned = []
    for case in flowstate.case_windows(uow.session, [s for s in CalibrationStatus if s != CalibrationStatus.CLOSED]):
        rules = env.rulebooks.get(uow.rules, case["rulebook_id"]).calibration
        if rules is None:
            continue
        applied, signed = case["applied_on"], case["protocol_signed_on"]
        pending: list[tuple[str, date | None, bool, Window]] = [
            ("decide_by", case["decide_by"], case["decided_on"] is None, partial(_c3, rules, applied)),
            ("hold_by", case["hold_by"], case["held_on"] is None, partial(_c4, rules, applied)),
            ("protocol_post_by", case["protocol_post_by"], case["posted_on"] is None, partial(_c7, rules, signed)),
        ]
        for column, stored, waiting, way in pending:
            found = decide(stored, [way]) if waiting and stored is not None and stored >= today else None
            if found and stored is not None:
                who = numbers(case["body_id"], case["person_id"])
                move = Move(case["period_label"], who, column, _shown(found[0]), _shown(found[1]), case["method"])
                planned.append((case["body_id"], move, DateMove(case["id"], column, stored, found[1])))
    _made(planned, uow.calibration.move_dates([change for _, _, change in planned], reason=reason), moved)
    books: dict[tuple[int, int], Rulebook | None] = {}  # a body's rulebook of a year, read once
    planned = []
    for survey in uow.surveys.open_closing_from(today):
        if (survey.body_id, survey.year) not in books:
            ctx = BodyContext(env, uow, survey.body_id, today)
            try:
                books[survey.body_id, survey.year] = ctx.rulebook_for(date(survey.year, 12, 31), fallback=today)
            except Rejected:
                books[survey.body_id, survey.year] = None
        known = books[survey.body_id, survey.year]
        if known is None or known.survey_360 is None:
            continue
        found = decide(survey.closes_on, [partial(survey_deadline, survey.year, known)])
        if found and survey.closes_on is not None:
            who = numbers(survey.body_id, survey.evaluatee_id)
            move = Move(str(survey.year), who, "closes_on", _shown(found[0]), _shown(found[1]), "360")
            planned.append((survey.body_id, move, DateMove(survey.id, "closes_on", survey.closes_on, found[1])))
    _made(planned, uow.surveys.move_closes_on([change for _, _, change in planned], reason=reason), moved)
    return moved


def _c3(rules: Calibration, applied_on: date, calendar: WorkingCalendar) -> date | None:
    return calibration_schedule(rules, calendar, applied_on=applied_on).decide_by


def _c4(rules: Calibration, applied_on: date, calendar: WorkingCalendar) -> date | None:
    return calibration_schedule(rules, calendar, applied_on=applied_on).hold_by


def _c7(rules: Calibration, signed_on: date | None, calendar: WorkingCalendar) -> date | None:
    return calibration_schedule(rules, calendar, signed_on=signed_on).protocol_post_by


def _evaluation_windows(book: Rulebook, row: Mapping[str, Any], column: str, returned_on: date | None) -> list[Window]:
    """The ways ``column`` of an evaluation may have been computed: the M-5 resubmission from the last return, C-1
    from the completion (the calibration families), M-8 from the Commission's approval (the day the result took
    effect, ``completed_on``), C-2 from the acquaintance."""
    ways: list[Window] = []
    calibration, commission = book.calibration, book.commission
    if column == "deadline" and commission is not None and returned_on is not None:
        period, spec = Period.parse(row["period_label"]), book.method(row["method"])
        ways.append(lambda cal: commission_schedule(period, spec, commission, cal, returned_on=returned_on).resubmit_by)
    elif column == "acquaint_by":
        completed = row["completed_on"]
        if calibration is not None:
            ways.append(lambda cal: calibration_schedule(calibration, cal, completed_on=completed).acquaint_by)
        if commission is not None:
            period, spec = Period.parse(row["period_label"]), book.method(row["method"])
            ways.append(
                lambda cal: commission_schedule(period, spec, commission, cal, decided_on=completed).acquaint_by
            )
    elif column == "disagreement_until" and calibration is not None:
        acquainted = row["acquainted_on"]
        ways.append(lambda cal: calibration_schedule(calibration, cal, acquainted_on=acquainted).apply_by)
    return ways
