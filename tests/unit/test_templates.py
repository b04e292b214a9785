"""Templates: every kind renders in Kazakh, Russian and English (S-1 names, dates in the language), and the renderer
keeps results confidential (R-2) and 360 respondents anonymous (T-8)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from application.cycle.acquaintance import ACQUAINTANCE_OVERDUE
from application.cycle.calibration import NO_MAJORITY
from domain import rulebooks
from domain.vocabulary import Language, ResultCategory
from notifications.dates import format_date, format_datetime, format_score
from notifications.kinds import RESULT_KINDS, MessageKind
from notifications.rendering import (
    TEMPLATES_DIR,
    MissingTemplate,
    MissingVariable,
    PayloadRefused,
    ResultLeak,
    fallback_message,
    render,
    template_name,
)
from notifications.samples import SAMPLE_PAYLOADS

EVERY_KIND_AND_LANGUAGE = list(itertools.product(MessageKind, Language))
LEAKY = {**SAMPLE_PAYLOADS[MessageKind.RESULT_READY], "score": 4.37, "justification": "Жоба мерзімінде тапсырылды"}


def _text(kind: MessageKind, language: Language, allowed: bool = True, **extra: object) -> str:
    message = render(kind, language, {**SAMPLE_PAYLOADS[kind], **extra}, allowed)
    return f"{message.subject}\n{message.body}"


def _legal_names(category: ResultCategory) -> list[str]:
    name = rulebooks.get("kz-model-2018").results.name_of(category)
    return [name.kk, name.ru, name.en]


# --- every kind in every language -------------------------------------------------------------------------


def test_every_kind_has_a_template_file_in_every_language() -> None:
    missing = [
        template_name(kind, language)
        for kind, language in EVERY_KIND_AND_LANGUAGE
        if not (TEMPLATES_DIR / template_name(kind, language)).is_file()
    ]
    assert missing == []


def test_every_kind_has_a_sample_payload() -> None:
    assert set(SAMPLE_PAYLOADS) == set(MessageKind)


@pytest.mark.parametrize(("kind", "language"), EVERY_KIND_AND_LANGUAGE)
def test_every_kind_renders_a_one_line_subject_and_a_body(kind: MessageKind, language: Language) -> None:
    message = render(kind, language, SAMPLE_PAYLOADS[kind], True)

    assert message.subject and "\n" not in message.subject
    assert message.body.strip()
    assert "{{" not in message.body and "{%" not in message.body
    assert message.language == language


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", [Language.KK, Language.RU])
def test_kazakh_and_russian_are_translations_not_copies_of_english(kind: MessageKind, language: Language) -> None:
    english = render(kind, Language.EN, SAMPLE_PAYLOADS[kind], True)
    other = render(kind, language, SAMPLE_PAYLOADS[kind], True)

    assert other.subject != english.subject
    assert other.body != english.body
    from_payload = set(re.findall(r"[a-z]{4,}", str(SAMPLE_PAYLOADS[kind]).lower()))
    template_words = set(re.findall(r"\b[a-z]{4,}\b", english.body.lower())) - from_payload - {"bagalau"}
    shared = template_words & set(re.findall(r"\b[a-z]{4,}\b", other.body.lower()))
    assert shared == set(), f"English words in the {language} template: {shared}"


def test_kazakh_and_russian_texts_are_written_in_cyrillic() -> None:
    for kind, language in itertools.product(MessageKind, [Language.KK, Language.RU]):
        body = render(kind, language, SAMPLE_PAYLOADS[kind], True).body
        assert re.search(r"[а-яәғқңөұүһі]{4}", body, re.IGNORECASE), (kind, language)


def test_kazakh_uses_kazakh_letters() -> None:
    body = _text(MessageKind.EVALUATION_NOTICE, Language.KK)
    assert re.search(r"[әғқңөұүһі]", body)


# --- dates and legal names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [(Language.KK, "10 сәуір 2025 ж."), (Language.RU, "10 апреля 2025 г."), (Language.EN, "10 April 2025")],
)
def test_dates_are_written_in_the_recipients_language(language: Language, expected: str) -> None:
    assert format_date(date(2025, 4, 10), language) == expected
    assert format_date("2025-04-10", language) == expected
    assert expected in _text(MessageKind.EVALUATION_NOTICE, language)


def test_times_and_scores_follow_the_language() -> None:
    assert format_datetime("2025-04-24T15:00:00+05:00", Language.RU) == "24 апреля 2025 г., 15:00"
    assert format_score(4.375, Language.KK) == "4,38"  # S-1: half-up to two decimals
    assert format_score("4.2", Language.EN) == "4.20"


def test_a_sentence_ending_in_a_date_has_one_full_stop() -> None:
    body = _text(MessageKind.APPEAL_WINDOW, Language.RU)
    assert "2026 г." in body and "г.." not in body


@pytest.mark.parametrize("language", list(Language))
def test_the_result_shows_the_legal_category_name_from_the_rulebook(language: Language) -> None:
    """S-1: the category is named as the rulebook names it, in the recipient's language."""
    expected = rulebooks.get("kz-model-2018").results.name_of(ResultCategory.EFFECTIVE).in_language(language)
    assert expected in _text(MessageKind.RESULT_READY, language)


