"""Refusals speak the person's language (issue 10, decision 0150).

Every refusal a person can meet through the pages or the API is written as a :class:`domain.errors.Phrase` (or a
plain literal sentence), never as an f-string, and the Kazakh and Russian refusal catalogs
(``web/locale/<kk|ru>/LC_MESSAGES/refusals.po``) translate every such sentence with the same placeholders. The walk
reads the source (``ast``): a refusal added tomorrow without its translation fails here, naming it and its file.

The English sentence (``str(exc)``: the CLI, the scenario reports, the logs) is the template filled in exactly as
the f-string it replaced; the pages fill the translation with the values formatted for the language (Babel).
"""

from __future__ import annotations

import ast
import pickle
import string
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from application.errors import Rejected
from domain.calendar import ACCEPTED_DATE_FORMATS
from domain.errors import Joined, Phrase, RuleViolation
from domain.vocabulary import Language
from web import i18n

ROOT = Path(__file__).resolve().parents[2]
#: Where refusals are raised: the domain, the application and the web app; and the staff importer, whose row
#: problems the staff upload page shows (its CLI and reports keep the English text of the same phrases).
PACKAGES = ("domain", "application", "web", "persistence/importers")
#: Modules whose refusals no page or API call reaches: the staff file and its moves, the facts of a scenario, the
#: routing of delegations and substitutions (scenario events and the CLI), and the opening of a period (a flow).
NOT_FROM_THE_WEB = {
    "domain/routing.py",
    "domain/moves.py",
    "domain/facts.py",
    "domain/rulebooks/__init__.py",
    "application/cycle/opening.py",
}
REFUSALS = {"RuleViolation", "Rejected", "SetupRefused", "ScheduleRefused", "by_rule", "WindowClosed", "WindowNotOpen"}
#: Names a refusal's sentence is put in before it is raised (``message = Phrase(…)``).
SENTENCE_NAMES = {"message", "reason", "problem", "error"}


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _called(node: ast.Call) -> str | None:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def _sentences(node: ast.Call) -> list[ast.expr]:
    """The argument of a refusal that is its sentence."""
    name = _called(node)
    given = [keyword.value for keyword in node.keywords if keyword.arg == "message"]
    if name == "by_rule" and len(node.args) > 1:
        given.append(node.args[1])
    if name in ("Rejected", "SetupRefused") and node.args:
        given.append(node.args[0])
    return given


def refusal_templates() -> dict[str, str]:
    """Every refusal sentence in the source: its template → where it is written (``path:line``)."""
    found: dict[str, str] = {}
    for where, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            literals: list[ast.expr] = []
            if _called(node) == "Phrase" and node.args:
                literals.append(node.args[0])
            if _called(node) in REFUSALS:
                literals += _sentences(node)
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    found.setdefault(literal.value, f"{where}:{node.lineno}")
    return found


def untranslatable_refusals() -> list[str]:
    """Refusals reachable from the web whose sentence is an f-string (no template to translate)."""
    found = []
    for where, tree in _sources():
        if where in NOT_FROM_THE_WEB:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in REFUSALS:
                found += [f"{where}:{node.lineno}" for value in _sentences(node) if isinstance(value, ast.JoinedStr)]
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.JoinedStr)
                and any(isinstance(target, ast.Name) and target.id in SENTENCE_NAMES for target in node.targets)
            ):
                found.append(f"{where}:{node.lineno}")
    return found


def catalog(language: str) -> dict[str, str]:
    with (ROOT / "web" / "locale" / language / "LC_MESSAGES" / "refusals.po").open("rb") as po:
        read = read_po(po, locale=language)
    return {str(message.id): str(message.string) for message in read if message.id}


def _fields(text: str) -> set[tuple[str, str | None]]:
    return {(name, conversion) for _, name, _, conversion in string.Formatter().parse(text) if name is not None}


def test_the_walk_finds_the_refusals_people_meet() -> None:
    templates = refusal_templates()
    assert "the disagreement window closed on {apply_by}" in templates  # C-2
    assert "score {score} is outside the allowed range {allowed} for {achievement}% achievement (K-4)" in templates
    assert "{count} members; the number of members must be odd" in templates  # C-5, 003
    assert "{what} on {day} is too late: the deadline was {deadline} ({rule})" in templates  # C-1/C-2/M-9 windows
    assert len(templates) > 150


