"""A real SMTP server in the test process (aiosmtpd), for tests of what the app emails.

``mailbox`` starts one on a free port and collects every message it receives; ``mail_config``
is the app configuration that sends to it. A test module opts in with::

    @pytest.fixture
    def app_config(mail_config):
        return mail_config
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """Collects what the SMTP server receives, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mail_config(mailbox) -> dict:
    return {
        "HEARTBEAT_SMTP_HOST": "127.0.0.1",
        "HEARTBEAT_SMTP_PORT": mailbox.port,
        "HEARTBEAT_SMTP_STARTTLS": False,
        "HEARTBEAT_SMTP_FROM": "miles@heartbeat.test",
    }
