"""Who may do what: the POLICY table, rule by rule, and the same rules seen through HTTP.

The ``can`` tests need no database: rules are predicates of (user, object), so plain unsaved
model instances stand in for rows. Their ids follow the ``world`` fixture's insertion order on
purpose (centre 1 and admin 1, invite 1 and admin 1...): a rule must never confuse an object of
one kind with another that merely shares its id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.permissions import POLICY, can

ROLES = ("admin", "therapist", "participant", "operator")
SIDES = ("own", "other")  # the actor's centre, or the other one (an operator has neither)
KINDS = ("Centre", "User", "Invite")


def own(*kinds: str) -> frozenset[tuple[str, str]]:
    """Allowed on objects of the actor's own centre (every kind unless named)."""
    return frozenset(("own", kind) for kind in kinds or KINDS)


def anywhere() -> frozenset[tuple[str, str]]:
    return frozenset((side, kind) for side in SIDES for kind in KINDS)


STAFF_OWN = {"admin": own(), "therapist": own()}

# action -> role -> the (side, kind) pairs it is allowed on; a role left out may do nothing.
EXPECTED: dict[str, dict[str, frozenset[tuple[str, str]]]] = {
    "centre.view_dashboard": STAFF_OWN,
    "centre.edit_settings": {"admin": own()},
    "staff.list": {"admin": own()},
    "staff.invite": {"admin": own()},
    "invite.revoke": {"admin": own()},
    # Also whoever made the invitation (none of these stand-ins: tested over HTTP).
    "invite.view": {"admin": own(), "operator": anywhere()},
    "invite.renew": {"admin": own(), "operator": anywhere()},
    # Only accounts are changed, and never the admin's own (the User used here is a therapist).
    "user.deactivate": {"admin": own("User")},
    "user.reactivate": {"admin": own("User")},
    "user.unlock": {"admin": own("User")},
    "user.reset_link": {"admin": own("User")},
    "email.view": {"admin": own()},
    "email.retry": {"admin": own()},
    "centre.create": {"operator": anywhere()},
    "centre.list_all": {"operator": anywhere()},
    # A participant sees only their own Participant record (tested separately below).
    "participant.view": STAFF_OWN,
    "participant.enrol": STAFF_OWN,
    "participant.edit": STAFF_OWN,
    "participant.invite": STAFF_OWN,
    "note.add": STAFF_OWN,
    "audit.view": {"admin": own()},
    "participant.import": STAFF_OWN,
    "participant.export": STAFF_OWN,
    "participant.subject_access": {"admin": own()},
    "participant.erase": {"admin": own()},
    "session.log": STAFF_OWN,
    # Only a participant's own record, and only where the centre allows it (tested below).
    "session.self_report": {},
    # A participant sees rows of their own record (tested below).
    "session.view": STAFF_OWN,
    "session.edit": STAFF_OWN,
    "session.delete": STAFF_OWN,
    "session.verify": STAFF_OWN,
    "session.import": STAFF_OWN,
    "award.verify": STAFF_OWN,
    "award.sign_off": STAFF_OWN,
    "ladder.edit": {"admin": own()},
    "dashboard.view": {"admin": own()},
    "certificate.issue": STAFF_OWN,
    "certificate.register": STAFF_OWN,
    "certificate.download": STAFF_OWN,
    "certificate.revoke": {"admin": own()},
    "certificate.renew": STAFF_OWN,
    "certificate.print": {"admin": own()},
    "branding.edit": {"admin": own()},
    "job.view": STAFF_OWN,
    # The participant who started a job follows it too (tests/participants/test_own_export.py).
    "job.follow": STAFF_OWN,
    # Their own record only: no centre object or account here is one (test_own_export.py).
    "participant.own_export": {},
    "plan_template.view": STAFF_OWN,
    "plan_template.edit": {"admin": own()},
    # A participant sees their own plan (participant.view's rule, tested above).
    "plan.view": STAFF_OWN,
    "plan.assign": STAFF_OWN,
    "plan.edit": STAFF_OWN,
    "plan.mark_unavailable": STAFF_OWN,
    "squad.record": STAFF_OWN,
    "squad.edit": STAFF_OWN,
    # Only one's own account (the User stand-in is the therapist, so only they match).
    "calendar_feed.manage": {"therapist": own("User")},
    # A participant sees their own red flags (tested below); staff acknowledge them.
    "red_flag.view": STAFF_OWN,
    "red_flag.list": STAFF_OWN,
    "red_flag.acknowledge": STAFF_OWN,
    # The centre's clinical guidance: its admins (the clinical lead holds the admin role).
    "safety.edit_guidance": {"admin": own()},
    # Outcome measures: a participant sees and completes their own responses (tested below).
    "measure.view": STAFF_OWN,
    "measure.list": STAFF_OWN,
    "measure.start": STAFF_OWN,
    "measure.complete": STAFF_OWN,
    "measure.manage": {"admin": own()},
    "measure.read": {"admin": own(), "therapist": own(), "participant": own()},
}

