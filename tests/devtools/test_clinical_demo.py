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


def test_the_demo_has_wuspi_over_months_with_one_real_rise_and_skills_in_progress(app):
    from heartbeat.measures.models import Measure, MeasureResponse
    from heartbeat.measures.scoring import real_change

    with app.app_context():
        seed_demo()
        db.session.commit()
        seed_demo()
        db.session.commit()
        rows = db.session.execute(
            sa.select(Measure.code, MeasureResponse.total, MeasureResponse.completed_at)
            .join(Measure, Measure.id == MeasureResponse.measure_id)
            .order_by(MeasureResponse.started_at)
        ).all()
        wuspi = [row.total for row in rows if row.code == "wuspi"]
        assert len(wuspi) == 5
        rises = [real_change(a, b, 5.1) for a, b in zip(wuspi, wuspi[1:], strict=False)]
        assert rises.count(1) == 1 and rises[-1] == 1
        # One checklist in progress (Eilidh's), one finished for the ladder's skills (Hiro's).
        skills = [row for row in rows if row.code == "wheelchair-skills"]
        assert sorted(row.completed_at is None for row in skills) == [False, True]


def test_the_demo_shows_the_classification_pathway_and_skills_on_the_ladder(app):
    from datetime import date, timedelta

    from heartbeat.participants.classification import MDF_ITEMS, ClassificationStatus
    from heartbeat.progress.models import LadderStage
    from heartbeat.progress.skills import checks_for

    with app.app_context():
        seed_demo()
        db.session.commit()
        seed_demo()
        db.session.commit()
        people = {
            person.family_name: person
            for person in db.session.scalars(
                sa.select(Participant).where(
                    Participant.family_name.in_(["Virtanen", "Mensah", "Moreau", "Sharma"])
                )
            )
        }
        sami = people["Virtanen"]
        assert sami.classification_status == ClassificationStatus.FIXED_REVIEW
        assert sami.classification_review_on > date.today()
        assert sami.classification_review_on <= date.today() + timedelta(days=30)
        assert sami.classification_checklist == list(MDF_ITEMS)
        assert people["Mensah"].classification_review_on < date.today()
        assert people["Moreau"].classification_status == ClassificationStatus.NOT_COMPLETED
        assert people["Sharma"].classification_status == ClassificationStatus.NOT_ELIGIBLE

        hiro = db.session.scalars(
            sa.select(Participant).where(Participant.family_name == "Tanaka")
        ).one()
        steer = db.session.scalars(
            sa.select(LadderStage).where(
                LadderStage.centre_id == hiro.centre_id, LadderStage.code == "steer-and-stop"
            )
        ).one()
        assert hiro.current_stage_id == steer.id
        checks = checks_for(hiro, steer)
        assert [(check.result, check.met) for check in checks] == [
            ("Pass", True),
            ("Pass", True),
            ("Partial", False),
        ]
