"""The fixed list of message kinds: one Jinja template per kind and language (kk, ru, en).

Values are snake_case words stored in the outbox and shown in reports, so they never change once released.
Each kind names the rule that makes the message necessary.
"""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    """What a message is about; decides its template and whether it may carry a result (R-2)."""

    EVALUATION_NOTICE = "evaluation_notice"
    """P-4: to the evaluatee — their evaluation is due (heads of units by the 5th, others by the 10th)."""

    SHEET_REQUEST = "sheet_request"
    """D-1, K-4, Q-1: to the evaluator — the sheet to fill in for an evaluatee, with its deadline (P-1, P-2)."""

    REMINDER = "reminder"
    """P-1, P-2: to the evaluator — the sheet deadline is near (days before it, per the rulebook's reminders)."""

    OVERDUE_EVALUATOR = "overdue_evaluator"
    """P-1, P-2, escalation level 1: to the evaluator — the sheet deadline has passed."""

    OVERDUE_HEAD = "overdue_head"
    """P-1, P-2, escalation level 2: to the evaluator's own head — the evaluator missed the deadline."""

    OVERDUE_HR = "overdue_hr"
    """P-1, P-2, G-6, escalation level 3: to HR — the sheet is still missing after both escalations."""

    PERIOD_OPENED_LATE = "period_opened_late"
    """P-4, P-6: to HR — a period was opened after its notice date, so the notices went out late."""

    RESULT_READY = "result_ready"
    """C-1, Q-4, M-8: to the evaluatee — the result, with the link to acknowledge it (acquaintance)."""

    ACQUAINTANCE_RECORDED_DELIVERY = "acquaintance_recorded_delivery"
    """E-3, E-4, Q-4, C-1: to an absent or dismissed evaluatee — the result by a means that records delivery."""

    ACQUAINTANCE_OVERDUE = "acquaintance_overdue"
    """C-1 (M-8): to HR — nobody was made acquainted with a result by its acquaintance date; no result (R-2)."""

    DISAGREEMENT_RECEIVED = "disagreement_received"
    """C-2, C-3: to the appointing official and HR — an employee disagrees; decide on a session in 3 working days."""

    CALIBRATION_DECIDED = "calibration_decided"
    """C-3, C-5: to the session's members — the session will be held, with its composition and hold-by date."""

    CALIBRATION_SESSION_INVITATION = "calibration_session_invitation"
    """C-4, C-6: to the members, the evaluator and the employee — when and where the session takes place."""

    CALIBRATION_WINDOW_MISSED = "calibration_window_missed"
    """C-3, C-4, C-10: to HR — the decision or the session was not held within its working-day window."""

    CALIBRATION_NO_MAJORITY = "calibration_no_majority"
    """C-6: to HR and the appointing official — every member voted, no score has a majority; no votes (R-2)."""

    PROTOCOL_POSTED = "protocol_posted"
    """C-6, C-7: to the employee and the participants — the signed protocol is placed in the system."""

    FEEDBACK_MEETING = "feedback_meeting"
    """C-8: to the employee and the evaluator — the feedback meeting after the session."""

    SURVEY_360_INVITATION = "survey_360_invitation"
    """T-1, T-4, T-8: to a respondent — answer the anonymous 360 survey about a colleague by a date."""

    SURVEY_360_REMINDER = "survey_360_reminder"
    """T-1, T-8: to a respondent who has not answered yet — the 360 survey closes soon."""

    SURVEY_360_CLOSED = "survey_360_closed"
    """T-4, T-7: to HR — a 360 survey closed with fewer answers than the minimum; counts only, never names (T-8)."""

    COMMISSION_SCHEDULE_NOTICE = "commission_schedule_notice"
    """M-7: to the evaluators — the Commission's meeting date, 7 (002 ch. 6: 3) working days ahead."""

    COMMISSION_DECISION = "commission_decision"
    """M-7: to the employee — the Commission approved or revised the result; the appointing official approved it."""

    COMMISSION_APPROVAL_REQUEST = "commission_approval_request"
    """M-7 (004 §39): to the appointing official — the Commission's protocol is signed; approve its results, which
    take effect only then. No result (R-2): the page shows them to the official."""

    REFUSAL_ACT = "refusal_act"
    """M-8: to the employee — they refused to acknowledge; an act was drawn up and the result still stands."""

    APPEAL_WINDOW = "appeal_window"
    """M-9, C-9: to the employee — where and until when the decision can be appealed (10 working days)."""

    APPEAL_OUTCOME = "appeal_outcome"
    """C-9, M-9: to the employee — the appeal was decided: the decision stands, or the revised result replaces it."""

    SUNSET_WARNING = "sunset_warning"
    """M-10: to HR — an evaluation is still open N working days before its rulebook part expires."""

    SHEET_RETURNED = "sheet_returned"
    """M-5: to the direct head — the superior head returned the sheet for correction; resubmit in 2 working days."""

    DELIVERY_FAILED = "delivery_failed"
    """C-1, Q-4, G-6: to HR — a message could not be delivered (dead letter, no channel, broken template)."""

    OPERATOR_ALERT = "operator_alert"
    """G-6, operations: to HR and the operators — a scheduled step (a served Prefect flow run) failed, crashed, is
    late or runs too long; re-run it from the dashboard (``/hr/runs``) or ``bagalau rerun`` (docs/decisions/0160)."""

    TEST_MESSAGE = "test_message"
    """Operations: ``bagalau notify test PERSON`` checks each of a person's channels."""


RESULT_KINDS: frozenset[MessageKind] = frozenset(
    {
        MessageKind.RESULT_READY,
        MessageKind.ACQUAINTANCE_RECORDED_DELIVERY,
        MessageKind.PROTOCOL_POSTED,
        MessageKind.COMMISSION_DECISION,
        MessageKind.REFUSAL_ACT,
        MessageKind.SHEET_RETURNED,
        MessageKind.APPEAL_OUTCOME,
    }
)
"""R-2: the only kinds whose templates may show a score or a category, and only to people allowed to see it."""

SURVEY_360_KINDS: frozenset[MessageKind] = frozenset(
    {MessageKind.SURVEY_360_INVITATION, MessageKind.SURVEY_360_REMINDER, MessageKind.SURVEY_360_CLOSED}
)
"""T-8: kinds about the anonymous 360 survey."""
