"""Outbox delivery against a real database, real apprise and a real local SMTP server.

Every test runs on PostgreSQL (as the application role) and on the embedded SQLite; the two-worker test runs on
PostgreSQL only. Messages are decoded from MIME as a mail client would (Kazakh and Russian text in UTF-8).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app as cli
from bagalau.settings import get_settings
from domain.vocabulary import EvaluationStatus, Language, Method, PeriodKind, ResultCategory, Role
from notifications.channels import AppriseChannel, RecordingChannel
from notifications.config import DeliveryConfig
from notifications.delivery import DeliveryReport, deliver_due
from notifications.proof import proof_for
from notifications.samples import SAMPLE_PAYLOADS
from persistence.models import ContactChannelRow
from persistence.records import DeliveryAttempt, NewEvaluation, NewMessage, OutboxMessage
from persistence.repositories import OutboxRepository
from persistence.uow import UnitOfWork

if TYPE_CHECKING:
    from tests.integration.smtp import SmtpReceiver


NOW = datetime(2025, 4, 14, 9, 0, tzinfo=UTC)
HR_MAILBOX = "hr@body.kz"


@pytest.fixture(params=[pytest.param("pg_engine", marks=pytest.mark.postgres), "sqlite_engine"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The database under test: PostgreSQL as the application role, then SQLite."""
    return request.getfixturevalue(request.param)


# --- a small world ----------------------------------------------------------------------------------------


@dataclass
class World:
    """A body with people, contacts and roles, and a completed evaluation of E2 (score 4.37, effective) by E1."""

    engine: Engine
    smtp_url: str
    body: int = 0
    people: dict[str, int] = field(default_factory=dict)
    evaluation: int = 0

    def config(self, **changes: Any) -> DeliveryConfig:
        values: dict[str, Any] = {
            "url_templates": {"email": self.smtp_url},
            "max_attempts": 3,
            "backoff": timedelta(minutes=1),
            "lease": timedelta(minutes=5),
        }
        return DeliveryConfig(**{**values, **changes})

    def person(self, number: str, name: str, language: str = "kk", contacts: tuple[tuple[str, ...], ...] = ()) -> int:
        with UnitOfWork(self.engine, actor="test:setup") as uow:
            person = uow.org.add_person(
                body_id=self.body, personnel_number=number, full_name=name, language=Language(language)
            )
            for priority, (kind, address, *url) in enumerate(contacts):
                uow.org.add_contact(
                    person_id=person.id,
                    kind=kind,
                    address=address,
                    apprise_url=url[0] if url else None,
                    priority=priority,
                )
            uow.commit()
        self.people[number] = person.id
        return person.id

    def add_contact(self, number: str, kind: str, address: str, url: str, priority: int) -> None:
        with UnitOfWork(self.engine, actor="test:setup") as uow:
            uow.org.add_contact(
                person_id=self.people[number], kind=kind, address=address, apprise_url=url, priority=priority
            )
            uow.commit()

    def drop_contacts(self, number: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(ContactChannelRow.__table__).where(
                    ContactChannelRow.__table__.c.person_id == self.people[number]
                )
            )

    def queue(
        self,
        kind: str,
        to: str,
        payload: Mapping[str, Any] | None = None,
        *,
        key: str | None = None,
        language: str = "kk",
    ) -> int:
        key = key or f"{kind}:{to}"
        recipient = {"recipient_role": to} if to in {"hr", "hr_head"} else {"recipient_person_id": self.people[to]}
        message = NewMessage(
            idempotency_key=key,
            body_id=self.body,
            kind=kind,
            due_at=NOW,
            language=Language(language),
            payload=SAMPLE_PAYLOADS[kind] if payload is None else payload,
            evaluation_id=self.evaluation,
            **recipient,
        )
        with UnitOfWork(self.engine, actor="test:flow") as uow:
            uow.outbox.enqueue(message)
            uow.commit()
        return self.row(key).id

    def queue_many(self, count: int) -> list[str]:
        """``count`` test messages to E2, keyed ``notice:0`` …; their keys in order."""
        keys = [f"notice:{n}" for n in range(count)]
        for key in keys:
            self.queue("test_message", "E2", key=key)
        return keys

    def row(self, key: str | int) -> OutboxMessage:
        with UnitOfWork(self.engine, actor="test") as uow:
            found = uow.outbox.get(key) if isinstance(key, int) else uow.outbox.by_key(key)
        assert found is not None, key
        return found

    def escalated(self, key: str) -> bool:
        with UnitOfWork(self.engine, actor="test") as uow:
            return uow.outbox.by_key(key) is not None

    def attempts(self, outbox_id: int) -> list[DeliveryAttempt]:
        with UnitOfWork(self.engine, actor="test") as uow:
            return uow.outbox.attempts(outbox_id)

    def deliver(self, at: datetime = NOW, channel: Any = None, **config: Any) -> DeliveryReport:
        return deliver_due(self.engine, at, channels=channel or AppriseChannel(), config=self.config(**config))


