"""Who evaluates whom (D-1, K-4, Q-1, M-2), who stands in for an absent evaluator (G-7), and who may be designated
to evaluate in a large unit (D-4).

A method's ``evaluator`` list holds routing rules; the first whose ``when`` selector matches the evaluatee's
category names the route:

* ``direct_head`` — the evaluatee's direct head (тікелей басшы);
* ``head_of_unit`` — walking up the head chain from the direct head, the first person whose category is in the
  rulebook's ``heads_of_units`` group; an evaluatee who is a head of unit themself goes to their direct head;
* ``superior_head`` — the direct head's own head (жоғары тұрған басшы).

G-7: an evaluator absent on the day (or out of service) is replaced by the person acting for them; failing
that, by the rulebook's fallback (``superior_head``: the absent evaluator's own head, and up the chain while
those are absent too). Nobody left → no evaluator: the flow escalates to HR.

Routing is not frozen at the opening: :func:`due_evaluator` answers, for any day of the evaluation, who is due to
evaluate that day (and :func:`escalation_recipients` who receives an escalation), from the reporting line of that
day (the head at evaluation time), the acting appointments (an acting head evaluates, votes and receives in the
absent head's stead while the appointment lasts), the absences (without an acting head, an evaluator absent on the
deadline is replaced by their own head) and a D-4 delegation. :func:`check_substitution` accepts or refuses an
acting appointment; :func:`check_delegation` a delegation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.calendar import WorkingCalendar
from domain.errors import RuleViolation
from domain.facts import ActingAssignment, Employee, Organization
from domain.rulebook import CategoryGroup, EscalationLevel, EvaluatorRoute, MethodSpec, RoutingRule, Rulebook
from domain.vocabulary import Corps

HEADS_OF_UNITS = "heads_of_units"

ROUTED = "routed"
ACTING_FOR_ABSENT_EVALUATOR = "acting_for_absent_evaluator"
FALLBACK_SUPERIOR_HEAD = "fallback_superior_head"
EVALUATOR_ABSENT = "evaluator_absent"
NO_EVALUATOR = "no_evaluator"
NO_HEAD_OF_UNIT = "no_head_of_unit"
NO_ROUTING_RULE = "no_routing_rule"
DELEGATED = "delegated"
ABSENT_ON_DEADLINE = "absent_on_deadline"


@dataclass(frozen=True)
class RoutingDecision:
    """Who evaluates: ``evaluator`` (``None``: nobody, see ``reason``), by which ``route`` and rule id.

    ``substituted_for`` is the evaluator the route chose when someone else stands in for them (G-7). ``reason``
    is one of ``routed``, ``acting_for_absent_evaluator``, ``fallback_superior_head``, ``evaluator_absent``,
    ``no_evaluator``, ``no_head_of_unit``, ``no_routing_rule``.
    """

    evaluator: str | None
    route: EvaluatorRoute | None
    rule: str
    substituted_for: str | None
    reason: str


def route_evaluator(
    employee: Employee,
    method_spec: MethodSpec,
    org: Organization,
    on: date,
    rulebook: Rulebook,
    *,
    category: str | None = None,
) -> RoutingDecision:
    """The evaluator of ``employee`` for ``method_spec`` on ``on`` (D-1, K-4, Q-1, M-2; G-7 substitution).

    ``category`` defaults to the category held on ``on`` (the last one held, for someone out of service).
    """
    category = category or _category_on(employee, on)
    routing = _routing_rule(method_spec, category, rulebook)
    if routing is None:
        return RoutingDecision(None, None, method_spec.rules[0], None, NO_ROUTING_RULE)
    chosen = _by_route(employee.id, routing.route, org, on, rulebook)
    if chosen is None:
        reason = NO_HEAD_OF_UNIT if routing.route == "head_of_unit" and employee.head else NO_EVALUATOR
        return RoutingDecision(None, routing.route, routing.rule, None, reason)
    if available(org, chosen, on):
        return RoutingDecision(chosen, routing.route, routing.rule, None, ROUTED)
    return _substitute(employee.id, chosen, routing, org, on, rulebook)


def _routing_rule(method_spec: MethodSpec, category: str | None, rulebook: Rulebook) -> RoutingRule | None:
    """The first routing rule whose selector matches (Q-1: B-1 and C-O-1 by the direct head, others after)."""
    if category is None:
        return None
    return next((rule for rule in method_spec.evaluator if rulebook.matches(rule.when, category)), None)


def _by_route(person: str, route: EvaluatorRoute, org: Organization, on: date, rulebook: Rulebook) -> str | None:
    if route == "direct_head":
        return org.head_of(person, on)
    if route == "superior_head":
        return org.superior_head_of(person, on)
    return head_of_unit(person, org, on, rulebook)


def head_of_unit(person: str, org: Organization, on: date, rulebook: Rulebook) -> str | None:
    """D-1/Q-1: the head of the evaluatee's structural unit, found up the head chain (see the module docstring)."""
    group = heads_of_units(rulebook)
    if group.contains(_category_on(org.employee(person), on) or ""):
        return org.head_of(person, on)
    return next((head for head in org.heads_above(person, on) if _is_head_of_unit(org, head, on, group)), None)


