"""Editing a centre's ladder through the service layer: add, reword, reorder, retire, restore."""

from __future__ import annotations

import pytest

from heartbeat.auth.models import User
from heartbeat.core.edits import StaleEdit
from heartbeat.extensions import db
from heartbeat.progress import services, stages
from heartbeat.progress.models import LadderStage


def _admin(world) -> User:
    return db.session.get(User, world.a.admin.id)


def _codes(centre_id: int) -> list[str]:
    return [stage.code for stage in services.ladder(centre_id)]


def test_adding_a_stage_after_another_shifts_the_rest_down_without_bumping_their_versions(
    app, progress
):
    world = progress.world
    with app.app_context():
        before = {s.code: s.version for s in services.ladder(world.a.centre.id)}
        stage = stages.add_stage(
            world.a.centre.id,
            actor=_admin(world),
            title="Two laps",
            description="completed a continuous 800 m push",
            kind="distance",
            threshold_m=800.0,
            after_stage_id=progress.stages_a["one-lap"],
        )
        db.session.commit()
        codes = _codes(world.a.centre.id)
        positions = [s.position for s in services.ladder(world.a.centre.id)]
        after = {s.code: s.version for s in services.ladder(world.a.centre.id)}
    assert codes.index("two-laps") == codes.index("one-lap") + 1
    assert positions == list(range(1, 11))
    assert stage.code == "two-laps"
    assert {code: after[code] for code in before} == before
    assert progress.audit("ladder.add")[0].changes["title"]["after"] == "Two laps"


