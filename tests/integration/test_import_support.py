"""Staff files for the import tests: rows as dicts, written as CSV (any encoding, delimiter, line ending) or XLSX,
and a generated organization of any size. No tests here; the other ``test_import_*`` modules import it.

``python -m tests.integration.test_import_support`` rewrites ``examples/staff/staff.xlsx`` from ``staff.csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "staff"
EXAMPLE_CSV = EXAMPLES / "staff.csv"
EXAMPLE_XLSX = EXAMPLES / "staff.xlsx"

HEADER = (
    "personnel_number",
    "full_name",
    "unit_code",
    "unit_name",
    "parent_unit_code",
    "position_title",
    "category",
    "corps",
    "head_personnel_number",
    "appointed",
    "dismissed",
    "probation_until",
    "email",
    "phone",
    "telegram",
    "language",
    "roles",
)

Row = Mapping[str, Any]


def small_staff() -> list[dict[str, Any]]:
    """A body of six: E0 (political) heads it, E1 heads U1 (E2 works there), E3 heads U2, H1 is HR in U2."""
    return [
        {"personnel_number": "E0", "full_name": "Ерлан Омаров", "corps": "political", "roles": "appointing_official"},
        person("E1", "Айгерім Сәрсенова", "U1", "C-1", head="E0", unit_name="Жоспарлау департаменті"),
        person("E2", "Дана Бекова", "U1", "C-4", head="E1", email="d.bekova@example.kz", language="ru"),
        person("E3", "Нұрлан Әбенов", "U2", "C-1", head="E0", unit_name="Бақылау департаменті"),
        person("E4", "Әсел Жұмабаева", "U2", "C-5", head="E3", appointed="10.02.2025", probation="09.08.2025"),
        person("H1", "Гүлнар Исқақова", "U2", "C-4", head="E3", roles="hr", phone="8 701 000 00 01"),
    ]


def person(
    number: str,
    name: str,
    unit: str,
    category: str,
    *,
    head: str = "",
    appointed: str = "2020-01-01",
    unit_name: str = "",
    parent: str = "",
    title: str = "",
    dismissed: str = "",
    probation: str = "",
    email: str = "",
    phone: str = "",
    telegram: str = "",
    language: str = "",
    roles: str = "",
    corps: str = "",
) -> dict[str, Any]:
    """One row of a staff file (empty strings are empty cells)."""
    return {
        "personnel_number": number,
        "full_name": name,
        "unit_code": unit,
        "unit_name": unit_name,
        "parent_unit_code": parent,
        "position_title": title,
        "category": category,
        "corps": corps,
        "head_personnel_number": head,
        "appointed": appointed,
        "dismissed": dismissed,
        "probation_until": probation,
        "email": email,
        "phone": phone,
        "telegram": telegram,
        "language": language,
        "roles": roles,
    }


def csv_bytes(
    rows: Iterable[Row],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> bytes:
    """The rows as a CSV file (``encoding="utf-8-sig"`` writes a byte-order mark, as Excel does)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[Row], *, header: Sequence[str] = HEADER, dates_as_cells: bool = True) -> bytes:
    """The rows as an .xlsx workbook; date columns as real date cells unless ``dates_as_cells`` is false."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "staff"
    sheet.append(list(header))
    for row in rows:
        cells = []
        for name in header:
            value = row.get(name, "")
            if dates_as_cells and name in ("appointed", "dismissed", "probation_until") and value:
                value = _as_date(value)
            cells.append(None if value == "" else value)
        sheet.append(cells)
    for cell in ("J", "K", "L"):
        for item in sheet[cell][1:]:
            item.number_format = "DD.MM.YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    text = str(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return value


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_example_xlsx() -> None:
    """``examples/staff/staff.xlsx``: the example CSV as a workbook (dates as date cells)."""
    EXAMPLE_XLSX.write_bytes(xlsx_bytes(read_csv_rows(EXAMPLE_CSV)))


# --- a generated organization ------------------------------------------------------------------------------------


def generated_staff(people: int, *, departments: int = 20, sections: int = 10) -> list[dict[str, Any]]:
    """A body of ``people``: a political head, department heads (C-1), section heads (C-3), staff (C-4, C-5, C-O-1).

    Personnel numbers are ``P00001`` …; the head of the body is ``P00001``; every person has an e-mail, every other
    one a phone; two are HR. Deterministic.
    """
    rows: list[dict[str, Any]] = [
        {
            "personnel_number": "P00001",
            "full_name": "Person 00001",
            "unit_code": "B0",
            "unit_name": "Leadership",
            "corps": "political",
            "roles": "appointing_official",
            "email": "p00001@example.kz",
        }
    ]
    heads: list[tuple[str, str]] = []  # (section unit, its head)
    for d in range(1, departments + 1):
        department = f"D{d:02d}"
        number = _number(len(rows) + 1)
        rows.append(
            person(number, f"Person {number[1:]}", department, "C-1", head="P00001", unit_name=f"Department {d}",
                   parent="B0", title="Director", email=f"{number.lower()}@example.kz")
        )  # fmt: skip
        for s in range(1, sections + 1):
            section = f"{department}-{s:02d}"
            head = _number(len(rows) + 1)
            rows.append(
                person(head, f"Person {head[1:]}", section, "C-3", head=number, unit_name=f"Section {d}.{s}",
                       parent=department, title="Head of section", email=f"{head.lower()}@example.kz")
            )  # fmt: skip
            heads.append((section, head))
    categories = ("C-4", "C-5", "C-O-1")
    index = 0
    while len(rows) < people:
        section, head = heads[index % len(heads)]
        number = _number(len(rows) + 1)
        rows.append(
            person(
                number,
                f"Person {number[1:]}",
                section,
                categories[index % 3],
                head=head,
                appointed=f"{1 + index % 28:02d}.{1 + index % 12:02d}.{2010 + index % 15}",
                email=f"{number.lower()}@example.kz",
                phone=f"+7701{len(rows):07d}" if index % 2 else "",
                language=("kk", "ru")[index % 2],
                roles="hr" if index in (7, 8) else "",
            )
        )
        index += 1
    return rows[:people]


def _number(position: int) -> str:
    return f"P{position:05d}"


if __name__ == "__main__":
    write_example_xlsx()
    print(f"wrote {EXAMPLE_XLSX}")