def test_no_refusal_reachable_from_the_web_is_an_f_string() -> None:
    assert untranslatable_refusals() == [], "write these refusals as Phrase(template, **values) (decision 0150)"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_refusal_is_translated_with_the_same_placeholders(language: str) -> None:
    translated = catalog(language)
    templates = refusal_templates()
    missing = sorted(f"{where}: {text}" for text, where in templates.items() if not translated.get(text))
    assert missing == [], f"web/locale/{language}/LC_MESSAGES/refusals.po lacks: {missing}"
    different = sorted(text for text in templates if _fields(text) != _fields(translated[text]))
    assert different == [], f"placeholders differ in {language}: {different}"
    unused = sorted(text for text in translated if text not in templates)
    assert unused == [], f"no refusal says these any more, remove them from {language}: {unused}"


# --- what a person reads ---------------------------------------------------------------------------------------


def translator(language: Language) -> i18n.Translator:
    return i18n.Catalogs().translator(language)


def test_the_english_sentence_is_the_f_string_it_replaced() -> None:
    day, score = date(2025, 4, 16), Decimal("4.6")
    said = Phrase("score {score} on {day} ({rule})", score=score, day=day, rule="K-4")
    assert str(said) == f"score {score} on {day.isoformat()} (K-4)"
    violation = RuleViolation(rule="C-2", message=Phrase("the disagreement window closed on {apply_by}", apply_by=day))
    assert str(violation) == "the disagreement window closed on 2025-04-16 (C-2)"
    rejected = Rejected.from_violation(violation)
    assert str(rejected) == str(violation) and rejected.phrase.params == {"apply_by": day}
    assert pickle.loads(pickle.dumps(rejected)).phrase.template == "the disagreement window closed on {apply_by}"
    assert pickle.loads(pickle.dumps(violation)).phrase.params == {"apply_by": day}


def test_a_c2_refusal_in_kazakh_and_russian_with_the_dates_of_the_language() -> None:
    refusal = Rejected.by_rule(
        "C-2", Phrase("the disagreement window closed on {apply_by}", apply_by=date(2025, 4, 16))
    )
    assert translator(Language.KK).say(refusal.phrase, refusal.rule) == (
        "келіспеушілік білдіру мерзімі 2025\u202fж. 16 сәуір аяқталды (C-2)"
    )
    assert translator(Language.RU).say(refusal.phrase, refusal.rule) == (
        "срок для заявления о несогласии истёк 16 апреля 2025\u202fг. (C-2)"
    )
    assert translator(Language.EN).say(refusal.phrase, refusal.rule) == str(refusal)


def test_numbers_take_the_decimal_comma_of_kazakh_and_russian() -> None:
    k4 = Phrase(
        "score {score} is outside the allowed range {allowed} for {achievement}% achievement (K-4)",
        score="4.6",
        allowed="4.00–4.24",
        achievement="81.3",
    )
    assert (
        translator(Language.RU).say(k4, "K-4")
        == "балл 4,6 вне допустимого интервала 4,00–4,24 для достижения 81,3% (K-4)"
    )
    assert "4,00–4,24" in translator(Language.KK).say(k4, "K-4")
    assert str(k4) == "score 4.6 is outside the allowed range 4.00–4.24 for 81.3% achievement (K-4)"


def test_nested_and_joined_phrases_are_translated_each() -> None:
    problems = Joined(
        [
            Phrase("{count} members; the number of members must be odd", count=4),
            Phrase("no member is from the HR service"),
        ]
    )
    c5 = Phrase("calibration composition: {problems} (C-5)", problems=problems)
    assert str(c5) == (
        "calibration composition: 4 members; the number of members must be odd; no member is from the HR service (C-5)"
    )
    assert translator(Language.RU).say(c5, "C-5") == (
        "состав калибровки: членов: 4; число членов должно быть нечётным; "
        "ни один член не представляет службу управления персоналом (C-5)"
    )
    late = Phrase(
        "{what} on {day} is too late: the deadline was {deadline} ({rule})",
        what=Phrase("the appeal"),
        day=date(2025, 5, 2),
        deadline=date(2025, 4, 30),
        rule="M-9",
    )
    assert translator(Language.KK).say(late, "M-9").startswith("Шағым (2025\u202fж. 2 мамыр) тым кеш")


