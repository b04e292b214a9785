"""Golden tests: every bundled rulebook loads, survives ``rulebook show --json``, and reproduces its seed's numbers.

The numbers come from ``domain/rulebooks/catalogue/facts.yaml`` (the checklist of every number per seed, with its
rule id and §): one test per (rulebook, fact), named ``rulebook/rule/seed §/fact``. Where a seed is silent and the
rulebook chooses, a separate test names the choice and the ``discrepancies:`` entry that documents it. Kazakh
names are checked against the seed texts themselves when ``../shared/seeds`` is present.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bagalau.cli import app
from domain import rulebooks
from domain.rulebook import BehaviourCompetency, DayOfMonthRule, Indicator, MethodSpec, Rulebook, Text
from domain.vocabulary import AbsenceKind, Method, ResultCategory, SanctionKind

BUNDLED_DIR = rulebooks.BUNDLED_DIR
CATALOGUE = BUNDLED_DIR / "catalogue"
FACTS: dict[str, Any] = yaml.safe_load((CATALOGUE / "facts.yaml").read_text(encoding="utf-8"))
DISCREPANCIES = {entry["id"]: entry for entry in FACTS["discrepancies"]}
SEEDS_DIR = next(  # ../shared beside the checkout (a worktree sits one level deeper)
    (up / "shared" / "seeds" for up in Path(__file__).resolve().parents if (up / "shared" / "seeds").is_dir()),
    Path(__file__).resolve().parents[3] / "shared" / "seeds",
)
SEED_FILES = {
    "000": "000_b3c11ba84257d2ca.txt",
    "001": "001_0371e3c6f54042d5.txt",
    "002": "002_c8c5514fe8a48e87.txt",
    "003": "003_a5d0fd5638a44804.txt",
    "004": "004_54e9782664309773.txt",
}
BOOK_IDS = ["kz-annual-commission-2018", "kz-atyrau-2023", "kz-model-2018", "kz-quarterly-2026"]
D = Decimal


def book(book_id: str) -> Rulebook:
    return rulebooks.bundled()[book_id]


def fact(seed: str, fact_id: str) -> dict[str, Any]:
    found = [item for item in FACTS[seed]["facts"] if item["id"] == fact_id]
    assert len(found) == 1, f"facts.yaml has {len(found)} facts {fact_id!r} for seed {seed}"
    item: dict[str, Any] = found[0]
    return item


def seed_text(seed: str) -> str:
    """The seed's text with all whitespace runs made one space (the seeds are hard-wrapped)."""
    path = SEEDS_DIR / SEED_FILES[seed]
    if not path.is_file():
        pytest.skip(f"seed texts not available at {SEEDS_DIR}")
    return " ".join(path.read_text(encoding="utf-8").split())


def raw_yaml(book_id: str) -> str:
    return (BUNDLED_DIR / f"{book_id}.yaml").read_text(encoding="utf-8")


def dec(value: float | int | str) -> Decimal:
    return D(str(value))


# --- getters shared by the goldens ---------------------------------------------------------------------------


def spec(b: Rulebook, method: str) -> MethodSpec:
    return b.method(method)


def days(rule: object) -> int:
    value = getattr(rule, "days", None)
    assert isinstance(value, int), f"{rule!r} is not a working-day rule"
    return value


def day_of_month(rule: object) -> tuple[int, int]:
    """(day, months_after) of a day-of-month rule."""
    day, months_after = getattr(rule, "day", None), getattr(rule, "months_after", None)
    assert isinstance(day, int) and isinstance(months_after, int), f"{rule!r} is not a day-of-month rule"
    return day, months_after


def bands(b: Rulebook) -> list[tuple[str, Decimal, Decimal]]:
    return [(str(band.category), band.min, band.max) for band in sorted(b.results.bands, key=lambda x: -x.min)]


def count_grades(b: Rulebook) -> dict[str, int | str]:
    """The M-4 grading in facts.yaml's form: category → count, or "lo-hi" for a range of counts."""
    assert b.count_grading is not None
    out: dict[str, int | str] = {}
    upper = b.count_grading.kpi_count
    for grade in b.count_grading.grades:
        low = grade.min_achieved
        out[str(grade.category)] = low if low == upper else f"{low}-{upper}"
        upper = grade.min_achieved - 1
    return out


def quorum(b: Rulebook) -> str:
    assert b.commission is not None
    return f"{b.commission.quorum_numerator}/{b.commission.quorum_denominator}"


def vote(b: Rulebook) -> dict[str, object]:
    assert b.commission is not None
    return {
        "tie": "chair_decides" if b.commission.chair_casting_vote else "none",
        "secretary_votes": b.commission.secretary_votes,
    }


def comm(b: Rulebook) -> Any:
    assert b.commission is not None
    return b.commission


def cal(b: Rulebook) -> Any:
    assert b.calibration is not None
    return b.calibration


def survey(b: Rulebook) -> Any:
    assert b.survey_360 is not None
    return b.survey_360


def kpi_rules(b: Rulebook) -> Any:
    assert b.kpi is not None
    return b.kpi


def sheet_scale(b: Rulebook, method: str) -> tuple[Decimal, Decimal]:
    sheet = spec(b, method).sheet
    assert sheet is not None
    return sheet.scale.min, sheet.scale.max


