"""The training pages' words and numbers: a missing heart rate is a dash, the load shows the time
it was worked out from, required fields are marked, and counts agree with their nouns."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from heartbeat.progress.rules import session_load
from heartbeat.training.forms import SelfReportForm, SessionForm
from heartbeat.training.models import SessionSource
from heartbeat.training.parsing import REQUIRED_INPUTS
from tests.helpers import signed_in
from tests.training.conftest import START


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def test_a_missing_maximum_heart_rate_is_a_dash_not_a_question_mark(staff, training):
    training.add(avg_hr=125, max_hr=None)
    training.add(avg_hr=None, max_hr=171, started_at=START + timedelta(days=1))
    page = text(staff.get(f"/participants/{training.pid}/sessions"))
    assert "125 / \u2014" in page and "\u2014 / 171" in page
    table = page[page.index("<table") : page.index("</table>")]
    assert "?" not in re.sub(r"<[^>]+>", "", table)  # no "?" standing for a value


def test_the_load_shows_the_very_time_it_was_worked_out_from(staff, training):
    session_id = training.add(rpe=4, moving_time_s=220)  # 3:40
    page = text(staff.get(f"/sessions/{session_id}"))
    assert '<strong>15</strong> <span class="muted">(RPE 4 × 3:40)</span>' in page
    assert "4 minutes" not in page
    # The model and the rules work the load out the same way, from seconds: 4 × 220 / 60.
    session = training.session(session_id)
    assert session.load == session_load(4, 220) == pytest.approx(14.6667, abs=1e-4)


def test_a_load_of_a_half_rounds_up(staff, training):
    session_id = training.add(rpe=3, moving_time_s=290)  # 3 × 290 / 60 = 14.5
    assert "<strong>15</strong>" in text(staff.get(f"/sessions/{session_id}"))


@pytest.mark.parametrize("form_class", [SessionForm, SelfReportForm])
def test_the_fields_the_rules_require_are_the_fields_marked_required(app, form_class):
    with app.test_request_context():
        form = form_class()
        marked = {field.name for field in form if field.flags.required}
    assert marked == REQUIRED_INPUTS == {"date", "time", "kind"}


def test_the_start_time_is_marked_required_on_the_page(staff, training):
    page = staff.get(f"/participants/{training.pid}/sessions/new").get_data(as_text=True)
    for name, label in (("date", "Date"), ("time", "Start time"), ("kind", "Kind of session")):
        assert re.search(
            rf'<label for="{name}">{label}</label> <span class="required-mark">\(required\)</span>',
            page,
        ), name
        assert re.search(rf'<(input|select)[^>]*\bid="{name}"[^>]*\brequired\b', page), name
    assert '<label for="distance">Distance (km)</label>\n' in page  # one of two: not marked
    # Left blank, each marked field is what the page asks for.
    refused = staff.post(f"/participants/{training.pid}/sessions/new", data={"distance": "3"})
    assert refused.status_code == 422
    asked = set(re.findall(r'<li><a href="#(\w+)">', refused.get_data(as_text=True)))
    assert asked == REQUIRED_INPUTS


def test_verifying_one_session_says_session_not_sessions(staff, training):
    session_id = training.add(source=SessionSource.SELF_REPORT)
    done = staff.post(
        f"/participants/{training.pid}/sessions/verify",
        data={"session_id": str(session_id)},
        follow_redirects=True,
    )
    assert "1 session verified: it now counts towards milestones." in text(done)
