"""Property-based fuzzing of every form and upload, as a user allowed to send it.

The endpoints come from the URL map (every one that takes a POST) and their fields from the
forms the pages really show (``forms.crawl``), so a new form is fuzzed without touching this file.
Generated values: unicode of every category (control characters and NUL included), empty
strings, very long strings, huge and odd numbers, impossible dates, markup, several values for one
field, files where text is expected and random bytes under any file name.

What must hold for every request: never a 5xx; a 4xx changes nothing in the database (every
table compared); a success leaves pages that still render (the page it redirects to, and the
form's own page), and any change to participant data comes with its audit row.

Bounded for CI: ``FUZZ_EXAMPLES`` examples per endpoint (25 unless set) and a deadline per
example; derandomised under CI so a failure there replays the same way locally.
"""

from __future__ import annotations

import io
import logging
import os
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartbeat.auth.forms import ConfirmPasswordForm, SecondFactorForm, SetPasswordForm
from heartbeat.certificates.forms import RenewForm
from heartbeat.extensions import db
from heartbeat.jobs.models import Job, JobState
from heartbeat.plans.forms import ConfirmForm as PlansConfirmForm
from heartbeat.plans.forms import SquadSessionForm
from tests.harness import make_app
from tests.helpers import signed_in
from tests.security.access import ENDPOINTS, ROLES, SIGNS_OUT_ON_POST, expected
from tests.security.forms import Field, crawl
from tests.security.urls import Browsers, answer, build_url, email_of, fill
from tests.security.world import changed_tables, table_digests

# Hypothesis: many generated requests per form.
pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# POST endpoints no page shows a form for in the security world, with where their fields come
# from: the form class the view uses (None: the request has no fields at all).
NOT_CRAWLED = {
    "auth.keep_alive": None,  # sent by the idle-warning script
    "auth.login_second_factor": SecondFactorForm,  # only half-way through two-factor sign-in
    "auth.mfa_disable": ConfirmPasswordForm,  # only with two-factor on
    "auth.mfa_recovery_codes": ConfirmPasswordForm,
    "auth.revoke_token": None,  # shown only beside a token, and the world makes none
    # shown only for a certificate that expires, and the world's never do
    "certificates.renew": RenewForm,
    "auth.reset_password": SetPasswordForm,  # only through an emailed or admin-made link
    "outbox.unsubscribe": None,  # only through a link in an email
    "admin.retry_email": None,  # shown only beside a failed email
    # shown only while a default template is missing; the world has them all
    "plans.add_default_templates": PlansConfirmForm,
    # the rows appear once a squad or people are chosen (a query string the crawl does not add)
    "plans.new_squad_session": SquadSessionForm,
    # shown only beside a retired template, and the world's are all in use
    "plans.restore_template": PlansConfirmForm,
    "plans.revoke_feed": PlansConfirmForm,  # shown only while a feed exists; the world has none
    # shown only beside an unavailable day in the week on screen, and the world's plan (a fixed
    # date) is not this week's
    "plans.clear_unavailable": PlansConfirmForm,
}
# Changes to participant data made without an audit row of their own, and why.
AUDIT_EXEMPT = {
    # Recomputing re-derives each participant's current stage from their awards, which are
    # audited when they change; the derived pointer itself is not participant-entered data.
    "progress.recompute": "derived current stage",
}
# Tables whose rows are a participant's data: changing them writes the audit trail.
PARTICIPANT_DATA = frozenset(
    {
        "participant",
        "consent",
        "equipment_fitting",
        "participant_note",
        "status_change",
        "training_session",
        "activity_file",
        "award",
        "red_flag",
        "measure_response",
        "measure_answer",
    }
)


def _post_endpoints() -> list[str]:
    app = make_app("sqlite://")
    # The API takes JSON, not forms: Schemathesis fuzzes it (tests/api/test_schemathesis.py).
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.endpoint.startswith("api.")
    )


def pytest_generate_tests(metafunc):
    if "post_endpoint" in metafunc.fixturenames:
        metafunc.parametrize("post_endpoint", _post_endpoints())


# --- what the forms look like ---------------------------------------------------------------------


@dataclass
class Target:
    endpoint: str
    role: str
    record: str  # "own" or "another": whose record the URL names
    fields: dict[str, Field]
    multipart: bool


def _allowed(endpoint: str, role: str) -> str | None:
    access = ENDPOINTS[endpoint]
    rule = access.rule(role)
    if access.public and role == "anonymous":
        return "own"  # public forms are fuzzed as a visitor, whatever they answer
    for record in ("own", "another"):
        if expected(rule, "own", record) in ("ok", "signout"):
            return record
    return None


