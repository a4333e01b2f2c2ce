"""A mailbox for a real local SMTP server (aiosmtpd), and a reader for what arrives."""

from __future__ import annotations

import email
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


class Mailbox:
    """What the SMTP server received, as parsed messages, in order of arrival."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

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
