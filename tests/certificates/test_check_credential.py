"""The public "check a credential file" form: a genuine credential is recognised; a malformed,
unsigned, foreign or tampered one is answered "not genuine" with the reason."""

from __future__ import annotations

import copy
import io
import json

import pytest

from heartbeat.auth.models import User
from heartbeat.certificates import services
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db


@pytest.fixture
def credential(client, world, certs):
    issued = certs.certificate(certs.issue(world.a, certs.achiever(world.a)))
    return client.get(f"/verify/{issued.serial}.json").get_json()


def _upload(client, data: bytes, name: str = "credential.json"):
    return client.post(
        "/verify/check",
        data={"credential_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_the_verify_page_offers_the_file_check(client, world):
    page = _text(client.get("/verify"))
    assert "Check a credential file" in page and 'enctype="multipart/form-data"' in page


def test_a_genuine_credential_is_recognised_uploaded_or_pasted(client, credential):
    uploaded = _upload(client, json.dumps(credential).encode())
    assert uploaded.status_code == 200
    assert "Genuine credential" in _text(uploaded) and "Centre ALPHA signed" in _text(uploaded)
    pasted = client.post("/verify/check", data={"credential_text": json.dumps(credential)})
    assert pasted.status_code == 200 and "Genuine credential" in _text(pasted)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda c: c["credentialSubject"]["achievement"].update(name="Marathon"),
            "changed after it was signed",
        ),
        (lambda c: c.update(validFrom="2020-01-01T00:00:00Z"), "changed after it was signed"),
        (lambda c: c.pop("proof"), "carries no signature"),
        (lambda c: c.update(issuer={"id": "did:web:elsewhere.example"}), "does not claim"),
        (
            lambda c: c["proof"].update(verificationMethod=c["issuer"]["id"] + "#not-a-key"),
            "never had",
        ),
        (
            lambda c: c["@context"].append("https://attacker.example/ctx.jsonld"),
            "unknown JSON-LD context",
        ),
        (lambda c: c.update(smuggled="x"), "defined by no context"),
    ],
)
def test_a_tampered_or_foreign_credential_is_not_genuine_with_the_reason(
    client, credential, change, reason
):
    tampered = copy.deepcopy(credential)
    change(tampered)
    response = _upload(client, json.dumps(tampered).encode())
    assert response.status_code == 422
    page = _text(response)
    assert "Not genuine" in page and reason in page


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n not json", "not a JSON document"),
        (b"[1, 2, 3]", "not a credential"),
        (b"{" + b" " * 70_000 + b"}", "far larger than a credential"),
    ],
)
def test_malformed_files_are_refused_plainly(client, world, data, reason):
    response = _upload(client, data)
    assert response.status_code == 422 and reason in _text(response)


def test_nothing_sent_asks_for_a_file(client, world):
    response = client.post("/verify/check", data={})
    assert response.status_code == 422
    assert "Choose a credential file, or paste one below." in _text(response)


def test_a_revoked_credential_is_genuine_but_revoked(app, client, world, credential):
    serial = credential["id"].rsplit("/", 1)[-1]
    with app.app_context():
        row = db.session.query(Certificate).filter_by(serial=serial).one()
        services.revoke(row, actor=db.session.get(User, world.a.admin.id), reason="Mistake")
        db.session.commit()
    response = _upload(client, json.dumps(credential).encode())
    assert response.status_code == 200 and "Genuine, but revoked" in _text(response)
