"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) for tests of mail the node sends."""

from __future__ import annotations

import email
import email.policy
import logging
import queue
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.readiness import READY_SECONDS

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# How long a test waits for a message the code under test sends from its own thread: a bound
# against hanging, not a timing assertion (the message normally arrives in milliseconds).
ARRIVAL_DEADLINE = READY_SECONDS


class Mailbox:
    """What the server received, in order; ``next()`` waits for the next message."""

    def __init__(self) -> None:
        self.received: queue.Queue[EmailMessage] = queue.Queue()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.put(message)  # type: ignore[arg-type]
        return "250 OK"

    def next(self) -> EmailMessage:
        return self.received.get(timeout=ARRIVAL_DEADLINE)

    def is_empty(self) -> bool:
        return self.received.empty()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Serve SMTP on a free port of 127.0.0.1 (``Controller.start`` returns once it answers,
    waiting as long as tests/readiness.py allows: aiosmtpd's own default is 5 s)."""
    mailbox = Mailbox()
    mailbox.port = _free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=mailbox.port, ready_timeout=READY_SECONDS
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def use_smtp(settings: Any, mailbox: Mailbox) -> None:
    """Point the node's mail settings (pytest-django's ``settings``) at ``mailbox``'s server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.port
    settings.DEFAULT_FROM_EMAIL = "govshare@node.example.cn"
