"""The progress blueprint, shared by the modules that add its pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("progress", __name__, template_folder="templates")
