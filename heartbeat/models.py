"""Every model, imported in one place so that mappers and Alembic see the whole schema."""

from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre

__all__ = ["Centre", "Invite", "Role", "User"]
