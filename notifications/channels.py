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

import copy
import logging
import re
import smtplib
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

import apprise
from apprise.logger import LOGGER_NAME as APPRISE_LOGGER

from notifications.rendering import Message

EMAIL = "email"
SMS = "sms"

_EMAIL = re.compile(r"^[^@\s]+@(?P<domain>(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,})$")
_PHONE = re.compile(r"^\+?\d{10,15}$")
_PASSWORD = re.compile(r"(?P<head>://[^/:@\s?#]*):[^/@\s?#]*@")
_SECRET_PARAMETER = re.compile(
    r"(?P<head>[?&](?:pass|password|pwd|secret|token|key|apikey|api_key|access_token|auth|bot|webhook)=)"
    r"(?P<value>[^&#\s'\"]+)",
    re.IGNORECASE,
)

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


@lru_cache(maxsize=4096)
def mask(url: str) -> str:
    """The URL with every secret in it replaced by ``****``, its shape kept (for logs, errors, proofs, output).

    ``mailtos://user:secret@host`` → ``mailtos://user:****@host``; ``mailto://host?user=hr&pass=x`` → ``…&pass=****``;
    ``tgram://123456789:AAH…/401234567`` → ``tgram://****:****/401234567``: whatever apprise's own privacy rendering
    (``url(privacy=True)``) does not show, and the values of parameters named like secrets, are secrets.
    """
    masked = _SECRET_PARAMETER.sub(r"\g<head>****", _PASSWORD.sub(r"\g<head>:****@", url))
    for secret in sorted(_hidden_parts(url), key=len, reverse=True):
        masked = masked.replace(secret, "****")
    return masked


def secrets_in(url: str) -> set[str]:
    """The secret parts of an apprise URL (password, tokens, keys), as written and percent-decoded."""
    return set(_secrets_in(url))


@lru_cache(maxsize=4096)
def _secrets_in(url: str) -> frozenset[str]:
    found = set(_hidden_parts(url))
    password = urlsplit(url).password if "@" in url.partition("?")[0] else None
    found.update(match.group("value") for match in _SECRET_PARAMETER.finditer(url))
    if password:
        found.add(password)
    found.update({unquote(secret) for secret in found})
    return frozenset(secret for secret in found if secret and secret != "****")


def scrub(text: str, url: str) -> str:
    """``text`` (a channel's answer, an error) with every secret of ``url`` replaced by ``****``."""
    for secret in sorted(_secrets_in(url), key=len, reverse=True):
        text = text.replace(secret, "****")
    return _SECRET_PARAMETER.sub(r"\g<head>****", _PASSWORD.sub(r"\g<head>:****@", text))


_BOT_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """Secrets in a text whose URL is not known (rows written before issue 12, errors): URL passwords, secret
    parameters and Telegram bot tokens as ``****``. Output of stored proofs goes through it."""
    text = _SECRET_PARAMETER.sub(r"\g<head>****", _PASSWORD.sub(r"\g<head>:****@", text))
    return _BOT_TOKEN.sub("****", text)


def _hidden_parts(url: str) -> list[str]:
    """Parts of ``url`` (6+ characters) that apprise's privacy rendering hides; for a URL apprise refuses, the
    long mixed letter-and-digit parts (tokens look like that)."""
    head, _, query = url.partition("?")
    tokens = [token for token in re.split(r"[/:@]", head.partition("://")[2]) if len(unquote(token)) >= 6]
    # query values that are addresses (from=, to=) are who, not how: never taken for secrets
    tokens += [
        value
        for _, value in _query_pairs(query)
        if len(unquote(value)) >= 6 and not is_email(unquote(value)) and not _PHONE.match(_digits(unquote(value)))
    ]
    if not tokens:
        return []
    private = _privacy_url(url)
    if private is None:
        return [
            token for token in tokens if re.search(r"\d", token) and re.search(r"[A-Za-z]", token) and len(token) >= 12
        ]
    shown = unquote(private).lower()
    return [token for token in tokens if unquote(token).lower() not in shown]


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in query.split("&") if "=" in part]  # type: ignore[misc]


