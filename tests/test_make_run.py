"""`make run` serves the app with gunicorn, not Werkzeug's development server.

The attacker probe found ``Server: Werkzeug/…`` on the embedded default. Here the real target
runs (migrate, seed the demo, serve) on a free port with its own instance folder, and answers
as gunicorn, with the public address it was started on and no development server anywhere.
The installed environment is taken as it is (``-o``): the test never reinstalls it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
    pytest.mark.slow,
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_serves_with_gunicorn_on_the_port_it_is_given(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "HEARTBEAT_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONPATH": str(ROOT),
        "HEARTBEAT_LOG_LEVEL": "WARNING",
    }
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "HEARTBEAT_PUBLIC_URL", "FLASK_DEBUG"):
        env.pop(name, None)
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                response = requests.get(f"{base}/login", timeout=30)
                break
            except requests.ConnectionError:
                assert process.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.5)

        assert response.status_code == 200
        assert response.headers["Server"] == "gunicorn"
        profile = requests.get(f"{base}/verify/issuers/demo.json", timeout=30).json()
        # The issuer is the centre's did:web, built from the address make run serves on.
        host = base.split("://", 1)[1].replace(":", "%3A")
        assert profile["id"] == f"did:web:{host}:centres:demo"
        # First start outside development: a strong key was written, nothing was refused.
        key_file = (tmp_path / "instance" / "config.py").read_text()
        assert "SECRET_KEY = '" in key_file
        assert "Werkzeug" not in log.read_text()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
