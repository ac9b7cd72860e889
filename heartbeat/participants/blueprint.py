"""The participants blueprint, which every participant page module adds its routes to."""

from flask import Blueprint

from heartbeat.participants.sections import portal_sections, sections

# Named after the package, so the templates folder is heartbeat/participants/templates.
bp = Blueprint("participants", "heartbeat.participants", template_folder="templates")


@bp.app_template_global("record_sections")
def record_sections():
    """The sections of a participant's record, for the sub-navigation every section shows."""
    return sections()


@bp.app_template_global("portal_sections")
def portal_section_list():
    """The participant's own pages, for the sub-navigation each of them shows."""
    return portal_sections()
