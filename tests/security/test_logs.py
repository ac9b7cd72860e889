"""The log: one structured line per request, security events, and no secrets or health data.

A capturing handler with the app's own JSON formatter sits on the ``heartbeat`` logger while the
main flows run through real forms (CSRF on, two-factor on for admins): failed sign-ins and a
lockout, enrolment, notes, a session with pain, portal and staff invitations accepted, two-factor
enrolment and sign-in with a code and a recovery code, a refused authorisation, a CSV import,
password change and erasure. Then every line is searched for each password, token, CSRF token,
cookie, two-factor secret and code, recovery code, and each participant's names, condition and
notes seen on the way.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from heartbeat.extensions import db
from heartbeat.logs import JsonLineFormatter
from tests.auth.helpers import setup_secret
from tests.helpers import PASSWORD
from tests.participants.conftest import form_data
from tests.security.world import build_world

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INVITE = re.compile(r"/invite/([A-Za-z0-9_.\-]+)")
RECOVERY = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")
NEW_PASSWORD = "a new passphrase for the long track"
PORTAL_PASSWORD = "my own portal passphrase 77"
COACH_PASSWORD = "coach joins the centre today"


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "HEARTBEAT_MFA_REQUIRED_ROLES": "admin"}


@pytest.fixture
def capture(app):
    handler = Capture()
    logger = logging.getLogger("heartbeat")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


class Browser:
    """A test client that fills in CSRF tokens from the page, and remembers every secret."""

    def __init__(self, app, secrets: set[str], request_ids: list[str]):
        self.client = app.test_client()
        self.secrets = secrets
        self.request_ids = request_ids

    def _seen(self, response):
        self.request_ids.append(response.headers["X-Request-ID"])
        for token in CSRF.findall(response.get_data(as_text=True)):
            self.secrets.add(token)
        for cookie in self.client._cookies.values():
            self.secrets.add(cookie.value)
        return response

    def get(self, url: str):
        return self._seen(self.client.get(url))

    def submit(self, page: str, action: str | None = None, **data):
        html = self.get(page).get_data(as_text=True)
        token = CSRF.search(html).group(1)
        return self._seen(self.client.post(action or page, data={"csrf_token": token, **data}))

    def upload(self, page: str, field: str, content: bytes, name: str):
        html = self.get(page).get_data(as_text=True)
        token = CSRF.search(html).group(1)
        return self._seen(
            self.client.post(
                page,
                data={"csrf_token": token, field: (io.BytesIO(content), name)},
                content_type="multipart/form-data",
            )
        )


def test_the_main_flows_log_no_secret_and_no_health_data(app, capture):
    world = build_world(app)
    secrets: set[str] = {PASSWORD, NEW_PASSWORD, PORTAL_PASSWORD, COACH_PASSWORD}
    health: set[str] = set()
    for side in (world.a, world.b):
        secrets.add(side.invite_token)
        for record in side.records.values():
            health.update(record.name.split() + [f"Private note about {record.name.split()[0]}"])
    request_ids: list[str] = []

    def browser() -> Browser:
        return Browser(app, secrets, request_ids)

    # Failed sign-ins, then a lockout.
    visitor = browser()
    for _ in range(5):
        visitor.submit("/login", email=world.a.records["p2"].user_email, password="wrong guess 1")

    # A therapist's day: enrol, note, session with pain, portal invitation.
    therapist = browser()
    therapist.submit("/login", email=world.a.therapist_email, password=PASSWORD)
    details = form_data(
        given_name="Zebedee",
        family_name="Quinctilian",
        condition="Condition-text-not-for-logs",
        email="zebedee@example.org",
    )
    health.update({"Zebedee", "Quinctilian", "Condition-text-not-for-logs", "zebedee@example.org"})
    enrolled = therapist.submit(
        "/participants/new",
        **details,
        consent_data_processing="y",
        consent_recorded_on="2025-01-10",
    )
    assert enrolled.status_code == 302, enrolled.status_code
    pid = int(enrolled.headers["Location"].rstrip("/").split("/")[-1])
    health.add("Note-body-not-for-logs")
    therapist.submit(
        f"/participants/{pid}",
        f"/participants/{pid}/notes",
        body="Note-body-not-for-logs",
        shared="y",
    )
    health.add("Session-note-not-for-logs")
    logged = therapist.submit(
        f"/participants/{pid}/sessions/new",
        date="2025-05-01",
        time="09:30",
        kind="track",
        distance="5.2",
        duration="24:10",
        rpe="6",
        pain="7",
        pain_site="shoulder",
        notes="Session-note-not-for-logs",
    )
    assert logged.status_code == 302
    invited = therapist.submit(f"/participants/{pid}/invite", email="zebedee.portal@example.org")
    health.add("zebedee.portal@example.org")
    ready = therapist.get(invited.headers["Location"])  # the "Invitation ready" page
    portal_token = INVITE.search(ready.get_data(as_text=True)).group(1)
    secrets.add(portal_token)

    # The participant accepts, looks at their page and tries someone else's.
    participant = browser()
    accepted = participant.submit(
        f"/invite/{portal_token}", password=PORTAL_PASSWORD, confirm=PORTAL_PASSWORD
    )
    assert accepted.status_code == 302
    participant.get("/me")
    assert (
        participant.get(f"/participants/{world.a.records['p1'].participant_id}").status_code == 404
    )

    # An admin must enrol in two-factor sign-in; then signs in with a code and a recovery code.
    admin = browser()
    admin.submit("/login", email=world.a.admin_email, password=PASSWORD)
    totp_secret = setup_secret(admin.get("/account/two-factor").get_data(as_text=True))
    secrets.add(totp_secret)
    code = pyotp.TOTP(totp_secret).now()
    secrets.add(code)
    enrolled_mfa = admin.submit("/account/two-factor", code=code)
    codes = RECOVERY.findall(enrolled_mfa.get_data(as_text=True))
    assert len(codes) == 10
    secrets.update(codes)
    admin.submit("/home", "/logout")
    admin.submit("/login", email=world.a.admin_email, password=PASSWORD)
    assert admin.submit("/login/code", code=codes[0]).status_code == 302
    admin.get("/centre/staff")

    # Staff invitation, accepted; the participant lockout lifted; a CSV import with names.
    staffed = admin.submit(
        "/centre/staff",
        "/centre/staff/invite",
        name="Coach Person",
        email="coach.person@alpha.example",
        role="therapist",
    )
    ready = admin.get(staffed.headers["Location"])
    staff_token = INVITE.search(ready.get_data(as_text=True)).group(1)
    secrets.add(staff_token)
    browser().submit(f"/invite/{staff_token}", password=COACH_PASSWORD, confirm=COACH_PASSWORD)
    admin.submit("/centre/staff", f"/centre/users/{world.a.records['p2'].user_id}/unlock")
    template = admin.get("/participants/import/template.csv").get_data(as_text=True)
    header = template.lstrip("\ufeff").splitlines()[0].split(",")
    row = {name: "" for name in header}
    row.update(
        {
            "given_name": "Xanthippe",
            "family_name": "Ormsby",
            "date_of_birth": "1990-05-01",
            "impairment": "amputation",
            "racing_class": "T53",
            "enrolled_on": "2025-01-10",
            "classification_status": "C",
            "consent_data_processing": "yes",
            "consent_recorded_on": "2025-01-10",
            "condition": "Import-condition-not-for-logs",
        }
    )
    health.update({"Xanthippe", "Ormsby", "Import-condition-not-for-logs"})
    csv_text = ",".join(header) + "\n" + ",".join(row[name] for name in header) + "\n"
    imported = admin.upload("/participants/import", "file", csv_text.encode(), "people.csv")
    problems = re.findall(r'Problem">(.*?)<', imported.get_data(as_text=True))
    assert imported.status_code == 302, problems

    # Re-authenticated changes: a password change and an erasure.
    therapist.submit(
        "/account/password", current_password=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    erased = admin.submit(
        f"/participants/{pid}/erase", confirm_name="Zebedee Quinctilian", password=PASSWORD
    )
    assert erased.status_code == 302

    # Every line is one JSON object; none holds a secret or a health detail.
    events = capture.events()
    assert events, "nothing was logged"
    secrets.discard("")
    for line in capture.lines:
        for secret in secrets:
            assert secret not in line, f"a secret reached the log: {line[:300]}"
        for detail in health:
            assert detail not in line, f"{detail!r} reached the log: {line[:300]}"
    for event in events:
        assert not {"password", "token", "code", "condition", "pain", "notes", "body"} & set(event)

    # One request line per request, with its request id.
    request_lines = [e for e in events if e["logger"] == "heartbeat.request"]
    by_id: dict[str, int] = {}
    for event in request_lines:
        by_id[event["request_id"]] = by_id.get(event["request_id"], 0) + 1
        assert {"method", "path", "status", "ms", "endpoint"} <= set(event)
    for request_id in request_ids:
        assert by_id.get(request_id) == 1, request_id
    assert any(e.get("user_id") == world.a.therapist_id for e in request_lines)
    invite_lines = [e["path"] for e in request_lines if e["endpoint"] == "auth.accept_invite"]
    assert invite_lines and all(path == "/invite/[redacted]" for path in invite_lines)

    # Security events, by name, with ids only.
    security = [e for e in events if e["logger"] == "heartbeat.security"]
    said = {e["event"] for e in security}
    assert {
        "sign-in",
        "sign-in failed: wrong password",
        "sign-in source locked out",
        "authorisation refused",
    } <= said
    assert all("user_id" in e for e in security if e["event"] != "sign-in failed: unknown account")


def test_a_database_error_in_the_log_hides_the_statements_values(app, capture, world):
    log = logging.getLogger("heartbeat.errors")
    with app.app_context():
        try:
            db.session.execute(
                sa.text("INSERT INTO centre (id, name, slug) VALUES (:id, :name, :slug)"),
                {"id": world.a.centre.id, "name": "Secret-Name-Of-A-Person", "slug": "x"},
            )
        except IntegrityError:
            log.exception("unhandled error")
        db.session.rollback()
    (line,) = capture.lines
    error = json.loads(line)["error"]
    assert error.startswith("Traceback") and "IntegrityError" in error
    assert "details withheld from the log" in error
    # Neither the statement's values nor PostgreSQL's DETAIL ("Failing row contains (...)").
    assert "Secret-Name-Of-A-Person" not in line


def test_structured_fields_that_name_secrets_are_blanked(capture, app):
    logging.getLogger("heartbeat.test").warning(
        "careless", extra={"password": PASSWORD, "token": "abc", "user_id": 7}
    )
    (event,) = capture.events()
    assert event["password"] == "[redacted]" and event["token"] == "[redacted]"
    assert event["user_id"] == 7
