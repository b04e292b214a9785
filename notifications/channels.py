"""Deliver: a person's channels as apprise URLs, their validation, and the adapters that hand a message to them.

A contact is a channel kind (``email``, ``sms``, ``telegram`` …), the address a person reads (``e1@example.kz``)
and, optionally, a full apprise URL. Without a URL the body's default for that kind builds one: for e-mail the
SMTP URL of the settings (``BAGALAU_SMTP_URL``, e.g. ``mailto://127.0.0.1:2525?from=hr@body.kz``, with ``{email}``
where the recipient goes, or none and ``to=`` is added). Bad data is refused with a :class:`ChannelError` that
names the person, the channel and the value (passwords masked).

Two adapters implement :class:`Channel`: :class:`AppriseChannel` sends for real and captures apprise's log as the
channel's answer; :class:`RecordingChannel` sends nothing and records (simulation, ``--deliver`` not given).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

import apprise

from notifications.rendering import Message

EMAIL = "email"
SMS = "sms"

_EMAIL = re.compile(r"^[^@\s]+@(?P<domain>(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,})$")
_PHONE = re.compile(r"^\+?\d{10,15}$")
_PASSWORD = re.compile(r"(?P<head>://[^/:@\s]*):[^/@\s]*@")

SCHEME_KINDS: dict[str, str] = {
    "mailto": EMAIL,
    "mailtos": EMAIL,
    "tgram": "telegram",
    "json": "webhook",
    "jsons": "webhook",
    "xml": "webhook",
    "xmls": "webhook",
    "form": "webhook",
    "forms": "webhook",
}
"""The channel kind of an apprise URL by scheme; any other scheme is its own kind (``twilio`` …)."""

UrlTemplates = Mapping[str, str | None]
"""Default apprise URL per channel kind (``{"email": BAGALAU_SMTP_URL, "sms": "json://…?to={address}"}``)."""

ANSWER_LIMIT = 4000
"""Characters of apprise's log kept as the channel's answer."""


# --- addresses --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """Where one message goes: the channel kind, what a person reads, and the apprise URL (may hold secrets)."""

    channel: str
    address: str
    url: str

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for logs, errors and proofs."""
        return mask(self.url)


class ChannelError(ValueError):
    """A contact that cannot be used; names the person, the channel and the value."""

    def __init__(self, person: str, channel: str, value: str, problem: str) -> None:
        self.person, self.channel, self.value, self.problem = person, channel, mask(value), problem
        super().__init__(f"{person}: channel {channel} {self.value!r}: {problem}")


def mask(url: str) -> str:
    """``mailtos://user:secret@host`` → ``mailtos://user:****@host``."""
    return _PASSWORD.sub(r"\g<head>:****@", url)


def channel_kind(url: str) -> str:
    """``email`` for ``mailto://…``, ``telegram`` for ``tgram://…``, else the URL's scheme."""
    scheme = url.partition("://")[0].lower()
    return SCHEME_KINDS.get(scheme, scheme)


def is_email(value: str) -> bool:
    """An e-mail address with a domain (``name@body.kz``; ``name`` or ``name@host`` are refused)."""
    return bool(_EMAIL.match(value.strip()))


def is_valid_apprise_url(url: str) -> bool:
    """Whether apprise understands the URL (it refuses malformed ones and unknown schemes).

    apprise logs its refusal as an ERROR; here the refusal is the answer, and the caller reports it with the
    person and channel, so apprise's own line is captured instead of reaching the console.
    """
    with apprise.LogCapture(level=logging.ERROR):  # type: ignore[no-untyped-call]
        return bool(apprise.Apprise().add(url))


def resolve(
    person: str,
    channel: str,
    address: str,
    url: str | None = None,
    *,
    url_templates: UrlTemplates,
) -> Address:
    """The :class:`Address` of one contact: its own apprise URL, or one built from the body's default."""
    channel, address = channel.strip().lower(), address.strip()
    if url and url.strip():
        _check_url(person, channel, url.strip())
        return Address(channel, address, url.strip())
    if channel == EMAIL and not is_email(address):
        raise ChannelError(person, channel, address, "not an e-mail address with a domain (name@body.kz)")
    if channel == SMS and not _PHONE.match(_digits(address)):
        raise ChannelError(person, channel, address, "not a phone number (+7XXXXXXXXXX)")
    built = _from_template(person, channel, address, url_templates)
    _check_url(person, channel, built)
    return Address(channel, address, built)


def resolve_value(person: str, channel: str, value: str, *, url_templates: UrlTemplates) -> Address:
    """A contact given as one value, as scenario files and HR's files do: an apprise URL or a plain address."""
    if "://" in value:
        return resolve(person, channel, _address_in(value), value, url_templates=url_templates)
    return resolve(person, channel, value.strip().removeprefix("mailto:"), url_templates=url_templates)


def _digits(phone: str) -> str:
    return re.sub(r"[\s()\-.]", "", phone)


