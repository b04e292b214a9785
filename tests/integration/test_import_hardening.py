"""Issue 12, staff import: a damaged XLSX (zlib.error), a NUL byte in a CSV cell (exit 1 naming no row; in a
10,000-row file with 4 bad rows only 3 were listed), and contacts given as apprise URLs (a Telegram token kept in
clear, a malformed one dropped without a word). Real PostgreSQL (as the application role) and SQLite."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bagalau.cli import app
from bagalau.staff_files import import_staff, read_staff_file
from notifications.channels import mask, url_problem
from persistence.importers import StaffFileError, UrlPolicy
from persistence.models import ContactChannelRow
from persistence.secrets import SecretBox, generate_key, is_sealed, open_secret

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "staff"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
URLS = UrlPolicy(problem=url_problem, shown=mask)


@pytest.fixture(params=[pytest.param("pg_engine", marks=pytest.mark.postgres), "sqlite_engine"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(request.param)


def damaged_xlsx() -> bytes:
    """The example workbook with part of its compressed sheet overwritten: still a zip, no longer inflatable."""
    data = bytearray((EXAMPLES / "staff.xlsx").read_bytes())
    for index in range(600, 700):
        data[index] ^= 0x55
    return bytes(data)


def test_a_damaged_xlsx_is_reported_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "staff.xlsx"
    path.write_bytes(damaged_xlsx())

    with pytest.raises(StaffFileError) as refused:
        read_staff_file(path)
    assert "not a readable .xlsx workbook: the file is damaged" in str(refused.value)

    result = CliRunner().invoke(app, ["org", "import", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "the file is damaged" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("cut", [100, 2000, -50])
def test_a_truncated_xlsx_is_reported(tmp_path: Path, cut: int) -> None:
    data = (EXAMPLES / "staff.xlsx").read_bytes()
    with pytest.raises(StaffFileError, match="not a readable .xlsx workbook"):
        read_staff_file(tmp_path / "staff.xlsx", data[:cut])


def big_csv(rows: int, bad: dict[int, tuple[str, str]]) -> bytes:
    """A valid staff CSV of ``rows`` people; ``bad``: person index → (column, value) written instead."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["personnel_number", "full_name", "unit_code", "unit_name", "category", "email", "appointed"])
    for index in range(rows):
        row = {
            "personnel_number": f"P{index:05d}",
            "full_name": f"Person {index}",
            "unit_code": "U1",
            "unit_name": "Unit one" if index == 0 else "",
            "category": "C-4",
            "email": f"p{index}@example.kz",
            "appointed": "2020-01-01",
        }
        if index in bad:
            column, value = bad[index]
            row[column] = value
        writer.writerow(row.values())
    return out.getvalue().encode("utf-8")


def test_every_nul_byte_of_a_ten_thousand_row_file_is_listed_with_its_row_and_column(tmp_path: Path) -> None:
    """Issue 12: NUL bytes in 4 rows of 10,000: all 4 listed, each with its row and column, nothing written."""
    bad = {
        10: ("full_name", "Bad\x00Name"),
        2000: ("personnel_number", "P0\x002000"),
        5000: ("email", "p5000@exa\x00mple.kz"),
        9990: ("unit_code", "U\x001"),
    }
    with pytest.raises(StaffFileError) as refused:
        read_staff_file(tmp_path / "staff.csv", big_csv(10_000, bad))

    problems = refused.value.problems
    assert [(problem.where.row, problem.column) for problem in problems] == [
        (12, "full_name"),
        (2002, "personnel_number"),
        (5002, "email"),
        (9992, "unit_code"),
    ]
    assert all("control character U+0000" in problem.message for problem in problems)


