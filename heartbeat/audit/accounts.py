"""The trail's entries for the layers below it (accounts, invitations, centres), which cannot
import the trail: their labels and names are declared here, and invitations are recorded by
receivers of the events ``auth.services`` sends when one is made, withdrawn or accepted."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from heartbeat.audit import formats, registry, services
from heartbeat.auth.models import Invite, PasswordReset, Role, User
from heartbeat.auth.resets import reset_link_made, reset_used
from heartbeat.auth.services import (
    invite_accepted,
    invite_created,
    invite_renewed,
    invite_revoked,
    sessions_ended,
)
from heartbeat.centres.models import Centre, PaperSize
from heartbeat.core.events import connect
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db

ACTIONS = {
    "invite.create": _l("Invitation sent"),
    "invite.revoke": _l("Invitation withdrawn"),
    "invite.accept": _l("Invitation accepted"),
    "invite.close": _l("Invitation closed (the person joined through another)"),
    "invite.renew": _l("Invitation link renewed"),
    "account.sign_out_everywhere": _l("Signed out on every device"),
    "password.reset_link": _l("Password reset link made"),
    "password.reset": _l("Password reset with a link"),
}


def user_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    # Across centres on purpose: a platform operator (no centre) acts in a centre's trail too.
    rows = db.session.execute(
        sa.select(User.id, User.name, User.is_operator)
        .where(User.id.in_([value for value in ids if isinstance(value, int)]))
        .execution_options(all_centres=True)
    )
    return {
        row.id: _("%(name)s (platform operator)", name=row.name) if row.is_operator else row.name
        for row in rows
    }


def centre_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(Centre.id, Centre.name).where(
            Centre.id.in_([value for value in ids if isinstance(value, int)])
        )
    )
    return {row.id: row.name for row in rows}


def invite_names(ids: Collection[Any], ctx: formats.Context) -> Mapping[Any, str]:
    rows = db.session.execute(
        sa.select(Invite.id, Invite.name, Invite.email, Invite.role).where(
            Invite.id.in_([value for value in ids if isinstance(value, int)])
        )
    )
    return {row.id: f"{row.name} <{row.email}>, {Role(row.role).label}" for row in rows}


def _record_created(invite: Invite, *, inviter: User, now: datetime, **_kwargs: object) -> None:
    values = {
        "name": invite.name,
        "email": invite.email,
        "role": invite.role,
        "expires_at": invite.expires_at,
        "participant_id": invite.participant_id,
    }
    services.record(
        inviter,
        invite.centre_id,
        "invite.create",
        "invite",
        invite.id,
        services.created(values),
        at=now,
    )


def _record_revoked(
    invite: Invite,
    *,
    actor: User | None,
    now: datetime,
    closed_by: Invite | None = None,
    **_kwargs: object,
) -> None:
    changes = services.diff({"revoked_at": None}, {"revoked_at": now})
    if closed_by is None:
        services.record(
            actor, invite.centre_id, "invite.revoke", "invite", invite.id, changes, at=now
        )
    else:
        services.record(
            actor, invite.centre_id, "invite.close", "invite", invite.id, changes, at=now
        )


def _record_renewed(
    invite: Invite, *, actor: User, now: datetime, old_expires_at: datetime, **_kwargs: object
) -> None:
    changes = services.diff({"expires_at": old_expires_at}, {"expires_at": invite.expires_at})
    services.record(actor, invite.centre_id, "invite.renew", "invite", invite.id, changes, at=now)


def _record_sessions_ended(user: User, *, now: datetime, **_kwargs: object) -> None:
    if user.centre_id is None:  # a platform operator's trail is the security log
        return
    services.record(
        user, user.centre_id, "account.sign_out_everywhere", "user", user.id, {}, at=now
    )


def _record_accepted(invite: Invite, *, user: User, now: datetime, **_kwargs: object) -> None:
    changes = services.diff(
        {"used_at": None, "user_id": None}, {"used_at": now, "user_id": user.id}
    )
    services.record(user, invite.centre_id, "invite.accept", "invite", invite.id, changes, at=now)


def _record_reset_link(
    reset: PasswordReset, *, user: User, actor: User, now: datetime, **_kwargs: object
) -> None:
    if user.centre_id is None:  # an operator's account: no centre's trail to write in
        return
    changes = services.created({"expires_at": reset.expires_at})
    services.record(actor, user.centre_id, "password.reset_link", "user", user.id, changes, at=now)


def _record_reset(reset: PasswordReset, *, user: User, now: datetime, **_kwargs: object) -> None:
    if user.centre_id is None:
        return
    changes = services.diff({"password": None}, {"password": "changed"})
    services.record(user, user.centre_id, "password.reset", "user", user.id, changes, at=now)


def register() -> None:
    registry.actions(ACTIONS)
    registry.entity("user", _l("Account"), names=user_names)
    registry.field("password", _l("Password"), entity="user")
    registry.field("expires_at", _l("Reset link expires"), formats.moment, entity="user")
    registry.entity("centre", _l("Centre"), names=centre_names)
    registry.entity(
        "invite", _l("Invitation"), names=invite_names, participant_column=Invite.participant_id
    )
    registry.field("name", _l("Name"), entity="invite")
    registry.field("email", _l("Email"), entity="invite")
    registry.field("role", _l("Role"), formats.enum_labels(Role), entity="invite")
    registry.field("expires_at", _l("Expires"), formats.moment, entity="invite")
    registry.field("revoked_at", _l("Withdrawn"), formats.moment, entity="invite")
    registry.field("used_at", _l("Accepted"), formats.moment, entity="invite")
    registry.field("user_id", _l("Account"), refers_to="user", entity="invite")
    registry.field("paper_size", _l("Paper size"), formats.enum_labels(PaperSize), entity="centre")
    connect(invite_created, _record_created)
    connect(invite_revoked, _record_revoked)
    connect(invite_accepted, _record_accepted)
    connect(invite_renewed, _record_renewed)
    connect(sessions_ended, _record_sessions_ended)
    connect(reset_link_made, _record_reset_link)
    connect(reset_used, _record_reset)
