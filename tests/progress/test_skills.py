"""Skills tied to the ladder (issue 18 item 4): a sign-off stage requires skills checklist items;
its sign-off page shows each one's latest score and whether it is met (unmet ones warn, they do
not block), the ladder editor chooses them, and certificates name them in their criteria."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.certificates.issuing import criteria_text
from heartbeat.extensions import db
from heartbeat.measures import services as measures
from heartbeat.measures.instruments import SKILLS_CODE
from heartbeat.measures.models import Measure
from heartbeat.participants.models import Participant
from heartbeat.progress import services
from heartbeat.progress.ladder import DEFAULT_LADDER, StageSpec
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.rules.skills import Scored, check_skills, skills_sentence, unmet
from heartbeat.progress.skills import latest_scores, required_labels, skill_items
from tests.helpers import signed_in

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TURN = "Turn in place (both ways)"
TURN_MOVING = "Turn while moving forward"
BRAKE = "Stop and hold on a slope with the brakes"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- the rule ----------------------------------------------------------------------------------


def test_a_skill_is_met_only_when_its_latest_score_is_a_pass():
    required = [(1, TURN), (2, TURN_MOVING), (3, BRAKE), (4, "Go up a low kerb")]
    latest = {1: Scored(2, T0), 2: Scored(1, T0), 3: Scored(0, T0)}
    checks = check_skills(required, latest)
    assert [check.label for check in checks] == [label for _, label in required]
    assert [check.met for check in checks] == [True, False, False, False]
    assert [check.result for check in checks] == ["Pass", "Partial", "Fail", "Not scored yet"]
    assert [check.label for check in unmet(checks)] == [TURN_MOVING, BRAKE, "Go up a low kerb"]
    assert unmet(check_skills([(1, TURN)], {1: Scored(2, T0)})) == []


def test_the_criteria_sentence_names_the_skills_or_says_nothing():
    assert skills_sentence([]) == ""
    assert skills_sentence([TURN, BRAKE]) == (
        f"Skills required (wheelchair skills checklist): {TURN}; {BRAKE}."
    )


def test_the_default_ladder_asks_for_turning_and_braking_to_steer_and_stop():
    specs = {spec.code: spec for spec in DEFAULT_LADDER}
    assert specs["steer-and-stop"].skills == (TURN, TURN_MOVING, BRAKE)
    assert specs["chair-fitted"].skills == ("Transfer into and out of the racing chair",)
    assert all(not spec.skills for spec in DEFAULT_LADDER if spec.kind != "signoff")
    with pytest.raises(ValueError, match="only a sign-off stage"):
        StageSpec("x", "X", "did x", "distance", threshold_m=100.0, skills=(TURN,))
    with pytest.raises(ValueError, match="no such skill"):
        StageSpec("y", "Y", "did y", "signoff", skills=("Juggle",))


# --- with a database ---------------------------------------------------------------------------


def _score(app, participant_id: int, scores: dict[str, str], *, at: datetime, complete: bool):
    """A skills checklist for the participant: ``scores`` by label ("2", "1", "0", "none");
    every other item "none" when it is completed."""
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        measure = db.session.scalars(
            sa.select(Measure).where(
                Measure.centre_id == participant.centre_id, Measure.code == SKILLS_CODE
            )
        ).one()
        therapist = db.session.scalars(
            sa.select(User).where(
                User.centre_id == participant.centre_id, User.email.like("therapist@%")
            )
        ).one()
        items = skill_items(participant.centre_id)
        response = measures.start_response(participant, measure, actor=therapist, now=at)
        for item in items:
            raw = scores.get(item.label, "none" if complete else None)
            if raw is not None:
                measures.answer(response, item, raw, measure=measure, actor=therapist, now=at)
        if complete:
            measures.complete(
                response,
                measure=measure,
                items=items,
                actor=therapist,
                expected_version=response.version,
                now=at,
            )
        db.session.commit()


def test_seeding_the_default_ladder_links_its_skills(app, progress):
    with app.app_context():
        steer = db.session.get(LadderStage, progress.stages_a["steer-and-stop"])
        assert required_labels(steer) == [TURN, TURN_MOVING, BRAKE]
        five_k = db.session.get(LadderStage, progress.stages_a["5k"])
        assert required_labels(five_k) == []


def test_the_latest_score_wins_and_not_tested_never_hides_one(app, progress):
    _score(app, progress.pid, {TURN: "1", BRAKE: "2"}, at=T0, complete=True)
    # A later checklist: turning passed now; braking "not tested" that day; still in progress.
    _score(
        app, progress.pid, {TURN: "2", BRAKE: "none"}, at=T0 + timedelta(days=30), complete=False
    )
    with app.app_context():
        items = {item.label: item.id for item in skill_items(progress.world.a.centre.id)}
        latest = latest_scores(progress.pid, [items[TURN], items[BRAKE], items[TURN_MOVING]])
        assert latest[items[TURN]].value == 2
        assert latest[items[TURN]].at == T0 + timedelta(days=30)
        assert latest[items[BRAKE]] == Scored(2, T0)
        assert items[TURN_MOVING] not in latest


def test_the_sign_off_page_shows_each_skill_its_latest_score_and_a_warning(app, progress):
    _score(app, progress.pid, {TURN: "2", TURN_MOVING: "2", BRAKE: "1"}, at=T0, complete=True)
    client = signed_in(app, progress.world.a.therapist.email)
    url = f"/participants/{progress.pid}/stages/{progress.stages_a['steer-and-stop']}/sign-off"
    page = _text(client.get(url))
    assert "Skills this stage requires" in page
    for label in (TURN, TURN_MOVING, BRAKE):
        assert label in page
    assert page.count('"badge badge-ok">Met<') == 2
    assert page.count('"badge badge-warning">Not met<') == 1
    assert "Partial, 02 Mar 2026" in page
    assert "1 of 3 not recorded as passed" in page and "does not stop the sign-off" in page
    assert f"/participants/{progress.pid}/measures" in page

    # The warning does not block: the sign-off is made and the trail names the unmet skill.
    saved = client.post(url, data={"signed_on": "2026-03-03"})
    assert saved.status_code == 302
    assert progress.awards()["steer-and-stop"].verified
    [event] = progress.audit("award.sign_off")
    assert event.changes["skills_unmet"]["after"] == [BRAKE]
    flashed = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert f"1 required skill not recorded as passed ({BRAKE})" in flashed


def test_with_every_skill_passed_the_page_says_so_and_the_trail_has_nothing_unmet(app, progress):
    _score(app, progress.pid, {TURN: "2", TURN_MOVING: "2", BRAKE: "2"}, at=T0, complete=True)
    client = signed_in(app, progress.world.a.therapist.email)
    url = f"/participants/{progress.pid}/stages/{progress.stages_a['steer-and-stop']}/sign-off"
    page = _text(client.get(url))
    assert "All met" in page and "not recorded as passed" not in page
    assert client.post(url, data={"signed_on": "2026-03-03"}).status_code == 302
    [event] = progress.audit("award.sign_off")
    assert "skills_unmet" not in event.changes


def test_a_stage_without_skills_shows_no_skills_section(app, progress):
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM ladder_stage_skill"))
        db.session.commit()
    client = signed_in(app, progress.world.a.therapist.email)
    url = f"/participants/{progress.pid}/stages/{progress.stages_a['steer-and-stop']}/sign-off"
    assert "Skills this stage requires" not in _text(client.get(url))


def test_an_admin_chooses_a_sign_off_stages_skills(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    stage_id = progress.stages_a["steer-and-stop"]
    with app.app_context():
        items = {item.label: item.id for item in skill_items(progress.world.a.centre.id)}
    form = _text(client.get(f"/ladder/{stage_id}/edit"))
    assert "Skills required (optional)" in form
    checked = set(re.findall(r'<input checked[^>]*name="skills"[^>]*value="(\d+)"', form))
    assert checked == {str(items[TURN]), str(items[TURN_MOVING]), str(items[BRAKE])}
    stage = progress.stage(stage_id)
    response = client.post(
        f"/ladder/{stage_id}/edit",
        data={
            "title": stage.title,
            "description": stage.description,
            "version": str(stage.version),
            "skills": [str(items[TURN]), str(items["Go up a low kerb"])],
        },
    )
    assert response.status_code == 302, _text(response)
    with app.app_context():
        assert required_labels(db.session.get(LadderStage, stage_id)) == [
            TURN,
            "Go up a low kerb",
        ]
    assert progress.stage(stage_id).version == stage.version + 1  # a stale form is caught
    [event] = progress.audit("ladder.edit")
    assert event.changes["skills"] == {
        "before": [TURN, TURN_MOVING, BRAKE],
        "after": [TURN, "Go up a low kerb"],
    }
    ladder = _text(client.get("/ladder"))
    assert f"Skills required (wheelchair skills checklist): {TURN}; Go up a low kerb." in ladder
    trail = _text(client.get("/audit"))
    assert "Skills required" in trail and "Go up a low kerb" in trail


def test_skills_are_refused_for_a_distance_stage_and_unknown_items(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    five_k = progress.stages_a["5k"]
    assert "Skills required" not in _text(client.get(f"/ladder/{five_k}/edit"))
    new = client.post(
        "/ladder/new",
        data={
            "title": "Hill push",
            "description": "pushed up a hill",
            "kind": "distance",
            "distance": "2",
            "place": "end",
            "skills": ["999999"],
        },
    )
    assert new.status_code == 422
    assert "Only a sign-off stage can require skills" in _text(new)
    steer = progress.stage(progress.stages_a["steer-and-stop"])
    wrong = client.post(
        f"/ladder/{steer.id}/edit",
        data={
            "title": steer.title,
            "description": steer.description,
            "version": str(steer.version),
            "skills": ["999999"],
        },
    )
    assert wrong.status_code == 422
    assert "Choose skills from the list" in _text(wrong)


def test_a_new_sign_off_stage_with_skills(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    with app.app_context():
        items = {item.label: item.id for item in skill_items(progress.world.a.centre.id)}
    response = client.post(
        "/ladder/new",
        data={
            "title": "Kerbs",
            "description": "got up and down a low kerb safely",
            "kind": "signoff",
            "place": "end",
            "skills": [str(items["Go up a low kerb"]), str(items["Go down a low kerb"])],
        },
    )
    assert response.status_code == 302, _text(response)
    with app.app_context():
        stage = db.session.scalars(sa.select(LadderStage).where(LadderStage.code == "kerbs")).one()
        assert required_labels(stage) == ["Go up a low kerb", "Go down a low kerb"]
    [event] = progress.audit("ladder.add")
    assert event.changes["skills"]["after"] == ["Go up a low kerb", "Go down a low kerb"]


def test_the_certificate_criteria_name_the_required_skills(app, progress):
    with app.app_context():
        participant = db.session.get(Participant, progress.pid)
        therapist = db.session.get(User, progress.world.a.therapist.id)
        steer = db.session.get(LadderStage, progress.stages_a["steer-and-stop"])
        award = services.sign_off(participant, steer, actor=therapist)
        db.session.commit()
        award = db.session.scalars(
            sa.select(Award).options(sa.orm.joinedload(Award.stage)).where(Award.id == award.id)
        ).one()
        text = criteria_text(award, "km")
        assert text.startswith("Signed off by a therapist: ")
        assert text.endswith(
            f"Skills required (wheelchair skills checklist): {TURN}; {TURN_MOVING}; {BRAKE}."
        )
        five_k = db.session.get(LadderStage, progress.stages_a["5k"])
        distance = Award(stage=five_k, stage_id=five_k.id, key="x", participant_id=progress.pid)
        assert "Skills required" not in criteria_text(distance, "km")


def test_the_sign_off_pages_queries_do_not_grow_with_checklists(app, progress, query_counter):
    client = signed_in(app, progress.world.a.therapist.email)
    url = f"/participants/{progress.pid}/stages/{progress.stages_a['steer-and-stop']}/sign-off"
    _score(app, progress.pid, {TURN: "1"}, at=T0, complete=True)
    client.get(url)
    with query_counter() as few:
        client.get(url)
    for n in range(1, 5):
        scores = {TURN: "2", TURN_MOVING: "1", BRAKE: "0"}
        _score(app, progress.pid, scores, at=T0 + timedelta(days=n), complete=True)
    with query_counter() as many:
        page = _text(client.get(url))
    assert len(many) == len(few)
    assert "Pass, 06 Mar 2026" in page