def heads_of_units(rulebook: Rulebook) -> CategoryGroup:
    """The rulebook's ``heads_of_units`` category group (G-2); a ``KeyError`` naming the groups it has if none."""
    group = rulebook.category_groups.get(HEADS_OF_UNITS)
    if group is None:
        known = sorted(rulebook.category_groups)
        raise KeyError(f"rulebook {rulebook.id} has no category group '{HEADS_OF_UNITS}' (G-2); it has {known}")
    return group


def _is_head_of_unit(org: Organization, person: str, on: date, group: CategoryGroup) -> bool:
    category = _category_on(org.employee(person), on)
    return category is not None and group.contains(category)


def _category_on(employee: Employee, on: date) -> str | None:
    position = employee.position_on(on)
    return employee.category if position is None else position.category


def available(org: Organization, person: str, on: date) -> bool:
    """G-7: in service on ``on`` and not absent that day."""
    employee = org.employee(person)
    return employee.in_service_on(on) and not employee.is_absent_on(on)


def _substitute(
    evaluatee: str, chosen: str, routing: RoutingRule, org: Organization, on: date, rulebook: Rulebook
) -> RoutingDecision:
    """G-7: the person acting for the absent evaluator; else the fallback, up the chain while absent."""
    rule = rulebook.substitution.rule
    candidate: str | None = chosen
    while candidate is not None:
        acting = [
            person for person in org.acting_for(candidate, on) if person != evaluatee and available(org, person, on)
        ]
        if acting:
            return RoutingDecision(acting[0], routing.route, rule, chosen, ACTING_FOR_ABSENT_EVALUATOR)
        if rulebook.substitution.fallback == "none":
            return RoutingDecision(None, routing.route, rule, chosen, EVALUATOR_ABSENT)
        candidate = org.head_of(candidate, on)
        if candidate is not None and candidate != evaluatee and available(org, candidate, on):
            return RoutingDecision(candidate, routing.route, rule, chosen, FALLBACK_SUPERIOR_HEAD)
    return RoutingDecision(None, routing.route, rule, chosen, NO_EVALUATOR)


# --- delegation (D-4) --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegationDecision:
    """D-4: whether ``evaluator`` may designate others to evaluate: ``count`` (of ``counts``) must exceed
    ``threshold``. ``reason`` says why not (``no_delegation_rule``, ``at_or_below_threshold``)."""

    allowed: bool
    count: int
    threshold: int | None
    counts: str | None
    rule: str
    reason: str | None


