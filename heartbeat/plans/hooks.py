"""What plans adds to the packages below it: the audit trail's words for its records, the
default templates for every new centre, its sections and panel on the participant pages."""

from __future__ import annotations

from heartbeat.centres.models import Centre
from heartbeat.centres.services import centre_created
from heartbeat.core import panels as core_panels
from heartbeat.core.events import connect
from heartbeat.core.hooks import own_authentication
from heartbeat.core.i18n import _l, speaking
from heartbeat.participants.sections import Section, register_portal_section, register_section
from heartbeat.plans import attention, auditing, panels
from heartbeat.plans.services.templates import seed_default_templates


def _seed_templates(centre: Centre, **_: object) -> None:
    # In the centre's language, not that of whoever creates it.
    with speaking(centre.language):
        seed_default_templates(centre.id)


def register() -> None:
    auditing.register()
    attention.register()
    panels.register()
    register_section(Section("plan", _l("Plan"), "plans.participant_plan", 25))
    register_portal_section(Section("plan", _l("My plan"), "plans.my_plan", 15))
    connect(centre_created, _seed_templates)
    # The calendar feed authenticates itself by its token: no cookie is read there.
    own_authentication("/calendar/")
    from heartbeat.plans.views.feeds import account_panel

    core_panels.register_panel(
        core_panels.ACCOUNT, "plans/_account_feed.html", account_panel, order=50
    )