def _fields_of_form_class(form_class) -> dict[str, Field]:
    if form_class is None:
        return {}
    kinds = {"PasswordField": "password", "StringField": "text", "BooleanField": "checkbox"}
    with make_app("sqlite://").test_request_context():
        form = form_class(meta={"csrf": False})
        return {f.name: Field(f.name, kinds.get(f.type, "text")) for f in form}


@pytest.fixture(scope="module")
def found_forms(shared_app, shared_world):
    return crawl(shared_app, shared_world, Browsers(shared_app, shared_world), fill, build_url)


def _choose(found, method: str) -> dict[str, Target]:
    """Each endpoint's form, as the first role allowed to send it sees it."""
    chosen: dict[str, Target] = {}
    for endpoint, forms in found.items():
        for item in forms:
            if item.form.method != method:
                continue
            record = _allowed(endpoint, item.role)
            if record is not None and endpoint not in chosen:
                chosen[endpoint] = Target(
                    endpoint, item.role, record, item.form.fields, item.form.multipart
                )
    return chosen


@pytest.fixture(scope="module")
def targets(found_forms) -> dict[str, Target]:
    chosen = _choose(found_forms, "POST")
    for endpoint, form_class in NOT_CRAWLED.items():
        role = next(r for r in ROLES if _allowed(endpoint, r))
        chosen.setdefault(
            endpoint,
            Target(
                endpoint, role, _allowed(endpoint, role), _fields_of_form_class(form_class), False
            ),
        )
    return chosen


def test_every_post_endpoint_has_a_form_to_fuzz(targets):
    missing = sorted(set(_post_endpoints()) - set(targets))
    assert not missing, (
        f"no page shows a form for {missing}: make the security world show one "
        "(tests/security/world.py) or name its form class in NOT_CRAWLED"
    )


# --- the values -----------------------------------------------------------------------------------

ABSENT = object()
# Every Unicode category but surrogates (which cannot travel as UTF-8).
ANY_CHAR = st.characters(codec="utf-8")
SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\t\n\r",
        "\u202e\u200b\ufeff",
        "0",
        "-1",
        "-0",
        "1e308",
        "-1e309",
        "NaN",
        "Infinity",
        "99999999999999999999999999999999",
        "0x1F",
        "2025-02-30",
        "0000-00-00",
        "9999-12-31",
        "0001-01-01",
        "25:61",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../../etc/passwd",
        "%s%s%n",
        "{{ 7*7 }}",
        "\U0001f3c1" * 50,
    ]
)
TEXT = st.one_of(
    SPECIAL,
    st.text(ANY_CHAR, max_size=60),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=200, max_value=200_000).map(lambda n: "x" * n),
)
NUMBERS = st.one_of(
    st.sampled_from([2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -1, 0]).map(str),
    st.integers().map(str),
)
FILE_BYTES = st.one_of(
    st.binary(max_size=4096),
    st.sampled_from(
        [
            b"",
            b"\x7fELF\x02\x01\x01" + b"\0" * 200,  # an executable
            b"MZ\x90\x00" + b"\0" * 200,
            b"\x89PNG\r\n\x1a\n" + b"\0" * 64,  # a PNG header on nothing
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>1</script></svg>',
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><gpx>&a;</gpx>',
            "given_name,family_name\nÅsa,Ölund\n".encode(),
            b"\xff\xfe" + "d,a,t,e\n".encode("utf-16-le"),
        ]
    ),
)
FILE_NAMES = st.one_of(
    st.sampled_from(["a.png", "a.svg", "a.gpx", "a.csv", "a.fit", "../../static/x.html", ""]),
    st.text(ANY_CHAR, max_size=40),
)
FILE = st.tuples(FILE_BYTES, FILE_NAMES).map(lambda t: (io.BytesIO(t[0]), t[1]))


def _value(item: Field, files: bool = True):
    if item.kind == "file":
        return st.one_of(FILE, TEXT) if files else TEXT
    if item.options:
        choice = st.sampled_from(item.options)
        return st.one_of(
            choice, choice, TEXT, NUMBERS, st.lists(st.one_of(choice, NUMBERS), max_size=3)
        )
    if item.kind == "date":
        return st.one_of(st.dates().map(lambda d: d.isoformat()), TEXT)
    if item.kind in ("hidden", "number"):  # ids, versions, counts
        return st.one_of(NUMBERS, NUMBERS, TEXT, st.lists(NUMBERS, min_size=2, max_size=3))
    # Wrong types too: a file where text is expected, several values for one field.
    if not files:
        return st.one_of(TEXT, TEXT, TEXT, st.lists(TEXT, min_size=2, max_size=3))
    return st.one_of(TEXT, TEXT, TEXT, FILE, st.lists(TEXT, min_size=2, max_size=3))


