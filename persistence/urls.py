"""Database URLs Bagalau accepts: PostgreSQL through psycopg 3, or an embedded SQLite file."""

from __future__ import annotations

# The drivers Bagalau ships with: psycopg 3 for PostgreSQL, the standard library's sqlite3 for the embedded default.
POSTGRES_SCHEME = "postgresql+psycopg"
_POSTGRES_ALIASES = ("postgresql", "postgres", POSTGRES_SCHEME)
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")


def normalize_database_url(url: str) -> str:
    """Return ``url`` with the scheme Bagalau's drivers use; refuse any database it does not support.

    ``postgresql://`` and ``postgres://`` (what ``psql`` and most hosting panels print) become
    ``postgresql+psycopg://``; SQLite URLs are kept as they are.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ValueError(f"database URL {url!r} has no scheme; use postgresql+psycopg://… or sqlite:///…")
    if scheme in _POSTGRES_ALIASES:
        return f"{POSTGRES_SCHEME}://{rest}"
    if scheme in _SQLITE_SCHEMES:
        return url
    raise ValueError(
        f"unsupported database scheme {scheme!r}: Bagalau runs on PostgreSQL (postgresql://…, driver psycopg 3) "
        "or on an embedded SQLite file (sqlite:///path/to/file.db)"
    )
