"""Certificate pages: the register, issuing, downloads, revocation, batch printing, branding,
and the public verify pages.

The routes live in ``staff_views``, ``branding_views`` and ``verify_views`` on one blueprint;
importing them here registers them. ``register_panels`` adds the certificate sections to the
participant profile and the portal (``create_app`` calls it).
"""

from __future__ import annotations

from heartbeat.certificates import branding_views, panels, staff_views, verify_views
from heartbeat.certificates.blueprint import bp

__all__ = ["bp", "branding_views", "register_panels", "staff_views", "verify_views"]


def register_panels() -> None:
    panels.register()