def delegation_allowed(evaluator: str, org: Organization, on: date, rulebook: Rulebook) -> DelegationDecision:
    """D-4: more than ``threshold`` B-corps employees in the evaluator's unit (its sub-units included; Model 2018:
    50), or more than ``threshold`` evaluatees routed to the evaluator (003: 20), as the rulebook counts."""
    delegation = rulebook.delegation
    if delegation is None:
        return DelegationDecision(False, 0, None, None, "D-4", "no_delegation_rule")
    if delegation.counts == "unit_b_corps":
        count = len(_unit_b_corps(evaluator, org, on))
    else:
        count = len(evaluatees_of(evaluator, org, on, rulebook))
    allowed = count > delegation.threshold
    reason = None if allowed else "at_or_below_threshold"
    return DelegationDecision(allowed, count, delegation.threshold, delegation.counts, delegation.rule, reason)


def _unit_b_corps(evaluator: str, org: Organization, on: date) -> list[str]:
    unit = org.unit_of(evaluator, on)
    if unit is None:
        return []
    members = org.unit_members(unit, on, include_subunits=True)
    return [person for person in members if org.employee(person).corps == Corps.B]


def evaluatees_of(evaluator: str, org: Organization, on: date, rulebook: Rulebook) -> list[str]:
    """The B-corps employees in service on ``on`` whom some method in force routes to ``evaluator`` (G-7 included)."""
    found: list[str] = []
    for employee in org.employees:
        if employee.id == evaluator or employee.corps != Corps.B or not employee.in_service_on(on):
            continue
        category = _category_on(employee, on)
        specs = [
            s for s in rulebook.methods if s.in_force(on) and category and rulebook.matches(s.applies_to, category)
        ]
        if any(route_evaluator(employee, spec, org, on, rulebook).evaluator == evaluator for spec in specs):
            found.append(employee.id)
    return found


def check_delegate(
    evaluator: str, delegate: str, evaluatee: str, org: Organization, on: date, rulebook: Rulebook
) -> DelegationDecision:
    """D-4/Q-1: accept ``delegate`` to evaluate ``evaluatee`` for ``evaluator``, or raise :class:`RuleViolation`.

    Refused: delegation not allowed (at or below the threshold, or no delegation rule); an unknown delegate or
    one out of service on ``on``; the evaluatee themself; a subordinate of the evaluatee (at any depth).
    """
    decision = delegation_allowed(evaluator, org, on, rulebook)
    rule = decision.rule
    if not decision.allowed:
        raise _refused_delegation(evaluator, decision)
    if delegate not in org.employees_by_id or not org.in_service(delegate, on):
        message = f"'{delegate}' is not an employee in service on {on.isoformat()} and cannot evaluate"
        raise RuleViolation(
            rule=rule, field="delegate", value=delegate, allowed="an employee in service", message=message
        )
    delegation = rulebook.delegation
    if delegation is not None and delegation.delegate_in_unit and not _in_unit_of(delegate, evaluator, org, on):
        unit = org.unit_of(evaluator, on)
        message = f"'{delegate}' does not work in the unit {unit} of '{evaluator}' and cannot be designated"
        raise RuleViolation(
            rule=rule, field="delegate", value=delegate, allowed=f"an employee of unit {unit}", message=message
        )
    allowed = f"anyone in service but '{evaluatee}' and their subordinates"
    if delegate == evaluatee:
        message = f"'{delegate}' is the evaluatee and cannot evaluate themself"
        raise RuleViolation(rule=rule, field="delegate", value=delegate, allowed=allowed, message=message)
    if delegate in org.subordinates_of(evaluatee, on):
        message = f"'{delegate}' is a subordinate of the evaluatee '{evaluatee}' and cannot evaluate them"
        raise RuleViolation(rule=rule, field="delegate", value=delegate, allowed=allowed, message=message)
    return decision


def _in_unit_of(person: str, evaluator: str, org: Organization, on: date) -> bool:
    """D-4: ``person`` works on ``on`` in the evaluator's unit or a unit below it."""
    unit = org.unit_of(evaluator, on)
    return unit is not None and org.unit_of(person, on) in org.subunits_of(unit)


