"""Optional single sign-on: OpenID Connect authorization code flow with PKCE, through authlib's client.

Configured by ``BAGALAU_WEB_OIDC_*``: the issuer (its ``/.well-known/openid-configuration`` is read on first use),
the client id and secret, the claim naming the account's login (``preferred_username``) and the claim listing the
person's groups (``groups``), and the map group → role. The state, nonce and PKCE verifier of a login in progress
travel in a short-lived cookie signed with the secret key (no server-side state before login). The ID token is
verified by authlib (signature against the provider's JWKS, issuer, audience, expiry, nonce).

Only accounts that exist here can sign in this way (HR creates them; an account may have no password at all); the
provider's groups, mapped to roles, replace the account's ``oidc`` roles at each sign-in (docs/decisions/0033).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth

from web.config import WebSettings

STATE_MAX_AGE = 600  # seconds a person has to sign in at the provider


class SsoFailed(Exception):
    """The provider refused, the state did not match, or the ID token did not verify (the person is told to retry)."""


@dataclass(frozen=True)
class SsoIdentity:
    """Who the provider vouched for: the login claim and the groups claim."""

    login: str
    groups: tuple[str, ...]
    subject: str


class OidcClient:
    """The registered provider (``BAGALAU_WEB_OIDC_ISSUER``)."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        oauth = OAuth()
        assert settings.oidc_issuer and settings.oidc_client_id
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        self.client: Any = oauth.register(
            name="idp",
            client_id=settings.oidc_client_id,
            client_secret=secret,
            server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
        )

    async def start(self, redirect_uri: str) -> tuple[str, dict[str, Any]]:
        """The provider's authorization URL and the state to keep until the callback."""
        try:
            found = await self.client.create_authorization_url(redirect_uri)
        except Exception as exc:  # the provider is unreachable or its metadata is wrong
            raise SsoFailed(f"the identity provider could not be reached: {type(exc).__name__}") from exc
        kept = {key: found[key] for key in ("state", "nonce", "code_verifier") if key in found}
        kept["redirect_uri"] = redirect_uri
        return str(found["url"]), kept

    async def finish(self, kept: dict[str, Any], params: dict[str, str]) -> SsoIdentity:
        """Exchange the callback's code for tokens and verify the ID token; who the provider says logged in."""
        if params.get("error"):
            raise SsoFailed(f"the identity provider refused: {params.get('error')}")
        if not params.get("state") or params.get("state") != kept.get("state") or not params.get("code"):
            raise SsoFailed("the sign-in state does not match; start again")
        try:
            token = await self.client.fetch_access_token(
                redirect_uri=kept["redirect_uri"], code=params["code"], code_verifier=kept.get("code_verifier")
            )
            claims = await self.client.parse_id_token(token, nonce=kept.get("nonce"))
        except (OAuthError, ValueError, KeyError) as exc:
            raise SsoFailed(f"the identity provider's answer did not verify: {type(exc).__name__}") from exc
        except Exception as exc:  # network errors, JOSE errors: never shown, always refused
            raise SsoFailed(f"the sign-in could not be completed: {type(exc).__name__}") from exc
        if claims is None:
            raise SsoFailed("the identity provider sent no ID token")
        login = claims.get(self.settings.oidc_login_claim)
        groups = claims.get(self.settings.oidc_groups_claim) or []
        if not isinstance(login, str) or not login:
            raise SsoFailed(f"the ID token has no {self.settings.oidc_login_claim!r} claim")
        if isinstance(groups, str):
            groups = [groups]
        return SsoIdentity(login=login, groups=tuple(str(g) for g in groups), subject=str(claims.get("sub", "")))
