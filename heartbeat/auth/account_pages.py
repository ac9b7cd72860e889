"""My account, in three pages: the account itself (who, password, distances, devices,
two-factor), the emails a person gets, and the apps and calendars that use their account (API
tokens and what features add, such as plans' calendar feed).

The first page is the lightest a signed-in person can open: it reads only the signed-in user's
row (already loaded), so it costs what every signed-in request costs and little more. The
forms with long lists (email days and hours, token lifetimes) and the reads of tokens and feeds
live on the other two pages.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from heartbeat.auth import mfa, services, tokens
from heartbeat.auth.forms import TokenForm
from heartbeat.auth.models import TokenScope, User
from heartbeat.auth.preferences import language_form, units_form
from heartbeat.core import panels
from heartbeat.core.i18n import _
from heartbeat.db import row_id, utcnow
from heartbeat.extensions import db
from heartbeat.outbox.views import preferences_form


def account():
    user: User = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        mfa_required=mfa.mfa_required(user),
        recovery_left=mfa.recovery_codes_left(user) if user.mfa_enabled else 0,
        units_form=units_form(user),
        language_form=language_form(user),
    )


def email_choices():
    return render_template("auth/account_emails.html", email_form=preferences_form(current_user.id))


def _connections_page(user: User, *, token_form: TokenForm | None = None, new_token=None):
    return render_template(
        "auth/account_connections.html",
        tokens=tokens.tokens_of(user),
        token_form=token_form or TokenForm(scopes=tokens.scopes_for(user), formdata=None),
        new_token=new_token,
        now=utcnow(),
        # What features add (plans: the private calendar feed), core/panels.py.
        panels=panels.panels_for(panels.ACCOUNT, viewer=user),
    )


def connections():
    return _connections_page(current_user._get_current_object())


def create_token():
    """A new API token, shown on the page this once (never kept in the session or a flash)."""
    user = current_user._get_current_object()
    form = TokenForm(scopes=tokens.scopes_for(user))
    if form.validate_on_submit():
        try:
            issued = tokens.issue_token(
                user,
                name=form.name.data,
                scope=TokenScope(form.scope.data),
                days=int(form.days.data),
                now=utcnow(),
            )
        except services.AccountError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            return _connections_page(user, new_token=issued)
    return _connections_page(user, token_form=form), 422


def revoke_token():
    user = current_user._get_current_object()
    token_id = request.form.get("token_id", type=row_id)
    token = tokens.token_of(user, token_id) if token_id is not None else None
    if token is None:  # none chosen, or someone else's: nothing to say about it
        flash(_("That token was not found: nothing was revoked."), "error")
    elif tokens.revoke_token(token, utcnow()):
        db.session.commit()
        flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("auth.connections", _anchor="tokens-title"))


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/account", "account", login_required(account))
    bp.add_url_rule("/account/emails", "email_choices", login_required(email_choices))
    bp.add_url_rule("/account/connections", "connections", login_required(connections))
    bp.add_url_rule(
        "/account/tokens", "create_token", login_required(create_token), methods=["POST"]
    )
    bp.add_url_rule(
        "/account/tokens/revoke", "revoke_token", login_required(revoke_token), methods=["POST"]
    )
