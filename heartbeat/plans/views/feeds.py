"""The private calendar feed: made and revoked on My account's "Apps and calendars" page, read
by calendar apps."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from heartbeat.auth.viewer import units_for
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, speaking
from heartbeat.extensions import db
from heartbeat.permissions import require
from heartbeat.plans.blueprint import actor, bp, now
from heartbeat.plans.forms import ConfirmForm
from heartbeat.plans.services import feeds


@bp.post("/account/calendar")
@login_required
def make_feed():
    user = actor()
    require("calendar_feed.manage", user)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.connections"))
    token = feeds.make_feed(user, now=now())
    db.session.commit()
    # Shown this once, on the page itself (never in a flash or the session).
    return render_template(
        "plans/feed_made.html",
        address=url_for("plans.calendar_feed", token=token, _external=True),
    )


@bp.post("/account/calendar/revoke")
@login_required
def revoke_feed():
    user = actor()
    require("calendar_feed.manage", user)
    if ConfirmForm().validate_on_submit() and feeds.revoke_feed(user, now=now()):
        db.session.commit()
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("auth.connections", _anchor="calendar-title"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    found = feeds.feed_for(token)
    if found is None:
        abort(404)
    feed, user = found
    centre = db.session.scalars(
        db.select(Centre).where(Centre.id == user.centre_id).execution_options(all_centres=True)
    ).one()
    feed.last_used_at = now()
    # In the feed owner's units (their own choice, else the centre's): no one is signed in.
    units = units_for(user, centre)
    # The feed's words stay in English (calendar apps read it, not a person's page).
    with speaking(DEFAULT_LANGUAGE):
        body = feeds.calendar_for(user, ZoneInfo(centre.timezone), units, now=now())
    db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="heartbeat-miles.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


def account_panel(viewer) -> dict | None:
    if viewer.centre_id is None or current_user.is_anonymous:
        return None
    return {"feed": feeds.active_feed(viewer), "form": ConfirmForm()}