def test_a_category_name_given_in_the_payload_is_used_as_given() -> None:
    names = {"kk": "Тиімді (тест)", "ru": "Эффективно (тест)", "en": "Effective (test)"}
    text = _text(MessageKind.RESULT_READY, Language.RU, category_name=names)
    assert "Эффективно (тест)" in text


# --- R-2 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", sorted(set(MessageKind) - RESULT_KINDS))
def test_no_score_or_category_leaks_into_kinds_that_never_carry_a_result(kind: MessageKind, language: str) -> None:
    """R-2: even with the flag set, an overdue_hr or a reminder never shows a score or a category."""
    text = _text(kind, language, True, **{key: LEAKY[key] for key in ("score", "category", "rulebook")})

    assert "4,37" not in text and "4.37" not in text
    assert not any(name in text for name in _legal_names(ResultCategory.EFFECTIVE))


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", sorted(RESULT_KINDS))
def test_a_result_reaches_only_people_allowed_to_see_it(kind: MessageKind, language: Language) -> None:
    payload = {**SAMPLE_PAYLOADS[kind], "score": 4.37, "category": "effective", "rulebook": "kz-model-2018"}
    allowed = render(kind, language, payload, True)
    refused = render(kind, language, payload, False)

    assert format_score(4.37, language) in allowed.body
    assert "4,37" not in refused.body and "4.37" not in refused.body
    assert not any(name in refused.body for name in _legal_names(ResultCategory.EFFECTIVE))


def test_an_evaluatee_not_allowed_to_see_is_told_where_the_result_is() -> None:
    message = render(MessageKind.RESULT_READY, Language.EN, LEAKY, False)

    assert "The result is available in Bagalau." in message.body
    assert "Жоба мерзімінде" not in message.body  # the justification is part of the result (D-3)


def test_a_withheld_result_smuggled_into_another_variable_is_refused() -> None:
    payload = {**SAMPLE_PAYLOADS[MessageKind.REMINDER], "score": 4.37, "evaluatee_name": "Aruzhan (4.37)"}
    with pytest.raises(ResultLeak, match="R-2"):
        render(MessageKind.REMINDER, Language.EN, payload, False)


# --- T-8 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["respondents", "respondent", "respondent_names", "answered_by"])
def test_a_360_message_naming_respondents_is_refused(key: str) -> None:
    payload = {**SAMPLE_PAYLOADS[MessageKind.SURVEY_360_CLOSED], key: ["Ерлан Жаксыбеков"]}
    with pytest.raises(PayloadRefused, match="T-8"):
        render(MessageKind.SURVEY_360_CLOSED, Language.KK, payload, False)


