"""Realistic views of every document, for the tests and for a developer's preview (``bagalau export sample …``).

Names of people are Kazakh and Russian; everything a rulebook defines (parameter, competency and indicator names,
KPI allowed ranges, caps, result categories) is taken from the bundled rulebooks through ``domain.scoring``, so a
sample reads exactly as a real document of that rulebook would, in the language asked for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

from documents.labels import appendix_of
from documents.views import (
    AnnualResultRow,
    AuditRow,
    CalibrationProtocol,
    CalibrationSummary,
    CategoryDistribution,
    CommissionLine,
    CommissionMember,
    CommissionProtocol,
    CompetencyAverage,
    CompetencyLine,
    CompetencySheet,
    CycleStatusRow,
    Document,
    KpiCountLine,
    KpiCountSheet,
    KpiLine,
    KpiSheet,
    PanelMember,
    PanelVote,
    ParameterLine,
    ParameterSheet,
    Person,
    RefusalAct,
    Report360,
    Requisites,
    ResultNotice,
    ResultRow,
    SanctionCap,
    Signature,
    SignerRole,
    SurveySummaryRow,
    UnitCategories,
)
from domain import rulebooks
from domain.rulebook import Rulebook
from domain.scoring import Direction, achievement_pct, allowed_range, band, round_score
from domain.vocabulary import Language, Method, ResultCategory, SanctionKind

BODY = {
    Language.KK: "Қазақстан Республикасы Адам құқықтары жөніндегі ұлттық орталығы",
    Language.RU: "Национальный центр по правам человека Республики Казахстан",
    Language.EN: "National Centre for Human Rights of the Republic of Kazakhstan",
}
MINISTRY = {
    Language.KK: "Қазақстан Республикасы Ақпарат және коммуникациялар министрлігі",
    Language.RU: "Министерство информации и коммуникаций Республики Казахстан",
    Language.EN: "Ministry of Information and Communications of the Republic of Kazakhstan",
}
UNIT = {
    Language.KK: "Стратегиялық жоспарлау департаменті",
    Language.RU: "Департамент стратегического планирования",
    Language.EN: "Department of strategic planning",
}
HR_UNIT = {
    Language.KK: "Персоналды басқару қызметі",
    Language.RU: "Служба управления персоналом",
    Language.EN: "HR service",
}
HEAD = {Language.KK: "Департамент директоры", Language.RU: "Директор департамента", Language.EN: "Director"}
EXPERT = {Language.KK: "Бас сарапшы", Language.RU: "Главный эксперт", Language.EN: "Chief expert"}
DEPUTY = {
    Language.KK: "Департамент директорының орынбасары",
    Language.RU: "Заместитель директора департамента",
    Language.EN: "Deputy director",
}
HR_OFFICER = {Language.KK: "Персонал жөніндегі сарапшы", Language.RU: "Эксперт по персоналу", Language.EN: "HR expert"}
CHAIRMAN = {Language.KK: "Жауапты хатшы", Language.RU: "Ответственный секретарь", Language.EN: "Executive secretary"}

# People (surname, name, patronymic as HR files write them).
AIGERIM = "Сәрсенова Айгерім Маратқызы"
ARUZHAN = "Ахметова Аружан Серікқызы"
YERLAN = "Жақсыбеков Ерлан Қайратұлы"
DINA = "Омарова Дина Ивановна"
SERIK = "Байжанов Серік Болатұлы"
OLGA = "Ким Ольга Викторовна"
NURLAN = "Тоқаев Нұрлан Әбілұлы"
GULNAR = "Есенова Гүлнар Тимурқызы"
DMITRY = "Петров Дмитрий Сергеевич"


def content_hash(*parts: object) -> str:
    """A stable stand-in for the R-3 hash that persistence computes (sha256 hex of the signed content)."""
    return sha256("|".join(str(part) for part in parts).encode("utf-8")).hexdigest()


def _t(kk: str, ru: str, en: str) -> dict[Language, str]:
    return {Language.KK: kk, Language.RU: ru, Language.EN: en}


def _book(rulebook_id: str) -> Rulebook:
    return rulebooks.bundled()[rulebook_id]


def _req(
    language: Language, period: str, book: Rulebook, form: str | None, body: dict[Language, str] = BODY
) -> Requisites:
    """The heading facts; ``form`` names the document for :func:`documents.labels.appendix_of` (None: free form)."""
    return Requisites(
        body_name=body[language],
        period=period,
        language=language,
        appendix=appendix_of(book.id, book.family, form) if form else None,
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- sheets ------------------------------------------------------------------------------------------------


def differentiation_sheet(language: Language = Language.KK) -> ParameterSheet:
    """000 app. 4: a chief expert scored 4, 5, 4, 4 by her director (D-3: 4,25, effective)."""
    book = _book("kz-model-2018")
    sheet = book.method(Method.DIFFERENTIATION).sheet
    assert sheet is not None
    scores = [Decimal(4), Decimal(5), Decimal(4), Decimal(4)]
    comments = ["", "", "", ""]
    lines = tuple(
        ParameterLine(
            number=i,
            name=_capital(parameter.name.in_language(language)),
            criteria=parameter.description.in_language(language) if parameter.description else "",
            score=score,
            comment=comment,
        )
        for i, (parameter, score, comment) in enumerate(zip(sheet.parameters, scores, comments, strict=True), 1)
    )
    average = round_score(sum(scores, Decimal(0)) / len(scores), book.results)
    justification = {
        Language.KK: "Тоқсандағы барлық тапсырмалар мерзімінде және сапалы орындалды.",
        Language.RU: "Все поручения квартала исполнены в срок и качественно.",
        Language.EN: "Every assignment of the quarter was done on time and well.",
    }[language]
    return ParameterSheet(
        requisites=_req(language, "2025-Q1", book, "differentiation"),
        method=Method.DIFFERENTIATION,
        evaluatee=Person(ARUZHAN, EXPERT[language], "C-4", UNIT[language]),
        evaluator=Person(AIGERIM, HEAD[language], "C-1", UNIT[language]),
        parameters=lines,
        average=average,
        score=average,
        category=band(average, book.results),
        justification=justification,
        signatures=(
            Signature(SignerRole.EVALUATOR, AIGERIM, date(2025, 4, 3)),
            Signature(SignerRole.EVALUATEE, ARUZHAN, date(2025, 4, 4)),
        ),
        content_hash=content_hash("differentiation", ARUZHAN, scores),
    )


def quarterly_sheet(language: Language = Language.KK, *, form: Method = Method.FORM2) -> ParameterSheet:
    """003 form 2 (or 1): 4, 4, 5, 4, 3 = 4,00, capped at 2,99 by a reprimand of the quarter (Q-3)."""
    book = _book("kz-quarterly-2026")
    sheet = book.method(form).sheet
    assert sheet is not None and book.caps is not None
    scores = [Decimal(4), Decimal(4), Decimal(5), Decimal(4), Decimal(3)]
    lines = tuple(
        ParameterLine(
            number=i,
            name=parameter.name.in_language(language),
            criteria=parameter.description.in_language(language) if parameter.description else "",
            score=score,
            comment={
                Language.KK: "2026 ж. 10 ақпанда сөгіс",
                Language.RU: "выговор от 10 февраля 2026 г.",
                Language.EN: "reprimand of 10 February 2026",
            }[language]
            if i == 5
            else "",
        )
        for i, (parameter, score) in enumerate(zip(sheet.parameters, scores, strict=True), 1)
    )
    average = round_score(sum(scores, Decimal(0)) / len(scores), book.results)
    cap_value = next(cap.max_score for cap in book.caps.caps if SanctionKind.REPRIMAND in cap.sanctions)
    final = min(average, cap_value)
    leader = form == Method.FORM1
    return ParameterSheet(
        requisites=_req(language, "2026-Q1", book, form.value),
        method=form,
        evaluatee=Person(
            SERIK if leader else DMITRY, (DEPUTY if leader else EXPERT)[language], "C-O-4", UNIT[language]
        ),
        evaluator=Person(NURLAN, HEAD[language], "B-1", UNIT[language]),
        parameters=lines,
        average=average,
        score=final,
        category=band(final, book.results),
        cap=SanctionCap(SanctionKind.REPRIMAND, date(2026, 2, 10), cap_value, applied=average > cap_value),
        signatures=(Signature(SignerRole.EVALUATOR, NURLAN, date(2026, 4, 14), electronic=True),),
        content_hash=content_hash(form, DMITRY, scores),
    )


def kpi_sheet(language: Language = Language.KK) -> KpiSheet:
    """000 app. 2: a director's four KPIs of Q1 2025, achievement and the allowed range of each (K-4, K-5)."""
    book = _book("kz-model-2018")
    assert book.kpi is not None
    percent = _t("%", "%", "%")
    facts: list[tuple[dict[Language, str], dict[Language, str], Decimal, Decimal, Direction, Decimal]] = [
        (
            _t("Мемлекеттік қызметтерді онлайн көрсету үлесі", "Доля государственных услуг, оказанных онлайн",
               "Share of public services delivered online"),
            percent, Decimal(80), Decimal(76), "higher", Decimal("4.50"),
        ),
        (
            _t("Өтініштерді қарау мерзімі", "Срок рассмотрения обращений", "Time to answer an application"),
            _t("күн", "дней", "days"), Decimal(10), Decimal(8), "lower", Decimal(5),
        ),
        (
            _t("Әзірленген нормативтік құқықтық актілер", "Разработанные нормативные правовые акты",
               "Regulations drafted"),
            _t("бірлік", "ед.", "units"), Decimal(12), Decimal(11), "higher", Decimal("4.60"),
        ),
        (
            _t("Жұмсалған бюджет қаражатының үлесі", "Доля освоенных бюджетных средств", "Share of the budget spent"),
            percent, Decimal(100), Decimal("87.5"), "higher", Decimal("4.30"),
        ),
    ]  # fmt: skip
    lines = []
    for number, (name, unit, plan, actual, direction, score) in enumerate(facts, 1):
        pct = achievement_pct(plan, actual, direction)
        row = allowed_range(pct, book.kpi)
        lines.append(
            KpiLine(
                number=number,
                name=name[language],
                unit=unit[language],
                plan=plan,
                actual=actual,
                achievement_pct=pct.quantize(Decimal("0.01")),
                allowed_min=row.min_score,
                allowed_max=row.max_score,
                score=score,
                direction=direction,
            )
        )
    final = round_score(sum((line.score for line in lines), Decimal(0)) / len(lines), book.results)
    return KpiSheet(
        requisites=_req(language, "2025-Q1", book, "kpi"),
        evaluatee=Person(AIGERIM, HEAD[language], "C-1", UNIT[language]),
        evaluator=Person(YERLAN, CHAIRMAN[language], "B-1", ""),
        kpis=tuple(lines),
        score=final,
        category=band(final, book.results),
        signatures=(
            Signature(SignerRole.EVALUATOR, YERLAN, date(2025, 4, 8)),
            Signature(SignerRole.EVALUATEE, AIGERIM, None),
        ),
        content_hash=content_hash("kpi", AIGERIM, [line.score for line in lines]),
    )


