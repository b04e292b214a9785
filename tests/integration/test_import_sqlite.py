"""The staff import's contract (``test_import_postgres.py``) on the embedded SQLite database, with a smaller
generated body (2,000 people) for the all-or-nothing and timing tests."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.integration.test_import_postgres import ImportContract


class TestOnSqlite(ImportContract):
    """The contract on a migrated SQLite file (foreign keys on, WAL, BEGIN IMMEDIATE)."""

    big = 2_000

    @pytest.fixture
    def engine(self, sqlite_engine: Engine) -> Engine:
        return sqlite_engine
