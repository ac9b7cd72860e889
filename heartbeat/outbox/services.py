"""Putting emails in the outbox, each person's email choices, and one-click unsubscribe.

    email = queue_email(
        kind=EmailKind.INVITATION, to=address, centre_id=centre.id, user_id=None,
        template="invitation", context={...},
    )
    db.session.commit()  # the sender is woken once the row is committed (``outbox.sending``)

Every email has a plain-text body and an HTML alternative, rendered from
``templates/email/<template>.txt`` and ``.html``. Optional kinds (``EmailKind.essential`` is
False) are not queued for someone who turned them off, and carry a one-click unsubscribe link
(RFC 8058: ``List-Unsubscribe`` with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``).
Plain functions that flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_sqlalchemy.pagination import Pagination
from itsdangerous import BadSignature, URLSafeSerializer

from heartbeat.core.i18n import _, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.mail import mail_configured
from heartbeat.outbox.models import EmailKind, EmailPreference, EmailState, OutboxEmail

WAKE_FLAG = "outbox_wake"
OPTIONAL_KINDS = tuple(kind for kind in EmailKind if not kind.essential)
PREFERENCE_OF = {
    EmailKind.DIGEST: "digest",
    EmailKind.MILESTONE: "milestones",
    EmailKind.CERTIFICATE: "certificates",
}


class PreferenceError(ValueError):
    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__("; ".join(field_errors.values()))
        self.field_errors = field_errors


# --- choices ------------------------------------------------------------------------------------


def preferences_of(user_id: int) -> EmailPreference:
    """The person's choices (a fresh, unsaved row of defaults when they never made any)."""
    found = db.session.get(EmailPreference, user_id)
    if found is not None:
        return found
    return EmailPreference(
        user_id=user_id,
        digest=True,
        milestones=True,
        certificates=True,
        digest_weekday=0,
        digest_hour=8,
    )


def wants(user_id: int | None, kind: EmailKind) -> bool:
    if kind.essential or user_id is None:
        return True
    return bool(getattr(preferences_of(user_id), PREFERENCE_OF[kind]))


def set_preferences(
    user_id: int,
    *,
    digest: bool,
    milestones: bool,
    certificates: bool,
    digest_weekday: int,
    digest_hour: int,
) -> EmailPreference:
    errors = {}
    if not 0 <= digest_weekday <= 6:
        errors["digest_weekday"] = _("Choose a day of the week.")
    if not 0 <= digest_hour <= 23:
        errors["digest_hour"] = _("Choose an hour from 00 to 23.")
    if errors:
        raise PreferenceError(errors)
    pref = preferences_of(user_id)
    pref.digest, pref.milestones, pref.certificates = digest, milestones, certificates
    pref.digest_weekday, pref.digest_hour = digest_weekday, digest_hour
    db.session.add(pref)
    db.session.flush()
    return pref


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="heartbeat.unsubscribe")


def unsubscribe_token(user_id: int, kind: EmailKind) -> str:
    return _unsubscribe_serializer().dumps({"u": user_id, "k": kind.value})


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind] | None:
    """The person and kind a link's token names; None for a forged or garbled one."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    try:
        kind = EmailKind(str(data.get("k")))
    except ValueError:
        return None
    if kind.essential:
        return None
    # An account that no longer exists (a ticket in an old email) has nothing to unsubscribe.
    users = db.metadata.tables["user_account"]
    if db.session.execute(sa.select(users.c.id).where(users.c.id == data["u"])).first() is None:
        return None
    return data["u"], kind


def unsubscribe(user_id: int, kind: EmailKind) -> bool:
    """Turn ``kind`` off for the person; False when it was off already."""
    pref = preferences_of(user_id)
    column = PREFERENCE_OF[kind]
    if not getattr(pref, column):
        return False
    setattr(pref, column, False)
    db.session.add(pref)
    db.session.flush()
    return True


# --- queueing -----------------------------------------------------------------------------------


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of ``email/<template>``."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    return text, html


def queue_email(
    *,
    kind: EmailKind,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    centre_id: int | None,
    user_id: int | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> OutboxEmail | None:
    """Store an email to send once the caller commits; None when no mail server is configured,
    or the person turned this kind of email off. ``language``: the bodies are rendered in it (the
    caller renders ``subject`` in it too); None keeps the language of the moment (the request's,
    or the ``speaking`` block around the call)."""
    if not mail_configured() or not wants(user_id, kind):
        return None
    headers: dict[str, str] = {}
    unsubscribe_url = None
    if not kind.essential and user_id is not None:
        unsubscribe_url = public_url_for(
            "outbox.unsubscribe", ticket=unsubscribe_token(user_id, kind)
        )
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Auto-Submitted"] = "auto-generated"
    bodies = {**context, "subject": subject, "unsubscribe_url": unsubscribe_url}
    if language is None:
        text, html = render_email(template, bodies)
    else:
        with speaking(language):
            text, html = render_email(template, bodies)
    now = now or utcnow()
    email = OutboxEmail(
        centre_id=centre_id,
        user_id=user_id,
        kind=kind,
        to_address=to,
        subject=subject[:200],
        body_text=text,
        body_html=html,
        headers=headers,
        state=EmailState.QUEUED,
        max_attempts=max(1, int(current_app.config["HEARTBEAT_OUTBOX_MAX_ATTEMPTS"])),
        next_attempt_at=utcnow(),  # sending runs on the clock, whatever moment ``now`` names
        created_at=now,
    )
    db.session.add(email)
    db.session.flush()
    db.session.info[WAKE_FLAG] = True  # ``sending`` wakes the sender after the commit
    return email


def retry_failed(email: OutboxEmail, now: datetime) -> bool:
    """Queue a failed email again with a fresh allowance of attempts (an admin's "Try again")."""
    if email.state != EmailState.FAILED or email.sent_at is not None:
        return False
    email.state = EmailState.QUEUED
    email.max_attempts = email.attempts + max(
        1, int(current_app.config["HEARTBEAT_OUTBOX_MAX_ATTEMPTS"])
    )
    email.next_attempt_at = now
    db.session.flush()
    db.session.info[WAKE_FLAG] = True
    return True


# --- the admins' list ---------------------------------------------------------------------------


def recent_emails_page(per_page: int, page: int | None = None) -> Pagination:
    """The centre's emails, newest first (the request's centre scope picks the centre)."""
    return db.paginate(
        sa.select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
        count=True,
    )


def counts_by_state(since: timedelta, now: datetime) -> dict[EmailState, int]:
    rows = db.session.execute(
        sa.select(OutboxEmail.state, sa.func.count())
        .where(OutboxEmail.created_at >= now - since)
        .group_by(OutboxEmail.state)
    ).all()
    return {EmailState(state): count for state, count in rows}
