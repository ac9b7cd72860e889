"""Hostile request headers: a Host Werkzeug cannot read answers a 400 page, and is logged.

A Host label longer than 63 characters makes Werkzeug refuse the host (``BadHost``) before
routing, so the request has no URL adapter; the error page used to crash in ``url_for`` and the
server answered a bare 500 that never reached the request log. The app runs here as in
production (exceptions are not propagated to the test), so a crash would show as a 500.
"""

from __future__ import annotations

import json
import logging

import pytest

from heartbeat.logs import JsonLineFormatter

LONG_LABEL = "a" * 64
HOSTILE_HOSTS = [
    f"{LONG_LABEL}.example",
    f"www.{LONG_LABEL}.example:8080",
    "x." + "b" * 300,
    "a..b",
    ".",
    "[::1",
    "heartbeat.test:99999999",
    "bad host with spaces",
    "évil.example",
    "\u2028.example",
]
PATHS = ["/", "/login", "/verify", "/verify/HM-2026-XXXX.json", "/no-such-page"]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.events: list[dict] = []

    def emit(self, record):
        self.events.append(json.loads(self.format(record)))


@pytest.fixture
def app_config():
    # As in production: an exception inside an error handler is not raised into the test.
    return {"PROPAGATE_EXCEPTIONS": False, "SERVER_NAME": None}


@pytest.fixture
def capture(app):
    handler = Capture()
    logger = logging.getLogger("heartbeat")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _request_lines(capture: Capture, request_id: str) -> list[dict]:
    return [
        event
        for event in capture.events
        if event.get("event") == "request" and event.get("request_id") == request_id
    ]


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
@pytest.mark.parametrize("path", PATHS)
def test_a_hostile_host_header_is_answered_and_logged(client, capture, host, path):
    response = client.get(path, headers={"Host": host})

    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    request_id = response.headers["X-Request-ID"]
    (line,) = _request_lines(capture, request_id)
    assert line["status"] == response.status_code
    assert line["method"] == "GET"
    assert not [event for event in capture.events if event.get("level") == "error"]


def test_the_bad_host_page_is_the_app_own_400_page_with_working_links(client):
    response = client.get("/", headers={"Host": f"{LONG_LABEL}.example"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Something in that request was not right" in page
    # The links are built (relative), not left out or pointing at the hostile host.
    assert 'href="/static/css/app.css"' in page
    assert LONG_LABEL not in page


def test_a_bad_host_asking_for_json_gets_json(client):
    response = client.get("/verify/keys/x.json", headers={"Host": f"{LONG_LABEL}.example"})

    assert response.status_code == 400
    assert response.get_json()["error"] == "Something in that request was not right"


@pytest.mark.parametrize(
    "app_config", [{"PROPAGATE_EXCEPTIONS": False, "HEARTBEAT_HTTPS": True, "SERVER_NAME": None}]
)
def test_a_hostile_forwarded_host_behind_the_proxy_is_answered_and_logged(client, capture):
    response = client.get(
        "/login",
        headers={"X-Forwarded-Host": f"{LONG_LABEL}.example", "X-Forwarded-Proto": "https"},
    )

    assert response.status_code == 400
    assert len(_request_lines(capture, response.headers["X-Request-ID"])) == 1


@pytest.mark.parametrize(
    "app_config", [{"PROPAGATE_EXCEPTIONS": False, "SERVER_NAME": None, "WTF_CSRF_ENABLED": True}]
)
def test_a_request_refused_before_routing_by_csrf_is_logged(client, capture):
    response = client.post("/login", data={"email": "a@b.example", "password": "x"})

    assert response.status_code == 400
    (line,) = _request_lines(capture, response.headers["X-Request-ID"])
    assert line["status"] == 400
    assert line["ms"] is not None


@pytest.mark.parametrize("offered", ["abc\x00def", "x" * 65, "id with spaces", "<script>", "é"])
def test_a_hostile_request_id_is_replaced_by_our_own(client, offered):
    response = client.get("/login", headers={"X-Request-ID": offered})

    assert response.status_code == 200
    assert response.headers["X-Request-ID"] != offered
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_proxy_request_id_is_kept(client):
    response = client.get("/login", headers={"X-Request-ID": "edge-7f3a.91:2"})

    assert response.headers["X-Request-ID"] == "edge-7f3a.91:2"