@lru_cache(maxsize=4096)
def _privacy_url(url: str) -> str | None:
    """apprise's own rendering of ``url`` with its secrets hidden, or ``None`` when apprise refuses the URL."""
    try:
        plugins = _plugins(url)  # built once per URL, shared with validation and sending
        plugin = plugins[0] if len(plugins) == 1 else apprise.Apprise.instantiate(url)
        return None if not plugin else str(plugin.url(privacy=True))
    except Exception:  # a plugin that cannot render a URL it accepted is treated like a refused one
        return None


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
    person and channel. apprise's logger does not reach the console (:func:`quiet_apprise`). The answer depends
    on the URL alone, so it is remembered (a delivery run checks each recipient's URL, then sends to it).
    """
    return bool(_plugins(url))


@lru_cache(maxsize=1024)
def _plugins(url: str) -> tuple[Any, ...]:
    """apprise's plugins for ``url`` (none: apprise refuses it), built once per URL — apprise parses the URL and
    checks every setting, a third of a millisecond — and only *read* afterwards, so threads may share them.
    apprise's own log of building them is never kept (no attempt is being captured), so its masking of secrets in
    that log (``secure_logging``, half the time) is left out."""
    same_server = _for_one_recipient(url)
    if same_server is not None:
        return same_server
    return _built(url)


def _built(url: str) -> tuple[Any, ...]:
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(secure_logging=False))
    try:
        notifier.add(url)
    except Exception:  # a plugin that breaks on a strange URL refuses it like any other
        return ()
    return tuple(notifier)


@lru_cache(maxsize=64)
def _server_plugins(url: str) -> tuple[Any, ...]:
    """The plugins of an e-mail URL without its recipient (``to=`` left out): one per server and sender."""
    return _built(url)


def _for_one_recipient(url: str) -> tuple[Any, ...] | None:
    """The e-mail plugin of ``url`` when it names one plain recipient (``…?…&to=name@body.kz``, the form the body's
    template gives every contact): the server's plugin, built once, copied with that recipient set as apprise's
    constructor sets it — a delivery otherwise had apprise parse and check the whole URL once per recipient, an
    eighth of delivering a message (issue 13). ``None`` for any other URL (apprise builds it as it is)."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("mailto", "mailtos") or "?" not in rest:
        return None
    base, _, query = rest.partition("?")
    pairs = _query_pairs(query)
    recipients = [unquote(value) for name, value in pairs if name.lower() == "to"]
    if len(recipients) != 1 or "," in recipients[0] or " " in recipients[0] or "<" in recipients[0]:
        return None
    if any(name.lower() in _SETS_RECIPIENTS for name, _ in pairs if name.lower() != "to"):
        return None
    from apprise.plugins.email.base import NotifyEmail
    from apprise.utils.parse import is_email as apprise_is_email

    found: Any = apprise_is_email(recipients[0])  # type: ignore[no-untyped-call]
    if not found or found["name"]:
        return None
    rest_of_query = "&".join(f"{name}={value}" for name, value in pairs if name.lower() != "to")
    server = _server_plugins(f"{scheme}://{base}" + (f"?{rest_of_query}" if rest_of_query else ""))
    if len(server) != 1 or type(server[0]) is not NotifyEmail:
        return None
    plugin = copy.copy(server[0])
    plugin.targets = [(False, found["full_email"])]  # as NotifyEmail.__init__ appends a valid To address
    return (plugin,)


_SETS_RECIPIENTS = frozenset({"cc", "bcc", "reply", "to"})
"""Query parameters naming more recipients: a URL with any of them besides its one ``to`` is built whole by apprise.
The sender and the server's settings (``from``, ``name``, ``format``, ``smtp``, ``mode`` …) stay in the server's
URL, which apprise builds as always."""


def url_problem(url: str) -> str | None:
    """Why apprise cannot use ``url`` (``None``: it can); for checking contacts when they are imported."""
    try:
        _check_url("", channel_kind(url), url)
    except ChannelError as exc:
        return exc.problem
    return None


def contact_problem(person: str, channel: str, value: str, *, url_templates: UrlTemplates) -> str | None:
    """One line about a contact no channel can use (``None``: usable), secrets masked: a load-time warning."""
    try:
        resolve_value(person, channel, value, url_templates=url_templates)
    except ChannelError as exc:
        return f"contact {exc.channel} {exc.value!r}: {exc.problem}"
    return None


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
    """Sends through apprise; the answer is apprise's own log of the attempt (``apprise.LogCapture``).

    Plain-text e-mail (``mailto://``/``mailtos://`` without PGP) goes over :class:`SmtpSessions`: the message is
    built by apprise's own ``NotifyEmail.prepare_emails`` from the URL's settings, but one SMTP connection (and one
    TLS context) per server serves every message of a delivery run — apprise alone connects, negotiates and builds a
    new TLS context for every e-mail (issue 13: 18 ms of ``ssl.set_default_verify_paths`` each). Every other URL
    is sent by apprise as it is. :meth:`close` ends the run's connections (``deliver_due`` calls it).
    """

    header = "X-Bagalau-Message"
    """A header naming the outbox message (e-mail, webhooks), so a receiver and a dispute can match the two."""

    def __init__(self) -> None:
        self._smtp = SmtpSessions()

    def send(self, address: Address, message: Message, *, message_key: str) -> SendResult:
        plugin = _smtp_plugin(address.url)
        if plugin is not None:  # plain-text e-mail: apprise's plugin for this URL, read only, kept for the run
            with _ATTEMPT_LOG.capture() as lines:
                try:
                    ok = self._smtp.send(plugin, message, {self.header: message_key})
                except Exception as exc:  # a plugin that raises refused the message; its words are kept, scrubbed
                    ok, lines = False, [*lines, f"ERROR {type(exc).__name__}: {exc}"]
            return _answer(bool(ok), lines, address.url)
        notifier = apprise.Apprise()
        if not notifier.add(address.url):
            return SendResult(False, f"apprise refused the URL {address.safe_url}")
        plugins = list(notifier)
        for plugin in plugins:
            headers = getattr(plugin, "headers", None)
            if isinstance(headers, dict):
                headers[self.header] = message_key
        with _ATTEMPT_LOG.capture() as lines:
            try:
                said = notifier.notify(body=message.body, title=message.subject, body_format=apprise.NotifyFormat.TEXT)
            except Exception as exc:  # a plugin that raises refused the message; its words are kept, scrubbed
                said, lines = False, [*lines, f"ERROR {type(exc).__name__}: {exc}"]
        return _answer(bool(said), lines, address.url)

    def close(self) -> None:
        """End the SMTP connections this thread opened (the end of a delivery run)."""
        self._smtp.close()


def _answer(ok: bool, lines: list[str], url: str) -> SendResult:
    answer = scrub("\n".join(lines), url)[-ANSWER_LIMIT:]
    return SendResult(ok, answer or ("sent" if ok else "failed, apprise said nothing"))


def _smtp_plugin(url: str) -> Any | None:
    """apprise's e-mail plugin for ``url`` when :class:`SmtpSessions` sends it (plain text, no PGP), else ``None``.
    Shared (:func:`_plugins`): the message key travels as a header of the message, never of the plugin."""
    plugins = _plugins(url)
    return plugins[0] if len(plugins) == 1 and SmtpSessions.serves(plugins[0]) else None


class SmtpSessions:
    """Open SMTP connections of this thread, one per (server, port, security, login), and one TLS context each way
    of checking certificates; apprise's e-mail plugin decides every setting, as it would for one message.

    A connection the server has dropped meanwhile (an idle timeout) is opened again once for the message; a
    refused recipient leaves the connection usable (``smtplib`` resets the transaction); any other error closes
    it. The words logged are apprise's own, so an attempt's answer reads the same either way.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @staticmethod
    def serves(plugin: object) -> bool:
        from apprise.plugins.email.base import PGP_MODE_DEFAULT, NotifyEmail

        return (
            isinstance(plugin, NotifyEmail)
            and plugin.notify_format == apprise.NotifyFormat.TEXT
            and getattr(plugin, "pgp_mode", PGP_MODE_DEFAULT) == PGP_MODE_DEFAULT
            and not getattr(plugin, "use_wkd", False)
            and bool(plugin.targets)
        )

    def _state(self) -> dict[str, Any]:
        state: dict[str, Any] | None = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = {"connections": {}, "contexts": {}}
        return state

    def _context(self, verify: bool) -> ssl.SSLContext:
        contexts = self._state()["contexts"]
        if verify not in contexts:
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            contexts[verify] = context
        found: ssl.SSLContext = contexts[verify]
        return found

    def _connect(self, plugin: Any) -> smtplib.SMTP:
        from apprise.plugins.email.common import SecureMailMode

        context = self._context(bool(plugin.verify_certificate))
        timeout = plugin.socket_connect_timeout
        connection: smtplib.SMTP
        if plugin.secure_mode == SecureMailMode.SSL:
            connection = smtplib.SMTP_SSL(plugin.smtp_host, plugin.port, None, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(plugin.smtp_host, plugin.port, None, timeout=timeout)
        if plugin.secure_mode == SecureMailMode.STARTTLS:
            connection.starttls(context=context)
        if plugin.user and plugin.password:
            connection.login(plugin.user, plugin.password)
        return connection

    def send(self, plugin: Any, message: Message, headers: Mapping[str, str] | None = None) -> bool:
        """Send ``message`` as apprise's ``plugin`` would, over this thread's connection to its server, with
        ``headers`` added to the plugin's own."""
        from apprise.plugins.email.base import NotifyEmail

        log = logging.getLogger(APPRISE_LOGGER)
        server = (plugin.smtp_host, plugin.port, plugin.secure_mode)
        key = (*server, plugin.user, plugin.password, plugin.verify_certificate)
        connections: dict[tuple[Any, ...], smtplib.SMTP] = self._state()["connections"]
        every = {"X-Application": plugin.app_id, **plugin.headers, **(headers or {})}
        emails = NotifyEmail.prepare_emails(
            subject=message.subject[: plugin.title_maxlen] if plugin.title_maxlen else message.subject,
            body=message.body,
            notify_format=plugin.notify_format,
            from_addr=plugin.from_addr,
            to=plugin.targets,
            cc=plugin.cc,
            bcc=plugin.bcc,
            reply_to=plugin.reply_to,
            smtp_host=plugin.smtp_host,
            attach=None,
            headers=every,
            names=plugin.names,
            tzinfo=plugin.tzinfo,
        )
        ok = True
        for email in emails:
            for fresh in (False, True):
                connection = connections.get(key)
                try:
                    if connection is None:
                        fresh = True
                        connection = connections[key] = self._connect(plugin)
                    connection.sendmail(plugin.from_addr[1], email.to_addrs, email.body)
                    log.info("Sent Email to %s", email.recipient)
                    break
                except smtplib.SMTPServerDisconnected as exc:
                    self._drop(key)
                    if fresh:
                        ok = self._refused(log, plugin, email.recipient, exc, connect=True)
                        break
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    ok = self._refused(log, plugin, email.recipient, exc, connect=False)
                    break
                except (OSError, smtplib.SMTPException, RuntimeError) as exc:
                    self._drop(key)
                    ok = self._refused(log, plugin, email.recipient, exc, connect=connection is None)
                    break
        return ok

    @staticmethod
    def _refused(log: logging.Logger, plugin: Any, recipient: str, exc: Exception, *, connect: bool) -> bool:
        if connect:
            log.warning('Connection error while submitting email to "%s"', plugin.smtp_host)
        else:
            log.warning('Sending email to "%s" failed.', recipient)
        log.debug(f"Socket Exception: {exc}")
        return False

    def _drop(self, key: tuple[Any, ...]) -> None:
        connection = self._state()["connections"].pop(key, None)
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def close(self) -> None:
        connections: dict[tuple[Any, ...], smtplib.SMTP] = self._state()["connections"]
        for key, connection in list(connections.items()):
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
            connections.pop(key, None)


def last_line(answer: str | None) -> str:
    """A channel's last word: apprise ends with "Sent Email to …" or with the socket's error."""
    lines = [line for line in (answer or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


# --- apprise's log: never on the console, kept per attempt as a few short lines -------------------------------


class _AttemptLog(logging.Filter):
    """apprise's log lines of the current thread's attempt: INFO and above, and the socket's exception.

    Only the channel's verdict is kept ("Sent Email to …", "Sending email to … failed", the SMTP or socket error),
    never apprise's DEBUG lines, which hold the whole payload of a webhook (the message, a score included) and the
    server's reply. Lines are cut at :data:`LINE_LIMIT` characters. Each thread keeps only its own lines, so two
    workers in one process do not mix their answers.

    A *filter* on apprise's logger, not a handler: it takes the record and then refuses it, so no handler anyone
    attaches to that logger (a test runner's, a log shipper's) ever sees apprise's words, which may hold a token
    in a URL ("Max retries exceeded with url: /bot<token>/sendMessage"). The caller scrubs what it keeps.
    """

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        lines: list[str] | None = getattr(self._local, "lines", None)
        if lines is None:
            return False  # apprise outside an attempt (validating a URL …): its lines go nowhere
        try:
            text = record.getMessage()
        except Exception:  # a malformed log call inside a plugin must not break delivery
            return False
        if record.levelno >= logging.INFO or text.startswith("Socket Exception"):
            first = text.strip().splitlines()[0] if text.strip() else ""
            lines.append(f"{record.levelname} {first[:LINE_LIMIT]}")
        return False

    @contextmanager
    def capture(self) -> Iterator[list[str]]:
        lines: list[str] = []
        self._local.lines = lines
        try:
            yield lines
        finally:
            self._local.lines = None


LINE_LIMIT = 300
"""Characters kept of one apprise log line."""

_ATTEMPT_LOG = _AttemptLog()


def quiet_apprise() -> None:
    """apprise's logger writes only to the per-attempt capture: nothing reaches the console or a log file.

    Done once, when this module is imported. apprise logs every message it sends at DEBUG, webhooks with their
    whole payload; its ERROR lines about a refused URL are reported by the caller, with the person's name, instead.
    """
    logger = logging.getLogger(APPRISE_LOGGER)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    if _ATTEMPT_LOG not in logger.filters:
        logger.addFilter(_ATTEMPT_LOG)


quiet_apprise()


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