def sheet_size(b: Rulebook, method: str) -> int:
    sheet = spec(b, method).sheet
    assert sheet is not None
    return len(sheet.parameters)


def sheet_flag(b: Rulebook, method: str) -> bool:
    """Q-1: whether 0 means "the parameter was not performed"."""
    sheet = spec(b, method).sheet
    assert sheet is not None
    return sheet.zero_means_not_performed


def population_period(b: Rulebook) -> tuple[date, date] | None:
    """M-10: the window of absence that puts someone in 002 chapter 6's population."""
    population = spec(b, "kpi_count").population
    return None if population is None else (population.absent_from, population.absent_to)


def competencies(b: Rulebook) -> Any:
    assert b.competencies is not None
    return b.competencies


# --- the goldens ---------------------------------------------------------------------------------------------


def same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Golden:
    """One number of a seed (facts.yaml ``seed``/``fact``, rule ``rule``) as the rulebook ``book`` holds it."""

    book: str
    seed: str
    fact: str
    rule: str
    get: Callable[[Rulebook], Any]
    expect: Callable[[Any], Any] = field(default=same)

    @property
    def id(self) -> str:
        source = str(fact(self.seed, self.fact)["source"]).replace("§", "par.")
        return f"{self.book}/{self.rule}/{source}/{self.fact}"


def model_2018_goldens(book_id: str, seed: str) -> list[Golden]:
    """The Model 2018 numbers (000 and 001 print the same ones; 002 leaves them to the Model text)."""
    g = [
        Golden(
            book_id,
            seed,
            "kpi_diff_quarterly_deadline_day",
            "P-1",
            lambda b: {day_of_month(spec(b, m).deadline) for m in ("kpi", "differentiation")},
            lambda v: {(v, 1)},
        ),
        Golden(
            book_id,
            seed,
            "method360_annual_deadline_day",
            "P-1",
            lambda b: day_of_month(survey(b).deadline),
            lambda v: (v, 1),
        ),
        Golden(book_id, seed, "kpi_plan_wd_after_period_start", "K-1", lambda b: days(spec(b, "kpi").kpi_plan)),
        Golden(book_id, seed, "kpi_plan_upload_wd", "K-2", lambda b: days(spec(b, "kpi").kpi_plan_upload)),
        Golden(
            book_id, seed, "kpi_not_set_if_remaining_less_than", "E-6", lambda b: b.eligibility.kpi_min_remaining_months
        ),
        Golden(book_id, seed, "kpi_actuals_sent_before_deadline_wd", "P-5", lambda b: days(spec(b, "kpi").kpi_actuals)),
        Golden(
            book_id, seed, "kpi_count", "K-3", lambda b: {"min": kpi_rules(b).min_count, "max": kpi_rules(b).max_count}
        ),
        Golden(book_id, seed, "kpi_notice_day", "P-4", lambda b: day_of_month(spec(b, "kpi").notice), lambda v: (v, 1)),
        Golden(
            book_id,
            seed,
            "kpi_score_scale",
            "K-4",
            lambda b: (min(r.min_score for r in kpi_rules(b).ranges), max(r.max_score for r in kpi_rules(b).ranges)),
            lambda v: (dec(v["min"]), dec(v["max"])),
        ),
        Golden(
            book_id,
            seed,
            "differentiation_notice_day",
            "P-4",
            lambda b: day_of_month(spec(b, "differentiation").notice),
            lambda v: (v, 1),
        ),
        Golden(
            book_id,
            seed,
            "differentiation_scale_par31",
            "D-2",
            lambda b: sheet_scale(b, "differentiation"),
            lambda v: (dec(v["min"]), dec(v["max"])),
        ),
        Golden(book_id, seed, "differentiation_parameter_count", "D-2", lambda b: sheet_size(b, "differentiation")),
        Golden(
            book_id,
            seed,
            "delegation_threshold_more_than",
            "D-4",
            lambda b: (b.delegation.threshold, b.delegation.counts) if b.delegation else None,
            lambda v: (v, "unit_b_corps"),
        ),
        Golden(
            book_id,
            seed,
            "method360_competency_count",
            "T-2",
            lambda b: {form: len(survey(b).forms[form].competencies) for form in ("heads", "others")},
        ),
        Golden(
            book_id,
            seed,
            "method360_questions_per_competency",
            "T-2",
            lambda b: {len(c.questions) for f in survey(b).forms.values() for c in f.competencies},
            lambda v: {v},
        ),
        Golden(
            book_id,
            seed,
            "method360_respondents",
            "T-4",
            lambda b: {"min": survey(b).min_respondents, "max": survey(b).max_respondents},
        ),
        Golden(
            book_id,
            seed,
            "method360_self_assessment_excluded",
            "T-5",
            lambda b: survey(b).self_assessment == "collected_excluded",
        ),
        Golden(book_id, seed, "calibration_application_wd", "C-2", lambda b: days(cal(b).apply_within)),
        Golden(book_id, seed, "calibration_decision_wd", "C-3", lambda b: days(cal(b).decide_within)),
        Golden(book_id, seed, "calibration_session_wd", "C-4", lambda b: days(cal(b).hold_within)),
        Golden(book_id, seed, "calibration_protocol_upload_wd", "C-7", lambda b: days(cal(b).protocol_post_within)),
        Golden(book_id, seed, "retention_years", "R-1", lambda b: b.retention.years),
    ]
    if book_id == "kz-model-2018":  # 002 rewrites these three: its own goldens below
        g += [
            Golden(book_id, seed, "min_tenure_in_position", "E-1", lambda b: b.eligibility.min_tenure_months),
            Golden(
                book_id, seed, "s1_bands", "S-1", bands, lambda v: [(x["id"], dec(x["min"]), dec(x["max"])) for x in v]
            ),
            Golden(book_id, seed, "acquaintance_wd", "C-1", lambda b: days(cal(b).acquaintance)),
        ]
    return g


