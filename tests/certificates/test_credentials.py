"""Open Badges 3.0 credentials: signed with the centre's Ed25519 key (eddsa-rdfc-2022, older ones
eddsa-jcs-2022), keys published in the centre's did:web document, tampering detected, the private
key stored encrypted."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
import sqlalchemy as sa

from heartbeat.certificates import credentials, proofs, queries, services
from heartbeat.certificates.models import SigningKey
from heartbeat.extensions import db
from tests.certificates.conftest import NOW, pdf_reader

# The W3C Data Integrity EdDSA Cryptosuites v1.0 example for eddsa-jcs-2022 (as used in public
# interoperability suites): a verifier that accepts it speaks the same algorithm as others do.
SPEC_VECTOR = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "cryptosuite": "eddsa-jcs-2022",
        "proofPurpose": "assertionMethod",
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "proofValue": "z5EhYRJkfPLkoT92FPXN8KK6M9rsBhq3xs19GBSsA6VdNYH4QMKSyNuA2Gfznz9QthVD7Rz3H"
        "TAfqxxay23htUpTg",
    },
}


@pytest.fixture
def issued(app, world, certs):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Ødegård-Nakamura")
    certificate_id = certs.issue(world.a, achiever)
    return certs.certificate(certificate_id)


def did_path(did: str) -> str:
    """did:web's rule, read independently: did:web:host:a:b -> https://host/a/b/did.json."""
    assert did.startswith("did:web:")
    host, *segments = did.removeprefix("did:web:").split(":")
    assert host == "heartbeat.test"
    return "/" + "/".join(segments) + "/did.json"


def _public_key_from_issuer_profile(client, credential) -> bytes:
    issuer_id = credential["issuer"]["id"]
    method_id = credential["proof"]["verificationMethod"]
    assert method_id.startswith(issuer_id + "#")
    response = client.get(did_path(issuer_id))
    assert response.status_code == 200
    document = json.loads(response.get_data())
    assert document["id"] == issuer_id
    (method,) = [m for m in document["verificationMethod"] if m["id"] == method_id]
    assert method["type"] == "Multikey" and method["controller"] == issuer_id
    assert method_id in document["assertionMethod"]
    return credentials.public_key_from_multikey(method["publicKeyMultibase"])


def test_our_verifier_accepts_the_specifications_test_vector_and_rejects_a_changed_one():
    public_key = credentials.public_key_from_multikey(
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    )
    assert credentials.verify(SPEC_VECTOR, public_key)
    changed = copy.deepcopy(SPEC_VECTOR)
    changed["credentialSubject"]["alumniOf"] = "Another School"
    assert not credentials.verify(changed, public_key)


