"""rotate-signing-key and rewrap-signing-keys: old credentials keep verifying after a rotation,
new ones use the new key; the keys survive a SECRET_KEY change only through the re-wrap."""

from __future__ import annotations

import json

import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.certificates import credentials
from heartbeat.certificates.models import SigningKey
from heartbeat.extensions import db
from tests.certificates.test_credentials import did_path


def _key_for(client, credential) -> bytes:
    document = json.loads(client.get(did_path(credential["issuer"]["id"])).get_data())
    method_id = credential["proof"]["verificationMethod"]
    assert method_id in document["assertionMethod"]
    (method,) = [m for m in document["verificationMethod"] if m["id"] == method_id]
    return credentials.public_key_from_multikey(method["publicKeyMultibase"])


def test_rotation_keeps_old_credentials_verifying_and_signs_new_ones_with_the_new_key(
    app, client, runner, world, certs
):
    achiever = certs.achiever(world.a)
    old = certs.certificate(certs.issue(world.a, achiever, "5k")).credential

    result = runner.invoke(args=["rotate-signing-key", "--centre", world.a.centre.slug])
    assert result.exit_code == 0, result.output
    assert "is retired but still verifies" in result.output

    new = certs.certificate(certs.issue(world.a, achiever, "10k")).credential
    assert old["proof"]["verificationMethod"] != new["proof"]["verificationMethod"]
    assert credentials.verify(old, _key_for(client, old))
    assert credentials.verify(new, _key_for(client, new))
    assert not credentials.verify(new, _key_for(client, old))

    document = client.get(f"/centres/{world.a.centre.slug}/did.json").get_json(force=True)
    assert document["verificationMethod"][0]["id"] == new["proof"]["verificationMethod"]
    jwks = client.get(f"/verify/keys/{world.a.centre.slug}.json").get_json()
    current, retired = jwks["keys"]
    assert "retired_at" not in current and "retired_at" in retired
    assert old["proof"]["verificationMethod"].endswith("#" + retired["kid"])
    with app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "signing_key.rotate")
        ).one()
        assert event.entity_id == world.a.centre.id


def test_rotating_an_unknown_centre_fails_clearly(runner, world):
    result = runner.invoke(args=["rotate-signing-key", "--centre", "nowhere"])
    assert result.exit_code != 0 and "No centre has the slug" in result.output


def test_rewrap_moves_the_keys_to_a_new_secret_key(app, runner, world, certs, monkeypatch):
    certs.issue(world.a, certs.achiever(world.a))
    old_secret = app.config["SECRET_KEY"]
    new_secret = "a-brand-new-secret-key-for-this-test-0123456789"
    monkeypatch.setitem(app.config, "SECRET_KEY", new_secret)

    refused = runner.invoke(args=["rewrap-signing-keys"], env={"HEARTBEAT_OLD_SECRET_KEY": ""})
    assert refused.exit_code != 0 and "Set HEARTBEAT_OLD_SECRET_KEY" in refused.output
    wrong = runner.invoke(args=["rewrap-signing-keys"], env={"HEARTBEAT_OLD_SECRET_KEY": "nope"})
    assert wrong.exit_code != 0 and "nothing was changed" in wrong.output

    done = runner.invoke(args=["rewrap-signing-keys"], env={"HEARTBEAT_OLD_SECRET_KEY": old_secret})
    assert done.exit_code == 0, done.output
    assert "Re-wrapped 1 signing key" in done.output
    with app.app_context():
        key = credentials.centre_key(world.a.centre.id, secret_key=new_secret)
        row = db.session.scalars(sa.select(SigningKey)).one()
        assert key.kid == row.kid
