"""Centres: creation and settings. Plain functions that flush, never commit."""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

import sqlalchemy as sa

from heartbeat.centres.models import Centre, PaperSize, Units
from heartbeat.core.events import event
from heartbeat.extensions import db

centre_created = event("centres.created", "A centre was created (sender: the centre, flushed).")

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


class CentreError(ValueError):
    """A centre change that cannot be made, with a message for the person."""


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def find_centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()


def validate_settings(
    *, name: str, timezone: str, country: str, units: str, paper_size: str
) -> None:
    if not name.strip():
        raise CentreError("A centre needs a name.")
    if len(name) > 120:
        raise CentreError("A centre name can be at most 120 characters.")
    if timezone not in timezone_names():
        raise CentreError(f"Unknown time zone {timezone!r}; use a name such as Europe/London.")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise CentreError("The country is a two-letter code such as GB, US or DE.")
    try:
        Units(units)
        PaperSize(paper_size)
    except ValueError as error:
        raise CentreError(str(error)) from None


def create_centre(
    *,
    name: str,
    slug: str,
    timezone: str = "UTC",
    country: str = "GB",
    units: str = "km",
    paper_size: str = "A4",
) -> Centre:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.fullmatch(slug):
        raise CentreError(
            "A slug is 1-60 lower-case letters, digits and hyphens, starting and ending with a "
            "letter or digit."
        )
    country = country.strip().upper()
    validate_settings(
        name=name, timezone=timezone, country=country, units=units, paper_size=paper_size
    )
    if find_centre_by_slug(slug) is not None:
        raise CentreError(f"A centre with the slug {slug!r} already exists.")
    centre = Centre(
        name=name.strip(),
        slug=slug,
        timezone=timezone,
        country=country,
        units=Units(units),
        paper_size=PaperSize(paper_size),
    )
    db.session.add(centre)
    db.session.flush()
    centre_created.send(centre)  # the programme's default ladder, among others
    return centre


def update_settings(
    centre: Centre,
    *,
    name: str,
    timezone: str,
    country: str,
    units: str,
    paper_size: str,
    allow_self_report: bool | None = None,
) -> None:
    """``allow_self_report`` None leaves that setting as it is."""
    country = country.strip().upper()
    validate_settings(
        name=name, timezone=timezone, country=country, units=units, paper_size=paper_size
    )
    centre.name = name.strip()
    centre.timezone = timezone
    centre.country = country
    centre.units = Units(units)
    centre.paper_size = PaperSize(paper_size)
    if allow_self_report is not None:
        centre.allow_self_report = bool(allow_self_report)
    db.session.flush()
