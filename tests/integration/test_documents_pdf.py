"""Every document rendered to PDF in kk, ru and en and read back with poppler's pdftotext, as a person would read it.

Checked: the title of the law's form, names, scores with the language's decimal separator, localised dates, the legal
category names (from the rulebook catalogue), signatures (R-3) and the content hash; user text printed literally;
only typst's own fonts; nothing fetched from the network. The first page of each PDF is rendered to PNG with
pdftoppm into ``build/documents/`` (look at them; one is kept in docs/screenshots for the README).

poppler-utils is installed by ``.ci/ensure-poppler`` (called by ``make test``).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from documents import samples
from documents.formatting import format_date, format_period, format_score
from documents.labels import label, result_name
from documents.pdf import (
    TEMPLATES,
    compile_document,
    payload,
    render_pages,
    render_pdf,
    suggested_filename,
    template_of,
    write_pdf,
)
from documents.views import (
    CalibrationProtocol,
    CommissionProtocol,
    Document,
    Person,
    RefusalAct,
    Report360,
    ResultNotice,
)
from domain.vocabulary import Language

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "documents"
KK, RU, EN = Language.KK, Language.RU, Language.EN
EMBEDDED_FONTS = ("LibertinusSerif", "DejaVuSansMono", "NewCM")


@pytest.fixture(autouse=True, scope="module")
def _poppler() -> None:
    """The tests read the PDFs with poppler; without it they fail (never skip), saying how to get it."""
    missing = [tool for tool in ("pdftotext", "pdftoppm", "pdffonts") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: run .ci/ensure-poppler (apt-get install poppler-utils)")


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "doc", *, layout: bool = False) -> str:
    """The text of a PDF; ``layout`` keeps each printed line together ("Label: value" as on the page)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    mode = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", *mode, str(path), "-"], check=True, capture_output=True, text=True).stdout


def words_in(phrase: str, text: str) -> bool:
    """Every word of a table header: pdftotext interleaves the lines of neighbouring header cells."""
    return all(squash(word) in text for word in phrase.split())


def squash(text: str) -> str:
    """Text without any whitespace: a table cell may wrap a long name over two lines."""
    return "".join(text.split())


def spaced(text: str) -> str:
    return " ".join(text.split())


def people(document: Document) -> list[str]:
    """Every person's name a document must print (evaluatee, evaluator, members, signers, witnesses …)."""
    names = [signature.name for signature in document.signatures]
    for field in dataclasses.fields(document):
        value = getattr(document, field.name)
        if isinstance(value, Person):
            names.append(value.full_name)
        if isinstance(value, tuple):
            names += [item.full_name for item in value if isinstance(item, Person)]
            names += [item.full_name for item in value if hasattr(item, "full_name") and not isinstance(item, Person)]
    if isinstance(document, CommissionProtocol):
        names += [line.employee.full_name for line in document.lines]
    return names


def expected(document: Document) -> list[str]:
    """What every document shows, derived from its view: people, signature dates, the hash, the period."""
    lang = document.requisites.language
    texts = people(document) + [document.content_hash, format_period(document.requisites.period, lang)]
    texts += [format_date(s.signed_on, lang) for s in document.signatures if s.signed_on]
    panel = isinstance(document, CalibrationProtocol)
    texts += [label("sign.panel_member" if panel else f"sign.{s.role.value}", lang) for s in document.signatures]
    texts.append(label("confidential", lang).upper())  # printed in capitals at the top left
    if document.requisites.appendix is not None:
        texts.append(label("appendix", lang, n=document.requisites.appendix))
    return texts


ALL = [(name, language) for language in (KK, RU, EN) for name in samples.SAMPLES]