ATYRAU = "kz-atyrau-2023"
QUARTERLY = "kz-quarterly-2026"
ANNUAL = "kz-annual-commission-2018"

GOLDENS: list[Golden] = [
    *model_2018_goldens("kz-model-2018", "000"),
    *model_2018_goldens("kz-model-2018", "001"),
    *model_2018_goldens(ATYRAU, "000"),
    # --- 002: the Atyrau amendments and chapter 6 ---
    Golden(ATYRAU, "002", "min_tenure_in_position", "E-1", lambda b: b.eligibility.min_tenure_months),
    Golden(
        ATYRAU, "002", "absent_evaluated_without_participation", "E-3", lambda b: b.eligibility.absent == "in_absentia"
    ),
    Golden(ATYRAU, "002", "acquaintance_wd", "C-1", lambda b: days(cal(b).acquaintance)),
    Golden(
        ATYRAU,
        "002",
        "chapter6_population_period",
        "M-10",
        population_period,
        lambda v: (date.fromisoformat(v["from"]), date.fromisoformat(v["to"])),
    ),
    Golden(
        ATYRAU,
        "002",
        "transitional_valid_until",
        "M-10",
        lambda b: spec(b, "kpi_count").valid_until,
        date.fromisoformat,
    ),
    Golden(ATYRAU, "002", "ch6_kpi_plan_wd_after_period_start", "M-2", lambda b: days(spec(b, "kpi_count").kpi_plan)),
    Golden(ATYRAU, "002", "ch6_kpi_count", "M-2", lambda b: b.count_grading.kpi_count if b.count_grading else None),
    Golden(ATYRAU, "002", "ch6_kpi_result_by_count", "M-4", count_grades),
    Golden(ATYRAU, "002", "ch6_sheet_resubmission_wd", "M-5", lambda b: days(comm(b).resubmit_within)),
    Golden(ATYRAU, "002", "ch6_sheet_to_commission_wd", "M-5", lambda b: days(comm(b).submit_to_commission_within)),
    Golden(ATYRAU, "002", "ch6_evaluator_notice_wd", "M-7", lambda b: days(comm(b).notice_before_meeting)),
    Golden(ATYRAU, "002", "ch6_commission_quorum", "M-7", quorum),
    Golden(
        ATYRAU,
        "002",
        "ch6_commission_vote",
        "M-7",
        vote,
        lambda v: {"tie": v["tie"], "secretary_votes": v["secretary_votes"]},
    ),
    Golden(ATYRAU, "002", "ch6_acquaintance_wd", "M-8", lambda b: days(comm(b).acquaintance)),
    Golden(ATYRAU, "002", "ch6_appeal_wd", "M-9", lambda b: days(comm(b).appeal_within)),
    # --- 003: the quarterly 5-parameter family ---
    Golden(
        QUARTERLY,
        "003",
        "quarterly_deadline_day",
        "P-2",
        lambda b: {day_of_month(spec(b, m).deadline) for m in ("form1", "form2")},
        lambda v: {(v, 1)},
    ),
    Golden(
        QUARTERLY,
        "003",
        "evaluated_period",
        "P-2",
        lambda b: {str(spec(b, m).cadence) for m in ("form1", "form2")},
        lambda v: {v},
    ),
    Golden(
        QUARTERLY,
        "003",
        "annual_final_deadline",
        "P-3",
        lambda b: day_of_month(b.annual.due) if b.annual else None,
        lambda v: (v["day"], v["month"]),
    ),  # January = 1 month after the year's last month
    Golden(QUARTERLY, "003", "min_tenure_in_position", "E-1", lambda b: b.eligibility.min_tenure_months),
    Golden(QUARTERLY, "003", "min_days_worked_in_period", "E-2", lambda b: b.eligibility.min_worked_days),
    Golden(
        QUARTERLY,
        "003",
        "dismissed_evaluated_without_participation",
        "E-4",
        lambda b: b.eligibility.dismissed == "in_absentia",
    ),
    Golden(
        QUARTERLY,
        "003",
        "dismissed_acquaintance_within",
        "Q-4",
        lambda b: (day_of_month(cal(b).dismissed_acquaintance), cal(b).dismissed_acquaintance.roll),
        lambda v: ((31, 1), "roll_back") if v == "the month after the reporting quarter" else v,
    ),
    Golden(QUARTERLY, "003", "s1_bands", "S-1", bands, lambda v: [(x["id"], dec(x["min"]), dec(x["max"])) for x in v]),
    Golden(QUARTERLY, "003", "calibration_application_wd", "C-2", lambda b: days(cal(b).apply_within)),
    Golden(QUARTERLY, "003", "retention_years", "R-1", lambda b: b.retention.years),
    Golden(
        QUARTERLY,
        "003",
        "score_scale",
        "Q-1",
        lambda b: {sheet_scale(b, m) for m in ("form1", "form2")},
        lambda v: {(dec(v["min"]), dec(v["max"]))},
    ),
    Golden(
        QUARTERLY,
        "003",
        "delegation_threshold_more_than",
        "D-4",
        lambda b: (b.delegation.threshold, b.delegation.counts) if b.delegation else None,
        lambda v: (v, "evaluatees"),
    ),
    Golden(QUARTERLY, "003", "calibration_decision_wd", "C-3", lambda b: days(cal(b).decide_within)),
    Golden(
        QUARTERLY,
        "003",
        "calibration_composition",
        "C-5",
        lambda b: {"odd": cal(b).odd_members, "min_members": cal(b).min_members},
    ),
    Golden(QUARTERLY, "003", "calibration_session_wd", "C-4", lambda b: days(cal(b).hold_within)),
    Golden(QUARTERLY, "003", "calibration_protocol_upload_wd", "C-7", lambda b: days(cal(b).protocol_post_within)),
    Golden(QUARTERLY, "003", "parameters_per_form", "Q-2", lambda b: {m: sheet_size(b, m) for m in ("form1", "form2")}),
    Golden(
        QUARTERLY,
        "003",
        "sanction_caps",
        "Q-3",
        lambda b: {tuple(sorted(map(str, cap.sanctions))): cap.max_score for cap in b.caps.caps} if b.caps else None,
        lambda v: {
            ("reprimand", "severe_reprimand", "warning"): dec(v["warning_reprimand_severe_reprimand"]),
            ("other",): dec(v["other_sanctions"]),
        },
    ),
    # --- 004: the annual KPI count + competencies family with a Commission ---
    Golden(ANNUAL, "004", "min_time_in_position", "E-5", lambda b: b.eligibility.min_tenure_months),
    Golden(ANNUAL, "004", "probation_not_evaluated", "E-5", lambda b: b.eligibility.exclude_probation),
    Golden(
        ANNUAL,
        "004",
        "absent_evaluated_after_return_wd",
        "E-5",
        lambda b: (b.eligibility.absent, days(b.eligibility.after_return)),
        lambda v: ("after_return", v),
    ),
    Golden(ANNUAL, "004", "commission_size_min", "M-7", lambda b: comm(b).min_members),
    Golden(
        ANNUAL,
        "004",
        "evaluation_lines",
        "M-1",
        lambda b: [str(m.method) for m in b.methods],
        lambda v: ["kpi_count" if line == "kpi" else line for line in v],
    ),
    Golden(ANNUAL, "004", "retention_years", "R-1", lambda b: b.retention.years),
    Golden(ANNUAL, "004", "kpi_plan_wd_after_period_start", "M-2", lambda b: days(spec(b, "kpi_count").kpi_plan)),
    Golden(ANNUAL, "004", "kpi_plan_resubmission_wd", "M-2", lambda b: days(spec(b, "kpi_count").kpi_plan_resubmit)),
    Golden(ANNUAL, "004", "kpi_count", "M-2", lambda b: b.count_grading.kpi_count if b.count_grading else None),
    Golden(ANNUAL, "004", "kpi_result_by_count", "M-4", count_grades),
    Golden(ANNUAL, "004", "kpi_sheet_resubmission_wd", "M-5", lambda b: days(comm(b).resubmit_within)),
    Golden(ANNUAL, "004", "kpi_sheet_to_commission_wd", "M-5", lambda b: days(comm(b).submit_to_commission_within)),
    Golden(
        ANNUAL,
        "004",
        "competency_meets_share",
        "M-6",
        lambda b: Fraction(competencies(b).threshold_numerator, competencies(b).threshold_denominator),
        lambda v: Fraction(str(v)),
    ),
    Golden(
        ANNUAL,
        "004",
        "indicators_per_competency_max",
        "M-6",
        lambda b: max(len(items) for c in competencies(b).competencies for items in c.indicators.values()) <= 10,
        lambda v: True if v == 10 else v,
    ),
    Golden(
        ANNUAL, "004", "competency_sheet_to_commission_wd", "M-6", lambda b: days(comm(b).submit_to_commission_within)
    ),
    Golden(
        ANNUAL,
        "004",
        "competency_count",
        "M-6",
        lambda b: {
            "total": len(competencies(b).competencies),
            "public_service_only": sum(c.public_service_only for c in competencies(b).competencies),
        },
    ),
    Golden(ANNUAL, "004", "evaluator_notice_wd", "M-7", lambda b: days(comm(b).notice_before_meeting)),
    Golden(ANNUAL, "004", "commission_quorum", "M-7", quorum),
    Golden(
        ANNUAL,
        "004",
        "commission_vote",
        "M-7",
        vote,
        lambda v: {"tie": v["tie"], "secretary_votes": v["secretary_votes"]},
    ),
    Golden(ANNUAL, "004", "acquaintance_wd", "M-8", lambda b: days(comm(b).acquaintance)),
    Golden(
        ANNUAL,
        "004",
        "refusal_act_signatories",
        "M-8",
        lambda b: comm(b).refusal_act_witnesses,
        lambda v: v["other_employees"],
    ),
    Golden(ANNUAL, "004", "appeal_wd", "M-9", lambda b: days(comm(b).appeal_within)),
]


