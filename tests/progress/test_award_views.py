"""Therapists verify awards (one or several), sign off skills, settle flagged awards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from heartbeat.db import utcnow
from tests.helpers import signed_in
from tests.participants.conftest import Helpers


def _text(response) -> str:
    return response.get_data(as_text=True)


def _verify_data(awards, *keys, only=None) -> dict:
    data = {f"version-{award.id}": str(award.version) for award in awards.values()}
    data["award"] = [str(awards[key].id) for key in keys]
    if only is not None:
        data["only"] = str(awards[only].id)
    return data


@pytest.fixture
def reached(progress):
    """Ada pushed 1.7 km: First push, One lap and One mile wait for verification."""
    progress.session(distance_m=1700, days_ago=3)
    progress.evaluate()
    return progress.awards()


def test_the_profile_lists_awards_waiting_with_checkboxes_and_one_button_each(
    app, progress, reached
):
    client = signed_in(app, progress.world.a.therapist.email)
    page = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert "Waiting for verification" in page
    for key in ("first-push", "one-lap", "one-mile"):
        award = reached[key]
        assert f'name="award" value="{award.id}"' in page
        assert f'name="only" value="{award.id}"' in page
    assert "Track session on" in page
    assert "Verify ticked awards" in page


def test_verifying_one_award(app, progress, reached):
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify",
        data=_verify_data(reached, "first-push", "one-lap", only="one-lap"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/participants/{progress.pid}/progress#awards")
    awards = progress.awards()
    assert awards["one-lap"].verified
    assert awards["one-lap"].verified_by_id == progress.world.a.therapist.id
    assert not awards["first-push"].verified
    assert len(progress.audit("award.verify")) == 1


def test_verifying_several_together(app, progress, reached):
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify",
        data=_verify_data(reached, "first-push", "one-mile"),
        follow_redirects=True,
    )
    assert "Verified 2 awards: “First push”, “One mile”." in _text(response)
    awards = progress.awards()
    assert awards["first-push"].verified and awards["one-mile"].verified
    assert not awards["one-lap"].verified
    assert len(progress.audit("award.verify")) == 2


def test_verifying_nothing_ticked_says_so(app, progress, reached):
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify",
        data=_verify_data(reached),
        follow_redirects=True,
    )
    assert "Tick at least one award" in _text(response)
    assert not any(award.verified for award in progress.awards().values())


def test_an_award_that_changed_since_the_page_loaded_is_not_verified(app, progress, reached):
    data = _verify_data(reached, "first-push", "one-lap")
    progress.session(distance_m=500, days_ago=10)  # an earlier session now proves them
    progress.evaluate()
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify", data=data, follow_redirects=True
    )
    page = _text(response)
    assert "changed after you opened the page" in page
    assert not progress.awards()["one-lap"].verified


def test_another_centres_award_ids_verify_nothing(app, progress, reached):
    progress.session(progress.pid_b, distance_m=150)
    progress.evaluate(progress.pid_b)
    theirs = progress.awards(progress.pid_b)["first-push"]
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify",
        data={"award": [str(theirs.id)], f"version-{theirs.id}": "1"},
    )
    assert response.status_code == 302
    assert not progress.awards(progress.pid_b)["first-push"].verified
    other = client.post(
        f"/participants/{progress.pid_b}/awards/verify",
        data={"award": [str(theirs.id)], f"version-{theirs.id}": "1"},
    )
    assert other.status_code == 404


def test_a_participant_cannot_verify_their_own_awards(app, progress, reached):
    client = signed_in(app, progress.world.a.participant.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/verify", data=_verify_data(reached, "one-lap")
    )
    assert response.status_code == 403
    assert not progress.awards()["one-lap"].verified


def test_signing_off_a_skills_stage_with_a_date(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    stage_id = progress.stages_a["chair-fitted"]
    profile = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert f"/participants/{progress.pid}/stages/{stage_id}/sign-off" in profile
    form = client.get(f"/participants/{progress.pid}/stages/{stage_id}/sign-off")
    assert "Date signed off" in _text(form)
    response = client.post(
        f"/participants/{progress.pid}/stages/{stage_id}/sign-off",
        data={"signed_on": "2025-03-04"},
    )
    assert response.status_code == 302
    award = progress.awards()["chair-fitted"]
    assert award.verified and award.verified_by_id == progress.world.a.therapist.id
    assert award.achieved_at.date() == date(2025, 3, 4)
    assert len(progress.audit("award.sign_off")) == 1
    again = client.post(
        f"/participants/{progress.pid}/stages/{stage_id}/sign-off",
        data={"signed_on": "2025-03-05"},
    )
    assert again.status_code == 422
    assert "already signed off" in _text(again)


def test_a_sign_off_date_in_the_future_is_refused(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    stage_id = progress.stages_a["chair-fitted"]
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    response = client.post(
        f"/participants/{progress.pid}/stages/{stage_id}/sign-off", data={"signed_on": tomorrow}
    )
    assert response.status_code == 422
    assert "cannot be in the future" in _text(response)
    assert "chair-fitted" not in progress.awards()


def test_a_distance_stage_or_another_centres_stage_cannot_be_signed_off(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    distance = client.get(f"/participants/{progress.pid}/stages/{progress.stages_a['5k']}/sign-off")
    other = client.get(
        f"/participants/{progress.pid}/stages/{progress.stages_b['chair-fitted']}/sign-off"
    )
    assert distance.status_code == 404
    assert other.status_code == 404


@pytest.fixture
def flagged(progress):
    """A verified One lap whose only session was deleted, and a verified First push whose
    evidence moved to an earlier session."""
    lap = progress.session(distance_m=450, days_ago=3)
    progress.evaluate()
    progress.verify_all()
    progress.delete_session(lap)
    progress.session(distance_m=150, days_ago=20)
    progress.evaluate()
    return progress.awards()


def test_flagged_awards_are_shown_with_their_reason(app, progress, flagged):
    assert flagged["one-lap"].needs_review
    assert flagged["one-lap"].review_reason == "evidence_vanished"
    assert flagged["first-push"].review_reason == "evidence_changed"
    client = signed_in(app, progress.world.a.therapist.email)
    page = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert "Verified awards that need a review" in page
    assert "no other session reaches it now" in page
    assert "another session now proves it" in page
    assert "Confirm with the new evidence" in page
    assert 'Withdraw<span class="visually-hidden"> One lap</span>' in page


def test_confirming_an_award_whose_evidence_moved_takes_the_new_evidence(app, progress, flagged):
    award = flagged["first-push"]
    assert award.review_reason == "evidence_changed"
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/{award.id}/confirm",
        data={"version": str(award.version)},
        follow_redirects=True,
    )
    assert "confirmed with the evidence the sessions show now" in _text(response)
    after = progress.awards()["first-push"]
    assert not after.needs_review
    assert after.evidence_session_id != award.evidence_session_id
    assert not progress.evaluate().changed
    assert not progress.awards()["first-push"].needs_review


def test_keeping_an_award_nothing_supports_sticks_through_later_evaluations(app, progress, flagged):
    award = flagged["one-lap"]
    client = signed_in(app, progress.world.a.therapist.email)
    client.post(
        f"/participants/{progress.pid}/awards/{award.id}/confirm",
        data={"version": str(award.version)},
    )
    progress.evaluate()
    after = progress.awards()["one-lap"]
    assert after.verified and not after.needs_review
    assert after.review_reason == "kept_by_person"
    assert progress.audit("award.confirm")[0].changes["needs_review"]["after"] is False


def test_withdrawing_a_flagged_award_needs_a_reason_and_is_audited(app, progress, flagged):
    award = flagged["one-lap"]
    client = signed_in(app, progress.world.a.therapist.email)
    url = f"/participants/{progress.pid}/awards/{award.id}/withdraw"
    assert "Withdraw “One lap” from Ada Lovelace?" in _text(client.get(url))
    empty = client.post(url, data={"reason": "", "version": str(award.version)})
    assert empty.status_code == 422
    assert "one-lap" in progress.awards()
    response = client.post(
        url, data={"reason": "Logged for the wrong person", "version": str(award.version)}
    )
    assert response.status_code == 302
    assert "one-lap" not in progress.awards()
    event = progress.audit("award.withdraw")[0]
    assert event.changes["reason"]["after"] == "Logged for the wrong person"
    assert event.actor_id == progress.world.a.therapist.id


def test_an_award_sessions_still_reach_cannot_be_withdrawn(app, progress, flagged):
    award = flagged["first-push"]
    client = signed_in(app, progress.world.a.therapist.email)
    response = client.post(
        f"/participants/{progress.pid}/awards/{award.id}/withdraw",
        data={"reason": "Looks wrong", "version": str(award.version)},
    )
    assert response.status_code == 422
    assert "confirm it with the new evidence instead" in _text(response)
    assert "first-push" in progress.awards()


def test_the_pending_page_lists_the_centres_waiting_awards_page_by_page(app, progress):
    progress.session(distance_m=1700)
    progress.evaluate()
    progress.session(progress.pid_b, distance_m=1700)
    progress.evaluate(progress.pid_b)
    client = signed_in(app, progress.world.a.therapist.email)
    app.config["HEARTBEAT_PAGE_SIZE"] = 2
    first = _text(client.get("/awards/pending"))
    second = _text(client.get("/awards/pending?page=2"))
    assert "Awards waiting for verification" in first
    assert "Page 1 of 2 (3 in all)" in first
    assert first.count("data-award=") == 2 and second.count("data-award=") == 1
    assert "Ada Lovelace" in first
    assert "Bea Bravo" not in first + second


def test_the_pending_page_has_a_bounded_query_count(app, progress, query_counter):
    client = signed_in(app, progress.world.a.therapist.email)
    for _ in range(3):
        progress.session(distance_m=1700)
    progress.evaluate()
    client.get("/awards/pending")
    with query_counter() as few:
        client.get("/awards/pending")
    from tests.participants.conftest import Helpers

    for n in range(6):
        pid = Helpers(app).enrol(progress.world.a, given_name=f"P{n}")
        progress.session(pid, distance_m=1700)
        progress.evaluate(pid)
    with query_counter() as many:
        client.get("/awards/pending")
    assert len(many) == len(few)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_verifying_needs_the_forms_csrf_token(app, progress, reached):
    import re

    from tests.helpers import PASSWORD

    client = app.test_client()

    def token(page: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    login_page = _text(client.get("/login"))
    client.post(
        "/login",
        data={
            "email": progress.world.a.therapist.email,
            "password": PASSWORD,
            "csrf_token": token(login_page),
        },
    )
    data = _verify_data(reached, "one-lap")
    refused = client.post(f"/participants/{progress.pid}/awards/verify", data=data)
    assert refused.status_code == 400
    assert not progress.awards()["one-lap"].verified
    page = _text(client.get(f"/participants/{progress.pid}/progress"))
    accepted = client.post(
        f"/participants/{progress.pid}/awards/verify", data={**data, "csrf_token": token(page)}
    )
    assert accepted.status_code == 302
    assert progress.awards()["one-lap"].verified


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/participants/{pid}/awards/verify"),
        ("post", "/participants/{pid}/awards/{aid}/confirm"),
        ("get", "/participants/{pid}/awards/{aid}/withdraw"),
        ("post", "/participants/{pid}/awards/{aid}/withdraw"),
        ("get", "/participants/{pid}/stages/{sid}/sign-off"),
        ("post", "/participants/{pid}/stages/{sid}/sign-off"),
    ],
)
def test_another_centres_participant_and_awards_are_not_found(app, progress, method, path):
    progress.session(progress.pid_b, distance_m=150)
    progress.evaluate(progress.pid_b)
    theirs = progress.awards(progress.pid_b)["first-push"]
    url = path.format(pid=progress.pid_b, aid=theirs.id, sid=progress.stages_b["chair-fitted"])
    client = signed_in(app, progress.world.a.therapist.email)
    response = getattr(client, method)(
        url, data={"version": "1", "reason": "x", "signed_on": "2025-01-01", "award": "1"}
    )
    assert response.status_code == 404
    after = progress.awards(progress.pid_b)
    assert set(after) == {"first-push"}  # nothing signed off, nothing withdrawn
    assert not after["first-push"].verified
    assert after["first-push"].version == theirs.version


def test_an_award_of_someone_else_at_the_same_centre_is_not_found_under_this_participant(
    app, progress, reached
):
    other = Helpers(app).enrol(progress.world.a, given_name="Cy")
    client = signed_in(app, progress.world.a.therapist.email)
    award = reached["one-lap"]
    response = client.post(
        f"/participants/{other}/awards/{award.id}/confirm", data={"version": "1"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/awards/pending", "/participants/{pid}/stages/{sid}/sign-off"])
def test_participants_cannot_open_staff_award_pages(app, progress, path):
    client = signed_in(app, progress.world.a.participant.email)
    url = path.format(pid=progress.pid, sid=progress.stages_a["chair-fitted"])
    assert client.get(url).status_code == 403