# "invite.role" is asked about a Role, not a centre's object: which roles each may invite.
# The operator's account holds the admin role, so it answers as an admin does.
INVITE_ROLE_EXPECTED: dict[str, set[Role]] = {
    "admin": {Role.ADMIN, Role.THERAPIST, Role.PARTICIPANT},
    "therapist": {Role.PARTICIPANT},
    "participant": set(),
    "operator": {Role.ADMIN, Role.THERAPIST, Role.PARTICIPANT},
}
ROLE_ACTIONS = {"invite.role": INVITE_ROLE_EXPECTED}


class Cast:
    """Unsaved stand-ins for the world fixture: two centres, their people and an invite each."""

    def __init__(self) -> None:
        self.centres = {"a": Centre(id=1, slug="alpha"), "b": Centre(id=2, slug="bravo")}
        next_id = iter(range(1, 100))
        self.people: dict[str, dict[str, User]] = {}
        for key, centre in self.centres.items():
            self.people[key] = {
                role: User(
                    id=next(next_id),
                    email=f"{role}@{centre.slug}.example",
                    role=Role(role),
                    centre_id=centre.id,
                    is_operator=False,
                    active=True,
                )
                for role in ("admin", "therapist", "participant")
            }
        self.operator = User(
            id=next(next_id), role=Role.ADMIN, centre_id=None, is_operator=True, active=True
        )
        self.invites = {
            key: Invite(id=index, centre_id=centre.id, role=Role.THERAPIST)
            for index, (key, centre) in enumerate(self.centres.items(), start=1)
        }

    def actor(self, role: str, home: str = "a") -> User:
        return self.operator if role == "operator" else self.people[home][role]

    def target(self, side: str, kind: str, home: str = "a"):
        key = home if side == "own" else ({"a", "b"} - {home}).pop()
        if kind == "Centre":
            return self.centres[key]
        if kind == "User":
            return self.people[key]["therapist"]
        return self.invites[key]


CAST = Cast()


