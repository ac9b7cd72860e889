"""Importing the route modules registers their routes on the measures blueprint."""

from heartbeat.measures import admin_views, views
from heartbeat.measures.blueprint import bp

__all__ = ["admin_views", "bp", "views"]
