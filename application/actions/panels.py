"""Thin actions the panels' door needed and the services lacked: the Commission's attendance (M-7).

The quorum of a meeting counts the members present (two thirds, 004 §31): a member who votes is recorded present
by ``commission_vote``; the secretary — or HR, its working body — records the others who came without voting yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.actions.commission import composition
from application.context import BodyContext, transaction
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal
from persistence import annual_state


@dataclass(frozen=True)
class AttendanceRecorded:
    meeting_id: int
    present: tuple[str, ...]
    newly_recorded: int


def record_attendance(
    env: Environment, principal: Principal, *, as_of: date, present: Sequence[str]
) -> AttendanceRecorded:
    """M-7: the secretary or HR records the members present at today's meeting (for the quorum); only members of
    the Commission, only on the meeting day; recording someone twice changes nothing."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        me = ctx.acting_person(principal)
        panel = composition(ctx)
        if me not in ctx.hr and principal.person != panel.secretary:
            raise Rejected.by_rule("M-7", f"{principal.person} is neither the secretary nor in the HR service")
        found = annual_state.meeting_on(uow.session, ctx.body_id, as_of)
        if found is None:
            raise Rejected.by_rule("M-7", f"the Commission does not meet on {as_of.isoformat()}")
        wanted = list(dict.fromkeys(present))
        strangers = [person for person in wanted if person not in panel.members]
        if strangers:
            raise Rejected.by_rule(
                "M-7", f"{', '.join(strangers)} not a member of the Commission ({', '.join(panel.members)})"
            )
        if not wanted:
            raise Rejected.by_rule("M-7", "name at least one member present")
        added = uow.commission.record_presence(found["id"], [ctx.ids[person] for person in wanted])
        if added:
            uow.audit("commission_meeting", found["id"], "attendance", after={"present": wanted})
        return AttendanceRecorded(int(found["id"]), tuple(wanted), added)
