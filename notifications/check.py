"""``bagalau notify test PERSON``: send a test message to each of a person's channels and say what each answered."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from notifications import store
from notifications.channels import Channel, mask
from notifications.config import DeliveryConfig
from notifications.kinds import MessageKind
from notifications.rendering import render
from persistence.uow import UnitOfWork


@dataclass(frozen=True)
class ChannelCheck:
    """One contact of the person: usable or not, and what its channel answered to the test message."""

    channel: str
    address: str
    ok: bool
    response: str


def check_channels(
    engine: sa.Engine, person_ref: str, *, channel: Channel, config: DeliveryConfig
) -> tuple[str, list[ChannelCheck]]:
    """The person's name and one check per contact (a contact that cannot be used is a failed check)."""
    with UnitOfWork(engine, actor="notifications:check") as uow:
        person = store.find_person(uow, person_ref, config.url_templates, config.secrets)
    checks = [ChannelCheck(problem.channel, problem.value, False, problem.problem) for problem in person.problems]
    for address in person.addresses:
        payload = {"recipient_name": person.name, "channel": address.channel}
        message = render(MessageKind.TEST_MESSAGE, person.language, payload, False)
        result = channel.send(address, message, message_key=f"test:{person.person_id}:{address.channel}")
        checks.append(ChannelCheck(address.channel, mask(address.address), result.ok, result.response))
    return person.name, checks
