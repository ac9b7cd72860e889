"""A check by serial takes as long whether the serial exists or not (HEARTBEAT_VERIFY_MIN_MS),
and the issuers' documents have their own rate limit, apart from the serial checks'."""

from __future__ import annotations

import statistics
import time

import pytest

UNKNOWN = "HM-2026-AAAA-BBBB-CCCC"


def _median_ms(client, path: str, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_known_and_unknown_serials_answer_in_the_same_time(app, client, world, certs, suffix):
    floor = app.config["HEARTBEAT_VERIFY_MIN_MS"]
    assert floor >= 50
    serial = certs.certificate(certs.issue(world.a, certs.achiever(world.a))).serial
    assert client.get(f"/verify/{serial}{suffix}").status_code == 200
    assert client.get(f"/verify/{UNKNOWN}{suffix}").status_code == 404

    known = _median_ms(client, f"/verify/{serial}{suffix}")
    unknown = _median_ms(client, f"/verify/{UNKNOWN}{suffix}")

    assert known >= floor and unknown >= floor
    # Without the floor a found certificate took ~7 ms longer here (its page and consent).
    assert abs(known - unknown) < floor / 4, (known, unknown)


@pytest.mark.parametrize(
    "app_config", [{"HEARTBEAT_VERIFY_RATE_LIMIT": "2 per minute", "RATELIMIT_ENABLED": True}]
)
def test_the_issuer_documents_do_not_spend_the_serial_checks_limit(client, world, certs):
    certs.issue(world.a, certs.achiever(world.a))
    slug = world.a.centre.slug
    for _ in range(5):
        assert client.get(f"/centres/{slug}/did.json").status_code == 200
        assert client.get(f"/verify/status/{slug}.json").status_code == 200
    assert client.get(f"/verify/{UNKNOWN}").status_code == 404
    assert client.get(f"/verify/{UNKNOWN}").status_code == 404
    assert client.get(f"/verify/{UNKNOWN}").status_code == 429
