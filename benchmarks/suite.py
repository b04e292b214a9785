"""The benchmark suite (issue 13): each step of a quarter for a synthetic body of N people, next to its baseline.

Steps, in the order a quarter runs them, each through the application's own calls (what the flows and the CLI
call), on a PostgreSQL database of the suite's own:

- ``import_csv`` / ``reimport_csv`` / ``import_xlsx``: HR's staff file (``persistence.importers.import_staff``),
  first import, the same file again (nothing changed), and the XLSX twin into a second body;
- ``open_quarter``: opening 2025-Q1 (``application.cycle.opening.open_period``: eligibility, routing, evaluations,
  notices and sheet requests queued);
- ``deliver_outbox``: the first ``mails`` messages of the outbox over real apprise e-mail to an aiosmtpd receiver
  the suite starts itself (``notifications.delivery.deliver_due``); the rest are then recorded as delivered;
- ``sweep_notice_day``: the steps after delivery on the opening day (P-4: every notice's sent date recorded);
- ``sweep_quiet_day``: the whole daily sweep's steps and delivery on a day with nothing due;
- ``rerun_quiet_day_cli``: the same day from outside, ``bagalau rerun daily_sweep`` in a process of its own (the
  CLI, a throwaway Prefect server, the flow run; the median of ``RERUNS`` runs), next to ``sweep_quiet_day`` as its
  baseline;
- ``sweep_deadline_day``: the day after the deadline without any sheet (overdue escalation to evaluator, head,
  HR: P-1, P-2, G-6) — the before-delivery steps;
- ``board_overview`` / ``api_evaluations``: the HR head's cycle board of the body (``application.queries.board``:
  the board and the first page of people) and the API's evaluation list (``GET /api/v1/evaluations?period=…``:
  ``application.queries.evaluations.visible_evaluations``, first page), each asked ``REQUESTS`` times after a
  warm-up: p50, p95 and max in milliseconds (target p95 ≤ 200 ms at 100,000 people);
- ``board_after_deadline``: the same board as of the day after the deadline, when every sheet is overdue and
  escalated (its overdue-by-escalation-level figure reads every open sheet's escalations);
- ``simulate_quarter_60`` / ``simulate_year_60``: ``benchmarks/simulate_quarter_60.py`` (92 days) and
  ``benchmarks/simulate_year_60.py`` (365 days), each in a process of its own.

Baselines, measured in the same run: for a step that writes, a bare ``COPY`` of the very rows it wrote (new rows,
and rows whose ``updated_at`` moved) into the same tables — look-alikes with the same columns, checks, indexes,
foreign keys and triggers (``LIKE … INCLUDING ALL`` plus the table's own foreign keys and triggers; WAL-logged,
rolled back; decision 0194) — and, reported beside it, the same COPY into look-alikes without foreign keys or
triggers; for delivery, a bare ``smtplib`` loop over one connection
to the same receiver with the same number of messages; for the simulation, an empty Prefect flow run with its
temporary server, in a process of its own. The board and the API list have no baseline: their figure is the
latency of one request.
"""

from __future__ import annotations

import io
import os
import secrets
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dt_time
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from benchmarks import synthetic
from benchmarks.measure import Cost, Meter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ALMATY = ZoneInfo("Asia/Almaty")
QUARTER = "2025-Q1"
OPENING_DAY = date(2025, 4, 1)
QUIET_DAY = date(2025, 4, 2)
AS_OF = date(2025, 1, 1)
BODY = "bench"
RERUNS = 3
"""Timed runs of the command-line re-run; the median is its figure."""
XLSX_BODY = "benchx"
RULEBOOK = "kz-model-2018"
REQUESTS = 200
"""Requests timed for each read model (after ``WARM_UP`` untimed ones)."""
WARM_UP = 5


class Refused(Exception):
    """The suite will not run here (its database exists already): nothing was touched."""


