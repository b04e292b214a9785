"""Reading staff files on their own (no database): every shape of CSV HR sends, XLSX, a scenario's organization,
and every bad row reported with its row number, column, value and reason."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from bagalau.staff_files import read_staff_file
from domain.vocabulary import Corps, Language, Role
from persistence.importers import StaffFile, StaffFileError
from persistence.importers.spec import Problem
from tests.integration.test_import_support import (
    EXAMPLE_CSV,
    EXAMPLE_XLSX,
    HEADER,
    csv_bytes,
    person,
    read_csv_rows,
    small_staff,
    xlsx_bytes,
)


def read(data: bytes, name: str = "staff.csv") -> StaffFile:
    return read_staff_file(name, data)


def refusal(data: bytes, name: str = "staff.csv") -> StaffFileError:
    with pytest.raises(StaffFileError) as caught:
        read(data, name)
    return caught.value


def people(staff: StaffFile) -> list[object]:
    """The people without where they were found (to compare files of different shapes)."""
    return [dataclasses.replace(spec, where=None) for spec in staff.people]  # type: ignore[arg-type]


def messages(problems: list[Problem]) -> list[tuple[int | None, str | None, str | None]]:
    return [(problem.where.row, problem.column, problem.value) for problem in problems]


# --- shapes of CSV ---------------------------------------------------------------------------------------------


def test_a_plain_csv_is_read_into_units_and_people() -> None:
    staff = read(csv_bytes(small_staff()))
    assert staff.format == "csv" and staff.encoding == "utf-8" and staff.delimiter == ","
    assert [spec.personnel_number for spec in staff.people] == ["E0", "E1", "E2", "E3", "E4", "H1"]
    assert [spec.where.row for spec in staff.people] == [2, 3, 4, 5, 6, 7]
    assert set(staff.units) == {"U1", "U2"} and staff.units["U1"].name == "Жоспарлау департаменті"
    e2 = staff.people[2]
    assert (e2.unit, e2.category, e2.head, e2.appointed, e2.language) == (
        "U1",
        "C-4",
        "E1",
        date(2020, 1, 1),
        Language.RU,
    )
    assert staff.people[0].corps == Corps.POLITICAL and staff.people[0].roles == {Role.APPOINTING_OFFICIAL}
    assert staff.people[5].contacts[0].address == "+77010000001"  # 8 701 … is Kazakhstan's +7 701 …
    assert staff.warnings == []


@pytest.mark.parametrize(
    ("encoding", "delimiter", "line_end"),
    [
        ("utf-8-sig", ";", "\r\n"),  # Excel "CSV UTF-8" in a Russian locale on Windows
        ("utf-8-sig", ",", "\r\n"),
        ("utf-8", "\t", "\n"),
        ("utf-16", "\t", "\r\n"),  # Excel "Unicode text"
        ("utf-8", ";", "\r"),  # classic Mac line endings
    ],
)
def test_byte_order_marks_delimiters_and_line_endings_read_the_same(
    encoding: str, delimiter: str, line_end: str
) -> None:
    plain = read(csv_bytes(small_staff()))
    shaped = read(csv_bytes(small_staff(), encoding=encoding, delimiter=delimiter, line_end=line_end))
    assert people(shaped) == people(plain)
    assert shaped.delimiter == delimiter
    assert [spec.where.row for spec in shaped.people] == [2, 3, 4, 5, 6, 7]


def test_a_semicolon_file_with_commas_inside_values_is_sniffed_by_its_header() -> None:
    rows = small_staff()
    rows[1]["unit_name"] = "Department of planning, budget and reporting"
    staff = read(csv_bytes(rows, delimiter=";"))
    assert staff.delimiter == ";" and staff.units["U1"].name == "Department of planning, budget and reporting"


def test_a_windows_1251_file_is_read_and_the_user_is_told() -> None:
    rows = [person("E1", "Дана Бекова", "U1", "С-4", unit_name="Отдел планирования")]
    staff = read(csv_bytes(rows, encoding="cp1251", delimiter=";", line_end="\r\n"))
    assert staff.encoding == "cp1251"
    assert staff.people[0].full_name == "Дана Бекова" and staff.units["U1"].name == "Отдел планирования"
    assert len(staff.warnings) == 1 and "Windows-1251" in staff.warnings[0].message
    assert "UTF-8" in staff.warnings[0].message


def test_bytes_that_are_neither_utf8_nor_cyrillic_are_refused_saying_how_to_save() -> None:
    data = csv_bytes([person("E1", "Zoë Müller", "U1", "C-4")], encoding="latin-1")
    error = refusal(data)
    assert "not UTF-8" in str(error) and "CSV UTF-8" in str(error)


def test_an_old_xls_workbook_and_an_empty_file_are_refused() -> None:
    assert ".xls" in str(refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "staff.xls"))
    assert "empty" in str(refusal(b"", "staff.csv"))
    assert "empty" in str(refusal(b"\xef\xbb\xbf\r\n\r\n"))


def test_rows_are_numbered_as_an_editor_shows_them_across_blank_lines_and_multiline_cells() -> None:
    rows = small_staff()
    rows[1]["unit_name"] = "Жоспарлау\nдепартаменті"  # a quoted cell over two lines: the next row starts a line later
    e9 = csv_bytes([person("E9", "", "U1", "X")]).split(b"\n", 1)[1]
    data = csv_bytes(rows[:2]) + b"\n" + e9
    error = refusal(data)
    # header 1, E0 2, E1 3-4, blank 5, E9 6
    assert messages(error.problems) == [(6, "full_name", None), (6, "category", "X")]


# --- cells -----------------------------------------------------------------------------------------------------


def test_cyrillic_look_alikes_and_zero_for_o_in_categories_are_normalised() -> None:
    rows = [
        person("E1", "A", "U1", "С-0-1"),  # Cyrillic Es, digit zero
        person("E2", "B", "U1", "В-1"),  # Cyrillic Ve
        person("E3", "C", "U1", "с–3"),  # lower-case Cyrillic, en dash
        person("E4", "D", "U1", " C O 2 "),
    ]
    staff = read(csv_bytes(rows))
    assert [spec.category for spec in staff.people] == ["C-O-1", "B-1", "C-3", "C-O-2"]


def test_dates_in_iso_and_dotted_form_and_as_date_cells() -> None:
    rows = [person("E1", "A", "U1", "C-4", appointed="01.02.2021", probation="2021-08-01", dismissed="1.3.2024")]
    csv_staff = read(csv_bytes(rows))
    xlsx_staff = read(xlsx_bytes(rows), "staff.xlsx")
    for staff in (csv_staff, xlsx_staff):
        spec = staff.people[0]
        assert (spec.appointed, spec.probation_until, spec.dismissed) == (
            date(2021, 2, 1),
            date(2021, 8, 1),
            date(2024, 3, 1),
        )


def test_impossible_dates_are_refused_with_their_row_column_and_value() -> None:
    rows = [
        person("E1", "A", "U1", "C-4", appointed="31.02.2025"),
        person("E2", "B", "U1", "C-4", appointed="2025-13-01"),
        person("E3", "C", "U1", "C-4", appointed="01.01.0202"),
        person("E4", "D", "U1", "C-4", appointed="tomorrow"),
        person("E5", "E", "U1", "C-4", appointed="01.03.2024", dismissed="01.02.2024"),
        person("E6", "F", "U1", "C-4", appointed="01.03.2024", probation="01.02.2024"),
    ]
    error = refusal(csv_bytes(rows))
    assert messages(error.problems) == [
        (2, "appointed", "31.02.2025"),
        (3, "appointed", "2025-13-01"),
        (4, "appointed", "01.01.0202"),
        (5, "appointed", "tomorrow"),
        (6, "dismissed", "2024-02-01"),
        (7, "probation_until", "2024-02-01"),
    ]
    assert "not a calendar date" in error.problems[0].message
    assert "YYYY-MM-DD" in error.problems[3].message and "dd.mm.yyyy" in error.problems[3].message


def test_empty_required_fields_are_refused_one_problem_each() -> None:
    rows = [
        person("", "No number", "U1", "C-4"),
        person("E2", "", "U1", "C-4"),
        person("E3", "No category", "U1", ""),
        person("E4", "No unit", "", "C-4"),
        person("E5", "Political, no post", "", "", corps="political"),  # fine: not evaluated
        person("E6", "A corps with a category but no unit", "", "A-2", corps="A"),
    ]
    error = refusal(csv_bytes(rows))
    assert messages(error.problems) == [
        (2, "personnel_number", None),
        (3, "full_name", None),
        (4, "category", None),
        (5, "unit_code", None),
        (7, "unit_code", None),
    ]
    assert "B corps" in error.problems[2].message


def test_duplicate_personnel_numbers_name_the_first_row() -> None:
    rows = [person("E1", "A", "U1", "C-4"), person("E2", "B", "U1", "C-4"), person("E1", "C", "U1", "C-4")]
    error = refusal(csv_bytes(rows))
    assert messages(error.problems) == [(4, "personnel_number", "E1")]
    assert "also on row 2" in error.problems[0].message


def test_a_person_cannot_be_their_own_head_and_units_cannot_be_named_twice() -> None:
    rows = [
        person("E1", "A", "U1", "C-4", head="E1", unit_name="Planning"),
        person("E2", "B", "U1", "C-4", unit_name="Control"),
        person("E3", "C", "U1", "C-4", parent="U9"),
        person("E4", "D", "U1", "C-4", parent="U8"),
        person("E5", "E", "U5", "C-4", parent="U5"),
    ]
    error = refusal(csv_bytes(rows))
    assert messages(error.problems) == [
        (2, "head_personnel_number", "E1"),
        (3, "unit_name", "Control"),
        (5, "parent_unit_code", "U8"),
        (6, "parent_unit_code", "U5"),
    ]
    assert "named 'Planning' on row 2" in error.problems[1].message
    assert "under U9 on row 4" in error.problems[2].message
    assert "cannot be its own parent" in error.problems[3].message


def test_bad_contacts_roles_corps_and_languages_are_refused() -> None:
    rows = [
        person("E1", "A", "U1", "C-4", email="no-domain@"),
        person("E2", "B", "U1", "C-4", phone="call me"),
        person("E3", "C", "U1", "C-4", telegram="a b"),
        person("E4", "D", "U1", "C-4", roles="hr; boss"),
        person("E5", "E", "U1", "C-4", corps="C"),
        person("E6", "F", "U1", "C-4", language="de"),
        person("E7", "G", "U1", "C-4", roles="appointing_official"),
        person("E8", "H", "U1", "C-4", roles="hr;appointing_official"),
    ]
    error = refusal(csv_bytes(rows))
    assert messages(error.problems) == [
        (2, "email", "no-domain@"),
        (3, "phone", "call me"),
        (4, "telegram", "a b"),
        (5, "roles", "hr; boss"),
        (6, "corps", "C"),
        (7, "language", "de"),
        (9, "roles", "appointing_official"),
    ]
    assert "appointing_official, hr, hr_head, separated by ';'" in error.problems[3].message
    assert "also on row 8" in error.problems[6].message


def test_every_bad_row_is_listed_not_just_the_first() -> None:
    rows = [person(f"E{i}", f"Person {i}", "U1", "X-" if i % 100 == 0 else "C-4") for i in range(1, 1001)]
    error = refusal(csv_bytes(rows))
    assert [problem.where.row for problem in error.problems] == [i + 1 for i in range(100, 1001, 100)]
    assert error.bad_rows == 10
    assert str(error).splitlines()[0] == (
        "staff.csv: row 101: category 'X-': not a position category code; expected LETTER[-BLOCK]-NUMBER, "
        "e.g. B-1, C-3, C-O-1, C-R-2, D-O-4, E-G-3"
    )


def test_an_unquoted_delimiter_inside_a_value_is_caught() -> None:
    data = csv_bytes([person("E1", "A", "U1", "C-4")], delimiter=";")
    data += "E2;Бекова; Дана;U1;;;;C-4;;;2020-01-01;;;;;;ru;hr\n".encode()
    error = refusal(data)
    assert messages(error.problems)[0][:2] == (3, None)
    assert "unquoted semicolon" in error.problems[0].message


# --- headers ---------------------------------------------------------------------------------------------------


def test_unknown_columns_are_a_warning_and_missing_required_columns_fail_naming_them() -> None:
    rows = [dict(person("E1", "A", "U1", "C-4"), **{"Примечание": "x"})]
    staff = read(csv_bytes(rows, header=(*HEADER, "Примечание")))
    assert [(w.where.row, w.column, w.message) for w in staff.warnings] == [
        (1, "Примечание", "unknown column: ignored")
    ]
    error = refusal(csv_bytes(rows, header=("full_name", "unit_code", "email")))
    assert len(error.problems) == 1 and error.problems[0].where.row == 1
    assert "missing required column(s): personnel_number" in error.problems[0].message
    assert "category" in error.problems[0].message


def test_headers_may_be_russian_or_kazakh() -> None:
    russian = ("Табельный №", "ФИО", "Код подразделения", "Подразделение", "Должность", "Категория", "Руководитель")
    kazakh = ("Табель нөмірі", "Аты-жөні", "Бөлімше коды", "Бөлімше", "Лауазым", "Санат", "Тікелей басшы")
    english = ("personnel_number", "full_name", "unit_code", "unit_name", "position_title", "category", "head")
    values = ("E1", "Дана Бекова", "U1", "Жоспарлау", "Бас сарапшы", "С-4", "E0")
    expected = None
    for header in (english, russian, kazakh):
        staff = read(csv_bytes([dict(zip(header, values, strict=True))], header=header))
        found = (people(staff), staff.units, staff.warnings)
        expected = expected or found
        assert found == expected
    assert staff.people[0].head == "E0" and staff.people[0].title == "Бас сарапшы"


def test_a_column_given_twice_is_refused() -> None:
    header = ("personnel_number", "Табельный номер", "full_name", "unit_code", "category")
    error = refusal(csv_bytes([], header=header))
    assert "is personnel_number again" in error.problems[0].message


# --- XLSX and YAML ---------------------------------------------------------------------------------------------


def test_the_example_workbook_is_the_example_csv() -> None:
    assert EXAMPLE_XLSX.read_bytes()[:2] == b"PK"
    csv_staff = read_staff_file(EXAMPLE_CSV)
    xlsx_staff = read_staff_file(EXAMPLE_XLSX)
    assert xlsx_staff.format == "xlsx"
    assert people(xlsx_staff) == people(csv_staff)
    assert xlsx_staff.units == csv_staff.units
    assert len(read_csv_rows(EXAMPLE_CSV)) == csv_staff.rows


def test_xlsx_numbers_and_text_dates_read_like_csv(tmp_path: Path) -> None:
    rows = small_staff()
    rows[2]["personnel_number"] = 1002  # a numeric cell
    rows[2]["phone"] = 87010000002
    workbook = read(xlsx_bytes(rows, dates_as_cells=False), "staff.xlsx")
    assert workbook.people[2].personnel_number == "1002"
    assert workbook.people[2].contacts[-1].address == "+77010000002"
    assert workbook.people[4].appointed == date(2025, 2, 10)


def test_xlsx_problems_name_the_sheet_row() -> None:
    rows = small_staff()
    rows[3]["category"] = "Q"
    error = refusal(xlsx_bytes(rows), "staff.xlsx")
    assert messages(error.problems) == [(5, "category", "Q")]


def test_a_scenario_file_gives_its_organization(tmp_path: Path) -> None:
    scenario = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "annual-commission-2025.yaml"
    staff = read_staff_file(scenario)
    assert staff.format == "yaml" and staff.rows == 10 and set(staff.units) == {"U0", "U1", "U2", "U3"}
    assert staff.commission is not None and staff.commission.chair == "E0"
    assert staff.body_name and staff.body_name.startswith("Ақпарат комитеті")
    assert "ignored: rulebook" in staff.warnings[0].message
    only = tmp_path / "org.yaml"
    only.write_text(
        "organization:\n  name: Demo\n  appointing_official: E0\n  hr: [E1]\n"
        "  units: [{id: U1, name: Planning}]\n"
        "  employees:\n"
        "    - {id: E0, name: Head, corps: political}\n"
        "    - {id: E1, name: Aigerim, unit: U1, category: С-0-1, head: E0, appointed: 2020-01-01,\n"
        "       contacts: {email: a@example.kz, sms: '+77010000001'},\n"
        "       absences: [{kind: sick, from: 2025-04-01, to: 2025-04-14}]}\n",
        encoding="utf-8",
    )
    staff = read_staff_file(only)
    assert staff.warnings == [] and staff.people[1].category == "C-O-1"
    assert staff.people[1].roles == {Role.HR} and staff.people[0].roles == {Role.APPOINTING_OFFICIAL}
    assert [contact.kind for contact in staff.people[1].contacts] == ["email", "sms"]
    assert staff.people[1].absences[0].started_on == date(2025, 4, 1)


def test_a_bad_scenario_organization_is_refused_with_paths_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        "organization:\n  name: Demo\n  appointing_official: E0\n"
        "  units: [{id: U1, name: Planning}]\n"
        "  employees:\n"
        "    - {id: E0, name: Head, corps: political}\n"
        "    - {id: E1, name: Aigerim, unit: U1, category: X9, head: E0}\n"
        "    - {id: E2, name: Dana, unit: U1, category: C-4, hed: E1}\n",
        encoding="utf-8",
    )
    with pytest.raises(StaffFileError) as caught:
        read_staff_file(path)
    found = [(p.where.path, p.where.line, p.column) for p in caught.value.problems]
    assert ("organization.employees[1]", 7, "category") in found
    assert ("organization.employees[2]", 8, "hed") in found
    assert "org.yaml: organization.employees[1] (line 7): category 'X9'" in str(caught.value)


def test_yaml_that_is_not_a_staff_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("rulebook: kz-model-2018\n", encoding="utf-8")
    assert "organization" in str(pytest.raises(StaffFileError, read_staff_file, path).value)
    path.write_text("organization: [\n", encoding="utf-8")
    assert "not valid YAML" in str(pytest.raises(StaffFileError, read_staff_file, path).value)