def kpi_count_sheet(language: Language = Language.KK) -> KpiCountSheet:
    """004 app. 2: four of the five yearly KPIs achieved → "effective" (M-4), agreed by the superior head (M-5)."""
    book = _book("kz-annual-commission-2018")
    names = {
        Language.KK: [
            "Ақпараттық саясат тұжырымдамасын іске асыру",
            "БАҚ мониторингінің қамтуы",
            "Мемлекеттік тапсырыс көлемі",
            "Азаматтардың өтініштерін мерзімінде қарау",
            "Цифрлық платформаларды енгізу",
        ],
        Language.RU: [
            "Реализация концепции информационной политики",
            "Охват мониторинга СМИ",
            "Объём государственного заказа",
            "Своевременное рассмотрение обращений граждан",
            "Внедрение цифровых платформ",
        ],
        Language.EN: [
            "Information policy concept delivered",
            "Media monitoring coverage",
            "Volume of the state order",
            "Citizens' applications answered on time",
            "Digital platforms introduced",
        ],
    }[language]
    units = ["%", "%", _t("млн теңге", "млн тенге", "m tenge")[language], "%", _t("бірлік", "ед.", "units")[language]]
    plans = [Decimal(100), Decimal(95), Decimal("1250.5"), Decimal(100), Decimal(3)]
    actuals = [Decimal(100), Decimal(97), Decimal("1250.5"), Decimal("98.2"), Decimal(3)]
    lines = tuple(
        KpiCountLine(i, name, unit, plan, actual, achieved=actual >= plan)
        for i, (name, unit, plan, actual) in enumerate(zip(names, units, plans, actuals, strict=True), 1)
    )
    achieved = sum(1 for line in lines if line.achieved)
    assert book.count_grading is not None
    category = next(g.category for g in book.count_grading.grades if achieved >= g.min_achieved)
    return KpiCountSheet(
        requisites=_req(language, "2025", book, "kpi_count", MINISTRY),
        evaluatee=Person(GULNAR, DEPUTY[language], "C-2", UNIT[language]),
        evaluator=Person(AIGERIM, HEAD[language], "C-1", UNIT[language]),
        kpis=lines,
        category=category,
        approver=Person(YERLAN, CHAIRMAN[language], "B-1"),
        approved_on=date(2026, 1, 16),
        signatures=(
            Signature(SignerRole.EVALUATEE, GULNAR, date(2026, 1, 15)),
            Signature(SignerRole.EVALUATOR, AIGERIM, date(2026, 1, 14)),
        ),
        content_hash=content_hash("kpi_count", GULNAR, [line.achieved for line in lines]),
    )


