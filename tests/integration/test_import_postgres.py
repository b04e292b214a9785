"""Importing staff into the database, written once as ``ImportContract`` and run on PostgreSQL here (as the
application role) and on SQLite in ``test_import_sqlite.py``: all or nothing, re-import is a no-op, changes
keep their history (a person who moves unit mid-quarter), every bad row is listed, 10,000 people in seconds."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from application.environment import Environment
from bagalau.cli import app
from bagalau.staff_files import import_staff, read_staff_file
from domain import facts
from domain.vocabulary import Role
from persistence.importers import ImportRefused, ImportReport, StaffFileError
from persistence.models import AuditLogRow, metadata
from persistence.uow import UnitOfWork
from tests.integration.test_import_support import (
    EXAMPLE_CSV,
    EXAMPLE_XLSX,
    HEADER,
    csv_bytes,
    generated_staff,
    person,
    small_staff,
    xlsx_bytes,
)

AS_OF = date(2025, 4, 1)
SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
UNREADABLE = {"survey_answer"}  # the application role may only insert 360 answers (docs/schema.md)


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table (every table the application may read)."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
            if table.name not in UNREADABLE
        }


def written(engine: Engine) -> dict[str, int]:
    return {name: count for name, count in counts(engine).items() if count}


def organization(engine: Engine, on: date, body: str = "demo") -> facts.Organization:
    with UnitOfWork(engine, actor="test:read") as uow:
        found = uow.org.body_by_code(body)
        assert found is not None
        return uow.org.organization(found.id, on)


def audit(engine: Engine, entity: str | None = None) -> list[tuple[str, str, str, Any, Any, str | None]]:
    """The audit log as (entity, entity id, action, before, after, reason), oldest first."""
    row = AuditLogRow
    query = sa.select(row.entity, row.entity_id, row.action, row.before, row.after, row.reason).order_by(row.id)
    with engine.connect() as connection:
        rows = [tuple(found) for found in connection.execute(query)]
    return [found for found in rows if entity is None or found[0] == entity]


@contextlib.contextmanager
def failing_on(engine: Engine, owner: Engine | None, number: str) -> Iterator[None]:
    """A database trigger that fails the insert of ``number``'s appointment: an error in the middle of the import."""
    if engine.dialect.name == "postgresql":
        assert owner is not None
        with owner.begin() as connection:
            connection.exec_driver_sql(
                "CREATE FUNCTION fail_import() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF (SELECT personnel_number FROM person WHERE id = NEW.person_id) = '{number}' THEN "
                "RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_import BEFORE INSERT ON appointment FOR EACH ROW EXECUTE FUNCTION fail_import()"
            )
        try:
            yield
        finally:
            with owner.begin() as connection:
                connection.exec_driver_sql("DROP TRIGGER fail_import ON appointment")
                connection.exec_driver_sql("DROP FUNCTION fail_import()")
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER fail_import BEFORE INSERT ON appointment "
            f"WHEN (SELECT personnel_number FROM person WHERE id = NEW.person_id) = '{number}' "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER fail_import")


