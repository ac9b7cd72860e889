"""What the person looking at a page reads distances and times in, decided once per request.

Distances (and paces, chart axes, the boxes distances are typed into) are in the person's own
units when they chose some on their account page (``User.units``), else their centre's. Times are
stored in UTC and shown in the centre's time zone (UTC for a platform operator, who belongs to no
centre). Views and panels ask here (``current_units``, ``units_for``, ``current_zone``) instead of
reading ``centre.units``; templates show every stored moment through the ``local_time`` filter.

Work outside a request (a background job, a command) names whose units it means:
``units_for(user)`` for a loaded person, ``units_of_login(user_id, centre)`` by id (a
participant's certificate is printed in what their own pages show).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from flask_babel import refresh
from flask_login import current_user

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, _l, date_text, supported
from heartbeat.core.units import MOMENT, Units, moment_text, units_of
from heartbeat.extensions import db

UNITS_CHOICES = (("", _l("My centre's default")), ("km", _l("Kilometres")), ("mi", _l("Miles")))


def centre_units(centre: Centre | None) -> Units:
    return units_of(centre.units) if centre is not None and centre.units is not None else "km"


def units_for(user: Any, centre: Centre | None = None) -> Units:
    """``user``'s own units, else their centre's (``centre``, or ``user.centre``, loaded)."""
    own = getattr(user, "units", None)
    if own:
        return units_of(own)
    if centre is None and getattr(user, "is_authenticated", False):
        centre = user.centre
    return centre_units(centre)


def units_of_login(user_id: int | None, centre: Centre) -> Units:
    """The units a person's login chose (one query), else the centre's."""
    if user_id is not None:
        own = db.session.scalar(sa.select(User.units).where(User.id == user_id))
        if own:
            return units_of(own)
    return centre_units(centre)


def zone_of(centre: Centre | None) -> tzinfo:
    try:
        return ZoneInfo(centre.timezone) if centre is not None and centre.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def current_units() -> Units:
    """The signed-in person's units, worked out once per request (km for nobody signed in)."""
    if not has_request_context():
        return "km"
    person = current_user._get_current_object()
    cached = g.get("viewer_units")
    # Kept with the person it is for: a test (or a CLI) may run several requests in one app
    # context, where ``g`` outlives each of them.
    if cached is None or cached[0] is not person:
        cached = (person, units_for(person) if person.is_authenticated else "km")
        g.viewer_units = cached
    units: Units = cached[1]
    return units


def current_zone() -> tzinfo:
    """The signed-in person's centre's time zone (UTC for an operator or nobody)."""
    if not has_request_context():
        return UTC
    person = current_user._get_current_object()
    cached = g.get("viewer_zone")
    if cached is None or cached[0] is not person:
        cached = (person, zone_of(person.centre if person.is_authenticated else None))
        g.viewer_zone = cached
    zone: tzinfo = cached[1]
    return zone


def language_for(user: Any, centre: Centre | None = None) -> str:
    """``user``'s own language, else their centre's (``centre``, or ``user.centre``, loaded)."""
    own = supported(getattr(user, "language", None))
    if own:
        return own
    if centre is None and getattr(user, "is_authenticated", False):
        # By id, from the session's identity map when loaded: an account loaded without its
        # centre (``lazy="raise"``, at sign-in) is asked for its language too.
        centre_id = getattr(user, "centre_id", None)
        centre = db.session.get(Centre, centre_id) if centre_id is not None else None
    return (supported(centre.language) if centre is not None else None) or DEFAULT_LANGUAGE


def language_of_login(user_id: int | None, centre: Centre) -> str:
    """The language a person's login chose (one query), else the centre's: what their emails
    and certificates are written in."""
    if user_id is not None:
        own = supported(db.session.scalar(sa.select(User.language).where(User.id == user_id)))
        if own:
            return own
    return supported(centre.language) or DEFAULT_LANGUAGE


def language_of_account(user: User) -> str:
    """A loaded account's language, else its centre's (read by id: ``User.centre`` is not
    loaded lazily): what an email to them is written in."""
    own = supported(user.language)
    if own:
        return own
    centre = db.session.get(Centre, user.centre_id) if user.centre_id is not None else None
    return (supported(centre.language) if centre is not None else None) or DEFAULT_LANGUAGE


def request_language() -> str:
    """Flask-Babel's locale selector: the signed-in person's language (theirs, else their
    centre's), else the first the browser asks for that the app speaks, else English."""
    if has_request_context() and request.path.startswith("/api/"):
        # The JSON API and its reference speak English to every client (docs/api.md).
        return DEFAULT_LANGUAGE
    person = current_user._get_current_object() if has_request_context() else None
    if person is not None and person.is_authenticated:
        return language_for(person)
    if has_request_context():
        wanted = request.accept_languages.best_match(LANGUAGES)
        if wanted:
            return wanted
    return DEFAULT_LANGUAGE


def forget() -> None:
    """The person changed their units or language: the rest of this request reads the new ones."""
    if has_request_context():
        g.pop("viewer_units", None)
        refresh()


def local_time(
    value: datetime | date | None,
    pattern: str = MOMENT,
    label: bool = False,
    zone: tzinfo | None = None,
) -> str:
    """The ``local_time`` filter: a stored UTC moment as the centre's clock read it
    (``"02 Dec 2026, 05:30"``; ``label=True`` adds the zone's short name, "PST"). A date is a
    date everywhere and is only formatted; nothing gives "". ``zone`` for pages made outside a
    request (emails, PDFs)."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return date_text(value, pattern)
    return moment_text(value, zone if zone is not None else current_zone(), pattern, label=label)


def local_day(value: datetime | None, zone: tzinfo | None = None) -> date | None:
    """The ``local_day`` filter: the date it was at the centre at that moment."""
    if value is None:
        return None
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(zone if zone is not None else current_zone()).date()


def register(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_day, "local_day")
    app.add_template_global(current_units, "viewer_units")
    app.add_template_global(current_zone, "viewer_zone")
    app.add_template_global(zone_of, "zone_of")  # a page about a centre, read by anyone
