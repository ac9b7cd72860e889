"""Issued credentials checked by an independent implementation: Digital Bazaar's reference
libraries (``@digitalbazaar/vc`` with the ``eddsa-rdfc-2022`` cryptosuite) and
``@digitalcredentials/verifier-core``, installed from the npm registry (``npm ci``) and run
offline by ``tests/certificates/js/verify_credentials.mjs``: the contexts come from the npm
packages that publish them, the DID documents and status lists from this app."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.certificates import services
from heartbeat.certificates.models import Certificate
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.certificates.test_credentials import did_path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("js") / "verify_credentials.mjs"
APP = "http://heartbeat.test"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None
    or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir()
    or not (ROOT / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir(),
    reason="needs Node.js and the test tools from package.json (npm ci)",
)


def app_documents(client, credentials: list[dict]) -> dict[str, dict]:
    """What the app serves for the URLs the credentials lead a verifier to."""
    documents: dict[str, dict] = {}
    for credential in credentials:
        issuer = credential["issuer"]["id"]
        paths = [did_path(issuer)]
        status = credential.get("credentialStatus")
        if status:
            paths.append(status["statusListCredential"].removeprefix(APP))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            documents[APP + path] = json.loads(response.get_data())
    return documents


def independently_verified(client, cases: dict[str, dict]) -> dict[str, dict]:
    payload = {
        "cases": [{"name": name, "credential": c} for name, c in cases.items()],
        "documents": app_documents(client, list(cases.values())),
    }
    run = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results: dict[str, dict] = json.loads(run.stdout)
    return results


def test_issued_credentials_verify_and_tampered_ones_fail(client, world, certs):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Ødegård")
    issued = certs.certificate(certs.issue(world.a, achiever))
    credential = client.get(f"/verify/{issued.serial}.json").get_json()
    renamed = copy.deepcopy(credential)
    renamed["credentialSubject"]["achievement"]["name"] = "Marathon"
    redated = copy.deepcopy(credential)
    redated["validFrom"] = "2020-01-01T00:00:00Z"

    results = independently_verified(
        client, {"issued": credential, "renamed": renamed, "redated": redated}
    )

    genuine = results["issued"]
    assert genuine["digitalbazaar"]["verified"] is True, genuine
    assert genuine["digitalbazaar"]["revoked"] is False
    assert genuine["verifierCore"]["steps"]["valid_signature"] is True, genuine
    assert genuine["verifierCore"]["steps"]["revocation_status"] is True, genuine
    for name in ("renamed", "redated"):
        assert results[name]["digitalbazaar"]["verified"] is False, results[name]
        assert results[name]["digitalbazaar"]["proofVerified"] is False
        assert results[name]["verifierCore"]["steps"].get("valid_signature") is not True


def test_a_revoked_credential_reports_revoked_through_its_status_list(app, client, world, certs):
    issued = certs.certificate(certs.issue(world.a, certs.achiever(world.a)))
    credential = client.get(f"/verify/{issued.serial}.json").get_json()
    with app.app_context():
        services.revoke(
            db.session.get(Certificate, issued.id),
            actor=db.session.get(User, world.a.admin.id),
            reason="Issued by mistake",
        )
        db.session.commit()

    result = independently_verified(client, {"revoked": credential})["revoked"]

    assert result["digitalbazaar"]["proofVerified"] is True, result
    assert result["digitalbazaar"]["revoked"] is True
    assert result["digitalbazaar"]["verified"] is False
    assert result["verifierCore"]["steps"]["valid_signature"] is True, result
    assert result["verifierCore"]["steps"]["revocation_status"] is False, result


def test_every_credential_the_demo_issues_verifies_independently(app, client):
    from heartbeat.devtools.demo import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
        rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        cases = {row.serial: row.credential for row in rows}
        revoked = {row.serial for row in rows if row.revoked_at is not None}
        now = utcnow()
        expired = {row.serial for row in rows if row.valid_until and row.valid_until < now}
    assert len(cases) >= 20 and len(revoked) == 1 and expired
    tampered = copy.deepcopy(next(iter(cases.values())))
    tampered["credentialSubject"]["achievement"]["name"] = "A stage never reached"
    cases["tampered"] = tampered

    results = independently_verified(client, cases)

    for serial, result in results.items():
        if serial == "tampered":
            assert result["digitalbazaar"]["proofVerified"] is False, result
            continue
        if serial in expired:  # a yearly clearance past its validUntil: signed, but expired
            assert result["verifierCore"]["steps"]["valid_signature"] is True, (serial, result)
            assert result["verifierCore"]["steps"]["expiration"] is False, (serial, result)
            assert result["digitalbazaar"]["verified"] is False
            assert 'is after "validUntil"' in result["digitalbazaar"]["error"], (serial, result)
            continue
        assert result["digitalbazaar"]["proofVerified"] is True, (serial, result)
        assert result["verifierCore"]["steps"]["valid_signature"] is True, (serial, result)
        assert result["verifierCore"]["steps"]["expiration"] is True, (serial, result)
        assert result["digitalbazaar"]["revoked"] is (serial in revoked), (serial, result)
        assert result["digitalbazaar"]["verified"] is (serial not in revoked), (serial, result)


def test_credentials_signed_before_and_after_a_key_rotation_both_verify(
    client, runner, world, certs
):
    achiever = certs.achiever(world.a)
    before = certs.certificate(certs.issue(world.a, achiever, "5k")).credential
    assert (
        runner.invoke(args=["rotate-signing-key", "--centre", world.a.centre.slug]).exit_code == 0
    )
    after = certs.certificate(certs.issue(world.a, achiever, "10k")).credential

    results = independently_verified(client, {"before": before, "after": after})

    for name in ("before", "after"):
        assert results[name]["digitalbazaar"]["verified"] is True, results[name]
        assert results[name]["verifierCore"]["steps"]["valid_signature"] is True, results[name]
