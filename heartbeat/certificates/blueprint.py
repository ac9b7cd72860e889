"""The certificates blueprint, shared by the modules that add its pages."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint

from heartbeat.auth.viewer import local_day
from heartbeat.certificates.pdfengine import ensure_engine
from heartbeat.core.i18n import date_text

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.record_once
def _check_pdf_engine(state) -> None:
    # At app start, not mid-batch: a WeasyPrint or pydyf without the internals the renderer
    # relies on stops the app with a message naming the supported versions.
    ensure_engine()


@bp.app_template_filter("certificate_day")
def certificate_day(value) -> str:
    """A date, or a UTC moment as the date it was at the signed-in user's centre."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_day(value)
    return f"{value.day} {date_text(value, '%b %Y')}"
