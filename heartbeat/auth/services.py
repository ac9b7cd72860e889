"""Sign-in, password changes and invitations: plain functions that flush, never commit.

Guessing protection (what counts as too many wrong passwords, and for whom) is ``guard.py``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from heartbeat.auth import guard, invite_links, passwords
from heartbeat.auth.models import Invite, Role, User, normalise_email
from heartbeat.auth.viewer import local_time
from heartbeat.centres.models import Centre
from heartbeat.core.events import event
from heartbeat.core.i18n import _, _l, speaking
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind
from heartbeat.outbox.services import queue_email

security_log = logging.getLogger("heartbeat.security")

invite_accepting = event(
    "auth.invite-accepting", "An invitation is about to become an account (sender: the invite)."
)
invite_accepted = event(
    "auth.invite-accepted", "An invitation became an account (sender: the invite; user, now)."
)
invite_created = event(
    "auth.invite-created", "An invitation was made (sender: the invite, flushed; inviter, now)."
)
invite_revoked = event(
    "auth.invite-revoked",
    "An invitation was withdrawn (sender: the invite; actor, now, and closed_by: the invite "
    "accepted instead, when it was closed because the person joined through another).",
)
invite_renewed = event(
    "auth.invite-renewed",
    "An invitation got a fresh link; the old one stopped working (sender: the invite; actor, "
    "now, old_expires_at).",
)
sessions_ended = event(
    "auth.sessions-ended",
    "A person signed out everywhere: every session of theirs ended (sender: the user; now).",
)


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for the person."""


class InviteAlreadyPending(AccountError):
    """A second invitation to an address that already has one waiting at this centre: the
    existing one (``invite``) is offered instead (its link can be renewed)."""

    def __init__(self, invite: Invite) -> None:
        super().__init__(
            _(
                "An invitation to %(email)s is already waiting (it expires on %(day)s at "
                "%(time)s). Renew its link to send it again, or withdraw it first.",
                email=invite.email,
                day=local_time(invite.expires_at, "%d %b %Y"),
                time=local_time(invite.expires_at, "%H:%M", label=True),
            )
        )
        self.invite = invite


# --- sign-in ------------------------------------------------------------------------------------


