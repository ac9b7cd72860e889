"""Outgoing email, only when ``HEARTBEAT_SMTP_HOST`` is configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("heartbeat.mail")


def mail_configured() -> bool:
    return bool(current_app.config["HEARTBEAT_SMTP_HOST"])


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text email; False (logged, never raised) when it could not be sent."""
    cfg = current_app.config
    if not mail_configured():
        return False
    message = EmailMessage()
    message["From"] = cfg["HEARTBEAT_SMTP_FROM"] or cfg["HEARTBEAT_SMTP_USER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(cfg["HEARTBEAT_SMTP_HOST"], cfg["HEARTBEAT_SMTP_PORT"], timeout=10) as s:
            if cfg["HEARTBEAT_SMTP_STARTTLS"]:
                s.starttls()
            if cfg["HEARTBEAT_SMTP_USER"]:
                s.login(cfg["HEARTBEAT_SMTP_USER"], cfg["HEARTBEAT_SMTP_PASSWORD"])
            s.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("could not send mail: %s", type(error).__name__)
        return False
    return True
