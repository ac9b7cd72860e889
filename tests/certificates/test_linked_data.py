"""The credentials and the documents around them are valid JSON-LD over the bundled contexts
only: did:web identities, resolvable achievements, content negotiation, unknown contexts and
undefined terms refused (never fetched)."""

from __future__ import annotations

import copy
import json

import pytest

from heartbeat.certificates import credentials, linkeddata, serials
from tests.certificates.test_credentials import did_path

LD_TYPES = ("application/json", "application/ld+json", "application/did+ld+json")


@pytest.fixture
def issued(app, world, certs):
    certificate_id = certs.issue(world.a, certs.achiever(world.a))
    return certs.certificate(certificate_id)


def _served(client, url: str, *, accept: str | None = None):
    path = url.removeprefix("http://heartbeat.test")
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, (path, response.status_code)
    return response


@pytest.mark.parametrize(
    ("base", "did", "path"),
    [
        ("https://miles.example.org", "did:web:miles.example.org:centres:north", "/centres"),
        ("http://127.0.0.1:5000", "did:web:127.0.0.1%3A5000:centres:north", "/centres"),
        ("https://example.org/miles", "did:web:example.org:miles:centres:north", "/miles"),
    ],
)
def test_did_web_follows_the_method_rules_for_ports_and_paths(base, did, path):
    assert serials.did_web(base, "north") == did
    assert serials.did_document_url(base, "north").startswith(base + "/centres/north/")
    assert serials.did_document_url(base, "north").endswith("/did.json")
    assert path in serials.did_document_url(base, "north")


def test_every_document_a_verifier_reads_is_valid_json_ld(client, world, issued):
    credential = _served(client, f"/verify/{issued.serial}.json").get_json()
    issuer = credential["issuer"]["id"]
    documents = {
        "credential": credential,
        "did": json.loads(_served(client, did_path(issuer)).get_data()),
        "profile": json.loads(_served(client, "/verify/issuers/alpha.json").get_data()),
        "achievement": json.loads(
            _served(client, credential["credentialSubject"]["achievement"]["id"]).get_data()
        ),
    }
    for name, document in documents.items():
        assert linkeddata.canonical_nquads(document), name
    assert documents["profile"]["id"] == issuer
    assert documents["achievement"]["id"] == credential["credentialSubject"]["achievement"]["id"]
    assert documents["achievement"]["name"] == "10K"
    assert documents["achievement"]["creator"]["id"] == issuer


def test_the_did_document_carries_the_key_as_a_multikey(client, world, issued):
    response = _served(client, "/centres/alpha/did.json")
    assert response.mimetype in LD_TYPES
    document = json.loads(response.get_data())
    (method,) = document["verificationMethod"]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert document["assertionMethod"] == [method["id"]]
    assert "max-age" in response.headers["Cache-Control"]


def test_the_credential_is_served_as_vc_ld_json_when_asked(client, issued):
    page = _served(client, f"/verify/{issued.serial}")
    assert page.mimetype == "text/html"
    for path in (f"/verify/{issued.serial}", f"/verify/{issued.serial}.json"):
        response = _served(client, path, accept="application/vc+ld+json")
        assert response.mimetype == "application/vc+ld+json"
        assert json.loads(response.get_data())["id"] == issued.verify_url
    assert _served(client, f"/verify/{issued.serial}.json").mimetype == "application/json"


def test_unknown_achievements_and_centres_answer_404(client, world, issued):
    assert client.get("/verify/achievements/alpha/stage-999999.json").status_code == 404
    assert client.get("/verify/achievements/nowhere/stage-1.json").status_code == 404
    assert client.get("/centres/nowhere/did.json").status_code == 404


def test_an_unknown_context_is_refused_not_fetched(client, issued, app, world):
    credential = _served(client, f"/verify/{issued.serial}.json").get_json()
    foreign = copy.deepcopy(credential)
    foreign["@context"] = [*foreign["@context"], "https://attacker.example/context.jsonld"]
    with pytest.raises(linkeddata.LinkedDataError, match="unknown JSON-LD context"):
        linkeddata.canonical_nquads({k: v for k, v in foreign.items() if k != "proof"})
    with app.app_context():
        key = credentials.signing_key_row(world.a.centre.id)
        assert key is not None
        assert credentials.verify(credential, key.public_key)
        assert not credentials.verify(foreign, key.public_key)


def test_a_term_no_context_defines_is_refused(client, issued):
    credential = _served(client, f"/verify/{issued.serial}.json").get_json()
    credential.pop("proof")
    credential["smuggled"] = "not signed in RDF"
    with pytest.raises(linkeddata.LinkedDataError, match="defined by no context"):
        linkeddata.canonical_nquads(credential)
