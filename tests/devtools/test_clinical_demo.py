"""The demo centre's clinical picture: a T4 participant with a red flag waiting, and one
followed up; seeding again adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.devtools.demo import seed_demo
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety.models import RedFlag


def test_the_demo_has_a_t4_participant_with_a_red_flag_waiting(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        seed_demo()
        db.session.commit()
        flags = db.session.scalars(sa.select(RedFlag).order_by(RedFlag.id)).all()
        assert len(flags) == 2
        waiting = [flag for flag in flags if flag.open]
        [flag] = waiting
        person = db.session.get(Participant, flag.participant_id)
        assert person.sci_level == "T4" and person.hr_unreliable
        assert flag.session_id is not None and "headache" in flag.symptoms
        [done] = [flag for flag in flags if not flag.open]
        assert done.follow_up and done.acknowledged_at > done.raised_at
