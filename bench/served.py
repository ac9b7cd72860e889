"""The app served for real, as a deployment runs it (gunicorn), and a browser to talk to it.

For benchmark parts and tests that need real processes, real sockets and real concurrency
rather than Flask's in-process test client.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
REQUEST_TIMEOUT_S = 60
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(
    database_url: str,
    *,
    env: Mapping[str, str] | None = None,
    workers: int = 2,
    threads: int = 4,
) -> Iterator[str]:
    """The app under gunicorn on ``database_url`` (plus ``env``); yields its base URL.

    The database must already have its tables. The server is stopped on the way out.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hm-served-") as folder:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "HEARTBEAT_INSTANCE_PATH": str(Path(folder) / "instance"),
            "HEARTBEAT_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        log_path = Path(folder) / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    *(sys.executable, "-m", "gunicorn"),
                    *("--workers", str(workers), "--threads", str(threads)),
                    *("--bind", f"127.0.0.1:{port}", "--timeout", "120"),
                    *("--log-level", "warning", "heartbeat:create_app()"),
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(server, base, log_path)
            yield base
        finally:
            _stop(server)


def _wait_until_healthy(server: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not answer within 60 s")
        time.sleep(0.2)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1) or found.group(2)


class Browser:
    """One person's cookie jar, talking to the served app."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "heartbeat-served"

    def token(self, path: str) -> str:
        """The CSRF token of the form on ``path`` (a GET)."""
        page = self.http.get(self.base + path, timeout=REQUEST_TIMEOUT_S)
        if page.status_code != 200:
            raise RuntimeError(f"{path} answered {page.status_code}")
        return csrf_token(page.text)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.http.post(
            self.base + path, data=data, timeout=REQUEST_TIMEOUT_S, allow_redirects=False, **kwargs
        )

    def sign_in(self, email: str, password: str) -> requests.Response:
        token = self.token("/login")
        return self.post("/login", {"email": email, "password": password, "csrf_token": token})
