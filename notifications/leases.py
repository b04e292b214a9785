"""Who holds a lease on outbox rows, and whether they are still alive (docs/decisions/0060).

A delivery run leases the rows it claims (``outbox_message.lease_token``) so that other runs keep off them. Until
issue 12 the lease was only a time: the run's own ``now`` plus 15 minutes. A re-run of a *past* day acts at that
day's last second, so a batch leased by a run killed that day stayed leased for every re-run of the same day, and
went out with the next day's sweep: the recorded dates moved.

Now a lease names its **holder**, one per process and database, and a holder proves it is alive by holding a lock
that the operating system or the database releases when the process dies:

- PostgreSQL: a session-level advisory lock ``pg_advisory_lock(HOLDERS, holder)`` on a connection of its own,
  kept open for the life of the process; a killed process's connection closes and the lock is gone. Any run can
  list the live holders from ``pg_locks``.
- SQLite (a file on this machine): a POSIX record lock on byte ``holder`` of ``<database>.leases``, released by
  the kernel when the process dies.

A run may take over a row whose lease ran out (the lease's time, or ``lease_expires_at`` on the wall clock) or
whose holder is dead. A holder that cannot be checked (an in-memory database, no ``fcntl``) counts as alive: the
old, time-only behaviour.
"""

from __future__ import annotations

import atexit
import itertools
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HOLDERS = 0x4241_4C47  # "BALG": the advisory-lock namespace of lease holders (first key of the two-key form)
"""First key of ``pg_advisory_lock(int, int)``; the second is the holder's number."""


@dataclass
class Holder:
    """This process's identity towards one database: a number, and the lock that proves it is alive."""

    number: int
    pid: int
    _keeper: Any = None
    _claims: Any = field(default_factory=lambda: itertools.count(1))

    def token(self) -> str:
        """A fresh claim token: ``<holder>:<claim>:<random>`` (unique per claim, names the holder)."""
        return f"{self.number}:{next(self._claims)}:{secrets.token_hex(4)}"


_lock = threading.Lock()
_holders: dict[str, Holder] = {}
atexit.register(lambda: release_all())


def holder_number(token: str | None) -> int | None:
    """The holder named by a lease token (``None`` for a token not written by :meth:`Holder.token`)."""
    head = (token or "").partition(":")[0]
    return int(head) if head.isdigit() else None


def holder_for(engine: sa.Engine) -> Holder:
    """This process's holder for ``engine``'s database, made (and its lock taken) on first use."""
    key = _database_key(engine)
    with _lock:
        holder = _holders.get(key)
        if holder is None or holder.pid != os.getpid():  # a forked child is a holder of its own
            holder = _new_holder(engine)
            _holders[key] = holder
        return holder


def live_holders(engine: sa.Engine, numbers: set[int]) -> set[int]:
    """Those of ``numbers`` whose process still holds its lock (this process's own holder is always alive)."""
    if not numbers:
        return set()
    mine = holder_for(engine).number
    others = numbers - {mine}
    alive = numbers & {mine}
    if not others:
        return alive
    if engine.dialect.name == "postgresql":
        return alive | (_pg_locked(engine) & others)
    return alive | {number for number in others if _file_locked(engine, number)}


def release_all() -> None:
    """Let go of every holder of this process (tests that drop their databases; the end of a process)."""
    with _lock:
        for holder in _holders.values():
            _close(holder)
        _holders.clear()


# --- PostgreSQL: advisory locks ---------------------------------------------------------------------------


def _database_key(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _new_holder(engine: sa.Engine) -> Holder:
    number = secrets.randbelow(2**31 - 2) + 1
    if engine.dialect.name == "postgresql":
        keeper = sa.create_engine(engine.url, poolclass=sa.pool.NullPool).connect()
        keeper.execute(sa.text("SELECT pg_advisory_lock(:space, :holder)"), {"space": HOLDERS, "holder": number})
        keeper.commit()
        return Holder(number, os.getpid(), keeper)
    handle = _lease_file(engine)
    if handle is not None:
        import fcntl

        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, number)
    return Holder(number, os.getpid(), handle)


def _pg_locked(engine: sa.Engine) -> set[int]:
    query = sa.text(
        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid = :space AND objsubid = 2 "
        "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as connection:
        return {int(number) for number in connection.scalars(query, {"space": HOLDERS})}


# --- SQLite: record locks on a file next to the database -----------------------------------------------------

_files: dict[str, Any] = {}


def _lease_file(engine: sa.Engine) -> Any:
    """The open ``<database>.leases`` file of this process (one per file: closing another descriptor of the same
    file would drop this process's locks on it), or ``None`` when there is no file to lock."""
    database = engine.url.database
    if not database or database == ":memory:" or os.name != "posix":
        return None
    path = str(Path(database).resolve()) + ".leases"
    handle = _files.get(path)
    if handle is None:
        handle = open(path, "a+b")  # noqa: SIM115 - kept open for the life of the process
        _files[path] = handle
    return handle


def _file_locked(engine: sa.Engine, number: int) -> bool:
    handle = _lease_file(engine)
    if handle is None:
        return True
    import fcntl

    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, number)
    except OSError:
        return True  # someone holds it: alive
    fcntl.lockf(handle, fcntl.LOCK_UN, 1, number)
    return False


def _close(holder: Holder) -> None:
    keeper = holder._keeper
    if isinstance(keeper, sa.Connection):
        try:
            keeper.invalidate()  # closed without a reset: the server may have ended the session already
            keeper.close()
        except sa.exc.SQLAlchemyError:
            pass
    elif keeper is not None and holder.pid == os.getpid():
        import fcntl

        try:
            fcntl.lockf(keeper, fcntl.LOCK_UN, 1, holder.number)
        except OSError:
            pass