def competency_sheet(language: Language = Language.KK) -> CompetencySheet:
    """004 app. 3: the middle-heads' indicators of app. 4; one competency below 3/4 → does not meet (M-6)."""
    book = _book("kz-annual-commission-2018")
    rules = book.competencies
    assert rules is not None
    group = "middle_heads"
    lines = []
    for number, competency in enumerate(rules.competencies, 1):
        name = competency.name.in_language(language)
        if competency.public_service_only:  # the post provides no public services (app. 3 footnote)
            lines.append(CompetencyLine(number, name, (), (), meets=True, rated=False))
            continue
        indicators = [getattr(item, language.value) for item in competency.indicators[group]]
        missed = 2 if competency.id == "decision_making" else 0  # 3 of 5 observed: below 3/4
        observed, not_observed = indicators[: len(indicators) - missed], indicators[len(indicators) - missed :]
        meets = len(observed) * rules.threshold_denominator >= len(indicators) * rules.threshold_numerator
        lines.append(CompetencyLine(number, name, tuple(observed), tuple(not_observed), meets))
    rated = [line for line in lines if line.rated]
    overall = ResultCategory.MEETS if all(line.meets for line in rated) else ResultCategory.DOES_NOT_MEET
    return CompetencySheet(
        requisites=_req(language, "2025", book, "competencies", MINISTRY),
        evaluatee=Person(GULNAR, DEPUTY[language], "C-2", UNIT[language]),
        evaluator=Person(AIGERIM, HEAD[language], "C-1", UNIT[language]),
        competencies=tuple(lines),
        category=overall,
        signatures=(
            Signature(SignerRole.EVALUATEE, GULNAR, date(2026, 1, 15)),
            Signature(SignerRole.EVALUATOR, AIGERIM, date(2026, 1, 14)),
        ),
        content_hash=content_hash("competencies", GULNAR, [line.meets for line in lines]),
    )


