"""A participant shares their certificate from their own page: the PDF, the credential JSON, the
public check link, and LinkedIn's "add to profile" link carrying the right fields."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

from heartbeat.auth.models import User
from heartbeat.certificates import services, sharing
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from tests.helpers import signed_in


def _linkedin_links(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="([^"]*linkedin[^"]*)"', page)]


def test_the_linkedin_link_names_the_certification_as_linkedin_documents():
    url = sharing.linkedin_url(
        name="10K & beyond",
        organisation="Riverside Rehab",
        issued_on=date(2026, 6, 2),
        verify_url="https://miles.example.org/verify/HM-2026-AAAA-BBBB-CCCC",
        serial="HM-2026-AAAA-BBBB-CCCC",
        expires_on=date(2027, 6, 2),
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = {
        name: values[0] for name, values in parse_qs(parts.query, strict_parsing=True).items()
    }
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": "10K & beyond",
        "organizationName": "Riverside Rehab",
        "issueYear": "2026",
        "issueMonth": "6",
        "expirationYear": "2027",
        "expirationMonth": "6",
        "certUrl": "https://miles.example.org/verify/HM-2026-AAAA-BBBB-CCCC",
        "certId": "HM-2026-AAAA-BBBB-CCCC",
    }


def test_the_participant_page_offers_every_way_to_share(app, client, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    row = certs.certificate(certs.issue(world.a, achiever))
    browser = signed_in(app, world.a.participant.email)

    page = browser.get("/me/certificates").get_data(as_text=True)

    assert f"/certificates/{row.id}/certificate.pdf" in page
    assert f'href="/verify/{row.serial}.json" download="credential-{row.serial}.json"' in page
    assert f'value="{row.verify_url}" readonly' in page
    (link,) = _linkedin_links(page)
    fields = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert fields["name"] == row.title and fields["organizationName"] == "Centre ALPHA"
    assert (fields["issueYear"], fields["issueMonth"]) == (
        str(row.issued_on.year),
        str(row.issued_on.month),
    )
    assert fields["certUrl"] == row.verify_url and fields["certId"] == row.serial
    downloaded = browser.get(f"/verify/{row.serial}.json")
    assert downloaded.status_code == 200 and downloaded.get_json()["id"] == row.verify_url


def test_a_revoked_certificate_is_not_offered_for_sharing(app, world, certs):
    achiever = certs.achiever(world.a, login=world.a.participant)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        services.revoke(
            db.session.get(Certificate, certificate_id),
            actor=db.session.get(User, world.a.admin.id),
            reason="Mistake",
        )
        db.session.commit()
    page = signed_in(app, world.a.participant.email).get("/me/certificates").get_data(as_text=True)
    assert not _linkedin_links(page) and ".json" not in page
