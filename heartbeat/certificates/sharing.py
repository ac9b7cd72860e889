"""What a participant needs to share a certificate: LinkedIn's "add to profile" link.

LinkedIn documents the Add to Profile link for certifications as
``https://www.linkedin.com/profile/add`` with ``startTask=CERTIFICATION_NAME`` and the
certification's ``name``, the issuing ``organizationName``, ``issueYear``/``issueMonth``,
``certUrl`` (where it can be checked) and ``certId`` (its credential id); the person confirms it
on LinkedIn, signed in there. Nothing is sent to LinkedIn until they follow the link.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(
    *,
    name: str,
    organisation: str,
    issued_on: date,
    verify_url: str,
    serial: str,
    expires_on: date | None = None,
) -> str:
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": issued_on.year,
        "issueMonth": issued_on.month,
    }
    if expires_on is not None:
        params["expirationYear"] = expires_on.year
        params["expirationMonth"] = expires_on.month
    params["certUrl"] = verify_url
    params["certId"] = serial
    return f"{LINKEDIN_ADD}?{urlencode(params)}"