def find_user_by_email(email: str) -> User | None:
    stmt = sa.select(User).where(User.email == normalise_email(email))
    return db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none()


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: the user it opened (None when refused), and the account
    whose owner should be told someone is guessing at it (after the caller's commit)."""

    user: User | None
    alert: User | None = None


def authenticate(
    email: str, password: str, now: datetime, client: guard.Client | None = None
) -> SignIn:
    """The user these credentials open, or None; counts failures per account and source.

    Unknown email, wrong password, a refused source and a deactivated account all look the same
    to the caller's caller: no user. The work done is the same too (one hash verification).

    The slow part (argon2) runs before anything is written; the outcome is then written in a
    few short statements that are right however many attempts run at once (``guard``), and the
    caller commits straight away. So a sign-in holds a write lock (SQLite's, or the user's row)
    for milliseconds, never for the hashing.
    """
    client = client or guard.Client(address="unknown")
    user = find_user_by_email(email)
    if user is None:
        passwords.timing_equaliser()
        security_log.info("sign-in failed: unknown account")
        return SignIn(None)
    if guard.refused(user, client, now):
        passwords.timing_equaliser()
        return SignIn(None)
    stored_hash = user.password_hash
    if stored_hash is None or not passwords.verify_password(stored_hash, password):
        alert = guard.record_failure(user, client, now, "wrong password")
        return SignIn(None, user if alert else None)
    if not user.active:
        security_log.info("sign-in refused: inactive account", extra={"user_id": user.id})
        return SignIn(None)
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(stored_hash) else None
    if not guard.record_success(user, client, now, new_hash):
        # Refused for this source by other attempts while this one was checking the password.
        security_log.warning("sign-in refused: locked out meanwhile", extra={"user_id": user.id})
        return SignIn(None)
    security_log.info("sign-in", extra={"user_id": user.id})
    return SignIn(user)


def second_factor_refused(user: User, now: datetime, client: guard.Client) -> bool:
    return guard.refused(user, client, now)


def record_failed_second_factor(user: User, now: datetime, client: guard.Client) -> bool:
    """A wrong two-factor code counts like a wrong password; True: tell the owner."""
    return guard.record_failure(user, client, now, "wrong second factor")


def check_password(user: User, password: str) -> bool:
    """Re-authentication before a sensitive change."""
    return passwords.verify_password(user.password_hash, password)


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie this user holds, on every server."""
    user.session_version += 1
    db.session.flush()


def sign_out_everywhere(user: User, now: datetime) -> None:
    """The person's own explicit "Sign out everywhere": every device's session ends, recorded."""
    end_all_sessions(user)
    sessions_ended.send(user, now=now)


def set_password(user: User, new_password: str) -> None:
    problems = passwords.password_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = passwords.hash_password(new_password)
    end_all_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError(_("Your current password is not right."))
    set_password(user, new_password)


def unlock(user: User) -> None:
    guard.unlock(user)


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()


# --- accounts -----------------------------------------------------------------------------------


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    centre: Centre | None,
    password: str | None,
    is_operator: bool = False,
) -> User:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError(_("Enter a valid email address."))
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with the email %(email)s already exists.", email=email))
    if centre is None and not is_operator:
        raise AccountError(_("Every account except a platform operator's belongs to a centre."))
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        centre_id=centre.id if centre else None,
        is_operator=is_operator,
    )
    if password is not None:
        problems = passwords.password_problems(password, email=email, name=name)
        if problems:
            raise AccountError(" ".join(problems))
        user.password_hash = passwords.hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


# --- invitations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str
    # The address already has an account at another centre (or is an operator's): the inviter
    # is not told, the invitation is made as for any address, and only the address's owner
    # learns, from the email, that it cannot be used (``queue_invitation``).
    address_taken: bool = False


def create_invite(
    *,
    centre: Centre,
    inviter: User,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    participant_id: int | None = None,
) -> IssuedInvite:
    email = normalise_email(email)
    existing = find_user_by_email(email)
    # Said only when the inviter may see that account anyway: a colleague or participant of
    # their own centre, or any account for an operator.
    if existing is not None and existing.centre_id == centre.id:
        raise AccountError(_("%(email)s already has an account here.", email=email))
    if existing is not None and inviter.is_operator:
        raise AccountError(_("%(email)s already has an account.", email=email))
    # One invitation waiting per address and centre: a second would leave two live links, and
    # the one not used would stay "waiting" after the person joined.
    waiting = pending_invite_for(centre.id, email, now)
    if waiting is not None:
        raise InviteAlreadyPending(waiting)
    if existing is not None:
        security_log.info(
            "invitation to an address with an account elsewhere",
            extra={"user_id": existing.id, "centre_id": centre.id},
        )
    invite = Invite(
        centre_id=centre.id,
        email=email,
        name=name.strip(),
        role=role,
        # A placeholder until the id is known: the link holds it (invite_links.py).
        token_hash=invite_links.digest(secrets.token_urlsafe(24)),
        expires_at=_invite_expiry(now),
        created_by_id=inviter.id,
        participant_id=participant_id,
    )
    db.session.add(invite)
    db.session.flush()
    link = invite_links.new_link(invite.id)
    invite.token_hash = link.token_hash
    db.session.flush()
    invite_created.send(invite, inviter=inviter, now=now)
    return IssuedInvite(invite=invite, token=link.token, address_taken=existing is not None)


def _invite_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=current_app.config["HEARTBEAT_INVITE_HOURS"])


def pending_invite_for(centre_id: int, email: str, now: datetime) -> Invite | None:
    stmt = (
        sa.select(Invite)
        .where(
            Invite.centre_id == centre_id,
            Invite.email == normalise_email(email),
            Invite.pending_at(now),
        )
        .order_by(Invite.created_at.desc(), Invite.id.desc())
        .limit(1)
    )
    return db.session.scalars(stmt).first()


def renew_invite(invite: Invite, now: datetime, *, actor: User) -> IssuedInvite:
    """A fresh link (and a fresh expiry) for a waiting invitation; the old link stops working.

    Only a digest of a link is kept, so a link cannot be shown again: this is how an admin gets
    one to copy or send again."""
    if invite.state(now) != "pending":
        raise AccountError(_("Only a waiting invitation can get a new link."))
    old_expires_at = invite.expires_at
    link = invite_links.new_link(invite.id)
    invite.token_hash = link.token_hash
    invite.expires_at = _invite_expiry(now)
    db.session.flush()
    invite_renewed.send(invite, actor=actor, now=now, old_expires_at=old_expires_at)
    taken = find_user_by_email(invite.email) is not None
    return IssuedInvite(invite=invite, token=link.token, address_taken=taken)


def queue_invitation(
    issued: IssuedInvite, *, link: str, subject: Any, inviter: str, role: Any = None
) -> bool:
    """Put the invitation email in the outbox (sent after the caller's commit); False when
    there is no mail server. When the address already has an account elsewhere, the email is a
    note for the address's owner that the link will not work, and carries no link. It is in the
    centre's language (the invited have none of their own yet): give ``subject`` and ``role``
    lazily (``_l(...)``) and they are read in it."""
    invite = issued.invite
    centre = db.session.get(Centre, invite.centre_id)
    template = "invitation_taken" if issued.address_taken else "invitation"
    language = centre.language if centre is not None else None
    with speaking(language):
        where = centre.name if centre is not None else _("a centre")
        email = queue_email(
            kind=EmailKind.INVITATION,
            to=invite.email,
            subject=str(subject),
            template=template,
            context={
                "name": invite.name,
                "inviter": inviter,
                "centre": where,
                "role": None if role is None else str(role),
                "hours": current_app.config["HEARTBEAT_INVITE_HOURS"],
                "link": link,
            },
            centre_id=invite.centre_id,
            language=language,
        )
    return email is not None


ADDRESS_TAKEN = _l(
    "This invitation cannot be used: this email address already has a Heartbeat Miles account, "
    "and an address can hold only one. Ask the person who invited you to use another address."
)


def accept_invite(invite: Invite, password: str, now: datetime) -> User:
    state = invite.state(now)
    if state != "pending":
        raise AccountError(
            {
                "accepted": _("This invitation has already been used. Sign in instead."),
                "revoked": _("This invitation was withdrawn. Ask your centre for a new one."),
                "expired": _("This invitation has expired. Ask your centre for a new one."),
            }[state]
        )
    if find_user_by_email(invite.email) is not None:
        security_log.info("invitation refused: the address has an account")
        raise AccountError(str(ADDRESS_TAKEN))
    centre = db.session.get(Centre, invite.centre_id)
    # A portal invitation names a participant: their feature checks the record can still take a
    # login (raising AccountError if not) before the account exists, and links it after.
    invite_accepting.send(invite, now=now)
    user = create_user(
        email=invite.email, name=invite.name, role=invite.role, centre=centre, password=password
    )
    user.last_login_at = now  # accepting signs the person in
    invite_accepted.send(invite, user=user, now=now)
    invite.used_at = now
    db.session.flush()
    _close_other_invites(invite, now)
    return user


def _close_other_invites(accepted: Invite, now: datetime) -> None:
    """The address now has its account (an address holds one): every other invitation still
    waiting for it, at any centre, can never be used, so it is closed, not left "waiting"."""
    others = db.session.scalars(
        sa.select(Invite)
        .where(Invite.email == accepted.email, Invite.id != accepted.id, Invite.pending_at(now))
        .execution_options(all_centres=True)
    ).all()
    for other in others:
        other.revoked_at = now
        db.session.flush()
        invite_revoked.send(other, actor=None, now=now, closed_by=accepted)


def revoke_invite(invite: Invite, now: datetime, *, actor: User | None = None) -> None:
    if invite.state(now) != "pending":
        raise AccountError(_("Only a pending invitation can be withdrawn."))
    invite.revoked_at = now
    db.session.flush()
    invite_revoked.send(invite, actor=actor, now=now)
