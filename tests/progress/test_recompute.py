"""Re-evaluating a whole centre: the service and the ``recompute-awards`` command."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.progress import services, stages
from heartbeat.progress.models import LadderStage
from tests.participants.conftest import Helpers


def test_recompute_centre_reports_changes_per_kind_and_per_participant(app, progress):
    other = Helpers(app).enrol(progress.world.a, given_name="Cy", family_name="Cole")
    progress.session(distance_m=450)
    progress.session(other, distance_m=150)
    progress.session(progress.pid_b, distance_m=5000)
    with app.app_context():
        summary = services.recompute_centre(progress.world.a.centre.id)
        db.session.commit()
    assert summary.participants == 2
    assert summary.counts == {"added": 3, "updated": 0, "withdrawn": 0, "flagged for review": 0}
    lines = {c.name: summary.describe(c.result) for c in summary.changed}
    assert lines == {"Ada Lovelace": "added First push, One lap", "Cy Cole": "added First push"}
    assert progress.awards(progress.pid_b) == {}  # another centre is left alone


def test_recompute_centre_is_idempotent_and_follows_a_ladder_change(app, progress):
    lap = progress.session(distance_m=450)
    with app.app_context():
        services.recompute_centre(progress.world.a.centre.id)
        db.session.commit()
        assert not services.recompute_centre(progress.world.a.centre.id).changed
        admin = db.session.get(User, progress.world.a.admin.id)
        stages.add_stage(
            progress.world.a.centre.id,
            actor=admin,
            title="Quarter lap",
            description="pushed 200 m",
            kind="distance",
            threshold_m=200.0,
        )
        db.session.commit()
        summary = services.recompute_centre(progress.world.a.centre.id, actor=admin)
        db.session.commit()
    assert [summary.title(key) for key in summary.totals.added] == ["Quarter lap"]
    assert progress.awards()["quarter-lap"].evidence_session_id == lap


def test_recompute_reports_progress_for_a_job(app, progress):
    Helpers(app).enrol(progress.world.a, given_name="Cy")
    seen = []
    with app.app_context():
        services.recompute_centre(
            progress.world.a.centre.id, progress=lambda done, total: seen.append((done, total))
        )
    assert seen == [(1, 2), (2, 2)]


def test_the_command_prints_counts_and_one_line_per_changed_participant(app, runner, progress):
    progress.session(distance_m=1700)
    result = runner.invoke(args=["recompute-awards", "--centre", "alpha"])
    assert result.exit_code == 0, result.output
    assert "Re-evaluated 1 participant at Centre ALPHA (alpha)." in result.output
    assert "Awards: added 3, updated 0, withdrawn 0, flagged for review 0." in result.output
    assert "Ada Lovelace (#" in result.output
    assert "added First push, One lap, One mile" in result.output
    again = runner.invoke(args=["recompute-awards", "--centre", "alpha"])
    assert "No awards changed." in again.output


def test_the_command_flags_verified_awards_after_a_retirement_and_deletion(app, runner, progress):
    lap = progress.session(distance_m=450)
    progress.evaluate()
    progress.verify_all()
    progress.delete_session(lap)
    result = runner.invoke(args=["recompute-awards", "--centre", "alpha"])
    assert "flagged for review 2" in result.output
    assert "flagged for review First push, One lap" in result.output


def test_an_unknown_centre_is_a_clear_error(app, runner, progress):
    result = runner.invoke(args=["recompute-awards", "--centre", "nowhere"])
    assert result.exit_code == 1
    assert "no centre has the slug 'nowhere'" in result.output
    with app.app_context():
        assert len(db.session.scalars(sa.select(LadderStage)).all()) == 18
