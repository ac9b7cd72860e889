"""A new centre's default ladder is written in the centre's language (``centre.language``), not
in that of whoever creates it; its codes never change and English stays what it was."""

from __future__ import annotations

import pytest

from heartbeat.auth.models import Role
from heartbeat.centres.services import create_centre
from heartbeat.core.i18n import DEFAULT_LANGUAGE, speaking
from heartbeat.extensions import db
from heartbeat.progress import services, stages
from heartbeat.progress.ladder import DEFAULT_LADDER
from heartbeat.progress.sentences import description_problem, milestone_sentence
from heartbeat.progress.skills import required_labels
from tests import centre_language
from tests.helpers import add_user, signed_in

CODES = [
    "chair-fitted",
    "first-push",
    "steer-and-stop",
    "one-lap",
    "one-mile",
    "5k",
    "10k",
    "half-marathon",
    "marathon",
]


@pytest.fixture(autouse=True)
def _catalogue(app, monkeypatch):
    centre_language.install(app, monkeypatch)


def _ladder(centre_id: int) -> list[tuple[str, str, str, list[str]]]:
    return [
        (stage.code, stage.title, stage.description, required_labels(stage))
        for stage in services.ladder(centre_id)
    ]


def test_an_english_centre_gets_exactly_the_english_ladder(app):
    with app.app_context():
        centre = create_centre(name="Hillside", slug="hillside", language="en")
        ladder = _ladder(centre.id)
    assert ladder == [
        (
            "chair-fitted",
            "Chair fitted",
            "had a racing chair fitted and transferred in and out of it safely",
            ["Transfer into and out of the racing chair"],
        ),
        ("first-push", "First push", "pushed 100 m unassisted and continuously", []),
        (
            "steer-and-stop",
            "Steer and stop",
            "steered with the compensator, cornered and braked safely on the track",
            [
                "Turn in place (both ways)",
                "Turn while moving forward",
                "Stop and hold on a slope with the brakes",
            ],
        ),
        ("one-lap", "One lap", "completed a continuous 400 m push", []),
        ("one-mile", "One mile", "completed a continuous one-mile (1,609 m) push", []),
        ("5k", "5K", "completed a continuous 5 km push", []),
        ("10k", "10K", "completed a continuous 10 km push", []),
        (
            "half-marathon",
            "Half marathon",
            "completed a continuous half-marathon (21.1 km) push",
            [],
        ),
        (
            "marathon",
            "Marathon",
            "finished a marathon (42.195 km) in a race or one continuous session",
            [],
        ),
    ]


def test_a_spanish_centre_gets_its_ladder_in_spanish(app):
    with app.app_context():
        centre = create_centre(name="Centro Sur", slug="sur", language="es")
        ladder = _ladder(centre.id)
    assert [code for code, *_ in ladder] == CODES
    assert [(title, description) for _, title, description, _ in ladder] == [
        (
            centre_language.translated("es", spec.title),
            centre_language.translated("es", spec.description),
        )
        for spec in DEFAULT_LADDER
    ]
    by_code = {code: (title, description, skills) for code, title, description, skills in ladder}
    assert by_code["first-push"][0] == "Primer impulso"
    assert by_code["5k"][1] == "completó un impulso continuo de 5 km"
    assert by_code["one-mile"][1] == "completó un impulso continuo de una milla (1609 m)"
    # The skills a stage requires are the centre's checklist items, in its language too.
    assert by_code["chair-fitted"][2] == ["Transferirse a la silla de carreras y salir de ella"]
    assert by_code["steer-and-stop"][2] == [
        "Girar en el sitio (en ambos sentidos)",
        "Girar mientras avanza",
        "Detenerse y mantenerse en una pendiente con los frenos",
    ]


def test_a_french_centre_created_by_someone_reading_spanish_is_seeded_in_french(app):
    with app.test_request_context(), speaking("es"):
        centre = create_centre(name="Centre Nord", slug="nord", language="fr")
        ladder = _ladder(centre.id)
    assert [code for code, *_ in ladder] == CODES
    titles = [title for _, title, _, _ in ladder]
    assert titles[1] == "Première poussée" and titles[2] == "Diriger et freiner"
    descriptions = [description for _, _, description, _ in ladder]
    assert descriptions[5] == "a réalisé une poussée continue de 5 km"
    assert descriptions[4] == "a réalisé une poussée continue d’un mile (1\u202f609 m)"
    assert ladder[0][3] == ["Se transférer dans le fauteuil de course et en sortir"]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("reader", ["en", "es", "fr"])
def test_every_seeded_description_reads_after_a_name_whoever_reads_it(app, language, reader):
    with app.test_request_context(), speaking(reader):
        for spec in DEFAULT_LADDER:
            text = centre_language.translated(language, spec.description)
            assert description_problem(text, language) is None, text
            sentence = milestone_sentence("Ada Lovelace", text)
            assert sentence == f"Ada Lovelace {text}." and not text.endswith(".")
            assert text[0].islower()


def test_a_spanish_ladder_is_edited_by_an_admin_reading_english(app):
    with app.app_context():
        centre = create_centre(name="Centro Sur", slug="sur", language="es")
        admin = add_user(centre, "admin@sur.example", Role.ADMIN)
        admin.language = DEFAULT_LANGUAGE
        db.session.commit()
        stage = services.ladder(centre.id)[1]
        stages.update_stage(
            stage,
            actor=admin,
            title="Primer impulso (100 m)",
            description=stage.description,
            expected_version=stage.version,
        )
        db.session.commit()
        stage_id, description = stage.id, stage.description
    client = signed_in(app, "admin@sur.example")
    page = client.get("/ladder").get_data(as_text=True)
    assert "Ladder" in page and "Primer impulso (100 m)" in page
    assert "Start with what they did" not in page
    edit = client.get(f"/ladder/{stage_id}/edit").get_data(as_text=True)
    assert description in edit and "Start with what they did" not in edit
