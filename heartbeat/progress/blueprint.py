"""The progress blueprint, shared by the modules that add its pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from heartbeat.centres.models import Centre
from heartbeat.extensions import db

bp = Blueprint("progress", __name__, template_folder="templates")


def rollback() -> None:
    """Undo the request's changes but keep the signed-in user's centre for the page header.

    A rollback expires every loaded object, and ``User.centre`` is ``lazy="raise"``.
    """
    db.session.rollback()
    user = current_user._get_current_object()
    if getattr(user, "centre_id", None) is not None:
        set_committed_value(user, "centre", db.session.get(Centre, user.centre_id))


@bp.errorhandler(StaleDataError)
def _saved_at_the_same_moment(error):
    # Two saves raced past the version check; the database's version column caught the second.
    rollback()
    return (
        render_template(
            "participants/saved_elsewhere.html", back=request.referrer or url_for("home.home")
        ),
        409,
    )
