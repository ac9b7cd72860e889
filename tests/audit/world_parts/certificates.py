"""The certificates part of the audit world: a certificate that expires renewed after a new
sign-off, and the centre's signing key rotated from the command line."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.certificates import renewal
from heartbeat.certificates import services as certificates
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress import services as progress
from heartbeat.progress import stages
from heartbeat.progress.models import Award, CriterionKind, LadderStage
from tests.certificates.conftest import NOW


def build_certificates(world, pid: int, runner) -> None:
    centre = db.session.get(Centre, world.a.centre.id)
    admin = db.session.get(User, world.a.admin.id)
    therapist = db.session.get(User, world.a.therapist.id)
    ada = db.session.get(Participant, pid)
    # A skill whose certificates stay valid for a year (the first skill is signed off already).
    skill = db.session.scalars(
        sa.select(LadderStage)
        .where(LadderStage.centre_id == centre.id, LadderStage.kind == CriterionKind.SIGNOFF)
        .order_by(LadderStage.position)
        .offset(1)
    ).first()
    assert skill is not None
    stages.update_stage(
        skill,
        actor=admin,
        title=skill.title,
        description=skill.description,
        expected_version=skill.version,
        valid_for_months=12,
    )
    signed = progress.sign_off(ada, skill, actor=therapist)
    db.session.commit()
    award = db.session.scalars(
        sa.select(Award).options(sa.orm.joinedload(Award.stage)).where(Award.id == signed.id)
    ).one()
    certificate = certificates.issue(
        award, participant=ada, centre=centre, actor=therapist, now=NOW
    )
    db.session.commit()
    renewed = renewal.renew(certificate, actor=therapist, now=NOW + timedelta(days=330))
    assert renewed.valid_until is not None
    db.session.commit()
    result = runner.invoke(args=["rotate-signing-key", "--centre", centre.slug])
    assert result.exit_code == 0, result.output
