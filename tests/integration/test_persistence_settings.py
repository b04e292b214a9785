"""``bagalau.settings``: defaults, the database URL it derives or normalises, and what it refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bagalau.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No BAGALAU_* variable nor .env file of the developer's leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("BAGALAU_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_defaults_are_the_embedded_database_in_almaty() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///.bagalau/bagalau.db"
    assert settings.is_sqlite
    assert (settings.timezone, settings.app_role, settings.base_url) == (
        "Asia/Almaty",
        "bagalau_app",
        "http://127.0.0.1:8000",
    )
    assert (settings.smtp_url, settings.hr_email) == (None, None)


def test_the_sqlite_file_lives_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_DATA_DIR", "/srv/bagalau")
    assert Settings().database_url == "sqlite:////srv/bagalau/bagalau.db"


@pytest.mark.parametrize(
    "given",
    ["postgresql://app@db:5432/bagalau", "postgres://app@db:5432/bagalau", "postgresql+psycopg://app@db:5432/bagalau"],
)
def test_postgres_urls_get_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("BAGALAU_DATABASE_URL", given)
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://app@db:5432/bagalau"
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BAGALAU_DATABASE_URL", "mysql://root@localhost/bagalau", "unsupported database scheme 'mysql'"),
        ("BAGALAU_DATABASE_URL", "postgresql+psycopg2://x@y/z", "unsupported database scheme 'postgresql+psycopg2'"),
        ("BAGALAU_DATABASE_URL", "bagalau.db", "has no scheme"),
        ("BAGALAU_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("BAGALAU_APP_ROLE", "app; DROP ROLE postgres", "lower-case SQL identifier"),
        ("BAGALAU_OPERATOR_EMAILS", "ops@example.kz, on call", "'on call' is not an e-mail address"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=re.escape(message)) as refused:
        Settings()
    assert variable.removeprefix("BAGALAU_").lower() in str(refused.value)  # names the setting


def test_the_operators_are_a_comma_separated_list_of_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().operator_emails == []
    monkeypatch.setenv("BAGALAU_OPERATOR_EMAILS", " ops@example.kz,duty@example.kz ,")
    assert Settings().operator_emails == ["ops@example.kz", "duty@example.kz"]


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BAGALAU_HR_EMAIL=hr@example.kz\nBAGALAU_BASE_URL=https://bagalau.example.kz/\n")
    settings = Settings()
    assert settings.hr_email == "hr@example.kz"
    assert settings.base_url == "https://bagalau.example.kz"


def test_get_settings_reads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    try:
        first = get_settings()
        monkeypatch.setenv("BAGALAU_HR_EMAIL", "changed@example.kz")
        assert get_settings() is first
        get_settings.cache_clear()
        assert get_settings().hr_email == "changed@example.kz"
    finally:
        get_settings.cache_clear()
