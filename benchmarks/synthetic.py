"""A deterministic synthetic state body of N people, as HR's staff file (CSV and XLSX) and a few facts beside it.

The same N always gives the same file, byte for byte (no clock, no unseeded randomness). Its shape follows a
ministry: the appointing official (political corps), an HR service (hr, hr_head), then departments of
:data:`DEPARTMENT` people — a director (C-1, by KPIs, G-2), heads of division (C-3) with their staff (C-4, C-5,
C-O-4 …, differentiation). Every 100th person has been dismissed in the quarter (E-4, in absentia), every 50th is
on probation, every 40th was appointed less than a month before the quarter's end (E-1: not evaluated), every
7th reads Russian. :func:`absences` adds leave in the quarter for every 25th person (E-3, in absentia).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HEADER = [
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
]
DEPARTMENT = 200
"""People per department: a director and divisions of :data:`DIVISION` (a head of division and staff)."""
DIVISION = 10
STAFF_CATEGORIES = ("C-4", "C-5", "C-4", "C-O-4", "C-5", "C-4")
FIRST_NAMES = ("Айгерім", "Ерлан", "Дана", "Нұрлан", "Әсел", "Гүлнар", "Олжас", "Мадина", "Асқар", "Жанар")
LAST_NAMES = ("Сәрсенова", "Омаров", "Бекова", "Әбенов", "Жұмабаева", "Исқақова", "Бекболатов", "Нұрланова")
QUARTER_END = date(2025, 3, 31)
HR_STAFF = 5


@dataclass(frozen=True)
class Person:
    number: str
    name: str
    unit: str
    unit_name: str
    parent: str
    title: str
    category: str
    corps: str
    head: str
    appointed: date
    dismissed: date | None
    probation_until: date | None
    language: str
    roles: str

    def row(self) -> list[str]:
        return [
            self.number,
            self.name,
            self.unit,
            self.unit_name,
            self.parent,
            self.title,
            self.category,
            self.corps,
            self.head,
            self.appointed.isoformat(),
            self.dismissed.isoformat() if self.dismissed else "",
            self.probation_until.isoformat() if self.probation_until else "",
            f"{self.number.lower()}@bench.gov.kz",
            "",
            "",
            self.language,
            self.roles,
        ]


def _name(i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 10) % len(LAST_NAMES)]} {i}"


def _appointed(i: int) -> date:
    if i % 40 == 39:
        return date(2025, 3, 20)  # E-1: less than a month in the quarter
    return date(2015 + i % 9, 1 + i % 12, 1 + i % 28)


def people(n: int) -> Iterator[Person]:
    """The body's ``n`` people (at least :data:`HR_STAFF` + 2), heads before the people they head."""
    if n < HR_STAFF + 2:
        raise ValueError(f"a synthetic body needs at least {HR_STAFF + 2} people, not {n}")
    yield Person(
        "E0",
        _name(0),
        "U0",
        "Leadership",
        "",
        "Minister",
        "",
        "political",
        "",
        date(2023, 2, 1),
        None,
        None,
        "kk",
        "appointing_official",
    )
    for h in range(HR_STAFF):
        head = "E0" if h == 0 else "H0"
        roles = "hr;hr_head" if h == 0 else "hr"
        yield Person(
            f"H{h}",
            _name(h + 1),
            "UHR",
            "HR service" if h == 0 else "",
            "U0" if h == 0 else "",
            "Head of HR" if h == 0 else "HR officer",
            "C-3" if h == 0 else "C-4",
            "B",
            head,
            date(2018, 4, 2),
            None,
            None,
            "kk",
            roles,
        )
    for i in range(n - HR_STAFF - 1):
        department, place = divmod(i, DEPARTMENT)
        dept = f"D{department}"
        if place == 0:
            yield Person(
                f"P{i}",
                _name(i),
                dept,
                f"Department {department}",
                "U0",
                "Director",
                "C-1",
                "B",
                "E0",
                _appointed(i),
                None,
                None,
                "kk",
                "",
            )
            continue
        division, seat = divmod(place - 1, DIVISION)
        unit = f"{dept}.{division}"
        director = f"P{department * DEPARTMENT}"
        if seat == 0:
            yield Person(
                f"P{i}",
                _name(i),
                unit,
                f"Division {department}.{division}",
                dept,
                "Head of division",
                "C-3",
                "B",
                director,
                _appointed(i),
                None,
                None,
                "ru" if i % 7 == 0 else "kk",
                "",
            )
            continue
        head = f"P{department * DEPARTMENT + 1 + division * DIVISION}"
        yield Person(
            f"P{i}",
            _name(i),
            unit,
            "",
            "",
            "Expert",
            STAFF_CATEGORIES[i % len(STAFF_CATEGORIES)],
            "B",
            head,
            _appointed(i),
            date(2025, 3, 14) if i % 100 == 98 else None,
            date(2025, 6, 30) if i % 50 == 7 else None,
            "ru" if i % 7 == 0 else "kk",
            "",
        )


def write_csv(path: Path, n: int) -> Path:
    """The staff file as CSV (UTF-8, comma-separated), as HR exports it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for person in people(n):
            writer.writerow(person.row())
    return path


def write_xlsx(path: Path, n: int) -> Path:
    """The same staff file as an XLSX workbook (one sheet, streamed)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("staff")
    sheet.append(HEADER)
    for person in people(n):
        sheet.append(person.row())
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def absences(n: int) -> Iterator[tuple[str, str, date, date]]:
    """(personnel number, kind, from, to): leave in the quarter for every 25th person (E-3)."""
    kinds = ("annual_leave", "sick", "business_trip", "training")
    for i in range(0, n - HR_STAFF - 1, 25):
        if i % DEPARTMENT == 0 or (i % DEPARTMENT - 1) % DIVISION == 0:
            continue  # heads stay present: their people's sheets are routed to them (G-7 is the routing's own test)
        yield f"P{i}", kinds[i % len(kinds)], date(2025, 3, 3), date(2025, 3, 21)
