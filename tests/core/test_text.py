"""Names that would not print are refused where they are typed: emoji, on every form that takes a
person's name; the scripts the certificate fonts cover are accepted."""

from __future__ import annotations

import re
import types

import pytest
import sqlalchemy as sa
from wtforms.validators import ValidationError

from heartbeat.auth.models import Invite
from heartbeat.core.text import EMOJI_IN_NAME, emoji_in, refuse_unprintable_name
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from tests.helpers import signed_in
from tests.participants.conftest import Helpers, form_data

MESSAGE = "Names can&#39;t contain emoji; they would not print on certificates."
CONSENT = {"consent_data_processing": "y", "consent_recorded_on": "2025-01-10"}


def _check(name: str) -> None:
    refuse_unprintable_name(None, types.SimpleNamespace(data=name))


@pytest.mark.parametrize(
    "name",
    [
        "Ana 😀",
        "👍🏽 Sam",  # a skin-tone sequence
        "Jo 🇬🇧",  # a flag
        "Lee ❤️",  # a heart asked to show as emoji
        "👩‍🦽",  # a joined sequence: woman in a manual wheelchair
    ],
)
def test_a_name_with_an_emoji_is_refused_with_a_clear_message(name):
    with pytest.raises(ValidationError, match=re.escape(EMOJI_IN_NAME)):
        _check(name)
    assert len(emoji_in(name)) == 1


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ødegård-Nakamura",
        "王小明",
        "محمد الأحمد",
        "שרה לוי",
        "अंकित क्\u200dषत्रिय",  # with a zero-width joiner, which Devanagari uses
        "Αλέξανδρος Παπαδόπουλος",
        "Ольга Иванова",
        "O'Brien 2nd",
        "",
    ],
)
def test_names_in_the_scripts_the_fonts_cover_are_accepted(name):
    _check(name)
    assert emoji_in(name) == []


def test_enrolment_refuses_an_emoji_in_a_name_and_saves_nothing(app, world):
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        "/participants/new",
        data={**form_data(given_name="Ada 🚀", therapist_id=str(world.a.therapist.id)), **CONSENT},
    )
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


def test_editing_refuses_an_emoji_in_the_family_or_preferred_name(app, world):
    participant_id = Helpers(app).enrol(world.a)
    client = signed_in(app, world.a.therapist.email)
    url = f"/participants/{participant_id}/edit"
    html = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)
    for field in ("family_name", "preferred_name"):
        response = client.post(
            url,
            data={
                **form_data(therapist_id=world.a.therapist.id, **{field: "Lovelace ✨"}),
                "version": version,
            },
        )
        assert response.status_code == 422, field
        assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert participant.family_name == "Lovelace" and not participant.preferred_name


def test_an_invitation_refuses_an_emoji_in_the_name(app, world):
    admin = signed_in(app, world.a.admin.email)
    response = admin.post(
        "/centre/staff/invite",
        data={"name": "Casey 🏁 Coach", "email": "casey@alpha.example", "role": "therapist"},
    )
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Invite.id))) == 0
    chinese = admin.post(
        "/centre/staff/invite",
        data={"name": "王小明", "email": "wang@alpha.example", "role": "therapist"},
    )
    # Accepted: on to the "Invitation ready" page (POST, then redirect and GET).
    assert chinese.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Invite.name).where(Invite.email == "wang@alpha.example"))
            == "王小明"
        )


def test_the_certificate_signatory_name_refuses_an_emoji(app, world):
    admin = signed_in(app, world.a.admin.email)
    response = admin.post(
        "/centre/branding",
        data={
            "programme_name": "Riverside adaptive racing programme",
            "primary_colour": "#0b5563",
            "accent_colour": "#b3261e",
            "signatory_name": "Dr Ana Souza ✍️",
            "signatory_title": "Head of therapy",
            "paper_size": "A4",
            "version": "",
        },
    )
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