@pytest.mark.parametrize(("name", "language"), ALL, ids=[f"{n}-{lang.value}" for n, lang in ALL])
def test_every_document_prints_its_people_dates_signatures_and_hash(
    name: str, language: Language, tmp_path: Path
) -> None:
    """R-3: signer, role and date of every signature and the content hash are on the page, in the language asked."""
    document = samples.SAMPLES[name](language)
    pdf, warnings = compile_document(document)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert warnings == [], f"typst warned about {template_of(document)}: {warnings}"
    text = squash(pdf_text(pdf, tmp_path))
    missing = [item for item in expected(document) if squash(item) not in text]
    assert not missing, f"{name} ({language}) does not print {missing}"
    _keep_first_page(pdf, f"{name}.{language.value}", tmp_path)


def _keep_first_page(pdf: bytes, stem: str, tmp_path: Path) -> None:
    """The first page as PNG in build/documents/ (gitignored), for people to look at."""
    BUILD.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"{stem}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source), str(BUILD / stem)],
        check=True,
    )
    assert (BUILD / f"{stem}.png").read_bytes().startswith(b"\x89PNG")


# --- each form, with the values a reader checks --------------------------------------------------------------


def _read(document: Document, tmp_path: Path) -> str:
    """The document's text line by line as printed, spaces collapsed: for "Label: value" lines."""
    return "\n".join(spaced(line) for line in pdf_text(render_pdf(document), tmp_path, layout=True).splitlines())


def _cells(document: Document, tmp_path: Path) -> str:
    """The document's text in reading order without whitespace: for table cells that wrap (compare squashed)."""
    return squash(pdf_text(render_pdf(document), tmp_path))


@pytest.mark.parametrize(
    ("language", "score", "date", "category"),
    [
        (KK, "4,25", "2025 ж. 3 сәуір", "Функционалдық міндеттерін тиімді атқарады"),
        (RU, "4,25", "3 апреля 2025 г.", "Эффективно исполняет функциональные обязанности"),
        (EN, "4.25", "3 April 2025", "Performs functional duties effectively"),
    ],
)
def test_differentiation_sheet_follows_appendix_4(
    language: Language, score: str, date: str, category: str, tmp_path: Path
) -> None:
    """D-3: four parameters 4, 5, 4, 4 → average 4,25 → S-1 "effective"; the justification (Негіздеме)."""
    sheet = samples.differentiation_sheet(language)
    text = _read(sheet, tmp_path)
    assert label("sheet.title.differentiation", language) in text
    assert f"{label('average_score', language)} {score}" in text
    assert date in text and category in text
    cells = _cells(sheet, tmp_path)
    assert squash(sheet.justification) in cells
    for line in sheet.parameters:
        assert squash(line.name) in cells
    if language == KK:
        assert "Саралау әдісі бойынша бағалау парағы" in text and "4-қосымша" in text


@pytest.mark.parametrize("language", [KK, RU, EN])
def test_quarterly_form_shows_its_five_parameters_and_the_q3_cap(language: Language, tmp_path: Path) -> None:
    """Q-2/Q-3: average 4,00 lowered to 2,99 by a reprimand of the quarter; "satisfactory"."""
    sheet = samples.quarterly_sheet(language)
    assert sheet.cap is not None and sheet.cap.applied
    text, cells = _read(sheet, tmp_path), _cells(sheet, tmp_path)
    assert len(sheet.parameters) == 5
    for line in sheet.parameters:
        assert squash(line.name) in cells
    assert format_score(Decimal("2.99"), language) in text and format_score(Decimal("4.00"), language) in text
    assert label("sanction.reprimand", language) in text
    assert spaced(format_date(sheet.cap.imposed_on, language)) in text
    assert squash(result_name("satisfactory", language)) in cells
    assert squash(label("sign.eds", language)) in cells  # 003 forms are certified by an EDS
    if language == KK:
        assert "Баға 2,99 баллдан аспауы тиіс" in text
        assert "Басшы лауазымды атқармайтын адамның бағалау парағы" in text


