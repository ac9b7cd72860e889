"""A new centre's wheelchair skills checklist is written in the centre's language, not in that
of whoever creates it; the WUSPI, a validated instrument, stays English in every centre."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.centres.services import create_centre
from heartbeat.core.i18n import speaking
from heartbeat.extensions import db
from heartbeat.measures.instruments import SKILLS, SKILLS_CODE, WUSPI, WUSPI_CODE
from heartbeat.measures.models import Measure, MeasureItem
from tests import centre_language


@pytest.fixture(autouse=True)
def _catalogue(app, monkeypatch):
    centre_language.install(app, monkeypatch)


def _measure(centre_id: int, code: str) -> tuple[str, str, str | None, list[str]]:
    measure = db.session.scalars(
        sa.select(Measure)
        .where(Measure.centre_id == centre_id, Measure.code == code)
        .execution_options(all_centres=True)
    ).one()
    items = db.session.scalars(
        sa.select(MeasureItem.label)
        .where(MeasureItem.measure_id == measure.id)
        .order_by(MeasureItem.position)
        .execution_options(all_centres=True)
    )
    return measure.title, measure.instructions, measure.not_done_label, list(items)


def _expected_skills(language: str) -> tuple[str, str, str, list[str]]:
    return (
        centre_language.translated(language, SKILLS.title),
        centre_language.translated(language, SKILLS.instructions),
        centre_language.translated(language, SKILLS.not_done_label),
        [centre_language.translated(language, item) for item in SKILLS.items],
    )


WUSPI_AS_WRITTEN = (WUSPI.title, WUSPI.instructions, WUSPI.not_done_label, list(WUSPI.items))


def test_an_english_centre_gets_exactly_the_english_checklist(app):
    with app.app_context():
        centre = create_centre(name="Hillside", slug="hillside", language="en")
        skills = _measure(centre.id, SKILLS_CODE)
        wuspi = _measure(centre.id, WUSPI_CODE)
    assert skills[0] == "Wheelchair skills checklist" and skills[2] == "Not tested"
    assert skills[3][:3] == ["Roll forward 10 m", "Roll forward 100 m", "Roll backward 2 m"]
    assert skills[3][-1] == "Pick an object up from the floor" and len(skills[3]) == 16
    assert skills == _expected_skills("en")
    assert wuspi == WUSPI_AS_WRITTEN


def test_a_spanish_centre_gets_its_checklist_in_spanish_and_the_wuspi_in_english(app):
    with app.app_context():
        centre = create_centre(name="Centro Sur", slug="sur", language="es")
        skills = _measure(centre.id, SKILLS_CODE)
        wuspi = _measure(centre.id, WUSPI_CODE)
    assert skills == _expected_skills("es")
    assert skills[0] == "Lista de habilidades en silla de ruedas"
    assert skills[2] == "No evaluada"
    assert skills[3][0] == "Avanzar 10 m"
    assert wuspi == WUSPI_AS_WRITTEN
    assert wuspi[0] == "Wheelchair User's Shoulder Pain Index (WUSPI)"


def test_a_french_centre_created_by_someone_reading_spanish_gets_a_french_checklist(app):
    with app.test_request_context(), speaking("es"):
        centre = create_centre(name="Centre Nord", slug="nord", language="fr")
        skills = _measure(centre.id, SKILLS_CODE)
        wuspi = _measure(centre.id, WUSPI_CODE)
    assert skills == _expected_skills("fr")
    assert skills[3][-1] == "Ramasser un objet au sol"
    assert wuspi == WUSPI_AS_WRITTEN
