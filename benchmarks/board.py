"""The cycle board's speed (issue 14): p50/p95 of the board of one body of 10,000 people, over 200 requests.

Run: ``.venv/bin/python -m benchmarks.board`` (``--people 10000 --requests 200 --bodies 1``). It creates a throwaway
PostgreSQL database on ``BAGALAU_TEST_DATABASE_URL`` (default ``postgres@127.0.0.1:5432``), migrates it, writes a
synthetic body set-wise (people, an opened quarter, one evaluation each across every status, escalations for the
overdue, a legal notice each with some dead letters, a 360 survey with respondents), then times what the board page
asks: :func:`application.queries.board.board` plus the first page of :func:`~application.queries.board.people`,
as the HR head (R-2: the scores' batch visibility check included). Not a timed test: it prints figures for the
README, and drops the database at the end. ``--bodies 10`` writes ten such bodies (100,000 people) and times one
board per body in turn (the "all bodies" figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from application.environment import Environment, FixedClock
from application.queries import board as board_queries
from domain.access import Principal
from domain.vocabulary import Role
from persistence.db import upgrade
from persistence.models import (
    BodyRow,
    EscalationRow,
    EvaluationPeriodRow,
    EvaluationRow,
    OutboxMessageRow,
    PersonRow,
    Survey360Row,
    SurveyRespondentRow,
)

TODAY = date(2025, 4, 15)
STATUSES = ["open"] * 30 + ["submitted"] * 10 + ["completed"] * 20 + ["acquainted"] * 25 + ["closed"] * 10
STATUSES += ["in_calibration"] * 2 + ["returned"] * 1 + ["ineligible"] * 2
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def table(row: Any) -> sa.Table:
    found: sa.Table = row.__table__
    return found


def populate(engine: sa.Engine, bodies: int, people: int) -> None:
    """Write ``bodies`` bodies of ``people`` people each, set-wise (executemany), with a cycle in every state."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for b in range(bodies):
            body_id = connection.execute(
                sa.insert(table(BodyRow)).values(code=f"b{b}", name=f"Body {b}").returning(table(BodyRow).c.id)
            ).scalar_one()
            connection.execute(
                sa.insert(table(PersonRow)),
                [
                    {
                        "body_id": body_id,
                        "personnel_number": f"P{i:06d}",
                        "full_name": f"Person {i}",
                        "corps": "B",
                        "language": "kk",
                        "created_at": now,
                    }
                    for i in range(people)
                ],
            )
            ids = (
                connection.execute(
                    sa.select(table(PersonRow).c.id).where(table(PersonRow).c.body_id == body_id).order_by("id")
                )
                .scalars()
                .all()
            )
            period_id = connection.execute(
                sa.insert(table(EvaluationPeriodRow))
                .values(
                    body_id=body_id,
                    kind="quarter",
                    year=2025,
                    quarter=1,
                    label="2025-Q1",
                    status="open",
                    opened_at=now,
                    opened_on=date(2025, 4, 1),
                )
                .returning(table(EvaluationPeriodRow).c.id)
            ).scalar_one()
            rows = []
            for i, person in enumerate(ids[1:], start=1):  # the first person is the evaluator of all
                status = STATUSES[i % len(STATUSES)]
                rows.append(
                    {
                        "person_id": person,
                        "period_id": period_id,
                        "method": "differentiation",
                        "rulebook_id": "kz-model-2018",
                        "status": status,
                        "eligible": status != "ineligible",
                        "ineligible_reason": "probation" if status == "ineligible" else None,
                        "in_absentia": False,
                        "evaluator_id": ids[0],
                        "deadline": TODAY + timedelta(days=(i % 21) - 10),
                        "notice_due_on": date(2025, 4, 3),
                        "notice_sent_on": date(2025, 4, 2) if i % 50 else None,
                        "acquaint_by": TODAY + timedelta(days=(i % 9) - 4) if status == "completed" else None,
                        "disagreement_until": TODAY + timedelta(days=3) if status == "acquainted" else None,
                        "score": 4.25 if status in ("completed", "acquainted", "closed") else None,
                        "category": "effective" if status in ("completed", "acquainted", "closed") else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            connection.execute(sa.insert(table(EvaluationRow)), rows)
            evaluation = table(EvaluationRow)
            overdue = connection.execute(
                sa.select(evaluation.c.id, evaluation.c.person_id).where(
                    evaluation.c.period_id == period_id, evaluation.c.status == "open", evaluation.c.deadline < TODAY
                )
            ).all()
            connection.execute(
                sa.insert(table(EscalationRow)),
                [
                    {
                        "evaluation_id": key,
                        "about_person_id": ids[0],
                        "to_role": "hr",
                        "kind": "overdue_sheet",
                        "level": level,
                        "escalated_on": TODAY,
                        "created_at": now,
                    }
                    for n, (key, _) in enumerate(overdue)
                    for level in range(1, 1 + n % 3)
                ]
                or [],
            )
            evaluations = connection.execute(
                sa.select(evaluation.c.id, evaluation.c.person_id).where(evaluation.c.period_id == period_id)
            ).all()
            connection.execute(
                sa.insert(table(OutboxMessageRow)),
                [
                    {
                        "idempotency_key": f"notice:{key}",
                        "body_id": body_id,
                        "recipient_person_id": person,
                        "kind": "evaluation_notice",
                        "language": "kk",
                        "payload": {},
                        "evaluation_id": key,
                        "due_at": now,
                        "next_attempt_at": now,
                        "status": "dead" if n % 97 == 0 else "delivered" if n % 10 else "pending",
                        "attempts": 5 if n % 97 == 0 else 1,
                        "last_error": "smtp: connection refused" if n % 97 == 0 else None,
                        "created_at": now,
                    }
                    for n, (key, person) in enumerate(evaluations)
                ],
            )
            connection.execute(  # a delivered message has its successful attempt (C-1; the database checks it)
                sa.text(
                    "INSERT INTO delivery_attempt (outbox_id, attempted_at, channel, address, ok, response) "
                    "SELECT id, :at, 'email', 'bench', true, 'recorded by the benchmark' FROM outbox_message "
                    "WHERE body_id = :b AND status = 'delivered'"
                ),
                {"at": now, "b": body_id},
            )
            survey_ids = []
            for person in ids[1 : 1 + people // 10]:
                survey_ids.append(
                    connection.execute(
                        sa.insert(table(Survey360Row))
                        .values(body_id=body_id, year=2025, evaluatee_id=person, status="open", opened_on=TODAY)
                        .returning(table(Survey360Row).c.id)
                    ).scalar_one()
                )
            connection.execute(
                sa.insert(table(SurveyRespondentRow)),
                [
                    {
                        "survey_id": survey,
                        "respondent_id": ids[(n * 7 + r) % len(ids)],
                        "relation": "peer",
                        "invited_at": now,
                        "answered": bool(r % 2),
                    }
                    for n, survey in enumerate(survey_ids)
                    for r in range(4)
                ],
            )
        connection.exec_driver_sql("ANALYZE")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(env: Environment, principal: Principal, body: str, requests: int) -> list[float]:
    """Milliseconds of each of ``requests`` board requests (the board and the first page of people)."""
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        found = board_queries.board(env, principal, body)
        board_queries.people(env, principal, body, found.period.label)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--bodies", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    server = sa.make_url(os.environ.get("BAGALAU_TEST_DATABASE_URL", DEFAULT_SERVER))
    name = f"bagalau_bench_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name)
    engine = sa.create_engine(url)
    try:
        upgrade(url.render_as_string(hide_password=False))
        start = time.perf_counter()
        populate(engine, args.bodies, args.people)
        print(f"wrote {args.bodies} body(ies) x {args.people} people in {time.perf_counter() - start:.1f} s")
        env = Environment(engine=engine, clock=FixedClock(datetime(2025, 4, 15, 10, tzinfo=UTC)))
        head = Principal.of_person("P000000", body="b0", roles=[Role.HR_HEAD], login="head")
        measure(env, head, "b0", 5)  # warm the caches and the connection pool
        timings = measure(env, head, "b0", args.requests)
        print(
            f"board of one body of {args.people} people, {args.requests} requests: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"max {max(timings):.1f} ms"
        )
        if args.bodies > 1:
            rounds = []
            for _ in range(max(1, args.requests // 20)):
                start = time.perf_counter()
                for b in range(args.bodies):
                    principal = Principal.of_person("P000000", body=f"b{b}", roles=[Role.HR_HEAD], login="head")
                    measure(env, principal, f"b{b}", 1)
                rounds.append((time.perf_counter() - start) * 1000)
            print(
                f"every body's board in turn ({args.bodies} bodies, {args.bodies * args.people} people): "
                f"p50 {statistics.median(rounds):.1f} ms, p95 {percentile(rounds, 0.95):.1f} ms"
            )
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"), {"db": name}
            )
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
