"""The cycle board's figures, each known in advance, on both databases (issue 14, decision 0190).

The board reads the period's evaluations in one pass and its single figures in one statement; this body has one
evaluation in each state a figure depends on, so a figure that lost its status condition, a window off by a day,
or a count of evaluations where people are meant, would show. The undelivered notices are counted both through the
first, limited read and through the second count it falls back to beyond ``NOTICES_PROBED``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from application.environment import Environment, FixedClock
from application.queries import board
from domain.access import Principal
from domain.vocabulary import Role
from persistence.models import (
    EscalationRow,
    EvaluationRow,
    OutboxMessageRow,
    Survey360Row,
    SurveyRespondentRow,
)
from persistence.uow import UnitOfWork
from tests.integration.conftest import SmallOrg, build_small_org

TODAY = date(2025, 4, 7)  # a Monday: "this week" runs to Sunday 13 April


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def org(engine: Engine) -> SmallOrg:
    """E1 twice (KPI sheet due today, notice due this week and pending; a returned sheet overdue since Saturday,
    escalated to level 1, its notice dead), E2 completed (acquaintance due Saturday, notice delivered), E3
    acquainted (disagreement window open to tomorrow), H1 ineligible (probation), E0 without an evaluation; a
    360 survey of E2 with two respondents, one of whom answered."""
    org = build_small_org(engine)
    now = datetime(2025, 4, 7, 9, tzinfo=UTC)
    common = {"period_id": org.q1, "rulebook_id": "kz-model-2018", "evaluator_id": org.e0}
    with UnitOfWork(engine, actor="test") as uow:
        session = uow.session
        rows = [
            EvaluationRow(
                person_id=org.e1, method="kpi", status="open", deadline=TODAY, notice_due_on=date(2025, 4, 9), **common
            ),
            EvaluationRow(
                person_id=org.e1,
                method="differentiation",
                status="returned",
                deadline=date(2025, 4, 5),
                notice_due_on=date(2025, 4, 1),
                notice_sent_on=date(2025, 4, 1),
                **common,
            ),
            EvaluationRow(
                person_id=org.e2,
                method="differentiation",
                status="completed",
                deadline=date(2025, 4, 3),
                acquaint_by=date(2025, 4, 12),
                **common,
            ),
            EvaluationRow(
                person_id=org.e3,
                method="differentiation",
                status="acquainted",
                disagreement_until=date(2025, 4, 8),
                **common,
            ),
            EvaluationRow(
                person_id=org.h1,
                method="differentiation",
                status="ineligible",
                eligible=False,
                ineligible_reason="probation",
                **common,
            ),
        ]
        session.add_all(rows)
        session.flush()
        kpi, returned, completed = (row.id for row in rows[:3])
        assert kpi is not None and returned is not None and completed is not None
        session.add(
            EscalationRow(
                evaluation_id=returned,
                about_person_id=org.e0,
                to_role="hr",
                kind="overdue_sheet",
                level=1,
                escalated_on=date(2025, 4, 6),
            )
        )
        for key, evaluation_id, kind, status in [
            (f"notice:{kpi}", kpi, "evaluation_notice", "pending"),
            (f"notice:{returned}", returned, "evaluation_notice", "dead"),
            (f"request:{kpi}", kpi, "sheet_request", "pending"),  # not a notice
        ]:
            session.add(
                OutboxMessageRow(
                    idempotency_key=key,
                    body_id=org.body,
                    recipient_person_id=org.e1,
                    kind=kind,
                    evaluation_id=evaluation_id,
                    due_at=now,
                    next_attempt_at=now,
                    status=status,
                    attempts=5 if status == "dead" else 0,
                )
            )
        survey = Survey360Row(body_id=org.body, year=2025, evaluatee_id=org.e2, opened_on=date(2025, 4, 1))
        session.add(survey)
        session.flush()
        assert survey.id is not None
        session.add_all(
            [
                SurveyRespondentRow(
                    survey_id=survey.id, respondent_id=person, relation="peer", invited_at=now, answered=answered
                )
                for person, answered in [(org.e1, True), (org.e3, False)]
            ]
        )
        uow.commit()
    return org


def figures(engine: Engine) -> board.Board:
    env = Environment(engine, clock=FixedClock(datetime(2025, 4, 7, 12, 0)))
    head = Principal.of_person("H1", body="demo", roles=[Role.HR, Role.HR_HEAD], login="gulnar")
    return board.board(env, head, "demo", "2025-Q1")


def test_every_figure_of_the_board(engine: Engine, org: SmallOrg) -> None:
    found = figures(engine)
    counts = dict(found.counts)
    # five people, four of them with an evaluation (E1 has two): one not yet open
    assert counts == {
        "not_yet_open": 1,
        "deferred": 0,
        "open": 1,
        "submitted": 0,
        "returned": 1,
        "approved": 0,
        "awaiting_approval": 0,
        "completed": 1,
        "acquainted": 1,
        "in_calibration": 0,
        "closed": 0,
        "ineligible": 1,
    }
    assert found.total == 6 and found.ineligible == (("probation", 1),)
    assert found.due == (
        board.StepDue("sheet", today=1, this_week=0, overdue=1),  # P-1: E1's KPI sheet today, the returned one late
        board.StepDue("acquaintance", today=0, this_week=1, overdue=0),  # C-1: E2 by Saturday
        board.StepDue("notice", today=0, this_week=1, overdue=0),  # P-4: the returned one's notice was sent
    )
    assert found.overdue == (board.OverdueLevel("sheet", 1, 1),)
    assert found.disagreement_windows_open == 1  # C-2: E3 until tomorrow
    assert found.notices_undelivered == (("dead", 1), ("pending", 1))
    assert found.surveys == board.SurveyProgress(2025, surveys=1, open_surveys=1, respondents=2, answered=1)
    assert (found.cases, found.cases_total, found.dead_letters_total) == ((), 0, 1)


def test_undelivered_notices_beyond_the_first_read_are_counted_all(
    engine: Engine, org: SmallOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board, "NOTICES_PROBED", 1)
    assert figures(engine).notices_undelivered == (("dead", 1), ("pending", 1))


def test_a_later_day_moves_every_window(engine: Engine, org: SmallOrg) -> None:
    env = Environment(engine, clock=FixedClock(datetime(2025, 4, 14, 12, 0)))
    head = Principal.of_person("H1", body="demo", roles=[Role.HR, Role.HR_HEAD], login="gulnar")
    found = board.board(env, head, "demo", "2025-Q1")
    assert found.due == (
        board.StepDue("sheet", today=0, this_week=0, overdue=2),
        board.StepDue("acquaintance", today=0, this_week=0, overdue=1),
        board.StepDue("notice", today=0, this_week=0, overdue=1),
    )
    assert found.overdue == (
        board.OverdueLevel("sheet", 0, 1),  # E1's KPI sheet, not escalated yet
        board.OverdueLevel("sheet", 1, 1),
        board.OverdueLevel("acquaintance", 0, 1),
    )
    assert found.disagreement_windows_open == 0


def test_an_evaluation_counts_once_at_the_highest_level_it_reached(engine: Engine, org: SmallOrg) -> None:
    """The returned sheet escalated again (level 2) and its acquaintance-kind ladder never: it counts at level 2
    only, and the KPI sheet, not escalated, still at 0 (0190: one join of the late evaluations to their escalations)."""
    with UnitOfWork(engine, actor="test") as uow:
        [evaluation_id] = uow.session.execute(sa.select(EscalationRow.evaluation_id)).scalars().all()  # returned
        for kind, level in (("overdue_sheet", 2), ("period_opened_late", 1)):
            uow.session.add(
                EscalationRow(
                    evaluation_id=evaluation_id,
                    about_person_id=org.e0,
                    to_role="hr",
                    kind=kind,
                    level=level,
                    escalated_on=date(2025, 4, 8),
                )
            )
        uow.commit()
    env = Environment(engine, clock=FixedClock(datetime(2025, 4, 14, 12, 0)))
    head = Principal.of_person("H1", body="demo", roles=[Role.HR, Role.HR_HEAD], login="gulnar")
    assert board.board(env, head, "demo", "2025-Q1").overdue == (
        board.OverdueLevel("sheet", 0, 1),
        board.OverdueLevel("sheet", 2, 1),
        board.OverdueLevel("acquaintance", 0, 1),
    )
