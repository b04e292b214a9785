"""HR's edit of a 360 survey's respondents by change — who is added, who removed (T-4, T-7) — as the scenario
contract and a form with two lists give it; :func:`application.actions.survey.edit_respondents` replaces the list
and checks the law (before any answer, 3 to 7 respondents, HR only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from application.actions.survey import RespondentsEdited, _survey_of, edit_respondents
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from domain.errors import Phrase
from domain.survey360 import natural_key


def change_respondents(
    env: Environment,
    principal: Principal,
    *,
    as_of: date,
    evaluatee: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    year: int | None = None,
) -> RespondentsEdited:
    """HR (``principal``) adds ``add`` to and removes ``remove`` from the respondents of ``evaluatee``'s survey
    before anyone has answered (T-4). Refused naming T-4: removing someone who is not a respondent, adding one who
    already is; and whatever :func:`edit_respondents` refuses (T-4, T-7)."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        evaluatee_id = ctx.person_id(evaluatee)
        survey = _survey_of(ctx, evaluatee_id, evaluatee, year, as_of)
        current = [
            ctx.numbers[row.respondent_id] for row in uow.surveys.respondents(survey.id) if row.relation != "self"
        ]
        survey_year = survey.year
    strangers = [person for person in remove if person not in current]
    if strangers:
        raise Rejected.by_rule(
            "T-4",
            Phrase(
                "{strangers} not among the respondents of {evaluatee}: cannot remove",
                strangers=", ".join(strangers),
                evaluatee=evaluatee,
            ),
        )
    repeated = [person for person in add if person in current]
    if repeated:
        raise Rejected.by_rule(
            "T-4",
            Phrase(
                "{repeated} already among the respondents of {evaluatee}",
                repeated=", ".join(repeated),
                evaluatee=evaluatee,
            ),
        )
    wanted = sorted({*current, *add} - set(remove), key=natural_key)
    return edit_respondents(env, principal, as_of=as_of, evaluatee=evaluatee, respondents=wanted, year=survey_year)
