"""Sessions through the API: the forms' rules, ETags and If-Match, the audit trail (via API), and
the awards following in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.progress.models import Award
from heartbeat.training.models import SessionSource, TrainingSession
from heartbeat.training.parsing import read_session
from heartbeat.training.values import SessionValueError
from tests.api.conftest import bearer

GOOD = {"started_at": "2026-01-05T09:30:00", "kind": "road", "distance_m": 5200, "rpe": 6}


def _post(client, token, participant_id, body):
    return client.post(
        f"/api/v1/participants/{participant_id}/sessions", headers=bearer(token), json=body
    )


def _events(app, session_id: int) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "training_session", AuditEvent.entity_id == session_id)
            .order_by(AuditEvent.id)
            .execution_options(all_centres=True)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_logging_a_session_saves_it_audited_as_via_api(app, world, tokens):
    client = app.test_client()
    participant_id = world.a.records["p2"].participant_id
    response = _post(client, tokens.therapist, participant_id, GOOD)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert response.headers["Location"] == f"/api/v1/sessions/{body['id']}"
    assert body["participant_id"] == participant_id and body["source"] == "staff"
    # Local time at the centre (Europe/London, GMT in January).
    assert body["started_at"] == "2026-01-05T09:30:00+00:00"
    assert body["distance_m"] == 5200.0 and body["rpe"] == 6
    (event,) = _events(app, body["id"])
    assert event.action == "session.create" and event.via == "api"
    assert event.actor_id == world.a.therapist_id

    shown = client.get(f"/api/v1/sessions/{body['id']}", headers=bearer(tokens.participant))
    assert shown.status_code == 404  # p2's session: not the p1 participant's to see


def test_the_forms_rules_refuse_the_same_values_naming_the_api_fields(app, world, tokens):
    client = app.test_client()
    participant_id = world.a.records["p2"].participant_id
    future = (utcnow() + timedelta(days=2)).isoformat()
    cases = [
        ({**GOOD, "started_at": future}, "started_at", "date"),
        ({**GOOD, "distance_m": 600_000}, "distance_m", "distance"),
        ({**GOOD, "distance_m": 50_000, "moving_time_s": 60}, "distance_m", "distance"),
        ({**GOOD, "avg_hr": 150, "max_hr": 120}, "max_hr", "max_hr"),
        ({**GOOD, "pain_site": "wrist"}, "pain", "pain"),
        ({**GOOD, "event_name": "Spring 10k"}, "event_name", "event_name"),
        ({**GOOD, "kind": "race"}, "event_name", "event_name"),
        ({"started_at": GOOD["started_at"], "kind": "road"}, "distance_m", "distance"),
        ({**GOOD, "rpe": 11}, "rpe", "rpe"),
    ]
    for body, api_field, form_field in cases:
        response = _post(client, tokens.admin, participant_id, body)
        assert response.status_code == 422, body
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert api_field in problem["errors"], (body, problem)
        # The very message the form shows for the same value.
        form_message = _form_error(body, form_field)
        assert problem["errors"][api_field] == [form_message], (body, problem)


def _form_error(body: dict, field: str) -> str:
    from zoneinfo import ZoneInfo

    raw = {
        "started_at": body["started_at"],
        "kind": body["kind"],
        "distance": f"{body['distance_m']} m" if body.get("distance_m") is not None else "",
        "duration": str(body["moving_time_s"] // 60) if body.get("moving_time_s") else "",
        **{
            name: str(body[name])
            for name in ("avg_hr", "max_hr", "rpe", "pain", "pain_site", "event_name")
            if name in body
        },
    }
    try:
        read_session(raw, units="km", tz=ZoneInfo("Europe/London"), now=utcnow(), timeline=None)
    except SessionValueError as error:
        return error.field_errors[field]
    raise AssertionError("the form accepted it")


def test_types_are_checked_strictly(app, world, tokens):
    client = app.test_client()
    participant_id = world.a.records["p2"].participant_id
    for name, value in (
        ("distance_m", "5200"),
        ("distance_m", True),
        ("rpe", 6.5),
        ("rpe", "6"),
        ("symptom_reported", "yes"),
        ("notes", "nul\x00byte"),
        ("notes", "x" * 4001),
        ("started_at", 20260105),
        ("kind", "sofa"),
        ("unknown_field", 1),
    ):
        response = _post(client, tokens.admin, participant_id, {**GOOD, name: value})
        assert response.status_code == 422, (name, value)
        assert name in response.get_json()["errors"], (name, value)


def test_a_body_that_is_not_json_is_refused_plainly(app, world, tokens):
    client = app.test_client()
    url = f"/api/v1/participants/{world.a.records['p2'].participant_id}/sessions"
    broken = client.post(
        url, headers=bearer(tokens.admin), data="{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.mimetype == "application/problem+json"
    text = client.post(url, headers=bearer(tokens.admin), data="kind=road")
    assert text.status_code == 415 and text.mimetype == "application/problem+json"
    array = client.post(url, headers=bearer(tokens.admin), json=[GOOD])
    assert array.status_code == 422


def test_changes_need_the_current_etag(app, world, tokens):
    client = app.test_client()
    created = _post(client, tokens.therapist, world.a.records["p1"].participant_id, GOOD)
    url = f"/api/v1/sessions/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    headers = bearer(tokens.therapist)

    missing = client.patch(url, headers=headers, json={"rpe": 7})
    assert missing.status_code == 428 and missing.mimetype == "application/problem+json"
    wrong = client.patch(url, headers={**headers, "If-Match": '"999"'}, json={"rpe": 7})
    assert wrong.status_code == 412
    weak = client.patch(url, headers={**headers, "If-Match": f"W/{etag}"}, json={"rpe": 7})
    assert weak.status_code == 412  # If-Match compares strongly

    changed = client.patch(url, headers={**headers, "If-Match": etag}, json={"rpe": 7})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["rpe"] == 7 and changed.get_json()["distance_m"] == 5200.0
    new_etag = changed.headers["ETag"]
    assert new_etag != etag

    stale = client.patch(url, headers={**headers, "If-Match": etag}, json={"rpe": 2})
    assert stale.status_code == 412
    assert client.get(url, headers=headers).get_json()["rpe"] == 7
    stale_delete = client.delete(url, headers={**headers, "If-Match": etag})
    assert stale_delete.status_code == 412

    cleared = client.patch(url, headers={**headers, "If-Match": new_etag}, json={"rpe": None})
    assert cleared.status_code == 200 and cleared.get_json()["rpe"] is None
    (create, update, clear) = _events(app, created.get_json()["id"])
    assert update.changes == {"rpe": {"before": 6, "after": 7}} and update.via == "api"
    assert clear.changes == {"rpe": {"before": 7, "after": None}}

    gone = client.delete(url, headers={**headers, "If-Match": cleared.headers["ETag"]})
    assert gone.status_code == 204 and gone.data == b""
    assert client.get(url, headers=headers).status_code == 404
    assert _events(app, created.get_json()["id"])[-1].action == "session.delete"


def test_if_match_star_changes_whatever_the_version(app, world, tokens):
    client = app.test_client()
    created = _post(client, tokens.admin, world.a.records["p1"].participant_id, GOOD)
    url = f"/api/v1/sessions/{created.get_json()['id']}"
    response = client.patch(
        url, headers={**bearer(tokens.admin), "If-Match": "*"}, json={"chair": "Carbon 2"}
    )
    assert response.status_code == 200 and response.get_json()["chair"] == "Carbon 2"


def test_awards_follow_a_session_logged_through_the_api(app, world, tokens):
    client = app.test_client()
    participant_id = world.a.newcomer_id
    with app.app_context():
        before = db.session.scalar(
            sa.select(sa.func.count(Award.id))
            .where(Award.participant_id == participant_id)
            .execution_options(all_centres=True)
        )
    marathon = {**GOOD, "distance_m": 42_195, "moving_time_s": 3 * 3600, "kind": "road"}
    assert _post(client, tokens.therapist, participant_id, marathon).status_code == 201
    awards = client.get(
        f"/api/v1/participants/{participant_id}/awards", headers=bearer(tokens.therapist)
    ).get_json()["items"]
    assert len(awards) > before
    assert any(award["title"] for award in awards)


def test_an_edit_of_a_device_session_keeps_what_the_api_does_not_send(app, world, tokens):
    with app.app_context():
        session = TrainingSession(
            centre_id=world.a.centre_id,
            participant_id=world.a.records["p1"].participant_id,
            started_at=utcnow() - timedelta(days=3),
            kind="road",
            distance_m=10_012.7,
            elapsed_time_s=3700,
            elevation_gain_m=42.0,
            source=SessionSource.DEVICE_FILE,
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    client = app.test_client()
    url = f"/api/v1/sessions/{session_id}"
    response = client.patch(
        url, headers={**bearer(tokens.therapist), "If-Match": '"1"'}, json={"notes": "windy"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["distance_m"] == 10_012.7 and body["elapsed_time_s"] == 3700
    assert body["elevation_gain_m"] == 42.0 and body["source"] == "device_file"