@pytest.mark.parametrize(("language", "pct", "allowed"), [(KK, "95,00 %", "4,75–4,99"), (EN, "95.00%", "4.75–4.99")])
def test_kpi_sheet_shows_plan_actual_achievement_and_the_allowed_range(
    language: Language, pct: str, allowed: str, tmp_path: Path
) -> None:
    """K-4/K-5: 76 of 80 is 95 % → allowed 4,75–4,99; final = (4,50 + 5 + 4,60 + 4,30) / 4 = 4,60."""
    text = _read(samples.kpi_sheet(language), tmp_path)
    assert pct in text and allowed in text
    assert format_score(Decimal("4.60"), language) in text
    assert squash(label("kpi.lower_is_better", language)) in _cells(samples.kpi_sheet(language), tmp_path)  # K-6
    assert f"{label('kpi.count', language)}: 4" in text


def test_kpi_count_sheet_is_approved_by_the_superior_head_and_counts_achieved_kpis(tmp_path: Path) -> None:
    """M-4/M-5 (004 app. 2): 4 of 5 → "тиімді"; "БЕКІТЕМІН" with the superior head."""
    sheet = samples.kpi_count_sheet(KK)
    text = _read(sheet, tmp_path)
    assert "БЕКІТЕМІН" in text and "Жоғары тұрған басшы" in text
    assert "Қол жеткізілген НМИ саны: 4 / 5" in text
    assert "Бағалау нәтижесі: тиімді" in text
    assert squash("көрсеткішке қол жетпеді") in _cells(sheet, tmp_path)
    assert "1 250,5" in text  # grouped thousands with the decimal comma
    assert "4 из 5" in _read(samples.kpi_count_sheet(RU), tmp_path)


def test_competency_sheet_names_the_indicators_not_observed(tmp_path: Path) -> None:
    """M-6: 3 of 5 observed is below 3/4 → "does not meet", with the two indicators not observed listed."""
    sheet = samples.competency_sheet(RU)
    text = _cells(sheet, tmp_path)
    failing = next(line for line in sheet.competencies if not line.meets)
    assert squash(f"{len(failing.observed)} / {failing.total}") in text
    for indicator in failing.not_observed:
        assert squash(indicator) in text
    assert squash("не соответствует ожидаемому результату") in text
    assert len(sheet.competencies) == 11  # the form lists all eleven, the public-service ones with a dash


def test_calibration_protocol_records_members_votes_majority_and_final_score(tmp_path: Path) -> None:
    """C-5…C-7: three members, votes 4,50 / 4,50 / 4,25, adopted 4,50 by 2 of 3, placed by 29 April."""
    protocol = samples.calibration_protocol(KK)
    text = _read(protocol, tmp_path)
    assert "Калибрлеу сессиясының хаттамасы" in text
    assert "(2 / 3 дауыс)" in text and "қорытынды баға 4,50" in text
    assert "Баға 4,25 → 4,50 өзгертілді." in text
    assert "(персоналды басқару қызметі)" in text  # C-5: the HR member
    assert "2025 ж. 29 сәуір" in text  # C-7
    ru = _read(samples.calibration_protocol(RU), tmp_path)
    assert "(2 из 3 голосов)" in ru and "24 апреля 2025 г." in ru


def test_commission_protocol_has_the_corrected_by_the_commission_column(tmp_path: Path) -> None:
    """M-7 (004 app. 5): quorum 4 of 5, the secretary apart, a tie decided by the chair, the corrected result."""
    protocol = samples.commission_protocol(KK)
    text = _read(protocol, tmp_path)
    assert words_in("Бағалау нәтижелері комиссиямен түзетілуі (бар болған жағдайда)", _cells(protocol, tmp_path))
    assert "дауыс беретін 5 мүшенің 4 қатысты (кемінде 4 қажет) — отырыс өкілетті" in text
    assert "төрағаның дауысы шешуші болды" in text
    assert "БЕКІТЕМІН" in text and "Тексерілді" in text
    assert "Хатшы (дауыс бермейді)" in text
    ru = _cells(samples.commission_protocol(RU), tmp_path)
    assert words_in("Корректировка результатов оценки комиссией (при наличии)", ru)
    assert "эффективно" in ru  # row 2 corrected to "effective" in the M-4 words


