"""The access-control matrix: every endpoint × every role × own/other centre × own/another's record.

The endpoints come from the app's URL map and their expected answers from ``access.ENDPOINTS``.
GET endpoints are fetched; POST-only endpoints get an empty POST (CSRF is off in the tests, so the
permission checks are what answers). A refused request must change nothing in the database
(every table's rows are compared before and after); an allowed one must not answer 403/404.
Endpoints that take a POST as well as a GET are also sent an empty POST by every role that is
refused the GET, which must be refused too and change nothing.

Every answer is also checked for the security headers (CSP, nosniff, referrer and permissions
policies; no-store whenever someone is signed in) and every rendered page for inline code.

The second half walks sequential ids: for every id-taking endpoint, each staff role (and a
participant) tries ids 1..N of the table the id names; every id of the other centre, of nobody,
or of no row at all answers 404 (or the role's blanket 403), never the object; ids too large
for the database are simply not found.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from heartbeat.auth.models import Invite, User
from heartbeat.centres.models import Centre
from heartbeat.certificates.models import Certificate
from heartbeat.jobs.models import Job
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.participants.models import Participant
from heartbeat.plans.models import Plan, PlannedSession, PlanTemplate, Squad, TemplateSession
from heartbeat.progress.models import Award, LadderStage
from heartbeat.safety.models import RedFlag
from heartbeat.training.models import TrainingSession
from tests.security.access import ALLOWED, ENDPOINTS, ENDS_SESSION, ROLES, expected
from tests.security.urls import Browsers, answer, build_url, fill
from tests.security.world import SecurityWorld, changed_tables, ids_of, table_digests

INLINE_CODE = {
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "an event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "a style block": re.compile(r"<style\b", re.IGNORECASE),
}
# Shown inside a frame of the site's own pages (the design page's live preview).
FRAMED = frozenset({"certificates.branding_preview"})
CASES = (("own", "own"), ("own", "another"), ("other", "own"), ("other", "another"))
ID_MODELS = {
    "participant_id": Participant,
    "session_id": TrainingSession,
    "award_id": Award,
    "stage_id": LadderStage,
    "user_id": User,
    "invite_id": Invite,
    "centre_id": Centre,
    "certificate_id": Certificate,
    "job_id": Job,
    "plan_id": Plan,
    "planned_id": PlannedSession,
    "template_id": PlanTemplate,
    "template_session_id": TemplateSession,
    "squad_id": Squad,
    "flag_id": RedFlag,
    "measure_id": Measure,
    "response_id": MeasureResponse,
}
# URL arguments that name no row: secrets, a date (a day marked unavailable), and a
# question's place in its questionnaire.
NOT_IDS = frozenset({"token", "day", "number"})


@pytest.fixture(scope="module")
def app(shared_app):
    return shared_app


@pytest.fixture(scope="module")
def world(shared_world) -> SecurityWorld:
    return shared_world


def rules_of(app) -> dict[str, Rule]:
    # The API answers tokens, never the session cookie: tests/api/test_access_matrix.py covers
    # every one of its operations.
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith("api.")
    }


def method_of(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def header_problems(response, role: str, endpoint: str) -> list[str]:
    """What the response lacks of the headers every answer carries."""
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'"):
        if directive not in policy:
            problems.append(f"CSP without {directive}")
    framing = {"frame-ancestors 'none'"}
    if endpoint in FRAMED:
        framing.add("frame-ancestors 'self'")
    if not any(directive in policy for directive in framing):
        problems.append("CSP lets other sites frame it")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("CSP allows inline code")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    for name in ("Referrer-Policy", "Permissions-Policy"):
        if not response.headers.get(name):
            problems.append(f"no {name}")
    if response.mimetype == "text/html":
        # Rendered pages too (charts and panels are built in Python): nothing inline.
        html = response.get_data(as_text=True)
        for name, pattern in INLINE_CODE.items():
            if pattern.search(html):
                problems.append(f"the page has {name}")
    signed_in = role != "anonymous" and endpoint not in ("static", "home.healthz", "home.favicon")
    if signed_in and response.headers.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control {response.headers.get('Cache-Control')!r}, not no-store")
    return problems


# --- the table covers the URL map -----------------------------------------------------------------


def test_every_endpoint_is_declared_in_the_policy_table(app):
    endpoints = set(rules_of(app))
    undeclared = sorted(endpoints - set(ENDPOINTS))
    stale = sorted(set(ENDPOINTS) - endpoints)
    assert not undeclared, f"declare these endpoints in tests/security/access.py: {undeclared}"
    assert not stale, f"these declared endpoints no longer exist: {stale}"


def test_public_endpoints_are_exactly_the_declared_ones(app):
    public = sorted(name for name, access in ENDPOINTS.items() if access.public)
    assert public == sorted(
        [
            "api_docs.docs",
            "api_docs.openapi_json",
            "auth.accept_invite",
            "auth.forgot_password",
            "auth.login",
            "auth.login_second_factor",
            "auth.reset_password",
            "certificates.achievement",
            "certificates.check_credential",
            "certificates.credential",
            "certificates.did_document",
            "certificates.issuer",
            "certificates.jwks",
            "certificates.status_list",
            "certificates.verify",
            "certificates.verify_form",
            "home.favicon",
            "home.healthz",
            "outbox.unsubscribe",
            "plans.calendar_feed",
            "static",
        ]
    )
    for name, access in ENDPOINTS.items():
        if not access.public:
            assert access.anonymous == "login", f"{name} must send visitors to sign in"


# --- the matrix ---------------------------------------------------------------------------------


def _cases(rule: Rule) -> list[tuple[str, str]]:
    return list(CASES) if rule.arguments else [("own", "own")]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_endpoint_answers_every_role_as_declared(app, world, endpoint):
    rule = rules_of(app).get(endpoint)
    if rule is None:
        pytest.skip(f"{endpoint} is not in this app's URL map")
    access = ENDPOINTS[endpoint]
    method = method_of(rule)
    browsers = Browsers(app, world)
    planned = []
    for role in ROLES:
        for centre, record in _cases(rule):
            values = {arg: fill(world, arg, role, centre, record) for arg in rule.arguments}
            want = expected(access.rule(role), centre, record)
            planned.append((role, centre, record, build_url(app, endpoint, values), want))
    for role in ROLES:  # sign in first: signing in writes to the database
        browsers(role)

    # Refused requests first, all inside one window that must leave the database as it was.
    refused = [case for case in planned if case[4] not in ALLOWED]
    before = table_digests(app)
    failures = []
    for role, centre, record, url, want in refused:
        response = browsers(role).open(url, method=method)
        got = answer(response)
        if got != want:
            failures.append(
                f"{role} {method} {url} ({centre} centre, {record} record): "
                f"expected {want}, got {got}"
            )
        problems = header_problems(response, role, endpoint)
        failures += [f"{role} {method} {url}: {problem}" for problem in problems]
        if method == "GET" and "POST" in rule.methods:
            got_post = answer(browsers(role).post(url))
            if got_post not in ("login", "403", "404"):
                failures.append(f"{role} POST {url}: refused GET but POST answered {got_post}")
    changed = changed_tables(before, table_digests(app))
    assert not changed, f"refused requests to {endpoint} changed tables {changed}"

    for role, centre, record, url, want in planned:
        if want not in ALLOWED:
            continue
        if endpoint in ENDS_SESSION:
            browsers.forget(role)
        response = browsers(role).open(url, method=method)
        got = answer(response)
        if want == "signout":
            ok = got == "login"
        else:
            ok = got == "ok"
        if not ok:
            failures.append(
                f"{role} {method} {url} ({centre} centre, {record} record): "
                f"expected {want}, got {got} ({response.status_code})"
            )
        if want != "signout":  # the answer after signing out is a signed-out one
            failures += [
                f"{role} {method} {url}: {p}" for p in header_problems(response, role, endpoint)
            ]
    assert not failures, "\n".join(failures)


# --- sequential ids -----------------------------------------------------------------------------


def _id_routes(app) -> list[str]:
    return sorted(
        name
        for name, rule in rules_of(app).items()
        if any(arg in ID_MODELS for arg in rule.arguments)
    )


def _owners(app) -> dict[str, dict[int, int | None]]:
    return {arg: ids_of(app, model) for arg, model in ID_MODELS.items()}


def _award_participant(app) -> dict[int, int]:
    from heartbeat.extensions import db

    with app.app_context():
        rows = db.session.execute(
            Award.__table__.select().with_only_columns(Award.id, Award.participant_id)
        ).all()
        db.session.rollback()
    return dict(rows)


def test_the_id_walk_covers_every_id_taking_endpoint(app):
    for name in _id_routes(app):
        rule = rules_of(app)[name]
        unknown = [arg for arg in rule.arguments if arg not in ID_MODELS and arg not in NOT_IDS]
        assert not unknown, f"{name}: teach the id walk which table {unknown} name"


@pytest.mark.parametrize("role", ["therapist", "admin", "participant"])
def test_walking_sequential_ids_never_reaches_another_centre(app, world, role):
    owners = _owners(app)
    award_owner = _award_participant(app)
    own_centre = world.a.centre_id
    browsers = Browsers(app, world)
    client = browsers(role)
    failures: list[str] = []
    before = table_digests(app)
    for name in _id_routes(app):
        rule = rules_of(app)[name]
        method = method_of(rule)
        blanket = ENDPOINTS[name].rule(role) if name in ENDPOINTS else "404"
        for arg in [a for a in rule.arguments if a in ID_MODELS]:
            table = owners[arg]
            for candidate in range(1, max(table) + 3):
                if table.get(candidate, -1) == own_centre:
                    continue  # the matrix covers the centre's own objects
                values = {other: fill(world, other, role, "own", "own") for other in rule.arguments}
                values[arg] = candidate
                if arg == "award_id" and "participant_id" in values and candidate in award_owner:
                    values["participant_id"] = award_owner[candidate]  # a consistent pair
                url = build_url(app, name, values)
                got = answer(client.open(url, method=method))
                want = "403" if blanket == "403" else "404"
                if name == "admin.operator_invite_admin":
                    want = "403"  # only the operator may, for any centre
                if got != want:
                    failures.append(f"{role} {method} {url}: expected {want}, got {got}")
    changed = changed_tables(before, table_digests(app))
    assert not changed, f"walking ids as {role} changed tables {changed}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_simply_not_found(app, world, huge):
    browsers = Browsers(app, world)
    client = browsers("admin")
    failures = []
    before = table_digests(app)
    for name in _id_routes(app):
        rule = rules_of(app)[name]
        for arg in [a for a in rule.arguments if a in ID_MODELS]:
            values = {other: fill(world, other, "admin", "own", "own") for other in rule.arguments}
            url = build_url(app, name, {**values, arg: huge})
            assert str(huge) in url
            response = client.open(url, method=method_of(rule))
            if response.status_code != 404:
                failures.append(f"{method_of(rule)} {url}: {response.status_code}")
    assert changed_tables(before, table_digests(app)) == []
    assert not failures, "\n".join(failures)