def build_world(engine: Engine, smtp_url: str) -> World:
    world = World(engine, smtp_url)
    with UnitOfWork(engine, actor="test:setup") as uow:
        world.body = uow.org.add_body(code="demo", name="Demo agency").id
        uow.commit()
    world.person("E1", "Айгерім Сәрсенова", "kk", (("email", "e1@example.kz"),))
    world.person("E2", "Аружан Ахметова", "kk", (("email", "e2@example.kz"),))
    world.person("E3", "Dmitry Petrov", "ru", (("email", "e3@example.kz"),))
    world.person("H1", "Гүлнар Ысқақова", "ru", (("email", "h1@body.kz"),))
    world.person("HH", "Serik Baizhanov", "en", (("email", "hh@body.kz"),))
    with UnitOfWork(engine, actor="test:setup") as uow:
        uow.org.add_role(body_id=world.body, person_id=world.people["H1"], role=Role.HR)
        uow.org.add_role(body_id=world.body, person_id=world.people["HH"], role=Role.HR_HEAD)
        period = uow.periods.open(body_id=world.body, kind=PeriodKind.QUARTER, year=2025, quarter=1)
        new = NewEvaluation(
            person_id=world.people["E2"],
            period_id=period.id,
            method=Method.DIFFERENTIATION,
            rulebook_id="kz-model-2018",
            evaluator_id=world.people["E1"],
        )
        evaluation, _ = uow.evaluations.ensure(new)
        uow.evaluations.update(
            evaluation.id, status=EvaluationStatus.COMPLETED, score=Decimal("4.37"), category=ResultCategory.EFFECTIVE
        )
        world.evaluation = evaluation.id
        uow.commit()
    return world


@pytest.fixture
def world(engine: Engine, smtp_server: SmtpReceiver) -> World:
    return build_world(engine, smtp_server.url())


# --- messages arrive --------------------------------------------------------------------------------------


def test_a_notice_arrives_by_email_in_the_recipients_language(world: World, smtp_server: SmtpReceiver) -> None:
    """P-4: the evaluation notice reaches E2 in Kazakh; the proof says what was sent, where and what SMTP said."""
    outbox_id = world.queue("evaluation_notice", "E2")

    report = world.deliver()

    [mail] = smtp_server.wait_for(1)
    assert report.delivered == [outbox_id]
    assert mail.recipients == ("e2@example.kz",) and mail.mail_from == "hr@body.kz"
    assert mail.subject == "Қызметіңізді бағалау басталды: 2025 жылғы 1-тоқсан"
    assert "Құрметті Аружан Ахметова!" in mail.text
    assert "Бағалауды аяқтау мерзімі — 10 сәуір 2025 ж." in mail.text
    assert mail.header("X-Bagalau-Message") == "evaluation_notice:E2"
    row = world.row(outbox_id)
    assert (row.status, row.attempts, row.delivered_address) == ("delivered", 1, "e2@example.kz")
    assert row.proof is not None
    assert (row.proof["address"], row.proof["channel"], row.proof["at"]) == ("e2@example.kz", "email", NOW.isoformat())
    assert "Sent Email to e2@example.kz" in row.proof["response"]
    assert row.proof["subject"] == mail.subject and len(row.proof["content_sha256"]) == 64


