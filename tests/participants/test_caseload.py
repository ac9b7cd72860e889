"""The caseload: mine by default, everyone on request, search, filters, sorting, pages, queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from tests.helpers import signed_in
from tests.participants.conftest import seed_ladder


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Name"><a [^>]*>([^<]+)</a>', html)


@pytest.fixture
def caseload(app, world, helpers):
    """Three of the therapist's participants, one of the admin's, one in centre B."""
    ids = {
        "ada": helpers.enrol(world.a, given_name="Ada", family_name="Lovelace"),
        "grace": helpers.enrol(
            world.a, given_name="Grace", family_name="Hopper", racing_class="T54"
        ),
        "alan": helpers.enrol(world.a, given_name="Alan", family_name="Turing"),
        "admins": helpers.enrol(
            world.a, given_name="Mary", family_name="Somerville", therapist_id=world.a.admin.id
        ),
        "bravo": helpers.enrol(world.b, given_name="Bea", family_name="Bravo"),
    }
    with app.app_context():
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == ids["alan"])
            .values(status="withdrawn", version=Participant.version + 1)
        )
        db.session.commit()
    return ids


def test_therapist_sees_their_own_current_participants_by_default(app, world, caseload):
    html = signed_in(app, world.a.therapist.email).get("/participants").get_data(as_text=True)
    assert _names(html) == ["Hopper, Grace", "Lovelace, Ada"]  # Turing withdrawn, Mary not mine


def test_everyone_at_the_centre_and_withdrawn_on_request(app, world, caseload):
    client = signed_in(app, world.a.therapist.email)
    everyone = _names(client.get("/participants?scope=all").get_data(as_text=True))
    assert everyone == ["Hopper, Grace", "Lovelace, Ada", "Somerville, Mary"]
    withdrawn = _names(
        client.get("/participants?scope=all&status=withdrawn").get_data(as_text=True)
    )
    assert withdrawn == ["Turing, Alan"]
    all_statuses = _names(client.get("/participants?scope=all&status=all").get_data(as_text=True))
    assert "Turing, Alan" in all_statuses
    assert "Bravo, Bea" not in all_statuses


def test_search_filters_and_sorting(app, world, caseload):
    client = signed_in(app, world.a.admin.email)  # an admin sees everyone by default

    def names(query: str) -> list[str]:
        return _names(client.get(f"/participants?{query}").get_data(as_text=True))

    assert names("q=hop") == ["Hopper, Grace"]
    assert names("q=ada+love") == ["Lovelace, Ada"]
    assert names("q=%25") == []  # a wildcard is a literal character
    assert names("class=T54") == ["Hopper, Grace"]
    assert names(f"therapist={world.a.admin.id}") == ["Somerville, Mary"]
    assert names("sort=-name") == ["Somerville, Mary", "Lovelace, Ada", "Hopper, Grace"]
    assert names("scope=mine") == ["Somerville, Mary"]


def test_caseload_is_paginated_and_keeps_its_filters(app, world, helpers):
    app.config["HEARTBEAT_PAGE_SIZE"] = 2
    for n in range(5):
        helpers.enrol(world.a, family_name=f"Runner{n}")
    client = signed_in(app, world.a.therapist.email)
    first = client.get("/participants?q=runner").get_data(as_text=True)
    assert _names(first) == ["Runner0, Ada", "Runner1, Ada"]
    assert "Page 1 of 3" in first
    assert "q=runner" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    third = client.get("/participants?q=runner&page=3").get_data(as_text=True)
    assert _names(third) == ["Runner4, Ada"]


def test_participants_and_other_roles_cannot_open_the_caseload(app, world):
    assert signed_in(app, world.a.participant.email).get("/participants").status_code == 403
    assert app.test_client().get("/participants").status_code == 302  # to sign in


def _bulk_enrol(app, centre_id: int, therapist_id: int, how_many: int) -> None:
    rows = [
        {
            "centre_id": centre_id,
            "given_name": f"Given{n:05d}",
            "family_name": f"Family{n:05d}",
            "date_of_birth": date(1980, 1, 1),
            "impairment": "sci",
            "sci_level": "T4" if n % 2 else "L1",
            "racing_class": "T54",
            "classification_status": "N",
            "enrolled_on": date(2024, 1, 1),
            "therapist_id": therapist_id,
            "status": "active",
            "version": 1,
        }
        for n in range(how_many)
    ]
    with app.app_context():
        db.session.execute(sa.insert(Participant), rows)
        db.session.commit()


def _caseload_queries(app, client, query_counter, path: str) -> int:
    with query_counter() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_caseload_runs_the_same_number_of_queries_for_20_and_2000_participants(
    app, world, query_counter
):
    client = signed_in(app, world.a.therapist.email)
    paths = ["/participants", "/participants?scope=all&q=family&sort=-enrolled&page=2"]

    _bulk_enrol(app, world.a.centre.id, world.a.therapist.id, 20)
    small = [_caseload_queries(app, client, query_counter, path) for path in paths]
    _bulk_enrol(app, world.a.centre.id, world.a.therapist.id, 2_000)
    large = [_caseload_queries(app, client, query_counter, path) for path in paths]

    assert small == large
    # The list, its count, the ladder and the therapist filter, each needs-attention list (one
    # query each, whatever the caseload: quiet, pain, awards, consents, reviews, load, red flags,
    # expiring certificates, plans, measures due, WUSPI rises, shoulder load) and SQLite's BEGIN.
    assert max(large) <= 22
    html = client.get("/participants?page=3").get_data(as_text=True)
    assert "2020 in all" in html


def _stages(html: str) -> list[str]:
    return re.findall(r'<td data-label="Current stage">([^<]*)</td>', html)


def test_new_participants_start_on_the_first_stage_and_the_caseload_filters_by_stage(
    app, world, helpers
):
    stages = seed_ladder(app, world.a)
    ada = helpers.enrol(world.a, given_name="Ada", family_name="Lovelace")
    helpers.enrol(world.a, given_name="Grace", family_name="Hopper")
    done = helpers.enrol(world.a, given_name="Alan", family_name="Turing")
    with app.app_context():
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == ada)
            .values(current_stage_id=stages["first-push"])
        )
        db.session.execute(
            sa.update(Participant).where(Participant.id == done).values(current_stage_id=None)
        )
        db.session.commit()
    client = signed_in(app, world.a.therapist.email)

    html = client.get("/participants").get_data(as_text=True)
    assert _names(html) == ["Hopper, Grace", "Lovelace, Ada", "Turing, Alan"]
    assert _stages(html) == ["1. Chair fitted", "2. First push", "Ladder complete"]
    assert f'<option value="{stages["first-push"]}">2. First push</option>' in html

    first_push = client.get(f"/participants?stage={stages['first-push']}")
    assert _names(first_push.get_data(as_text=True)) == ["Lovelace, Ada"]
    chair = client.get(f"/participants?stage={stages['chair-fitted']}")
    assert _names(chair.get_data(as_text=True)) == ["Hopper, Grace"]
    assert _names(client.get("/participants?stage=done").get_data(as_text=True)) == ["Turing, Alan"]
    by_stage = client.get("/participants?sort=stage").get_data(as_text=True)
    assert _names(by_stage) == ["Hopper, Grace", "Lovelace, Ada", "Turing, Alan"]
    # Nonsense is ignored rather than an error; another centre's stage matches nobody.
    assert client.get("/participants?stage=abc").status_code == 200
    other = seed_ladder(app, world.b)
    assert (
        _names(client.get(f"/participants?stage={other['chair-fitted']}").get_data(as_text=True))
        == []
    )


def test_caseload_without_a_ladder_says_so(app, world, helpers):
    helpers.enrol(world.a)
    html = signed_in(app, world.a.therapist.email).get("/participants").get_data(as_text=True)
    assert '<td data-label="Current stage"><span class="muted">No ladder yet</span></td>' in html
    assert 'id="stage"' not in html