def test_respondents_hidden_deep_in_the_payload_are_refused_too() -> None:
    payload = {**SAMPLE_PAYLOADS[MessageKind.SURVEY_360_CLOSED], "details": [{"respondent": "E5"}]}
    with pytest.raises(PayloadRefused, match="details.0.respondent"):
        render(MessageKind.SURVEY_360_CLOSED, Language.EN, payload, False)


def test_counts_of_respondents_may_travel() -> None:
    text = _text(MessageKind.SURVEY_360_CLOSED, Language.EN, False, respondent_count=2)
    assert "closed with 2 answer(s)" in text


# --- failures are loud ------------------------------------------------------------------------------------


def test_a_missing_variable_names_the_kind_the_language_and_the_variable() -> None:
    payload = {key: value for key, value in SAMPLE_PAYLOADS[MessageKind.EVALUATION_NOTICE].items() if key != "period"}
    with pytest.raises(MissingVariable) as error:
        render(MessageKind.EVALUATION_NOTICE, Language.RU, payload, False)

    assert (error.value.kind, error.value.language, error.value.variable) == ("evaluation_notice", "ru", "period")
    assert "evaluation_notice (ru)" in str(error.value) and "'period'" in str(error.value)


def test_a_category_without_its_rulebook_is_a_missing_variable() -> None:
    payload = {**SAMPLE_PAYLOADS[MessageKind.RESULT_READY]}
    del payload["rulebook"]
    with pytest.raises(MissingVariable, match="'rulebook'"):
        render(MessageKind.RESULT_READY, Language.EN, payload, True)


def test_an_unknown_kind_or_language_is_refused() -> None:
    with pytest.raises(MissingTemplate, match="unknown message kind 'birthday'"):
        render("birthday", Language.EN, {}, False)
    with pytest.raises(MissingTemplate, match="unknown language 'de'"):
        render(MessageKind.TEST_MESSAGE, "de", {}, False)


@pytest.mark.parametrize("language", list(Language))
def test_the_fallback_notice_is_in_the_recipients_language(language: Language) -> None:
    message = fallback_message(MessageKind.RESULT_READY, language, "Аружан")
    assert message.fallback and "Аружан" in message.body
    assert message.subject != fallback_message(MessageKind.RESULT_READY, Language.EN).subject or language == "en"


# --- size and shape -----------------------------------------------------------------------------------------


def test_a_ten_megabyte_comment_is_shortened_and_the_message_says_so() -> None:
    comment = "Ж" * (10 * 1024 * 1024)
    message = render(
        MessageKind.DISAGREEMENT_RECEIVED,
        Language.RU,
        {**SAMPLE_PAYLOADS["disagreement_received"], "text": comment},
        False,
    )

    assert len(message.body) < 10_000
    assert message.truncated_fields == ("text",)
    assert "Поле «text» сокращено: показаны первые 4000 из 10485760 символов" in message.body


def test_a_name_with_line_breaks_cannot_break_the_subject() -> None:
    payload = {**SAMPLE_PAYLOADS[MessageKind.SHEET_REQUEST], "evaluatee_name": "Аружан\nBcc: all@body.kz"}
    message = render(MessageKind.SHEET_REQUEST, Language.EN, payload, False)
    assert "\n" not in message.subject


def test_the_content_hash_changes_with_the_content() -> None:
    one = render(MessageKind.TEST_MESSAGE, Language.EN, {"channel": "email"}, False)
    two = render(MessageKind.TEST_MESSAGE, Language.EN, {"channel": "sms"}, False)
    assert len(one.content_hash) == 64 and one.content_hash != two.content_hash


@pytest.mark.parametrize("language", list(Language))
def test_a_self_assessment_invitation_is_worded_for_oneself(language: Language) -> None:
    """T-5: the evaluatee answers about themselves; the respondents' wording (and its anonymity promise) differs."""
    payload = {**SAMPLE_PAYLOADS[MessageKind.SURVEY_360_INVITATION], "self_assessment": True}
    own = render(MessageKind.SURVEY_360_INVITATION, language, payload, False)
    other = render(MessageKind.SURVEY_360_INVITATION, language, SAMPLE_PAYLOADS["survey_360_invitation"], False)

    assert own.subject != other.subject and "Аружан Ахметова" not in own.subject


