"""The pages around a new invitation link: "Invitation ready" and "Renew link".

Only a digest of a link is stored, so a link cannot be shown again later, on another device or
after another invitation; "Renew link" gives the invitation a fresh link (and a fresh expiry),
and the old link stops working. Who may: the centre's admins, the person who made the
invitation (a therapist's portal invitation) and the platform operator.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from heartbeat.auth import services
from heartbeat.auth.invitations import SESSION_KEY, local_path, show_new_link
from heartbeat.auth.models import Invite
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _
from heartbeat.core.public_url import public_url_for
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.mail import mail_configured
from heartbeat.permissions import require


def _load(invite_id: int) -> Invite:
    invite = db.session.scalars(
        sa.select(Invite).where(Invite.id == invite_id).execution_options(all_centres=True)
    ).one_or_none()
    if invite is None:
        abort(404)
    return invite


def _default_back(invite: Invite) -> str:
    if current_user.is_operator and current_user.centre_id is None:
        return url_for("admin.operator_centres")
    if invite.participant_id is not None:
        return url_for("participants.profile", participant_id=invite.participant_id)
    if current_user.is_admin:
        return url_for("admin.staff")
    return url_for("home.index")


def invite_ready(invite_id: int):
    invite = _load(invite_id)
    require("invite.view", invite)
    now = utcnow()
    kept = session.get(SESSION_KEY) or {}
    mine = kept.get("id") == invite.id
    state = invite.state(now)
    link = (
        public_url_for("auth.accept_invite", token=kept["token"])
        if mine and state == "pending"
        else None
    )
    return render_template(
        "auth/invite_created.html",
        invite=invite,
        state=state,
        link=link,
        emailed=mine and kept.get("emailed"),
        mail_configured=mail_configured(),
        back_url=(kept.get("back") if mine else None) or _default_back(invite),
        may_renew=state == "pending",
    )


def renew(invite_id: int):
    invite = _load(invite_id)
    require("invite.renew", invite)
    back_url = local_path(request.form.get("next")) or _default_back(invite)
    try:
        issued = services.renew_invite(invite, utcnow(), actor=current_user._get_current_object())
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(back_url)
    centre = db.session.get(Centre, invite.centre_id)
    where = centre.name if centre is not None else _("your centre")
    link = public_url_for("auth.accept_invite", token=issued.token)
    emailed = services.queue_invitation(
        issued,
        link=link,
        subject=_("Your new invitation link for %(centre)s on Heartbeat Miles", centre=where),
        inviter=current_user.name,
    )
    db.session.commit()
    flash(_("A new link was made; the earlier link no longer works."), "success")
    return show_new_link(issued, back_url=back_url, emailed=emailed)


def register(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/invites/<int:invite_id>", "invite_ready", login_required(invite_ready), methods=["GET"]
    )
    bp.add_url_rule(
        "/invites/<int:invite_id>/renew", "renew_invite", login_required(renew), methods=["POST"]
    )