# --- reviews -----------------------------------------------------------------------------------------------


def calibration_protocol(language: Language = Language.KK) -> CalibrationProtocol:
    """C-5…C-7: three members (HR among them) vote 4,50 / 4,50 / 4,25 on a disputed 4,25: 4,50 by 2 of 3."""
    book = _book("kz-model-2018")
    members = (
        PanelMember(SERIK, DEPUTY[language]),
        PanelMember(OLGA, HEAD[language]),
        PanelMember(DINA, HR_OFFICER[language], is_hr=True),
    )
    arguments = {
        Language.KK: [
            "Тоқсандағы жобалар есепке алынбаған.",
            "Бағаны жоғарылату негізді.",
            "Бағалаушының бағасы негізді.",
        ],
        Language.RU: ["Проекты квартала не учтены.", "Повышение оценки обосновано.", "Оценка оценивающего обоснована."],
        Language.EN: [
            "The quarter's projects were not counted.",
            "A higher score is justified.",
            "The evaluator's score is sound.",
        ],
    }[language]
    votes = (
        PanelVote(SERIK, Decimal("4.50"), arguments[0]),
        PanelVote(OLGA, Decimal("4.50"), arguments[1]),
        PanelVote(DINA, Decimal("4.25"), arguments[2]),
    )
    return CalibrationProtocol(
        requisites=_req(language, "2025-Q1", book, None),
        evaluatee=Person(ARUZHAN, EXPERT[language], "C-4", UNIT[language]),
        evaluator=Person(AIGERIM, HEAD[language], "C-1", UNIT[language]),
        appointing_official=Person(YERLAN, CHAIRMAN[language], "B-1"),
        method=Method.DIFFERENTIATION,
        disputed_score=Decimal("4.25"),
        disputed_category=ResultCategory.EFFECTIVE,
        applied_on=date(2025, 4, 15),
        composed_on=date(2025, 4, 17),
        held_on=date(2025, 4, 24),
        members=members,
        votes=votes,
        final_score=Decimal("4.50"),
        final_category=ResultCategory.EFFECTIVE,
        employee_argument={
            Language.KK: "Бағамен келіспеймін: тоқсандағы екі жоба есепке алынбаған.",
            Language.RU: "Не согласна с оценкой: два проекта квартала не учтены.",
            Language.EN: "I disagree: two projects of the quarter were not counted.",
        }[language],
        post_by=date(2025, 4, 29),
        signatures=tuple(Signature(SignerRole.MEMBER, m.full_name, date(2025, 4, 24)) for m in members),
        content_hash=content_hash("calibration", ARUZHAN, [v.score for v in votes]),
    )


