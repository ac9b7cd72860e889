"""The plans routes: the template library, a person's plan and week view, squads, feeds."""

from heartbeat.plans.blueprint import bp
from heartbeat.plans.views import library, plan, portal, squads

__all__ = ["bp", "library", "plan", "portal", "squads"]