def _from_template(person: str, channel: str, address: str, templates: UrlTemplates) -> str:
    template = templates.get(channel)
    if not template:
        setting = "BAGALAU_SMTP_URL" if channel == EMAIL else "BAGALAU_NOTIFY_URL_TEMPLATES"
        raise ChannelError(person, channel, address, f"no apprise URL, and no default for {channel} ({setting})")
    value = quote(_digits(address) if channel == SMS else address, safe="@")
    if channel == EMAIL:
        template = _plain_text(template)
    for placeholder in ("{address}", "{email}", "{phone}"):
        if placeholder in template:
            return template.replace(placeholder, value)
    if channel != EMAIL:
        raise ChannelError(person, channel, template, "the default URL has no {address} placeholder")
    return _with_query(template, to=value)


def _with_query(url: str, **params: str) -> str:
    for name, value in params.items():
        url = f"{url}{'&' if '?' in url else '?'}{name}={value}"
    return url


def _plain_text(url: str) -> str:
    """E-mail as text/plain: apprise's default HTML part would lose the line breaks of the plain part."""
    return url if "format=" in url else _with_query(url, format="text")


def _check_url(person: str, channel: str, url: str) -> None:
    if not is_valid_apprise_url(url):
        raise ChannelError(person, channel, url, "malformed apprise URL (apprise refuses it)")
    if channel_kind(url) == EMAIL:
        recipients = email_recipients(url)
        bad = [recipient for recipient in recipients if not is_email(recipient)]
        if not recipients or bad:
            # apprise drops a bad recipient and mails the sender instead: never let that happen silently
            problem = f"bad recipient {bad[0]!r}" if bad else "no recipient (to=…)"
            raise ChannelError(person, channel, url, f"{problem}: an e-mail address with a domain is needed")


def email_recipients(url: str) -> list[str]:
    """The recipients a mailto URL names: ``to=`` values and path segments (apprise accepts both)."""
    parts = urlsplit(url)
    listed = [value for values in parse_qs(parts.query).get("to", []) for value in re.split(r"[,;\s]+", values)]
    in_path = [unquote(segment) for segment in parts.path.split("/") if segment]
    return [recipient for recipient in listed + in_path if recipient]


def _address_in(url: str) -> str:
    """What a person reads in an apprise URL: its e-mail recipient(s), else the URL without secrets."""
    if channel_kind(url) == EMAIL and (recipients := email_recipients(url)):
        return ", ".join(recipients)
    return mask(url)


# --- adapters ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    """What a channel answered: accepted or not, and its words (apprise's log of the attempt)."""

    ok: bool
    response: str


class Channel(Protocol):
    """Hands one rendered message to one address."""

    def send(self, address: Address, message: Message, *, message_key: str) -> SendResult: ...


class AppriseChannel:
    """Sends through apprise; the answer is apprise's own log of the attempt (``apprise.LogCapture``)."""

    header = "X-Bagalau-Message"
    """A header naming the outbox message (e-mail, webhooks), so a receiver and a dispute can match the two."""

    def send(self, address: Address, message: Message, *, message_key: str) -> SendResult:
        notifier = apprise.Apprise()
        if not notifier.add(address.url):
            return SendResult(False, f"apprise refused the URL {address.safe_url}")
        for plugin in notifier:
            headers = getattr(plugin, "headers", None)
            if isinstance(headers, dict):
                headers[self.header] = message_key
        # The thread id in each line lets two workers in one process keep only their own lines.
        capture = apprise.LogCapture(level=logging.DEBUG, fmt="%(thread)d %(levelname)s %(message)s")  # type: ignore[no-untyped-call]
        with capture as log:
            ok = notifier.notify(body=message.body, title=message.subject, body_format=apprise.NotifyFormat.TEXT)
        return SendResult(bool(ok), _own_lines(log.getvalue()) or ("sent" if ok else "failed, apprise said nothing"))


def last_line(answer: str | None) -> str:
    """A channel's last word: apprise ends with "Sent Email to …" or with the socket's error."""
    lines = [line for line in (answer or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _own_lines(log: str) -> str:
    me = f"{threading.get_ident()} "
    lines = [line.removeprefix(me) for line in log.splitlines() if line.startswith(me)]
    return "\n".join(lines)[-ANSWER_LIMIT:]


@dataclass(frozen=True)
class Recorded:
    """One message a :class:`RecordingChannel` was given."""

    address: Address
    message: Message
    message_key: str


@dataclass
class RecordingChannel:
    """Sends nothing: records each message and answers that it did (simulation and tests)."""

    sent: list[Recorded] = field(default_factory=list)
    refuse: frozenset[str] = frozenset()
    """Addresses to answer "refused" for, to rehearse failures without a network."""

    def send(self, address: Address, message: Message, *, message_key: str) -> SendResult:
        if address.address in self.refuse:
            return SendResult(False, f"recording channel: {address.address} refused (rehearsal)")
        self.sent.append(Recorded(address, message, message_key))
        return SendResult(True, "recorded, not sent (recording channel)")
