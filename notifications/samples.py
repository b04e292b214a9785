"""A realistic payload for every message kind: for ``bagalau notify preview`` and the template tests.

Each holds exactly what the flows put in the outbox for that kind (dates as ISO strings, as JSON stores them).
"""

from __future__ import annotations

from typing import Any

from notifications.kinds import MessageKind

_EVALUATION = {"period": "2025-Q1", "method": "differentiation"}
_RESULT = {"score": 4.37, "category": "effective", "rulebook": "kz-model-2018"}
_CALIBRATION = {"employee_name": "Аружан Ахметова", "period": "2025-Q1"}

SAMPLE_PAYLOADS: dict[str, dict[str, Any]] = {
    MessageKind.EVALUATION_NOTICE: {**_EVALUATION, "deadline": "2025-04-10", "evaluator_name": "Айгерім Сәрсенова"},
    MessageKind.SHEET_REQUEST: {
        **_EVALUATION,
        "evaluatee_name": "Аружан Ахметова",
        "deadline": "2025-04-10",
        "sheet_link": "https://bagalau.example.kz/sheets/42",
    },
    MessageKind.REMINDER: {
        "period": "2025-Q1",
        "evaluatee_name": "Аружан Ахметова",
        "deadline": "2025-04-10",
        "sheet_link": "https://bagalau.example.kz/sheets/42",
    },
    MessageKind.OVERDUE_EVALUATOR: {
        "period": "2025-Q1",
        "evaluatee_name": "Аружан Ахметова",
        "deadline": "2025-04-10",
        "sheet_link": "https://bagalau.example.kz/sheets/42",
    },
    MessageKind.OVERDUE_HEAD: {
        "period": "2025-Q1",
        "evaluatee_name": "Аружан Ахметова",
        "evaluator_name": "Айгерім Сәрсенова",
        "deadline": "2025-04-10",
    },
    MessageKind.OVERDUE_HR: {
        "period": "2025-Q1",
        "evaluatee_name": "Аружан Ахметова",
        "evaluator_name": "Айгерім Сәрсенова",
        "deadline": "2025-04-10",
    },
    MessageKind.PERIOD_OPENED_LATE: {"period": "2025-Q1", "opened_on": "2025-04-07", "notice_due": "2025-04-05"},
    MessageKind.RESULT_READY: {
        "period": "2025-Q1",
        **_RESULT,
        "ack_link": "https://bagalau.example.kz/ack/42",
        "disagree_by": "2025-04-21",
    },
    MessageKind.ACQUAINTANCE_RECORDED_DELIVERY: {
        "period": "2025-Q1",
        **_RESULT,
        "ack_link": "https://bagalau.example.kz/ack/42",
        "disagree_by": "2025-05-12",
    },
    MessageKind.ACQUAINTANCE_OVERDUE: {
        "period": "2025-Q1",
        "evaluatee_name": "Аружан Ахметова",
        "acquaint_by": "2025-04-17",
    },
    MessageKind.DISAGREEMENT_RECEIVED: {
        **_CALIBRATION,
        "applied_on": "2025-04-15",
        "decide_by": "2025-04-18",
        "text": "Бағамен келіспеймін: тоқсандағы жобалар есепке алынбаған.",
    },
    MessageKind.CALIBRATION_DECIDED: {
        **_CALIBRATION,
        "members": ["Ерлан Жаксыбеков", "Дина Омарова", "Серік Байжанов"],
        "hold_by": "2025-04-29",
    },
    MessageKind.CALIBRATION_SESSION_INVITATION: {
        **_CALIBRATION,
        "session_at": "2025-04-24T15:00:00+05:00",
        "place": "2-қабат, 204-бөлме",
    },
    MessageKind.CALIBRATION_WINDOW_MISSED: {**_CALIBRATION, "step": "decision", "due_on": "2025-04-18"},
    MessageKind.CALIBRATION_NO_MAJORITY: {**_CALIBRATION, "voted_on": "2025-04-24"},
    MessageKind.PROTOCOL_POSTED: {
        **_CALIBRATION,
        **_RESULT,
        "link": "https://bagalau.example.kz/calibration/7",
    },
    MessageKind.FEEDBACK_MEETING: {
        **_CALIBRATION,
        "evaluator_name": "Айгерім Сәрсенова",
        "meeting_at": "2025-05-05T11:00:00+05:00",
    },
    MessageKind.SURVEY_360_INVITATION: {
        "evaluatee_name": "Аружан Ахметова",
        "year": 2025,
        "deadline": "2026-01-10",
        "link": "https://bagalau.example.kz/survey/3",
    },
    MessageKind.SURVEY_360_REMINDER: {
        "evaluatee_name": "Аружан Ахметова",
        "deadline": "2026-01-10",
        "link": "https://bagalau.example.kz/survey/3",
    },
    MessageKind.SURVEY_360_CLOSED: {"evaluatee_name": "Аружан Ахметова", "year": 2025, "responses": 2, "minimum": 3},
    MessageKind.COMMISSION_SCHEDULE_NOTICE: {"period": "2025", "meeting_date": "2026-01-20"},
    MessageKind.COMMISSION_DECISION: {
        "period": "2025",
        "decision": "revised",
        "category": "effective",
        "rulebook": "kz-model-2018",
    },
    MessageKind.COMMISSION_APPROVAL_REQUEST: {
        "period": "2025",
        "meeting_date": "2026-01-20",
        "results": 4,
        "link": "https://bagalau.example.kz/commission",
    },
    MessageKind.REFUSAL_ACT: {"period": "2025", "act_date": "2026-01-23", **_RESULT},
    MessageKind.APPEAL_OUTCOME: {"period": "2025", "outcome": "revised", **_RESULT},
    MessageKind.SUNSET_WARNING: {
        "period": "2022",
        "employee_name": "Аружан Ахметова",
        "valid_until": "2023-08-31",
    },
    MessageKind.APPEAL_WINDOW: {"period": "2025", "appeal_by": "2026-02-06"},
    MessageKind.SHEET_RETURNED: {
        "period": "2025",
        "evaluatee_name": "Аружан Ахметова",
        "reason": "НМИ-2 бойынша растайтын құжаттар жоқ.",
        "resubmit_by": "2026-01-15",
        "score": 3.5,
        "sheet_link": "https://bagalau.example.kz/sheets/42",
    },
    MessageKind.DELIVERY_FAILED: {
        "original_kind": "result_ready",
        "recipient": "Аружан Ахметова",
        "reason": "gave up after 5 attempt(s): email a.akhmetova@example.kz: Connection refused",
        "attempts": 5,
    },
    MessageKind.OPERATOR_ALERT: {
        "problem": "failed",
        "step": "daily-sweep",
        "run_name": "daily-sweep-demo-2025-04-01",
        "error": "the sweep of 2025-04-01 failed for 1 body(ies): body demo: no rulebook is assigned (G-3)",
        "run_link": "http://127.0.0.1:4200/runs/flow-run/0b5c…",
        "runs_link": "https://bagalau.example.kz/hr/runs",
        "rerun_command": "bagalau rerun daily_sweep --body demo --as-of 2025-04-01",
        "orchestrator": "Prefect",
    },
    MessageKind.TEST_MESSAGE: {"channel": "email"},
}
