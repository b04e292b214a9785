"""Issue 14, "done when": a failed sweep appears on the board and is re-run from it — in headless Chromium against a
real ``bagalau serve`` (its own Prefect server, every deployment served, the automations installed).

The body ``nchr`` has no rulebook (G-3), so the served ``daily-sweep`` of 1 April 2025 fails. HR's board lists it
(loaded after the board from the Prefect API) with its error; HR assigns the rulebook, presses "run again" on the
board, and the same deployment runs again with the same parameters, on the served server, and completes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from deployments.runs import PrefectRuns
from persistence.importers import import_staff
from tests.browser.conftest import PASSWORD, LiveApp, WebOrg, shoot
from tests.served_support import BagalauServe

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff" / "staff.csv"


@pytest.fixture
def served(live_app: LiveApp, pg_url: str, pg_app_url: str, tmp_path: Path) -> Iterator[BagalauServe]:
    serving = BagalauServe(
        tmp_path / "data", {"BAGALAU_DATABASE_URL": pg_app_url, "BAGALAU_OWNER_DATABASE_URL": pg_url}
    )
    try:
        serving.start()
        live_app.app.state.runs = PrefectRuns(serving.api_url)
        yield serving
    finally:
        serving.stop()


def test_a_failed_sweep_is_on_the_board_and_is_run_again_from_it(
    page: Any, live_app: LiveApp, web_org: WebOrg, served: BagalauServe
) -> None:
    import_staff(live_app.engine, STAFF, actor="test", as_of=date(2025, 1, 6), body="nchr")
    parameters = {"as_of": "2025-04-01", "body": "nchr"}
    with served.client() as client:
        run = client.create_flow_run_from_deployment(served.deployments()["daily-sweep"].id, parameters=parameters)
    served.run_of(run.id, {"Failed"})

    page.goto(f"{live_app.url}/hr/board")
    page.fill("#login", "dana")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_app.url}/hr/board")
    row = page.locator(f"#stalled-runs tr[data-run='{run.id}']")
    page.locator("#stalled-runs p, #stalled-runs table").first.wait_for(state="visible")
    assert row.count() == 1, page.locator("#stalled-runs").inner_text()
    assert "daily-sweep-nchr-2025-04-01" in row.inner_text() and "G-3" in row.inner_text()
    shoot(page, "hr-board-failed-sweep-ru")

    from application.actions.setup import assign_rulebook
    from application.environment import Environment
    from domain.access import Principal

    # the cause, fixed: the body's rulebook (G-3); then "run again" on the board
    assign_rulebook(
        Environment(live_app.engine), Principal.system_step("operator:test"), "nchr", "kz-model-2018", date(2025, 1, 1)
    )
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_app.url}/hr/runs?again=*")
    again = page.url.split("again=", 1)[1]
    assert again != str(run.id)
    rerun = served.run_of(again, {"Completed", "Failed", "Crashed"}, timeout=240)
    assert rerun.state.name == "Completed", rerun.state.message
    assert rerun.deployment_id == run.deployment_id and rerun.parameters == parameters
    assert "run-again" in rerun.tags and rerun.name == "daily-sweep-nchr-2025-04-01"
