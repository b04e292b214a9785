"""``survey_360``: the yearly 360 survey (T-1…T-8) of one body or all (``application.cycle.survey``)."""

from __future__ import annotations

from datetime import date

from prefect import Flow, flow

from application.context import body_ids
from application.cycle import survey
from application.cycle.survey import SurveyStep
from application.environment import Environment


def build(env: Environment) -> Flow[..., dict[int, SurveyStep]]:
    @flow(name="survey_360", log_prints=False)
    def survey_360(
        body: str | None = None, year: int | None = None, as_of: date | None = None
    ) -> dict[int, SurveyStep]:
        """The yearly 360 survey: open it, invite respondents, remind, close and refuse thin reports (T-1…T-8)."""
        day = env.clock.as_of(as_of)
        surveyed = day.year - 1 if year is None else year
        return {body_id: survey.survey_360(env, body_id, surveyed, day) for body_id in body_ids(env, body)}

    return survey_360
