"""The progress blueprint, shared by the modules that add its pages."""

from __future__ import annotations

from flask import Blueprint

from heartbeat.progress.sentences import milestone_sentence

bp = Blueprint("progress", __name__, template_folder="templates")

# "Ada Lovelace completed a continuous 5 km push.": the one sentence certificates, the verify
# page, the celebration banner and the ladder editor show (app-wide, for those templates).
bp.add_app_template_global(milestone_sentence, "milestone_sentence")
