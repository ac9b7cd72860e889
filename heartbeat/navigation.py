"""The main navigation for each kind of user."""

from __future__ import annotations

from typing import NamedTuple

from heartbeat.auth.models import Role


class NavItem(NamedTuple):
    endpoint: str
    label: str


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    if user.role in (Role.THERAPIST, Role.ADMIN) and user.centre_id is not None:
        items.append(NavItem("core.home", "Home"))
    if user.role == Role.ADMIN and user.centre_id is not None:
        items.append(NavItem("centres.staff", "Staff"))
        items.append(NavItem("centres.settings", "Centre settings"))
    if user.role == Role.PARTICIPANT:
        items.append(NavItem("core.home", "My progress"))
    if user.is_operator:
        items.append(NavItem("centres.operator_centres", "All centres"))
    items.append(NavItem("auth.account", "My account"))
    return items