@pytest.mark.parametrize("language", list(Language))
def test_m7_a_notice_without_a_deadline_points_to_the_commissions_schedule(language: Language) -> None:
    sample = SAMPLE_PAYLOADS[MessageKind.EVALUATION_NOTICE]
    payload = {key: value for key, value in sample.items() if key != "deadline"}
    with_deadline = render(MessageKind.EVALUATION_NOTICE, language, sample, False)
    without = render(MessageKind.EVALUATION_NOTICE, language, payload, False)
    assert without.body != with_deadline.body


# --- kinds the flows escalate to HR (C-1, C-6) ---------------------------------------------------------------
# The flows record these escalations (escalation rows of these kinds) but queue no message for them yet; the payloads
# below are built only from what the flow holds at that point, named as in its other payloads.


def _acquaintance_overdue_payload(row: Mapping[str, Any], name: str) -> dict[str, Any]:
    """From what ``application.cycle.acquaintance.escalate_unacquainted`` has for each late row (a
    ``flowstate.evaluations`` mapping): the period's label, the evaluatee's name (``ctx.name``) and ``acquaint_by``,
    as ISO text."""
    return {"period": row["period_label"], "evaluatee_name": name, "acquaint_by": row["acquaint_by"].isoformat()}


def _no_majority_payload(evaluation: Mapping[str, Any], name: str, signed_on: date) -> dict[str, Any]:
    """From what ``flows.steps.calibration.settle_case`` has when nobody has a majority: the base of its other
    calibration payloads (``period``, ``employee_name``) and the day of the last vote (``signed_on``)."""
    return {"period": evaluation["period_label"], "employee_name": name, "voted_on": signed_on.isoformat()}


def test_the_kinds_the_flows_escalate_to_hr_are_message_kinds() -> None:
    assert MessageKind(ACQUAINTANCE_OVERDUE) is MessageKind.ACQUAINTANCE_OVERDUE
    assert MessageKind(NO_MAJORITY) is MessageKind.CALIBRATION_NO_MAJORITY


@pytest.mark.parametrize("language", list(Language))
def test_c1_acquaintance_overdue_renders_the_flows_payload_without_the_result(language: Language) -> None:
    """C-1: HR learns who was not made acquainted by when — never the score or the category (R-2)."""
    row = {"id": 42, "person_id": 7, "period_label": "2025-Q1", "acquaint_by": date(2025, 4, 17), "status": "completed"}
    payload = _acquaintance_overdue_payload(row, "Аружан Ахметова")
    message = render(MessageKind.ACQUAINTANCE_OVERDUE, language, payload, False)

    assert "Аружан Ахметова" in message.subject
    assert format_date(date(2025, 4, 17), language) in message.body
    result = {"score": "4.37", "category": "effective", "rulebook": "kz-model-2018"}
    assert render(MessageKind.ACQUAINTANCE_OVERDUE, language, {**payload, **result}, True).body == message.body


@pytest.mark.parametrize("language", list(Language))
def test_c6_no_majority_renders_the_flows_payload_without_any_vote(language: Language) -> None:
    """C-6: HR and the appointing official learn that the session is stuck — not how anyone voted (R-2)."""
    evaluation = {"id": 42, "person_id": 7, "evaluator_id": 3, "period_label": "2025-Q1"}
    payload = _no_majority_payload(evaluation, "Аружан Ахметова", date(2025, 4, 24))
    message = render(MessageKind.CALIBRATION_NO_MAJORITY, language, payload, True)

    assert "Аружан Ахметова" in message.subject
    assert format_date(date(2025, 4, 24), language) in message.body
    assert not re.search(r"\d[.,]\d\d", message.body)  # no score of any vote
