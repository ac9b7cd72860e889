"""Certificates that expire: a stage marked to expire after a period gives its credentials
``validUntil``; the verify page says "expired on …"; the caseload lists expiries in the next 30
days; renewing after a new sign-off is one action."""

from __future__ import annotations

import html as htmlmod
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.certificates.issuing import add_months
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.progress.models import Award, LadderStage
from tests.helpers import signed_in


def _expiring_stage(app, centre_world, code: str = "10k", months: int = 12) -> None:
    with app.app_context():
        stage = db.session.scalars(
            sa.select(LadderStage).where(
                LadderStage.centre_id == centre_world.centre.id, LadderStage.code == code
            )
        ).one()
        stage.valid_for_months = months
        db.session.commit()


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_calendar_months_keep_the_day_or_the_months_last():
    assert add_months(datetime(2026, 6, 2, 10, tzinfo=UTC), 12) == datetime(
        2027, 6, 2, 10, tzinfo=UTC
    )
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 3) == datetime(2027, 2, 15, tzinfo=UTC)


def test_an_expiring_stage_gives_valid_until_and_the_page_says_when(app, client, world, certs):
    achiever = certs.achiever(world.a)
    _expiring_stage(app, world.a)
    row = certs.certificate(certs.issue(world.a, achiever))

    assert row.valid_until == datetime(2027, 6, 2, 10, tzinfo=UTC)
    credential = client.get(f"/verify/{row.serial}.json").get_json()
    assert credential["validUntil"] == "2027-06-02T10:00:00Z"
    page = _text(client.get(f"/verify/{row.serial}"))
    assert "Valid certificate" in page and "Valid until" in page


def test_other_stages_never_expire(client, world, certs):
    row = certs.certificate(certs.issue(world.a, certs.achiever(world.a)))
    assert row.valid_until is None
    assert "validUntil" not in client.get(f"/verify/{row.serial}.json").get_json()


def test_after_its_date_the_verify_page_says_expired_on(app, client, world, certs):
    achiever = certs.achiever(world.a)
    _expiring_stage(app, world.a, months=1)
    long_ago = datetime.now(UTC) - timedelta(days=90)
    row = certs.certificate(certs.issue(world.a, achiever, now=long_ago))
    page = _text(client.get(f"/verify/{row.serial}"))
    assert "Expired certificate" in page
    assert f"expired on {row.valid_until.day} {row.valid_until:%b %Y}" in page


def test_the_caseload_lists_certificates_expiring_within_30_days(app, world, certs):
    achiever = certs.achiever(world.a, given_name="Renata", family_name="Soon")
    later = certs.achiever(world.a, given_name="Lars", family_name="Later")
    _expiring_stage(app, world.a, months=12)
    now = datetime.now(UTC)
    certs.issue(world.a, achiever, now=now - timedelta(days=365 - 10))  # expires in ~10 days
    certs.issue(world.a, later, now=now - timedelta(days=100))  # expires in ~265 days
    page = _text(signed_in(app, world.a.therapist.email).get("/participants"))
    assert "Certificates expiring" in page
    # The group alone: the next one (measures due) may name anyone.
    group = page.split("Certificates expiring", 1)[1].split("</section>", 1)[0]
    assert "Soon, Renata" in group and "Later, Lars" not in group


def test_renewing_is_one_action_after_a_new_sign_off(app, client, world, certs):
    achiever = certs.achiever(world.a)
    _expiring_stage(app, world.a, months=12)
    old = certs.certificate(certs.issue(world.a, achiever))
    therapist = signed_in(app, world.a.therapist.email)

    confirm = therapist.get(f"/certificates/{old.id}/renew")
    assert confirm.status_code == 200 and "Sign off again and renew" in _text(confirm)
    response = therapist.post(f"/certificates/{old.id}/renew", data={"version": old.version})
    assert response.status_code == 302

    with app.app_context():
        before = db.session.get(Certificate, old.id)
        assert before.revoked_at is not None and "Renewed" in before.revoked_reason
        (new,) = db.session.scalars(
            sa.select(Certificate).where(Certificate.standing_award_id == old.award_id)
        ).all()
        assert new.id != old.id and new.valid_until > old.valid_until
        assert new.credential["validUntil"] != old.credential["validUntil"]
        assert db.session.get(Award, new.award_id).verified_by_id == world.a.therapist.id
        assert db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "certificate.renew")
        ).one()
    assert response.headers["Location"].endswith(f"/certificates/{new.id}")


def test_a_certificate_that_never_expires_cannot_be_renewed(app, world, certs):
    row = certs.certificate(certs.issue(world.a, certs.achiever(world.a)))
    therapist = signed_in(app, world.a.therapist.email)
    response = therapist.post(f"/certificates/{row.id}/renew", data={"version": row.version})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/certificates/{row.id}"
    )
    with app.app_context():
        assert db.session.get(Certificate, row.id).revoked_at is None


def test_an_admin_sets_the_period_on_the_ladder(app, world, certs):
    certs.achiever(world.a)  # seeds the ladder
    with app.app_context():
        stage = db.session.scalars(
            sa.select(LadderStage).where(
                LadderStage.centre_id == world.a.centre.id, LadderStage.code == "10k"
            )
        ).one()
        stage_id, version = stage.id, stage.version
    admin = signed_in(app, world.a.admin.email)
    page = admin.get(f"/ladder/{stage_id}/edit")
    assert "Certificates expire after" in _text(page)
    bad = admin.post(
        f"/ladder/{stage_id}/edit",
        data=_edit_data(page, expires_after="twelve"),
    )
    assert bad.status_code == 422 and "whole number of months" in _text(bad)
    good = admin.post(f"/ladder/{stage_id}/edit", data=_edit_data(page, expires_after="12"))
    assert good.status_code == 302, _text(good)[:500]
    with app.app_context():
        stage = db.session.get(LadderStage, stage_id)
        assert stage.valid_for_months == 12 and stage.version == version + 1


def _edit_data(page, **changes) -> dict[str, str]:
    html = page.get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name in re.findall(r'<input[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    match = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', html, re.S)
    data["description"] = match.group(1).strip() if match else ""
    data.pop("preview", None)
    data.update(changes)
    return {k: htmlmod.unescape(v) for k, v in data.items()}