@pytest.mark.postgres
def test_a_nul_byte_never_reaches_postgresql(pg_engine: Engine, tmp_path: Path) -> None:
    """Issue 12: PostgreSQL refused the NUL (exit 1, no row named); now the file is refused first, row by row."""
    path = tmp_path / "staff.csv"
    path.write_bytes(big_csv(20, {3: ("full_name", "A\x00B")}))

    with pytest.raises(StaffFileError) as refused:
        import_staff(pg_engine, path, actor="test", as_of=date(2025, 4, 1), body="nchr")

    assert str(refused.value) == f"{path}: row 5: full_name 'A\\x00B': contains the control character U+0000: " + (
        "retype the cell"
    )
    with pg_engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM person")) == 0


def scenario_staff(tmp_path: Path, telegram: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(
        "organization:\n"
        "  name: Agency\n"
        "  appointing_official: E1\n"
        "  hr: [E1]\n"
        "  units: [{id: U1, name: Unit}]\n"
        "  employees:\n"
        "    - {id: E1, name: Head, unit: U1, category: C-1, appointed: 2020-01-01,\n"
        f'       contacts: {{email: e1@example.kz, telegram: "{telegram}"}}}}\n'
        "    - {id: E2, name: Staff, unit: U1, category: C-4, head: E1, appointed: 2020-01-01,\n"
        '       contacts: {email: e2@example.kz, telegram: "tgram://bottoken/401234567"}}\n',
        encoding="utf-8",
    )
    return path


def test_a_contact_url_apprise_refuses_is_a_warning_and_is_not_imported(engine: Engine, tmp_path: Path) -> None:
    """Issue 12: `make demo`'s invalid Telegram URL was dropped without a word; now one warning names it."""
    staff = read_staff_file(scenario_staff(tmp_path, f"tgram://{TOKEN}/401234567"), urls=URLS)

    warnings = [warning.render("org.yaml") for warning in staff.warnings if warning.column == "contacts.telegram"]
    assert len(warnings) == 1
    assert "contacts.telegram 'tgram://bottoken/401234567'" in warnings[0] and "not imported" in warnings[0]
    report = import_staff(engine, staff, actor="test", as_of=date(2025, 4, 1), body="nchr")
    assert report.counts["contacts_added"] == 3  # two e-mails and E1's valid Telegram URL


def test_a_contact_url_is_stored_sealed_and_shown_masked(engine: Engine, tmp_path: Path) -> None:
    """Issue 12: Telegram/webhook tokens sat in contact_channel in clear."""
    box = SecretBox(generate_key())
    url = f"tgram://{TOKEN}/401234567"
    path = scenario_staff(tmp_path, url)
    import_staff(
        engine, read_staff_file(path, urls=URLS), actor="test", as_of=date(2025, 4, 1), body="nchr", secrets=box
    )

    table = ContactChannelRow.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table.c.address, table.c.apprise_url).where(table.c.kind == "telegram"))
        [(address, stored)] = rows.all()
        everything = " ".join(str(row) for row in connection.execute(sa.select(table)))
        audit = " ".join(str(row) for row in connection.execute(sa.text("SELECT * FROM audit_log")))
    assert TOKEN not in everything and TOKEN.split(":")[1] not in audit
    assert is_sealed(stored) and open_secret(stored, box) == url
    assert address == "tgram://****:****/401234567"

    again = import_staff(
        engine, read_staff_file(path, urls=URLS), actor="test", as_of=date(2025, 4, 1), body="nchr", secrets=box
    )
    assert not again.changed  # sealing twice gives two texts; the import compares the URLs themselves


def test_a_new_token_for_the_same_chat_is_a_change(engine: Engine, tmp_path: Path) -> None:
    box = SecretBox(generate_key())
    first = scenario_staff(tmp_path, f"tgram://{TOKEN}/401234567")
    import_staff(
        engine, read_staff_file(first, urls=URLS), actor="test", as_of=date(2025, 4, 1), body="nchr", secrets=box
    )
    rotated = scenario_staff(tmp_path, f"tgram://{TOKEN[:-4]}ZZZZ/401234567")
    report = import_staff(
        engine, read_staff_file(rotated, urls=URLS), actor="test", as_of=date(2025, 4, 1), body="nchr", secrets=box
    )
    assert report.counts == {"contacts_added": 1, "contacts_replaced": 1}