def test_each_recipient_reads_their_own_language(world: World, smtp_server: SmtpReceiver) -> None:
    world.queue("reminder", "E3", language="ru")
    world.queue("test_message", "HH", language="en")

    world.deliver()

    mails = {mail.recipients[0]: mail for mail in smtp_server.wait_for(2)}
    assert mails["e3@example.kz"].subject == "Напоминание: срок оценочного листа — 10 апреля 2025 г."
    assert "Здравствуйте, Dmitry Petrov!" in mails["e3@example.kz"].text
    assert mails["hh@body.kz"].subject == "Bagalau test message"


def test_the_evaluatee_reads_the_score_and_the_legal_category(world: World, smtp_server: SmtpReceiver) -> None:
    """C-1 and S-1: the result with its legal name, and the link to acknowledge it."""
    world.queue("result_ready", "E2")

    world.deliver()

    [mail] = smtp_server.wait_for(1)
    assert "Нәтиже: Функционалдық міндеттерін тиімді атқарады." in mail.text
    assert "Балл: 4,37." in mail.text
    assert "https://bagalau.example.kz/ack/42" in mail.text


def test_hr_never_reads_a_score_even_when_the_payload_holds_one(world: World, smtp_server: SmtpReceiver) -> None:
    """R-2: the HR service (not its head) is told the sheet is missing, never the result."""
    leaky = {**SAMPLE_PAYLOADS["overdue_hr"], "score": 4.37, "category": "effective", "rulebook": "kz-model-2018"}
    world.queue("overdue_hr", "hr", leaky, language="ru")
    world.queue("result_ready", "hr", language="ru")

    world.deliver()

    for mail in smtp_server.wait_for(2):
        assert mail.recipients == ("h1@body.kz",)
        assert "4,37" not in mail.text and "эффективно исполняет" not in mail.text


def test_the_hr_head_may_read_the_result(world: World, smtp_server: SmtpReceiver) -> None:
    world.queue("result_ready", "HH", language="en")
    world.deliver()
    [mail] = smtp_server.wait_for(1)
    assert "Score: 4.37." in mail.text


def test_a_message_to_hr_goes_to_the_hr_mailbox_when_there_is_one(world: World, smtp_server: SmtpReceiver) -> None:
    world.queue("period_opened_late", "hr", language="ru")
    world.deliver(hr_email=HR_MAILBOX)
    [mail] = smtp_server.wait_for(1)
    assert mail.recipients == (HR_MAILBOX,)


def test_delivering_again_sends_nothing_new(world: World, smtp_server: SmtpReceiver) -> None:
    world.queue("evaluation_notice", "E2")
    world.deliver()
    second = world.deliver(NOW + timedelta(hours=1))
    assert second.handed == [] and len(smtp_server.wait_for(1)) == 1


def test_a_delivery_run_sends_its_emails_over_one_smtp_connection(world: World, smtp_server: SmtpReceiver) -> None:
    """Issue 13: one connection (and one TLS context) per server and run, not one per e-mail; each message still
    carries its own key, and the next run opens a connection of its own."""
    keys = [f"notice:{n}" for n in range(12)]
    for key in keys:
        world.queue("test_message", "E2" if key != "notice:5" else "hr", key=key)
    assert len(world.deliver().delivered) == 12
    mails = smtp_server.wait_for(12)
    assert sorted(mail.header("X-Bagalau-Message") or "" for mail in mails) == sorted(keys)
    assert len(set(smtp_server.peers)) == 1

    world.queue("test_message", "E2", key="notice:later")
    world.deliver(NOW + timedelta(hours=1))
    smtp_server.wait_for(13)
    assert len(set(smtp_server.peers)) == 2


def test_a_refused_recipient_does_not_stop_the_others_on_the_same_connection(
    world: World, smtp_server: SmtpReceiver
) -> None:
    world.queue("test_message", "E2", key="before")
    world.queue("test_message", "E3", key="refused")
    world.queue("test_message", "E2", key="after")
    smtp_server.reject("e3@example.kz")
    report = world.deliver()
    assert sorted(mail.header("X-Bagalau-Message") or "" for mail in smtp_server.wait_for(2)) == ["after", "before"]
    assert len(report.delivered) == 2 and len(report.retrying) == 1


