"""The account page's "Distances" (kilometres, miles, or the centre's default) and "Language"
(one the app speaks, or the centre's): ``viewer.py`` applies them to every page.

A display setting, like the email choices beside it: not recorded in the audit trail (it
changes no record, only how this person's own pages read).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from heartbeat.auth import viewer
from heartbeat.auth.forms import LanguageForm, UnitsForm
from heartbeat.auth.models import User
from heartbeat.centres.models import Units
from heartbeat.core.i18n import _, _l, current_language, language_name, supported
from heartbeat.extensions import db

CHOSEN = {
    "": _l("Distances are in your centre's default units."),
    "km": _l("Distances are in kilometres."),
    "mi": _l("Distances are in miles."),
}


def units_form(user: User) -> UnitsForm:
    return UnitsForm(formdata=None, units=user.units.value if user.units else "")


def set_units(user: User, choice: str) -> None:
    """``choice``: "km", "mi", or "" for the centre's default."""
    user.units = Units(choice) if choice else None
    viewer.forget()


def save_units():
    form = UnitsForm()
    if form.validate_on_submit():
        set_units(current_user._get_current_object(), form.units.data or "")
        db.session.commit()
        flash(str(CHOSEN[form.units.data or ""]), "success")
    else:
        flash(_("That choice could not be saved; please try again."), "error")
    return redirect(url_for("auth.account", _anchor="units-title"))


def language_form(user: User) -> LanguageForm:
    return LanguageForm(formdata=None, language=user.language or "")


def set_language(user: User, choice: str) -> None:
    """``choice``: a code of ``LANGUAGES``, or "" for the centre's language."""
    user.language = supported(choice) if choice else None
    viewer.forget()


def save_language():
    form = LanguageForm()
    if form.validate_on_submit():
        set_language(current_user._get_current_object(), form.language.data or "")
        db.session.commit()
        # Said in the language just chosen (``forget`` made this request speak it).
        flash(
            _("Your pages are now in %(language)s.", language=language_name(current_language())),
            "success",
        )
    else:
        flash(_("That choice could not be saved; please try again."), "error")
    return redirect(url_for("auth.account", _anchor="language-title"))


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/account/units", "units", login_required(save_units), methods=["POST"])
    bp.add_url_rule(
        "/account/language", "language", login_required(save_language), methods=["POST"]
    )
