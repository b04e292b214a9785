"""Position category codes: one canonical spelling, the form LETTER[-BLOCK]-NUMBER ("Position categories")."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.categories import Category, CategoryCodeError, is_valid_category, normalize_category

# --- normalisation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("C-O-1", "C-O-1"),
        ("С-1", "C-1"),  # Cyrillic Es, as seed 000 prints it
        ("С-О-1", "C-O-1"),  # Cyrillic Es and O, as seed 001 prints it
        ("С-0-1", "C-O-1"),  # the digit zero for the letter O
        ("c-o-1", "C-O-1"),
        ("в-1", "B-1"),  # lower-case Cyrillic Ve
        ("Е-G-3", "E-G-3"),
        ("D-О-4", "D-O-4"),
        ("C–3", "C-3"),  # en dash
        ("C—R—2", "C-R-2"),  # em dash
        ("C\u2212O\u22121", "C-O-1"),  # minus sign
        ("C\u2010R\u20102", "C-R-2"),  # Unicode hyphen
        ("C - O - 1", "C-O-1"),
        ("C O 1", "C-O-1"),
        ("C_R_2", "C-R-2"),
        ("  B-1\t", "B-1"),
        ("C-10", "C-10"),  # digits in the number position stay digits
        ("С-0-10", "C-O-10"),
        ("Ｃ－Ｏ－１", "C-O-1"),  # full-width forms
    ],
)
def test_category_codes_are_normalised_to_latin_capitals_letter_o_and_hyphens(raw: str, code: str) -> None:
    assert normalize_category(raw) == code
    assert is_valid_category(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "X",
        "C--1",
        "1-C",
        "C-1-",
        "",
        "   ",
        "-C-1",
        "C",
        "C-",
        "C-O",
        "C-0",  # zero in the number position is a digit, and there is no category 0
        "C-01",
        "0-1",  # zero in the letter position is not read as O
        "C-1O",
        "C-OO-1",
        "CO-1",
        "C1",
        "C-O-1-2",
        "Д-1",  # transliteration, not a look-alike
        "C-*",
    ],
)
def test_malformed_category_codes_are_refused_naming_the_field_the_value_and_the_form(raw: str) -> None:
    assert not is_valid_category(raw)
    with pytest.raises(CategoryCodeError) as info:
        normalize_category(raw)
    message = str(info.value)
    assert message.startswith("category: ")
    assert repr(raw) in message
    assert "LETTER[-BLOCK]-NUMBER" in message and "C-O-1" in message
    assert isinstance(info.value, ValueError)
    assert info.value.field == "category"
    assert info.value.value == raw


def test_the_refusal_names_the_field_the_caller_gives() -> None:
    with pytest.raises(CategoryCodeError, match=r"^employees\[3\]\.category: 'C--1'"):
        normalize_category("C--1", field="employees[3].category")


def test_the_refusal_shows_how_a_look_alike_spelling_was_read() -> None:
    with pytest.raises(CategoryCodeError, match=r"'С--1' \(read as 'C--1'\)"):
        normalize_category("С--1")


def test_a_non_text_is_not_a_category_code() -> None:
    assert not is_valid_category(None)
    assert not is_valid_category(1)
    with pytest.raises(CategoryCodeError, match="category: None"):
        normalize_category(None)  # type: ignore[arg-type]


def test_a_category_code_error_survives_pickling() -> None:
    error = CategoryCodeError("C--1", "employees[3].category")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.field == "employees[3].category"


# --- the Category value --------------------------------------------------------------------------------------------


def test_category_parse_splits_letter_block_and_number() -> None:
    assert Category.parse("С-0-1") == Category("C", "O", 1)
    assert Category.parse("B-1") == Category("B", "", 1)
    assert str(Category.parse("с-р-2")) == "C-P-2"  # Cyrillic Er reads as Latin P
    assert Category.parse("E-G-3").code == "E-G-3"


def test_categories_sort_by_letter_then_block_then_number() -> None:
    codes = ["C-O-1", "D-O-4", "B-1", "C-3", "C-R-2", "C-1", "C-10", "E-G-3"]
    assert [str(c) for c in sorted(Category.parse(code) for code in codes)] == [
        "B-1", "C-1", "C-3", "C-10", "C-O-1", "C-R-2", "D-O-4", "E-G-3",
    ]  # fmt: skip


def test_a_category_built_by_hand_must_have_the_canonical_form() -> None:
    with pytest.raises(CategoryCodeError):
        Category("c", "", 1)
    with pytest.raises(CategoryCodeError):
        Category("C", "O", 0)
    with pytest.raises(CategoryCodeError):
        Category("C", "0", 1)


def test_category_parse_refuses_malformed_codes_naming_the_field() -> None:
    with pytest.raises(CategoryCodeError, match="^position.category: 'C-1-'"):
        Category.parse("C-1-", field="position.category")


# --- properties ------------------------------------------------------------------------------------------------------

LOOK_ALIKES = {
    "A": "Аа", "B": "Вв", "C": "Сс", "E": "Ее", "H": "НнҺһ", "K": "Кк", "M": "Мм", "O": "Оо",
    "P": "Рр", "T": "Тт", "X": "Хх", "Y": "УуҮү",
}  # fmt: skip
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", " ", "_", " - ", " – "]

letters = st.sampled_from("ABCDEGHKMOPRTXY")
codes = st.builds(
    lambda letter, block, number: f"{letter}-{block}-{number}" if block else f"{letter}-{number}",
    letters,
    st.one_of(st.just(""), letters),
    st.integers(min_value=1, max_value=99),
)


@st.composite
def look_alike_spellings(draw: st.DrawFn, code: str) -> str:
    parts = code.split("-")
    written = []
    for position, part in enumerate(parts):
        if part.isdigit():
            written.append(part)
            continue
        variants = [part, part.lower(), *LOOK_ALIKES.get(part, "")]
        if part == "O" and position == 1 and len(parts) == 3:
            variants.append("0")
        written.append(draw(st.sampled_from(variants)))
    text = written[0]
    for part in written[1:]:
        text += draw(st.sampled_from(DASHES)) + part
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))


@settings(max_examples=500)
@given(data=st.data(), code=codes)
def test_every_look_alike_spelling_of_a_valid_code_normalises_to_the_latin_code(data: st.DataObject, code: str) -> None:
    raw = data.draw(look_alike_spellings(code))
    assert normalize_category(raw) == code
    assert Category.parse(raw).code == code


@settings(max_examples=500)
@given(raw=st.one_of(st.text(max_size=12), codes, st.text(alphabet="СОВЕ0-–1 2_", max_size=8)))
def test_normalisation_is_idempotent_and_agrees_with_is_valid(raw: str) -> None:
    if is_valid_category(raw):
        code = normalize_category(raw)
        assert normalize_category(code) == code
        assert code.isascii()
        assert str(Category.parse(raw)) == code
    else:
        with pytest.raises(CategoryCodeError):
            normalize_category(raw)


@given(code=codes)
def test_canonical_codes_are_their_own_normal_form(code: str) -> None:
    assert normalize_category(code) == code