def _not_evaluated(reason: str) -> Rejected:
    from application.actions.lookup import ineligible_reason

    row = {"period_id": 7, "period_label": "2026-Q1", "eligible": False, "ineligible_reason": reason}
    refusal = ineligible_reason([row], "E9")
    assert refusal is not None
    return refusal


def test_why_a_person_is_not_evaluated_is_said_in_words_not_in_the_stored_code() -> None:
    """The reason the opening stored (``probation``) reaches the person as a sentence of their language, under the
    rule that decided it (E-5), never as the code."""
    probation = _not_evaluated("probation")
    assert (probation.rule, str(probation)) == ("E-5", "E9 is not evaluated in 2026-Q1: on probation (E-5)")
    assert translator(Language.RU).say(probation.phrase, probation.rule) == (
        "E9 не оценивается за 2026-Q1: в период испытательного срока (E-5)"
    )
    kk = translator(Language.KK).say(_not_evaluated("under_15_working_days").phrase, "E-2")
    assert kk.endswith("кезеңде 15 жұмыс күнінен аз жұмыс істеді (E-2)") and "under_15" not in kk
    # A reason a rulebook words itself shows as written, under E-1.
    own = _not_evaluated("seconded_abroad")
    assert (own.rule, str(own)) == ("E-1", "E9 is not evaluated in 2026-Q1: seconded_abroad (E-1)")


def test_a_sentence_no_catalog_has_stays_english() -> None:
    unknown = Phrase("a sentence nobody translated {x}", x=1)
    assert translator(Language.KK).say(unknown, "X-1") == "a sentence nobody translated 1 (X-1)"


# --- the staff file's problems (the upload page; decision 0195) -----------------------------------------------------

BAD_STAFF = (
    "personnel_number,full_name,unit_code,category,appointed,public_service\n"
    "E1,Айгерім,U1,C-4,31.02.2025,maybe\n"
    "E2,Ерлан,U 1,C-4,2025-01-01,\n"
)


def test_the_staff_files_problems_keep_their_english_and_are_said_in_kazakh_and_russian() -> None:
    """The CLI prints the English exactly as before; the upload page says the same problems, and where they are, in
    the reader's language (the value stays as the file wrote it)."""
    from persistence.importers import read_staff_file
    from persistence.importers.columns import DATE_FORMATS

    assert DATE_FORMATS == ACCEPTED_DATE_FORMATS
    problems = read_staff_file("staff.csv", BAD_STAFF.encode(), strict=False).problems
    assert [problem.render("staff.csv") for problem in problems] == [
        "staff.csv: row 2: appointed '31.02.2025': not a calendar date (day is out of range for month); "
        "accepted formats: YYYY-MM-DD (ISO 8601) or dd.mm.yyyy",
        "staff.csv: row 2: public_service 'maybe': expected yes or no (да/нет, иә/жоқ, 1/0), got 'maybe'",
        "staff.csv: row 3: unit_code 'U 1': a unit code has no spaces",
    ]
    said = {
        language: [(translator(language).say(p.where.said()), translator(language).say(p.message)) for p in problems]
        for language in (Language.KK, Language.RU)
    }
    assert said[Language.KK] == [
        (
            "2-жол",
            "күн дұрыс емес (бұл айда мұндай күн жоқ); "
            "рұқсат етілген пішімдер: YYYY-MM-DD (ISO 8601) немесе dd.mm.yyyy",
        ),
        ("2-жол", "иә немесе жоқ күтілді (да/нет, иә/жоқ, 1/0), жазылғаны: 'maybe'"),
        ("3-жол", "бөлімше коды бос орынсыз жазылады"),
    ]
    assert said[Language.RU] == [
        (
            "строка 2",
            "неверная дата (такого дня в этом месяце нет); допустимые форматы: YYYY-MM-DD (ISO 8601) или dd.mm.yyyy",
        ),
        ("строка 2", "ожидается да или нет (да/нет, иә/жоқ, 1/0), указано 'maybe'"),
        ("строка 3", "код подразделения пишется без пробелов"),
    ]
