"""The door's small cryptographic pieces and its settings: tokens stored only as hashes, argon2 passwords (the dummy
hash for unknown logins), masked CSRF tokens, signed pre-session values, and settings that refuse to run unsafely
outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.vocabulary import Role
from web import security
from web.config import DEVELOPMENT_SECRET, WebSettings

SECRET = "s" * 40


def settings(**values: object) -> WebSettings:
    return WebSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_a_token_is_stored_as_its_sha256() -> None:
    token = security.new_token()
    assert len(token) >= 43 and security.token_hash(token) != token
    assert len(security.token_hash(token)) == 64 and security.token_hash(token) == security.token_hash(token)
    assert security.new_token() != token


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    hashed = security.hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "correct horse battery")
    assert not security.verify_password(hashed, "correct horse batterY")
    assert not security.verify_password(None, "anything"), "an unknown login never matches (the dummy hash)"
    assert not security.verify_password("not a hash", "anything")
    assert not security.needs_rehash(hashed)


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 12"), ("x" * 1025, "at most 1024"), ("tab\there is bad", "control characters")],
)
def test_a_weak_or_strange_new_password_is_refused(password: str, problem: str) -> None:
    assert problem in (security.password_problem(password) or "")
    assert security.password_problem("twelve chars ok") is None


def test_csrf_tokens_are_masked_differently_each_time_and_check_against_the_secret() -> None:
    secret = security.new_csrf_secret()
    first, second = security.mask_csrf(secret), security.mask_csrf(secret)
    assert first != second, "a fresh mask on every page (BREACH)"
    assert security.csrf_matches(secret, first) and security.csrf_matches(secret, second)
    assert not security.csrf_matches(security.new_csrf_secret(), first)
    for forged in (None, "", "forged", first[:-4] + "AAA=", "é" * 10, first + first):
        assert not security.csrf_matches(secret, forged)


def test_signed_values_keep_their_purpose_and_expire() -> None:
    signed = security.sign(SECRET, "presession", {"n": 1}, max_age=60)
    assert security.unsign(SECRET, "presession", signed) == {"n": 1}
    assert security.unsign(SECRET, "sso", signed) is None, "not valid for another purpose"
    assert security.unsign("t" * 40, "presession", signed) is None, "not under another key"
    assert security.unsign(SECRET, "presession", signed[:-2] + "xx") is None
    assert security.unsign(SECRET, "presession", security.sign(SECRET, "presession", 1, max_age=-1)) is None
    for garbage in (None, "", "a.b.c", "####.####", "e30.AAAA"):
        assert security.unsign(SECRET, "presession", garbage) is None


def test_development_runs_with_the_default_secret_and_plain_cookies() -> None:
    config = settings()
    assert config.environment == "development" and not config.cookies_secure and not config.sso_enabled


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="BAGALAU_WEB_SECRET_KEY is the development default"):
        settings(environment="production", secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="at least 32 characters"):
        settings(environment="production", secret_key="short")
    with pytest.raises(ValidationError, match="SECURE_COOKIES=false is refused"):
        settings(environment="production", secret_key=SECRET, secure_cookies=False)
    assert settings(environment="production", secret_key=SECRET).cookies_secure


def test_single_sign_on_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="OIDC_CLIENT_ID is required"):
        settings(oidc_issuer="https://idp.example.kz")
    with pytest.raises(ValidationError, match="not an http"):
        settings(oidc_issuer="idp.example.kz", oidc_client_id="x")
    with pytest.raises(ValidationError, match="the roles an account can hold are hr, hr_head"):
        settings(oidc_group_roles={"staff": "employee"})
    with pytest.raises(ValidationError, match="'hr_head'"):
        settings(oidc_group_roles={"staff": "boss"})
    config = settings(
        oidc_issuer="https://idp.example.kz/realms/gov/", oidc_client_id="bagalau", oidc_group_roles={"hr": "hr"}
    )
    assert config.sso_enabled and config.oidc_issuer == "https://idp.example.kz/realms/gov"
    assert config.oidc_group_roles == {"hr": Role.HR}


def test_settings_come_from_bagalau_web_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAGALAU_WEB_SESSION_LIFETIME_MINUTES", "90")
    monkeypatch.setenv("BAGALAU_WEB_OIDC_GROUP_ROLES", '{"g-admins": "admin"}')
    config = settings()
    assert config.session_lifetime_minutes == 90 and config.oidc_group_roles == {"g-admins": Role.ADMIN}


def test_the_installation_switch_also_sets_the_web_app_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """One switch: ``BAGALAU_ENVIRONMENT=production`` makes the web app refuse the development secret too."""
    monkeypatch.delenv("BAGALAU_WEB_ENVIRONMENT", raising=False)
    monkeypatch.setenv("BAGALAU_ENVIRONMENT", "production")
    monkeypatch.setenv("BAGALAU_WEB_SECRET_KEY", "x" * 40)
    assert WebSettings(_env_file=None).environment == "production"  # type: ignore[call-arg]
    monkeypatch.setenv("BAGALAU_WEB_ENVIRONMENT", "development")
    assert WebSettings(_env_file=None).environment == "development"  # type: ignore[call-arg]
