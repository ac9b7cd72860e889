"""Training pages: the session log (``sessions``) and device-file and CSV uploads (``uploads``).

Importing the route modules here registers their routes on the training blueprint.
"""

from heartbeat.training.blueprint import bp
from heartbeat.training.views import sessions, uploads

__all__ = ["bp", "sessions", "uploads"]
