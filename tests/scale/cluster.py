"""Running the app as a deployment does: app servers and job workers in their own processes.

Each process gets its own instance folder, so nothing can pass between them except through
PostgreSQL and Redis, and every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], T], timeout: float, what: str, pause: float = 0.1) -> T:
    """The predicate's first truthy value, or AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(pause)


class Service:
    """One process of the deployment (an app server or a worker), its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.args = args
        self.env = {**env, "HEARTBEAT_INSTANCE_PATH": str(logs / f"{name}-instance")}
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def app_server(name: str, port: int, env: dict[str, str], logs: Path) -> Service:
    """gunicorn with one worker process: one app process per server, as small as it gets."""
    return Service(
        name,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "heartbeat:create_app()",
        ],
        env,
        logs,
    )


def worker(name: str, env: dict[str, str], logs: Path) -> Service:
    return Service(
        name,
        [sys.executable, "-m", "flask", "--app", "heartbeat", "worker", "--name", name],
        env,
        logs,
    )


def wait_for_http(service: Service, base: str, timeout: float = 45) -> None:
    def healthy() -> bool:
        if not service.alive():
            raise AssertionError(f"{service.name} exited:\n{service.log()}")
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_until(healthy, timeout, f"{service.name} to answer on {base}", pause=0.2)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


class Browser:
    """A person's browser: one cookie jar, whichever server it talks to."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "heartbeat-scale-test"

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.http.get(url, timeout=20, allow_redirects=False, **kwargs)

    def post_form(
        self, page_url: str, data: dict[str, str], action: str | None = None
    ) -> requests.Response:
        """Open the page for its CSRF token, then post the form (to ``action`` if given)."""
        page = self.get(page_url)
        assert page.status_code == 200, f"{page_url} answered {page.status_code}"
        return self.http.post(
            action or page_url,
            data={**data, "csrf_token": csrf_token(page.text)},
            timeout=20,
            allow_redirects=False,
        )

    def sign_in(self, base: str, email: str, password: str) -> requests.Response:
        return self.post_form(f"{base}/login", {"email": email, "password": password})
