"""Asking for reset links is rate limited per client address and per email address."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(mail_config):
    return {
        **mail_config,
        "RATELIMIT_ENABLED": True,
        "HEARTBEAT_RESET_ANSWER_MS": 0,
        "HEARTBEAT_RESET_RATE_LIMIT": "4 per minute",
        "HEARTBEAT_RESET_ACCOUNT_RATE_LIMIT": "2 per hour",
    }


def _ask(client, email, ip="198.51.100.7"):
    return client.post("/login/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


def test_one_address_asking_too_often_is_refused(client, world):
    assert _ask(client, "a@example.org").status_code == 200
    assert _ask(client, "a@example.org").status_code == 200
    assert _ask(client, "a@example.org").status_code == 429  # per email address
    assert _ask(client, "b@example.org").status_code == 200
    assert _ask(client, "c@example.org").status_code == 429  # per client: 4 a minute
    assert _ask(client, "d@example.org", ip="198.51.100.8").status_code == 200
