"""A new centre's default plan templates are written in the centre's language, not in that of
whoever creates it; English stays what it was, and adding the defaults back never doubles them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.centres.services import create_centre
from heartbeat.core.i18n import speaking
from heartbeat.extensions import db
from heartbeat.plans.library import DEFAULT_TEMPLATES
from heartbeat.plans.models import PlanTemplate, TemplateSession
from heartbeat.plans.services.templates import seed_default_templates
from tests import centre_language


@pytest.fixture(autouse=True)
def _catalogue(app, monkeypatch):
    centre_language.install(app, monkeypatch)


def _templates(centre_id: int) -> list[tuple[str, str, list[str | None]]]:
    rows = db.session.scalars(
        sa.select(PlanTemplate)
        .where(PlanTemplate.centre_id == centre_id)
        .order_by(PlanTemplate.id)
        .execution_options(all_centres=True)
    ).all()
    return [
        (
            row.name,
            row.summary,
            list(
                db.session.scalars(
                    sa.select(TemplateSession.notes)
                    .where(TemplateSession.template_id == row.id)
                    .order_by(TemplateSession.week, TemplateSession.day)
                    .execution_options(all_centres=True)
                )
            ),
        )
        for row in rows
    ]


def _expected(language: str) -> list[tuple[str, str, list[str | None]]]:
    return [
        (
            centre_language.translated(language, spec.name),
            centre_language.translated(language, spec.summary),
            [
                centre_language.translated(language, s.notes) if s.notes is not None else None
                for s in sorted(spec.sessions, key=lambda s: (s.week, s.day))
            ],
        )
        for spec in DEFAULT_TEMPLATES
    ]


def test_an_english_centre_gets_exactly_the_english_templates(app):
    with app.app_context():
        centre = create_centre(name="Hillside", slug="hillside", language="en")
        templates = _templates(centre.id)
    assert [name for name, _, _ in templates] == [
        "First 5K in a racing chair, 8 weeks",
        "10K to half marathon, 10 weeks",
    ]
    assert templates[0][1].endswith("For people past 'Steer and stop' on the ladder.")
    assert templates[0][2][:2] == [
        "Skills: long smooth strokes, steering, cornering and braking; short efforts with full"
        " rests.",
        "Shoulder care: rotator cuff and scapular work, rows before pushes; stop if it hurts.",
    ]
    assert templates[1][2][-1] == "The half-marathon distance, continuous."
    assert templates == _expected("en")


def test_a_spanish_centre_gets_its_templates_in_spanish(app):
    with app.app_context():
        centre = create_centre(name="Centro Sur", slug="sur", language="es")
        templates = _templates(centre.id)
        # Adding the defaults again, in any language, finds them there already.
        assert seed_default_templates(centre.id) == []
        with speaking("es"):
            assert seed_default_templates(centre.id) == []
    assert templates == _expected("es")
    assert [name for name, _, _ in templates] == [
        "Primeros 5 km en silla de carreras, 8 semanas",
        "De 10 km a media maratón, 10 semanas",
    ]
    assert "(21,1 km)" in templates[1][1]
    assert templates[0][2][2] == "Constante, a un ritmo que permite conversar."


def test_a_french_centre_created_by_someone_reading_spanish_gets_french_templates(app):
    with app.test_request_context(), speaking("es"):
        centre = create_centre(name="Centre Nord", slug="nord", language="fr")
        templates = _templates(centre.id)
    assert templates == _expected("fr")
    assert templates[0][0] == "Premiers 5 km en fauteuil de course, 8 semaines"
