"""Progress pages: the ladder editor, award verification, the dashboard, and the panels the
participant page and the portal show.

The routes live in ``ladder_views``, ``award_views`` and ``dashboard_views`` on one blueprint;
importing them here registers them.
"""

from __future__ import annotations

from heartbeat.progress import award_views, dashboard_views, ladder_views
from heartbeat.progress import panels as progress_panels
from heartbeat.progress.blueprint import bp

__all__ = ["bp", "register_panels", "award_views", "dashboard_views", "ladder_views"]


def register_panels() -> None:
    progress_panels.register()
