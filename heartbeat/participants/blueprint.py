"""The participants blueprint, which every participant page module adds its routes to."""

from flask import Blueprint

# Named after the package, so the templates folder is heartbeat/participants/templates.
bp = Blueprint("participants", "heartbeat.participants", template_folder="templates")
