"""Calibration cases (C-2…C-8) and the Evaluation Commission (M-7): compositions, votes, decisions.

A case is opened once per evaluation (``open_case`` is idempotent); its composition is replaced as a whole and
audited (R-4: "every change of a composition"); a member votes once (``vote`` returns ``False`` the second time)
and only members can vote — the database refuses anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from domain.vocabulary import CalibrationStatus, ResultCategory
from persistence.models import (
    CalibrationCaseRow,
    CalibrationMemberRow,
    CalibrationVoteRow,
    CommissionAttendanceRow,
    CommissionDecisionRow,
    CommissionMeetingRow,
    CommissionVoteRow,
)
from persistence.records import (
    CalibrationCase,
    CalibrationVote,
    CommissionDecision,
    CommissionMeeting,
    CommissionVote,
    DateMove,
)
from persistence.repositories.base import Repository, optional


class NotAMember(ValueError):
    """A vote by someone who is not in the session's composition (C-5) or not present at the meeting (M-7)."""


class CalibrationRepository(Repository):
    """Calibration sessions: one case per disputed evaluation, its composition, votes and protocol dates."""

    UPDATABLE = frozenset(
        {
            "status",
            "decide_by",
            "hold_by",
            "decided_on",
            "decided_by_id",
            "held_on",
            "protocol_signed_on",
            "protocol_hash",
            "protocol_post_by",
            "posted_on",
            "feedback_meeting_on",
            "feedback_held_on",
            "final_score",
            "final_category",
        }
    )

    def open_case(
        self,
        evaluation_id: int,
        *,
        applied_on: date,
        application_text: str | None = None,
        decide_by: date | None = None,
        hold_by: date | None = None,
    ) -> tuple[CalibrationCase, bool]:
        """The case of a disputed evaluation, opened if new (C-2); ``(case, created)``. Race-safe."""
        values = {
            "evaluation_id": evaluation_id,
            "status": CalibrationStatus.APPLIED.value,
            "applied_on": applied_on,
            "application_text": application_text,
            "decide_by": decide_by,
            "hold_by": hold_by,
        }
        new_id = self._insert_new(CalibrationCaseRow.__table__, values, ("evaluation_id",))
        case = self.for_evaluation(evaluation_id)
        assert case is not None
        if new_id is not None:
            self._audit.record("calibration_case", new_id, "apply", after={"evaluation_id": evaluation_id})
        return case, new_id is not None

    def get(self, case_id: int) -> CalibrationCase:
        return self._case(self._get(CalibrationCaseRow, case_id))

    def for_evaluation(self, evaluation_id: int) -> CalibrationCase | None:
        statement = sa.select(CalibrationCaseRow).filter_by(evaluation_id=evaluation_id)
        row = self.session.execute(statement).scalar_one_or_none()
        return None if row is None else self._case(row)

    def with_status(self, statuses: Iterable[CalibrationStatus]) -> list[CalibrationCase]:
        """Cases in ``statuses`` (e.g. everything not closed, for the daily sweep), by id."""
        statement = sa.select(CalibrationCaseRow).where(
            CalibrationCaseRow.status.in_([status.value for status in statuses])
        )
        return [self._case(row) for row in self.session.execute(statement.order_by(CalibrationCaseRow.id)).scalars()]

    #: P-7: the C-3/C-4/C-7 dates a calendar override may recompute, each while its step is not done.
    CALENDAR_MOVABLE: Mapping[str, str] = {
        "decide_by": "status <> 'closed' AND decided_on IS NULL",
        "hold_by": "status <> 'closed' AND held_on IS NULL",
        "protocol_post_by": "status <> 'closed' AND posted_on IS NULL",
    }

    def move_dates(self, moves: Sequence[DateMove], *, reason: str) -> list[DateMove]:
        """P-7: C-3/C-4/C-7 dates of cases recomputed because a calendar override moved them (decision 0196),
        set-based (one lock, one ``UPDATE`` per column, one audit insert: ``calendar_move`` with ``reason``); a date
        moves only while it is still the one read and its step is not done. Returns the moves made, in order."""
        table = CalibrationCaseRow.__table__
        return self._move_dates(table, moves, still_open=self.CALENDAR_MOVABLE, reason=reason)

    def compose(
        self,
        case_id: int,
        *,
        members: Sequence[int],
        hr_members: Sequence[int] = (),
        decided_on: date,
        decided_by_id: int,
        reason: str | None = None,
    ) -> CalibrationCase:
        """Set the composition approved by the appointing official (C-3) and mark the case ``composed``.

        Replaces any earlier composition (audited with before and after); refused once someone has voted.
        ``hr_members`` are the HR employees among ``members`` (C-5). The rules of C-5 (odd, at least 3, never the
        employee or their evaluator) are the domain's to check before calling this.
        """
        row = self._get(CalibrationCaseRow, case_id, for_update=True)
        if self._votes(case_id):
            raise ValueError(f"calibration case {case_id}: votes were cast, the composition can no longer change")
        before = self._members(case_id)
        self.session.execute(sa.delete(CalibrationMemberRow).where(CalibrationMemberRow.case_id == case_id))
        self.session.add_all(
            CalibrationMemberRow(case_id=case_id, person_id=person, is_hr=person in hr_members) for person in members
        )
        self.session.flush()
        self._audit.record(
            "calibration_case",
            case_id,
            "compose",
            before={"members": [person for person, _ in before]},
            after={"members": list(members), "hr_members": list(hr_members)},
            reason=reason,
        )
        changes = {"status": CalibrationStatus.COMPOSED, "decided_on": decided_on, "decided_by_id": decided_by_id}
        self._update(row, changes, allowed=self.UPDATABLE, entity_id=case_id, reason=reason)
        return self._case(row)

    def vote(
        self, case_id: int, *, person_id: int, score: Decimal, voted_on: date, argument: str | None = None
    ) -> bool:
        """Record a member's vote (C-6); ``False`` if they had voted already. ``NotAMember`` for anyone else."""
        if person_id not in {person for person, _ in self._members(case_id)}:
            raise NotAMember(f"person {person_id} is not a member of calibration case {case_id} (C-5)")
        values = {
            "case_id": case_id,
            "person_id": person_id,
            "score": score,
            "voted_on": voted_on,
            "argument": argument,
        }
        created = self._insert_new(CalibrationVoteRow.__table__, values, ("case_id", "person_id")) is not None
        if created:
            self._audit.record("calibration_case", case_id, "vote", after={"person_id": person_id, "score": str(score)})
        return created

    def update(self, case_id: int, *, reason: str | None = None, **changes: Any) -> CalibrationCase:
        """Change a case's dates, status or final result (audited, R-4)."""
        row = self._get(CalibrationCaseRow, case_id, for_update=True)
        self._update(row, changes, allowed=self.UPDATABLE, entity_id=case_id, reason=reason)
        return self._case(row)

    def _members(self, case_id: int) -> list[tuple[int, bool]]:
        statement = (
            sa.select(CalibrationMemberRow.person_id, CalibrationMemberRow.is_hr)
            .where(CalibrationMemberRow.case_id == case_id)
            .order_by(CalibrationMemberRow.id)
        )
        return [(person, is_hr) for person, is_hr in self.session.execute(statement)]

    def _votes(self, case_id: int) -> list[CalibrationVote]:
        statement = (
            sa.select(CalibrationVoteRow).where(CalibrationVoteRow.case_id == case_id).order_by(CalibrationVoteRow.id)
        )
        return [
            CalibrationVote(row.person_id, row.score, row.voted_on, row.argument)
            for row in self.session.execute(statement).scalars()
        ]

    def _case(self, row: CalibrationCaseRow) -> CalibrationCase:
        members = self._members(row.id)
        return CalibrationCase(
            id=row.id,
            evaluation_id=row.evaluation_id,
            status=CalibrationStatus(row.status),
            applied_on=row.applied_on,
            application_text=row.application_text,
            decide_by=row.decide_by,
            hold_by=row.hold_by,
            decided_on=row.decided_on,
            decided_by_id=row.decided_by_id,
            held_on=row.held_on,
            protocol_signed_on=row.protocol_signed_on,
            protocol_hash=row.protocol_hash,
            protocol_post_by=row.protocol_post_by,
            posted_on=row.posted_on,
            feedback_meeting_on=row.feedback_meeting_on,
            feedback_held_on=row.feedback_held_on,
            final_score=row.final_score,
            final_category=optional(ResultCategory, row.final_category),
            members=tuple(person for person, _ in members),
            hr_members=tuple(person for person, is_hr in members if is_hr),
            votes=tuple(self._votes(row.id)),
        )


