"""The sections of a participant's record, each a page of its own with its own address.

The overview and the records (details, consents, equipment, status, notes) belong to this
package; features above it add theirs (training: sessions, progress: progress and charts,
certificates: certificates) from their ``hooks.register``. Every section page shows the same
sub-navigation (``participants/_record.html``), plain links that work without JavaScript.
The participant's own pages work the same way (``portal_sections``, ``participants/_portal.html``):
what matters today first (``/me``), the rest one tap away.
"""

from __future__ import annotations

from dataclasses import dataclass

from heartbeat.core.i18n import _l


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # lazy text (``_l``): read in the reader's language
    endpoint: str  # takes ``participant_id``
    order: int  # lower first


_SECTIONS: dict[str, Section] = {}
# The participant's own pages (``/me``...): endpoints without arguments.
_PORTAL: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _SECTIONS[section.key] = section  # the same again: apps are created more than once in tests


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda section: section.order)


def register_portal_section(section: Section) -> None:
    _PORTAL[section.key] = section


def portal_sections() -> list[Section]:
    return sorted(_PORTAL.values(), key=lambda section: section.order)


def register() -> None:
    register_section(Section("overview", _l("Overview"), "participants.profile", 10))
    register_section(Section("records", _l("Records"), "participants.records", 50))
    register_portal_section(Section("today", _l("Today"), "participants.portal", 10))
    register_portal_section(Section("about", _l("About me"), "participants.portal_about", 50))