def test_refusal_act_is_signed_by_hr_and_two_witnesses(tmp_path: Path) -> None:
    """M-8: HR and two other employees sign; the refusal does not stop the result entering the record."""
    act = samples.refusal_act(RU)
    text = _read(act, tmp_path)
    assert "Акт об отказе от ознакомления с результатами оценки" in text
    assert act.hr.full_name in text and all(w.full_name in text for w in act.witnesses)
    assert _cells(act, tmp_path).count(squash(label("sign.witness", RU))) >= 2
    assert "интранет-портал" in text
    assert "2 февраля 2026 г." in text


@pytest.mark.parametrize("form", ["others", "heads"])
def test_360_report_lists_competency_averages_with_self_apart_and_the_radar(form: str, tmp_path: Path) -> None:
    """T-5/T-6/T-8 (000 app. 7/8): averages and self-assessment per competency, the "паутинка", no respondent."""
    report = samples.report_360(KK, form=form)
    text = _read(report, tmp_path)
    assert "Паутинка" in text
    cells = _cells(report, tmp_path)
    for line in report.competencies:
        assert squash(line.name) in cells
    assert "4,33" in text and "5,00" in text
    assert "Респонденттер саны: 5" in text
    assert ("7-қосымша" if form == "heads" else "8-қосымша") in text
    assert b"<svg" not in render_pdf(report)  # the radar is drawn into the PDF, not attached as SVG text


def test_result_notice_tells_how_and_until_when_to_disagree(tmp_path: Path) -> None:
    """C-1/C-2: the result, the acquaintance deadline, and the calibration application by 14 April."""
    notice = samples.result_notice(KK)
    text = _cells(notice, tmp_path)
    assert squash("Құрметті Ахметова Аружан Серікқызы!") in text
    assert squash("2025 ж. 14 сәуір дейін") in text and squash("калибрлеу сессиясын") in text
    assert squash("Функционалдық міндеттерін тиімді атқарады") in text
    ru = _cells(samples.result_notice(RU), tmp_path)
    assert squash("до 14 апреля 2025 г.") in ru and squash("(Жақсыбеков Ерлан Қайратұлы)") in ru


# --- safety and self-containment ------------------------------------------------------------------------------

HOSTILE = 'Ахметова #set text(red) *bold* _x_ $x^2$ ] [ } { <script>alert(1)</script> @ref // \\ "q" #eval("1+1")'


@pytest.mark.parametrize(
    "make",
    [
        lambda: dataclasses.replace(
            samples.differentiation_sheet(KK),
            evaluatee=Person(HOSTILE, "#show: none", "C-4", "= Heading"),
            justification=HOSTILE,
        ),
        lambda: dataclasses.replace(samples.result_notice(RU), employee=Person(HOSTILE)),
        lambda: dataclasses.replace(samples.refusal_act(EN), statement=HOSTILE),
        lambda: dataclasses.replace(samples.report_360(KK), result=HOSTILE),
    ],
    ids=["sheet", "notice", "act", "report_360"],
)
def test_user_text_is_printed_literally_never_run_as_markup(make: object, tmp_path: Path) -> None:
    """A name with #, *, $, ], <script> … prints as typed: data reach typst as JSON strings, never as markup."""
    document = make()  # type: ignore[operator]
    pdf, warnings = compile_document(document)
    assert warnings == []
    text = spaced(pdf_text(pdf, tmp_path))  # type: ignore[arg-type]
    assert spaced(HOSTILE) in text
    assert "1+1" in text and "#eval" in text


