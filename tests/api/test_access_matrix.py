"""The API's access matrix: every operation × every role's token × own/other centre × own/another's
record, with the answers the web pages' permission table gives (tests/security/access.py words).

Tokens: a participant's (read-only, as every participant's is), a therapist's and an admin's that
may write and ones that may only read, and the operator's (no centre: nothing to see). A refused
request must change nothing (every table compared); an allowed change is made to a session made
for it, with its current ETag. The list of operations must be the API's whole URL map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind
from tests.api.conftest import bearer
from tests.security.access import expected
from tests.security.world import changed_tables, table_digests

ROLES = ("participant", "therapist", "admin", "therapist_read", "admin_read", "operator")
CASES = (("own", "own"), ("own", "another"), ("other", "own"), ("other", "another"))
NEW_SESSION = {"started_at": "2026-01-05T09:30:00", "kind": "track", "distance_m": 1500}


@dataclass(frozen=True)
class Op:
    endpoint: str
    method: str
    path: str  # with {participant_id}, {session_id} or {certificate_id}
    participant: str
    staff: str
    staff_read: str
    operator: str = "404"

    def rule(self, role: str) -> str:
        if role == "participant":
            return self.participant
        if role == "operator":
            return self.operator
        return self.staff_read if role.endswith("_read") else self.staff


READ_RECORD = {"participant": "self", "staff": "centre", "staff_read": "centre"}
WRITE = {"participant": "403", "staff": "centre", "staff_read": "403"}
OPERATIONS = [
    Op("api.get_me", "GET", "/me", "ok", "ok", "ok", operator="ok"),
    Op("api.list_participants", "GET", "/participants", "ok", "ok", "ok"),
    Op("api.get_participant", "GET", "/participants/{participant_id}", **READ_RECORD),
    Op("api.get_participant_fhir", "GET", "/participants/{participant_id}/fhir", **READ_RECORD),
    Op("api.list_sessions", "GET", "/participants/{participant_id}/sessions", **READ_RECORD),
    Op("api.create_session", "POST", "/participants/{participant_id}/sessions", **WRITE),
    Op("api.get_session", "GET", "/sessions/{session_id}", **READ_RECORD),
    Op("api.update_session", "PATCH", "/sessions/{session_id}", **WRITE),
    Op("api.delete_session", "DELETE", "/sessions/{session_id}", **WRITE),
    Op("api.get_ladder", "GET", "/ladder", "ok", "ok", "ok"),
    Op("api.list_awards", "GET", "/participants/{participant_id}/awards", **READ_RECORD),
    Op("api.list_certificates", "GET", "/certificates", "ok", "ok", "ok"),
    Op("api.get_certificate", "GET", "/certificates/{certificate_id}", **READ_RECORD),
    Op("api.get_certificate_pdf", "GET", "/certificates/{certificate_id}/pdf", **READ_RECORD),
    Op(
        "api.list_measure_responses",
        "GET",
        "/participants/{participant_id}/measures",
        **READ_RECORD,
    ),
    Op("api.get_participant_plan", "GET", "/participants/{participant_id}/plan", **READ_RECORD),
]
# A write token answers 403 for a read-only action only when its scope is what is missing: the
# operator's may write, but belongs to no centre, so everything is simply not there.


def answer(response) -> str:
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "ok" if response.status_code < 400 else f"refused {response.status_code}"


def _fresh_session(app, participant_id: int) -> tuple[int, int]:
    """A session made for an allowed change to consume: (id, version)."""
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        session = training.log_session(
            participant,
            actor=None,
            values={
                "started_at": utcnow() - timedelta(days=2),
                "kind": SessionKind.TRACK,
                "distance_m": 800.0,
            },
        )
        db.session.commit()
        return session.id, session.version


def _request(client, op: Op, token: str, url: str, version: str = "*"):
    headers = bearer(token)
    if op.method in ("PATCH", "DELETE"):
        headers["If-Match"] = f'"{version}"' if version != "*" else "*"
    body = None
    if op.method == "POST":
        body = NEW_SESSION
    elif op.method == "PATCH":
        body = {"notes": "corrected through the API"}
    return client.open(url, method=op.method, headers=headers, json=body)


def test_the_matrix_covers_every_api_operation(app):
    endpoints = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert endpoints == {(op.endpoint, op.method) for op in OPERATIONS}


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.endpoint)
def test_each_token_gets_what_the_permission_table_says(app, world, tokens, op):
    client = app.test_client()
    for role in ROLES:  # each token's first use writes its last-used time: not in the window
        assert client.get("/api/v1/me", headers=bearer(tokens.of(role))).status_code == 200
    planned = []
    for role in ROLES:
        for centre, record in CASES if "{" in op.path else (("own", "own"),):
            side = world.a if centre == "own" else world.b
            row = side.records["p1" if record == "own" else "p2"]
            url = "/api/v1" + op.path.format(
                participant_id=row.participant_id,
                session_id=row.session_id,
                certificate_id=row.certificate_id,
            )
            planned.append(
                (role, centre, record, row, url, expected(op.rule(role), centre, record))
            )

    failures = []
    before = table_digests(app)
    for role, centre, record, _, url, want in planned:
        if want == "ok":
            continue
        got = answer(_request(client, op, tokens.of(role), url))
        if got != want:
            failures.append(f"{role} {op.method} {url} ({centre}/{record}): want {want}, got {got}")
    changed = changed_tables(before, table_digests(app))
    assert not changed, f"refused {op.endpoint} requests changed {changed}"

    for role, centre, record, row, url, want in planned:
        if want != "ok":
            continue
        version = "*"
        if op.method in ("PATCH", "DELETE"):
            session_id, version_number = _fresh_session(app, row.participant_id)
            url = f"/api/v1/sessions/{session_id}"
            version = str(version_number)
        response = _request(client, op, tokens.of(role), url, version)
        if answer(response) != "ok":
            failures.append(
                f"{role} {op.method} {url} ({centre}/{record}): want ok, "
                f"got {response.status_code} {response.get_data(as_text=True)[:200]}"
            )
    assert not failures, "\n".join(failures)


def test_another_centres_token_finds_nothing_of_this_one(app, world, tokens):
    """Every id of centre A, through every read operation, with centre B's tokens: 404."""
    client = app.test_client()
    a = world.a
    for role in ("b_admin", "b_therapist", "b_participant"):
        for op in OPERATIONS:
            if "{" not in op.path:
                continue
            for record in a.records.values():
                url = "/api/v1" + op.path.format(
                    participant_id=record.participant_id,
                    session_id=record.session_id,
                    certificate_id=record.certificate_id,
                )
                got = answer(_request(client, op, tokens.of(role), url))
                want = "403" if role == "b_participant" and op.method != "GET" else "404"
                assert got == want, (role, op.method, url, got)
    for role in ("b_admin", "b_therapist"):
        listed = client.get(
            "/api/v1/participants?scope=all&status=all", headers=bearer(tokens.of(role))
        ).get_json()
        names = {item["given_name"] for item in listed["items"]}
        assert names and not names & {"Adelina", "Bartholomew", "Newcomeralpha"}
        register = client.get("/api/v1/certificates", headers=bearer(tokens.of(role))).get_json()
        assert {c["serial"] for c in register["items"]}.isdisjoint(
            {record.serial for record in a.records.values()}
        )
