"""Names of periods and methods in Kazakh, Russian and English, for the templates' ``period`` and ``method`` filters."""

from __future__ import annotations

import re

from domain.vocabulary import Language, Method

_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$")
_YEAR = re.compile(r"^(?P<year>\d{4})$")

METHOD_NAMES: dict[Method, dict[Language, str]] = {
    Method.KPI: {
        Language.KK: "нысаналы мақсатты индикаторлар (НМИ) бойынша бағалау",
        Language.RU: "оценка по ключевым целевым индикаторам (КЦИ)",
        Language.EN: "evaluation by KPIs",
    },
    Method.DIFFERENTIATION: {
        Language.KK: "саралау әдісімен бағалау",
        Language.RU: "оценка методом ранжирования",
        Language.EN: "evaluation by the differentiation method",
    },
    Method.FORM1: {
        Language.KK: "тоқсандық бағалау, басшы лауазымдар",
        Language.RU: "квартальная оценка, руководящие должности",
        Language.EN: "quarterly evaluation, leadership positions",
    },
    Method.FORM2: {
        Language.KK: "тоқсандық бағалау",
        Language.RU: "квартальная оценка",
        Language.EN: "quarterly evaluation",
    },
    Method.KPI_COUNT: {
        Language.KK: "НМИ-ге қол жеткізуді жылдық бағалау",
        Language.RU: "годовая оценка достижения КЦИ",
        Language.EN: "yearly evaluation of KPI achievement",
    },
    Method.COMPETENCIES: {
        Language.KK: "құзыреттерді бағалау",
        Language.RU: "оценка компетенций",
        Language.EN: "evaluation of competencies",
    },
    Method.SURVEY_360: {
        Language.KK: "360 әдісімен бағалау",
        Language.RU: "оценка методом 360",
        Language.EN: "360 evaluation",
    },
}


def period_name(period: str, language: Language | str) -> str:
    """``2025-Q1`` → ``2025 жылғы 1-тоқсан`` / ``1-й квартал 2025 г.`` / ``Q1 2025``; ``2025`` → the year."""
    lang = Language(language)
    text = str(period)
    if match := _QUARTER.match(text):
        year, quarter = match["year"], match["quarter"]
        return {
            Language.KK: f"{year} жылғы {quarter}-тоқсан",
            Language.RU: f"{quarter}-й квартал {year} г.",
            Language.EN: f"Q{quarter} {year}",
        }[lang]
    if match := _YEAR.match(text):
        year = match["year"]
        return {Language.KK: f"{year} жыл", Language.RU: f"{year} год", Language.EN: year}[lang]
    return text


def method_name(method: str, language: Language | str) -> str:
    """The method's name in the language; an unknown method id is shown as it is."""
    try:
        return METHOD_NAMES[Method(method)][Language(language)]
    except ValueError:
        return str(method)