def expected(action: str, role: str, side: str, kind: str) -> bool:
    return (side, kind) in EXPECTED[action].get(role, frozenset())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("home", ["a", "b"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_can_answers_what_the_expectation_table_says(action, role, home, side, kind):
    user = CAST.actor(role, home)
    target = CAST.target(side, kind, home)
    assert can(user, action, target) is expected(action, role, side, kind)


@pytest.mark.parametrize("invite_role", list(Role))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_invite_only_the_roles_in_the_table(role, invite_role):
    allowed = invite_role in INVITE_ROLE_EXPECTED[role]
    assert can(CAST.actor(role), "invite.role", invite_role) is allowed


def test_every_action_in_the_policy_has_expectations_for_every_role():
    assert set(EXPECTED).isdisjoint(ROLE_ACTIONS)
    assert set(EXPECTED) | set(ROLE_ACTIONS) == set(POLICY), (
        "a POLICY action without expectations (or an expectation without an action)"
    )
    for action, table in {**EXPECTED, **ROLE_ACTIONS}.items():
        assert set(table) <= set(ROLES), f"{action} names an unknown role"
    for role in ROLES:
        assert role in INVITE_ROLE_EXPECTED


def test_a_participant_may_view_only_their_own_participant_record():
    pat = CAST.people["a"]["participant"]
    theirs = Participant(id=1, centre_id=1, user_id=pat.id)
    someone_else = Participant(id=2, centre_id=1, user_id=None)
    elsewhere = Participant(id=3, centre_id=2, user_id=pat.id)  # cannot happen, still refused
    assert can(pat, "participant.view", theirs)
    assert not can(pat, "participant.view", someone_else)
    assert not can(pat, "participant.view", elsewhere)
    assert not can(pat, "participant.edit", theirs)
    assert can(CAST.people["a"]["therapist"], "participant.view", someone_else)
    assert not can(CAST.people["b"]["therapist"], "participant.view", someone_else)


class Row:
    """A row of a participant's record, as loading queries hand it to the permission layer."""

    def __init__(self, centre_id: int, participant_user_id: int | None):
        self.centre_id = centre_id
        self.participant_user_id = participant_user_id


@pytest.mark.parametrize("action", ["session.view", "certificate.download", "red_flag.view"])
def test_a_participant_may_see_rows_of_their_own_record_only(action):
    pat = CAST.people["a"]["participant"]
    assert can(pat, action, Row(1, pat.id))
    assert not can(pat, action, Row(1, None))
    assert not can(pat, action, Row(2, pat.id))
    assert can(CAST.people["a"]["therapist"], action, Row(1, None))
    assert not can(CAST.people["b"]["therapist"], action, Row(1, None))


def test_self_report_needs_the_participants_own_record_and_a_centre_that_allows_it():
    pat = User(id=77, role=Role.PARTICIPANT, centre_id=1, is_operator=False, active=True)
    theirs = Participant(id=1, centre_id=1, user_id=77)
    pat.centre = Centre(id=1, slug="alpha", allow_self_report=False)
    assert not can(pat, "session.self_report", theirs)
    pat.centre = Centre(id=1, slug="alpha", allow_self_report=True)
    assert can(pat, "session.self_report", theirs)
    assert not can(pat, "session.self_report", Participant(id=2, centre_id=1, user_id=None))
    therapist = CAST.people["a"]["therapist"]
    assert not can(therapist, "session.self_report", theirs)


def test_an_admin_may_not_deactivate_unlock_or_reactivate_themselves():
    admin = CAST.people["a"]["admin"]
    for action in ("user.deactivate", "user.reactivate", "user.unlock", "user.reset_link"):
        assert not can(admin, action, admin)
        assert can(admin, action, CAST.people["a"]["participant"])


@pytest.mark.parametrize("action", sorted(POLICY))
def test_nobody_signed_out_or_deactivated_may_do_anything(action):
    inactive_admin = User(id=50, role=Role.ADMIN, centre_id=1, is_operator=True, active=False)
    for user in (None, AnonymousUserMixin(), inactive_admin):
        for target in (None, CAST.centres["a"], CAST.people["a"]["therapist"], Role.PARTICIPANT):
            assert can(user, action, target) is False


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(LookupError, match="no.such.action"):
        can(CAST.actor("admin"), "no.such.action", CAST.centres["a"])


# --- through HTTP ---------------------------------------------------------------------------------

ADMIN_PAGES = ["/centre/staff", "/centre/settings"]
OPERATOR_PAGES = ["/operator/centres", "/operator/centres/new"]


def deactivate_url(user) -> str:
    return f"/centre/users/{user.id}/deactivate"


def all_pages(world) -> list[str]:
    return [*ADMIN_PAGES, *OPERATOR_PAGES, deactivate_url(world.a.therapist)]


def test_signed_out_visitors_are_sent_to_sign_in_from_every_protected_page(client, world):
    for url in all_pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def test_participants_are_refused_every_admin_and_operator_page(client, auth, world):
    auth.sign_in(world.a.participant.email)
    for url in all_pages(world):
        assert client.get(url).status_code == 403, url


def test_therapists_are_refused_admin_and_operator_pages(client, auth, world):
    auth.sign_in(world.a.therapist.email)
    for url in all_pages(world):
        assert client.get(url).status_code == 403, url


def test_an_admin_opens_their_own_centres_pages_but_not_the_operators(client, auth, world):
    auth.sign_in(world.a.admin.email)
    for url in [*ADMIN_PAGES, deactivate_url(world.a.therapist)]:
        assert client.get(url).status_code == 200, url
    for url in OPERATOR_PAGES:
        assert client.get(url).status_code == 403, url


def test_an_admin_addressing_another_centres_user_finds_nothing(client, auth, world):
    auth.sign_in(world.b.admin.email)
    for person in (world.a.admin, world.a.therapist, world.a.participant):
        assert client.get(deactivate_url(person)).status_code == 404
        assert client.post(deactivate_url(person)).status_code == 404
    assert client.post(f"/centre/users/{world.a.therapist.id}/unlock").status_code == 404
    assert client.post(f"/centre/users/{world.a.therapist.id}/reactivate").status_code == 404


def test_the_operator_opens_operator_pages_and_finds_no_centre_pages(client, auth, world):
    auth.sign_in(world.operator.email)
    for url in OPERATOR_PAGES:
        assert client.get(url).status_code == 200, url
    # The operator's account holds the admin role but belongs to no centre.
    for url in [*ADMIN_PAGES, deactivate_url(world.a.therapist)]:
        assert client.get(url).status_code == 404, url


def test_walking_every_user_id_reveals_only_the_admins_own_centre(app, client, auth, world):
    with app.app_context():
        users = db.session.execute(
            sa.select(User.id, User.centre_id).execution_options(all_centres=True)
        ).all()
    centre_of = dict(users)
    max_id = max(centre_of)
    auth.sign_in(world.b.admin.email)

    for user_id in range(1, max_id + 1):
        status = client.get(f"/centre/users/{user_id}/deactivate").status_code
        if centre_of.get(user_id) != world.b.centre.id:
            assert status == 404, f"user {user_id} of another centre answered {status}"
        elif user_id == world.b.admin.id:
            assert status == 403, "an admin may not deactivate themselves"
        else:
            assert status == 200, f"user {user_id} of the admin's own centre answered {status}"
    assert client.get(f"/centre/users/{max_id + 1}/deactivate").status_code == 404


def test_an_admin_may_not_revoke_another_centres_invite(app, client, auth, world):
    with app.app_context():
        invite = Invite(
            centre_id=world.a.centre.id,
            email="new@alpha.example",
            name="New Person",
            role=Role.THERAPIST,
            token_hash="f" * 64,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
        db.session.add(invite)
        db.session.commit()
        invite_id = invite.id
    auth.sign_in(world.b.admin.email)
    assert client.post(f"/centre/invites/{invite_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(Invite, invite_id).revoked_at is None