def commission_protocol(language: Language = Language.KK) -> CommissionProtocol:
    """M-7 (004 app. 5): five members and a secretary, four present; one result revised on the chair's casting vote."""
    book = _book("kz-annual-commission-2018")
    members = (
        CommissionMember(YERLAN, "chair", True, CHAIRMAN[language]),
        CommissionMember(SERIK, "member", True, DEPUTY[language]),
        CommissionMember(OLGA, "member", True, HEAD[language]),
        CommissionMember(NURLAN, "member", True, HEAD[language]),
        CommissionMember(AIGERIM, "member", False, HEAD[language]),
        CommissionMember(DINA, "secretary", True, HR_OFFICER[language]),
    )
    recommend = {
        Language.KK: ["Көтермелеуге ұсынылсын.", "Біліктілікті арттыру курсына жіберілсін.", ""],
        Language.RU: ["Рекомендовать к поощрению.", "Направить на курсы повышения квалификации.", ""],
        Language.EN: ["Recommend for an incentive.", "Send to an advanced training course.", ""],
    }[language]
    lines = (
        CommissionLine(
            1,
            Person(GULNAR, DEPUTY[language], "C-2", UNIT[language]),
            Method.KPI_COUNT,
            ResultCategory.EFFECTIVE,
            4,
            0,
            result_detail="4/5",
            recommendations=recommend[0],
        ),
        CommissionLine(
            2,
            Person(DMITRY, EXPERT[language], "C-4", UNIT[language]),
            Method.KPI_COUNT,
            ResultCategory.SATISFACTORY,
            2,
            2,
            corrected=ResultCategory.EFFECTIVE,
            casting_vote=True,
            result_detail="3/5",
            recommendations=recommend[1],
        ),
        CommissionLine(
            3, Person(ARUZHAN, EXPERT[language], "C-4", UNIT[language]), Method.COMPETENCIES, ResultCategory.MEETS, 4, 0
        ),
    )
    conclusion = {
        Language.KK: "Бағалау нәтижелері бекітілсін, 2-жолдағы нәтиже түзетілсін.",
        Language.RU: "Утвердить результаты оценки, результат в строке 2 скорректировать.",
        Language.EN: "Approve the results; correct the result in row 2.",
    }[language]
    signed = date(2026, 1, 28)
    return CommissionProtocol(
        requisites=_req(language, "2025", book, "commission_protocol", MINISTRY),
        meeting_date=signed,
        members=members,
        lines=lines,
        approved_by=Person(NURLAN, CHAIRMAN[language], "A-1"),
        approved_on=date(2026, 1, 29),
        conclusion=conclusion,
        signatures=(
            Signature(SignerRole.SECRETARY, DINA, signed),
            Signature(SignerRole.CHAIR, YERLAN, signed),
            *(Signature(SignerRole.MEMBER, m.full_name, signed) for m in members if m.role == "member" and m.present),
        ),
        content_hash=content_hash("commission", [line.employee.full_name for line in lines]),
    )


