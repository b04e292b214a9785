"""Who attends a Commission meeting (M-7), recorded by HR (its working body), and the seat a vote counts for.

HR or the secretary records who attends (additive: a second record adds people); without a record, the members
who vote on the meeting day are those present; the chair is never assumed present
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
from domain.errors import Phrase, RuleViolation
from domain.facts import CommissionComposition
from domain.routing import voting_seat
from domain.votes import check_attendance
from persistence import annual_state


@dataclass(frozen=True)
class AttendanceRecorded:
    """The members present at the meeting after the record (seats), whether the secretary attends, how many new."""

    meeting_id: int
    present: tuple[str, ...]
    secretary_present: bool
    newly_recorded: int


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
    """HR or the secretary (``principal``) records who attends the Commission's meeting of ``as_of`` (M-7): members,
    people acting for absent members (G-7, in that member's seat), the secretary (who does not count for the
    quorum). A record adds to those present (members who voted are present); once there is one, only members
    recorded present vote. Refused naming M-7: no meeting that day, a person who is none of those, a recorder who
    is neither HR nor the secretary."""
    with transaction(env, principal) as uow:
        ctx = BodyContext.acting(env, uow, principal, as_of)
        panel = composition(ctx)
        recorder = ctx.acting_person(principal)
        if recorder not in ctx.hr and principal.person != panel.secretary:
            raise Rejected.by_rule(
                "M-7", Phrase("{person} is not in the HR service, which records attendance", person=principal.person)
            )
        meeting = annual_state.meeting_on(uow.session, ctx.body_id, as_of)
        if meeting is None:
            raise Rejected.by_rule("M-7", Phrase("the Commission does not meet on {as_of}", as_of=as_of))
        held = seats(ctx, panel, present, as_of)
        try:
            attendance = check_attendance(list(present), list(panel.members), panel.secretary, held)
        except RuleViolation as violation:
            raise Rejected.from_violation(violation) from None
        added = uow.commission.record_presence(meeting["id"], [ctx.person_id(member) for member in attendance.present])
        uow.commission.update_meeting(
            meeting["id"], attendance_recorded_on=as_of, reason=f"attendance recorded: {', '.join(present)} (M-7)"
        )
        uow.audit("commission_meeting", meeting["id"], "attendance", after={"present": list(present)})
        present_now = tuple(ctx.numbers[person] for person in uow.commission.get(meeting["id"]).present)
        return AttendanceRecorded(meeting["id"], present_now, attendance.secretary_present, added)


def recorded_attendance(ctx: BodyContext, meeting_id: int) -> list[str] | None:
    """The members recorded present at a meeting, or ``None`` when HR recorded no attendance (M-7)."""
    meeting = ctx.uow.commission.get(meeting_id)
    if meeting.attendance_recorded_on is None:
        return None
    return [ctx.numbers[person] for person in meeting.present]
