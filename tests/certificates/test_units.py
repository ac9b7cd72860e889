"""A certificate's criteria are written in the units the participant's own pages show: their
login's choice, else the centre's (the other unit follows in brackets)."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db


def _narrative(certs, certificate_id: int) -> str:
    credential = certs.certificate(certificate_id).credential
    return credential["credentialSubject"]["achievement"]["criteria"]["narrative"]


def _set(app, model, row_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
        db.session.commit()


def test_a_participant_who_reads_miles_gets_criteria_in_miles(app, world, certs):
    _set(app, User, world.a.participant.id, units="mi")
    achiever = certs.achiever(world.a, login=world.a.participant)
    narrative = _narrative(certs, certs.issue(world.a, achiever))
    assert "at least 6.2 mi (10.0 km)" in narrative


def test_without_a_choice_the_criteria_follow_the_centre(app, world, certs):
    _set(app, Centre, world.a.centre.id, units="mi")
    achiever = certs.achiever(world.a, login=world.a.participant)
    assert "at least 6.2 mi (10.0 km)" in _narrative(certs, certs.issue(world.a, achiever))


def test_a_participant_without_a_login_gets_the_centres_units(app, world, certs):
    _set(app, User, world.a.therapist.id, units="mi")  # the issuer's choice is not theirs
    achiever = certs.achiever(world.a)
    assert "at least 10.0 km (6.2 mi)" in _narrative(certs, certs.issue(world.a, achiever))
