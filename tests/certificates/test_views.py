"""Staff and participant pages: issuing from the profile, the register, downloads, revoking;
another centre's certificates answer 404 everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.certificates.models import BrandingSnapshot, Certificate
from heartbeat.extensions import db
from tests.certificates.conftest import NOW, pdf_reader, pdf_text
from tests.helpers import signed_in


def _certificate_rows(app) -> list[Certificate]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        db.session.expunge_all()
        return list(rows)


def test_the_profile_offers_a_certificate_for_each_verified_award(app, world, certs):
    achiever = certs.achiever(world.a)
    client = signed_in(app, world.a.therapist.email)
    page = client.get(f"/participants/{achiever.participant_id}/certificates").get_data(
        as_text=True
    )
    assert "Verified awards without a certificate" in page
    assert page.count("Issue certificate") == len(achiever.awards)
    assert f'name="award_id" value="{achiever.awards["10k"]}"' in page


def test_issuing_from_the_profile_makes_the_certificate_and_lists_it(app, world, certs):
    achiever = certs.achiever(world.a)
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": achiever.awards["10k"]},
    )
    assert response.status_code == 302
    (row,) = _certificate_rows(app)
    assert response.headers["Location"].endswith(f"/certificates/{row.id}")
    detail = client.get(f"/certificates/{row.id}").get_data(as_text=True)
    assert row.serial in detail and "Download PDF" in detail
    profile = client.get(f"/participants/{achiever.participant_id}/certificates").get_data(
        as_text=True
    )
    assert row.serial in profile
    assert f"/certificates/{row.id}/certificate.pdf" in profile
    assert profile.count("Issue certificate") == len(achiever.awards) - 1


def test_issuing_for_an_unverified_award_says_why_and_saves_nothing(app, world, certs):
    achiever = certs.achiever(world.a, verify=False)
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": achiever.awards["10k"]},
        follow_redirects=True,
    )
    assert "has not been verified yet" in response.get_data(as_text=True)
    assert certs.count() == 0


def test_issuing_for_another_participants_award_is_not_found(app, world, certs):
    achiever = certs.achiever(world.a)
    other = certs.achiever(world.a, given_name="Other")
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": other.awards["10k"]},
    )
    assert response.status_code == 404
    assert certs.count() == 0


def test_another_centres_participant_cannot_be_issued_a_certificate(app, world, certs):
    achiever = certs.achiever(world.b)
    client = signed_in(app, world.a.therapist.email)
    response = client.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": achiever.awards["10k"]},
    )
    assert response.status_code == 404
    assert certs.count() == 0


def test_a_participant_cannot_issue_certificates(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    client = signed_in(app, world.a.participant.email)
    response = client.post(
        f"/participants/{achiever.participant_id}/certificates/issue",
        data={"award_id": achiever.awards["10k"]},
    )
    assert response.status_code == 404
    assert certs.count() == 0


# --- downloads ------------------------------------------------------------------------------------


def test_staff_download_the_issued_pdf(app, world, certs):
    achiever = certs.achiever(world.a, given_name="Łukasz", family_name="Brzęczyszczykiewicz")
    certificate_id = certs.issue(world.a, achiever)
    row = certs.certificate(certificate_id)
    client = signed_in(app, world.a.admin.email)
    response = client.get(f"/certificates/{certificate_id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"certificate-{row.serial}.pdf" in response.headers["Content-Disposition"]
    assert "Łukasz Brzęczyszczykiewicz" in pdf_text(response.data)
    assert len(pdf_reader(response.data).pages) == 1


def test_a_participant_downloads_their_own_certificate_from_the_portal(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    certificate_id = certs.issue(world.a, achiever)
    client = signed_in(app, world.a.participant.email)
    portal = client.get("/me/certificates").get_data(as_text=True)
    assert "Your certificates" in portal
    assert f"/certificates/{certificate_id}/certificate.pdf" in portal
    response = client.get(f"/certificates/{certificate_id}/certificate.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_a_participant_cannot_download_someone_elses_certificate(app, world, certs):
    certs.achiever(world.a, login=world.a.participant, given_name="Mine")
    someone = certs.achiever(world.a, login=world.a.other_participant, given_name="Theirs")
    certificate_id = certs.issue(world.a, someone)
    client = signed_in(app, world.a.participant.email)
    assert client.get(f"/certificates/{certificate_id}/certificate.pdf").status_code == 404
    assert client.get(f"/certificates/{certificate_id}").status_code == 403


def test_another_centres_certificate_is_not_found_on_every_staff_route(app, world, certs):
    achiever = certs.achiever(world.b)
    certificate_id = certs.issue(world.b, achiever)
    serial = certs.certificate(certificate_id).serial
    client = signed_in(app, world.a.admin.email)
    for method, url in (
        ("get", f"/certificates/{certificate_id}"),
        ("get", f"/certificates/{certificate_id}/certificate.pdf"),
        ("get", f"/certificates/{certificate_id}/revoke"),
        ("post", f"/certificates/{certificate_id}/revoke"),
    ):
        response = getattr(client, method)(url, data={"reason": "Not yours"})
        assert response.status_code == 404, url
    register = client.get("/certificates?status=all").get_data(as_text=True)
    assert serial not in register
    assert not certs.certificate(certificate_id).revoked


def test_a_revoked_certificate_downloads_stamped(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    client = signed_in(app, world.a.admin.email)
    client.post(
        f"/certificates/{certificate_id}/revoke",
        data={
            "reason": "Issued to the wrong person",
            "version": "1",
        },
    )
    response = client.get(f"/certificates/{certificate_id}/certificate.pdf")
    assert response.status_code == 200
    assert "REVOKED" in response.headers["Content-Disposition"]
    assert "no longer valid" in pdf_text(response.data)


# --- revoking -------------------------------------------------------------------------------------


def test_revoking_asks_for_confirmation_and_a_reason(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    row = certs.certificate(certificate_id)
    client = signed_in(app, world.a.admin.email)
    confirm = client.get(f"/certificates/{certificate_id}/revoke")
    assert confirm.status_code == 200
    assert f"Revoke certificate {row.serial}?" in confirm.get_data(as_text=True)
    refused = client.post(
        f"/certificates/{certificate_id}/revoke", data={"reason": "", "version": "1"}
    )
    assert refused.status_code == 422
    assert "Give the reason" in refused.get_data(as_text=True)
    assert not certs.certificate(certificate_id).revoked
    done = client.post(
        f"/certificates/{certificate_id}/revoke",
        data={"reason": "Name misspelt", "version": "1"},
        follow_redirects=True,
    )
    assert "is revoked" in done.get_data(as_text=True)
    revoked = certs.certificate(certificate_id)
    assert revoked.revoked and revoked.revoked_reason == "Name misspelt"
    assert revoked.revoked_by_id == world.a.admin.id


def test_a_stale_revocation_form_is_refused(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    client = signed_in(app, world.a.admin.email)
    response = client.post(
        f"/certificates/{certificate_id}/revoke", data={"reason": "Old form", "version": "0"}
    )
    assert response.status_code == 409
    assert not certs.certificate(certificate_id).revoked


def test_therapists_cannot_revoke(app, world, certs):
    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    client = signed_in(app, world.a.therapist.email)
    assert client.get(f"/certificates/{certificate_id}/revoke").status_code == 403
    response = client.post(
        f"/certificates/{certificate_id}/revoke", data={"reason": "No", "version": "1"}
    )
    assert response.status_code == 403
    assert not certs.certificate(certificate_id).revoked


# --- the register ---------------------------------------------------------------------------------


def _bulk_certificates(app, centre_world, participant_id: int, count: int, *, start: int = 0):
    """Certificate rows without rendering, for list sizes (the register never renders)."""
    with app.app_context():
        snapshot = db.session.scalars(
            sa.select(BrandingSnapshot).where(BrandingSnapshot.centre_id == centre_world.centre.id)
        ).first()
        if snapshot is None:
            snapshot = BrandingSnapshot(
                centre_id=centre_world.centre.id,
                digest="bulk",
                centre_name="Centre",
                paper_size="A4",
                programme_name="P",
                primary_colour="#0b5563",
                accent_colour="#b3261e",
                signatory_name="",
                signatory_title="",
            )
            db.session.add(snapshot)
            db.session.flush()
        for index in range(start, start + count):
            db.session.add(
                Certificate(
                    centre_id=centre_world.centre.id,
                    serial=f"HM-2026-BULK-{index:04d}-{centre_world.centre.slug[:4].upper()}",
                    participant_id=participant_id,
                    award_key=f"club:bulk-{index}",
                    participant_name=f"Bulk Person {index}",
                    title="5K",
                    description="completed a continuous 5 km push",
                    achieved_on=(NOW - timedelta(days=index)).date(),
                    issued_on=(NOW - timedelta(days=index)).date(),
                    verify_url="http://heartbeat.test/verify/x",
                    credential={},
                    branding_id=snapshot.id,
                    sha256="0" * 64,
                    issued_at=NOW - timedelta(days=index),
                    issued_by_id=centre_world.therapist.id,
                )
            )
        db.session.commit()


def test_the_register_lists_the_centres_certificates_with_a_bounded_number_of_queries(
    app, world, certs, query_counter
):
    achiever = certs.achiever(world.a)
    other = certs.achiever(world.b)
    _bulk_certificates(app, world.b, other.participant_id, 3)
    _bulk_certificates(app, world.a, achiever.participant_id, 3)
    client = signed_in(app, world.a.therapist.email)
    with query_counter() as small:
        page = client.get("/certificates").get_data(as_text=True)
    assert page.count('data-serial="HM-2026-BULK-') == 3
    assert "-BRAV" not in page
    _bulk_certificates(app, world.a, achiever.participant_id, 60, start=3)
    with query_counter() as large:
        page = client.get("/certificates").get_data(as_text=True)
    assert page.count('data-serial="HM-2026-BULK-') == 25  # one page
    assert "Page 1 of 3" in page
    assert len(large) == len(small)
    second = client.get("/certificates?page=3").get_data(as_text=True)
    assert second.count('data-serial="HM-2026-BULK-') == 13


def test_the_register_filters_by_date_and_printed(app, world, certs):
    achiever = certs.achiever(world.a)
    _bulk_certificates(app, world.a, achiever.participant_id, 10)
    with app.app_context():
        db.session.execute(
            sa.update(Certificate)
            .where(Certificate.serial.like("HM-2026-BULK-000%"), Certificate.id % 2 == 0)
            .values(printed_at=NOW)
        )
        db.session.commit()
    client = signed_in(app, world.a.therapist.email)
    recent = client.get("/certificates?issued_from=2026-05-30").get_data(as_text=True)
    assert recent.count('data-serial="HM-2026-BULK-') == 4  # 2 June back to 30 May
    printed = client.get("/certificates?printed=yes").get_data(as_text=True)
    unprinted = client.get("/certificates?printed=no").get_data(as_text=True)
    assert printed.count('data-serial="') + unprinted.count('data-serial="') == 10
    bad = client.get("/certificates?issued_from=2026-06-10&issued_to=2026-06-01")
    assert "The end date is before the start date" in bad.get_data(as_text=True)
    assert client.get("/certificates?issued_from=not-a-date").status_code == 200


def test_participants_have_no_register(app, world):
    client = signed_in(app, world.a.participant.email)
    assert client.get("/certificates").status_code == 403


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        ("therapist", {"Certificates"}),
        ("admin", {"Certificates", "Certificate design"}),
    ],
)
def test_staff_navigation_leads_to_certificates(app, world, who, labels):
    client = signed_in(app, getattr(world.a, who).email)
    page = client.get("/certificates").get_data(as_text=True)
    for label in labels:
        assert f">{label}</a>" in page
    if who == "therapist":
        assert "/centre/branding" not in page
    else:  # the admin's Centre hub leads to the design too
        assert ">Branding</a>" in client.get("/centre").get_data(as_text=True)
