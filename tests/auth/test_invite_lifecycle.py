"""One invitation per address, shown by POST-redirect-GET, closed when the person joins, its link
renewable, and the sign-in it makes counted (issue 14, item 12)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.extensions import db
from tests.auth.helpers import invite_token, login_as
from tests.helpers import PASSWORD
from tests.participants.conftest import Helpers

EMAIL = "casey.coach@example.org"
PASSPHRASE = "pushing past the last lamp post"


def _invite(client, email: str = EMAIL, *, follow: bool = False):
    return client.post(
        "/centre/staff/invite",
        data={"name": "Casey Coach", "email": email, "role": "therapist"},
        follow_redirects=follow,
    )


def _accept(client, token: str):
    return client.post(f"/invite/{token}", data={"password": PASSPHRASE, "confirm": PASSPHRASE})


def _waiting_on_home(client) -> int:
    page = client.get("/home").get_data(as_text=True)
    match = re.search(r"Invitations waiting</dt><dd class=\"stat-value\">(\d+)<", page)
    assert match, "no invitations count on the home page"
    return int(match.group(1))


def _audit_actions(app, invite_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_type == "invite", AuditEvent.entity_id == invite_id)
                .order_by(AuditEvent.id)
            )
        )


def test_a_second_invitation_to_the_same_address_is_refused_and_the_first_offered(app, world, rows):
    admin = login_as(app, world.a.admin.email, PASSWORD)
    assert _invite(admin).status_code == 302

    response = _invite(admin, EMAIL.upper())

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"An invitation to {EMAIL} is already waiting" in page
    (invite,) = rows.invites()
    assert f'action="/invites/{invite.id}/renew"' in page
    assert "Renew link" in page


def test_a_therapist_inviting_a_participant_twice_is_offered_the_waiting_invitation(
    app, world, rows
):
    participant_id = Helpers(app).enrol(world.a, email="ada@example.org")
    therapist = login_as(app, world.a.therapist.email, PASSWORD)
    url = f"/participants/{participant_id}/invite"
    assert therapist.post(url, data={"email": "ada@example.org"}).status_code == 302

    response = therapist.post(url, data={"email": "ada@example.org"})

    assert response.status_code == 422
    assert "is already waiting" in response.get_data(as_text=True)
    assert len(rows.invites()) == 1


def test_the_invitation_ready_page_is_reached_by_a_redirect_and_reloads_without_a_new_one(
    app, world, rows
):
    admin = login_as(app, world.a.admin.email, PASSWORD)

    created = _invite(admin)

    (invite,) = rows.invites()
    assert created.status_code == 302
    assert created.headers["Location"] == f"/invites/{invite.id}"
    first = admin.get(created.headers["Location"])
    again = admin.get(created.headers["Location"])  # the reload
    assert first.status_code == again.status_code == 200
    assert "Invitation ready" in first.get_data(as_text=True)
    assert invite_token(first.get_data(as_text=True)) == invite_token(again.get_data(as_text=True))
    assert len(rows.invites()) == 1


def test_the_ready_page_on_another_device_offers_a_new_link_instead(app, world, rows):
    _invite(login_as(app, world.a.admin.email, PASSWORD))
    (invite,) = rows.invites()

    elsewhere = login_as(app, world.a.admin.email, PASSWORD)
    page = elsewhere.get(f"/invites/{invite.id}").get_data(as_text=True)

    assert "/invite/" not in page.replace(f"/invites/{invite.id}/renew", "")
    assert "renew the link" in page
    assert f'action="/invites/{invite.id}/renew"' in page


def test_accepting_closes_the_other_invitations_to_that_address(app, world, rows):
    admin_a = login_as(app, world.a.admin.email, PASSWORD)
    admin_b = login_as(app, world.b.admin.email, PASSWORD)
    token = invite_token(_invite(admin_a, follow=True).get_data(as_text=True))
    _invite(admin_b)
    assert _waiting_on_home(admin_b) == 1

    assert _accept(app.test_client(), token).status_code == 302

    accepted, other = rows.invites()
    assert accepted.used_at is not None
    assert other.revoked_at is not None
    assert _waiting_on_home(admin_b) == 0
    assert _waiting_on_home(admin_a) == 0
    assert _audit_actions(app, other.id) == ["invite.create", "invite.close"]


def test_renewing_a_link_voids_the_old_one_and_the_new_one_works(app, world, rows):
    admin = login_as(app, world.a.admin.email, PASSWORD)
    old_token = invite_token(_invite(admin, follow=True).get_data(as_text=True))
    (before,) = rows.invites()

    renewed = admin.post(f"/invites/{before.id}/renew", data={"next": "/centre/staff"})

    assert renewed.status_code == 302
    assert renewed.headers["Location"] == f"/invites/{before.id}"
    page = admin.get(renewed.headers["Location"]).get_data(as_text=True)
    new_token = invite_token(page)
    assert new_token != old_token
    assert 'href="/centre/staff"' in page  # "Done" leads back where the admin came from
    (after,) = rows.invites()
    assert after.token_hash != before.token_hash
    assert after.expires_at >= before.expires_at
    old_link = app.test_client().get(f"/invite/{old_token}")
    assert old_link.status_code == 410
    assert "This link was replaced by a newer one" in old_link.get_data(as_text=True)
    assert _accept(app.test_client(), new_token).status_code == 302
    assert _audit_actions(app, before.id) == ["invite.create", "invite.renew", "invite.accept"]


def test_only_admins_the_inviter_and_the_operator_may_renew(app, world, rows):
    _invite(login_as(app, world.a.admin.email, PASSWORD))
    (invite,) = rows.invites()
    url = f"/invites/{invite.id}/renew"

    assert login_as(app, world.a.therapist.email, PASSWORD).post(url).status_code == 403
    assert login_as(app, world.b.admin.email, PASSWORD).post(url).status_code == 404
    assert login_as(app, world.a.therapist.email, PASSWORD).get(url[:-6]).status_code == 403
    assert rows.invites()[0].token_hash == invite.token_hash
    assert login_as(app, world.operator.email, PASSWORD).post(url).status_code == 302


def test_a_therapist_may_renew_the_portal_invitation_they_made(app, world, rows):
    participant_id = Helpers(app).enrol(world.a, email="ada@example.org")
    therapist = login_as(app, world.a.therapist.email, PASSWORD)
    therapist.post(f"/participants/{participant_id}/invite", data={"email": "ada@example.org"})
    (invite,) = rows.invites()

    response = therapist.post(f"/invites/{invite.id}/renew")

    assert response.status_code == 302
    assert rows.invites()[0].token_hash != invite.token_hash


def test_a_withdrawn_invitation_cannot_be_renewed(app, world, rows):
    admin = login_as(app, world.a.admin.email, PASSWORD)
    _invite(admin)
    (invite,) = rows.invites()
    admin.post(f"/centre/invites/{invite.id}/revoke")

    response = admin.post(f"/invites/{invite.id}/renew", follow_redirects=True)

    assert "Only a waiting invitation can get a new link." in response.get_data(as_text=True)
    assert rows.invites()[0].token_hash == invite.token_hash


def test_the_sign_in_an_invitation_makes_is_the_last_sign_in(app, world, rows):
    admin = login_as(app, world.a.admin.email, PASSWORD)
    token = invite_token(_invite(admin, follow=True).get_data(as_text=True))

    _accept(app.test_client(), token)

    assert rows.user(EMAIL).last_login_at is not None
    staff_page = admin.get("/centre/staff").get_data(as_text=True)
    row = re.search(r"Casey Coach</th>.*?</tr>", staff_page, re.S)
    assert row and "Never" not in row.group(0)
