"""Who attends a Commission meeting (M-7), recorded by HR (its working body), and the seat a vote counts for.

Without a record, the members who vote on the meeting day are those present; the chair is never assumed present
(``domain.votes.meeting_attendance``). A person acting for an absent member (G-7) sits and votes in that member's
seat; the secretary attends but neither counts for the quorum nor votes.
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
from domain.errors import RuleViolation
from domain.facts import CommissionComposition
from domain.routing import voting_seat
from domain.votes import check_attendance
from persistence import annual_state


@dataclass(frozen=True)
class AttendanceRecorded:
    meeting_id: int
    present: tuple[str, ...]
    secretary_present: bool


def seats(ctx: BodyContext, panel: CommissionComposition, people: Sequence[str], day: date) -> dict[str, str]:
    """G-7: person → the member whose seat they hold on ``day`` (their own, or an absent member's)."""
    found: dict[str, str] = {}
    for person in people:
        if person not in ctx.org.employees_by_id:
            continue
        seat = voting_seat(person, list(panel.members), ctx.org, day)
        if seat is not None:
            found[person] = seat
    return found


def record_attendance(
    env: Environment, principal: Principal, *, as_of: date, present: Sequence[str]
) -> AttendanceRecorded:
    """HR (``principal``) records who attends the Commission's meeting of ``as_of`` (M-7): members, people acting
    for absent members (G-7), the secretary. Refused naming M-7: no meeting that day, a person who is neither, a
    member who already voted that day left out of the list, a recorder outside HR."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        panel = composition(ctx)
        recorder = ctx.acting_person(principal)
        if recorder not in ctx.hr and principal.person != panel.secretary:
            raise Rejected.by_rule("M-7", f"{principal.person} is not in the HR service, which records attendance")
        meeting = annual_state.meeting_on(uow.session, ctx.body_id, as_of)
        if meeting is None:
            raise Rejected.by_rule("M-7", f"the Commission does not meet on {as_of.isoformat()}")
        held = seats(ctx, panel, present, as_of)
        try:
            attendance = check_attendance(list(present), list(panel.members), panel.secretary, held)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        voted = {ctx.numbers[vote.person_id] for vote in uow.commission.votes(meeting["id"])}
        missing = sorted(voted - set(attendance.present))
        if missing:
            raise Rejected.by_rule(
                "M-7", f"{', '.join(missing)} voted at the meeting of {as_of.isoformat()} and must be listed as present"
            )
        uow.commission.record_presence(meeting["id"], [ctx.person_id(member) for member in attendance.present])
        uow.commission.update_meeting(
            meeting["id"], attendance_recorded_on=as_of, reason=f"attendance recorded: {', '.join(present)} (M-7)"
        )
        return AttendanceRecorded(meeting["id"], attendance.present, attendance.secretary_present)


def recorded_attendance(ctx: BodyContext, meeting_id: int) -> list[str] | None:
    """The members recorded present at a meeting, or ``None`` when HR recorded no attendance (M-7)."""
    meeting = ctx.uow.commission.get(meeting_id)
    if meeting.attendance_recorded_on is None:
        return None
    return [ctx.numbers[person] for person in meeting.present]