@dataclass
class Result:
    """One step's figure next to its baseline."""

    step: str
    figure: Cost
    baseline: Cost | None = None
    baseline_name: str | None = None
    without_foreign_keys: Cost | None = None
    """For a writing step, the same COPY into look-alikes without foreign keys or triggers (decision 0194)."""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return _ratio(self.figure, self.baseline)

    @property
    def ratio_without_foreign_keys(self) -> float | None:
        return _ratio(self.figure, self.without_foreign_keys)

    def as_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "step": self.step,
            "figure": self.figure.as_dict(),
            "baseline": None if self.baseline is None else {"what": self.baseline_name, **self.baseline.as_dict()},
            "ratio": None if self.ratio is None else round(self.ratio, 2),
        }
        if self.without_foreign_keys is not None:
            bare = self.without_foreign_keys
            shown["baseline_without_foreign_keys"] = {"what": WITHOUT_FOREIGN_KEYS, **bare.as_dict()}
            shown["ratio_without_foreign_keys"] = round(_ratio(self.figure, bare) or 0.0, 2)
        return {**shown, "note": self.note}


def _ratio(figure: Cost, baseline: Cost | None) -> float | None:
    if baseline is None or baseline.seconds <= 0:
        return None
    return figure.seconds / baseline.seconds


@dataclass
class Suite:
    """One run: N people on a database of its own, the results as the steps finish."""

    people: int
    server: str = DEFAULT_SERVER
    database: str | None = None
    keep: bool = False
    mails: int = 2000
    simulate: bool = True
    results: list[Result] = field(default_factory=list)

    # --- the database ---------------------------------------------------------------------------------------

    @contextmanager
    def database_url(self) -> Iterator[str]:
        """A new database for the run (refused when the name exists: the suite never touches data it did not
        write), dropped at the end unless ``keep``."""
        server = sa.make_url(self.server)
        name = self.database or f"bagalau_bench_{secrets.token_hex(4)}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if exists.first() is not None:
                    raise Refused(
                        f"database {name!r} exists on {server.render_as_string(hide_password=True)}: the benchmark "
                        "writes only into a database it creates; name another (--database) or drop it"
                    )
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                yield server.set(database=name).render_as_string(hide_password=False)
            finally:
                if not self.keep:
                    with admin.connect() as connection:
                        connection.execute(
                            sa.text(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :n AND pid <> pg_backend_pid()"
                            ),
                            {"n": name},
                        )
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            admin.dispose()

    # --- the run ----------------------------------------------------------------------------------------------

    def steps(self) -> list[str]:
        names = ["import_csv", "reimport_csv", "import_xlsx", "open_quarter", "deliver_outbox", "sweep_notice_day"]
        names += ["sweep_quiet_day", "rerun_quiet_day_cli", "sweep_deadline_day", "board_overview", "api_evaluations"]
        names += ["board_after_deadline"]
        return [*names, "simulate_quarter_60", "simulate_year_60"] if self.simulate else names

    def run(self, progress: Callable[[str, str], None] = lambda step, state: None) -> list[Result]:
        """Run every step in order; ``progress(step, "start" | "done")`` as they go."""
        from persistence.db import make_engine, upgrade

        with self.database_url() as url, tempfile.TemporaryDirectory(prefix="bagalau-bench-") as folder:
            upgrade(url)
            engine = make_engine(url)
            meter = Meter()
            try:
                world = World(self, engine, meter, Path(folder))
                for name in self.steps():
                    progress(name, "start")
                    self.results.append(getattr(world, name)())
                    progress(name, "done")
            finally:
                meter.close()
                engine.dispose()
        return self.results

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "database": "postgresql",
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "steps": [result.as_dict() for result in self.results],
        }


