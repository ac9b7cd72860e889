"""What plans adds to the packages below it: the audit trail's words for its records, the
default templates for every new centre, its participant sections and panels, its
needs-attention lists."""

from __future__ import annotations

from heartbeat.centres.models import Centre
from heartbeat.centres.services import centre_created
from heartbeat.core.events import connect
from heartbeat.plans import auditing
from heartbeat.plans.services.templates import seed_default_templates


def _seed_templates(centre: Centre, **_: object) -> None:
    seed_default_templates(centre.id)


def register() -> None:
    auditing.register()
    connect(centre_created, _seed_templates)
