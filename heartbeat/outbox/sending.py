"""The background sender: delivers due emails from the outbox, retrying with backoff.

Who runs it:

- with ``REDIS_URL``, the RQ worker (``flask --app heartbeat worker``): a commit that queued an
  email puts one "send the outbox" task on the job queue, and the worker's maintenance sends
  whatever is due (retries) every heartbeat interval;
- without Redis (development, tests), a thread of the web process, started by that commit; it
  stays while emails are waiting for a retry and ends when the outbox is empty.

``send_due`` is safe to run in several places at once: each email is claimed with a conditional
UPDATE before it is sent. A request never talks to the mail server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, orm

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.mail import MailNotSent, build_message, deliver
from heartbeat.outbox.models import EmailState, OutboxEmail
from heartbeat.outbox.services import WAKE_FLAG

log = logging.getLogger("heartbeat.mail")

EMAIL = OutboxEmail.__table__
# An email claimed this long ago and still "sending" was being sent by a process that died.
STALE_CLAIM = timedelta(minutes=5)
BATCH = 50
# The thread sender looks again at least this often while emails wait for a retry.
THREAD_POLL_S = 30.0


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """How long to wait before attempt ``attempts + 1``: doubling from the configured first
    pause, at most an hour."""
    first = float(current_app.config["HEARTBEAT_OUTBOX_RETRY_SECONDS"])
    return timedelta(seconds=min(first * 2 ** max(0, attempts - 1), 3600.0))


def _claim(email_id: int, now: datetime) -> bool:
    with db.engine.begin() as conn:
        claimed = conn.execute(
            sa.update(EMAIL)
            .where(
                EMAIL.c.id == email_id,
                EMAIL.c.state == EmailState.QUEUED.value,
                EMAIL.c.next_attempt_at <= now,
            )
            .values(state=EmailState.SENDING.value, attempts=EMAIL.c.attempts + 1, claimed_at=now)
        ).rowcount
    return bool(claimed)


def _finish(email_id: int, values: dict[str, object]) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(EMAIL)
            .where(EMAIL.c.id == email_id, EMAIL.c.state == EmailState.SENDING.value)
            .values(**values)
        )


def send_one(email_id: int, now: datetime) -> EmailState | None:
    """Claim and send one due email; the state it was left in (None: not ours to send)."""
    if not _claim(email_id, now):
        return None
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(EMAIL).where(EMAIL.c.id == email_id)).one()
    message = build_message(
        row.to_address,
        row.subject,
        row.body_text,
        html=row.body_html,
        headers=row.headers or {},
        message_id=f"<outbox-{row.id}-{row.created_at:%Y%m%d%H%M%S}@heartbeat-miles>",
        date=now,
    )
    try:
        deliver(message)
    except MailNotSent as error:
        if error.permanent or row.attempts >= row.max_attempts:
            _finish(email_id, {"state": EmailState.FAILED.value, "last_error": str(error)[:500]})
            log.warning("email %s failed for good: %s", email_id, error)
            return EmailState.FAILED
        _finish(
            email_id,
            {
                "state": EmailState.QUEUED.value,
                "last_error": str(error)[:500],
                "next_attempt_at": now + backoff(row.attempts),
            },
        )
        log.info("email %s: attempt %s failed, will retry: %s", email_id, row.attempts, error)
        return EmailState.QUEUED
    # Sent: the body is no longer needed, and holds what the recipient was told.
    _finish(
        email_id,
        {
            "state": EmailState.SENT.value,
            "sent_at": now,
            "last_error": None,
            "body_text": "",
            "body_html": None,
        },
    )
    return EmailState.SENT


def send_due(now: datetime | None = None, *, limit: int = BATCH) -> Outcome:
    """Send every email due by ``now`` (all centres), up to ``limit``."""
    now = now or utcnow()
    outcome = Outcome()
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(EMAIL)
            .where(
                EMAIL.c.state == EmailState.SENDING.value, EMAIL.c.claimed_at < now - STALE_CLAIM
            )
            .values(state=EmailState.QUEUED.value, next_attempt_at=now)
        )
        due = (
            conn.execute(
                sa.select(EMAIL.c.id)
                .where(EMAIL.c.state == EmailState.QUEUED.value, EMAIL.c.next_attempt_at <= now)
                .order_by(EMAIL.c.next_attempt_at, EMAIL.c.id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
    for email_id in due:
        state = send_one(email_id, now)
        if state == EmailState.SENT:
            outcome.sent.append(email_id)
        elif state == EmailState.QUEUED:
            outcome.retrying.append(email_id)
        elif state == EmailState.FAILED:
            outcome.failed.append(email_id)
    return outcome


def next_due() -> datetime | None:
    with db.engine.connect() as conn:
        found: datetime | None = conn.execute(
            sa.select(sa.func.min(EMAIL.c.next_attempt_at)).where(
                EMAIL.c.state == EmailState.QUEUED.value
            )
        ).scalar()
    if found is not None and found.tzinfo is None:
        from datetime import UTC

        found = found.replace(tzinfo=UTC)
    return found


# --- emails made on a schedule (the weekly digest) ------------------------------------------------

_periodic: dict[str, Callable[[datetime], int]] = {}


def periodic(name: str, producer: Callable[[datetime], int]) -> None:
    """Register ``producer(now)``: it queues the emails due at ``now`` (flushing) and says how
    many. The worker runs every producer each maintenance round; so does ``flask outbox-send``.
    Features register theirs in ``hooks.register`` (the participants' weekly digest)."""
    _periodic[name] = producer


def run_periodic(now: datetime | None = None) -> dict[str, int]:
    """Run every producer, each in its own transaction (one failing leaves the others)."""
    now = now or utcnow()
    made: dict[str, int] = {}
    for name, producer in sorted(_periodic.items()):
        try:
            made[name] = producer(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("the scheduled emails of %s could not be made", name)
    return made


# --- waking the sender --------------------------------------------------------------------------

_lock = threading.Lock()
_threads: dict[int, tuple[threading.Thread, threading.Event]] = {}
_stopping: set[int] = set()


def _thread_main(app: Flask, key: int, wake_up: threading.Event) -> None:
    while key not in _stopping:
        wake_up.clear()
        try:
            with app.app_context():
                send_due()
                due = next_due()
                db.session.remove()
        except Exception:
            log.exception("the outbox sender failed")
            due = None
        if due is None:
            with _lock:
                if not wake_up.is_set():  # nothing waiting, and nobody woke us meanwhile
                    _threads.pop(key, None)
                    return
            continue
        pause = (due - utcnow()).total_seconds()
        wake_up.wait(timeout=min(max(pause, 0.05), THREAD_POLL_S))
    with _lock:
        _threads.pop(key, None)


def wake(app: Flask | None = None) -> None:
    """Have the sender look at the outbox now (never raises: the emails stay stored)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug proxy
    if not app.config["HEARTBEAT_SMTP_HOST"]:
        return
    if app.config.get("REDIS_URL"):
        try:
            _enqueue(app)
        except Exception:
            log.exception("could not put the outbox on the queue; the worker's sweep sends it")
        return
    key = id(app)
    with _lock:
        _stopping.discard(key)
        running = _threads.get(key)
        if running is not None and running[0].is_alive():
            running[1].set()
            return
        wake_up = threading.Event()
        thread = threading.Thread(
            target=_thread_main, args=(app, key, wake_up), name="heartbeat-outbox", daemon=True
        )
        _threads[key] = (thread, wake_up)
    thread.start()


def _enqueue(app: Flask) -> None:
    from redis import Redis
    from rq import Queue

    queue = Queue(
        name=app.config["HEARTBEAT_JOB_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"])
    )
    queue.enqueue(
        "heartbeat.outbox.sending.perform",
        result_ttl=0,
        failure_ttl=24 * 3600,
        description="Heartbeat Miles: send the outbox",
    )


def perform() -> int:
    """What the RQ worker runs (inside its app context): send what is due."""
    if not has_app_context():
        raise RuntimeError("the outbox is sent by `flask --app heartbeat worker`")
    try:
        return len(send_due().sent)
    finally:
        db.session.remove()


def wait_until_idle(timeout: float = 10.0) -> None:
    """Wait for this process's sender threads to finish what is due now (tests)."""
    with _lock:
        threads = list(_threads.values())
    for thread, _ in threads:
        thread.join(timeout)


def stop_senders(timeout: float = 10.0) -> None:
    """Stop this process's sender threads after their current email (tests, shutdown): the
    emails they leave stay queued in the outbox."""
    with _lock:
        threads = dict(_threads)
        _stopping.update(threads)
    for thread, wake_up in threads.values():
        wake_up.set()
        thread.join(timeout)


# --- after a commit -----------------------------------------------------------------------------


def _after_commit(session: orm.Session) -> None:
    if session.info.pop(WAKE_FLAG, False) and has_app_context():
        wake()


def _after_rollback(session: orm.Session) -> None:
    session.info.pop(WAKE_FLAG, None)


_installed = False


def install() -> None:
    """Wake the sender after any commit that queued an email (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(orm.Session, "after_commit", _after_commit)
    event.listen(orm.Session, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
    _installed = True
