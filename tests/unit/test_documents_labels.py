"""Every label exists in kk, ru and en; the legal result names come from the rulebook catalogue (S-1, M-4, M-6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from documents.labels import LABELS, appendix_of, catalogue_path, label, method_name, result_name, sanction_name
from domain.vocabulary import Language, Method, ResultCategory, SanctionKind

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_is_written_in_three_languages_with_the_same_placeholders(key: str) -> None:
    texts = LABELS[key]
    assert len(texts) == 3 and all(text.strip() for text in texts), key
    kk, ru, en = (set(PLACEHOLDER.findall(text)) for text in texts)
    assert kk == ru == en, f"{key}: placeholders differ between languages"


def test_kazakh_labels_are_in_kazakh_and_russian_in_russian() -> None:
    assert label("kpi.title", Language.KK) == "НМИ бойынша бағалау парағы"  # 000 app. 2, as printed
    assert label("sheet.title.differentiation", Language.KK) == "Саралау әдісі бойынша бағалау парағы"  # app. 4
    assert label("com.title", Language.RU) == "Протокол заседания комиссии по оценке"
    assert label("appendix", Language.KK, n=5) == "5-қосымша"


def test_an_unknown_label_fails_loudly() -> None:
    with pytest.raises(KeyError):
        label("no.such.label", Language.KK)


def _catalogue(name: str) -> Any:
    return yaml.safe_load(catalogue_path(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", list(Language))
def test_s1_names_are_the_catalogues_not_retyped(language: Language) -> None:
    """S-1: the four band names of results_s1.yaml, for every scored method."""
    bands = _catalogue("results_s1.yaml")["bands"]
    for band in bands:
        for method in (None, Method.DIFFERENTIATION, Method.KPI, Method.FORM1, Method.FORM2):
            assert result_name(band["category"], language, method=method) == band["name"][language.value]


@pytest.mark.parametrize("language", list(Language))
def test_kpi_count_and_competency_names_are_the_004_words(language: Language) -> None:
    """M-4 and M-6: results_annual2018.yaml words ("тиімді", "күтілген нәтижеге сәйкес")."""
    annual = _catalogue("results_annual2018.yaml")
    for category, names in annual["kpi_result_names"].items():
        assert result_name(category, language, method=Method.KPI_COUNT) == names[language.value]
    for category, names in annual["competency_result_names"].items():
        assert result_name(category, language, method=Method.COMPETENCIES) == names[language.value]


def test_the_same_category_reads_differently_under_s1_and_m4() -> None:
    assert result_name(ResultCategory.EFFECTIVE, Language.KK) == "Функционалдық міндеттерін тиімді атқарады"
    assert result_name(ResultCategory.EFFECTIVE, Language.KK, method=Method.KPI_COUNT) == "тиімді"
    assert result_name(ResultCategory.EXCELLENT, Language.RU) == "отлично"


def test_methods_and_sanctions_have_names_in_every_language() -> None:
    for language in Language:
        assert all(method_name(method, language) for method in Method)
        assert all(sanction_name(kind, language) for kind in SanctionKind)
    assert sanction_name(SanctionKind.SEVERE_REPRIMAND, Language.KK) == "қатаң сөгіс"


def test_each_sheet_names_the_appendix_of_its_methodology() -> None:
    """000 app. 2 (KPI) and 4 (differentiation), 003 app. 1/2, 004 app. 2/3/5, 002 app. 10/11."""
    assert appendix_of("kz-model-2018", "model-2018", "differentiation") == 4
    assert appendix_of("kz-model-2018", "model-2018", "kpi") == 2
    assert appendix_of("kz-model-2018", "model-2018", "report_360_heads") == 7
    assert appendix_of("kz-quarterly-2026", "quarterly-2026", "form2") == 2
    assert appendix_of("kz-annual-commission-2018", "annual-commission-2018", "commission_protocol") == 5
    assert appendix_of("kz-atyrau-2023", "model-2018", "kpi_count") == 10
    assert appendix_of("kz-atyrau-2023", "model-2018", "differentiation") == 4
    assert appendix_of("kz-model-2018", "model-2018", "refusal_act") is None


def test_a_date_that_ends_its_sentence_takes_the_full_stop() -> None:
    """ "не позднее 24 апреля 2025 г." — one full stop, not "г.."; other values keep the template's stop."""
    from documents.labels import label

    assert label("cal.post_by", "ru", date="24 апреля 2025 г.").endswith("24 апреля 2025 г.")
    assert label("cal.post_by", "en", date="24 April 2025").endswith("24 April 2025.")
