"""The small cryptographic pieces of the door: session tokens, password hashes, CSRF tokens, signed short-lived values.

- A session token is 32 random bytes (URL-safe base64); the database keeps only its SHA-256, so a copy of the
  database opens no session (docs/decisions/0030).
- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile). An unknown
  login is verified against a dummy hash so that it takes as long as a wrong password (no account enumeration by
  timing).
- The CSRF token of a session is a server-side secret; a page shows it *masked* with a fresh random pad each time
  (so a compressed HTTPS response does not leak it, BREACH) and the check unmasks and compares in constant time
  (docs/decisions/0031).
- Before login there is no session: the login form's CSRF token and the single sign-on state travel in a value
  signed with HMAC-SHA256 under the secret key, with a purpose and an expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_BYTES = 32
_HASHER = PasswordHasher()
# Verified against when the login is unknown, so that an unknown login costs one argon2 verification too.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a megabyte "password" is a cheap denial of service


def new_token() -> str:
    """A fresh, unguessable session token (what the cookie or the bearer header carries)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# --- passwords ---------------------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its own salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; with no hash (unknown login, SSO-only) the dummy is checked."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (it is replaced at the next login)."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused (too short, too long, control characters), or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"it must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"it must have at most {MAX_PASSWORD_LENGTH} characters"
    if any(ord(char) < 32 or ord(char) == 127 for char in password):
        return "it must not contain control characters (tabs, line breaks …)"
    return None


# --- CSRF --------------------------------------------------------------------------------------------------------


def new_csrf_secret() -> str:
    """A session's CSRF secret (hex, 32 bytes)."""
    return secrets.token_hex(32)


def mask_csrf(secret: str) -> str:
    """The CSRF token a page carries: a random pad and the secret XOR the pad, URL-safe base64."""
    raw = bytes.fromhex(secret)
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).decode("ascii")


def csrf_matches(secret: str, token: str | None) -> bool:
    """Whether ``token`` (from a form field or the ``X-CSRF-Token`` header) is a masking of ``secret``."""
    if not token:
        return False
    try:
        data = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return False
    raw = bytes.fromhex(secret)
    if len(data) != 2 * len(raw) or base64.urlsafe_b64encode(data).decode("ascii") != token:
        return False  # exactly one encoding of exactly pad + masked secret
    pad, masked = data[: len(raw)], data[len(raw) :]
    return hmac.compare_digest(bytes(a ^ b for a, b in zip(masked, pad, strict=True)), raw)


# --- signed values -----------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, purpose: str, payload: str) -> str:
    digest = hmac.new(key.encode("utf-8"), f"{purpose}\x00{payload}".encode("ascii"), hashlib.sha256).digest()
    return _b64(digest)


def sign(key: str, purpose: str, value: Any, *, max_age: int) -> str:
    """``value`` (JSON) signed for ``purpose``, valid ``max_age`` seconds."""
    payload = _b64(json.dumps({"v": value, "exp": int(time.time()) + max_age}, separators=(",", ":")).encode())
    return f"{payload}.{_signature(key, purpose, payload)}"


def unsign(key: str, purpose: str, signed: str | None) -> Any:
    """The value signed by :func:`sign` for ``purpose``, or ``None`` if forged, for another purpose, or expired."""
    if not signed or signed.count(".") != 1:
        return None
    payload, signature = signed.split(".")
    try:
        if not hmac.compare_digest(signature, _signature(key, purpose, payload)):
            return None
        document = json.loads(_unb64(payload))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("exp"), int) or document["exp"] < time.time():
        return None
    return document.get("v")
