"""The accounts part of the audit world: an admin makes a password reset link and the person uses
it; a participant downloads their own data."""

from __future__ import annotations

from datetime import timedelta

from heartbeat.auth import resets
from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants import own_export
from heartbeat.participants.models import Participant
from tests.training.conftest import START

NEW_PASSWORD = "a fresh passphrase for the track 19"


def build_accounts(world, pid: int) -> None:
    admin = db.session.get(User, world.a.admin.id)
    therapist = db.session.get(User, world.a.therapist.id)
    made = START + timedelta(hours=4)
    issued = resets.issue(therapist, made, actor=admin)
    resets.use(issued.reset, NEW_PASSWORD, made + timedelta(minutes=10))
    ada = db.session.get(Participant, pid)
    login = db.session.get(User, ada.user_id)
    _, counts = own_export.build(ada, actor=login, now=made + timedelta(hours=1))
    assert counts
    db.session.commit()
