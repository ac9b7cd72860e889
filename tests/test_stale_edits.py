"""A stale edit never reverts a colleague's change: every versioned form merges field by field.

Two people open the same form. One saves a change to one field; the other then saves a change to
another field from the page they opened earlier. The second save is held (409), the form comes
back resting on the saved version with both changes in it, and saving that page keeps both. When
both changed the same field, the page asks which value to keep, and saving without choosing is
refused. Each case posts exactly what the page carries, as a browser would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from heartbeat.auth.models import Role, User
from heartbeat.certificates.models import Branding
from heartbeat.extensions import db
from heartbeat.participants import services as participant_services
from heartbeat.participants.models import Consent, ConsentKind, Participant
from heartbeat.progress.models import LadderStage
from heartbeat.progress.services import seed_default_ladder
from heartbeat.training import services as training_services
from heartbeat.training.models import TrainingSession
from tests.browserform import form_on
from tests.helpers import PASSWORD, add_user
from tests.participants.conftest import DETAILS
from tests.training.conftest import session_values


def _login(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _participant(app, world) -> int:
    with app.app_context():
        participant = participant_services.enrol(
            centre_id=world.a.centre.id,
            actor=db.session.get(User, world.a.therapist.id),
            details={**DETAILS, "therapist_id": world.a.therapist.id},
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=date(2025, 1, 10),
            today=date(2025, 6, 1),
        )
        db.session.commit()
        return participant.id


def _second_admin(app, world) -> str:
    with app.app_context():
        add_user(world.a.centre, "second.admin@alpha.example", Role.ADMIN)
        db.session.commit()
    return "second.admin@alpha.example"


@dataclass
class Case:
    name: str
    # Makes the record; returns the edit page's address and the two editors' emails.
    setup: Callable[..., tuple[str, str, str]]
    theirs: tuple[str, str]  # field and value the colleague saves first
    mine: tuple[str, str]  # field and value the stale page then saves
    clash: str | None  # a text field both may change, for the choice
    read: Callable[..., dict[str, str | None]]  # the record's saved values, by field
    # What the colleague and then the stale page write into ``clash``.
    words: tuple[str, str] = ("Their words", "My words")


def _details(app, world):
    pid = _participant(app, world)
    world.record_id = pid
    return f"/participants/{pid}/edit", world.a.therapist.email, world.a.admin.email


def _read_details(app, world):
    with app.app_context():
        p = db.session.get(Participant, world.record_id)
        return {"phone": p.phone, "goal": p.goal, "goal_milestone": p.goal_milestone}


def _consents(app, world):
    pid = _participant(app, world)
    world.record_id = pid
    return f"/participants/{pid}/consents", world.a.therapist.email, world.a.admin.email


def _read_consents(app, world):
    with app.app_context():
        rows = db.session.scalars(
            db.select(Consent).where(Consent.participant_id == world.record_id)
        ).all()
        given = {row.kind: row.given for row in rows}
        return {f"consent_{kind.value}": "y" if given.get(kind) else None for kind in ConsentKind}


def _session(app, world):
    pid = _participant(app, world)
    with app.app_context():
        session = training_services.log_session(
            db.session.get(Participant, pid),
            actor=db.session.get(User, world.a.therapist.id),
            values=session_values(notes="Windy", rpe=5),
        )
        db.session.commit()
        world.record_id = session.id
    return f"/sessions/{world.record_id}/edit", world.a.therapist.email, world.a.admin.email


def _read_session(app, world):
    with app.app_context():
        s = db.session.get(TrainingSession, world.record_id)
        return {"rpe": str(s.rpe), "notes": s.notes, "surface": s.surface}


def _stage(app, world):
    with app.app_context():
        stages = seed_default_ladder(world.a.centre.id)
        db.session.commit()
        world.record_id = stages[2].id
    return f"/ladder/{world.record_id}/edit", world.a.admin.email, _second_admin(app, world)


def _read_stage(app, world):
    with app.app_context():
        stage = db.session.get(LadderStage, world.record_id)
        return {"title": stage.title, "description": stage.description}


def _branding(app, world):
    return "/centre/branding", world.a.admin.email, _second_admin(app, world)


def _read_branding(app, world):
    with app.app_context():
        b = db.session.scalars(db.select(Branding)).one()
        return {"signatory_name": b.signatory_name, "signatory_title": b.signatory_title}


CASES = [
    Case(
        "participant details",
        _details,
        ("phone", "0200 222 222"),
        ("goal_milestone", "5K"),
        "goal",
        _read_details,
    ),
    Case(
        "consents",
        _consents,
        ("consent_public_verification", "y"),
        ("consent_media", "y"),
        None,
        _read_consents,
    ),
    Case("session", _session, ("rpe", "7"), ("surface", "Track"), "notes", _read_session),
    Case(
        "ladder stage",
        _stage,
        ("title", "First push, supported"),
        ("description", "took a first supported push in a racing chair"),
        "description",
        _read_stage,
        # A stage's description reads after a name, in the past tense.
        words=("pushed their words", "pushed my words"),
    ),
    Case(
        "certificate design",
        _branding,
        ("signatory_name", "Dr Mary Seacole"),
        ("signatory_title", "Clinical lead"),
        "signatory_title",
        _read_branding,
    ),
]


def _set(data, name: str, value: str) -> None:
    data.setlist(name, [value])


def _prepare(app, world, case: Case):
    url, me_email, colleague_email = case.setup(app, world)
    if case.name == "certificate design":
        # A design saved once, so that there is a version to be stale against.
        first = _login(app, colleague_email)
        data = form_on(first.get(url).get_data(as_text=True))
        assert first.post(url, data=data).status_code == 302
    me, colleague = _login(app, me_email), _login(app, colleague_email)
    return url, me, colleague


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_stale_save_keeps_the_colleagues_change_and_applies_mine(app, world, case):
    url, me, colleague = _prepare(app, world, case)
    stale = form_on(me.get(url).get_data(as_text=True))

    theirs = form_on(colleague.get(url).get_data(as_text=True))
    _set(theirs, *case.theirs)
    assert colleague.post(url, data=theirs).status_code == 302

    _set(stale, *case.mine)
    held = me.post(url, data=stale)
    assert held.status_code == 409
    saved = case.read(app, world)
    assert saved[case.theirs[0]] == case.theirs[1]  # nothing of mine saved yet, theirs intact
    assert saved[case.mine[0]] != case.mine[1]

    rebased = form_on(held.get_data(as_text=True))
    assert rebased.getlist(case.theirs[0]) == [case.theirs[1]]  # their change, now in my form
    assert rebased.getlist(case.mine[0]) == [case.mine[1]]  # my change, kept
    assert 'name="keep__' not in held.get_data(as_text=True)  # nothing to choose: no clash

    assert me.post(url, data=rebased).status_code == 302
    saved = case.read(app, world)
    assert saved[case.theirs[0]] == case.theirs[1]
    assert saved[case.mine[0]] == case.mine[1]


@pytest.mark.parametrize("keep", ["mine", "saved"])
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.clash], ids=[c.name for c in CASES if c.clash]
)
def test_when_both_changed_a_field_the_person_chooses_which_value_stays(app, world, case, keep):
    url, me, colleague = _prepare(app, world, case)
    stale = form_on(me.get(url).get_data(as_text=True))

    theirs = form_on(colleague.get(url).get_data(as_text=True))
    their_words, my_words = case.words
    _set(theirs, case.clash, their_words)
    assert colleague.post(url, data=theirs).status_code == 302

    _set(stale, case.clash, my_words)
    held = me.post(url, data=stale)
    assert held.status_code == 409
    page = held.get_data(as_text=True)
    assert f'name="keep__{case.clash}"' in page
    assert f"Yours: {my_words}" in page and f"Saved by your colleague: {their_words}" in page

    rebased = form_on(page)
    unchosen = me.post(url, data=rebased)
    assert unchosen.status_code == 422
    assert "Choose which value to keep" in unchosen.get_data(as_text=True)
    assert case.read(app, world)[case.clash] == their_words

    rebased[f"keep__{case.clash}"] = keep
    assert me.post(url, data=rebased).status_code == 302
    expected = my_words if keep == "mine" else their_words
    assert case.read(app, world)[case.clash] == expected


def test_a_conflict_naming_a_field_the_form_does_not_have_is_ignored(app, world):
    url, me, _ = _prepare(app, world, CASES[0])
    data = form_on(me.get(url).get_data(as_text=True))
    data["conflicted"] = "no_such_field,csrf_token"
    _set(data, "goal_milestone", "10K")
    assert me.post(url, data=data).status_code == 302
    assert _read_details(app, world)["goal_milestone"] == "10K"
