from __future__ import annotations

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
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
from sqlalchemy.orm import joinedload

from heartbeat.auth import (
    account_pages,
    guard,
    invite_links,
    mfa,
    preferences,
    services,
    sessions,
    signing_out,
)
from heartbeat.auth.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    EnableMfaForm,
    SecondFactorForm,
    SetPasswordForm,
    SignInForm,
)
from heartbeat.auth.models import User
from heartbeat.auth.session_rules import start_session_clock
from heartbeat.core.i18n import _, _l, ngettext
from heartbeat.db import utcnow
from heartbeat.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")
signing_out.register(bp)
preferences.add_routes(bp)
account_pages.add_routes(bp)

# The English text (marked for the catalogue); ``_(SIGN_IN_FAILED)`` reads it in the reader's
# language.
SIGN_IN_FAILED = str(
    _l(
        "That email and password did not work. Check them and try again. After several failed "
        "attempts, sign-in from this device is paused for a while; your centre's admin can lift "
        "it."
    )
)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    # Per account AND address: a limit per account alone would let anyone lock its owner out.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"signin-account:{email}:{request.remote_addr}"


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
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = services.authenticate(
            form.email.data, form.password.data, utcnow(), guard.client_from_request()
        )
        db.session.commit()  # the failure counts and any lockout, or the sign-in
        if attempt.alert is not None:
            guard.send_guessing_alert(attempt.alert)
        user = attempt.user
        if user is None:
            flash(_(SIGN_IN_FAILED), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session at sign-in: nothing carried over from before
        next_url = _safe_next(request.args.get("next"))
        if user.mfa_enabled:
            # The password was right; the session holds only this, until the second factor.
            session["mfa_pending"] = {
                "user_id": user.id,
                "version": user.session_version,
                "remember": bool(form.remember.data),
                "next": next_url,
                "at": int(time.time()),
            }
            return redirect(url_for("auth.login_second_factor"))
        return _complete_sign_in(user, remember=form.remember.data, next_url=next_url)
    return render_template("auth/login.html", form=form)


def _complete_sign_in(user: User, *, remember: bool, next_url: str | None):
    sessions.start(user, utcnow())
    db.session.commit()
    login_user(user, remember=remember)
    start_session_clock()
    flash(_("Welcome back, %(name)s.", name=user.name), "success")
    if not user.mfa_enabled and mfa.mfa_required(user):
        return guard.remember_device(redirect(url_for("auth.mfa_setup")), user)
    return guard.remember_device(redirect(next_url or url_for("home.index")), user)


MFA_PENDING_SECONDS = 300


def _pending_second_factor() -> User | None:
    pending = session.get("mfa_pending")
    if not pending or time.time() - pending.get("at", 0) > MFA_PENDING_SECONDS:
        return None
    user = db.session.scalars(
        sa.select(User)
        .options(joinedload(User.centre))
        .where(User.id == pending["user_id"])
        .execution_options(all_centres=True)
    ).one_or_none()
    if user is None or not user.active or user.session_version != pending["version"]:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["HEARTBEAT_LOGIN_RATE_LIMIT"], methods=["POST"], key_func=None
)
def login_second_factor():
    user = _pending_second_factor()
    if user is None:
        session.pop("mfa_pending", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        now = utcnow()
        client = guard.client_from_request()
        if services.second_factor_refused(user, now, client):
            used = None
        else:
            try:
                used = mfa.verify(user, form.code.data, now)
            except mfa.MfaError as error:
                form.code.errors.append(str(error))
                return render_template("auth/login_code.html", form=form), 422
        if used is None:
            alert = services.record_failed_second_factor(user, now, client)
            db.session.commit()
            if alert:
                guard.send_guessing_alert(user)
            form.code.errors.append(
                _("That code did not work. Codes change every 30 seconds and each works once.")
            )
            return render_template("auth/login_code.html", form=form), 401
        pending = session.pop("mfa_pending")
        db.session.commit()
        session.clear()
        if used == "recovery":
            flash(
                ngettext(
                    "You used a recovery code; %(num)s is left. "
                    "Make new ones from My account if you are running low.",
                    "You used a recovery code; %(num)s are left. "
                    "Make new ones from My account if you are running low.",
                    mfa.recovery_codes_left(user),
                ),
                "warning",
            )
        return _complete_sign_in(user, remember=pending["remember"], next_url=pending["next"])
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login_code.html", form=form), status


@bp.post("/session/keep-alive")
@login_required
def keep_alive():
    """The idle-timeout warning's "Stay signed in": the request itself resets the clock."""
    return {"status": "ok"}


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def mfa_setup():
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.account"))
    if request.method == "POST" and not user.mfa_pending_secret:
        # A code for a secret this page never showed: show one first (and store nothing here).
        flash(_("Scan the code below with your app first, then enter the code it shows."), "info")
        return redirect(url_for("auth.mfa_setup"))
    secret = mfa.pending_secret(user)
    db.session.commit()  # the same secret on every visit until enrolment ends
    form = EnableMfaForm()
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, form.code.data, utcnow())
        except mfa.MfaError as error:
            form.code.errors.append(str(error))
        else:
            services.end_all_sessions(user)
            sessions.start(user, utcnow())
            db.session.commit()
            # Other devices are signed out; this one carries on with the new session version.
            login_user(user)
            start_session_clock()
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = mfa.provisioning_uri(user, secret)
    status = 422 if form.errors else 200
    return render_template(
        "auth/mfa_setup.html",
        form=form,
        secret=secret,
        qr=mfa.qr_svg_data_uri(uri),
        required=mfa.mfa_required(user),
    ), status


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def mfa_recovery_codes():
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.mfa_setup"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if not services.check_password(user, form.password.data):
            form.password.errors.append(_("That password is not right."))
        else:
            codes = mfa.regenerate_recovery_codes(user)
            db.session.commit()
            flash(_("New recovery codes made; the old ones no longer work."), "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    status = 422 if form.errors else 200
    return render_template(
        "auth/confirm_password.html",
        form=form,
        title=_("Make new recovery codes"),
        action_label=_("Make new codes"),
        explanation=_("Your old recovery codes will stop working."),
    ), status


@bp.route("/account/two-factor/off", methods=["GET", "POST"])
@login_required
def mfa_disable():
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.account"))
    if mfa.mfa_required(user):
        flash(_("Your account must keep two-factor sign-in on."), "error")
        return redirect(url_for("auth.account"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if not services.check_password(user, form.password.data):
            form.password.errors.append(_("That password is not right."))
        else:
            mfa.disable(user)
            services.end_all_sessions(user)
            sessions.start(user, utcnow())
            db.session.commit()
            login_user(user)
            start_session_clock()
            flash(_("Two-factor sign-in is off."), "info")
            return redirect(url_for("auth.account"))
    status = 422 if form.errors else 200
    return render_template(
        "auth/confirm_password.html",
        form=form,
        title=_("Turn off two-factor sign-in"),
        action_label=_("Turn it off"),
        explanation=_("Signing in will need only your password. Other devices will be signed out."),
    ), status


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
        sessions.start(current_user._get_current_object(), utcnow())
        db.session.commit()
        # Every other session is gone with the old version; this one carries on with the new.
        login_user(current_user._get_current_object())
        start_session_clock()
        flash(_("Your password has been changed. Other devices have been signed out."), "success")
        return redirect(url_for("auth.account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def accept_invite(token: str):
    found = invite_links.find(token)
    if found.replaced:
        return render_template("auth/invite_unusable.html", state="replaced"), 410
    invite = found.invite
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
            # The field is required: validated, its data is the text sent.
            user = services.accept_invite(invite, form.password.data or "", now)
        except services.AccountError as error:
            form.password.errors = [*form.password.errors, str(error)]
            return render_template("auth/accept_invite.html", form=form, invite=invite), 422
        sessions.start(user, now)
        db.session.commit()
        login_user(user)
        start_session_clock()
        flash(
            _("Welcome to Heartbeat Miles, %(name)s. Your account is ready.", name=user.name),
            "success",
        )
        return redirect(url_for("home.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/accept_invite.html", form=form, invite=invite), status


# Pages registered on this blueprint from modules of their own (imported last: they use bp).
from heartbeat.auth import reset_views as _reset_views  # noqa: E402, F401
