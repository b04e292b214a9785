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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import RuleViolation
from domain.facts import Employee, Organization
from domain.rulebook import CategoryGroup, EvaluatorRoute, MethodSpec, RoutingRule, Rulebook
from domain.vocabulary import Corps

HEADS_OF_UNITS = "heads_of_units"

ROUTED = "routed"
ACTING_FOR_ABSENT_EVALUATOR = "acting_for_absent_evaluator"
FALLBACK_SUPERIOR_HEAD = "fallback_superior_head"
EVALUATOR_ABSENT = "evaluator_absent"
NO_EVALUATOR = "no_evaluator"
NO_HEAD_OF_UNIT = "no_head_of_unit"
NO_ROUTING_RULE = "no_routing_rule"


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
    allowed = f"anyone in service but '{evaluatee}' and their subordinates"
    if delegate == evaluatee:
        message = f"'{delegate}' is the evaluatee and cannot evaluate themself"
        raise RuleViolation(rule=rule, field="delegate", value=delegate, allowed=allowed, message=message)
    if delegate in org.subordinates_of(evaluatee, on):
        message = f"'{delegate}' is a subordinate of the evaluatee '{evaluatee}' and cannot evaluate them"
        raise RuleViolation(rule=rule, field="delegate", value=delegate, allowed=allowed, message=message)
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
