"""What measures add to the packages below it: the Measures sections, what is due on the
participant pages, two needs-attention lists, the built-in measures of a new centre, and its
entries in the audit trail."""

from __future__ import annotations

from heartbeat.centres.models import Centre
from heartbeat.centres.services import centre_created
from heartbeat.core.events import connect
from heartbeat.core.i18n import _l, speaking
from heartbeat.measures import attention, auditing, panels, services
from heartbeat.participants.sections import Section, register_portal_section, register_section


def _built_in(centre: Centre, **_: object) -> None:
    # In the centre's language, not that of whoever creates it (the WUSPI stays English:
    # ``measures.instruments``).
    with speaking(centre.language):
        services.ensure_built_in(centre.id)


def register() -> None:
    auditing.register()
    attention.register()
    panels.register()
    register_section(Section("measures", _l("Measures"), "measures.participant_measures", 35))
    register_portal_section(
        Section("measures", _l("My questionnaires"), "measures.my_measures", 25)
    )
    connect(centre_created, _built_in)