def check_delegation(
    evaluator: str, delegate: str, evaluatees: Sequence[str], org: Organization, on: date, rulebook: Rulebook
) -> DelegationDecision:
    """D-4 (000 §31, 003 §17): ``evaluator`` designates ``delegate`` to evaluate ``evaluatees`` on ``on``.

    Refused with a :class:`RuleViolation` naming the rule (D-4), nothing recorded: an evaluator unknown or out of
    service, at or below the rulebook's threshold, a delegate who is the evaluator, unknown, out of service, not
    in the evaluator's unit (``delegate_in_unit``), one of the evaluatees or a subordinate of one; an evaluatee
    whom no method in force routes to the evaluator that day.
    """
    rule = rulebook.delegation.rule if rulebook.delegation else "D-4"
    if evaluator not in org.employees_by_id or not org.in_service(evaluator, on):
        message = f"'{evaluator}' is not an employee in service on {on.isoformat()} and has nobody to delegate"
        raise RuleViolation(rule=rule, field="by", value=evaluator, allowed="an evaluator in service", message=message)
    if delegate == evaluator:
        message = f"'{evaluator}' cannot designate themself: a delegate is another employee of the unit"
        raise RuleViolation(rule=rule, field="to", value=delegate, allowed="another employee", message=message)
    routed = set(evaluatees_of(evaluator, org, on, rulebook))
    strangers = [person for person in evaluatees if person not in routed]
    decision = delegation_allowed(evaluator, org, on, rulebook)
    if not decision.allowed:
        raise _refused_delegation(evaluator, decision)
    if strangers:
        verb = "is" if len(strangers) == 1 else "are"
        message = f"{', '.join(repr(p) for p in strangers)} {verb} not evaluated by '{evaluator}' on {on.isoformat()}"
        raise RuleViolation(rule=rule, field="evaluatees", value=strangers, allowed=sorted(routed), message=message)
    for evaluatee in evaluatees:
        check_delegate(evaluator, delegate, evaluatee, org, on, rulebook)
    return decision


def _refused_delegation(evaluator: str, decision: DelegationDecision) -> RuleViolation:
    if decision.threshold is None:
        message = f"'{evaluator}' may not designate other evaluators: the rulebook has no delegation rule"
        return RuleViolation(rule=decision.rule, field="delegate", allowed="no delegation", message=message)
    what = "B-corps employees in the unit" if decision.counts == "unit_b_corps" else "evaluatees"
    message = (
        f"'{evaluator}' may not designate other evaluators: {decision.count} {what}, "
        f"delegation needs more than {decision.threshold}"
    )
    allowed = f"more than {decision.threshold} {what}"
    return RuleViolation(rule=decision.rule, field="delegate", value=decision.count, allowed=allowed, message=message)


# --- who is due on a day (G-7 after the opening) ---------------------------------------------------------------


@dataclass(frozen=True)
class DueEvaluator:
    """G-7/D-4: who is due to evaluate one evaluatee on one day.

    ``evaluator`` is the person due (``None``: nobody, see ``reason``); ``routed`` the evaluator the route names
    on that day (the head at evaluation time); ``may_submit`` everyone whose sheet is accepted that day: the one
    due, and the routed evaluator while in service — except while an acting appointment holds their seat (the
    acting head evaluates in their stead). ``reason``: ``routed``, ``delegated``, ``acting_for_absent_evaluator``,
    ``absent_on_deadline`` (the routed evaluator's head stands in), ``evaluator_absent``, ``no_evaluator``,
    ``no_head_of_unit``, ``no_routing_rule``.
    """

    evaluator: str | None
    routed: str | None
    rule: str
    reason: str
    may_submit: frozenset[str] = field(default_factory=frozenset)