# --- failing channels -------------------------------------------------------------------------------------


def test_a_server_that_is_down_is_retried_with_backoff_then_dead_lettered_to_hr(
    world: World, smtp_server: SmtpReceiver
) -> None:
    """C-1: the notice is not lost; after the last attempt HR is told, and other messages still go."""
    world.drop_contacts("E3")
    world.add_contact("E3", "email", "e3@example.kz", smtp_server.unreachable_url("e3@example.kz"), priority=0)
    failing = world.queue("result_ready", "E3", language="ru")
    fine = world.queue("evaluation_notice", "E2")

    first = world.deliver()
    row = world.row(failing)
    assert first.delivered == [fine] and first.retrying == [failing]
    assert (row.status, row.attempts, row.next_attempt_at) == ("retrying", 1, NOW + timedelta(minutes=1))
    assert "refused" in (row.last_error or "").lower()

    assert world.deliver(NOW + timedelta(seconds=30)).handed == []  # not due before its backoff
    second = world.deliver(NOW + timedelta(minutes=1))
    assert world.row(failing).next_attempt_at == NOW + timedelta(minutes=3)  # 1 min, then 2 min: doubled
    third = world.deliver(NOW + timedelta(minutes=3))

    row = world.row(failing)
    assert second.retrying == [failing] and third.dead == [failing]
    assert (row.status, row.attempts) == ("dead", 3)
    assert (row.last_error or "").startswith("gave up after 3 attempt(s)")
    assert [attempt.ok for attempt in world.attempts(failing)] == [False, False, False]
    assert third.escalations == [f"dead:{failing}"]
    hr_mail = next(mail for mail in smtp_server.wait_for(2) if mail.recipients == ("h1@body.kz",))
    assert hr_mail.subject == "Сообщение не доставлено: result_ready, Dmitry Petrov"
    assert "4,37" not in hr_mail.text  # HR is told that it failed, not what it said


def test_an_address_the_server_refuses_is_dead_lettered(world: World, smtp_server: SmtpReceiver) -> None:
    smtp_server.reject("e2@example.kz")
    outbox_id = world.queue("evaluation_notice", "E2")

    for minutes in (0, 1, 3):
        world.deliver(NOW + timedelta(minutes=minutes))

    assert world.row(outbox_id).status == "dead"
    assert "550" in (world.attempts(outbox_id)[-1].response or "")
    assert world.escalated(f"dead:{outbox_id}")


def test_the_next_channel_is_tried_when_the_first_refuses(world: World, smtp_server: SmtpReceiver) -> None:
    world.add_contact("E2", "email", "e2@work.kz", smtp_server.unreachable_url("e2@work.kz"), priority=-1)
    outbox_id = world.queue("evaluation_notice", "E2")

    report = world.deliver()

    assert report.delivered == [outbox_id]
    tried = [(attempt.address, attempt.ok) for attempt in world.attempts(outbox_id)]
    assert tried == [("e2@work.kz", False), ("e2@example.kz", True)]
    assert world.row(outbox_id).delivered_address == "e2@example.kz"


def test_the_rate_limit_leaves_the_rest_for_the_next_run(world: World, smtp_server: SmtpReceiver) -> None:
    ids = [world.queue("test_message", number) for number in ("E1", "E2", "E3")]

    first = world.deliver(rate_limits={"email": 2})
    held_back = world.row(ids[2])
    second = world.deliver(NOW + timedelta(minutes=5), rate_limits={"email": 2})

    assert first.delivered == ids[:2] and first.postponed == [ids[2]]
    assert (held_back.status, held_back.attempts) == ("pending", 0)
    assert second.delivered == [ids[2]] and len(smtp_server.wait_for(3)) == 3


# --- people who cannot be reached -------------------------------------------------------------------------