class CommissionRepository(Repository):
    """The Evaluation Commission's meetings, attendance, votes and decisions (M-7)."""

    MEETING_UPDATABLE = frozenset(
        {"notice_sent_on", "protocol_signed_on", "approved_by_id", "approved_on", "attendance_recorded_on"}
    )

    def schedule(
        self, *, body_id: int, year: int, meeting_date: date, scheduled_by_id: int | None, scheduled_on: date
    ) -> tuple[CommissionMeeting, bool]:
        """The meeting of the body on ``meeting_date``, scheduled if new (HR sets the date, M-7); race-safe."""
        values = {
            "body_id": body_id,
            "year": year,
            "meeting_date": meeting_date,
            "scheduled_by_id": scheduled_by_id,
            "scheduled_on": scheduled_on,
        }
        new_id = self._insert_new(CommissionMeetingRow.__table__, values, ("body_id", "meeting_date"))
        statement = sa.select(CommissionMeetingRow).filter_by(body_id=body_id, meeting_date=meeting_date)
        meeting = self._meeting(self.session.execute(statement).scalar_one())
        if new_id is not None:
            after = {"meeting_date": meeting_date.isoformat()}
            self._audit.record("commission_meeting", new_id, "schedule", after=after)
        return meeting, new_id is not None

    def get(self, meeting_id: int, *, for_update: bool = False) -> CommissionMeeting:
        """A meeting; ``for_update`` locks its row until the transaction ends (the approval, M-7)."""
        return self._meeting(self._get(CommissionMeetingRow, meeting_id, for_update=for_update))

    def meetings(self, body_id: int, year: int) -> list[CommissionMeeting]:
        statement = (
            sa.select(CommissionMeetingRow)
            .filter_by(body_id=body_id, year=year)
            .order_by(CommissionMeetingRow.meeting_date)
        )
        return [self._meeting(row) for row in self.session.execute(statement).scalars()]

    def record_presence(self, meeting_id: int, person_ids: Iterable[int]) -> int:
        """Record members present at a meeting (for the quorum); returns how many were newly recorded."""
        table = CommissionAttendanceRow.__table__
        return sum(
            self._insert_new(table, {"meeting_id": meeting_id, "person_id": person}, ("meeting_id", "person_id"))
            is not None
            for person in person_ids
        )

    def vote(
        self,
        meeting_id: int,
        *,
        evaluation_id: int,
        person_id: int,
        decision: str,
        voted_on: date,
        revised_category: ResultCategory | None = None,
    ) -> bool:
        """A present member's open vote (``approve`` or ``revise``); ``False`` if they had voted on it already."""
        if person_id not in self._present(meeting_id):
            raise NotAMember(f"person {person_id} is not recorded as present at commission meeting {meeting_id} (M-7)")
        values = {
            "meeting_id": meeting_id,
            "evaluation_id": evaluation_id,
            "person_id": person_id,
            "decision": decision,
            "revised_category": revised_category.value if revised_category else None,
            "voted_on": voted_on,
        }
        key = ("meeting_id", "evaluation_id", "person_id")
        return self._insert_new(CommissionVoteRow.__table__, values, key) is not None

    def votes(self, meeting_id: int, evaluation_id: int | None = None) -> list[CommissionVote]:
        statement = sa.select(CommissionVoteRow).filter_by(meeting_id=meeting_id)
        if evaluation_id is not None:
            statement = statement.filter_by(evaluation_id=evaluation_id)
        return [
            CommissionVote(
                row.meeting_id,
                row.evaluation_id,
                row.person_id,
                row.decision,
                optional(ResultCategory, row.revised_category),
                row.voted_on,
            )
            for row in self.session.execute(statement.order_by(CommissionVoteRow.id)).scalars()
        ]

    def decide(
        self,
        meeting_id: int,
        *,
        evaluation_id: int,
        decision: str,
        decided_on: date,
        result_category: ResultCategory | None = None,
        result_score: Decimal | None = None,
    ) -> bool:
        """Record the Commission's decision on one evaluation (audited); ``False`` if already decided."""
        values = {
            "meeting_id": meeting_id,
            "evaluation_id": evaluation_id,
            "decision": decision,
            "result_category": result_category.value if result_category else None,
            "result_score": result_score,
            "decided_on": decided_on,
        }
        new_id = self._insert_new(CommissionDecisionRow.__table__, values, ("meeting_id", "evaluation_id"))
        if new_id is not None:
            after = {"evaluation_id": evaluation_id, "decision": decision, "result_category": values["result_category"]}
            self._audit.record("commission_decision", new_id, "decide", after=after)
        return new_id is not None

    def decisions(self, meeting_id: int) -> list[CommissionDecision]:
        statement = sa.select(CommissionDecisionRow).filter_by(meeting_id=meeting_id).order_by(CommissionDecisionRow.id)
        return [
            CommissionDecision(
                row.meeting_id,
                row.evaluation_id,
                row.decision,
                optional(ResultCategory, row.result_category),
                row.result_score,
                row.decided_on,
            )
            for row in self.session.execute(statement).scalars()
        ]

    def update_meeting(self, meeting_id: int, *, reason: str | None = None, **changes: Any) -> CommissionMeeting:
        """Record a meeting's notice, protocol signature or approval by the appointing official (audited)."""
        row = self._get(CommissionMeetingRow, meeting_id, for_update=True)
        self._update(row, changes, allowed=self.MEETING_UPDATABLE, entity_id=meeting_id, reason=reason)
        return self._meeting(row)

    def _present(self, meeting_id: int) -> list[int]:
        statement = (
            sa.select(CommissionAttendanceRow.person_id)
            .where(CommissionAttendanceRow.meeting_id == meeting_id)
            .order_by(CommissionAttendanceRow.id)
        )
        return list(self.session.execute(statement).scalars())

    def _meeting(self, row: CommissionMeetingRow) -> CommissionMeeting:
        return CommissionMeeting(
            id=row.id,
            body_id=row.body_id,
            year=row.year,
            meeting_date=row.meeting_date,
            scheduled_by_id=row.scheduled_by_id,
            scheduled_on=row.scheduled_on,
            notice_sent_on=row.notice_sent_on,
            protocol_signed_on=row.protocol_signed_on,
            approved_by_id=row.approved_by_id,
            approved_on=row.approved_on,
            present=tuple(self._present(row.id)),
            attendance_recorded_on=row.attendance_recorded_on,
        )