# --- every bundled rulebook loads and round-trips --------------------------------------------------------------


def test_the_four_bundled_rulebooks_load_each_named_after_its_file() -> None:
    books = rulebooks.bundled()
    assert sorted(books) == BOOK_IDS
    for book_id, loaded in books.items():
        assert loaded.id == book_id and (BUNDLED_DIR / f"{book_id}.yaml").is_file()


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_rulebook_show_json_validates_back_to_an_equal_model(book_id: str) -> None:
    result = CliRunner().invoke(app, ["rulebook", "show", book_id, "--json"])
    assert result.exit_code == 0, result.output
    again = rulebooks.validate(json.loads(result.stdout), "<show --json>")
    assert again == book(book_id)
    assert rulebooks.to_json(again) == result.stdout.rstrip("\n")


def cited_rule_ids(value: object) -> set[str]:
    """Every value of a ``rule``/``rules`` key in a dumped rulebook."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "rule" and isinstance(item, str):
                found.add(item)
            elif key == "rules" and isinstance(item, list):
                found.update(str(x) for x in item)
            else:
                found |= cited_rule_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= cited_rule_ids(item)
    return found


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_every_rule_id_a_rulebook_cites_is_a_methodology_rule(book_id: str) -> None:
    cited = cited_rule_ids(book(book_id).model_dump(mode="json"))
    assert {"S-1", "R-1"} <= cited
    methodology = SEEDS_DIR.parent / "METHODOLOGY.md"
    if not methodology.is_file():
        pytest.skip(f"METHODOLOGY.md not available at {methodology}")
    text = methodology.read_text(encoding="utf-8")
    unknown = sorted(rule for rule in cited if not re.search(rf"\b{re.escape(rule)}\b", text))
    assert not unknown, f"{book_id} cites rule ids METHODOLOGY.md does not define: {unknown}"


# --- each rulebook reproduces its seed's numbers (facts.yaml) -------------------------------------------------


@pytest.mark.parametrize("golden", GOLDENS, ids=[g.id for g in GOLDENS])
def test_the_rulebook_holds_the_seed_number(golden: Golden) -> None:
    item = fact(golden.seed, golden.fact)
    assert item["rule"] == golden.rule, f"facts.yaml files {golden.fact} under {item['rule']}, not {golden.rule}"
    assert golden.get(book(golden.book)) == golden.expect(item["value"]), f"{golden.rule}, {item['source']}"


def k4_rows() -> list[tuple[str, str, int]]:
    return [
        (book_id, seed, index)
        for book_id, seed in (("kz-model-2018", "000"), ("kz-model-2018", "001"), (ATYRAU, "000"))
        for index in range(len(fact(seed, "kpi_allowed_range_table")["value"]))
    ]


@pytest.mark.parametrize(
    ("book_id", "seed", "index"), k4_rows(), ids=[f"{b}/K-4/{s} app.3/row{i + 1}" for b, s, i in k4_rows()]
)
def test_k4_appendix_3_row_is_reproduced_entry_by_entry(book_id: str, seed: str, index: int) -> None:
    printed = fact(seed, "kpi_allowed_range_table")["value"][index]
    rows = {row.min_pct: row for row in kpi_rules(book(book_id)).ranges}
    row = rows[dec(printed["min_pct"])]
    expected_max = None if printed["max_pct"] is None else dec(printed["max_pct"])
    if printed["printed_pct"] == "40-44,49":
        # K-4: the seed prints 40–44,49, an evident typo: 44.50–44.99 % would fall in no row. The rulebook holds
        # 44.99 and says so in a comment; facts.yaml keeps the printed value and lists the discrepancy.
        assert expected_max == D("44.49") and "typo" in printed["note"]
        assert seed in DISCREPANCIES["k4_typo_44_49"]["seeds"]
        assert row.max_pct == D("44.99")
        assert '"40 – 44,49"; 44.99 is meant' in raw_yaml(book_id)
    else:
        assert row.max_pct == expected_max
    assert (row.min_score, row.max_score) == (dec(printed["min_score"]), dec(printed["max_score"]))


@pytest.mark.parametrize("book_id", ["kz-model-2018", ATYRAU])
def test_k4_table_has_the_21_rows_of_appendix_3(book_id: str) -> None:
    assert len(kpi_rules(book(book_id)).ranges) == 21 == len(fact("000", "kpi_allowed_range_table")["value"])


# --- names exactly as in the seeds -----------------------------------------------------------------------------

S1_NAMES = {  # 000 §7, 001 §7, 003 §7
    "effective": "Функционалдық міндеттерін тиімді атқарады",
    "proper": "Функционалдық міндеттерін тиісті түрде атқарады",
    "satisfactory": "Функционалдық міндеттерін қанағаттанарлық түрде атқарады",
    "unsatisfactory": "Функционалдық міндеттерін қанағаттанарлықсыз түрде атқарады",
}


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_s1_bands_and_their_kazakh_names_are_those_of_par_7(book_id: str) -> None:
    b = book(book_id)
    assert bands(b) == [
        ("effective", D("4"), D("5")),
        ("proper", D("3"), D("3.99")),
        ("satisfactory", D("2"), D("2.99")),
        ("unsatisfactory", D("0"), D("1.99")),
    ]
    assert {str(band.category): band.name.kk for band in b.results.bands} == S1_NAMES
    catalogue = yaml.safe_load((CATALOGUE / "results_s1.yaml").read_text(encoding="utf-8"))["bands"]
    assert {item["category"]: item["name"]["kk"] for item in catalogue} == S1_NAMES


@pytest.mark.parametrize("seed", ["000", "001", "003"])
def test_s1_kazakh_names_are_printed_in_the_seed(seed: str) -> None:
    text = seed_text(seed)
    for name in S1_NAMES.values():
        assert f'"{name}"' in text, f"S-1: {name!r} not in seed {seed} §7"


def test_004_names_its_count_and_competency_results_in_its_own_words() -> None:
    """M-4 (004 §18): өте жақсы / тиімді / қанағаттанарлық / қанағаттанарлықсыз; M-6 (004 §27)."""
    b = book(ANNUAL)
    assert b.count_grading is not None
    assert [(g.min_achieved, str(g.category), g.name.kk if g.name else None) for g in b.count_grading.grades] == [
        (5, "excellent", "өте жақсы"),
        (4, "effective", "тиімді"),
        (3, "satisfactory", "қанағаттанарлық"),
        (0, "unsatisfactory", "қанағаттанарлықсыз"),
    ]
    names = {str(category): text.kk for category, text in b.results.names.items()}
    assert names == {
        "excellent": "өте жақсы",
        "meets": "күтілген нәтижеге сәйкес",
        "does_not_meet": "күтілген нәтижеге сәйкес емес",
    }
    assert b.results.name_of(ResultCategory.EXCELLENT).kk == "өте жақсы"
    text = seed_text("004")
    for word in ("өте жақсы", "тиімді", "қанағаттанарлық", "қанағаттанарлықсыз"):
        assert f'"{word}" баға қойылады' in text
    for word in names.values():
        assert word in text


def test_002_chapter_6_grades_carry_the_par_49_wording_on_the_s1_categories() -> None:
    b = book(ATYRAU)
    assert b.count_grading is not None
    grades = [(g.min_achieved, str(g.category), g.name.kk if g.name else None) for g in b.count_grading.grades]
    assert grades == [
        (5, "effective", "Функционалдық міндеттерді тиімді орындайды"),
        (4, "proper", "Функционалдық міндеттерді тиісті түрде орындайды"),
        (3, "satisfactory", "Функционалдық міндеттерін қанағаттанарлық орындайды"),
        (0, "unsatisfactory", "Функционалдық міндеттерін қанағаттанарлықсыз орындайды"),
    ]
    text = seed_text("002")
    for _, _, name in grades:
        assert f'"{name}" баға қойылады' in text
    assert "atyrau_ch6_result_names" in DISCREPANCIES


@pytest.mark.parametrize("book_id", ["kz-model-2018", ATYRAU])
def test_360_answers_are_the_five_printed_options_worth_1_to_5(book_id: str) -> None:
    answers = survey(book(book_id)).answers
    assert [(a.id, a.points) for a in answers] == [
        ("never", D(1)),
        ("rarely", D(2)),
        ("half", D(3)),
        ("mostly", D(4)),
        ("always", D(5)),
    ]  # T-3: the seeds give no points; 1–5 is the documented default
    catalogue = yaml.safe_load((CATALOGUE / "competencies_360_model2018.yaml").read_text(encoding="utf-8"))
    assert {a.id: a.name.model_dump() for a in answers} == catalogue["answer_names"]
    text = seed_text("000")
    printed = (
        "құзырет көрінбейді; құзырет сирек көрінеді; құзырет жағдайлардың жартысында көрінеді; "
        "құзырет көп жағдайда көрінеді; құзырет әрқашан көрінеді"
    )
    assert printed in text
    assert "; ".join(a.name.kk for a in answers) == printed


@pytest.mark.parametrize("book_id", ["kz-model-2018", ATYRAU])
def test_360_has_12_competencies_for_heads_and_8_for_others_with_3_questions_each(book_id: str) -> None:
    forms = survey(book(book_id)).forms
    assert {name: len(form.competencies) for name, form in forms.items()} == {"heads": 12, "others": 8}
    assert {len(c.questions) for form in forms.values() for c in form.competencies} == {3}
    assert [c.id for c in forms["heads"].competencies][:2] == ["management", "communications"]


def test_003_form_parameters_are_printed_in_the_seed_forms() -> None:
    b, text = book(QUARTERLY), seed_text("003")
    for method in ("form1", "form2"):
        sheet = spec(b, method).sheet
        assert sheet is not None
        for number, parameter in enumerate(sheet.parameters, start=1):
            assert f"{number}. {parameter.name.kk}" in text, (method, parameter.id)


def test_004_has_eleven_competencies_two_for_public_service_positions_only() -> None:
    rules = competencies(book(ANNUAL))
    assert len(rules.competencies) == 11
    public_only = [c.id for c in rules.competencies if c.public_service_only]
    assert public_only == ["customer_orientation", "informing_customers"]
    assert set(rules.category_groups) == {"senior_heads", "middle_heads", "staff"}
    assert rules.category_groups["senior_heads"].categories == ["C-1", "C-O-1"]
    assert all(set(c.indicators) == set(rules.category_groups) for c in rules.competencies)


def test_m6_refuses_an_eleventh_behaviour_indicator() -> None:
    """M-6 (004 §26): at most 10 indicators per competency — the model holds the limit."""
    text = Text(kk="мәтін", ru="текст", en="text")
    indicator = Indicator(kk="a", ru="a", en="a")
    BehaviourCompetency(id="x", name=text, indicators={"staff": [indicator] * 10})
    with pytest.raises(ValueError, match="at most 10"):
        BehaviourCompetency(id="x", name=text, indicators={"staff": [indicator] * 11})


# --- chapter 6 of 002 --------------------------------------------------------------------------------------------


def test_002_chapter_6_is_a_yearly_kpi_count_before_a_commission_replacing_kpi_and_differentiation() -> None:
    b = book(ATYRAU)
    ch6 = spec(b, "kpi_count")
    assert ch6.cadence == "year" and ch6.scoring == "kpi_count" and ch6.review == "commission"
    assert ch6.superior_approval and ch6.replaces == [Method.KPI, Method.DIFFERENTIATION]
    assert ch6.population is not None and ch6.population.rule == "M-10"
    # E-3/M-10: unpaid leave is a social leave (Labour Code art. 87 §5), so it is in chapter 6's population.
    assert ch6.population.absent_kinds == [AbsenceKind.SOCIAL_LEAVE, AbsenceKind.UNPAID_LEAVE, AbsenceKind.SICK]
    assert ch6.in_force(date(2023, 8, 31)) and not ch6.in_force(date(2023, 9, 1))
    # The rulebook itself runs from the amendment (29.06.2023), open-ended for the Model part.
    assert (b.valid_from, b.valid_until) == (date(2023, 6, 29), None)
    assert spec(b, "kpi").valid_until is None and spec(b, "differentiation").valid_until is None


def test_002_heads_of_units_are_the_model_list_because_002_names_none() -> None:
    categories = yaml.safe_load((CATALOGUE / "categories.yaml").read_text(encoding="utf-8"))
    assert categories["002"]["heads_of_units"] == []
    assert book(ATYRAU).category_groups["heads_of_units"].categories == categories["000"]["heads_of_units"]


def test_002_commission_size_is_chosen_as_004s_five_because_002_is_silent() -> None:
    assert fact("002", "ch6_commission_size_min")["value"] is None
    assert "atyrau_commission_size" in DISCREPANCIES
    assert comm(book(ATYRAU)).min_members == fact("004", "commission_size_min")["value"] == 5


# --- 003: the choices where it is silent, and what it does not have ------------------------------------------


def test_003_routes_b1_and_co1_to_the_direct_head_and_everyone_else_to_the_head_of_unit() -> None:
    b = book(QUARTERLY)
    assert b.category_groups["leadership"].categories == ["B-1", "C-O-1"]
    form1, form2 = spec(b, "form1"), spec(b, "form2")
    routes = [(r.when.include, r.route) for r in form1.evaluator]
    assert routes == [(["heads_of_units"], "direct_head"), ([], "head_of_unit")]
    assert [(r.when.include, r.route) for r in form2.evaluator] == [([], "head_of_unit")]
    for category, method in (("B-1", form1), ("C-O-1", form1), ("B-4", form2), ("C-O-5", form2)):
        assert b.matches(method.applies_to, category)
    assert {m: sheet_flag(b, m) for m in ("form1", "form2")} == {"form1": True, "form2": True}


def test_003_caps_the_final_score_at_299_and_199() -> None:
    caps = book(QUARTERLY).caps
    assert caps is not None and caps.rule == "Q-3" and caps.apply_to == "final"
    assert [(cap.sanctions, cap.max_score) for cap in caps.caps] == [
        ([SanctionKind.WARNING, SanctionKind.REPRIMAND, SanctionKind.SEVERE_REPRIMAND], D("2.99")),
        ([SanctionKind.OTHER], D("1.99")),
    ]
    assert "q3_cap_scope" in DISCREPANCIES


def test_003_notices_are_the_model_10th_rolled_back_because_003_sets_none() -> None:
    b = book(QUARTERLY)
    for method in ("form1", "form2"):
        notice = spec(b, method).notice
        assert isinstance(notice, DayOfMonthRule)
        assert (day_of_month(notice), notice.roll, notice.rule) == ((10, 1), "roll_back", "P-4")


def test_003_acquaintance_is_the_model_2_working_days_because_003_has_none() -> None:
    assert "c1_not_in_003" in DISCREPANCIES
    assert (days(cal(book(QUARTERLY)).acquaintance), cal(book(QUARTERLY)).acquaintance.rule) == (2, "C-1")


def test_003_evaluates_absent_people_in_absentia_although_it_is_silent() -> None:
    assert "e3_absent_not_in_003" in DISCREPANCIES
    assert book(QUARTERLY).eligibility.absent == "in_absentia"


def test_003_calibration_panel_is_odd_at_least_3_with_hr_never_the_employee_nor_the_evaluator() -> None:
    c = cal(book(QUARTERLY))
    assert (c.min_members, c.odd_members, c.require_hr_member) == (3, True, True)
    assert c.exclude_employee and c.exclude_disputed_evaluator


def test_003_annual_final_is_due_30_january_and_averages_both_forms() -> None:
    annual = book(QUARTERLY).annual
    assert annual is not None and annual.methods == [Method.FORM1, Method.FORM2]
    assert day_of_month(annual.due) == (30, 1)


def test_003_has_no_360_no_kpis_and_no_commission() -> None:
    b = book(QUARTERLY)
    assert b.survey_360 is None and b.kpi is None and b.commission is None and b.count_grading is None
    assert "360" not in seed_text("003")


# --- 004: the choices and what it does not have --------------------------------------------------------------


def test_004_absent_people_wait_for_their_return_and_social_leave_restarts_the_three_months() -> None:
    """E-5 (004 §4); E-3: social leave includes unpaid leave (Labour Code art. 87 §5)."""
    e = book(ANNUAL).eligibility
    assert (e.tenure_reason, e.exclude_probation, e.absent) == ("tenure_under_three_months", True, "after_return")
    assert e.tenure_restarts_after == [AbsenceKind.SOCIAL_LEAVE, AbsenceKind.UNPAID_LEAVE]
    assert AbsenceKind.UNPAID_LEAVE in e.in_absentia_kinds and AbsenceKind.SOCIAL_LEAVE not in e.in_absentia_kinds


def test_004_notice_is_read_as_a_lead_time_of_7_working_days_and_002s_as_3() -> None:
    assert "m7_notice_wording" in DISCREPANCIES
    for book_id, expected in ((ANNUAL, 7), (ATYRAU, 3)):
        notice = comm(book(book_id)).notice_before_meeting
        assert (notice.kind, notice.days, notice.before) == ("working_days_before", expected, "meeting")


def test_004_methods_are_yearly_by_the_direct_head_before_the_commission() -> None:
    b = book(ANNUAL)
    for method in b.methods:
        assert method.cadence == "year" and method.review == "commission"
        assert [r.route for r in method.evaluator] == ["direct_head"]
    assert spec(b, "kpi_count").superior_approval and not spec(b, "competencies").superior_approval
    assert b.calibration is None and b.survey_360 is None and b.delegation is None and b.kpi is None


# --- delegation, caps, KPI counts and retention across the families ------------------------------------------


def test_delegation_thresholds_are_50_in_the_unit_and_20_evaluatees() -> None:
    expected = {"kz-model-2018": (50, "unit_b_corps"), ATYRAU: (50, "unit_b_corps"), QUARTERLY: (20, "evaluatees")}
    for book_id, (threshold, counts) in expected.items():
        delegation = book(book_id).delegation
        assert delegation is not None and (delegation.threshold, delegation.counts) == (threshold, counts)


def test_kpi_counts_are_3_to_5_in_model_2018_and_exactly_5_by_count() -> None:
    for book_id in ("kz-model-2018", ATYRAU):
        assert (kpi_rules(book(book_id)).min_count, kpi_rules(book(book_id)).max_count) == (3, 5)
    for book_id in (ATYRAU, ANNUAL):
        grading = book(book_id).count_grading
        assert grading is not None and grading.kpi_count == 5


@pytest.mark.parametrize("book_id", BOOK_IDS)
def test_documents_are_kept_3_years(book_id: str) -> None:
    assert (book(book_id).retention.rule, book(book_id).retention.years) == ("R-1", 3)


# --- the model's additions for these seeds are validated ------------------------------------------------------


def dumped(book_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(rulebooks.to_json(book(book_id)))
    return data


def test_plan_upload_and_resubmission_windows_need_a_kpi_plan() -> None:
    """K-2/M-2: the plan windows count from a plan that K-1/M-2 sets, so a method without one is refused."""
    data = dumped(ANNUAL)
    del data["methods"][0]["kpi_plan"]
    with pytest.raises(rulebooks.RulebookError) as caught:
        rulebooks.validate(data, "book.yaml")
    assert [path for path, _ in caught.value.problems] == ["methods[0]"]
    assert "kpi_plan_upload/kpi_plan_resubmit need 'kpi_plan'" in caught.value.problems[0][1]


def test_tenure_restarting_absences_are_absence_kinds_listed_once() -> None:
    data = dumped(ANNUAL)
    data["eligibility"]["tenure_restarts_after"] = ["social_leave", "social_leave", "sabbatical"]
    with pytest.raises(rulebooks.RulebookError) as caught:
        rulebooks.validate(data, "book.yaml")
    assert [path for path, _ in caught.value.problems] == ["eligibility.tenure_restarts_after[2]"]
    data["eligibility"]["tenure_restarts_after"] = ["social_leave", "social_leave"]
    with pytest.raises(rulebooks.RulebookError, match="lists an absence kind twice"):
        rulebooks.validate(data, "book.yaml")