def refusal_act(language: Language = Language.KK) -> RefusalAct:
    """M-8: an employee refused to sign the acquaintance; HR and two employees sign the act."""
    book = _book("kz-annual-commission-2018")
    requisites = _req(language, "2025", book, None, MINISTRY)
    place = _t("Астана қ.", "г. Астана", "Astana")[language]
    requisites = dataclasses.replace(requisites, number="12-04/7", drawn_up_on=date(2026, 2, 2), place=place)
    return RefusalAct(
        requisites=requisites,
        employee=Person(DMITRY, EXPERT[language], "C-4", UNIT[language]),
        method=Method.KPI_COUNT,
        result=ResultCategory.EFFECTIVE,
        refused_on=date(2026, 2, 2),
        hr=Person(DINA, HR_OFFICER[language], "C-4", HR_UNIT[language]),
        witnesses=(Person(OLGA, HEAD[language]), Person(SERIK, DEPUTY[language])),
        statement={
            Language.KK: "Қызметші нәтижемен танысып, парақшаға қол қоюдан ауызша бас тартты.",
            Language.RU: "Служащий ознакомился с результатом и устно отказался подписать лист ознакомления.",
            Language.EN: "The employee read the result and refused orally to sign the acquaintance sheet.",
        }[language],
        signatures=(
            Signature(SignerRole.HR, DINA, date(2026, 2, 2)),
            Signature(SignerRole.WITNESS, OLGA, date(2026, 2, 2)),
            Signature(SignerRole.WITNESS, SERIK, date(2026, 2, 2)),
        ),
        content_hash=content_hash("refusal", DMITRY, "2026-02-02"),
    )


# --- 360 and the notice ------------------------------------------------------------------------------------

_AVERAGES = [
    Decimal("4.33"),
    Decimal("4.00"),
    Decimal("3.50"),
    Decimal("4.67"),
    Decimal("3.83"),
    Decimal("4.50"),
    Decimal("4.17"),
    Decimal("3.67"),
    Decimal("4.25"),
    Decimal("3.92"),
    Decimal("4.08"),
    Decimal("3.75"),
]
_SELF = [
    Decimal("5.00"),
    Decimal("4.67"),
    Decimal("4.00"),
    Decimal("5.00"),
    Decimal("4.33"),
    Decimal("4.67"),
    Decimal("4.33"),
    Decimal("4.00"),
    Decimal("4.67"),
    Decimal("4.33"),
    Decimal("4.67"),
    Decimal("4.00"),
]


def report_360(language: Language = Language.KK, *, form: str = "others") -> Report360:
    """000 app. 8 (``others``) or app. 7 (``heads``): averages of 5 respondents per competency, self apart (T-6)."""
    book = _book("kz-model-2018")
    assert book.survey_360 is not None
    competencies = book.survey_360.forms[form].competencies
    lines = tuple(
        CompetencyAverage(i, c.name.in_language(language), _AVERAGES[i - 1], _SELF[i - 1])
        for i, c in enumerate(competencies, 1)
    )
    heads = form == "heads"
    weakest = min(lines, key=lambda line: line.average)
    return Report360(
        requisites=_req(language, "2025", book, f"report_360_{form}"),
        evaluatee=Person(
            AIGERIM if heads else ARUZHAN,
            (HEAD if heads else EXPERT)[language],
            "C-1" if heads else "C-4",
            UNIT[language],
        ),
        form="heads" if heads else "others",
        respondents=5,
        competencies=lines,
        result={
            Language.KK: f"Дамыту ұсынылады: «{weakest.name}»",
            Language.RU: f"Рекомендуется развитие: «{weakest.name}»",
            Language.EN: f"Development recommended: “{weakest.name}”",
        }[language],
        signatures=(Signature(SignerRole.HR, DINA, date(2026, 1, 9)),),
        content_hash=content_hash("360", ARUZHAN, [line.average for line in lines]),
    )


