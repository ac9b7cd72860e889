"""Certificate pages: the register, issuing, downloads, revocation, batch printing, branding,
and the public verify pages, on one blueprint.

Importing the route modules here registers their routes.
"""

from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.views import branding, checking, participant, renewal, staff, verify

__all__ = ["bp", "branding", "checking", "participant", "renewal", "staff", "verify"]
