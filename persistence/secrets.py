"""Channel secrets at rest: a contact's apprise URL (a Telegram bot token, a webhook key …) is stored encrypted.

``contact_channel.apprise_url`` holds ``sealed:v1:<Fernet token>`` (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package Prefect already installs). The key is ``BAGALAU_SECRET_KEY`` (a Fernet key: 32 random bytes,
URL-safe base64); the composition root builds one :class:`SecretBox` from the settings and hands it to what writes
or reads contacts (the staff import, the simulator's loader, delivery). Nothing here reads the environment.

A value without the prefix is read as it is: rows written before migration 0006, or by a tool that does not seal
(``bagalau db seal-secrets`` seals them in place). A sealed value read without a key, or with another key, raises
:class:`SecretUnavailable`, which delivery reports as an unusable contact instead of sending anywhere.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken

SEALED_PREFIX = "sealed:v1:"


class SecretKeyError(ValueError):
    """``BAGALAU_SECRET_KEY`` is not a usable key (the message says what one looks like)."""


class SecretUnavailable(ValueError):
    """A sealed value that cannot be opened: no key configured, or not the key it was sealed with."""


def is_sealed(value: str | None) -> bool:
    """Whether a stored value is encrypted (``sealed:v1:…``)."""
    return bool(value) and str(value).startswith(SEALED_PREFIX)


def generate_key() -> str:
    """A new random key, as ``BAGALAU_SECRET_KEY`` holds it."""
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Seals and opens channel secrets with one key (``BAGALAU_SECRET_KEY``)."""

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode("ascii", "replace") if isinstance(key, str) else key
        try:
            if len(base64.urlsafe_b64decode(raw)) != 32:
                raise ValueError("not 32 bytes")
            self._fernet = Fernet(raw)
        except (ValueError, binascii.Error):
            raise SecretKeyError(
                "BAGALAU_SECRET_KEY is not a key: it must be 32 random bytes in URL-safe base64 (44 characters), "
                "e.g. the output of `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            ) from None

    def seal(self, plain: str) -> str:
        """``plain`` encrypted, as stored (an already sealed value is returned as it is)."""
        if is_sealed(plain):
            return plain
        return SEALED_PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The plain text of a stored value (a value that is not sealed is returned as it is)."""
        return open_secret(stored, self)


def open_secret(stored: str, box: SecretBox | None) -> str:
    """The plain text of a stored value; :class:`SecretUnavailable` if it is sealed and ``box`` cannot open it."""
    if not is_sealed(stored):
        return stored
    if box is None:
        raise SecretUnavailable("the channel's URL is encrypted and no BAGALAU_SECRET_KEY is configured")
    try:
        return box._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnavailable(
            "the channel's URL was encrypted with another BAGALAU_SECRET_KEY than the one configured"
        ) from None