def due_evaluator(
    employee: Employee,
    method_spec: MethodSpec,
    org: Organization,
    on: date,
    rulebook: Rulebook,
    *,
    deadline: date | None = None,
    delegate: str | None = None,
    category: str | None = None,
) -> DueEvaluator:
    """Who is due to evaluate ``employee`` by ``method_spec`` on ``on`` (G-7, D-4, D-1, K-4, Q-1, M-2).

    1. The route names the evaluator from the reporting line of ``on`` (after a move, the new head).
    2. A D-4 ``delegate`` recorded for this evaluatee, at work on ``on``, is due.
    3. While someone acts for the routed evaluator on ``on`` (an acting appointment), that person is due.
    4. The routed evaluator is due when at work on the ``deadline`` (``None``, or a day after it: on ``on``):
       away only before the deadline, they stay due (back in time). Away on the deadline with an acting head
       appointed for it, they stay due while at work, and the acting head is due once they are away.
    5. Otherwise (away on the deadline, or after it on ``on``, and nobody appointed to act), their own head
       stands in (``substitution.fallback: superior_head``), up the chain while those are away too, acting heads
       included; with ``fallback: none`` nobody is due.
    """
    category = category or _category_on(employee, on)
    routing = _routing_rule(method_spec, category, rulebook)
    if routing is None:
        return DueEvaluator(None, None, method_spec.rules[0], NO_ROUTING_RULE)
    routed = _by_route(employee.id, routing.route, org, on, rulebook)
    if routed is None:
        reason = NO_HEAD_OF_UNIT if routing.route == "head_of_unit" and org.head_of(employee.id, on) else NO_EVALUATOR
        return DueEvaluator(None, None, routing.rule, reason)
    if delegate is not None and delegate != employee.id and _present(org, delegate, on):
        rule = rulebook.delegation.rule if rulebook.delegation else "D-4"
        also = {routed} if org.in_service(routed, on) else set()
        return DueEvaluator(delegate, routed, rule, DELEGATED, frozenset({delegate, *also}))
    rule = rulebook.substitution.rule
    acting = _acting(routed, employee.id, org, on)
    if acting is not None:
        return DueEvaluator(acting, routed, rule, ACTING_FOR_ABSENT_EVALUATOR, frozenset({acting}))
    own = frozenset({routed}) if org.in_service(routed, on) else frozenset()
    reference = on if deadline is None or on > deadline else deadline
    if _present(org, routed, reference):
        return DueEvaluator(routed, routed, routing.rule, ROUTED, own)
    acting_later = None if reference == on else _acting(routed, employee.id, org, reference)
    if acting_later is not None:  # an acting head is appointed for the deadline: no fallback
        if available(org, routed, on):
            return DueEvaluator(routed, routed, routing.rule, ROUTED, own)
        return DueEvaluator(acting_later, routed, rule, ACTING_FOR_ABSENT_EVALUATOR, own | {acting_later})
    if rulebook.substitution.fallback == "none":
        return DueEvaluator(None, routed, rule, EVALUATOR_ABSENT, own)
    stand_in = _head_standing_in(routed, employee.id, org, on)
    if stand_in is None:
        return DueEvaluator(None, routed, rule, NO_EVALUATOR, own)
    return DueEvaluator(stand_in, routed, rule, ABSENT_ON_DEADLINE, own | {stand_in})


def _present(org: Organization, person: str, on: date) -> bool:
    return person in org.employees_by_id and available(org, person, on)


def _acting(person: str, evaluatee: str, org: Organization, on: date) -> str | None:
    """G-7: the first person acting for ``person`` on ``on`` who is at work and is not the evaluatee."""
    return next((p for p in org.acting_for(person, on) if p != evaluatee and available(org, p, on)), None)


def _head_standing_in(person: str, evaluatee: str, org: Organization, on: date) -> str | None:
    """G-7 fallback: ``person``'s own head on ``on`` (or the one acting for them), up the chain while away."""
    for head in org.heads_above(person, on):
        if head == evaluatee:
            continue
        if available(org, head, on):
            return head
        acting = _acting(head, evaluatee, org, on)
        if acting is not None:
            return acting
    return None


def seat_holder(person: str, org: Organization, on: date) -> str:
    """G-7: who acts in ``person``'s stead on ``on`` (votes, receives notices): the acting person while an acting
    appointment lasts and ``person`` is away, else ``person``."""
    if available(org, person, on):
        return person
    acting = next((p for p in org.acting_for(person, on) if available(org, p, on)), None)
    return person if acting is None else acting


