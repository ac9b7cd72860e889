"""With REDIS_URL, the outbox is sent by the RQ worker, never by the web process."""

from __future__ import annotations

import pytest

from heartbeat.outbox import sending
from tests.helpers import signed_in
from tests.jobs.conftest import REDIS_TEST_URL, redis_or_skip, rq_queue_name  # noqa: F401
from tests.jobs.test_rq import InProcessWorker, work_burst  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(rq_queue_name, mail_config):  # noqa: F811  (the imported fixture)
    return {**mail_config, "REDIS_URL": REDIS_TEST_URL, "HEARTBEAT_JOB_QUEUE": rq_queue_name}


def test_an_invitation_is_sent_by_the_worker(app, world, mailbox):
    redis_or_skip()
    admin = signed_in(app, world.a.admin)
    response = admin.post(
        "/centre/staff/invite",
        data={"name": "Casey New", "email": "casey@example.org", "role": "therapist"},
    )
    assert response.status_code == 302
    sending.wait_until_idle()
    assert mailbox.wait_for(1, timeout=0.5) == []  # on the queue, not sent by the web process
    work_burst(app, "outbox")
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "casey@example.org"
