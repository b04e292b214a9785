"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, keeping every message it receives.

A pytest plugin: list ``"tests.integration.smtp"`` in ``pytest_plugins`` (tests/conftest.py) and ask for the
``smtp_server`` fixture::

    def test_notice_arrives(smtp_server):
        settings = Settings(smtp_url=smtp_server.url())           # mailto://127.0.0.1:<port>?from=…&format=text
        …
        [mail] = smtp_server.wait_for(1)
        assert mail.subject == "…" and "10 сәуір 2025 ж." in mail.text

``smtp_server.reject("x@bad.kz")`` makes the server refuse a recipient (550), and
``smtp_server.unreachable_url("x@y.kz")`` is a mailto URL through a port nothing listens on (a server that is down).
"""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server got it: envelope and the parsed MIME message."""

    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The decoded subject (RFC 2047 words decoded: Kazakh stays Kazakh)."""
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        """The decoded text/plain body, with ``\\n`` line ends."""
        part = self.message.get_body(preferencelist=("plain",))
        content = part.get_content() if part is not None else ""
        return str(content).replace("\r\n", "\n")

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)


@dataclass
class SmtpReceiver:
    """The state of a running test SMTP server."""

    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    peers: list[tuple[str, int]] = field(default_factory=list)
    """The client address (host, port) of each message received: one per SMTP connection it came over."""
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def url(self, sender: str = "hr@body.kz") -> str:
        """An apprise URL of this server, as ``BAGALAU_SMTP_URL`` holds it (the recipient is added per person)."""
        return f"mailto://{self.host}:{self.port}?from={sender}&format=text"

    def unreachable_url(self, recipient: str, sender: str = "hr@body.kz") -> str:
        """An apprise URL to ``recipient`` through a server that is down (a port nothing listens on)."""
        return f"mailto://{self.host}:{closed_port()}?from={sender}&to={recipient}&format=text"

    def reject(self, *addresses: str) -> None:
        """Refuse these recipients with ``550`` from now on."""
        self.rejected.update(address.lower() for address in addresses)

    def to(self, address: str) -> list[Received]:
        """The messages received for one recipient."""
        return [received for received in self.messages if address in received.recipients]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """At least ``count`` messages (sending returns before the server's thread stores the message)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()

    # aiosmtpd handler hooks

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
            self.peers.append(tuple(session.peer[:2]))
            self._arrived.notify_all()
        return "250 OK queued"


def free_port() -> int:
    """A port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once (a mail server that is down)."""
    return free_port()


def start_smtp_server(attempts: int = 5) -> tuple[Controller, SmtpReceiver]:
    """Start a receiver on a free port (retrying if another process grabbed the port meanwhile)."""
    last_error: Exception | None = None
    for _ in range(attempts):
        receiver = SmtpReceiver(HOST, free_port())
        controller = Controller(receiver, hostname=HOST, port=receiver.port)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:
            last_error = exc
            continue
        return controller, receiver
    raise RuntimeError(f"could not start the test SMTP server: {last_error}")


@pytest.fixture
def smtp_server() -> Iterator[SmtpReceiver]:
    """A real SMTP server on 127.0.0.1 for one test; ``.messages`` holds what it received."""
    controller, receiver = start_smtp_server()
    try:
        yield receiver
    finally:
        controller.stop()