def voting_seat(voter: str, members: Sequence[str], org: Organization, on: date) -> str | None:
    """G-7/M-7/C-6: the member whose seat ``voter`` holds on ``on``: their own, or that of a member they act for
    while the member is away; ``None`` when they hold none."""
    if voter in members and seat_holder(voter, org, on) == voter:
        return voter
    return next((member for member in members if member != voter and seat_holder(member, org, on) == voter), None)


def escalation_recipients(
    level: EscalationLevel, due: DueEvaluator, org: Organization, on: date, hr: Sequence[str]
) -> list[str]:
    """Who receives an escalation of ``level`` on ``on`` (the ladder of ``reminders.escalation``), following
    whoever is due (G-7): ``evaluator`` → the person due; ``evaluators_head`` → that person's head on ``on`` (or
    whoever acts for the head; when that is the person due themself — an acting head whose own head is the one
    they act for — the next head up); ``hr`` → the HR service. A level with nobody to receive it goes to HR."""
    if level == "evaluator" and due.evaluator is not None:
        return [due.evaluator]
    if level == "evaluators_head" and due.evaluator is not None:
        for head in org.heads_above(due.evaluator, on):
            holder = seat_holder(head, org, on)
            if holder != due.evaluator:
                return [holder]
    return list(hr)


def check_substitution(
    replaced: str,
    substitute: str,
    start: date,
    end: date,
    org: Organization,
    calendar: WorkingCalendar,
) -> ActingAssignment:
    """G-7: accept an acting appointment (``substitute`` acts for ``replaced`` from ``start`` to ``end``) or refuse
    it with a :class:`RuleViolation` naming G-7, nothing recorded.

    Refused: an unknown person, the person themself, a substitute out of service on ``start``, an appointment
    ending before it starts, a replaced person at work on a working day of the interval (an acting head stands
    in only for someone absent, on leave or out of service), another acting appointment for the same person
    that overlaps it.
    """
    for role, person in (("for", replaced), ("by", substitute)):
        if person not in org.employees_by_id:
            message = f"'{person}' is not an employee of the organization"
            raise RuleViolation(rule="G-7", field=role, value=person, allowed="an employee", message=message)
    if replaced == substitute:
        message = f"'{replaced}' cannot act for themself"
        raise RuleViolation(rule="G-7", field="by", value=substitute, allowed="another employee", message=message)
    if end < start:
        message = f"the acting appointment ends {end.isoformat()}, before it starts {start.isoformat()}"
        raise RuleViolation(rule="G-7", field="to", value=end, allowed=f"from {start.isoformat()}", message=message)
    if not org.in_service(substitute, start):
        message = f"'{substitute}' is not in service on {start.isoformat()} and cannot act for '{replaced}'"
        raise RuleViolation(rule="G-7", field="by", value=substitute, allowed="an employee in service", message=message)
    at_work = _first_day_at_work(replaced, start, end, org, calendar)
    if at_work is not None:
        message = (
            f"'{replaced}' is not absent on {at_work.isoformat()}: an acting head stands in only while the person "
            f"is away ({start.isoformat()} to {end.isoformat()})"
        )
        raise RuleViolation(rule="G-7", field="for", value=replaced, allowed="a person absent", message=message)
    overlapping = [
        (other.id, assignment)
        for other in org.employees
        for assignment in other.acting_for
        if other.id != substitute
        and assignment.person == replaced
        and assignment.start <= end
        and start <= assignment.end
    ]
    if overlapping:
        holder, assignment = overlapping[0]
        message = (
            f"'{holder}' already acts for '{replaced}' from {assignment.start.isoformat()} to "
            f"{assignment.end.isoformat()}"
        )
        raise RuleViolation(rule="G-7", field="from", value=start, allowed="one acting head at a time", message=message)
    return ActingAssignment(replaced, start, end)


def _first_day_at_work(
    person: str, start: date, end: date, org: Organization, calendar: WorkingCalendar
) -> date | None:
    day = start
    while day <= end:
        if calendar.is_working_day(day) and available(org, person, day):
            return day
        day += timedelta(days=1)
    return None
