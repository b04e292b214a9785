"""The law's recorded steps through the application actions on PostgreSQL (issue 11), on the people of
examples/scenarios/annual-commission-2025.yaml (004: V1 heads E1, who heads E2; V2 heads H2, who heads H1) and
examples/scenarios/quarterly-2026-q1.yaml (003): M-3 quarterly KPI monitoring, and refusals that change nothing
(E-1 moves, G-7 acting appointments, D-4 delegation, M-7 attendance)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from application.actions.attendance import record_attendance
from application.actions.monitoring import record_kpi_monitoring
from application.actions.staffing import appoint_acting, delegate, move
from application.errors import Rejected
from tests.flows_support import World, dump, example, prefect, world  # noqa: F401
from tests.flows_support import person as acting

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]


def refused(attempt: Callable[[], Any]) -> str:
    with pytest.raises(Rejected) as refusal:
        attempt()
    return str(refusal.value)


def test_m3_the_direct_head_records_the_quarterly_monitoring_with_written_recommendations(
    world: World,  # noqa: F811
) -> None:
    """M-3 (004 §16): E1 monitors E2's 2025 KPIs for Q4 once the quarter is over; once per quarter; only the
    direct head; with recommendations."""
    engine = world(example("annual-commission-2025.yaml"))
    env = world.env

    def monitor(by: str, on: date, text: str = "k4: raise the share of fakes refuted in 24 h") -> Any:
        return record_kpi_monitoring(env, acting(by), as_of=on, employee="E2", quarter=4, recommendations=text)

    assert "once the quarter is over" in refused(lambda: monitor("E1", date(2025, 12, 30)))
    assert refused(lambda: monitor("V1", date(2026, 1, 6))).startswith("'V1' is not the direct head of 'E2'")
    assert refused(lambda: monitor("E1", date(2026, 1, 6), "  ")).endswith("written recommendations (M-3)")
    done = monitor("E1", date(2026, 1, 6))
    assert done.period == "2025-Q4"
    assert refused(lambda: monitor("E1", date(2026, 1, 7))).endswith("is recorded already (M-3)")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT year, quarter, monitored_on FROM kpi_monitoring")).all()
        audited = connection.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE entity = 'kpi_monitoring' AND action = 'monitor'")
        ).scalar_one()
    assert rows == [(2025, 4, date(2026, 1, 6))] and audited == 1


def test_refused_moves_acting_appointments_delegations_and_attendance_change_nothing(
    world: World,  # noqa: F811
) -> None:
    """E-1, G-7, D-4, M-7: each refusal names its rule and leaves every table as it was."""
    engine = world(example("quarterly-2026-q1.yaml"))
    env = world.env
    day = date(2026, 4, 2)
    before = dump(engine)
    hr = acting("H1")
    reasons = [
        refused(lambda: move(env, hr, as_of=day, employee="E2", unit="U9")),
        refused(lambda: move(env, hr, as_of=day, employee="E2", category="X1")),
        refused(lambda: move(env, hr, as_of=day, employee="E1", head="E2")),  # E2 reports to E1: a loop
        refused(lambda: appoint_acting(env, hr, as_of=day, replaced="E5", substitute="H1", start=day, end=day)),
        refused(lambda: delegate(env, acting("E5"), as_of=day, delegate_to="H1", evaluatees=["E6"])),
        refused(lambda: record_attendance(env, hr, as_of=day, present=["E0"])),
    ]
    assert [reason[-5:] for reason in reasons] == ["(E-1)", "(E-1)", "(E-1)", "(G-7)", "(D-4)", "(M-7)"]
    assert dump(engine) == before


def test_g7_the_acting_person_receives_the_notices_of_the_post_but_never_a_result(
    world: World,  # noqa: F811
) -> None:
    """G-7: E5 acts for the appointing official E0 while E0 is on leave: a disagreement notice to E0 goes to E5;
    a result message to E0 (R-2) and a notice outside the acting days still go to E0."""
    from application import messages
    from application.actions.people import record_absence
    from application.context import BodyContext, transaction
    from notifications.kinds import MessageKind

    engine = world(example("quarterly-2026-q1.yaml"))
    env = world.env
    hr = acting("H1")
    start, end = date(2026, 4, 20), date(2026, 4, 24)
    record_absence(env, hr, as_of=date(2026, 4, 17), employee="E0", kind="annual_leave", start=start, end=end)
    appoint_acting(env, hr, as_of=date(2026, 4, 17), replaced="E0", substitute="E5", start=start, end=end)
    with transaction(env, hr) as uow:
        ctx = BodyContext.acting(env, uow, hr, date(2026, 4, 21))
        official = ctx.ids["E0"]
        for key, kind, day in (
            ("g7:notice", MessageKind.DISAGREEMENT_RECEIVED, date(2026, 4, 21)),
            ("g7:result", MessageKind.RESULT_READY, date(2026, 4, 21)),
            ("g7:later", MessageKind.DISAGREEMENT_RECEIVED, date(2026, 4, 27)),
        ):
            messages.queue(ctx, official, key=key, kind=kind, day=day, payload={"period": "2026-Q1"})
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT m.idempotency_key, p.personnel_number FROM outbox_message m"
                " JOIN person p ON p.id = m.recipient_person_id WHERE m.idempotency_key LIKE :keys"
            ),
            {"keys": "g7:%"},
        ).all()
        found = {row[0]: row[1] for row in rows}
    assert found == {"g7:notice": "E5", "g7:result": "E0", "g7:later": "E0"}