def test_rendering_is_deterministic() -> None:
    """The same view gives the same bytes (no creation date): a re-export can be compared with a filed copy."""
    document = samples.commission_protocol(RU)
    assert render_pdf(document) == render_pdf(document)


def test_templates_import_no_typst_package() -> None:
    """A `@preview/…` import would be downloaded at run time; the templates use only typst itself."""
    for template in TEMPLATES.glob("*.typ"):
        assert "@preview" not in template.read_text(encoding="utf-8"), template.name
        assert '#import "@' not in template.read_text(encoding="utf-8"), template.name


@pytest.mark.parametrize("language", [KK, RU])
def test_only_typsts_own_fonts_are_embedded(language: Language, tmp_path: Path) -> None:
    """No system font is read (ignore_system_fonts): every embedded font is one typst ships, Kazakh letters included."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_pdf(samples.kpi_count_sheet(language)))
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    assert fonts and all(any(name in font for name in EMBEDDED_FONTS) for font in fonts), fonts
    assert "ҚҰПИЯ" in pdf_text(path.read_bytes(), tmp_path) or language != KK


def _no_network_prefix() -> list[str] | None:
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        if shutil.which(prefix[0]) and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return None


def test_every_document_renders_with_no_network_and_no_package_cache(tmp_path: Path) -> None:
    """Nothing is downloaded at run time: all samples render in a network namespace with empty typst caches."""
    prefix = _no_network_prefix()
    if prefix is None:
        pytest.skip("this machine cannot create a network namespace (unshare); the template check above still runs")
    script = (
        "from documents import samples; from documents.pdf import render_pdf; from domain.vocabulary import Language\n"
        "n = sum(len(render_pdf(d)) > 0 for l in Language for d in samples.all_samples(l).values())\n"
        "print(n)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env["HOME"] = str(tmp_path)
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")
    done = subprocess.run([*prefix, sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == len(samples.SAMPLES) * len(Language)
    assert not (tmp_path / "cache" / "typst").exists()


def test_pages_can_be_rendered_as_png_for_a_preview() -> None:
    pages = render_pages(samples.commission_protocol(KK))
    assert len(pages) == 2 and all(page.startswith(b"\x89PNG") for page in pages)


def test_the_payload_is_plain_json_strings_for_the_template() -> None:
    """Every value a template prints is already a string in the document's language (numbers formatted)."""
    data = payload(samples.differentiation_sheet(RU))
    assert data["final"] == "4,25" and data["lang"] == "ru"
    assert data["table"]["rows"][1]["score"] == "5,00"


@pytest.mark.parametrize("document", [samples.report_360(EN), samples.calibration_protocol(EN)], ids=["360", "cal"])
def test_english_documents_use_the_decimal_point(document: Report360 | CalibrationProtocol, tmp_path: Path) -> None:
    text = _read(document, tmp_path)
    assert "4.50" in text or "4.33" in text
    assert "4,50" not in text and "4,33" not in text


def test_notice_for_a_commission_result_points_to_the_appeal(tmp_path: Path) -> None:
    """M-9: a Commission result is appealed to the authorised body, not by a calibration session."""
    notice = dataclasses.replace(samples.result_notice(RU), review="commission")
    assert isinstance(notice, ResultNotice)
    assert squash("уполномоченном органе по делам государственной службы") in _cells(notice, tmp_path)


def test_refusal_act_view_requires_two_witnesses() -> None:
    act = samples.refusal_act(KK)
    assert isinstance(act, RefusalAct) and len(act.witnesses) == 2


def test_a_download_is_named_by_kind_period_hash_and_language(tmp_path: Path) -> None:
    sheet = samples.differentiation_sheet(KK)
    name = suggested_filename(sheet)
    assert name == f"sheet-2025-Q1-{sheet.content_hash[:8]}.kk.pdf"
    written = write_pdf(sheet, tmp_path / name)
    assert written.read_bytes() == render_pdf(sheet)
