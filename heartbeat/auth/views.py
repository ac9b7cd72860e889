from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from heartbeat.auth import services
from heartbeat.auth.forms import ChangePasswordForm, SetPasswordForm, SignInForm
from heartbeat.db import utcnow
from heartbeat.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")

SIGN_IN_FAILED = (
    "That email and password did not work. Check them and try again. After several failed "
    "attempts an account is locked for a while; your centre's admin can unlock it."
)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"signin-account:{email}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["HEARTBEAT_LOGIN_RATE_LIMIT"], methods=["POST"], key_func=None
)
@limiter.limit(
    lambda: current_app.config["HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_key,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, utcnow())
        if user is None:
            db.session.commit()  # keep the failure count and any lockout
            flash(SIGN_IN_FAILED, "error")
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        session.clear()  # a fresh session at sign-in: nothing carried over from before
        login_user(user, remember=form.remember.data)
        flash(f"Welcome back, {user.name}.", "success")
        return redirect(_safe_next(request.args.get("next")) or url_for("core.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    # Clear first: logout_user() leaves a note in the session to delete the remember-me cookie.
    session.clear()
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user._get_current_object(), form.current_password.data, form.password.data
            )
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
            return render_template("auth/change_password.html", form=form), 422
        db.session.commit()
        # Every other session is gone with the old version; this one carries on with the new.
        login_user(current_user._get_current_object())
        flash("Your password has been changed. Other devices have been signed out.", "success")
        return redirect(url_for("auth.account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def accept_invite(token: str):
    invite = services.find_invite(token)
    if invite is None:
        abort(404)
    now = utcnow()
    state = invite.state(now)
    if state != "pending":
        return render_template("auth/invite_unusable.html", state=state), 410
    if current_user.is_authenticated:
        session.clear()
        logout_user()  # after clearing, so that its note to drop the remember-me cookie survives
    form = SetPasswordForm(email=invite.email)
    if form.validate_on_submit():
        try:
            user = services.accept_invite(invite, form.password.data, now)
        except services.AccountError as error:
            form.password.errors.append(str(error))
            return render_template("auth/accept_invite.html", form=form, invite=invite), 422
        db.session.commit()
        login_user(user)
        flash(f"Welcome to Heartbeat Miles, {user.name}. Your account is ready.", "success")
        return redirect(url_for("core.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/accept_invite.html", form=form, invite=invite), status
