"""The plans routes: the template library, a person's plan and week view, squads, feeds."""

from heartbeat.plans.blueprint import bp
from heartbeat.plans.views import feeds, library, plan, portal, squad_plans, squads

__all__ = ["bp", "feeds", "library", "plan", "portal", "squad_plans", "squads"]
