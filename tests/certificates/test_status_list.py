"""Revocation a wallet can see: each credential's bit in its centre's signed Bitstring Status
List flips when the certificate is revoked; the list names no one."""

from __future__ import annotations

import json

from heartbeat.auth.models import User
from heartbeat.certificates import credentials, linkeddata, services, statuslist
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from tests.certificates.test_credentials import did_path


def _list_for(client, credential) -> tuple[dict, object]:
    status = credential["credentialStatus"]
    response = client.get(status["statusListCredential"].removeprefix("http://heartbeat.test"))
    assert response.status_code == 200
    return json.loads(response.get_data()), response


def _public_key(client, document) -> bytes:
    did = json.loads(client.get(did_path(document["issuer"])).get_data())
    (method,) = [
        m for m in did["verificationMethod"] if m["id"] == document["proof"]["verificationMethod"]
    ]
    return credentials.public_key_from_multikey(method["publicKeyMultibase"])


def test_bits_are_first_byte_high_bit_first_and_round_trip():
    encoded = statuslist.encode([0, 9, statuslist.LIST_BITS - 1])
    raw = statuslist.decode(encoded)
    assert len(raw) == statuslist.LIST_BITS // 8
    assert raw[0] == 0x80 and raw[1] == 0x40 and raw[-1] == 0x01
    assert statuslist.bit_is_set(encoded, 9) and not statuslist.bit_is_set(encoded, 8)


def test_revoking_flips_the_credentials_bit_in_the_signed_list(app, client, world, certs):
    achiever = certs.achiever(world.a)
    kept = certs.certificate(certs.issue(world.a, achiever, "10k"))
    revoked = certs.certificate(certs.issue(world.a, achiever, "5k"))
    entries = [c.credential["credentialStatus"] for c in (kept, revoked)]
    assert all(e["type"] == "BitstringStatusListEntry" for e in entries)
    assert all(e["statusPurpose"] == "revocation" for e in entries)
    assert entries[0]["statusListIndex"] != entries[1]["statusListIndex"]
    assert entries[0]["statusListCredential"] == entries[1]["statusListCredential"]

    before, response = _list_for(client, revoked.credential)
    assert response.headers["Cache-Control"] == f"public, max-age={statuslist.MAX_AGE}"
    assert response.mimetype == "application/vc+ld+json"
    assert before["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credentials.verify(before, _public_key(client, before))
    assert linkeddata.canonical_nquads({k: v for k, v in before.items() if k != "proof"})
    encoded = before["credentialSubject"]["encodedList"]
    assert not any(statuslist.bit_is_set(encoded, int(e["statusListIndex"])) for e in entries)

    with app.app_context():
        services.revoke(
            db.session.get(Certificate, revoked.id),
            actor=db.session.get(User, world.a.admin.id),
            reason="Issued by mistake",
        )
        db.session.commit()

    after, _ = _list_for(client, revoked.credential)
    encoded = after["credentialSubject"]["encodedList"]
    assert statuslist.bit_is_set(encoded, int(entries[1]["statusListIndex"]))
    assert not statuslist.bit_is_set(encoded, int(entries[0]["statusListIndex"]))
    assert credentials.verify(after, _public_key(client, after))


def test_the_list_names_no_one_and_has_a_fixed_size(client, world, certs):
    certificate = certs.certificate(certs.issue(world.a, certs.achiever(world.a)))
    document, response = _list_for(client, certificate.credential)
    body = response.get_data(as_text=True)
    assert certificate.serial not in body
    assert len(statuslist.decode(document["credentialSubject"]["encodedList"])) * 8 == 131_072
    # A centre that has issued nothing has no list yet; unknown centres have none.
    assert client.get(f"/verify/status/{world.b.centre.slug}.json").status_code == 404
    assert client.get("/verify/status/nowhere.json").status_code == 404
