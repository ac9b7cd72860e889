"""Each credential names what proved it (OB 3.0 ``evidence``: kind, dates, the verifier's role,
nothing of the person's health record) and aligns the achievement with the centre's programme."""

from __future__ import annotations

import json

from heartbeat.certificates import linkeddata


def test_the_credential_names_its_evidence_and_the_programme(client, world, certs):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Quist")
    row = certs.certificate(certs.issue(world.a, achiever))
    credential = client.get(f"/verify/{row.serial}.json").get_json()

    (evidence,) = credential["evidence"]
    assert evidence["type"] == ["Evidence"]
    assert evidence["name"] == "Continuous session"
    narrative = evidence["narrative"]
    assert "session on " in narrative and "verified by a " in narrative
    assert "Centre ALPHA" in narrative
    body = json.dumps(credential, ensure_ascii=False)
    assert "Zoë" not in body and "Quist" not in body
    assert "10.5" not in narrative and "km" not in narrative  # no distances or times

    achievement = credential["credentialSubject"]["achievement"]
    (alignment,) = achievement["alignment"]
    assert alignment["type"] == ["Alignment"]
    assert alignment["targetName"] == row.branding.programme_name
    assert alignment["targetUrl"].endswith(f"/verify/issuers/{world.a.centre.slug}.json")
    assert achievement["criteria"]["narrative"]

    assert linkeddata.canonical_nquads({k: v for k, v in credential.items() if k != "proof"})
    served = client.get(achievement["id"].removeprefix("http://heartbeat.test")).get_json(
        force=True
    )
    assert served["alignment"] == achievement["alignment"]