def test_adding_at_the_top_and_at_the_end(app, progress):
    world = progress.world
    with app.app_context():
        stages.add_stage(
            world.a.centre.id,
            actor=_admin(world),
            title="Induction",
            description="came to an induction session",
            kind="signoff",
            at_top=True,
        )
        stages.add_stage(
            world.a.centre.id,
            actor=_admin(world),
            title="Ultra",
            description="finished a 50 km race",
            kind="race",
            threshold_m=50000.0,
            max_duration_s=4 * 3600,
        )
        db.session.commit()
        codes = _codes(world.a.centre.id)
        ultra = db.session.scalars(db.select(LadderStage).where(LadderStage.code == "ultra")).one()
    assert codes[0] == "induction"
    assert codes[-1] == "ultra"
    assert ultra.max_duration_s == 4 * 3600


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "5K"}, "title"),  # already on the ladder
        ({"description": ""}, "description"),
        ({"kind": "distance", "threshold_m": None}, "distance"),
        ({"kind": "distance", "threshold_m": 500_000.0}, "distance"),
        ({"kind": "signoff", "threshold_m": 100.0}, "distance"),
        ({"kind": "distance", "threshold_m": 100.0, "max_duration_s": 0}, "time_limit"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_a_stage_that_makes_no_sense_is_refused_with_a_field_error(app, progress, values, field):
    world = progress.world
    data = {
        "title": "New stage",
        "description": "did something",
        "kind": "distance",
        "threshold_m": 1000.0,
        **values,
    }
    with app.app_context():
        with pytest.raises(stages.StageError) as raised:
            stages.add_stage(world.a.centre.id, actor=_admin(world), **data)
        db.session.rollback()
        assert len(services.ladder(world.a.centre.id)) == 9
    assert field in raised.value.field_errors


def test_a_title_that_slugs_to_a_taken_code_gets_a_unique_code(app, progress):
    world = progress.world
    with app.app_context():
        stage = stages.add_stage(
            world.a.centre.id,
            actor=_admin(world),
            title="5k!",  # "5K" differs by the "!" but slugs to "5k"
            description="did a 5 km push again",
            kind="distance",
            threshold_m=5000.0,
        )
    assert stage.code == "5k-2"


def test_rewording_changes_words_only_and_is_audited(app, progress):
    with app.app_context():
        stage = db.session.get(LadderStage, progress.stages_a["5k"])
        changes = stages.update_stage(
            stage,
            actor=_admin(progress.world),
            title="Five K",
            description="completed a continuous five-kilometre push",
            expected_version=stage.version,
        )
        db.session.commit()
    assert set(changes) == {"title", "description"}
    stage = progress.stage(progress.stages_a["5k"])
    assert stage.title == "Five K"
    assert stage.threshold_m == 5000.0
    assert stage.version == 2
    assert progress.audit("ladder.edit")[0].changes["title"] == {"before": "5K", "after": "Five K"}


def test_a_stale_reword_is_refused_with_what_changed(app, progress):
    with app.app_context():
        stage = db.session.get(LadderStage, progress.stages_a["5k"])
        stages.update_stage(
            stage,
            actor=_admin(progress.world),
            title="Five K",
            description=stage.description,
            expected_version=1,
        )
        db.session.commit()
        with pytest.raises(StaleEdit) as raised:
            stages.update_stage(
                stage,
                actor=_admin(progress.world),
                title="5 kilometres",
                description=stage.description,
                expected_version=1,
            )
    assert raised.value.current_version == 2
    assert progress.stage(progress.stages_a["5k"]).title == "Five K"


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(app, progress):
    with app.app_context():
        admin = _admin(progress.world)
        ten = db.session.get(LadderStage, progress.stages_a["10k"])
        assert stages.move_stage(ten, "up", actor=admin, expected_version=1)
        db.session.commit()
        codes = _codes(progress.world.a.centre.id)
        first = db.session.get(LadderStage, progress.stages_a["chair-fitted"])
        assert not stages.move_stage(first, "up", actor=admin, expected_version=first.version)
    assert codes[4:7] == ["one-mile", "10k", "5k"]
    assert progress.stage(progress.stages_a["10k"]).version == 2
    assert progress.stage(progress.stages_a["5k"]).version == 1


def test_a_stale_move_changes_nothing(app, progress):
    with app.app_context():
        admin = _admin(progress.world)
        ten = db.session.get(LadderStage, progress.stages_a["10k"])
        stages.move_stage(ten, "up", actor=admin, expected_version=1)
        db.session.commit()
        with pytest.raises(StaleEdit):
            stages.move_stage(ten, "down", actor=admin, expected_version=1)
        db.session.rollback()
        assert _codes(progress.world.a.centre.id)[5] == "10k"


def test_retiring_keeps_awards_and_takes_the_stage_off_the_current_stage(app, progress):
    progress.session(distance_m=450)
    progress.evaluate()
    with app.app_context():
        lap = db.session.get(LadderStage, progress.stages_a["one-lap"])
        stages.retire_stage(lap, actor=_admin(progress.world), expected_version=1)
        db.session.commit()
    result = progress.evaluate()
    assert not result.withdrawn
    assert "one-lap" in progress.awards()
    assert progress.awards()["one-lap"].stage_id == progress.stages_a["one-lap"]
    with app.app_context():
        lap = db.session.get(LadderStage, progress.stages_a["one-lap"])
        with pytest.raises(stages.StageError):
            stages.retire_stage(lap, actor=_admin(progress.world), expected_version=lap.version)
        stages.restore_stage(lap, actor=_admin(progress.world), expected_version=lap.version)
        db.session.commit()
    assert not progress.stage(progress.stages_a["one-lap"]).retired
    assert [e.action for e in progress.audit("ladder.retire")] == ["ladder.retire"]
    assert len(progress.audit("ladder.restore")) == 1


def test_a_retired_stage_reaches_nobody_new(app, progress):
    with app.app_context():
        lap = db.session.get(LadderStage, progress.stages_a["one-lap"])
        stages.retire_stage(lap, actor=_admin(progress.world), expected_version=1)
        db.session.commit()
    progress.session(distance_m=450)
    progress.evaluate()
    assert set(progress.awards()) == {"first-push"}
