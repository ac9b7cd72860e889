"""What participants add to the packages below them (portal invitations that link a login),
and the needs-attention lists decided from their own records."""

from __future__ import annotations

from datetime import datetime

from heartbeat.auth.models import Invite, User
from heartbeat.auth.services import AccountError, invite_accepted, invite_accepting
from heartbeat.core.events import connect
from heartbeat.core.i18n import _
from heartbeat.outbox import sending
from heartbeat.participants import attention, auditing, digest, sections, services


def _check_portal_invite(invite: Invite, *, now: datetime, **_kwargs: object) -> None:
    if invite.participant_id is None:
        return
    participant = services.find_for_invite(invite.participant_id, invite.centre_id)
    if participant is None or participant.user_id is not None:
        raise AccountError(_("This invitation is no longer valid. Ask your centre for a new one."))


def _link_portal_login(invite: Invite, *, user: User, now: datetime, **_kwargs: object) -> None:
    if invite.participant_id is None:
        return
    participant = services.find_for_invite(invite.participant_id, invite.centre_id)
    assert participant is not None  # checked by _check_portal_invite in the same transaction
    services.link_portal_user(participant, user, now)


def register() -> None:
    auditing.register()
    attention.register()
    sections.register()
    connect(invite_accepting, _check_portal_invite)
    connect(invite_accepted, _link_portal_login)
    sending.periodic("participants.digest", digest.send_due_digests)
