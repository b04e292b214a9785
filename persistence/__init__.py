"""The evaluation database: the single source of truth of every cycle.

SQLModel tables over PostgreSQL (psycopg) in production and tests, SQLite as the embedded default; Alembic
migrations; repositories and a unit of work that rolls back unless committed and writes audit rows in the same
transaction as the change; set-based bulk paths; and the staff importers for HR's CSV/XLSX files. Rows are
converted to ``domain`` objects explicitly: SQLModel never leaks out of this package.
"""
