"""Talking to the SMTP server, only when ``HEARTBEAT_SMTP_HOST`` is configured.

Nothing here is called from a request: emails are stored in the outbox (``heartbeat.outbox``)
and the background sender hands them to ``deliver``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

log = logging.getLogger("heartbeat.mail")

# An SMTP server that has not answered in this many seconds counts as down (the outbox retries).
SMTP_TIMEOUT_S = 10


class MailNotSent(Exception):
    """The SMTP server could not take the message; ``permanent`` when retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def mail_configured() -> bool:
    return bool(current_app.config["HEARTBEAT_SMTP_HOST"])


def sender_address() -> str:
    cfg = current_app.config
    return str(cfg["HEARTBEAT_SMTP_FROM"] or cfg["HEARTBEAT_SMTP_USER"] or "")


def build_message(
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """A plain-text email, with an HTML alternative when ``html`` is given."""
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = to
    message["Subject"] = subject
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id or make_msgid(domain="heartbeat-miles")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; raises ``MailNotSent`` (never anything else)."""
    cfg = current_app.config
    if not mail_configured():
        raise MailNotSent("No mail server is configured (HEARTBEAT_SMTP_HOST).")
    try:
        with smtplib.SMTP(
            cfg["HEARTBEAT_SMTP_HOST"], int(cfg["HEARTBEAT_SMTP_PORT"]), timeout=SMTP_TIMEOUT_S
        ) as smtp:
            if cfg["HEARTBEAT_SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["HEARTBEAT_SMTP_USER"]:
                smtp.login(cfg["HEARTBEAT_SMTP_USER"], cfg["HEARTBEAT_SMTP_PASSWORD"])
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)
        raise MailNotSent(
            f"The mail server refused the address ({codes}).", permanent=permanent
        ) from None
    except smtplib.SMTPResponseException as error:
        permanent = 500 <= error.smtp_code < 600
        raise MailNotSent(
            f"The mail server answered {error.smtp_code}.", permanent=permanent
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        log.warning("could not send mail: %s", type(error).__name__)
        raise MailNotSent(
            f"The mail server could not be reached ({type(error).__name__})."
        ) from None
