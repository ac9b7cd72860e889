"""The RQ worker behind ``flask --app heartbeat worker``.

A plain ``rq.Worker`` (each job in a forked work horse, so a crash or a leak dies with it) that
also sweeps for stale jobs as part of its maintenance, every heartbeat interval: a job whose
worker died is failed and queued again even when nobody has its status page open. The same
round sends the outbox: scheduled emails (the weekly digest) and every email due, retries too.
"""

from __future__ import annotations

import logging

from flask import Flask
from rq import Worker

from heartbeat.extensions import db
from heartbeat.jobs import backends
from heartbeat.jobs.context import heartbeat_interval

log = logging.getLogger("heartbeat.jobs")


class HeartbeatWorker(Worker):
    flask_app: Flask

    def perform_job(self, job, queue, *args, **kwargs) -> bool:
        # Runs in the work horse: the forked copy of this app (``engines.state`` remakes the
        # connections the fork would otherwise share with the worker).
        with self.flask_app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        self.sweep()
        self.send_mail()

    def send_mail(self) -> None:
        """Scheduled emails (the weekly digest), then every email due (retries included)."""
        from heartbeat.outbox import sending

        if not self.flask_app.config["HEARTBEAT_SMTP_HOST"]:
            return
        with self.flask_app.app_context():
            try:
                sending.run_periodic()
                sending.send_due()
            except Exception:
                log.exception("sending the outbox failed")
            finally:
                db.session.remove()

    def sweep(self) -> None:
        from heartbeat.jobs.services import sweep_stale

        with self.flask_app.app_context():
            try:
                for job_id, state in sweep_stale():
                    log.warning(
                        "worker %s: job %s recovered, now %s", self.name, job_id, state.value
                    )
            except Exception:
                log.exception("stale-job sweep failed")
            finally:
                db.session.remove()


def make_worker(
    app: Flask,
    queues: list[str] | None = None,
    name: str | None = None,
    worker_class: type[HeartbeatWorker] = HeartbeatWorker,
) -> HeartbeatWorker:
    interval = max(1, round(heartbeat_interval(app.config)))
    queue = backends.rq_queue(app)
    names = queues or [queue.name]
    worker = worker_class(
        names,
        name=name,
        connection=queue.connection,
        maintenance_interval=interval,
        # The worker blocks on the queue for (ttl - 15) s between maintenance runs.
        worker_ttl=interval + 15,
    )
    worker.flask_app = app
    return worker
