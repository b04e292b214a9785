"""The repository contract of ``test_persistence_repositories.py`` on the embedded SQLite database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.integration.test_persistence_repositories import RepositoryContract


class TestOnSqlite(RepositoryContract):
    """The contract on a migrated SQLite file (foreign keys on, WAL, BEGIN IMMEDIATE)."""

    @pytest.fixture
    def engine(self, sqlite_engine: Engine) -> Engine:
        return sqlite_engine