def result_notice(language: Language = Language.KK) -> ResultNotice:
    """C-1/C-2: the differentiation result of Q1 2025, acquaint by 7 April, disagree by 14 April."""
    book = _book("kz-model-2018")
    return ResultNotice(
        requisites=_req(language, "2025-Q1", book, None),
        employee=Person(ARUZHAN, EXPERT[language], "C-4", UNIT[language]),
        method=Method.DIFFERENTIATION,
        category=ResultCategory.EFFECTIVE,
        evaluator=AIGERIM,
        completed_on=date(2025, 4, 3),
        score=Decimal("4.25"),
        acquaint_by=date(2025, 4, 7),
        disagree_until=date(2025, 4, 14),
        appointing_official=YERLAN,
        signatures=(Signature(SignerRole.HR, DINA, date(2025, 4, 4), electronic=True),),
        content_hash=content_hash("notice", ARUZHAN, "2025-Q1"),
    )


SAMPLES: dict[str, Callable[[Language], Document]] = {
    "sheet_differentiation": differentiation_sheet,
    "sheet_form1": lambda language: quarterly_sheet(language, form=Method.FORM1),
    "sheet_form2": quarterly_sheet,
    "sheet_kpi": kpi_sheet,
    "sheet_kpi_count": kpi_count_sheet,
    "sheet_competencies": competency_sheet,
    "protocol": calibration_protocol,
    "commission_protocol": commission_protocol,
    "refusal_act": refusal_act,
    "report_360": report_360,
    "report_360_heads": lambda language: report_360(language, form="heads"),
    "notice": result_notice,
}


def all_samples(language: Language) -> dict[str, Document]:
    """Every sample document in ``language``, by name."""
    return {name: make(language) for name, make in SAMPLES.items()}


# --- export rows -------------------------------------------------------------------------------------------

_FIRST = [
    "Айгерім",
    "Аружан",
    "Ерлан",
    "Дина",
    "Серік",
    "Ольга",
    "Нұрлан",
    "Гүлнар",
    "Дмитрий",
    "Әсел",
    "Қанат",
    "Мария",
]
_LAST = [
    "Сәрсенова",
    "Ахметова",
    "Жақсыбеков",
    "Омарова",
    "Байжанов",
    "Ким",
    "Тоқаев",
    "Есенова",
    "Петров",
    "Нұрланова",
]
_UNITS = ["Стратегиялық жоспарлау департаменті", "Заң департаменті", "Қаржы басқармасы", "Персоналды басқару қызметі"]
_CATEGORIES = [
    ResultCategory.EFFECTIVE,
    ResultCategory.PROPER,
    ResultCategory.SATISFACTORY,
    ResultCategory.UNSATISFACTORY,
]


def result_rows(count: int = 12, *, period: str = "2025-Q1") -> list[ResultRow]:
    """``count`` evaluations of a quarter as the results export holds them (for tests and the benchmark)."""
    rows = []
    for i in range(count):
        score = Decimal(500 - (i * 37) % 400) / 100
        category = _CATEGORIES[0 if score >= 4 else 1 if score >= 3 else 2 if score >= 2 else 3]
        calibrated = i % 7 == 3
        rows.append(
            ResultRow(
                id=1000 + i,
                employee=f"E{i + 1}",
                period=period,
                method=Method.KPI if i % 5 == 0 else Method.DIFFERENTIATION,
                employee_name=f"{_LAST[i % len(_LAST)]} {_FIRST[i % len(_FIRST)]}",
                unit=_UNITS[i % len(_UNITS)],
                category_code="C-1" if i % 5 == 0 else "C-4",
                status="closed",
                eligible=i % 11 != 10,
                ineligible_reason="tenure_under_one_month" if i % 11 == 10 else None,
                in_absentia=i % 6 == 5,
                evaluator="E0" if i % 5 == 0 else f"E{(i // 5) * 5 + 1}",
                evaluator_name="Жақсыбеков Ерлан",
                notice_sent_on=date(2025, 4, 1),
                deadline=date(2025, 4, 10),
                submitted_on=date(2025, 4, 3 + i % 7),
                score=None if i % 11 == 10 else score,
                category=None if i % 11 == 10 else category,
                acquainted_on=date(2025, 4, 14) if i % 11 != 10 else None,
                calibration=CalibrationSummary(
                    applied_on=date(2025, 4, 15),
                    decide_by=date(2025, 4, 18),
                    hold_by=date(2025, 4, 29),
                    members=("E5", "E6", "H1"),
                    score=min(score + Decimal("0.25"), Decimal(5)),
                    category=category,
                    protocol_post_by=date(2025, 4, 29),
                )
                if calibrated
                else None,
            )
        )
    return rows


