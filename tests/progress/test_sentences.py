"""Certificate sentences: every description reads after a name, the editor shows the sentence.

Issue 14 item 6: "has steers with the compensator…" and "has had a racing chair fitted and
transfers in and out…" were printed on certificates.
"""

from __future__ import annotations

import pytest

from heartbeat.extensions import db
from heartbeat.progress import stages
from heartbeat.progress.ladder import DEFAULT_CLUBS, DEFAULT_LADDER
from heartbeat.progress.models import LadderStage
from heartbeat.progress.sentences import (
    clean_description,
    description_problem,
    milestone_sentence,
)
from tests.helpers import signed_in


@pytest.mark.parametrize("spec", [*DEFAULT_LADDER, *DEFAULT_CLUBS], ids=lambda spec: spec.code)
def test_every_default_description_reads_as_a_sentence_after_a_name(spec):
    assert description_problem(spec.description) is None, spec.description
    sentence = milestone_sentence("Ada Lovelace", spec.description)
    assert sentence.startswith("Ada Lovelace ") and sentence.endswith(".")
    assert " has " not in sentence and not sentence.endswith("..")


def test_the_two_broken_default_sentences_now_read_well():
    by_code = {spec.code: spec.description for spec in DEFAULT_LADDER}
    assert milestone_sentence("Ada Lovelace", by_code["steer-and-stop"]) == (
        "Ada Lovelace steered with the compensator, cornered and braked safely on the track."
    )
    assert milestone_sentence("Ada Lovelace", by_code["chair-fitted"]) == (
        "Ada Lovelace had a racing chair fitted and transferred in and out of it safely."
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("steers with the compensator", "past tense"),
        ("has completed a continuous 5 km push", "Leave out “has”"),
        ("is able to push 5 km", "past tense"),
        ("Completed a continuous 5 km push", "small letter"),
        ("can steer and brake", "past tense"),
        ("to complete 5 km", "past tense"),
        ("a continuous 5 km push", "past tense"),
        ("need a chair", "past tense"),
        ("", "Say what reaching it means"),
    ],
)
def test_descriptions_that_do_not_follow_a_name_are_refused_with_a_reason(text, says):
    problem = description_problem(text)
    assert problem is not None and says in problem


@pytest.mark.parametrize(
    "text",
    [
        "completed a continuous 5 km push",
        "pushed 100 m unassisted",
        "safely transferred in and out of the racing chair",
        "was fitted with a racing chair",
        "won a race in their class",
        "rode a 20 km hand-cycle loop",
        "completed a 5 km push.",
    ],
)
def test_past_tense_descriptions_are_accepted(text):
    assert description_problem(text) is None


def test_a_closing_full_stop_is_dropped_so_the_sentence_has_one():
    assert clean_description("  completed a 5 km  push. ") == "completed a 5 km push"
    assert milestone_sentence("Bo", "completed a 5 km push.") == "Bo completed a 5 km push."


def test_the_stage_service_refuses_a_description_written_for_has(app, progress):
    from heartbeat.auth.models import User

    with app.app_context():
        admin = db.session.get(User, progress.world.a.admin.id)
        with pytest.raises(stages.StageError) as raised:
            stages.add_stage(
                progress.world.a.centre.id,
                actor=admin,
                title="Two laps",
                description="has completed two laps",
                kind="distance",
                threshold_m=800.0,
            )
        assert "Leave out “has”" in raised.value.field_errors["description"]
        stage = stages.add_stage(
            progress.world.a.centre.id,
            actor=admin,
            title="Two laps",
            description="completed two laps without a stop.",
            kind="distance",
            threshold_m=800.0,
        )
        assert stage.description == "completed two laps without a stop"


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_the_reword_page_shows_the_certificate_sentence_as_it_will_print(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    page = _page(client.get(f"/ladder/{progress.stages_a['steer-and-stop']}/edit"))
    assert (
        "Ada Lovelace steered with the compensator, cornered and braked safely on the track."
        in page
    )
    assert "in the past tense" in page  # the field's hint says the rule


def test_show_the_sentence_previews_the_typed_words_without_saving(app, progress):
    stage_id = progress.stages_a["5k"]
    client = signed_in(app, progress.world.a.admin.email)
    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={
            "title": "5K",
            "description": "pushed five kilometres without stopping",
            "version": "1",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "Ada Lovelace pushed five kilometres without stopping." in _page(response)
    assert progress.stage(stage_id).description == "completed a continuous 5 km push"

    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={"title": "5K", "description": "pushes 5 km", "version": "1", "preview": "1"},
    )
    assert response.status_code == 200
    page = _page(response)
    assert "Ada Lovelace pushes 5 km." in page
    assert "in the past tense, such as" in page  # the problem is said before saving


def test_saving_a_description_that_does_not_follow_a_name_is_refused(app, progress):
    stage_id = progress.stages_a["5k"]
    client = signed_in(app, progress.world.a.admin.email)
    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={"title": "5K", "description": "has pushed 5 km", "version": "1"},
    )
    assert response.status_code == 422
    assert "Leave out “has”" in _page(response)
    assert progress.stage(stage_id).description == "completed a continuous 5 km push"


def test_the_new_stage_page_previews_the_sentence_too(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    response = client.post(
        "/ladder/new",
        data={
            "title": "Two laps",
            "description": "completed two laps",
            "kind": "distance",
            "distance": "0.8",
            "place": "end",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "Ada Lovelace completed two laps." in _page(response)
    with app.app_context():
        assert db.session.query(LadderStage).filter_by(title="Two laps").count() == 0


def test_the_ladder_points_out_a_stage_worded_before_the_rule(app, progress):
    stage_id = progress.stages_a["steer-and-stop"]
    with app.app_context():
        db.session.get(
            LadderStage, stage_id
        ).description = "steers with the compensator, corners and brakes safely on the track"
        db.session.commit()
    client = signed_in(app, progress.world.a.admin.email)
    page = _page(client.get("/ladder"))
    assert "Ada Lovelace steers with the compensator" in page
    assert "Reword it" in page
