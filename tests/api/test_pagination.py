"""Cursor pages: every row exactly once in order, stable while rows are added, and cursors that
cannot be forged or carried to another list."""

from __future__ import annotations

from datetime import timedelta

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind
from tests.api.conftest import bearer


def _all_pages(client, url: str, token: str, limit: int) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        separator = "&" if "?" in url else "?"
        query = f"{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url + query, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def _log(app, participant_id: int, count: int, start_days_ago: int) -> None:
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        for n in range(count):
            training.log_session(
                participant,
                actor=None,
                values={
                    "started_at": utcnow() - timedelta(days=start_days_ago, hours=n),
                    "kind": SessionKind.TRACK,
                    "distance_m": 400.0 + n,
                },
            )
        db.session.commit()


def test_sessions_come_newest_first_each_exactly_once(app, world, tokens):
    participant_id = world.a.records["p2"].participant_id
    _log(app, participant_id, 11, start_days_ago=10)
    client = app.test_client()
    url = f"/api/v1/participants/{participant_id}/sessions"
    pages = _all_pages(client, url, tokens.admin, limit=4)
    rows = [row for page in pages for row in page]
    assert all(len(page) == 4 for page in pages[:-1])
    assert len({row["id"] for row in rows}) == len(rows) >= 12
    keys = [(row["started_at"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)


def test_rows_added_meanwhile_neither_repeat_nor_hide_older_ones(app, world, tokens):
    participant_id = world.a.records["p1"].participant_id
    _log(app, participant_id, 6, start_days_ago=20)
    client = app.test_client()
    url = f"/api/v1/participants/{participant_id}/sessions?limit=3"
    first = client.get(url, headers=bearer(tokens.therapist)).get_json()
    before = {row["id"] for row in first["items"]}
    _log(app, participant_id, 2, start_days_ago=0)  # newer than everything on page one
    seen = list(before)
    cursor = first["next_cursor"]
    while cursor:
        body = client.get(f"{url}&cursor={cursor}", headers=bearer(tokens.therapist)).get_json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen))
    everything = _all_pages(client, url.split("?")[0], tokens.therapist, limit=100)[0]
    newest_two = {row["id"] for row in everything[:2]}
    assert set(seen) == {row["id"] for row in everything} - newest_two


def test_the_caseload_pages_in_each_of_its_orders(app, world, tokens):
    client = app.test_client()
    for sort in ("name", "-name", "enrolled", "-enrolled", "class", "status"):
        url = f"/api/v1/participants?scope=all&status=all&sort={sort}"
        pages = _all_pages(client, url, tokens.admin, limit=1)
        ids = [row["id"] for page in pages for row in page]
        whole = client.get(url + "&limit=100", headers=bearer(tokens.admin)).get_json()["items"]
        assert ids == [row["id"] for row in whole], sort
        assert len(ids) == 3


def test_the_caseload_filters_are_the_web_pages(app, world, tokens):
    client = app.test_client()
    mine = client.get("/api/v1/participants", headers=bearer(tokens.therapist)).get_json()
    assert len(mine["items"]) == 3  # the therapist's own caseload by default
    found = client.get("/api/v1/participants?q=adel", headers=bearer(tokens.admin)).get_json()
    assert [row["given_name"] for row in found["items"]] == ["Adelina"]
    done = client.get("/api/v1/participants?stage=done", headers=bearer(tokens.admin)).get_json()
    assert done["items"] == []
    own = client.get("/api/v1/participants", headers=bearer(tokens.participant)).get_json()
    assert [row["id"] for row in own["items"]] == [world.a.records["p1"].participant_id]


def test_cursors_cannot_be_forged_or_moved_to_another_list(app, world, tokens):
    client = app.test_client()
    p1, p2 = world.a.records["p1"], world.a.records["p2"]
    _log(app, p1.participant_id, 3, start_days_ago=40)
    first = client.get(
        f"/api/v1/participants/{p1.participant_id}/sessions?limit=1", headers=bearer(tokens.admin)
    ).get_json()
    cursor = first["next_cursor"]
    assert cursor
    for url in (
        f"/api/v1/participants/{p2.participant_id}/sessions?cursor={cursor}",
        f"/api/v1/participants?cursor={cursor}",
        f"/api/v1/certificates?cursor={cursor}",
        f"/api/v1/participants/{p1.participant_id}/sessions?cursor={cursor[:-2]}xx",
        f"/api/v1/participants/{p1.participant_id}/sessions?cursor=eyJsaXN0IjoxfQ",
    ):
        response = client.get(url, headers=bearer(tokens.admin))
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
    # Another centre's admin with a cursor of this centre's list still sees only their own.
    other = client.get(
        f"/api/v1/participants/{p1.participant_id}/sessions?cursor={cursor}",
        headers=bearer(tokens.b_admin),
    )
    assert other.status_code == 404
