"""Thin actions the panels' door needed and the services lacked: the Commission's attendance (M-7).

The quorum of a meeting counts the members present (two thirds, 004 §31): a member who votes is recorded present
by ``commission_vote``; the secretary — or HR, its working body — records the others who came without voting yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from application.actions import attendance as recorded
from application.environment import Environment
from application.errors import Rejected
from domain.access import Principal

AttendanceRecorded = recorded.AttendanceRecorded
"""The record of a meeting's attendance (``application.actions.attendance``)."""


def record_attendance(
    env: Environment, principal: Principal, *, as_of: date, present: Sequence[str]
) -> AttendanceRecorded:
    """M-7: the secretary or HR records who is present at today's meeting (for the quorum) — one action with the
    scenario contract's ``commission_attendance``: members, people acting for an absent member (G-7), the
    secretary; anyone else is refused."""
    if not present:
        raise Rejected.by_rule("M-7", "name at least one member present")
    return recorded.record_attendance(env, principal, as_of=as_of, present=list(dict.fromkeys(present)))
