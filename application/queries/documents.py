"""The documents HR prints and files, read from the database (issue 15): one frozen view per document, R-2 applied.

Every document is named by the evaluation it is about — ``document(env, principal, "sheet", 41, language)`` —
except the 360 report, named by its survey (T-6). The view is built from what the tables hold: the current sheet
version and its R-3 hash (``sheet_submission``), the calibration case and its votes, the Commission's meeting and
decisions, the act of refusal (M-8), the 360 averages (never a respondent, T-8). Texts a rulebook defines
(parameters, KPIs' allowed ranges, competencies and indicators) are taken from the evaluation's own rulebook in
the language asked for; people are named as they were placed on the last day of the period (E-1's history).

R-2 is the domain predicate (``domain.access.visibility``) on the parties ``persistence.access`` gathers: a
document with a score or a category is built only for someone who may see the result; otherwise
:class:`DocumentRefused` (the web answers 404 and records it, the CLI exits 2). A Commission protocol lists several
people's results, so it needs the result of every line. The exports (results, cycle status, 360 summary, audit) are
row generators with the same rule per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from application.environment import Environment
from application.errors import Rejected
from application.queries.surveys import report_of, survey_book, survey_form
from documents.labels import appendix_of
from documents.views import (
    AuditRow,
    CalibrationProtocol,
    CalibrationSummary,
    CommissionLine,
    CommissionMember,
    CommissionProtocol,
    CompetencyAverage,
    CompetencyLine,
    CompetencySheet,
    CycleStatusRow,
    Document,
    DocumentKind,
    KpiCountLine,
    KpiCountSheet,
    KpiLine,
    KpiSheet,
    PanelMember,
    PanelVote,
    ParameterLine,
    ParameterSheet,
    Person,
    RefusalAct,
    Report360,
    Requisites,
    ResultNotice,
    ResultRow,
    SanctionCap,
    Signature,
    SignerRole,
    SurveySummaryRow,
)
from domain import scoring
from domain.access import EvaluationParties, Principal, Visibility, visibility
from domain.errors import Phrase, RuleViolation
from domain.periods import Period
from domain.rulebook import Rulebook
from domain.vocabulary import EvaluationStatus, Language, Method, PeriodKind, ResultCategory, Role, SanctionKind
from persistence import access, annual_state, flowstate
from persistence import documents as rows
from persistence.records import Evaluation, EvaluationPeriod, SheetSubmission
from persistence.signing import content_hash
from persistence.uow import UnitOfWork

KINDS: tuple[str, ...] = tuple(kind.value for kind in DocumentKind)
READER = Principal.system_step("documents")
"""Who reads the tables for a document: the read is the system's; who may *see* it is R-2's question, asked apart."""


class DocumentNotFound(LookupError):
    """No such document: an unknown id, or an evaluation that has no such document (no case, no act, no meeting)."""


class DocumentRefused(PermissionError):
    """R-2: the principal may not see this document; the entrances answer as if it did not exist (and record it)."""

    rule = "R-2"


# --- who asks -----------------------------------------------------------------------------------------------


def principal_of(env: Environment, who: str, on: date | None = None) -> Principal:
    """The principal a CLI ``--as`` names: a login (with its roles and the person's body roles), else a personnel
    number (the person with the body roles they hold on ``on``). Unknown or ambiguous → :class:`Rejected`."""
    day = env.clock.as_of(on)
    with env.unit_of_work(READER) as uow:
        user = uow.users.by_login(who.strip().lower())
        if user is not None:
            return uow.users.principal(user, day)
        matches = [
            person_id
            for body_id in flowstate.body_ids(uow.session)
            for person_id, info in flowstate.people(uow.session, body_id).items()
            if info.number == who
        ]
        if len(matches) != 1:
            problem = (
                Phrase("no login or personnel number")
                if not matches
                else Phrase("several bodies have the personnel number")
            )
            raise Rejected.by_rule("R-2", Phrase("{problem} {who!r}", problem=problem, who=who))
        found = access.person_principal(uow.session, matches[0], day)
        assert found is not None
        return found


# --- documents ------------------------------------------------------------------------------------------------


def document(
    env: Environment,
    principal: Principal,
    kind: DocumentKind | str,
    document_id: int,
    language: Language | str,
    *,
    on: date | None = None,
) -> Document:
    """The view of document ``kind`` about evaluation ``document_id`` (a survey id for ``report_360``), in
    ``language``, if ``principal`` may see it (R-2)."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise DocumentNotFound(f"unknown document kind {str(kind)[:40]!r}: one of {', '.join(KINDS)}") from None
    lang = Language(language)
    day = env.clock.as_of(on)
    with env.unit_of_work(READER) as uow:
        reader = _Reader(env, uow, lang, day)
        if kind == DocumentKind.REPORT_360:
            return reader.report_360(principal, document_id)
        reader.require_result(principal, document_id)
        builders = {
            DocumentKind.SHEET: reader.sheet,
            DocumentKind.PROTOCOL: reader.calibration_protocol,
            DocumentKind.REFUSAL_ACT: reader.refusal_act,
            DocumentKind.NOTICE: reader.notice,
        }
        if kind == DocumentKind.COMMISSION_PROTOCOL:
            return reader.commission_protocol(principal, document_id)
        return builders[kind](document_id)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _day(value: datetime | date | None, env: Environment) -> date | None:
    if value is None:
        return None
    return env.clock.local_date(value) if isinstance(value, datetime) else value


@dataclass
class _Reader:
    """One document's reads, inside one unit of work."""

    env: Environment
    uow: UnitOfWork
    language: Language
    on: date

    # --- access ---

    def parties(self, evaluation_ids: Sequence[int]) -> dict[int, EvaluationParties]:
        return access.evaluation_parties(self.uow.session, evaluation_ids, self.on)

    def require_result(self, principal: Principal, evaluation_id: int) -> EvaluationParties:
        found = self.parties([evaluation_id]).get(evaluation_id)
        if found is None:
            raise DocumentNotFound(f"there is no evaluation {evaluation_id}")
        if visibility(principal, found) < Visibility.RESULT:
            raise DocumentRefused(f"{principal.actor} may not see the result of evaluation {evaluation_id} (R-2)")
        return found

    # --- common facts ---

    def evaluation(self, evaluation_id: int) -> tuple[Evaluation, EvaluationPeriod, Rulebook]:
        evaluation = self.uow.evaluations.get(evaluation_id)
        period = self.uow.periods.get(evaluation.period_id)
        book = self.env.rulebooks.get(self.uow.rules, evaluation.rulebook_id)
        return evaluation, period, book

    def requisites(self, period: EvaluationPeriod, book: Rulebook | None, form: str | None) -> Requisites:
        body = self.uow.org.body(period.body_id)
        appendix = appendix_of(book.id, book.family, form) if book is not None and form else None
        return Requisites(body_name=body.name, period=period.label, language=self.language, appendix=appendix)

    def people(self, person_ids: Sequence[int | None], on: date) -> dict[int, Person]:
        ids = [person for person in person_ids if person is not None]
        named = rows.names(self.uow.session, ids)
        placed = rows.placements(self.uow.session, ids, on)
        found = {}
        for person_id in ids:
            place = placed.get(person_id, rows.Placement())
            found[person_id] = _person(named[person_id][1], place)
        return found

    def person(self, person_id: int | None, on: date) -> Person:
        return self.people([person_id], on)[person_id] if person_id is not None else Person("")

    # --- sheets ---

    def sheet(self, evaluation_id: int) -> Document:
        evaluation, period, book = self.evaluation(evaluation_id)
        submission = self.uow.sheets.current(evaluation_id)
        if submission is None:
            raise DocumentNotFound(f"evaluation {evaluation_id} has no sheet submitted yet")
        spec = book.method(evaluation.method)
        end = Period.parse(period.label).end
        people = self.people([evaluation.person_id, evaluation.evaluator_id, evaluation.approver_id], end)
        evaluatee = people[evaluation.person_id]
        evaluator = people.get(evaluation.evaluator_id or -1, Person(""))
        signatures = self.sheet_signatures(evaluation, submission, people)
        requisites = self.requisites(period, book, evaluation.method.value)
        common: dict[str, Any] = {
            "requisites": requisites,
            "evaluatee": evaluatee,
            "evaluator": evaluator,
            "signatures": signatures,
            "content_hash": submission.content_hash,
        }
        stored = dict(submission.scores)
        if spec.scoring == "parameters":
            return self.parameter_sheet(evaluation, period, book, stored, submission, common)
        if spec.scoring == "kpi_range":
            return self.kpi_sheet(evaluation, period, book, stored, common)
        if spec.scoring == "kpi_count":
            return self.kpi_count_sheet(evaluation, period, book, stored, common, people)
        return self.competency_sheet(evaluation, book, stored, common, evaluatee)

    def sheet_signatures(
        self, evaluation: Evaluation, submission: SheetSubmission, people: Mapping[int, Person]
    ) -> tuple[Signature, ...]:
        """R-3: the evaluator signed the version (electronically unless on paper); the superior head agreed (M-5);
        the evaluatee signed on acquaintance (C-1, M-8) — an empty line while they have not."""
        electronic = not submission.on_paper
        signer = submission.signed_by_id or evaluation.evaluator_id
        signed = _day(submission.signed_at, self.env)
        found = [Signature(SignerRole.EVALUATOR, self._name(signer, people), signed, electronic=electronic)]
        for review in self.uow.sheets.reviews(evaluation.id):
            if review.decision == "approve" and review.submission_id == submission.id:
                name = self._name(review.reviewer_id, people)
                found.append(Signature(SignerRole.SUPERIOR_HEAD, name, review.decided_on, electronic=True))
        by_act = evaluation.acquaintance_method in ("act", "refusal_act")  # M-8: the act is signed instead
        acquainted = None if by_act else evaluation.acquainted_on
        found.append(
            Signature(SignerRole.EVALUATEE, people[evaluation.person_id].full_name, acquainted, electronic=electronic)
        )
        return tuple(found)

    def _name(self, person_id: int | None, people: Mapping[int, Person]) -> str:
        if person_id is None:
            return ""
        if person_id in people:
            return people[person_id].full_name
        return rows.names(self.uow.session, [person_id]).get(person_id, ("", ""))[1]

    def parameter_sheet(
        self,
        evaluation: Evaluation,
        period: EvaluationPeriod,
        book: Rulebook,
        stored: Mapping[str, Any],
        submission: SheetSubmission,
        common: dict[str, Any],
    ) -> ParameterSheet:
        """D-3 / Q-2: the parameters and their scores, the mean, and the Q-3 cap of a sanction of the period."""
        spec = book.method(evaluation.method).sheet
        assert spec is not None
        lang = self.language
        lines = tuple(
            ParameterLine(
                number=i,
                name=_capital(parameter.name.in_language(lang)),
                criteria=parameter.description.in_language(lang) if parameter.description else "",
                score=_decimal(stored.get(parameter.id, 0)),
            )
            for i, parameter in enumerate(spec.parameters, start=1)
        )
        average = scoring.round_score(sum((line.score for line in lines), Decimal(0)) / len(lines), book.results)
        score = scoring.round_score(evaluation.score, book.results) if evaluation.score is not None else average
        cap = None
        if book.caps is not None:
            time_span = Period.parse(period.label)
            for kind, imposed_on in rows.sanctions_in(
                self.uow.session, evaluation.person_id, time_span.start, time_span.end
            ):
                rule = next((c for c in book.caps.caps if SanctionKind(kind) in c.sanctions), None)
                if rule is not None and (cap is None or rule.max_score < cap.max_score):
                    cap = SanctionCap(SanctionKind(kind), imposed_on, rule.max_score, applied=average > rule.max_score)
        return ParameterSheet(
            method=evaluation.method,
            parameters=lines,
            average=average,
            score=score,
            category=self._category(evaluation, book, score),
            cap=cap,
            justification=submission.justification or "",
            in_absentia=evaluation.in_absentia,
            **common,
        )

    @staticmethod
    def _category(evaluation: Evaluation, book: Rulebook, score: Decimal | None) -> ResultCategory:
        if evaluation.category is not None:
            return evaluation.category
        if score is not None:
            return scoring.band(score, book.results)
        return ResultCategory.DOES_NOT_MEET

    def kpi_sheet(
        self,
        evaluation: Evaluation,
        period: EvaluationPeriod,
        book: Rulebook,
        stored: Mapping[str, Any],
        common: dict[str, Any],
    ) -> KpiSheet:
        """K-4…K-6: each KPI's plan, actual, achievement, the allowed range of appendix 3 and the score given."""
        assert book.kpi is not None
        key = "year" if period.kind == PeriodKind.YEAR else f"Q{period.quarter}"
        lines = []
        for number, kpi in enumerate(self.uow.plans.kpis(evaluation.person_id, period.year), start=1):
            value = kpi.values.get(key)
            if value is None or value.planned is None or kpi.code not in stored:
                continue
            direction: Literal["higher", "lower"] = "lower" if kpi.direction == "lower" else "higher"
            actual = value.actual if value.actual is not None else Decimal(0)
            try:
                pct = scoring.achievement_pct(value.planned, value.actual, direction, kpi_id=kpi.code)
                allowed = scoring.allowed_range(pct, book.kpi)
                low, high = allowed.min_score, allowed.max_score
            except RuleViolation:
                pct, low, high = Decimal(0), Decimal(0), Decimal(0)
            lines.append(
                KpiLine(
                    number=number,
                    name=kpi.name,
                    unit=kpi.unit,
                    plan=value.planned,
                    actual=actual,
                    achievement_pct=scoring.truncate_pct(pct, book.kpi),
                    allowed_min=low,
                    allowed_max=high,
                    score=_decimal(stored[kpi.code]),
                    direction=direction,
                )
            )
        score = scoring.round_score(evaluation.score, book.results) if evaluation.score is not None else Decimal(0)
        return KpiSheet(
            kpis=tuple(lines),
            score=score,
            category=self._category(evaluation, book, score),
            in_absentia=evaluation.in_absentia,
            **common,
        )

    def kpi_count_sheet(
        self,
        evaluation: Evaluation,
        period: EvaluationPeriod,
        book: Rulebook,
        stored: Mapping[str, Any],
        common: dict[str, Any],
        people: Mapping[int, Person],
    ) -> KpiCountSheet:
        """M-4: the year's KPIs, each achieved or not; the result by the count (the sheet's own, before M-7)."""
        lines = []
        for number, kpi in enumerate(self.uow.plans.kpis(evaluation.person_id, period.year), start=1):
            value = kpi.values.get("year")
            lines.append(
                KpiCountLine(
                    number=number,
                    name=kpi.name,
                    unit=kpi.unit,
                    plan=value.planned if value is not None and value.planned is not None else "—",
                    actual=value.actual if value is not None and value.actual is not None else "—",
                    achieved=bool(stored.get(kpi.code)),
                )
            )
        approved = [review for review in self.uow.sheets.reviews(evaluation.id) if review.decision == "approve"]
        approver = approved[-1] if approved else None
        return KpiCountSheet(
            kpis=tuple(lines),
            category=sheet_category(book, Method.KPI_COUNT, stored) or self._category(evaluation, book, None),
            approver=self.person(approver.reviewer_id, Period.parse(period.label).end) if approver else None,
            approved_on=approver.decided_on if approver else None,
            **{**common, "signatures": tuple(s for s in common["signatures"] if s.role != SignerRole.SUPERIOR_HEAD)},
        )

    def competency_sheet(
        self, evaluation: Evaluation, book: Rulebook, stored: Mapping[str, Any], common: dict[str, Any], who: Person
    ) -> CompetencySheet:
        """M-6: every competency of 004 app. 3 with the indicators observed and not; public-service ones unrated."""
        rules = book.competencies
        assert rules is not None
        try:
            group = scoring.competency_group(rules, who.category or who.position)
        except RuleViolation:
            group = next(iter(rules.category_groups))
        lines = []
        for number, competency in enumerate(rules.competencies, start=1):
            name = competency.name.in_language(self.language)
            flags = stored.get(competency.id)
            indicators = [getattr(item, self.language.value) for item in competency.indicators.get(group, [])]
            if flags is None or len(flags) != len(indicators):
                lines.append(CompetencyLine(number, name, (), (), meets=True, rated=False))
                continue
            observed = tuple(text for text, flag in zip(indicators, flags, strict=True) if flag)
            missed = tuple(text for text, flag in zip(indicators, flags, strict=True) if not flag)
            meets = len(observed) * rules.threshold_denominator >= rules.threshold_numerator * len(indicators)
            lines.append(CompetencyLine(number, name, observed, missed, meets))
        return CompetencySheet(
            competencies=tuple(lines),
            category=sheet_category(book, Method.COMPETENCIES, stored) or self._category(evaluation, book, None),
            **common,
        )

    # --- reviews ---

    def calibration_protocol(self, evaluation_id: int) -> CalibrationProtocol:
        """C-5…C-7: the composition, each member's vote and argument, the majority and the final score."""
        case = self.uow.calibration.for_evaluation(evaluation_id)
        if case is None:
            raise DocumentNotFound(f"evaluation {evaluation_id} has no calibration case (C-2)")
        if case.final_score is None:
            raise DocumentNotFound(f"the calibration session of evaluation {evaluation_id} has not decided yet (C-6)")
        evaluation, period, book = self.evaluation(evaluation_id)
        end = Period.parse(period.label).end
        official = case.decided_by_id
        people = self.people([evaluation.person_id, evaluation.evaluator_id, official, *case.members], end)
        members = tuple(
            PanelMember(people[p].full_name, people[p].position, is_hr=p in case.hr_members) for p in case.members
        )
        votes = tuple(PanelVote(people[v.person_id].full_name, v.score, v.argument or "") for v in case.votes)
        disputed = scoring.round_score(
            evaluation.score if evaluation.score is not None else case.final_score, book.results
        )
        voted_on = {v.person_id: v.voted_on for v in case.votes}
        return CalibrationProtocol(
            requisites=self.requisites(period, book, None),
            evaluatee=people[evaluation.person_id],
            evaluator=people.get(evaluation.evaluator_id or -1, Person("")),
            appointing_official=people.get(official or -1, Person("")),
            method=evaluation.method,
            disputed_score=disputed,
            disputed_category=scoring.band(disputed, book.results),
            applied_on=case.applied_on,
            composed_on=case.decided_on,
            held_on=case.held_on or case.protocol_signed_on,
            members=members,
            votes=votes,
            final_score=scoring.round_score(case.final_score, book.results),
            final_category=case.final_category or scoring.band(case.final_score, book.results),
            employee_argument=case.application_text or "",
            post_by=case.protocol_post_by,
            signatures=tuple(
                Signature(SignerRole.MEMBER, people[p].full_name, voted_on.get(p), electronic=True)
                for p in case.members
            ),
            content_hash=case.protocol_hash
            or content_hash(
                {
                    "case": case.id,
                    "evaluation": evaluation_id,
                    "votes": [[v.person_id, v.score, v.voted_on, v.argument] for v in case.votes],
                    "final": case.final_score,
                }
            ),
        )

    def commission_protocol(self, principal: Principal, evaluation_id: int) -> CommissionProtocol:
        """M-7 (004 app. 5): the meeting that decided the evaluation, every line it decided, "corrected" column."""
        decision = annual_state.decision_of(self.uow.session, evaluation_id)
        if decision is None:
            self.require_result(principal, evaluation_id)
            raise DocumentNotFound(f"the Commission has not decided evaluation {evaluation_id} (M-7)")
        meeting = self.uow.commission.get(decision["meeting_id"])
        decisions = self.uow.commission.decisions(meeting.id)
        ids = [item.evaluation_id for item in decisions]
        parties = self.parties(ids)
        if evaluation_id not in parties:
            raise DocumentNotFound(f"there is no evaluation {evaluation_id}")
        if any(visibility(principal, parties[key]) < Visibility.RESULT for key in ids if key in parties):
            raise DocumentRefused(f"{principal.actor} may not see every result of the Commission's protocol (R-2)")
        evaluation, period, book = self.evaluation(evaluation_id)
        seats = rows.commission_seats(self.uow.session, meeting.body_id, meeting.meeting_date)
        votes = self.uow.commission.votes(meeting.id)
        day = meeting.meeting_date
        evaluations = {key: self.uow.evaluations.get(key) for key in ids}
        people = self.people(
            [*(s.person_id for s in seats), *(e.person_id for e in evaluations.values()), meeting.approved_by_id], day
        )
        present = set(meeting.present)
        members = tuple(
            CommissionMember(
                people[s.person_id].full_name,
                "chair" if s.is_chair else "secretary" if s.is_secretary else "member",
                s.person_id in present or s.is_secretary,
                people[s.person_id].position,
            )
            for s in seats
        )
        lines = []
        for number, item in enumerate(decisions, start=1):
            target = evaluations[item.evaluation_id]
            own = [v for v in votes if v.evaluation_id == item.evaluation_id]
            approve = sum(1 for v in own if v.decision == "approve")
            revise = len(own) - approve
            submission = self.uow.sheets.current(item.evaluation_id)
            stored = dict(submission.scores) if submission is not None else {}
            result = sheet_category(book, target.method, stored) or target.category or ResultCategory.DOES_NOT_MEET
            corrected = item.result_category if item.decision == "revise" else None
            lines.append(
                CommissionLine(
                    number=number,
                    employee=people[target.person_id],
                    method=target.method,
                    result=result,
                    votes_approve=approve,
                    votes_revise=revise,
                    corrected=corrected,
                    casting_vote=approve == revise and bool(own),
                    result_detail=_count_detail(target.method, stored),
                )
            )
        signed = meeting.protocol_signed_on or day
        chair = [s for s in seats if s.is_chair]
        secretary = [s for s in seats if s.is_secretary]
        signatures = (
            *(Signature(SignerRole.SECRETARY, people[s.person_id].full_name, signed) for s in secretary),
            *(Signature(SignerRole.CHAIR, people[s.person_id].full_name, signed) for s in chair),
            *(
                Signature(SignerRole.MEMBER, people[s.person_id].full_name, signed)
                for s in seats
                if not s.is_chair and not s.is_secretary and s.person_id in present
            ),
        )
        hashed = content_hash(
            {
                "meeting": meeting.id,
                "date": day,
                "decisions": [[d.evaluation_id, d.decision, d.result_category] for d in decisions],
                "votes": [[v.evaluation_id, v.person_id, v.decision, v.revised_category] for v in votes],
            }
        )
        requisites = self.requisites(period, book, "commission_protocol")
        year = Period(PeriodKind.YEAR, meeting.year, None).label
        return CommissionProtocol(
            requisites=Requisites(requisites.body_name, year, self.language, requisites.appendix),
            meeting_date=day,
            members=members,
            lines=tuple(lines),
            approved_by=self.person(meeting.approved_by_id, day),
            approved_on=meeting.approved_on,
            signatures=signatures,
            content_hash=hashed,
        )

    def refusal_act(self, evaluation_id: int) -> RefusalAct:
        """M-8: the act HR and two employees signed when the employee refused acquaintance."""
        act = rows.refusal_act(self.uow.session, evaluation_id)
        if act is None:
            raise DocumentNotFound(f"evaluation {evaluation_id} has no act of refusal (M-8)")
        evaluation, period, book = self.evaluation(evaluation_id)
        day = act["refused_on"]
        ids = [evaluation.person_id, act["drawn_up_by_id"], act["witness_1_id"], act["witness_2_id"]]
        people = self.people(ids, day)
        requisites = self.requisites(period, book, None)
        requisites = Requisites(requisites.body_name, requisites.period, self.language, None, str(act["id"]), day)
        score = scoring.round_score(evaluation.score, book.results) if evaluation.score is not None else None
        signers = ((SignerRole.HR, ids[1]), (SignerRole.WITNESS, ids[2]), (SignerRole.WITNESS, ids[3]))
        return RefusalAct(
            requisites=requisites,
            employee=people[evaluation.person_id],
            method=evaluation.method,
            result=evaluation.category or ResultCategory.DOES_NOT_MEET,
            refused_on=day,
            hr=people[ids[1]],
            witnesses=(people[ids[2]], people[ids[3]]),
            score=score,
            statement=act["content"] or "",
            signatures=tuple(Signature(role, people[p].full_name, day) for role, p in signers),
            content_hash=content_hash(
                {"act": act["id"], "evaluation": evaluation_id, "refused_on": day, "content": act["content"]}
            ),
        )

    def notice(self, evaluation_id: int) -> ResultNotice:
        """C-1 / M-8: the result, by when to acquaint, and how to disagree (C-2 calibration, M-9 appeal)."""
        evaluation, period, book = self.evaluation(evaluation_id)
        if evaluation.category is None or evaluation.completed_on is None:
            raise DocumentNotFound(f"evaluation {evaluation_id} has no result yet (C-1)")
        end = Period.parse(period.label).end
        ctx_official = self.uow.org.people_with_role(period.body_id, Role.APPOINTING_OFFICIAL, self.on)
        people = self.people([evaluation.person_id, evaluation.evaluator_id, *ctx_official[:1]], end)
        case = self.uow.calibration.for_evaluation(evaluation_id)
        spec = book.method(evaluation.method)
        score = scoring.round_score(evaluation.score, book.results) if evaluation.score is not None else None
        calibrated = case.final_score if case is not None and case.final_score is not None else None
        hr = self.uow.org.people_with_role(period.body_id, Role.HR, evaluation.completed_on)
        signatures: tuple[Signature, ...] = ()
        if hr:
            signer = self.person(hr[0], evaluation.completed_on)
            signatures = (Signature(SignerRole.HR, signer.full_name, evaluation.completed_on, electronic=True),)
        submission = self.uow.sheets.current(evaluation_id)
        return ResultNotice(
            requisites=self.requisites(period, book, None),
            employee=people[evaluation.person_id],
            method=evaluation.method,
            category=evaluation.category,
            evaluator=people[evaluation.evaluator_id].full_name if evaluation.evaluator_id else "",
            completed_on=evaluation.completed_on,
            score=score,
            acquaint_by=evaluation.acquaint_by,
            disagree_until=evaluation.disagreement_until,
            review=spec.review,
            appointing_official=people[ctx_official[0]].full_name if ctx_official else "",
            calibrated_score=scoring.round_score(calibrated, book.results) if calibrated is not None else None,
            calibrated_category=case.final_category if case is not None else None,
            signatures=signatures,
            content_hash=submission.content_hash if submission is not None else "",
        )

    # --- 360 ---

    def report_360(self, principal: Principal, survey_id: int) -> Report360:
        """T-6: the individual 360 report, averages per competency, self apart (T-5), no respondent named (T-8)."""
        try:
            survey = self.uow.surveys.get(survey_id)
        except LookupError:
            raise DocumentNotFound(f"there is no 360 survey {survey_id}") from None
        body = self.uow.org.body(survey.body_id)
        number, full_name = rows.names(self.uow.session, [survey.evaluatee_id])[survey.evaluatee_id]
        if visibility(principal, EvaluationParties(body=body.code, evaluatee=number)) < Visibility.RESULT:
            raise DocumentRefused(f"{principal.actor} may not see the 360 report of survey {survey_id} (R-2, T-8)")
        from application.context import BodyContext

        ctx = BodyContext(self.env, self.uow, survey.body_id, self.on)
        book = survey_book(ctx, survey)
        report = report_of(self.uow, survey, book, number)
        if not report.publishable:
            raise DocumentNotFound(f"the 360 survey {survey_id} has too few respondents to publish (T-4)")
        form = survey_form(book, survey)
        own = report.self_assessment or {}
        lines = tuple(
            CompetencyAverage(i, c.name.in_language(self.language), report.averages[c.id], own.get(c.id))
            for i, c in enumerate(form.competencies, start=1)
            if c.id in report.averages
        )
        kind: Literal["heads", "others"] = "heads" if survey.form == "heads" else "others"
        day = survey.closed_on or survey.closes_on or self.on
        place = rows.placements(self.uow.session, [survey.evaluatee_id], date(survey.year, 12, 31))
        placed = place.get(survey.evaluatee_id, rows.Placement())
        hr = self.uow.org.people_with_role(survey.body_id, Role.HR, day)
        signatures = (Signature(SignerRole.HR, self.person(hr[0], day).full_name, day),) if hr else ()
        period = Period(PeriodKind.YEAR, survey.year, None).label
        return Report360(
            requisites=Requisites(
                body.name, period, self.language, appendix_of(book.id, book.family, f"report_360_{kind}")
            ),
            evaluatee=_person(full_name, placed),
            form=kind,
            respondents=report.respondents,
            competencies=lines,
            signatures=signatures,
            content_hash=content_hash({"survey": survey.id, "averages": dict(report.averages), "self": dict(own)}),
        )


def _person(full_name: str, place: rows.Placement) -> Person:
    """A person as a document names them; a post named only by its category code says it once, as the position."""
    if place.title == place.category:
        return Person(full_name, place.title, "", place.unit)
    return Person(full_name, place.title, place.category, place.unit)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count_detail(method: Method, stored: Mapping[str, Any]) -> str:
    """What a Commission line's result rests on: ``4/5`` KPIs achieved (M-4), competencies met (M-6)."""
    if method == Method.KPI_COUNT and stored:
        return f"{sum(1 for v in stored.values() if v)}/{len(stored)}"
    return ""


def sheet_category(book: Rulebook, method: Method, stored: Mapping[str, Any]) -> ResultCategory | None:
    """The result the sheet itself gives (M-4 by the count, M-6 by the competencies met) — what the Commission
    approves or corrects; None when the sheet gives none this way."""
    if not stored:
        return None
    if method == Method.KPI_COUNT and book.count_grading is not None:
        achieved = sum(1 for value in stored.values() if value)
        return next((g.category for g in book.count_grading.grades if achieved >= g.min_achieved), None)
    if method == Method.COMPETENCIES and book.competencies is not None:
        rules = book.competencies
        for flags in stored.values():
            flags = list(flags)
            if len(flags) * rules.threshold_numerator > sum(1 for f in flags if f) * rules.threshold_denominator:
                return ResultCategory.DOES_NOT_MEET
        return ResultCategory.MEETS
    return None


# --- exports --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What an export covers: a body (its code) and the period labels (a quarter, or a year and its quarters)."""

    body_id: int
    body_code: str
    body_name: str
    labels: tuple[str, ...]


def scope(env: Environment, body: str | None, period: str) -> Scope:
    """The body (the only one when ``body`` is None) and the periods of ``period`` (``2025-Q1``, or ``2025``: the
    year's own period and its quarters). Unknown body or a period the body never opened → :class:`Rejected`."""
    from application.context import resolve_body

    label = Period.parse(period).label
    with env.unit_of_work(READER) as uow:
        body_id = resolve_body(uow, body)
        found = uow.org.body(body_id)
        if "-" in label:
            labels = [label] if rows.period_ids(uow.session, body_id, [label]) else []
        else:
            labels = rows.labels_of_year(uow.session, body_id, int(label))
        if not labels:
            raise Rejected.by_rule(
                "P-1",
                Phrase("the body {body} has no evaluation period {label}", body=found.code, label=label),
            )
        return Scope(body_id, found.code, found.name, tuple(labels))


def result_rows(
    env: Environment, principal: Principal, where: Scope, *, on: date | None = None
) -> tuple[list[ResultRow], int]:
    """One :class:`ResultRow` per evaluation of the scope that ``principal`` may see the result of (R-2), by id,
    and how many were left out. The fields are the simulation report's (SCENARIOS.md) plus ``id``."""
    day = env.clock.as_of(on)
    with env.unit_of_work(READER) as uow:
        session = uow.session
        period_ids = rows.period_ids(session, where.body_id, where.labels)
        found = [row for pid in period_ids for row in flowstate.evaluations(session, period_id=pid)]
        found.sort(key=lambda row: row["id"])
        ids = [row["id"] for row in found]
        allowed = _allowed(session, principal, ids, day)
        found = [row for row in found if row["id"] in allowed]
        people = flowstate.people(session, where.body_id)
        cases = rows.cases_of(session, [row["id"] for row in found])
        members = rows.members_of(session, [case["id"] for case in cases.values()])
        last_day = max(Period.parse(label).end for label in where.labels)
        placed = rows.placements(session, [row["person_id"] for row in found], last_day)
        built = []
        for row in found:
            person = people[row["person_id"]]
            evaluator = people.get(row["evaluator_id"]) if row["evaluator_id"] else None
            place = placed.get(row["person_id"], rows.Placement())
            case = cases.get(row["id"])
            built.append(
                ResultRow(
                    id=row["id"],
                    employee=person.number,
                    period=row["period_label"],
                    method=Method(row["method"]),
                    employee_name=person.name,
                    unit=place.unit,
                    category_code=place.category,
                    status=row["status"],
                    eligible=row["eligible"],
                    ineligible_reason=row["ineligible_reason"],
                    in_absentia=row["in_absentia"],
                    evaluator=evaluator.number if evaluator else None,
                    evaluator_name=evaluator.name if evaluator else "",
                    notice_sent_on=row["notice_sent_on"],
                    deadline=row["deadline"],
                    submitted_on=row["submitted_on"],
                    score=_two(row["score"]),
                    category=ResultCategory(row["category"]) if row["category"] else None,
                    acquainted_on=row["acquainted_on"],
                    calibration=_calibration(case, members, people) if case is not None else None,
                )
            )
        return built, len(ids) - len(built)


def _two(value: Decimal | None) -> Decimal | None:
    """Scores as the report shows them: two decimals, half up (S-1)."""
    if value is None:
        return None
    from decimal import ROUND_HALF_UP

    return _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _calibration(
    case: Mapping[str, Any], members: Mapping[int, list[int]], people: Mapping[int, flowstate.PersonInfo]
) -> CalibrationSummary:
    return CalibrationSummary(
        applied_on=case["applied_on"],
        decide_by=case["decide_by"],
        hold_by=case["hold_by"],
        members=tuple(people[p].number for p in members.get(case["id"], []) if p in people),
        score=_two(case["final_score"]),
        category=ResultCategory(case["final_category"]) if case["final_category"] else None,
        protocol_post_by=case["protocol_post_by"],
    )


def _allowed(
    session: Any, principal: Principal, ids: Sequence[int], day: date, level: Visibility = Visibility.RESULT
) -> set[int]:
    """The evaluations ``principal`` may see at ``level`` (R-2); a system step sees all without asking each."""
    if principal.system:
        return set(ids)
    found: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        parties = access.evaluation_parties(session, chunk, day)
        found.update(key for key, value in parties.items() if visibility(principal, value) >= level)
    return found


def cycle_status_rows(
    env: Environment, principal: Principal, where: Scope, *, on: date | None = None
) -> list[CycleStatusRow]:
    """The cycle status list: every evaluation ``principal`` may follow (R-2 progress), where it stands, who is late;
    no score or category in any column (HR staff see progress only)."""
    day = env.clock.as_of(on)
    with env.unit_of_work(READER) as uow:
        session = uow.session
        found = [
            row
            for pid in rows.period_ids(session, where.body_id, where.labels)
            for row in flowstate.evaluations(session, period_id=pid)
        ]
        allowed = _allowed(session, principal, [row["id"] for row in found], day, Visibility.PROGRESS)
        people = flowstate.people(session, where.body_id)
        placed = rows.placements(session, [row["person_id"] for row in found], day)
        waiting = set(flowstate.AWAITING_SHEET)
        result = []
        for row in sorted(found, key=lambda item: item["id"]):
            if row["id"] not in allowed:
                continue
            evaluator = people.get(row["evaluator_id"]) if row["evaluator_id"] else None
            overdue = (row["status"] in waiting and row["deadline"] is not None and row["deadline"] < day) or (
                row["status"] == EvaluationStatus.COMPLETED.value
                and row["acquaint_by"] is not None
                and row["acquaint_by"] < day
            )
            result.append(
                CycleStatusRow(
                    id=row["id"],
                    employee=people[row["person_id"]].number,
                    employee_name=people[row["person_id"]].name,
                    unit=placed.get(row["person_id"], rows.Placement()).unit,
                    period=row["period_label"],
                    method=Method(row["method"]),
                    status=row["status"],
                    evaluator=evaluator.number if evaluator else None,
                    evaluator_name=evaluator.name if evaluator else "",
                    deadline=row["deadline"],
                    notice_sent_on=row["notice_sent_on"],
                    submitted_on=row["submitted_on"],
                    acquaint_by=row["acquaint_by"],
                    acquainted_on=row["acquainted_on"],
                    overdue=overdue,
                )
            )
        return result


def survey_summary_rows(
    env: Environment, principal: Principal, body: str | None, year: int, language: Language | str
) -> list[SurveySummaryRow]:
    """T-6/T-8: per evaluatee and competency, the average, the self-assessment apart and how many answered — never
    who. Only the surveys whose report ``principal`` may see (R-2); unpublishable ones (T-4) are left out."""
    from application.context import BodyContext, resolve_body

    lang = Language(language)
    with env.unit_of_work(READER) as uow:
        body_id = resolve_body(uow, body)
        code = uow.org.body(body_id).code
        ctx = BodyContext(env, uow, body_id, env.clock.today())
        people = flowstate.people(uow.session, body_id)
        placed = rows.placements(uow.session, people.keys(), date(year, 12, 31))
        found = []
        for survey in annual_state.surveys(uow.session, body_id, year):
            number = people[survey.evaluatee_id].number
            if visibility(principal, EvaluationParties(body=code, evaluatee=number)) < Visibility.RESULT:
                continue
            book = survey_book(ctx, survey)
            report = report_of(uow, survey, book, number)
            if not report.publishable:
                continue
            own = report.self_assessment or {}
            for competency in survey_form(book, survey).competencies:
                if competency.id not in report.averages:
                    continue
                found.append(
                    SurveySummaryRow(
                        employee=number,
                        employee_name=people[survey.evaluatee_id].name,
                        unit=placed.get(survey.evaluatee_id, rows.Placement()).unit,
                        year=survey.year,
                        competency=competency.id,
                        competency_name=competency.name.in_language(lang),
                        respondents=report.respondents,
                        average=report.averages[competency.id],
                        self_score=own.get(competency.id),
                    )
                )
        return found


AUDIT_ROLES = frozenset({Role.HR_HEAD, Role.ADMIN})
"""Who may take an audit extract (R-4): the HR head and an administrator; a system step (the operator) too."""


def audit_extract(
    env: Environment,
    principal: Principal,
    *,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Iterator[AuditRow]:
    """R-4: the audit log from ``since`` to ``until`` (inclusive days, UTC), optionally of one entity."""
    if not principal.system and not principal.roles & AUDIT_ROLES:
        raise DocumentRefused(f"{principal.actor} may not take an extract of the audit log (R-2, R-4)")
    start = datetime.combine(since, time(), tzinfo=UTC) if since else None
    end = datetime.combine(until, time(), tzinfo=UTC) if until else None
    if end is not None:
        from datetime import timedelta

        end += timedelta(days=1)
    with env.unit_of_work(READER) as uow:
        found = rows.audit_rows(uow.session, entity=entity, since=start, until=end)
    for row in found:
        yield AuditRow(
            id=row["id"],
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            before=_json(row["before"]),
            after=_json(row["after"]),
            reason=row["reason"] or "",
        )


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
