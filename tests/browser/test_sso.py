"""Single sign-on against a real local OpenID Connect provider (``tests/browser/idp.py``, served by uvicorn): the
authorization code flow with PKCE, the ID token verified, the provider's groups mapped to roles (R-2), and every way
it can go wrong refused without a session."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from joserfc.jwk import RSAKey

from persistence.uow import UnitOfWork
from tests.browser.conftest import LiveApp, ServedApp, free_port, web_settings
from tests.browser.idp import CLIENT_ID, CLIENT_SECRET, Provider
from web.config import WebSettings

pytestmark = pytest.mark.postgres


@pytest.fixture
def provider() -> Iterator[Provider]:
    idp = Provider()
    port = free_port()
    idp.issuer = f"http://127.0.0.1:{port}"
    served = ServedApp(idp.app(), port)
    served.start()
    yield idp
    served.stop()


@pytest.fixture
def live_settings(provider: Provider) -> WebSettings:
    return web_settings(
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_group_roles={"bagalau-admins": "admin", "bagalau-officials": "appointing_official"},
    )


def sign_in(live_app: LiveApp) -> tuple[httpx.Client, httpx.Response]:
    """Follow a single sign-on as a browser would; the client (with its cookies) and the last answer."""
    client = httpx.Client(base_url=live_app.url, timeout=30)
    response = client.get("/login/sso", params={"next": "/account"})
    for _ in range(3):
        if response.status_code not in (302, 303):
            break
        response = client.get(response.headers["location"])
        if response.headers.get("location", "").startswith(("/account", "/")) and response.status_code == 303:
            break
    return client, response


def test_a_person_signs_in_through_the_provider_with_roles_from_its_groups(
    live_app: LiveApp, provider: Provider
) -> None:
    """R-2: the groups the provider lists become the account's oidc roles; the local and body roles stay."""
    provider.user = {"preferred_username": "Dana", "groups": ["bagalau-admins", "unrelated"]}
    client, landed = sign_in(live_app)
    assert landed.status_code == 303 and landed.headers["location"] == "/account"
    me = client.get("/api/v1/me").json()
    assert me["login"] == "dana" and me["session"]["method"] == "oidc"
    assert me["roles"] == ["admin", "hr", "hr_head"]
    assert provider.token_requests == 1

    provider.user = {"preferred_username": "dana", "groups": []}  # the provider took the group away
    client, _ = sign_in(live_app)
    assert client.get("/api/v1/me").json()["roles"] == ["hr", "hr_head"]
    with UnitOfWork(live_app.engine, actor="test") as uow:
        outcomes = [(a.outcome, a.method) for a in uow.users.attempts(login="dana")]
        trail = uow.audit_log.trail("user_role", 2)
    assert outcomes == [("ok", "oidc"), ("ok", "oidc")]
    assert [(t.before, t.after) for t in trail] == [
        ({"oidc": []}, {"oidc": ["admin"]}),
        ({"oidc": ["admin"]}, {"oidc": []}),
    ]


def test_a_person_without_an_account_is_turned_away(live_app: LiveApp, provider: Provider) -> None:
    provider.user = {"preferred_username": "stranger", "groups": ["bagalau-admins"]}
    client, answer = sign_in(live_app)
    assert answer.status_code == 403 and "bagalau_session" not in client.cookies
    assert client.get("/api/v1/me").status_code == 401
    with UnitOfWork(live_app.engine, actor="test") as uow:
        assert [(a.outcome, a.method) for a in uow.users.attempts(login="stranger")] == [("no_account", "oidc")]


def test_a_token_signed_by_another_key_is_refused(live_app: LiveApp, provider: Provider) -> None:
    provider.user = {"preferred_username": "dana", "groups": []}
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    client, answer = sign_in(live_app)
    assert answer.status_code == 401 and client.get("/api/v1/me").status_code == 401


def test_a_refusal_by_the_provider_and_a_forged_state_open_no_session(live_app: LiveApp, provider: Provider) -> None:
    provider.refuse = "access_denied"
    client, answer = sign_in(live_app)
    assert answer.status_code == 401 and client.get("/api/v1/me").status_code == 401
    provider.refuse = None
    provider.user = {"preferred_username": "dana", "groups": []}
    with httpx.Client(base_url=live_app.url, timeout=30) as attacker:
        started = attacker.get("/login/sso")
        authorized = attacker.get(started.headers["location"])
        callback = authorized.headers["location"]
    with httpx.Client(base_url=live_app.url, timeout=30) as victim:  # the attacker's callback, the victim's browser
        forged = victim.get(callback)
        assert forged.status_code == 401 and victim.get("/api/v1/me").status_code == 401
    assert provider.token_requests == 0, "no code is redeemed without the state this browser started"
