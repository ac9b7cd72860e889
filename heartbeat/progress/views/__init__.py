"""Progress pages: the ladder editor, award verification and the dashboard, on one blueprint.

Importing the route modules here registers their routes.
"""

from heartbeat.progress.blueprint import bp
from heartbeat.progress.views import awards, dashboard, ladder, participant

__all__ = ["awards", "bp", "dashboard", "ladder", "participant"]
