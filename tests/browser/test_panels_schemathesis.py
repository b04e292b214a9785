"""Schemathesis on the panels' and surveys' operations as a real party (issue 10): a member of a composed calibration
session, who is also asked to answer nothing and sits on no Commission — so the generated input meets the actions'
own refusals, not only the R-2 404 an outsider gets. No server error, every answer as documented."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from domain.vocabulary import Language
from tests.browser.conftest import PASSWORD
from tests.browser.panel_support import add_accounts, calibration_world, serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PANEL_PATHS = ("/api/v1/calibration", "/api/v1/commission", "/api/v1/surveys")


def bearer(url: str, login: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/v1/session", json={"login": login, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_the_panels_api_never_answers_a_party_with_a_server_error(db: sa.Engine) -> None:
    world = calibration_world(db)
    add_accounts(db, {"E0": Language.EN, "E2": Language.KK})
    with serve(world) as served:
        composed = httpx.post(
            f"{served.url}/api/v1/calibration/1/composition",
            json={"members": ["E2", "H1", "H2"]},
            headers=bearer(served.url, "e0"),
        )
        assert composed.status_code == 200, composed.text
        headers = bearer(served.url, "e2")
        schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
        tested = []
        for found in schema.get_all_operations():
            operation = found.ok()
            if not operation.path.startswith(PANEL_PATHS):
                continue

            @given(case=operation.as_strategy())
            @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def call(case: Any) -> None:
                if case.path_parameters and "case_id" in case.path_parameters:
                    case.path_parameters["case_id"] = 1  # the member's own case: the actions decide
                # a refusal of the rules (422 {rule, detail}) answers schema-valid input by design
                response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
                assert response.status_code < 500, response.text

            call()
            tested.append(f"{operation.method.upper()} {operation.path}")
        assert (
            "POST /api/v1/calibration/{case_id}/votes" in tested
            and "POST /api/v1/surveys/{survey_id}/answers" in tested
        )