def annual_rows(count: int = 6, *, year: int = 2025) -> list[AnnualResultRow]:
    """P-3 annual finals of ``year`` (for tests)."""
    rows = []
    for i in range(count):
        score = Decimal(480 - i * 55) / 100
        category = _CATEGORIES[0 if score >= 4 else 1 if score >= 3 else 2 if score >= 2 else 3]
        name = f"{_LAST[i % len(_LAST)]} {_FIRST[i % len(_FIRST)]}"
        rows.append(AnnualResultRow(f"E{i + 1}", year, score, category, name, _UNITS[i % len(_UNITS)], "C-4", 4))
    return rows


def write_samples(directory: str | Path, languages: Sequence[Language] = tuple(Language)) -> list[Path]:
    """Every sample document as a PDF in ``directory`` (``<name>.<language>.pdf``): a developer's preview."""
    from documents.pdf import write_pdf  # the samples module stays importable without typst for XLSX tests

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    return [
        write_pdf(document, target / f"{name}.{language.value}.pdf")
        for language in languages
        for name, document in all_samples(language).items()
    ]


def cycle_status_rows(count: int = 6) -> list[CycleStatusRow]:
    statuses = ["open", "submitted", "completed", "acquainted", "in_calibration", "closed"]
    return [
        CycleStatusRow(
            id=2000 + i,
            employee=f"E{i + 1}",
            employee_name=f"{_LAST[i % len(_LAST)]} {_FIRST[i % len(_FIRST)]}",
            unit=_UNITS[i % len(_UNITS)],
            period="2025-Q1",
            method=Method.DIFFERENTIATION,
            status=statuses[i % len(statuses)],
            evaluator="E0",
            evaluator_name="Жақсыбеков Ерлан",
            deadline=date(2025, 4, 10),
            notice_sent_on=date(2025, 4, 1),
            submitted_on=date(2025, 4, 4) if i else None,
            acquaint_by=date(2025, 4, 8) if i > 1 else None,
            acquainted_on=date(2025, 4, 7) if i > 2 else None,
            overdue=i == 0,
        )
        for i in range(count)
    ]


def survey_summary_rows(language: Language = Language.KK) -> list[SurveySummaryRow]:
    book = _book("kz-model-2018")
    assert book.survey_360 is not None
    competencies = book.survey_360.forms["others"].competencies
    return [
        SurveySummaryRow(
            employee="E2",
            employee_name=ARUZHAN,
            unit=UNIT[language],
            year=2025,
            competency=c.id,
            competency_name=c.name.in_language(language),
            respondents=5,
            average=_AVERAGES[i],
            self_score=_SELF[i],
        )
        for i, c in enumerate(competencies)
    ]


def audit_rows() -> list[AuditRow]:
    at = datetime(2025, 4, 3, 9, 15, tzinfo=UTC)
    return [
        AuditRow(1, at, "aigerim", "submit", "sheet_submission", "41", "", '{"score": "4.25"}', ""),
        AuditRow(
            2,
            at.replace(hour=10),
            "flow:daily_sweep",
            "complete",
            "evaluation",
            "1001",
            '{"status": "submitted"}',
            '{"status": "completed"}',
            "",
        ),
        AuditRow(
            3,
            at.replace(day=24),
            "dina",
            "vote",
            "calibration_vote",
            "7",
            "",
            '{"score": "4.50"}',
            "Бағаны жоғарылату негізді",
        ),
    ]


def distribution(language: Language = Language.KK) -> CategoryDistribution:
    """Results of Q1 2025 per unit of the sample body (for the chart)."""
    e, p, s, u = _CATEGORIES
    return CategoryDistribution(
        body_name=BODY[language],
        period="2025-Q1",
        language=language,
        units=(
            UnitCategories(UNIT[language], ((e, 6), (p, 3), (s, 1))),
            UnitCategories(HR_UNIT[language], ((e, 2), (p, 2))),
            UnitCategories(
                {
                    Language.KK: "Заң департаменті",
                    Language.RU: "Юридический департамент",
                    Language.EN: "Legal department",
                }[language],
                ((e, 3), (p, 4), (s, 2), (u, 1)),
            ),
        ),
    )