class ImportContract:
    """The staff import's guarantees; subclasses give ``engine`` (and ``owner`` for DDL on PostgreSQL)."""

    big = 10_000  # people in the generated file of the performance test

    @pytest.fixture
    def owner(self) -> Engine | None:
        return None

    @pytest.fixture
    def files(self, tmp_path: Path) -> Any:
        def write(rows: Sequence[dict[str, Any]], name: str = "staff.csv", **shape: Any) -> Path:
            path = tmp_path / name
            path.write_bytes(xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows, **shape))
            return path

        return write

    def run(self, engine: Engine, source: Path, *, as_of: date = AS_OF, **options: Any) -> ImportReport:
        options.setdefault("body", "demo")
        return import_staff(engine, source, actor="test:import", as_of=as_of, **options)

    def refused(self, engine: Engine, source: Path, **options: Any) -> StaffFileError:
        with pytest.raises(StaffFileError) as caught:
            self.run(engine, source, **options)
        return caught.value

    # --- a first import ---

    def test_a_first_import_builds_the_organization(self, engine: Engine, files: Any) -> None:
        report = self.run(engine, files(small_staff()), body_name="Demo agency")
        assert report.body_created and report.changed and not report.dry_run
        assert report.counts == {
            "units_added": 2,
            "people_added": 6,
            "posts_added": 5,
            "heads_set": 5,
            "probations_added": 1,
            "contacts_added": 2,
            "roles_granted": 2,
        }
        org = organization(engine, AS_OF)
        assert org.name == "Demo agency" and org.appointing_official == "E0" and list(org.hr) == ["H1"]
        people = org.employees_by_id
        assert (people["E2"].unit, people["E2"].category, people["E2"].head) == ("U1", "C-4", "E1")
        assert people["E4"].appointed == date(2025, 2, 10) and people["E4"].probation_until == date(2025, 8, 9)
        assert people["E0"].unit is None and people["E0"].head is None
        [(entity, _, action, before, after, reason)] = audit(engine, "body")
        assert (entity, action, before, reason) == ("body", "import_staff", None, "staff import staff.csv")
        grants = [(row[1], row[4]) for row in audit(engine, "person")]
        assert grants == [
            ("1", {"role": "appointing_official", "started_on": None}),
            ("6", {"role": "hr", "started_on": None}),
        ]
        assert after["rows"] == 6 and after["changes"]["people_added"] == 6 and len(after["sha256"]) == 64
        with UnitOfWork(engine, actor="test") as uow:
            e2 = uow.org.person_by_number(uow.org.body_by_code("demo").id, "E2")  # type: ignore[union-attr]
            assert e2 is not None and e2.language.value == "ru"
            assert [(c.kind, c.address) for c in uow.org.contacts(e2.id)] == [("email", "d.bekova@example.kz")]

    def test_reimporting_the_same_file_changes_nothing(self, engine: Engine, files: Any) -> None:
        path = files(small_staff())
        self.run(engine, path)
        before = counts(engine)
        trail = audit(engine)
        again = self.run(engine, path)
        assert not again.changed and again.counts == {}
        assert counts(engine) == before and audit(engine) == trail
        # the same people from a workbook are the same people
        assert not self.run(engine, files(small_staff(), "staff.xlsx")).changed
        assert counts(engine) == before

    def test_the_example_files_import_and_agree(self, engine: Engine) -> None:
        report = self.run(engine, EXAMPLE_CSV)
        assert report.counts["people_added"] == 7
        assert not self.run(engine, EXAMPLE_XLSX).changed

    def test_a_dry_run_counts_the_changes_and_writes_nothing(self, engine: Engine, files: Any) -> None:
        report = self.run(engine, files(small_staff()), dry_run=True)
        assert report.dry_run and report.counts["people_added"] == 6 and "dry run" in report.render()
        assert written(engine) == {}

    # --- changes keep their history ---

    def test_a_person_who_moves_unit_mid_quarter_keeps_both_posts(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        moved = small_staff()
        moved[2].update(unit_code="U2", category="C-3", head_personnel_number="E3", appointed="17.02.2025")
        report = self.run(engine, files(moved))
        assert report.counts == {"moves": 1, "heads_changed": 1}
        with UnitOfWork(engine, actor="test") as uow:
            body = uow.org.body_by_code("demo")
            assert body is not None
            e2 = uow.org.person_by_number(body.id, "E2")
            assert e2 is not None
            assert uow.org.unit_of(e2.id, date(2025, 2, 16)).code == "U1"  # type: ignore[union-attr]
            assert uow.org.unit_of(e2.id, date(2025, 2, 17)).code == "U2"  # type: ignore[union-attr]
            heads = uow.org.person_ids(body.id)
            assert uow.org.head_of(e2.id, date(2025, 2, 16)) == heads["E1"]
            assert uow.org.head_of(e2.id, date(2025, 2, 17)) == heads["E3"]
            history = [(a.unit_code, a.category, a.started_on, a.ended_on) for a in uow.org.appointments(e2.id)]
        assert history == [
            ("U1", "C-4", date(2020, 1, 1), date(2025, 2, 16)),
            ("U2", "C-3", date(2025, 2, 17), None),
        ]
        employee = organization(engine, date(2025, 3, 31)).employee("E2")
        assert (employee.unit, employee.category, employee.appointed, employee.head) == (
            "U2",
            "C-3",
            date(2025, 2, 17),
            "E3",
        )
        assert [(a.unit, a.start, a.end) for a in employee.appointments] == [
            ("U1", date(2020, 1, 1), date(2025, 2, 16))
        ]
        changes = [(entity, action, before, after) for entity, _, action, before, after, _ in audit(engine)]
        assert ("appointment", "update", {"ended_on": None}, {"ended_on": "2025-02-16"}) in changes
        assert ("head_relation", "update", {"ended_on": None}, {"ended_on": "2025-02-16"}) in changes
        assert changes[-1][:2] == ("body", "import_staff")
        assert not self.run(engine, files(moved)).changed

    def test_a_move_without_a_date_takes_effect_on_the_as_of_day(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        moved = small_staff()
        moved[2].update(unit_code="U2", appointed="")
        report = self.run(engine, files(moved), as_of=date(2025, 5, 5))
        assert report.counts == {"moves": 1}
        assert any("takes effect on 2025-05-05" in warning.message for warning in report.warnings)
        employee = organization(engine, date(2025, 5, 5)).employee("E2")
        assert (employee.unit, employee.appointed) == ("U2", date(2025, 5, 5))
        assert not self.run(engine, files(moved), as_of=date(2025, 5, 6)).changed

    def test_a_move_dated_before_the_current_post_is_refused(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        stale = small_staff()
        stale[2].update(unit_code="U2", appointed="01.01.2019")
        error = self.refused(engine, files(stale))
        assert [(p.where.row, p.column, p.value) for p in error.problems] == [(4, "appointed", "2019-01-01")]
        assert "U1 / C-4 since 2020-01-01" in error.problems[0].message

    def test_the_same_date_with_another_post_corrects_the_post(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        fixed = small_staff()
        fixed[2].update(category="C-5", position_title="Сарапшы")
        report = self.run(engine, files(fixed))
        assert report.counts == {"posts_corrected": 1}
        employee = organization(engine, AS_OF).employee("E2")
        assert (employee.category, employee.appointed, employee.appointments) == ("C-5", date(2020, 1, 1), ())
        [change] = audit(engine, "appointment")
        assert change[3] == {"position": "U1 / C-4"} and change[4] == {"position": "U1 / Сарапшы / C-5"}

    def test_a_corrected_appointment_date_is_audited(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        fixed = small_staff()
        fixed[2]["appointed"] = "2020-01-15"
        assert self.run(engine, files(fixed)).counts == {"appointment_dates_corrected": 1}
        assert organization(engine, AS_OF).employee("E2").appointed == date(2020, 1, 15)
        [change] = audit(engine, "appointment")
        assert (change[3], change[4]) == ({"started_on": "2020-01-01"}, {"started_on": "2020-01-15"})

    def test_names_corps_and_language_are_updated_and_audited(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        renamed = small_staff()
        renamed[2].update(full_name="Дана Серікқызы Бекова", language="kk")
        assert self.run(engine, files(renamed)).counts == {"people_updated": 1}
        [change] = [row for row in audit(engine, "person") if row[2] == "update"]
        assert change[3:5] == (
            {"full_name": "Дана Бекова", "language": "ru"},
            {"full_name": "Дана Серікқызы Бекова", "language": "kk"},
        )

    def test_a_file_without_the_language_column_leaves_languages_alone(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        header = [name for name in small_staff()[2] if name != "language"]
        path = files(small_staff(), header=header)
        assert not self.run(engine, path).changed

    def test_a_new_head_and_no_head_take_effect_on_the_as_of_day(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        changed = small_staff()
        changed[2]["head_personnel_number"] = "E3"
        changed[3]["head_personnel_number"] = ""
        report = self.run(engine, files(changed), as_of=date(2025, 4, 10))
        assert report.counts == {"heads_changed": 1, "heads_removed": 1}
        assert organization(engine, date(2025, 4, 9)).employee("E2").head == "E1"
        assert organization(engine, date(2025, 4, 10)).employee("E2").head == "E3"
        assert organization(engine, date(2025, 4, 10)).employee("E3").head is None
        assert organization(engine, date(2025, 4, 9)).employee("E3").head == "E0"

    def test_units_are_renamed_and_moved(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        changed = small_staff()
        changed[1].update(unit_name="Стратегиялық жоспарлау департаменті", parent_unit_code="U2")
        changed[3]["unit_name"] = "Бақылау департаменті"
        assert self.run(engine, files(changed)).counts == {"units_updated": 1}
        units = {unit.id: unit for unit in organization(engine, AS_OF).units}
        assert (units["U1"].name, units["U1"].parent) == ("Стратегиялық жоспарлау департаменті", "U2")
        [change] = audit(engine, "unit")
        assert change[3:5] == (
            {"name": "Жоспарлау департаменті", "parent": None},
            {"name": "Стратегиялық жоспарлау департаменті", "parent": "U2"},
        )

    def test_a_dismissal_ends_the_post_and_is_audited(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        gone = small_staff()
        gone[4]["dismissed"] = "31.03.2025"
        assert self.run(engine, files(gone)).counts == {"dismissals": 1}
        employee = organization(engine, AS_OF).employee("E4")
        assert employee.dismissed == date(2025, 3, 31) and not employee.in_service_on(AS_OF)
        assert [row[2] for row in audit(engine, "person") if row[2] != "grant_role"] == ["dismiss"]
        assert not self.run(engine, files(gone)).changed
        corrected = small_staff()
        corrected[4]["dismissed"] = "28.03.2025"
        assert self.run(engine, files(corrected)).counts == {"dismissal_dates_corrected": 1}
        assert organization(engine, AS_OF).employee("E4").dismissed == date(2025, 3, 28)
        kept = self.run(engine, files(small_staff()))
        assert not kept.changed and any("dismissal is kept" in w.message for w in kept.warnings)

    def test_a_dismissed_person_appointed_again_gets_a_new_post(self, engine: Engine, files: Any) -> None:
        gone = small_staff()
        gone[4]["dismissed"] = "31.03.2025"
        self.run(engine, files(gone))
        back = small_staff()
        back[4]["appointed"] = "01.06.2025"
        report = self.run(engine, files(back), as_of=date(2025, 6, 1))
        assert report.counts == {"posts_added": 1}
        employee = organization(engine, date(2025, 6, 1)).employee("E4")
        assert (employee.appointed, employee.dismissed, employee.in_service_on(date(2025, 6, 1))) == (
            date(2025, 6, 1),
            None,
            True,
        )
        assert not employee.in_service_on(date(2025, 4, 15))
        assert not self.run(engine, files(back), as_of=date(2025, 6, 2)).changed

    def test_roles_are_granted_and_ended_on_the_as_of_day(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        changed = small_staff()
        changed[5]["roles"] = ""
        changed[3]["roles"] = "hr; hr_head"
        report = self.run(engine, files(changed), as_of=date(2025, 4, 10))
        assert report.counts == {"roles_granted": 2, "roles_ended": 1}
        with UnitOfWork(engine, actor="test") as uow:
            body = uow.org.body_by_code("demo")
            assert body is not None
            ids = {pid: number for number, pid in uow.org.person_ids(body.id).items()}
            on_9th = [ids[p] for p in uow.org.people_with_role(body.id, Role.HR, date(2025, 4, 9))]
            on_10th = [ids[p] for p in uow.org.people_with_role(body.id, Role.HR, date(2025, 4, 10))]
        assert (on_9th, on_10th) == (["H1"], ["E3"])
        assert [row[4]["started_on"] for row in audit(engine, "person")][-2:] == ["2025-04-10", "2025-04-10"]
        assert [row[2] for row in audit(engine, "body_role")] == ["update"]

    def test_a_new_address_replaces_the_old_one_of_its_kind(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        changed = small_staff()
        changed[2]["email"] = "dana.bekova@example.kz"
        changed[2]["telegram"] = "@dana_bekova"
        assert self.run(engine, files(changed)).counts == {"contacts_added": 2, "contacts_replaced": 1}
        with UnitOfWork(engine, actor="test") as uow:
            e2 = uow.org.person_by_number(uow.org.body_by_code("demo").id, "E2")  # type: ignore[union-attr]
            contacts = [(c.kind, c.address) for c in uow.org.contacts(e2.id)]  # type: ignore[union-attr]
        assert contacts == [("email", "dana.bekova@example.kz"), ("telegram", "@dana_bekova")]
        [removed] = audit(engine, "contact_channel")
        assert removed[2] == "remove" and removed[3]["address"] == "d.bekova@example.kz"
        emptied = small_staff()
        emptied[2]["email"] = ""
        assert not self.run(engine, files(emptied)).changed  # an empty cell never deletes

    def test_people_missing_from_the_file_are_left_alone(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        report = self.run(engine, files(small_staff()[:3]))
        assert not report.changed and report.people_not_in_file == 3
        assert len(organization(engine, AS_OF).employees) == 6

    # --- refused files write nothing ---

    def test_an_unknown_head_is_refused_and_nothing_is_written(self, engine: Engine, files: Any) -> None:
        rows = small_staff()
        rows[2]["head_personnel_number"] = "E99"
        rows[3]["head_personnel_number"] = "E98"
        error = self.refused(engine, files(rows))
        assert [(p.where.row, p.column, p.value) for p in error.problems] == [
            (4, "head_personnel_number", "E99"),
            (5, "head_personnel_number", "E98"),
        ]
        assert written(engine) == {}  # not even the new body

    def test_a_head_may_be_someone_already_in_the_body(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        newcomer = [person("E7", "Арман Дүйсенов", "U1", "C-5", head="E1")]
        assert self.run(engine, files(newcomer)).counts == {"people_added": 1, "posts_added": 1, "heads_set": 1}

    def test_a_head_cycle_is_refused_even_through_people_not_in_the_file(self, engine: Engine, files: Any) -> None:
        rows = small_staff()
        rows[1]["head_personnel_number"] = "E2"  # E1 → E2 → E1
        error = self.refused(engine, files(rows))
        assert [(p.where.row, p.column, p.message) for p in error.problems] == [
            (3, "head_personnel_number", "head cycle: E1 → E2 → E1")
        ]
        self.run(engine, files(small_staff()))
        only_e0 = [{"personnel_number": "E0", "full_name": "Ерлан Омаров", "corps": "political",
                    "head_personnel_number": "E2"}]  # fmt: skip
        error = self.refused(engine, files(only_e0, header=("personnel_number", "full_name", "unit_code",
                                                            "category", "corps", "head_personnel_number")))  # fmt: skip
        assert error.problems[0].message == "head cycle: E0 → E2 → E1 → E0"

    def test_a_unit_cycle_and_an_unknown_parent_are_refused(self, engine: Engine, files: Any) -> None:
        rows = small_staff()
        rows[1]["parent_unit_code"] = "U2"
        rows[3]["parent_unit_code"] = "U1"
        rows[4]["unit_code"] = "U3"
        rows[4]["parent_unit_code"] = "U9"
        error = self.refused(engine, files(rows))
        found = [(p.where.row, p.column, p.message) for p in error.problems]
        assert (3, "parent_unit_code", "unit cycle: U1 → U2 → U1") in found
        assert (6, "unit_name", "unit U3 is new: give its unit_name (on one of its rows)") in found
        assert (6, "parent_unit_code", "unknown unit U9: neither in the file nor in the database") in found
        assert written(engine) == {}

    def test_every_bad_row_is_reported_together(self, engine: Engine, files: Any) -> None:
        self.run(engine, files(small_staff()))
        before = counts(engine)
        rows = small_staff()
        rows[1]["head_personnel_number"] = "NOBODY"
        rows[2].update(unit_code="U2", appointed="01.01.2010")
        rows[5]["dismissed"] = "01.01.2010"
        rows.append(person("E8", "Жаңа қызметкер", "U1", "C-4", head="E1"))
        error = self.refused(engine, files(rows))
        assert [(p.where.row, p.column) for p in error.problems] == [
            (3, "head_personnel_number"),
            (4, "appointed"),
            (7, "dismissed"),
        ]
        assert error.bad_rows == 3 and counts(engine) == before

    def test_the_body_must_be_named_when_the_database_holds_several(self, engine: Engine, files: Any) -> None:
        path = files(small_staff())
        with pytest.raises(ImportRefused, match="no body yet"):
            import_staff(engine, path, actor="test", as_of=AS_OF)
        self.run(engine, path, body="one")
        assert not import_staff(engine, path, actor="test", as_of=AS_OF).changed  # the only body
        self.run(engine, path, body="two")
        with pytest.raises(ImportRefused, match="one, two"):
            import_staff(engine, path, actor="test", as_of=AS_OF)

    # --- all or nothing, and fast ---

    def test_a_database_error_in_the_middle_leaves_nothing_behind(
        self, engine: Engine, owner: Engine | None, files: Any
    ) -> None:
        rows = generated_staff(self.big)
        path = files(rows)
        failing = rows[min(4999, self.big // 2)]["personnel_number"]  # PostgreSQL: the 5,000th person (row 5,001)
        with failing_on(engine, owner, failing), pytest.raises(sa.exc.DBAPIError, match="injected failure"):
            self.run(engine, path)
        assert written(engine) == {}

    def test_a_generated_body_imports_in_seconds_and_reimports_as_a_no_op(self, engine: Engine, files: Any) -> None:
        rows = generated_staff(self.big)
        path = files(rows)
        started = time.perf_counter()
        report = self.run(engine, path)
        first = time.perf_counter() - started
        assert report.counts["people_added"] == self.big and report.counts["heads_set"] == self.big - 1
        started = time.perf_counter()
        again = self.run(engine, path)
        second = time.perf_counter() - started
        assert not again.changed
        moved = [dict(row) for row in rows]
        for row in moved[1000:1100]:
            row.update(unit_code="D99", unit_name="New section", parent_unit_code="B0", appointed="17.02.2025")
        started = time.perf_counter()
        third = self.run(engine, files(moved, "moved.csv"))
        changes = time.perf_counter() - started
        assert third.counts == {"units_added": 1, "moves": 100}
        print(f"\n{engine.dialect.name}: {self.big} people: first import {first:.1f} s, re-import {second:.1f} s, "
              f"100 moves {changes:.1f} s; {report.seconds}")  # fmt: skip
        assert first < 60 and second < 30

    # --- public-service posts (M-6) ---

    def test_a_public_service_column_marks_the_post_and_a_change_is_audited(self, engine: Engine, files: Any) -> None:
        """M-6: a post that provides public services (yes/да/иә/1) has the customer competencies rated; the flag
        is read from the file, set on the current post, and changing it later is one audited change, not a move."""
        header = (*HEADER, "public_service")
        rows = [dict(row, public_service="") for row in small_staff()]
        rows[2]["public_service"] = "да"  # E2
        path = files(rows)
        path.write_bytes(csv_bytes(rows, header=header))
        self.run(engine, path, body_name="Demo agency")
        people = organization(engine, AS_OF).employees_by_id
        assert people["E2"].public_service and not people["E1"].public_service
        rows[2]["public_service"] = "жоқ"
        rows[3]["public_service"] = "yes"  # E3
        path.write_bytes(csv_bytes(rows, header=header))
        again = self.run(engine, path)
        assert again.counts == {"public_service_changed": 2}
        people = organization(engine, AS_OF).employees_by_id
        assert people["E3"].public_service and not people["E2"].public_service
        assert people["E2"].appointed == date(2020, 1, 1)  # the same post: no move, the tenure stays
        rows[1]["public_service"] = "maybe"
        path.write_bytes(csv_bytes(rows, header=header))
        problem = self.refused(engine, path)
        assert "public_service" in str(problem) and "maybe" in str(problem)

    # --- the scenario's organization ---

    @pytest.mark.parametrize("scenario", sorted(path.name for path in SCENARIOS.glob("*.yaml")))
    def test_a_scenario_organization_reads_back_as_the_simulator_loads_it(self, engine: Engine, scenario: str) -> None:
        from bagalau.simulate import loading
        from bagalau.simulate.scenario import load_scenario

        loaded = load_scenario(SCENARIOS / scenario)
        body = loading.load(Environment(engine), loaded, loaded.load_rulebook())
        with UnitOfWork(engine, actor="test") as uow:
            expected = [uow.org.organization(body, day) for day in (loaded.start, loaded.until)]
        report = self.run(engine, SCENARIOS / scenario, body="imported", as_of=loaded.start)
        assert report.format == "yaml"
        assert [organization(engine, day, "imported") for day in (loaded.start, loaded.until)] == expected
        assert not self.run(engine, SCENARIOS / scenario, body="imported", as_of=loaded.until).changed

    def test_a_scenario_commission_is_synchronised(self, engine: Engine, tmp_path: Path) -> None:
        text = (SCENARIOS / "annual-commission-2025.yaml").read_text(encoding="utf-8")
        path = tmp_path / "org.yaml"
        path.write_text(text, encoding="utf-8")
        self.run(engine, path, as_of=date(2025, 12, 1))
        commission = organization(engine, date(2025, 12, 1)).commission
        assert commission is not None and (commission.chair, commission.secretary) == ("E0", "H1")
        path.write_text(text.replace("members: [E0, V1, V2, E1, H2]", "members: [E0, V1, E1, H2, E2]"), "utf-8")
        report = self.run(engine, path, as_of=date(2026, 1, 5))
        assert report.counts == {"commission_seats_added": 1, "commission_seats_ended": 1}
        assert set(organization(engine, date(2026, 1, 5)).commission.members) == {"E0", "V1", "E1", "H2", "E2"}  # type: ignore[union-attr]
        assert "V2" in organization(engine, date(2026, 1, 4)).commission.members  # type: ignore[union-attr]

    # --- the command line ---

    def test_the_command_imports_reports_and_exits_2_on_bad_rows(self, engine: Engine, files: Any) -> None:
        url = engine.url.render_as_string(hide_password=False)
        runner = CliRunner()
        good = files(small_staff())
        result = runner.invoke(
            app, ["org", "import", str(good), "--db", url, "--body", "demo", "--as-of", "01.04.2025"]
        )
        assert result.exit_code == 0, result.output
        assert "people added: 6" in result.stdout and "written" in result.stdout
        result = runner.invoke(app, ["org", "import", str(good), "--db", url, "--json"])
        assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == {}
        rows = small_staff()
        rows[2]["category"] = "Z"
        rows[3]["head_personnel_number"] = "E3"
        bad = files(rows, "bad.csv", delimiter=";", encoding="utf-8-sig")
        result = runner.invoke(app, ["org", "import", str(bad), "--db", url])
        assert result.exit_code == 2
        assert f"{bad}: row 4: category 'Z': not a position category code" in result.stderr
        assert f"{bad}: row 5: head_personnel_number 'E3': a person cannot be their own head" in result.stderr
        assert "2 bad row(s), 2 problem(s); nothing written" in result.stderr
        result = runner.invoke(app, ["org", "import", str(bad), "--db", url, "--json"])
        assert result.exit_code == 2
        problems = json.loads(result.stdout)["problems"]
        assert [(p["row"], p["column"], p["value"]) for p in problems] == [
            (4, "category", "Z"),
            (5, "head_personnel_number", "E3"),
        ]
        result = runner.invoke(app, ["org", "import", str(good), "--db", url, "--dry-run", "--body", "other"])
        assert result.exit_code == 0 and "dry run: nothing written" in result.stdout


class TestOnPostgres(ImportContract):
    """The contract on PostgreSQL, as the application role."""

    @pytest.fixture
    def engine(self, pg_engine: Engine) -> Engine:
        return pg_engine

    @pytest.fixture
    def owner(self, pg_owner_engine: Engine) -> Engine:
        return pg_owner_engine

    def test_two_imports_into_one_body_run_one_after_the_other(self, engine: Engine, files: Any) -> None:
        import threading

        path = files(generated_staff(2000))
        reports: list[ImportReport] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                reports.append(self.run(engine, path))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        with UnitOfWork(engine, actor="test:setup") as uow:
            uow.org.add_body(code="demo", name="Demo")
            uow.commit()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(report.changed for report in reports) == [False, True]
        assert counts(engine)["person"] == 2000

    def test_read_staff_file_does_not_touch_the_database(self, engine: Engine) -> None:
        assert read_staff_file(EXAMPLE_CSV).rows == 7 and written(engine) == {}
