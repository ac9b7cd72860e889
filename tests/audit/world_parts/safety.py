"""The safety part of the audit world: a red flag raised and acknowledged, the guidance reworded."""

from __future__ import annotations

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety import services as safety


def build_safety(world, pid: int) -> None:
    admin = db.session.get(User, world.a.admin.id)
    therapist = db.session.get(User, world.a.therapist.id)
    ada = db.session.get(Participant, pid)
    flag = safety.raise_flag(ada, ["headache", "flushing"], actor=therapist)
    assert flag is not None
    safety.acknowledge(
        flag,
        actor=therapist,
        follow_up="Sat her up, loosened the strap; blood pressure back to normal.",
        expected_version=flag.version,
    )
    changes = safety.set_guidance(
        world.a.centre.id,
        "Sit the person up, loosen anything tight and call the team lead.",
        actor=admin,
        expected_version=None,
    )
    assert changes
    db.session.commit()