def test_the_served_credential_is_an_open_badge_signed_by_the_centres_published_key(
    client, world, issued
):
    response = client.get(f"/verify/{issued.serial}.json")
    assert response.status_code == 200
    credential = response.get_json()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == issued.verify_url
    assert credential["issuer"]["name"] == "Centre ALPHA"
    assert credential["validFrom"] == "2026-06-02T10:00:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "10K"
    assert "at least 10.0 km (6.2 mi)" in achievement["criteria"]["narrative"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["issuer"]["id"] == f"did:web:heartbeat.test:centres:{world.a.centre.slug}"

    public_key = _public_key_from_issuer_profile(client, credential)
    assert credentials.verify(credential, public_key)

    jwks = client.get(f"/verify/keys/{world.a.centre.slug}.json").get_json()
    (jwk,) = jwks["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert credentials.b64url_decode(jwk["x"]) == public_key
    assert credential["proof"]["verificationMethod"].endswith("#" + jwk["kid"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="Marathon"),
        lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
        lambda c: c["issuer"].update(name="Another Centre"),
        lambda c: c["proof"].update(created="2027-01-01T00:00:00Z"),
        lambda c: c["proof"].update(
            proofValue=c["proof"]["proofValue"][:-2]
            + ("11" if c["proof"]["proofValue"][-2:] != "11" else "22")
        ),
        lambda c: c.pop("proof"),
    ],
)
def test_a_tampered_credential_fails_verification(client, issued, tamper):
    credential = client.get(f"/verify/{issued.serial}.json").get_json()
    public_key = _public_key_from_issuer_profile(client, credential)
    tampered = copy.deepcopy(credential)
    tamper(tampered)
    assert not credentials.verify(tampered, public_key)


def test_another_centres_key_does_not_verify_it(app, client, world, certs, issued):
    other = certs.achiever(world.b)
    certs.issue(world.b, other)
    credential = client.get(f"/verify/{issued.serial}.json").get_json()
    jwks = client.get(f"/verify/keys/{world.b.centre.slug}.json").get_json()
    other_key = credentials.b64url_decode(jwks["keys"][0]["x"])
    assert not credentials.verify(credential, other_key)


def test_the_credential_hides_the_name_behind_a_hash_with_an_unpublished_salt(client, issued):
    body = client.get(f"/verify/{issued.serial}.json").get_data(as_text=True)
    assert "Zoë" not in body and "Ødegård" not in body
    (identity,) = json.loads(body)["credentialSubject"]["identifier"]
    assert "salt" not in identity and issued.identity_salt not in body
    digest = hashlib.sha256(("Zoë Ødegård-Nakamura" + issued.identity_salt).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"


def test_the_pdf_carries_the_same_signed_credential(app, client, issued):
    with app.app_context():
        row = db.session.scalars(queries.certificate_query(issued.id)).unique().one()
        pdf = services.certificate_pdf(row)
    attached = pdf_reader(pdf).attachments[f"credential-{issued.serial}.json"][0]
    served = client.get(f"/verify/{issued.serial}.json").get_json()
    assert json.loads(attached) == served


def test_a_revoked_certificates_credential_answers_gone(app, client, world, issued):
    from heartbeat.auth.models import User
    from heartbeat.certificates.models import Certificate

    with app.app_context():
        services.revoke(
            db.session.get(Certificate, issued.id),
            actor=db.session.get(User, world.a.admin.id),
            reason="Issued by mistake",
        )
        db.session.commit()
    response = client.get(f"/verify/{issued.serial}.json")
    assert response.status_code == 410
    assert response.get_json()["error"] == "certificate revoked"


def test_unknown_serials_and_centres_answer_404_in_json(client, world):
    assert client.get("/verify/HM-2026-AAAA-BBBB-CCCC.json").status_code == 404
    assert client.get("/verify/keys/nowhere.json").status_code == 404
    assert client.get("/verify/issuers/nowhere.json").status_code == 404
    assert client.get(f"/verify/keys/{world.a.centre.slug}.json").get_json() == {"keys": []}


def test_the_private_key_is_stored_encrypted_under_the_secret_key(app, world, issued):
    with app.app_context():
        row = db.session.scalars(
            sa.select(SigningKey).where(SigningKey.centre_id == world.a.centre.id)
        ).one()
        key = credentials.centre_key(world.a.centre.id, secret_key=app.config["SECRET_KEY"])
        from cryptography.hazmat.primitives import serialization

        raw = key.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        assert raw not in row.private_key_encrypted
        assert key.kid == row.kid == credentials.jwk_thumbprint(row.public_key)
        with pytest.raises(credentials.CredentialError, match="SECRET_KEY"):
            credentials.centre_key(world.a.centre.id, secret_key="another-secret")


def test_a_jcs_proof_made_before_rdfc_still_verifies(app, world, issued):
    with app.app_context():
        key = credentials.centre_key(world.a.centre.id, secret_key=app.config["SECRET_KEY"])
        document = {k: v for k, v in issued.credential.items() if k != "proof"}
        method = issued.credential["proof"]["verificationMethod"]
        old = proofs.sign(
            document,
            key.private_key,
            verification_method=method,
            created=NOW,
            cryptosuite=proofs.JCS,
        )
    assert old["proof"]["cryptosuite"] == "eddsa-jcs-2022" and "@context" in old["proof"]
    assert credentials.verify(old, key.public_key)
    old["name"] = "Changed"
    assert not credentials.verify(old, key.public_key)


def test_one_key_per_centre_made_on_first_need(app, world, certs):
    achiever = certs.achiever(world.a)
    certs.issue(world.a, achiever, "10k")
    certs.issue(world.a, achiever, "5k")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == 1


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats():
    assert credentials.canonical_json({"b": 1, "a": ["é", True, None]}) == (
        '{"a":["é",true,null],"b":1}'.encode()
    )
    with pytest.raises(TypeError):
        credentials.canonical_json({"x": 1.5})


def test_base58_round_trips_with_leading_zeros():
    for data in (b"", b"\0\0\x01", bytes(range(40)), b"\xff" * 64):
        assert credentials.b58decode(credentials.b58encode(data)) == data
