"""The database goes away mid-run and comes back: 503s meanwhile, recovery without a restart.

PostgreSQL on 127.0.0.1:5432 is reached through a small TCP relay that the test can cut and
restore, so the real server keeps running for everyone else while this app loses it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import Role
from heartbeat.centres.models import Centre
from heartbeat.db import scratch_postgres_database
from heartbeat.extensions import db
from tests.harness import make_app
from tests.helpers import PASSWORD, add_user

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Relay:
    """Forwards a local port to PostgreSQL; ``cut()`` drops every connection and refuses more."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        self.up = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def postgres_through_relay(tmp_path, monkeypatch):
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_postgres_database(PG_ADMIN_URL, "hm_down"))
        except sa.exc.OperationalError:
            if os.environ.get("CI"):
                raise
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        relay = Relay(("127.0.0.1", 5432))
        stack.callback(relay.close)
        monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
        app = make_app(sa.make_url(url).set(port=relay.port).render_as_string(hide_password=False))
        with app.app_context():
            db.create_all()
            centre = Centre(name="Down Town", slug="down")
            db.session.add(centre)
            db.session.flush()
            add_user(centre, "therapist@down.example", Role.THERAPIST)
            db.session.commit()
        try:
            yield app, relay
        finally:
            with app.app_context():
                db.engine.dispose()


def test_pages_answer_503_while_the_database_is_gone_and_recover_when_it_returns(
    postgres_through_relay,
):
    app, relay = postgres_through_relay
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": "therapist@down.example", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/healthz").status_code == 200
    assert client.get("/account").status_code == 200

    relay.cut()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"] == "unreachable"
    page = client.get("/account")
    assert page.status_code == 503
    assert "briefly unavailable" in page.get_data(as_text=True)

    relay.restore()
    # No restart: the pool notices dead connections (pre-ping) and opens new ones.
    assert client.get("/healthz").status_code == 200
    assert client.get("/account").status_code == 200
