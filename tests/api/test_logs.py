"""No token reaches a log: not when it is made (page or command line), used, refused, rate
limited, or revoked, nor its digest. The app's own JSON formatter captures every ``heartbeat``
line, the root logger every other library's, while the whole life of tokens runs."""

from __future__ import annotations

import logging
import re

from heartbeat.auth import tokens as token_services
from heartbeat.logs import JsonLineFormatter
from tests.api.conftest import bearer
from tests.helpers import PASSWORD

TOKEN = re.compile(r'value="(hbm_[A-Za-z0-9_\-]+)"')


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_tokens_appear_in_no_log(app, world, runner_for):
    capture = Capture()
    watched = [logging.getLogger("heartbeat"), logging.getLogger()]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    secrets: list[str] = []
    try:
        browser = app.test_client()
        browser.post("/login", data={"email": world.a.admin_email, "password": PASSWORD})
        page = browser.post("/account/tokens", data={"name": "n", "scope": "write", "days": "7"})
        secrets += TOKEN.findall(page.get_data(as_text=True))
        result = runner_for(app).invoke(
            args=["create-token", "--email", world.a.therapist_email, "--name", "cli"]
        )
        secrets.append(result.stdout.strip())
        assert len(secrets) == 2 and all(s.startswith("hbm_") for s in secrets)

        client = app.test_client()
        p1 = world.a.records["p1"]
        for secret in secrets:
            headers = bearer(secret)
            client.get("/api/v1/me", headers=headers)
            client.get(f"/api/v1/participants/{p1.participant_id}/sessions", headers=headers)
            client.get("/api/v1/participants?limit=0", headers=headers)  # 422
            client.get(
                f"/api/v1/participants/{world.b.records['p1'].participant_id}", headers=headers
            )  # 404, a refusal the security log notes
            client.post(
                f"/api/v1/participants/{p1.participant_id}/sessions",
                headers=headers,
                json={"started_at": "2026-01-05T09:30", "kind": "road", "distance_m": 3000},
            )
            client.get("/api/v1/me", headers=bearer(secret + "x"))  # refused
            client.get("/api/v1/me", headers={"Authorization": secret})  # no scheme
        token_id = browser.get("/account/connections").get_data(as_text=True)
        found = re.search(r'name="token_id" value="(\d+)"', token_id)
        browser.post("/account/tokens/revoke", data={"token_id": found.group(1)})
        client.get("/api/v1/me", headers=bearer(secrets[0]))  # revoked
    finally:
        for logger, level in zip(watched, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)

    text = "\n".join(capture.lines)
    assert "API token refused" in text and '"endpoint": "api.get_me"' in text
    for secret in secrets:
        for needle in (secret, secret[len("hbm_") :], token_services.digest(secret)):
            assert needle not in text
        # Nor a long piece of it (a log cut to a length).
        assert secret[4:20] not in text
