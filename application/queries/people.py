"""Who holds a duty in a body on a day (G-6): the principals an entrance acts as when a person is implied."""

from __future__ import annotations

from datetime import date

from application.context import BodyContext, resolve_body
from application.environment import Environment
from domain.access import Principal
from domain.vocabulary import Role

LOOKUP = Principal.system_step("lookup")


def hr_service(env: Environment, body: str | None, on: date) -> list[Principal]:
    """The HR service staff of ``body`` (the only body when ``None``) on ``on``, as principals, in role order."""
    with env.unit_of_work(LOOKUP) as uow:
        ctx = BodyContext(env, uow, resolve_body(uow, body), on)
        code = uow.org.body(ctx.body_id).code
        return [Principal.of_person(ctx.numbers[person], body=code, roles=[Role.HR]) for person in ctx.hr]
