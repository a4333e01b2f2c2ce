"""A mailbox for a real local SMTP server (aiosmtpd), and a reader for what arrives."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


class Mailbox:
    """What the SMTP server received, as parsed messages, in order of arrival.

    `refused` addresses are refused for good at RCPT (550). `stall` makes the first
    DATA hang until the client goes away: "before_accepting" keeps nothing (the server
    never said OK), "after_storing" keeps the message first (the server has it, but the
    client never hears so). `stalled` is set once the stall begins.
    """

    def __init__(self, port: int, *, refused: set[str] | None = None, stall: str = "") -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.refused = refused or set()
        self.stall = stall
        self.stalled = threading.Event()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        stall, self.stall = self.stall, ""
        if stall != "before_accepting":
            with self._lock:
                self.messages.append(message)  # type: ignore[arg-type]
        if stall:
            self.stalled.set()
            await asyncio.sleep(120)  # cancelled by aiosmtpd when the client's connection drops
            return "451 4.3.0 Stalled too long"
        return "250 Message accepted for delivery"

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, *, to: str, subject_contains: str = "", timeout: float = 10.0) -> EmailMessage:
        """The first message to `to` whose subject contains the text; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if to in str(message["To"]) and subject_contains in str(message["Subject"]):
                        return message
            time.sleep(0.05)
        with self._lock:
            seen = [f"{m['To']}: {m['Subject']}" for m in self.messages]
        raise AssertionError(
            f"No email to {to} with {subject_contains!r} in the subject within {timeout} s; received: {seen}"
        )


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a received email."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"email {message['Subject']!r} has no text part"
    return str(part.get_content())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def smtp_server(port: int = 0, **options: Any) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and `port` (a free one by default), for the block."""
    from aiosmtpd.controller import Controller

    box = Mailbox(port=port or free_port(), **options)
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def send_to(settings: Any, box: Mailbox) -> None:
    """Point Django's SMTP backend at `box` for this test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = box.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