def test_someone_with_no_channel_is_not_skipped_silently(world: World, smtp_server: SmtpReceiver) -> None:
    """C-1, Q-4: the notice stays in the outbox as dead ("no channel") and HR is told at once."""
    world.person("E9", "Нұрлан Әбенов")
    outbox_id = world.queue("result_ready", "E9")

    report = world.deliver()

    row = world.row(outbox_id)
    assert row.status == "dead" and (row.last_error or "").startswith("no channel: Нұрлан Әбенов")
    assert report.escalations == [f"dead:{outbox_id}"]
    [hr_mail] = smtp_server.wait_for(1)
    assert hr_mail.recipients == ("h1@body.kz",) and "Нұрлан Әбенов" in hr_mail.text


@pytest.mark.parametrize(
    ("contact", "problem"),
    [
        (("email", "aigerim"), "channel email 'aigerim': not an e-mail address with a domain"),
        (("email", "aigerim@body"), "channel email 'aigerim@body': not an e-mail address with a domain"),
        (("email", "x@y.kz", "mailto://"), "channel email 'mailto://': malformed apprise URL"),
        (("telegram", "@aigerim", "tgram://"), "channel telegram 'tgram://': malformed apprise URL"),
    ],
)
def test_a_bad_contact_is_named_in_the_dead_letter(world: World, contact: tuple[str, ...], problem: str) -> None:
    world.person("E8", "Aigerim Bad", contacts=(contact,))
    outbox_id = world.queue("evaluation_notice", "E8")

    world.deliver()

    row = world.row(outbox_id)
    assert row.status == "dead" and f"Aigerim Bad: {problem}" in (row.last_error or "")
    assert world.escalated(f"dead:{outbox_id}")


def test_hrs_own_failures_are_not_escalated_to_hr_again(world: World) -> None:
    world.drop_contacts("H1")
    outbox_id = world.queue("overdue_hr", "hr")

    report = world.deliver()

    assert report.dead == [outbox_id] and report.escalations == []


# --- broken payloads --------------------------------------------------------------------------------------


def test_a_missing_template_variable_sends_a_generic_notice_and_tells_hr(
    world: World, smtp_server: SmtpReceiver
) -> None:
    payload = {key: value for key, value in SAMPLE_PAYLOADS["sheet_request"].items() if key != "deadline"}
    outbox_id = world.queue("sheet_request", "E3", payload, language="ru")

    report = world.deliver()

    assert report.fallbacks == [outbox_id] and report.escalations == [f"render:{outbox_id}"]
    mails = {mail.recipients[0]: mail for mail in smtp_server.wait_for(2)}
    assert mails["e3@example.kz"].subject == "Новое уведомление Bagalau"
    assert "'deadline'" in mails["h1@body.kz"].text and "sheet_request (ru)" in mails["h1@body.kz"].text
    proof = world.row(outbox_id).proof
    assert proof is not None and proof["fallback"] is True


def test_a_ten_megabyte_comment_is_shortened_not_sent(world: World, smtp_server: SmtpReceiver) -> None:
    payload = {**SAMPLE_PAYLOADS["disagreement_received"], "text": "Ж" * (10 * 1024 * 1024)}
    world.queue("disagreement_received", "H1", payload, language="ru")

    world.deliver()

    [mail] = smtp_server.wait_for(1)
    assert len(mail.text) < 10_000
    assert "Поле «text» сокращено: показаны первые 4000 из 10485760 символов" in mail.text


def test_respondents_of_a_360_survey_never_travel(world: World, smtp_server: SmtpReceiver) -> None:
    """T-8: the payload is refused; the recipient gets the generic notice, HR is told why."""
    payload = {**SAMPLE_PAYLOADS["survey_360_closed"], "respondents": ["Айгерім Сәрсенова"]}
    world.queue("survey_360_closed", "HH", payload, language="en")

    world.deliver()

    for mail in smtp_server.wait_for(2):
        assert "Айгерім Сәрсенова" not in mail.text


# --- a crash between send and commit ----------------------------------------------------------------------


class Crash(BaseException):
    """The process dies: nothing after this point runs, nothing uncommitted is kept."""


