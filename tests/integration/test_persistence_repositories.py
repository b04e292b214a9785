"""The repositories and the unit of work, written once as ``RepositoryContract`` and run on PostgreSQL here (as the
application role) and on SQLite in ``test_sqlite_repositories.py``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.vocabulary import (
    AbsenceKind,
    CalibrationStatus,
    EvaluationStatus,
    Language,
    Method,
    OutboxStatus,
    PeriodKind,
    ResultCategory,
    Role,
    SanctionKind,
)
from persistence import bulk
from persistence.records import NewEvaluation, NewMessage
from persistence.repositories import AlreadyAnswered, NotAMember
from persistence.uow import UnitOfWork
from tests.integration.conftest import SmallOrg

NOW = datetime(2025, 4, 1, 4, 0, tzinfo=UTC)


def race(engine: Engine, first: Callable[[UnitOfWork], Any], second: Callable[[UnitOfWork], Any]) -> tuple[Any, Any]:
    """Run ``first`` in a transaction and, while it is still uncommitted, ``second`` in another; commit both.

    Returns both results; an exception in either thread is re-raised here, so "no exception leaks" is checked.
    """
    first_ran = threading.Event()
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str, work: Callable[[UnitOfWork], Any]) -> None:
        try:
            if name == "second":
                assert first_ran.wait(10)
            with UnitOfWork(engine, actor=f"test:{name}") as uow:
                results[name] = work(uow)
                if name == "first":
                    first_ran.set()
                    threading.Event().wait(0.3)  # hold the transaction open while the second one tries
                uow.commit()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            first_ran.set()
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]
    return results["first"], results["second"]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def message(org: SmallOrg, key: str, **fields: Any) -> NewMessage:
    values: dict[str, Any] = {"kind": "evaluation_notice", "due_at": NOW, "recipient_person_id": org.e2, **fields}
    return NewMessage(idempotency_key=key, body_id=org.body, language=Language.RU, **values)


class RepositoryContract:
    """Behaviour every database must show; subclasses provide the ``engine`` fixture."""

    # --- organization ------------------------------------------------------------------------------------------

    def test_a_person_who_moves_unit_mid_quarter_is_in_each_unit_on_its_days(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="hr:h1") as uow:
            [old] = uow.org.appointments(small_org.e2)
            uow.org.end_appointment(old.id, ended_on=date(2025, 2, 14), reason="transfer order 12")
            uow.org.appoint(person_id=small_org.e2, unit_id=small_org.u2, category="C-3", started_on=date(2025, 2, 15))
            uow.commit()

        with UnitOfWork(engine, actor="test") as uow:
            assert uow.org.unit_of(small_org.e2, date(2025, 2, 14)).code == "U1"
            assert uow.org.unit_of(small_org.e2, date(2025, 2, 15)).code == "U2"
            assert uow.org.unit_of(small_org.e2, date(2019, 12, 31)) is None
            assert [(a.unit_code, a.category, a.ended_on) for a in uow.org.appointments(small_org.e2)] == [
                ("U1", "C-4", date(2025, 2, 14)),
                ("U2", "C-3", None),
            ]
            [entry] = uow.audit_log.trail("appointment", old.id)
            assert (entry.actor, entry.before, entry.after, entry.reason) == (
                "hr:h1",
                {"ended_on": None},
                {"ended_on": "2025-02-14"},
                "transfer order 12",
            )
            organization = uow.org.organization(small_org.body, date(2025, 3, 31))

        employee = organization.employee("E2")
        assert (employee.unit, employee.category, employee.appointed) == ("U2", "C-3", date(2025, 2, 15))
        assert organization.unit_of("E2", date(2025, 2, 1)) == "U1"
        assert organization.unit_of("E2", date(2025, 3, 1)) == "U2"

    def test_the_organization_reads_back_as_domain_facts(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="hr:h1") as uow:
            uow.org.add_absence(
                person_id=small_org.e1, kind=AbsenceKind.SICK, started_on=date(2025, 4, 1), ended_on=date(2025, 4, 14)
            )
            uow.org.add_substitution(
                replaced_id=small_org.e1,
                substitute_id=small_org.e3,
                started_on=date(2025, 4, 1),
                ended_on=date(2025, 4, 14),
            )
            uow.org.add_sanction(person_id=small_org.e2, kind=SanctionKind.REPRIMAND, imposed_on=date(2025, 2, 10))
            uow.org.add_probation(person_id=small_org.e3, ends_on=date(2025, 1, 31))
            uow.org.dismiss(person_id=small_org.e3, dismissed_on=date(2025, 4, 21))
            uow.org.add_commission_member(body_id=small_org.body, person_id=small_org.e0, is_chair=True)
            uow.org.add_commission_member(body_id=small_org.body, person_id=small_org.e1)
            uow.org.add_commission_member(body_id=small_org.body, person_id=small_org.h1, is_secretary=True)
            uow.commit()

        with UnitOfWork(engine, actor="test") as uow:
            organization = uow.org.organization(small_org.body, date(2025, 4, 2))
            assert uow.org.head_of(small_org.e2, date(2025, 4, 2)) == small_org.e1
            assert uow.org.substitutes_for(small_org.e1, date(2025, 4, 2)) == [small_org.e3]
            assert uow.org.people_with_role(small_org.body, Role.HR, date(2025, 4, 2)) == [small_org.h1]
            assert uow.org.person_ids(small_org.body)["E2"] == small_org.e2

        assert organization.name == "Demo agency"
        assert organization.appointing_official == "E0"
        assert list(organization.hr) == ["H1"]
        assert organization.head_of("E2", date(2025, 4, 2)) == "E1"
        assert organization.acting_for("E1", date(2025, 4, 2)) == ["E3"]
        assert organization.employee("E1").absence_on(date(2025, 4, 2)).kind == AbsenceKind.SICK
        assert [s.kind for s in organization.employee("E2").sanctions] == [SanctionKind.REPRIMAND]
        assert organization.employee("E3").dismissed == date(2025, 4, 21)
        assert organization.employee("E3").probation_until == date(2025, 1, 31)
        assert organization.commission is not None
        assert (organization.commission.chair, organization.commission.secretary) == ("E0", "H1")
        assert list(organization.commission.members) == ["E0", "E1"]
        assert organization.unit("U1").name == "Department of planning"

    def test_adding_the_same_contact_twice_keeps_one_channel(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="hr") as uow:
            first = uow.org.add_contact(person_id=small_org.e2, kind="email", address="e2@example.kz")
            again = uow.org.add_contact(person_id=small_org.e2, kind="email", address="e2@example.kz")
            uow.org.add_contact(person_id=small_org.e2, kind="sms", address="+77010000002", priority=10)
            uow.commit()
            assert first == again
            assert [c.kind for c in uow.org.contacts(small_org.e2)] == ["sms", "email"]

    # --- evaluations -------------------------------------------------------------------------------------------

    def test_ensuring_an_evaluation_twice_keeps_one_row(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            first, created = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            again, created_again = uow.evaluations.ensure(small_org.evaluation(small_org.e2, deadline=date(2030, 1, 1)))
            uow.commit()
        assert (created, created_again) == (True, False)
        assert again == first
        assert first.status == EvaluationStatus.OPEN and first.deadline == date(2025, 4, 10)
        assert count(engine, "evaluation") == 1

    def test_two_transactions_ensuring_the_same_evaluation_make_one_row_and_raise_nothing(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        new = small_org.evaluation(small_org.e2)
        first, second = race(engine, lambda uow: uow.evaluations.ensure(new), lambda uow: uow.evaluations.ensure(new))
        assert (first[1], second[1]) == (True, False)
        assert first[0].id == second[0].id
        assert count(engine, "evaluation") == 1

    def test_an_ineligible_evaluation_is_stored_with_its_reason(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            evaluation, _ = uow.evaluations.ensure(
                small_org.evaluation(small_org.e3, eligible=False, ineligible_reason="tenure_under_one_month")
            )
            uow.commit()
        assert evaluation.status == EvaluationStatus.INELIGIBLE
        assert evaluation.ineligible_reason == "tenure_under_one_month"

    def test_changes_of_score_category_and_deadline_are_audited_with_before_and_after(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            updated = uow.evaluations.update(
                evaluation.id,
                status=EvaluationStatus.COMPLETED,
                score=Decimal("4.25"),
                category=ResultCategory.EFFECTIVE,
                deadline=date(2025, 4, 10),  # unchanged: not audited
                reason="D-3: sheet final",
            )
            uow.commit()
        assert (updated.status, updated.score, updated.category) == (
            EvaluationStatus.COMPLETED,
            Decimal("4.2500"),
            ResultCategory.EFFECTIVE,
        )
        with UnitOfWork(engine, actor="test") as uow:
            [entry] = uow.audit_log.trail("evaluation", evaluation.id)
        assert entry.actor == "flow:daily_sweep" and entry.action == "update" and entry.reason == "D-3: sheet final"
        assert entry.before == {"status": "open", "score": None, "category": None}
        assert entry.after == {"status": "completed", "score": "4.25", "category": "effective"}

    def test_a_change_rolled_back_leaves_neither_the_change_nor_its_audit_row(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            uow.commit()
        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            uow.evaluations.update(evaluation.id, deadline=date(2025, 4, 14), reason="P-6 roll forward")
            # leaving without commit
        with pytest.raises(RuntimeError, match="boom"), UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            uow.evaluations.update(evaluation.id, deadline=date(2025, 4, 15))
            raise RuntimeError("boom")
        with UnitOfWork(engine, actor="test") as uow:
            assert uow.evaluations.get(evaluation.id).deadline == date(2025, 4, 10)
            assert uow.audit_log.trail("evaluation", evaluation.id) == []

    def test_update_refuses_columns_it_does_not_own(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="test") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            with pytest.raises(ValueError, match="person_id"):
                uow.evaluations.update(evaluation.id, person_id=small_org.e3)

    def test_acknowledging_twice_records_one_proof(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="person:e2") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            assert uow.evaluations.acknowledge(evaluation.id, person_id=small_org.e2, at=NOW, via="system")
            assert not uow.evaluations.acknowledge(evaluation.id, person_id=small_org.e2, at=NOW, via="email")
            uow.commit()
            [proof] = uow.evaluations.acknowledgements(evaluation.id)
        assert (proof.via, proof.acknowledged_at) == ("system", NOW)

    # --- sheets ------------------------------------------------------------------------------------------------

    def test_every_sheet_version_is_kept_and_only_the_latest_is_current(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="person:e1") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            first = uow.sheets.submit(
                evaluation.id, scores={"quality": 4, "deadlines": 5}, submitted_by_id=small_org.e1
            )
            second = uow.sheets.submit(
                evaluation.id,
                scores={"quality": Decimal("4.5"), "deadlines": 5},
                justification="corrected after review",
                submitted_by_id=small_org.e1,
                signed_by_id=small_org.e1,
                signed_at=NOW,
            )
            uow.commit()
        with UnitOfWork(engine, actor="test") as uow:
            versions = uow.sheets.versions(evaluation.id)
            current = uow.sheets.current(evaluation.id)
        assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
        assert versions[0].content_hash == first.content_hash and versions[1] == current
        assert current.scores == {"quality": Decimal("4.5"), "deadlines": Decimal("5")}
        assert current.signed_at == NOW
        assert first.content_hash != second.content_hash

    def test_the_sheet_hash_depends_on_the_content_only(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="person:e1") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            typed_as_ints = uow.sheets.submit(evaluation.id, scores={"a": 4, "b": 5}, submitted_by_id=small_org.e1)
            typed_as_decimals = uow.sheets.submit(
                evaluation.id, scores={"b": Decimal("5.00"), "a": 4.0}, submitted_by_id=small_org.e3
            )
            uow.commit()
            stored = uow.sheets.versions(evaluation.id)
        assert typed_as_ints.content_hash == typed_as_decimals.content_hash
        assert len(typed_as_ints.content_hash) == 64
        assert all(uow.sheets.verify(version) for version in stored)

    def test_a_paper_sheet_records_who_entered_it_and_where_the_scan_is(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="person:h1") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            sheet = uow.sheets.submit(
                evaluation.id,
                scores={"quality": 3},
                submitted_by_id=small_org.e1,
                on_paper=True,
                entered_by_id=small_org.h1,
                scan_ref="scans/2025-Q1/e2.pdf",
            )
            with pytest.raises(sa.exc.IntegrityError):  # G-1: a paper sheet without its clerk is refused
                uow.sheets.submit(evaluation.id, scores={"quality": 3}, submitted_by_id=small_org.e1, on_paper=True)
        assert (sheet.on_paper, sheet.entered_by_id, sheet.scan_ref) == (True, small_org.h1, "scans/2025-Q1/e2.pdf")

    def test_the_superior_head_returns_a_sheet_with_a_reason(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="person:e0") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2, method=Method.KPI_COUNT))
            sheet = uow.sheets.submit(evaluation.id, scores={"k1": True}, submitted_by_id=small_org.e1)
            uow.sheets.review(
                evaluation.id,
                submission_id=sheet.id,
                reviewer_id=small_org.e0,
                decision="return",
                decided_on=date(2026, 1, 20),
                reason="evidence for k1 missing",
            )
            uow.commit()
            [review] = uow.sheets.reviews(evaluation.id)
        assert (review.decision, review.reason) == ("return", "evidence for k1 missing")

    # --- set-based writes --------------------------------------------------------------------------------------

    def test_bulk_insert_of_evaluations_skips_those_that_exist(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            people = [
                uow.org.add_person(body_id=small_org.body, personnel_number=f"P{n}", full_name=f"Person {n}").id
                for n in range(300)
            ]
            rows = [small_org.evaluation(person) for person in people]
            assert bulk.insert_evaluations(uow.connection, rows[:100]) == 100
            assert bulk.insert_evaluations(uow.connection, rows) == 200
            assert bulk.insert_evaluations(uow.connection, rows) == 0
            assert bulk.insert_evaluations(uow.connection, []) == 0
            uow.commit()
            assert len(uow.evaluations.in_period(small_org.q1, statuses=[EvaluationStatus.OPEN])) == 300

    def test_bulk_queue_of_messages_skips_known_keys(self, engine: Engine, small_org: SmallOrg) -> None:
        messages = [
            message(small_org, f"notice:{n}", payload={"n": n, "deadline": date(2025, 4, 10)}) for n in range(50)
        ]
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            assert bulk.insert_outbox(uow.connection, messages) == 50
            assert bulk.insert_outbox(uow.connection, [*messages, message(small_org, "notice:new")]) == 1
            uow.commit()
            assert uow.outbox.by_key("notice:7").payload == {"n": 7, "deadline": "2025-04-10"}

    def test_a_bulk_queue_past_the_copy_threshold_keeps_every_value_and_skips_known_keys(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        """Issue 13: on PostgreSQL ``bulk.COPY_FROM`` rows or more go through COPY; text that COPY must escape (tab,
        newline, backslash, Kazakh), Decimals, dates and instants come back as they went in, on both databases."""
        tricky = "Сәлем\tтаб\nжол \\N \\ «end»"
        count = bulk.COPY_FROM + 500
        messages = [
            message(
                small_org,
                f"notice:{n}",
                payload={"n": n, "score": Decimal("4.37"), "deadline": date(2025, 4, 10), "text": tricky},
                due_at=NOW + timedelta(minutes=n),
                channel=None if n % 2 == 0 else "email",
            )
            for n in range(count)
        ]
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            assert bulk.insert_outbox(uow.connection, messages[: count - 1]) == count - 1
            assert bulk.insert_outbox(uow.connection, messages) == 1
            uow.commit()
        with UnitOfWork(engine, actor="test") as uow:
            found = uow.outbox.by_key(f"notice:{count - 2}")
            assert found.payload == {"n": count - 2, "score": 4.37, "deadline": "2025-04-10", "text": tricky}
            assert found.due_at == NOW + timedelta(minutes=count - 2) and found.channel is None
            assert (found.status, found.attempts, found.next_attempt_at) == ("pending", 0, found.due_at)
            assert uow.outbox.by_key("notice:1").channel == "email"

    # --- outbox ------------------------------------------------------------------------------------------------

    def test_queuing_a_message_twice_keeps_one(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            assert uow.outbox.enqueue(message(small_org, "notice:1"))
            assert not uow.outbox.enqueue(message(small_org, "notice:1", kind="other"))
            uow.commit()
        assert count(engine, "outbox_message") == 1

    def test_two_transactions_queuing_the_same_key_make_one_message_and_raise_nothing(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        new = message(small_org, "reminder:1:2025-04-08")
        first, second = race(engine, lambda uow: uow.outbox.enqueue(new), lambda uow: uow.outbox.enqueue(new))
        assert (first, second) == (True, False)
        assert count(engine, "outbox_message") == 1

    def test_a_message_is_claimed_when_due_then_retried_then_delivered(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            uow.outbox.enqueue(message(small_org, "notice:1"))
            uow.outbox.enqueue(message(small_org, "notice:later", due_at=NOW + timedelta(days=3)))
            uow.outbox.enqueue(message(small_org, "escalation:1:3", recipient_person_id=None, recipient_role="hr"))
            uow.commit()
        with UnitOfWork(engine, actor="flow:deliver_outbox") as uow:
            due = uow.outbox.claim_due(NOW)
            assert [m.idempotency_key for m in due] == ["notice:1", "escalation:1:3"]
            uow.outbox.record_attempt(due[0].id, channel="email", address="e2@example.kz", ok=False, response="421")
            uow.outbox.mark_failed(due[0].id, error="421 try later", retry_at=NOW + timedelta(minutes=10))
            uow.outbox.mark_failed(due[1].id, error="no HR address", retry_at=None)
            uow.commit()
        with UnitOfWork(engine, actor="flow:deliver_outbox") as uow:
            assert uow.outbox.claim_due(NOW + timedelta(minutes=5)) == []
            [retry] = uow.outbox.claim_due(NOW + timedelta(minutes=10))
            assert (retry.status, retry.attempts, retry.last_error) == (OutboxStatus.RETRYING, 1, "421 try later")
            uow.outbox.record_attempt(retry.id, channel="email", address="e2@example.kz", ok=True, response="250 OK")
            uow.outbox.mark_delivered(retry.id, at=NOW, address="e2@example.kz", proof={"smtp": "250 OK"})
            uow.commit()
        with UnitOfWork(engine, actor="test") as uow:
            delivered = uow.outbox.by_key("notice:1")
            assert (delivered.status, delivered.attempts, delivered.proof) == (
                OutboxStatus.DELIVERED,
                2,
                {"smtp": "250 OK"},
            )
            assert [a.ok for a in uow.outbox.attempts(delivered.id)] == [False, True]
            assert uow.outbox.by_key("escalation:1:3").status == OutboxStatus.DEAD

    # --- escalations -------------------------------------------------------------------------------------------

    def test_each_escalation_level_is_recorded_once(self, engine: Engine, small_org: SmallOrg) -> None:
        def escalate(uow: UnitOfWork, level: int, **to: Any) -> bool:
            evaluation = uow.evaluations.find(small_org.e2, small_org.q1, Method.DIFFERENTIATION)
            return uow.escalations.escalate(
                evaluation.id,
                kind="overdue_sheet",
                level=level,
                about_person_id=small_org.e1,
                escalated_on=date(2025, 4, 11),
                **to,
            )

        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            uow.commit()
        first, second = race(
            engine, lambda uow: escalate(uow, 1, to_person_id=small_org.e0), lambda uow: escalate(uow, 1, to_role="hr")
        )
        assert (first, second) == (True, False)
        with UnitOfWork(engine, actor="flow:daily_sweep") as uow:
            assert escalate(uow, 2, to_role="hr")
            uow.commit()
            evaluation = uow.evaluations.find(small_org.e2, small_org.q1, Method.DIFFERENTIATION)
            assert [(e.level, e.to_person_id, e.to_role) for e in uow.escalations.of_evaluation(evaluation.id)] == [
                (1, small_org.e0, None),
                (2, None, "hr"),
            ]

    # --- calibration and the Commission ------------------------------------------------------------------------

    def test_a_calibration_case_is_opened_once_composed_with_audit_and_voted_by_members_only(
        self, engine: Engine, small_org: SmallOrg
    ) -> None:
        with UnitOfWork(engine, actor="person:e2") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2))
            case, created = uow.calibration.open_case(
                evaluation.id, applied_on=date(2025, 4, 15), application_text="I disagree", decide_by=date(2025, 4, 18)
            )
            again, created_again = uow.calibration.open_case(evaluation.id, applied_on=date(2025, 4, 16))
            uow.commit()
        assert (created, created_again) == (True, False) and again.id == case.id

        with UnitOfWork(engine, actor="person:e0") as uow:
            uow.calibration.compose(
                case.id,
                members=[small_org.e0, small_org.e3, small_org.h1],
                hr_members=[small_org.h1],
                decided_on=date(2025, 4, 17),
                decided_by_id=small_org.e0,
            )
            assert uow.calibration.vote(case.id, person_id=small_org.e3, score=Decimal("4"), voted_on=date(2025, 4, 24))
            assert not uow.calibration.vote(
                case.id, person_id=small_org.e3, score=Decimal("3"), voted_on=date(2025, 4, 24)
            )
            with pytest.raises(NotAMember, match="C-5"):
                uow.calibration.vote(case.id, person_id=small_org.e1, score=Decimal("5"), voted_on=date(2025, 4, 24))
            with pytest.raises(ValueError, match="votes were cast"):
                uow.calibration.compose(
                    case.id, members=[small_org.e0], decided_on=date(2025, 4, 24), decided_by_id=small_org.e0
                )
            uow.calibration.update(case.id, final_score=Decimal("4.0"), final_category=ResultCategory.EFFECTIVE)
            uow.commit()
            case = uow.calibration.get(case.id)
            trail = uow.audit_log.trail("calibration_case", case.id)

        assert case.status == CalibrationStatus.COMPOSED
        assert case.members == (small_org.e0, small_org.e3, small_org.h1) and case.hr_members == (small_org.h1,)
        assert [(v.person_id, v.score) for v in case.votes] == [(small_org.e3, Decimal("4.0000"))]
        assert (case.final_score, case.final_category) == (Decimal("4.0000"), ResultCategory.EFFECTIVE)
        compose = next(entry for entry in trail if entry.action == "compose")
        assert compose.before == {"members": []} and compose.after["members"] == [
            small_org.e0,
            small_org.e3,
            small_org.h1,
        ]
        assert [entry.action for entry in trail] == ["apply", "compose", "update", "vote", "update"]

    def test_only_members_present_vote_in_the_commission(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="person:h1") as uow:
            evaluation, _ = uow.evaluations.ensure(small_org.evaluation(small_org.e2, method=Method.KPI_COUNT))
            meeting, created = uow.commission.schedule(
                body_id=small_org.body,
                year=2025,
                meeting_date=date(2026, 1, 28),
                scheduled_by_id=small_org.h1,
                scheduled_on=date(2026, 1, 14),
            )
            assert (
                created
                and not uow.commission.schedule(
                    body_id=small_org.body,
                    year=2025,
                    meeting_date=date(2026, 1, 28),
                    scheduled_by_id=None,
                    scheduled_on=NOW.date(),
                )[1]
            )
            assert uow.commission.record_presence(meeting.id, [small_org.e0, small_org.e1]) == 2
            vote = {"evaluation_id": evaluation.id, "voted_on": date(2026, 1, 28)}
            assert uow.commission.vote(meeting.id, person_id=small_org.e0, decision="approve", **vote)
            assert uow.commission.vote(
                meeting.id, person_id=small_org.e1, decision="revise", revised_category=ResultCategory.EFFECTIVE, **vote
            )
            assert not uow.commission.vote(meeting.id, person_id=small_org.e1, decision="approve", **vote)
            with pytest.raises(NotAMember, match="M-7"):
                uow.commission.vote(meeting.id, person_id=small_org.e3, decision="approve", **vote)
            assert uow.commission.decide(
                meeting.id, evaluation_id=evaluation.id, decision="approve", decided_on=date(2026, 1, 28)
            )
            uow.commission.update_meeting(meeting.id, approved_by_id=small_org.e0, approved_on=date(2026, 1, 29))
            uow.commit()
            assert [v.decision for v in uow.commission.votes(meeting.id)] == ["approve", "revise"]
            assert uow.commission.get(meeting.id).present == (small_org.e0, small_org.e1)
            assert uow.commission.get(meeting.id).approved_on == date(2026, 1, 29)
            assert [d.decision for d in uow.commission.decisions(meeting.id)] == ["approve"]

    # --- 360 ---------------------------------------------------------------------------------------------------

    def test_360_averages_exclude_the_self_assessment(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:survey_360") as uow:
            survey, _ = uow.surveys.open(
                body_id=small_org.body, year=2025, evaluatee_id=small_org.e2, opened_on=date(2026, 1, 5)
            )
            for person, relation in [
                (small_org.e1, "head"),
                (small_org.e3, "peer"),
                (small_org.h1, "peer"),
                (small_org.e2, "self"),
            ]:
                uow.surveys.invite(survey.id, respondent_id=person, relation=relation, invited_at=NOW)
            uow.commit()
        answers = {
            small_org.e1: {"communications": [4, 5, 4], "ethics": [5]},
            small_org.e3: {"communications": [3, 4, 4], "ethics": [4]},
            small_org.h1: {"communications": [5, 5, 5], "ethics": [4]},
            small_org.e2: {"communications": [5, 5, 5], "ethics": [5]},
        }
        for person, points in answers.items():
            with UnitOfWork(engine, actor=f"person:{person}") as uow:
                uow.surveys.answer(survey.id, respondent_id=person, answers=points)
                uow.commit()
        with UnitOfWork(engine, actor="person:e1") as uow:
            with pytest.raises(AlreadyAnswered):
                uow.surveys.answer(survey.id, respondent_id=small_org.e1, answers={"ethics": [1]})
            assert uow.surveys.averages(survey.id) == []  # T-8: no averages while the survey is open
            assert all(r.answered for r in uow.surveys.respondents(survey.id))
            uow.surveys.close(survey.id, closed_on=NOW.date())
            averages = {a.competency_id: a for a in uow.surveys.averages(survey.id)}
        assert averages["communications"].respondents == 3
        assert averages["communications"].average == Decimal("4.3333")
        assert averages["communications"].self_average == Decimal("5.0000")
        assert (averages["ethics"].average, averages["ethics"].self_average) == (Decimal("4.3333"), Decimal("5.0000"))

    # --- plans, rulebooks, calendar ----------------------------------------------------------------------------

    def test_kpi_values_change_with_their_history_kept(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="person:h1") as uow:
            plan = uow.plans.ensure_plan(person_id=small_org.e1, year=2025)
            assert uow.plans.ensure_plan(person_id=small_org.e1, year=2025) == plan
            kpi = uow.plans.add_kpi(
                plan,
                code="k1",
                name="Share of services online",
                unit="%",
                planned={"Q1": Decimal(80), "Q2": Decimal(85)},
            )
            uow.plans.add_kpi(plan, code="k2", name="Complaints", unit="count", direction="lower")
            uow.plans.set_value(kpi, period="Q1", actual=Decimal("76"), reason="P-5: HR computed actuals")
            uow.plans.set_value(kpi, period="Q1", actual=Decimal("76"))  # unchanged: no revision
            uow.plans.change_kpi(kpi, name="Share of public services online", reason="K-3: functions changed")
            uow.commit()
            kpis = uow.plans.kpis(small_org.e1, 2025)
            revisions = uow.plans.revisions(kpi)
        assert [k.code for k in kpis] == ["k1", "k2"] and kpis[1].direction == "lower"
        assert kpis[0].values["Q1"].planned == Decimal("80") and kpis[0].values["Q1"].actual == Decimal("76")
        assert kpis[0].name == "Share of public services online"
        assert revisions == [
            (
                "person:h1",
                {"period": "Q1", "actual": None},
                {"period": "Q1", "actual": "76"},
                "P-5: HR computed actuals",
            ),
            (
                "person:h1",
                {"name": "Share of services online"},
                {"name": "Share of public services online"},
                "K-3: functions changed",
            ),
        ]

    def test_the_rulebook_in_force_and_calendar_overrides(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="operator") as uow:
            uow.rules.assign_rulebook(
                body_id=small_org.body,
                rulebook_id="kz-model-2018",
                valid_from=date(2018, 1, 1),
                valid_until=date(2025, 12, 31),
            )
            uow.rules.assign_rulebook(
                body_id=small_org.body, rulebook_id="kz-quarterly-2026", valid_from=date(2026, 1, 1)
            )
            uow.rules.set_calendar_day(date(2025, 4, 2), kind="day_off", legal_basis="decree 1")
            uow.rules.set_calendar_day(date(2025, 4, 2), kind="working_day", legal_basis="decree 2")
            uow.rules.set_calendar_day(date(2025, 4, 5), kind="working_day")
            uow.commit()
            assert uow.rules.rulebooks_on(small_org.body, date(2025, 6, 1)) == ["kz-model-2018"]
            assert uow.rules.rulebooks_on(small_org.body, date(2026, 6, 1)) == ["kz-quarterly-2026"]
            assert uow.rules.calendar_overrides() == {date(2025, 4, 2): "working_day", date(2025, 4, 5): "working_day"}
            [set_, changed] = uow.audit_log.trail("calendar_override", "2025-04-02")
        assert changed.before == {"kind": "day_off", "legal_basis": "decree 1"} and changed.reason == "decree 2"
        assert set_.after == {"kind": "day_off"}

    def test_periods_open_once_with_their_label(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="flow:open_period") as uow:
            again = uow.periods.open(body_id=small_org.body, kind=PeriodKind.QUARTER, year=2025, quarter=1)
            year = uow.periods.open(body_id=small_org.body, kind=PeriodKind.YEAR, year=2025)
            uow.periods.close(small_org.q1)
            uow.commit()
            assert [p.label for p in uow.periods.of_body(small_org.body)] == ["2025-Q1", "2025"]
            assert [p.label for p in uow.periods.of_body(small_org.body, status="open")] == ["2025"]
        assert again.id == small_org.q1 and year.label == "2025" and year.quarter is None

    def test_users_and_retention_records(self, engine: Engine, small_org: SmallOrg) -> None:
        with UnitOfWork(engine, actor="operator") as uow:
            user = uow.users.add(login="h1", roles={Role.HR}, person_id=small_org.h1)
            uow.retention.record(entity="evaluation", cutoff_on=date(2022, 1, 1), rows=0)
            uow.commit()
            assert uow.users.by_login("h1") == user and uow.users.by_login("nobody") is None
        assert count(engine, "retention_record") == 1

    def test_a_unit_of_work_refuses_to_work_outside_its_block(self, engine: Engine) -> None:
        uow = UnitOfWork(engine, actor="test")
        with pytest.raises(RuntimeError, match="not open"):
            uow.commit()
        with pytest.raises(ValueError, match="actor"):
            UnitOfWork(engine, actor="")


class TestOnPostgres(RepositoryContract):
    """The contract on PostgreSQL, as the application role."""

    @pytest.fixture
    def engine(self, pg_engine: Engine) -> Engine:
        return pg_engine


def test_new_evaluations_come_from_plain_records() -> None:
    """``NewEvaluation`` is a frozen record; an ineligible one without a reason is refused before any SQL."""
    new = NewEvaluation(person_id=1, period_id=1, method=Method.KPI, rulebook_id="x", eligible=False)
    with pytest.raises(ValueError, match="reason"):
        bulk.evaluation_values(new)