def form_data(fields: dict[str, Field], files: bool = True):
    """A dictionary of generated values, some fields left out, maybe one unknown field more."""
    parts = {
        name: st.one_of(st.just(ABSENT), _value(item, files), _value(item, files))
        for name, item in fields.items()
    }
    extra = st.dictionaries(st.text(ANY_CHAR, min_size=1, max_size=12), TEXT, max_size=1)
    return st.tuples(st.fixed_dictionaries(parts), extra).map(
        lambda t: {**t[1], **{k: v for k, v in t[0].items() if v is not ABSENT}}
    )


# --- the property -------------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    """What the error handlers logged: a 500, or a value the database refused."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def _settle(app, timeout: float = 60.0) -> None:
    """Wait for background jobs a request started: their changes belong to that request."""
    deadline = time.monotonic() + timeout
    with app.app_context():
        while True:
            busy = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Job)
                .where(Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
                .execution_options(all_centres=True)
            )
            db.session.rollback()
            if not busy:
                return
            assert time.monotonic() < deadline, "background jobs did not finish"
            time.sleep(0.05)


def _local(location: str) -> str | None:
    if location.startswith("/") and not location.startswith(("//", "/login")):
        return location
    return None


def test_generated_input_never_breaks_a_form(app, security_world, targets, post_endpoint):
    target = targets[post_endpoint]
    world = security_world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == post_endpoint)
    values = {arg: fill(world, arg, target.role, "own", target.record) for arg in rule.arguments}
    url = build_url(app, post_endpoint, values)
    signs_out = (
        ENDPOINTS[post_endpoint].rule(target.role) == "signout"
        or post_endpoint in SIGNS_OUT_ON_POST
    )
    browser = {"client": None}

    def client():
        if browser["client"] is None:
            browser["client"] = (
                app.test_client()
                if target.role == "anonymous"
                else signed_in(app, email_of(world, target.role))
            )
        return browser["client"]

    refusals = _ErrorLog()
    logging.getLogger("heartbeat.errors").addHandler(refusals)

    @settings(
        max_examples=EXAMPLES,
        deadline=timedelta(seconds=5),
        database=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )
    @given(data=form_data(target.fields))
    def post_it(data):
        browser_now = client()
        before = table_digests(app)
        refusals.records.clear()
        response = browser_now.post(url, data=data)
        _settle(app)
        status = response.status_code
        assert status < 500, f"{post_endpoint} answered {status} to {data!r:.600}"
        # The form's own checks must catch bad values, not the database.
        assert not refusals.records, f"{post_endpoint}: {refusals.records} for {data!r:.600}"
        got = answer(response)
        if signs_out:
            browser["client"] = None
        elif target.role != "anonymous":
            assert got != "login", f"{post_endpoint} signed {target.role} out"
        changed = changed_tables(before, table_digests(app))
        if 400 <= status < 500:
            assert not changed, f"{post_endpoint} answered {status} but changed {changed}"
            return
        if PARTICIPANT_DATA.intersection(changed) and post_endpoint not in AUDIT_EXEMPT:
            assert "audit_event" in changed, f"{post_endpoint} changed {changed}, no audit row"
        follow = _local(response.headers.get("Location", "")) if status in (302, 303) else None
        pages = [follow] if follow else []
        if "GET" in rule.methods and not signs_out:
            pages.append(url)
        for page in pages:
            again = client().get(page)
            assert again.status_code < 500, f"{page}: {again.status_code} after {data!r:.600}"

    try:
        post_it()
    finally:
        logging.getLogger("heartbeat.errors").removeHandler(refusals)


# --- GET forms: filters and searches -----------------------------------------------------------


@pytest.fixture(scope="module")
def get_targets(found_forms) -> dict[str, Target]:
    return _choose(found_forms, "GET")


def _query_fuzzer(client, url: str, endpoint: str, fields: dict[str, Field]):
    @settings(
        max_examples=EXAMPLES,
        deadline=timedelta(seconds=5),
        database=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(query=form_data(fields, files=False))
    def get_it(query):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, f"{endpoint} answered {response.status_code}: {query}"

    return get_it


def test_generated_query_strings_never_break_a_filter(shared_app, shared_world, get_targets):
    """Every GET form (caseload filters, register filters, audit search...): fuzzed query
    strings never answer 5xx and never change anything."""
    assert get_targets, "no GET forms found: the crawl is broken"
    app, world = shared_app, shared_world
    failures = []
    for endpoint, target in sorted(get_targets.items()):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        values = {a: fill(world, a, target.role, "own", target.record) for a in rule.arguments}
        client = (
            app.test_client()
            if target.role == "anonymous"
            else signed_in(app, email_of(world, target.role))
        )
        before = table_digests(app)
        try:
            _query_fuzzer(client, build_url(app, endpoint, values), endpoint, target.fields)()
        except AssertionError as error:
            failures.append(str(error))
        if changed_tables(before, table_digests(app)):
            failures.append(f"{endpoint}: a GET changed the database")
    assert not failures, "\n".join(failures)