def test_a_crash_after_sending_repeats_that_send_at_most_once(
    world: World, smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/decisions/0010: at-least-once; the lease hands the row back, the duplicate carries the same key."""
    outbox_id = world.queue("result_ready", "E2")

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(OutboxRepository, "mark_many_delivered", crash)
        with pytest.raises(Crash):
            world.deliver()
    assert len(smtp_server.wait_for(1)) == 1
    assert world.row(outbox_id).status == "pending" and world.attempts(outbox_id) == []

    assert world.deliver(NOW + timedelta(minutes=1)).handed == []  # still leased to the dead worker
    after_lease = world.deliver(NOW + timedelta(minutes=5))
    world.deliver(NOW + timedelta(minutes=30))

    mails = smtp_server.wait_for(2)
    assert after_lease.delivered == [outbox_id] and len(mails) == 2
    assert {mail.header("X-Bagalau-Message") for mail in mails} == {"result_ready:E2"}
    assert world.row(outbox_id).status == "delivered"


@contextmanager
def crash_while_recording_group(number: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process dies while the ``number``-th group of a delivery run is recorded (the groups before it are)."""
    calls = 0
    real = OutboxRepository.mark_many_delivered

    def crash(self: OutboxRepository, delivered: list[dict[str, object]]) -> None:
        nonlocal calls
        calls += 1
        if calls == number:
            raise Crash
        real(self, delivered)

    with monkeypatch.context() as patch:
        patch.setattr(OutboxRepository, "mark_many_delivered", crash)
        with pytest.raises(Crash):
            yield


def test_a_crash_repeats_at_most_the_group_in_flight(
    world: World, smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/decisions/0180: messages are recorded a group at a time (``commit_every``); a crash while the second
    group is recorded loses only that group's records, so only its sends are repeated — the first group's are not."""
    keys = world.queue_many(12)
    # groups of exactly five: no time cap (``commit_seconds``) may cut a group short on a slow machine, where the
    # first message alone (apprise loading its plugins) can take longer than the default second
    groups: dict[str, Any] = {"commit_every": 5, "commit_seconds": 3600.0, "senders": 1}
    with crash_while_recording_group(2, monkeypatch):
        world.deliver(**groups)
    assert len(smtp_server.wait_for(10)) == 10  # two groups sent, the first recorded
    recorded = [key for key in keys if world.row(key).status == "delivered"]
    assert recorded == keys[:5]

    world.deliver(NOW + timedelta(minutes=30), **groups)  # after the lease: the rest

    sent = Counter(mail.header("X-Bagalau-Message") for mail in smtp_server.wait_for(17))
    assert set(sent) == set(keys) and all(world.row(key).status == "delivered" for key in keys)
    repeated = sorted(key for key, count in sent.items() if count > 1)
    assert repeated == sorted(keys[5:10]) and max(sent.values()) == 2  # the crashed group, once each


def test_the_time_cap_closes_a_group_early(
    world: World, smtp_server: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/decisions/0180: no message joins a group after ``commit_seconds``; with no time at all, every group is
    one message, so a crash while the second is recorded repeats that one send only."""
    keys = world.queue_many(4)
    with crash_while_recording_group(2, monkeypatch):
        world.deliver(commit_every=25, commit_seconds=0.0, senders=1)
    assert len(smtp_server.wait_for(2)) == 2  # one message a group: the first recorded, the second not
    assert [key for key in keys if world.row(key).status == "delivered"] == keys[:1]


def test_an_internal_error_counts_as_a_failed_attempt(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox_id = world.queue("evaluation_notice", "E2")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(OutboxRepository, "mark_many_delivered", broken)
        report = world.deliver()

    row = world.row(outbox_id)
    assert report.failed == [outbox_id]
    assert (row.status, row.attempts) == ("retrying", 1) and "disk full" in (row.last_error or "")


# --- two workers ------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_two_workers_at_once_never_send_the_same_message_twice(pg_engine: Engine, smtp_server: SmtpReceiver) -> None:
    world = build_world(pg_engine, smtp_server.url())
    keys = world.queue_many(40)
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def worker() -> None:
        start.wait()
        reports.append(deliver_due(pg_engine, NOW, batch_size=5, channels=AppriseChannel(), config=world.config()))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    sent = Counter(mail.header("X-Bagalau-Message") for mail in smtp_server.wait_for(40))
    assert sent == Counter(dict.fromkeys(keys, 1))
    first, second = (set(report.delivered) for report in reports)
    assert not first & second and len(first | second) == 40


# --- proof and the command line ---------------------------------------------------------------------------


def test_the_proof_of_acquaintance_shows_what_was_sent_where_and_when(world: World) -> None:
    outbox_id = world.queue("result_ready", "E2")
    world.queue("sheet_request", "E1")  # to the evaluator: not part of the employee's proof
    world.deliver()
    with UnitOfWork(world.engine, actor="person:e2") as uow:
        uow.evaluations.acknowledge(world.evaluation, person_id=world.people["E2"], at=NOW, via="email")
        uow.commit()

    proof = proof_for(world.engine, world.evaluation)

    [message] = proof.messages
    assert (message.outbox_id, message.kind, message.status) == (outbox_id, "result_ready", "delivered")
    assert message.delivered_address == "e2@example.kz" and message.delivered_at == NOW
    assert message.attempts[0].ok and "Sent Email to e2@example.kz" in (message.attempts[0].response or "")
    assert message.proof is not None and "Балл: 4,37." in message.proof["body"]
    assert [(ack.via, ack.at) for ack in proof.acknowledgements] == [("email", NOW)]
    assert "Acknowledged 2025-04-14T09:00:00+00:00 via email" in proof.to_text()


@pytest.fixture
def cli_env(world: World, monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpReceiver) -> Iterator[None]:
    monkeypatch.setenv("BAGALAU_DATABASE_URL", world.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("BAGALAU_SMTP_URL", smtp_server.url())
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_env")
def test_notify_proof_exports_json_for_a_dispute(world: World) -> None:
    world.queue("result_ready", "E2")
    world.deliver()

    result = CliRunner().invoke(cli, ["notify", "proof", str(world.evaluation), "--json"])

    assert result.exit_code == 0, result.output
    assert '"delivered_address": "e2@example.kz"' in result.output
    assert '"content_sha256"' in result.output


@pytest.mark.usefixtures("cli_env")
def test_notify_proof_of_an_unknown_evaluation_exits_2() -> None:
    result = CliRunner().invoke(cli, ["notify", "proof", "999999"])
    assert result.exit_code == 2 and "no evaluation 999999" in result.output


@pytest.mark.usefixtures("cli_env")
def test_notify_test_reports_each_channel(world: World, smtp_server: SmtpReceiver) -> None:
    world.person("E7", "Dana Bekova", "en", (("email", "e7@example.kz"), ("sms", "+7701")))

    result = CliRunner().invoke(cli, ["notify", "test", "E7"])

    [mail] = smtp_server.wait_for(1)
    assert mail.subject == "Bagalau test message" and mail.recipients == ("e7@example.kz",)
    assert result.exit_code == 1
    assert "e7@example.kz" in result.output and "ok" in result.output
    assert "+7701" in result.output and "not a phone number" in result.output


@pytest.mark.usefixtures("cli_env")
def test_notify_deliver_runs_the_outbox_once(world: World, smtp_server: SmtpReceiver) -> None:
    world.queue("evaluation_notice", "E2")
    result = CliRunner().invoke(cli, ["notify", "deliver"])
    assert result.exit_code == 0 and "delivered: 1" in result.output
    assert len(smtp_server.wait_for(1)) == 1


def test_the_recording_channel_sends_nothing_but_keeps_the_proof(world: World, smtp_server: SmtpReceiver) -> None:
    recorder = RecordingChannel()
    outbox_id = world.queue("evaluation_notice", "E2")

    report = world.deliver(channel=recorder)

    assert smtp_server.messages == [] and [sent.message_key for sent in recorder.sent] == ["evaluation_notice:E2"]
    assert report.handed[0].at == NOW and report.handed[0].channel == "email"
    proof = world.row(outbox_id).proof
    assert proof is not None and proof["response"].startswith("recorded, not sent")
