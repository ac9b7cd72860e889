"""Centres: creation and settings. Plain functions that flush, never commit."""

from __future__ import annotations

import importlib.resources
import re
import unicodedata
import zoneinfo
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from heartbeat.centres.models import Centre, PaperSize, Units
from heartbeat.core.events import event
from heartbeat.core.i18n import LANGUAGES, _
from heartbeat.extensions import db

centre_created = event("centres.created", "A centre was created (sender: the centre, flushed).")

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


class CentreError(ValueError):
    """A centre change that cannot be made, with a message for the person."""


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Every zone name the time-zone database knows, aliases included: what a centre's stored
    zone may be (a zone chosen years ago stays valid)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def _zone_table() -> str:
    # The time-zone database's own list of each country's zones (``zone.tab``): canonical
    # Area/City names, without the backward-compatible aliases ("US/Eastern", "GB", "Etc/...").
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        for folder in zoneinfo.TZPATH:
            table = Path(folder) / "zone.tab"
            if table.is_file():
                return table.read_text()
    return ""


@lru_cache(maxsize=1)
def canonical_timezones() -> tuple[str, ...]:
    """The zones to offer: each country's Area/City zones, and UTC, sorted."""
    names = {
        line.split("\t")[2]
        for line in _zone_table().splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    known = set(zoneinfo.available_timezones())
    return tuple(sorted((names & known) | {"UTC"}))


def timezone_choices(keep: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The canonical zones grouped by region ("Europe": [("Europe/London", "London")...]),
    UTC first; ``keep`` (a centre's current zone, maybe an old alias) is offered too."""
    groups: dict[str, list[tuple[str, str]]] = {"UTC": [("UTC", _("UTC (no time zone)"))]}
    names = list(canonical_timezones())
    if keep and keep not in names and keep in timezone_names():
        names.append(keep)
    for name in sorted(names):
        if name == "UTC":
            continue
        region, _slash, place = name.partition("/")
        label = place.replace("_", " ").replace("/", ", ") if place else name
        groups.setdefault(region if place else _("Other"), []).append((name, label))
    return groups


def find_centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()


def validate_settings(
    *, name: str, timezone: str, country: str, units: str, paper_size: str, language: str = "en"
) -> None:
    if not name.strip():
        raise CentreError(_("A centre needs a name."))
    if len(name) > 120:
        raise CentreError(_("A centre name can be at most %(num)s characters.", num=120))
    if timezone not in timezone_names():
        raise CentreError(
            _("Unknown time zone %(zone)s; use a name such as Europe/London.", zone=repr(timezone))
        )
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise CentreError(_("The country is a two-letter code such as GB, US or DE."))
    if language not in LANGUAGES:
        raise CentreError(
            _(
                "Unknown language %(language)s; choose one of %(languages)s.",
                language=repr(language),
                languages=", ".join(LANGUAGES),
            )
        )
    try:
        Units(units)
        PaperSize(paper_size)
    except ValueError as error:
        raise CentreError(str(error)) from None


def suggest_slug(name: str) -> str:
    """A free slug made from a centre's name: "Riverside Rehab (Nürnberg)" -> "riverside-rehab-
    nurnberg"; "-2", "-3"... when taken; "centre" when the name has no Latin letters or digits."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:55].strip("-") or "centre"
    taken = set(
        db.session.scalars(
            sa.select(Centre.slug).where(sa.or_(Centre.slug == base, Centre.slug.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_centre(
    *,
    name: str,
    slug: str,
    timezone: str = "UTC",
    country: str = "GB",
    units: str = "km",
    paper_size: str = "A4",
    language: str = "en",
) -> Centre:
    """A new centre; a blank ``slug`` is made from the name (``suggest_slug``)."""
    slug = slug.strip().lower() or suggest_slug(name)
    if not SLUG_PATTERN.fullmatch(slug):
        raise CentreError(
            _(
                "A slug is 1-60 lower-case letters, digits and hyphens, starting and ending with "
                "a letter or digit."
            )
        )
    country = country.strip().upper()
    validate_settings(
        name=name,
        timezone=timezone,
        country=country,
        units=units,
        paper_size=paper_size,
        language=language,
    )
    if find_centre_by_slug(slug) is not None:
        raise CentreError(_("A centre with the slug %(slug)s already exists.", slug=repr(slug)))
    centre = Centre(
        name=name.strip(),
        slug=slug,
        timezone=timezone,
        country=country,
        units=Units(units),
        paper_size=PaperSize(paper_size),
        language=language,
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
    language: str | None = None,
) -> None:
    """``allow_self_report`` and ``language`` None leave those settings as they are."""
    country = country.strip().upper()
    validate_settings(
        name=name,
        timezone=timezone,
        country=country,
        units=units,
        paper_size=paper_size,
        language=language or centre.language,
    )
    if language is not None:
        centre.language = language
    centre.name = name.strip()
    centre.timezone = timezone
    centre.country = country
    centre.units = Units(units)
    centre.paper_size = PaperSize(paper_size)
    if allow_self_report is not None:
        centre.allow_self_report = bool(allow_self_report)
    db.session.flush()
