"""Staff invitations (made, withdrawn, accepted) and print batches (asked for, printed) are in
the trail where they happen, each with a label, the person who acted and the record named."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from heartbeat.auth import services as accounts
from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import services as jobs
from tests.helpers import signed_in


def _rows(html: str) -> list[tuple[str, str, str]]:
    def cells(label: str) -> list[str]:
        found = re.findall(rf'<td data-label="{label}">(.*?)</td>', html, re.S)
        return [html_lib.unescape(cell).strip() for cell in found]

    return list(zip(cells("Who"), cells("What"), cells("Record"), strict=True))


def test_staff_invitations_made_withdrawn_and_accepted_are_audited(app, world, helpers):
    admin = signed_in(app, world.a.admin.email)
    now = utcnow()
    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        inviter = db.session.get(User, world.a.admin.id)
        kept = accounts.create_invite(
            centre=centre,
            inviter=inviter,
            email="casey@alpha.example",
            name="Casey Coach",
            role=Role.THERAPIST,
            now=now,
        )
        dropped = accounts.create_invite(
            centre=centre,
            inviter=inviter,
            email="dee@alpha.example",
            name="Dee Admin",
            role=Role.ADMIN,
            now=now,
        )
        db.session.commit()
        dropped_id = dropped.invite.id
        accounts.accept_invite(kept.invite, "pushing past the last lamp post", now)
        db.session.commit()
    # Withdrawn through the staff page: the admin who did it is recorded.
    assert admin.post(f"/centre/invites/{dropped_id}/revoke").status_code == 302

    html = admin.get("/audit?entity=invite").get_data(as_text=True)
    assert _rows(html) == [
        ("Admin", "Invitation withdrawn", "Invitation: Dee Admin <dee@alpha.example>, Admin"),
        (
            "Casey Coach",
            "Invitation accepted",
            "Invitation: Casey Coach <casey@alpha.example>, Therapist",
        ),
        ("Admin", "Invitation sent", "Invitation: Dee Admin <dee@alpha.example>, Admin"),
        ("Admin", "Invitation sent", "Invitation: Casey Coach <casey@alpha.example>, Therapist"),
    ]
    assert "Role" in html and ">Therapist<" in html and "Account" in html
    for action in ("invite.create", "invite.revoke", "invite.accept"):
        assert f'<option value="{action}">' in html
    # Another centre's admin sees none of it.
    other = signed_in(app, world.b.admin.email).get("/audit?entity=invite").get_data(as_text=True)
    assert _rows(other) == []


def test_an_operator_inviting_a_centre_admin_is_named_in_that_centres_trail(app, world):
    with app.app_context():
        accounts.create_invite(
            centre=db.session.get(Centre, world.a.centre.id),
            inviter=db.session.get(User, world.operator.id),
            email="boss@alpha.example",
            name="Bo Boss",
            role=Role.ADMIN,
            now=utcnow(),
        )
        db.session.commit()
    html = signed_in(app, world.a.admin.email).get("/audit").get_data(as_text=True)
    assert _rows(html)[0][:2] == ("Operator (platform operator)", "Invitation sent")


def test_a_withdrawn_invitation_without_an_actor_reads_as_the_system(app, world):
    with app.app_context():
        issued = accounts.create_invite(
            centre=db.session.get(Centre, world.a.centre.id),
            inviter=db.session.get(User, world.a.admin.id),
            email="late@alpha.example",
            name="Lee Late",
            role=Role.THERAPIST,
            now=utcnow(),
        )
        accounts.revoke_invite(issued.invite, utcnow() + timedelta(minutes=1))
        db.session.commit()
        assert db.session.get(Invite, issued.invite.id).revoked_at is not None
    html = (
        signed_in(app, world.a.admin.email)
        .get("/audit?action=invite.revoke")
        .get_data(as_text=True)
    )
    assert [row[:2] for row in _rows(html)] == [("System", "Invitation withdrawn")]


def test_print_batches_asked_for_and_printed_are_audited(app, world, certs):
    achiever = certs.achiever(world.a)
    for code in ("one-mile", "5k"):
        certs.issue(world.a, achiever, code)
    admin = signed_in(app, world.a.admin.email)
    response = admin.post("/certificates/print", data={"mode": "unprinted"})
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)$", response.headers["Location"])[1])
    with app.app_context():
        jobs.wait(job_id, timeout=60)

    html = admin.get("/audit?entity=print_batch").get_data(as_text=True)
    rows = _rows(html)
    assert [row[:2] for row in rows] == [
        ("Admin", "Print batch printed"),
        ("Admin", "Print batch requested"),
    ]
    assert all(row[2].startswith(f"Print batch: job {job_id} of ") for row in rows)
    assert rows[0][2].endswith(", finished")
    changes = re.sub(r"<[^>]+>", " ", html)
    assert re.search(r"Certificates printed\s+now\s+2", changes)
    assert re.search(r"Which certificates\s+now\s+Not printed yet", changes)
    assert re.search(r"Certificates chosen\s+now\s+2", changes)
