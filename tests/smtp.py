"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives,
for tests of delivery. It can refuse recipients, drop connections, answer
slowly and run a fault of the test's own at a chosen message, on cue."""

import asyncio
import collections
import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    session_id: int

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class RecordingHandler:
    refuse: set[str] = field(default_factory=set)
    drop_next: int = 0  # drop this many connections at DATA, without accepting the message
    delay: float = 0  # seconds each message waits at DATA before the server accepts it
    # Called in the server's thread with the count of messages accepted so far,
    # after a message is recorded and before the client hears "250".
    after_accept: Callable[[int], None] | None = None
    data_started: int = 0  # messages whose DATA has begun, accepted or not
    messages: list[Received] = field(default_factory=list)
    sessions: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _session_id(self, session) -> int:
        with self.lock:
            for index, known in enumerate(self.sessions):
                if known is session:
                    return index
            self.sessions.append(session)
            return len(self.sessions) - 1

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self._session_id(session)
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_next > 0:
            self.drop_next -= 1
            server.transport.close()
            return "421 4.3.0 Going away"
        with self.lock:
            self.data_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message, self._session_id(session))
        with self.lock:  # _session_id takes the lock itself: it is not re-entrant
            self.messages.append(received)
            accepted = len(self.messages)
        if self.after_accept:
            self.after_accept(accepted)
        return "250 Message accepted for delivery"

    @property
    def connections(self) -> int:
        return len(self.sessions)

    def to(self, address: str) -> list[Received]:
        return [received for received in self.messages if address in received.rcpt_tos]

    def copies(self) -> collections.Counter:
        """How many times each Message-ID arrived: a duplicate is a count above 1."""
        return collections.Counter(received.message["Message-ID"] for received in self.messages)

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return list(self.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def running_smtp_server(settings):
    """A running SMTP server with Django's email settings pointing at it; a
    test module makes it a fixture with ``yield from running_smtp_server(settings)``."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def smtp_server(settings):
    """The server as a fixture, for modules that import it (tests/test_faults.py)."""
    yield from running_smtp_server(settings)
