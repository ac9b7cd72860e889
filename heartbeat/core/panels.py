"""Sections that other features contribute to a page they do not own.

The participant profile and the portal belong to ``participants``, but their ladder, sessions and
certificates belong to ``progress``, ``training`` and ``certificates``. Each feature registers a
panel (a template and a function that builds its context) for a named slot; the page renders every
panel of its slot in order. A panel's builder runs a fixed number of queries, whatever the data
size, so the page's query count stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROFILE = "participant.profile"  # staff view of one participant; kwargs: participant, viewer
PORTAL = "participant.portal"  # the participant's own page; kwargs: participant, viewer
ACCOUNT = "user.account"  # the signed-in person's account page; kwargs: viewer
# Above everything else on those pages (safety: open red flags); same kwargs.
PROFILE_ALERTS = "participant.profile.alerts"
PORTAL_ALERTS = "participant.portal.alerts"


@dataclass(frozen=True)
class Panel:
    slot: str
    order: int  # lower first
    template: str
    build: Callable[..., dict[str, Any] | None]  # None: nothing to show


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


_PANELS: dict[str, list[Panel]] = {}


def register_panel(
    slot: str, template: str, build: Callable[..., dict[str, Any] | None], *, order: int = 50
) -> None:
    panels = _PANELS.setdefault(slot, [])
    if any(panel.template == template for panel in panels):
        return  # create_app runs more than once in tests
    panels.append(Panel(slot, order, template, build))
    panels.sort(key=lambda panel: panel.order)


def panels_for(slot: str, **kwargs: Any) -> list[RenderedPanel]:
    rendered = []
    for panel in _PANELS.get(slot, []):
        context = panel.build(**kwargs)
        if context is not None:
            rendered.append(RenderedPanel(panel.template, context))
    return rendered