class World:
    """The steps, sharing the database and what earlier steps made (body ids, the SMTP receiver)."""

    def __init__(self, suite: Suite, engine: sa.Engine, meter: Meter, folder: Path) -> None:
        from application.environment import Environment, FixedClock

        self.suite = suite
        self.engine = engine
        self.meter = meter
        self.folder = folder
        self.receiver = Receiver()
        self.env = Environment(engine, clock=FixedClock(datetime(2025, 4, 1, 12, 0)), delivery=self.receiver.config())
        self.body_id = 0
        self.deadline_day = date(2025, 4, 1)  # set by sweep_deadline_day
        self._prefect_warm = False

    # --- baselines --------------------------------------------------------------------------------------------

    def _marks(self) -> tuple[dict[str, int], datetime]:
        with self.engine.connect() as connection:
            return _max_ids(connection), datetime.now(UTC)

    @contextmanager
    def _measured(self, name: str) -> Iterator[Result]:
        marks, since = self._marks()
        result = Result(name, Cost())
        with self.meter.step() as cost:
            yield result
        result.figure = cost
        if cost.rows:
            result.baseline, result.without_foreign_keys = copy_baseline(self.engine, marks, since)
            result.baseline_name = BASELINE

    # --- steps ------------------------------------------------------------------------------------------------

    def _import(self, path: Path, body: str) -> dict[str, Any]:
        from persistence.importers import import_staff, read_staff_file

        staff = read_staff_file(path, strict=False)
        report = import_staff(self.engine, staff, actor="bench:import", as_of=AS_OF, body=body)
        return {"rows": report.rows, "changes": sum(report.counts.values())}

    def import_csv(self) -> Result:
        path = synthetic.write_csv(self.folder / "staff.csv", self.suite.people)
        with self._measured("import_csv") as result:
            result.figure.extra.update(self._import(path, BODY))
        with self.engine.connect() as connection:
            self.body_id = connection.execute(sa.text("SELECT id FROM body WHERE code = :c"), {"c": BODY}).scalar_one()
        return result

    def reimport_csv(self) -> Result:
        with self._measured("reimport_csv") as result:
            result.figure.extra.update(self._import(self.folder / "staff.csv", BODY))
        result.note = "the same file again: nothing to write"
        return result

    def import_xlsx(self) -> Result:
        path = synthetic.write_xlsx(self.folder / "staff.xlsx", self.suite.people)
        with self._measured("import_xlsx") as result:
            result.figure.extra.update(self._import(path, XLSX_BODY))
        result.note = "into a second body"
        return result

    def open_quarter(self) -> Result:
        from application.cycle import opening

        self._prepare_quarter()
        with self._measured("open_quarter") as result:
            result.figure.extra["evaluations"] = opening.open_period(self.env, self.body_id, QUARTER, OPENING_DAY)
        return result

    def _prepare_quarter(self) -> None:
        """The rulebook assigned from the start of the year, the quarter's schedule approved by the appointing
        official (G-4), and leave in the quarter for some (E-3)."""
        from application.actions.schedule import approve_schedule
        from domain.access import Principal
        from domain.vocabulary import Role
        from persistence.uow import UnitOfWork

        with UnitOfWork(self.engine, actor="bench:setup") as uow:
            uow.rules.assign_rulebook(body_id=self.body_id, rulebook_id=RULEBOOK, valid_from=AS_OF)
            uow.commit()
        official = Principal.of_person("E0", body=BODY, roles=[Role.APPOINTING_OFFICIAL])
        approve_schedule(self.env, official, BODY, QUARTER, by="E0", day=date(2025, 3, 28))
        rows = list(synthetic.absences(self.suite.people))
        with self.engine.begin() as connection:
            ids = dict(
                connection.execute(
                    sa.text("SELECT personnel_number, id FROM person WHERE body_id = :b"), {"b": self.body_id}
                ).all()
            )
            if rows:
                connection.execute(
                    sa.text("INSERT INTO absence (person_id, kind, started_on, ended_on) VALUES (:p, :k, :s, :e)"),
                    [{"p": ids[number], "k": kind, "s": start, "e": end} for number, kind, start, end in rows],
                )

    def deliver_outbox(self) -> Result:
        from notifications.delivery import deliver_due

        now = datetime(2025, 4, 1, 12, 0, tzinfo=ALMATY)
        with self.engine.begin() as connection:
            held = connection.execute(
                sa.text(
                    "UPDATE outbox_message SET next_attempt_at = '2100-01-01' WHERE status = 'pending' AND id NOT IN "
                    "(SELECT id FROM outbox_message WHERE status = 'pending' ORDER BY next_attempt_at, id LIMIT :m)"
                ),
                {"m": self.suite.mails},
            ).rowcount
        # The hold above rewrote every other pending row: its dead versions are the suite's own making, and a server
        # with autovacuum on (PostgreSQL's default; the development server here runs with it off) would clear them
        # soon after such a bulk update. Cleared here, unmeasured, so that delivery is not timed through them.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) outbox_message")
        self.receiver.start()
        try:
            with self._measured("deliver_outbox") as result:
                report = deliver_due(self.engine, now, config=self.env.delivery)
            delivered = len(report.delivered)
            result.figure.extra.update(
                messages=delivered,
                per_second=round(delivered / result.figure.seconds, 1) if result.figure.seconds else None,
                dead=len(report.dead),
                retrying=len(report.retrying),
            )
            result.baseline = self.receiver.bare_loop(max(delivered, 1))
            result.baseline_name, result.without_foreign_keys = "bare smtplib loop, one connection", None
            result.baseline.extra["per_second"] = round(max(delivered, 1) / result.baseline.seconds, 1)
        finally:
            self.receiver.stop()
        result.note = f"{held} further messages recorded as delivered afterwards, unmeasured"
        with self.engine.begin() as connection:  # the rest, as if delivered the same minute (with its attempt)
            connection.execute(
                sa.text(
                    "INSERT INTO delivery_attempt (outbox_id, attempted_at, channel, address, ok, response) "
                    "SELECT id, :at, 'email', 'bench', true, 'recorded by the benchmark' FROM outbox_message "
                    "WHERE status = 'pending'"
                ),
                {"at": now},
            )
            connection.execute(
                sa.text(
                    "UPDATE outbox_message SET status = 'delivered', attempts = 1, delivered_at = :at, "
                    "next_attempt_at = due_at, proof = jsonb_build_object('at', CAST(:iso AS text)) "
                    "WHERE status = 'pending'"
                ),
                {"at": now, "iso": now.isoformat()},
            )
        return result

    def _sweep(self, name: str, steps: list[str], day: date, *, deliver: bool = False) -> Result:
        from application.cycle import sweep

        with self._measured(name) as result:
            done = sweep.run_steps(self.env, steps, day, [self.body_id])
            if deliver:
                done["delivery"] = {0: sweep.deliver(self.env, day)["delivered"]}
        result.figure.extra["done"] = {step: sum(by_body.values()) for step, by_body in done.items()}
        return result

    def sweep_notice_day(self) -> Result:
        from application.cycle import sweep

        return self._sweep("sweep_notice_day", [step.name for step in sweep.AFTER_DELIVERY], OPENING_DAY)

    def sweep_quiet_day(self) -> Result:
        from application.cycle import sweep

        before = [step.name for step in sweep.BEFORE_DELIVERY]
        after = [step.name for step in sweep.AFTER_DELIVERY]
        result = self._sweep("sweep_quiet_day", [*before, *after], QUIET_DAY, deliver=True)
        result.note = "every step of the daily sweep and delivery (empty), without Prefect's flow run"
        return result

    def rerun_quiet_day_cli(self) -> Result:
        """The quiet day again from outside, as an operator runs it: ``bagalau rerun daily_sweep`` in a process of its
        own (the interpreter, the CLI, a throwaway Prefect server and the flow run included), next to the same
        day's steps called in this process (``sweep_quiet_day``)."""
        url = self.engine.url.render_as_string(hide_password=False)
        command = [str(Path(sys.executable).with_name("bagalau")), "rerun", "daily_sweep", "--body", BODY]
        command += ["--as-of", QUIET_DAY.isoformat()]
        environment = {
            "BAGALAU_DATABASE_URL": url,
            "BAGALAU_ENVIRONMENT": "development",  # the suite's throwaway database, owned by the server's superuser
            "BAGALAU_DATA_DIR": str(self.folder / "cli"),  # no served Prefect server there: a throwaway one
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_HOME": str(self.folder / "cli" / "prefect"),
        }
        run_process(command, environment)  # the first run creates Prefect's own database (~5 s, once per home)
        # A re-run is idempotent by design, so it is timed RERUNS times and the median run is the figure: one run of
        # a process tree with its own server moved by up to a third between runs on this machine
        runs = sorted((run_process(command, environment) for _ in range(RERUNS)), key=lambda run: run.seconds)
        figure = runs[len(runs) // 2]
        figure.extra["runs_seconds"] = [round(run.seconds, 3) for run in runs]
        inside = next((result for result in self.suite.results if result.step == "sweep_quiet_day"), None)
        result = Result("rerun_quiet_day_cli", figure)
        if inside is not None:
            result.baseline, result.baseline_name = inside.figure, "the same steps called in process (sweep_quiet_day)"
        result.note = (
            f"bagalau rerun daily_sweep --body {BODY} --as-of {QUIET_DAY.isoformat()}, its own process; the median "
            f"of {RERUNS} runs after a first one that created Prefect's database in a new home (runs_seconds: each)"
        )
        return result

    def sweep_deadline_day(self) -> Result:
        from application.context import working_calendar
        from application.cycle import sweep
        from persistence.uow import UnitOfWork

        with self.engine.connect() as connection:
            deadline = connection.execute(
                sa.text("SELECT max(deadline) FROM evaluation WHERE status = 'open'")
            ).scalar_one()
        with UnitOfWork(self.engine, actor="bench:setup") as uow:
            day = working_calendar(uow).next_working_day(deadline)
        self.deadline_day = day
        result = self._sweep("sweep_deadline_day", [step.name for step in sweep.BEFORE_DELIVERY], day)
        result.note = f"{day.isoformat()}: the first working day after the deadline, no sheet submitted"
        return result

    def _latency(self, name: str, request: Callable[[], object]) -> Result:
        """``REQUESTS`` timed calls of ``request`` after ``WARM_UP`` untimed ones: p50, p95, max (ms)."""
        for _ in range(WARM_UP):
            request()
        timings: list[float] = []
        with self._measured(name) as result:
            for _ in range(REQUESTS):
                started = time.perf_counter()
                request()
                timings.append((time.perf_counter() - started) * 1000)
        result.baseline = result.without_foreign_keys = None  # a read: no rows, no COPY to compare with
        result.figure.extra.update(
            requests=REQUESTS,
            p50_ms=round(_percentile(timings, 0.50), 1),
            p95_ms=round(_percentile(timings, 0.95), 1),
            max_ms=round(max(timings), 1),
        )
        return result

    def _hr_head(self) -> Any:
        from domain.access import Principal
        from domain.vocabulary import Role

        return Principal.of_person("H0", body=BODY, roles=[Role.HR, Role.HR_HEAD], login="bench-hr-head")

    def board_overview(self) -> Result:
        result = self._board("board_overview", self.env)
        result.note = f"the HR head's cycle board of {QUARTER} and its first page of people, {REQUESTS} requests"
        return result

    def board_after_deadline(self) -> Result:
        from application.environment import Environment, FixedClock

        day = self.deadline_day
        env = Environment(self.engine, clock=FixedClock(datetime.combine(day, dt_time(12))))
        result = self._board("board_after_deadline", env)
        result.note = f"the same board as of {day.isoformat()}, every sheet overdue and escalated, {REQUESTS} requests"
        return result

    def _board(self, name: str, env: Any) -> Result:
        from application.queries import board

        head = self._hr_head()

        def request() -> None:
            found = board.board(env, head, BODY, QUARTER)
            board.people(env, head, BODY, found.period.label)

        return self._latency(name, request)

    def api_evaluations(self) -> Result:
        from application.queries import evaluations

        head = self._hr_head()
        result = self._latency(
            "api_evaluations", lambda: evaluations.visible_evaluations(self.env, head, period=QUARTER)
        )
        result.note = f"GET /api/v1/evaluations?period={QUARTER} as the HR head (first page), {REQUESTS} requests"
        return result

    def _simulate(self, name: str, script: str, what: str) -> Result:
        empty = [
            sys.executable,
            "-c",
            "from bagalau.simulate import runner; runner.prefect_environment()\n"
            "from prefect import flow\nflow(name='empty')(lambda: None)()",
        ]
        if not self._prefect_warm:  # the first run on a machine creates Prefect's own database (~8 s, once)
            run_process(empty)
            self._prefect_warm = True
        figure = run_process([sys.executable, str(ROOT / "benchmarks" / script)])
        baseline = run_process(empty)
        return Result(name, figure, baseline, "empty Prefect flow run with its temporary server", note=what)

    def simulate_quarter_60(self) -> Result:
        return self._simulate(
            "simulate_quarter_60", "simulate_quarter_60.py", "bagalau simulate of a 60-person quarter (92 days)"
        )

    def simulate_year_60(self) -> Result:
        return self._simulate(
            "simulate_year_60", "simulate_year_60.py", "bagalau simulate of a 60-person year (365 days)"
        )


# --- helpers ----------------------------------------------------------------------------------------------------


def _tables(connection: sa.Connection) -> list[str]:
    """The tables of the public schema with an ``id`` column (every Bagalau table but link tables)."""
    found = connection.execute(
        sa.text(
            "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_schema, table_name) WHERE c.table_schema = 'public' AND c.column_name = 'id' "
            "AND c.data_type IN ('integer', 'bigint') AND t.table_type = 'BASE TABLE' ORDER BY 1"
        )
    )
    return list(found.scalars())


def _max_ids(connection: sa.Connection) -> dict[str, int]:
    return {
        table: connection.exec_driver_sql(f'SELECT coalesce(max(id), 0) FROM "{table}"').scalar_one()
        for table in _tables(connection)
    }


def _has_column(connection: sa.Connection, table: str, column: str) -> bool:
    query = sa.text(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = :t AND column_name = :c"
    )
    return connection.execute(query, {"t": table, "c": column}).first() is not None


BASELINE = "bare COPY of the rows into the same tables"
"""The writing steps' baseline: the rows a step wrote, copied with ``COPY … FROM STDIN`` into tables that are the
step's own tables in every respect a row's write pays for — columns, defaults, checks, indexes, foreign keys and
triggers (decision 0194) — so the ratio is what the application adds to the database's unavoidable work."""
WITHOUT_FOREIGN_KEYS = "bare COPY of the rows into look-alikes without foreign keys or triggers"
"""The same COPY into ``LIKE … INCLUDING ALL`` tables only (the baseline before decision 0194), reported beside it:
what the same rows cost when nobody checks what they point at."""


def copy_baseline(engine: sa.Engine, marks: dict[str, int], since: datetime) -> tuple[Cost, Cost]:
    """A bare COPY of the rows written since ``marks`` (new ids) and ``since`` (``updated_at``), in a transaction
    rolled back, only the COPY statements timed: into look-alikes of the same tables with their foreign keys and
    triggers (:data:`BASELINE`), and into look-alikes without them (:data:`WITHOUT_FOREIGN_KEYS`)."""
    data: dict[str, bytes] = {}
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        for table, mark in marks.items():
            where = f"id > {int(mark)}"
            if _has_column(connection, table, "updated_at"):
                where += f" OR updated_at >= '{since.isoformat()}'"
            buffer = io.BytesIO()
            query = f'COPY (SELECT * FROM "{table}" WHERE {where}) TO STDOUT'
            with driver.cursor() as cursor, cursor.copy(query) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            if buffer.tell():
                data[table] = buffer.getvalue()
        connection.rollback()
    rows = sum(chunk.count(b"\n") for chunk in data.values())
    same, bare = Cost(statements=len(data), rows=rows), Cost(statements=len(data), rows=rows)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        with connection.begin():
            for table in data:
                connection.exec_driver_sql(f'CREATE TABLE "bare_{table}" (LIKE "{table}" INCLUDING ALL)')
                connection.exec_driver_sql(f'CREATE TABLE "same_{table}" (LIKE "{table}" INCLUDING ALL)')
                for statement in _checks_of(connection, table, f"same_{table}"):
                    connection.exec_driver_sql(statement)
            for cost, prefix in ((bare, "bare"), (same, "same")):
                started = time.perf_counter()
                for table, chunk in data.items():
                    with driver.cursor() as cursor, cursor.copy(f'COPY "{prefix}_{table}" FROM STDIN') as copy:
                        copy.write(chunk)
                cost.seconds = time.perf_counter() - started
            connection.rollback()
    return same, bare


def _checks_of(connection: sa.Connection, table: str, twin: str) -> list[str]:
    """The statements that give ``twin`` (a ``LIKE … INCLUDING ALL`` copy of ``table``, which has its columns,
    defaults, checks and indexes) the rest of what a row written into ``table`` pays for: its foreign keys (to the
    same referenced tables) and its triggers, the constraint triggers included."""
    keys = connection.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' ORDER BY conname"
        ),
        {"t": f'public."{table}"'},
    ).all()
    triggers = connection.execute(
        sa.text(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal ORDER BY tgname"
        ),
        {"t": f'public."{table}"'},
    ).scalars()
    statements = [f'ALTER TABLE "{twin}" ADD CONSTRAINT "{name}" {definition}' for name, definition in keys]
    for definition in triggers:
        on = f" ON public.{table} "
        if on not in definition:  # pg_get_triggerdef quotes only names that need it; ours never do
            raise RuntimeError(f"trigger of {table} not understood: {definition}")
        statements.append(definition.replace(on, f" ON public.{twin} ", 1))
    return statements


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_process(command: list[str], environment: dict[str, str] | None = None) -> Cost:
    """Run ``command`` to its end (``environment`` added to this one's); wall time and the child's peak RSS
    (``wait4``)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=None if environment is None else {**os.environ, **environment},
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[-1:])} failed: {errors.decode(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Cost(seconds=seconds, peak_rss_mib=usage.ru_maxrss / 1024, cpu_seconds=cpu, statements=None, rows=None)


class Receiver:
    """A local SMTP receiver (aiosmtpd) that counts what it gets, started for the delivery step."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received = 0
        self._controller: Any = None

    def config(self) -> Any:
        from notifications.config import DeliveryConfig

        url = f"mailto://127.0.0.1:{self.port}?from=hr@bench.gov.kz&format=text"
        return DeliveryConfig(url_templates={"email": url}, max_attempts=3)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
                receiver.received += 1
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def bare_loop(self, count: int) -> Cost:
        """``count`` plain-text e-mails through one ``smtplib`` connection: the floor for delivery."""
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", self.port) as smtp:
            for n in range(count):
                message = EmailMessage()
                message["From"], message["To"] = "hr@bench.gov.kz", f"p{n}@bench.gov.kz"
                message["Subject"] = "Бағалау туралы хабарлама"
                message.set_content("Құрметті әріптес, бағалау басталды.\n" * 8)
                smtp.send_message(message)
        return Cost(seconds=time.perf_counter() - started, statements=0, rows=0)
