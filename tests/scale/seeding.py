"""A centre with an admin and ``n`` standing certificates, written straight into a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa


@dataclass(frozen=True)
class Seeded:
    centre_slug: str
    admin_email: str
    password: str
    certificates: int


def seed_centre(app, *, slug: str, certificates: int, password: str) -> Seeded:
    """One certificate issued for real (signed, rendered), then copied to ``certificates``."""
    from heartbeat.auth.models import Role
    from heartbeat.auth.services import create_user
    from heartbeat.centres.services import create_centre
    from heartbeat.certificates import serials, services, statuslist
    from heartbeat.certificates.models import Certificate
    from heartbeat.db import utcnow
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.progress import services as progress
    from heartbeat.progress.models import Award
    from heartbeat.training.models import SessionKind, TrainingSession

    with app.app_context():
        now = utcnow()
        centre = create_centre(name="Scale Test Centre", slug=slug)
        admin = create_user(
            email=f"admin@{slug}.example",
            name="Scale Admin",
            role=Role.ADMIN,
            centre=centre,
            password=password,
        )
        participant = Participant(
            centre_id=centre.id,
            given_name="Ana",
            family_name="Souza",
            date_of_birth=date(1990, 5, 1),
            impairment="sci",
            racing_class="T53",
            classification_status="C",
            enrolled_on=(now - timedelta(days=200)).date(),
        )
        db.session.add(participant)
        db.session.flush()
        db.session.add(
            TrainingSession(
                centre_id=centre.id,
                participant_id=participant.id,
                started_at=now - timedelta(days=3),
                kind=SessionKind.ROAD,
                distance_m=5_200,
                moving_time_s=1_800,
            )
        )
        db.session.flush()
        progress.evaluate_awards(participant, now=now)
        awards = db.session.scalars(
            sa.select(Award)
            .options(sa.orm.joinedload(Award.stage))
            .where(Award.participant_id == participant.id)
        ).all()
        progress.verify_awards(awards, actor=admin, now=now)
        five_k = next(a for a in awards if a.stage is not None and a.stage.code == "5k")
        issued = services.issue(
            five_k,
            participant=participant,
            centre=centre,
            actor=admin,
            now=now,
            base_url="https://miles.example.org",
        )
        db.session.flush()
        columns = {
            column.key: getattr(issued, column.key)
            for column in sa.inspect(Certificate).column_attrs
            if column.key not in ("id", "serial", "standing_award_id", "award_id", "version")
        }
        copies = []
        for index in range(certificates - 1):
            serial = serials.new_serial(now.year)
            copies.append(
                {
                    **columns,
                    "serial": serial,
                    "participant_name": f"Participant {index + 2}",
                    "verify_url": f"https://miles.example.org/verify/{serial}",
                    "issued_at": now - timedelta(seconds=index + 1),
                    # Each certificate has its own bit on the centre's status list.
                    "status_index": (issued.status_index + 1 + index) % statuslist.LIST_BITS
                    if issued.status_index is not None
                    else None,
                }
            )
        if copies:
            db.session.execute(sa.insert(Certificate), copies)
        db.session.commit()
        return Seeded(slug, admin.email, password, certificates)
