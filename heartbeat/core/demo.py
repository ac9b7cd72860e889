"""The demo centre: realistic enough to click through, and idempotent to build."""

from __future__ import annotations

from heartbeat.auth import services as account_services
from heartbeat.auth.models import Role
from heartbeat.centres import services as centre_services

DEMO_SLUG = "demo"
DEMO_PASSWORD = "push-the-rims-2026"  # noqa: S105 - published on purpose, demo data only

DEMO_ACCOUNTS = [
    ("operator@heartbeat.example", "Olu Operator", Role.ADMIN, True),
    ("admin@riverside.example", "Alex Admin", Role.ADMIN, False),
    ("therapist@riverside.example", "Theo Therapist", Role.THERAPIST, False),
    ("coach@riverside.example", "Cara Coach", Role.THERAPIST, False),
    ("participant@riverside.example", "Pat Participant", Role.PARTICIPANT, False),
]


def seed_demo() -> list[tuple[str, str]]:
    centre = centre_services.find_centre_by_slug(DEMO_SLUG)
    if centre is None:
        centre = centre_services.create_centre(
            name="Riverside Rehab",
            slug=DEMO_SLUG,
            timezone="Europe/London",
            country="GB",
            units="km",
            paper_size="A4",
        )
    logins = []
    for email, name, role, is_operator in DEMO_ACCOUNTS:
        if account_services.find_user_by_email(email) is None:
            account_services.create_user(
                email=email,
                name=name,
                role=role,
                centre=None if is_operator else centre,
                password=DEMO_PASSWORD,
                is_operator=is_operator,
            )
        logins.append(("operator" if is_operator else role.value, email))
    return logins
