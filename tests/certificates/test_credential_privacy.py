"""A participant who did not agree to show their name cannot be named from the public pages.

The attacker probe recovered such a name in 0.22 s: the credential carried sha256(name + salt)
with the salt beside it. Here the attack is run for real against everything public about a
certificate (every string of the credential JSON, the issuer profile and key set, and every
text and attribute of the verify page), with a list of names that includes the real one: each
name plain, and hashed with several algorithms, alone and salted with every public string.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from html.parser import HTMLParser

import pytest

from heartbeat.certificates import credentials

GIVEN = [
    "Zoë", "Amara", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemi", "Liam", "Maya", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Una",
    "Viktor", "Wen", "Yusuf",
]  # fmt: skip
FAMILY = [
    "Ødegård-Nakamura", "Adeyemi", "Brown", "Castillo", "Dubois", "Evans", "Fischer", "García",
    "Huang", "Ivanova", "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen", "O'Brien", "Patel",
    "Rossi", "Schmidt", "Tanaka", "Walker", "Yilmaz", "Zhang", "Okafor", "Silva",
]  # fmt: skip
ALGORITHMS = ("sha256", "sha1", "md5", "sha512")


def dictionary() -> list[str]:
    """625 full names, each also as 'family, given'; and the given and family names alone."""
    names = set()
    for given, family in itertools.product(GIVEN, FAMILY):
        names.update({f"{given} {family}", f"{family}, {given}"})
    names.update(GIVEN + FAMILY)
    return sorted(names)


class _Strings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.extend(value for _, value in attrs if value)

    def handle_data(self, data):
        if data.strip():
            self.found.append(data.strip())


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


def public_strings(client, certificate, slug: str) -> list[str]:
    found = []
    for path in (
        f"/verify/{certificate.serial}.json",
        f"/verify/issuers/{slug}.json",
        f"/verify/keys/{slug}.json",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        found.extend(json_strings(response.get_json()))
    page = client.get(f"/verify/{certificate.serial}")
    assert page.status_code == 200
    parser = _Strings()
    parser.feed(page.get_data(as_text=True))
    return found + parser.found


def _decodings(word: str) -> set[bytes]:
    """What a run of characters means as hex, base64 or base64url (where a digest would be)."""
    found = set()
    padded = word + "=" * (-len(word) % 4)
    for decode in (
        bytes.fromhex,
        lambda w: base64.b64decode(padded, validate=True),
        lambda w: base64.urlsafe_b64decode(padded),
    ):
        try:
            found.add(decode(word))
        except ValueError:
            pass
    return found


def dictionary_attack(strings: list[str], names: list[str]) -> list[str]:
    """The names that some public string gives away: shown, or hashed (salted with any public
    string, before or after, or not at all)."""
    text = "\n".join(strings).lower()
    words = re.findall(r"[A-Za-z0-9+/_-]{16,}", "\n".join(strings))
    encoded = {data for word in words for data in _decodings(word)}
    salts = ["", *sorted({item for item in strings if len(item) <= 200})]
    recovered = []
    for name in names:
        if " " in name and name.lower() in text:
            recovered.append(name)
            continue
        if any(
            hashlib.new(algorithm, candidate.encode()).digest() in encoded
            for salt, algorithm in itertools.product(salts, ALGORITHMS)
            for candidate in (name + salt, salt + name)
        ):
            recovered.append(name)
    return recovered


@pytest.fixture
def names() -> list[str]:
    listed = dictionary()
    assert "Zoë Ødegård-Nakamura" in listed
    return listed


def test_a_dictionary_attack_on_every_public_field_finds_no_unconsented_name(
    client, world, certs, names
):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Ødegård-Nakamura")
    certificate = certs.certificate(certs.issue(world.a, achiever))

    strings = public_strings(client, certificate, world.a.centre.slug)

    assert "Name not shown" in " ".join(strings)
    assert dictionary_attack(strings, names) == []


def test_the_same_attack_does_find_a_name_the_participant_agreed_to_show(
    client, world, certs, names
):
    # The attack itself works: given a name on the page, it finds it.
    achiever = certs.achiever(
        world.a, given_name="Zoë", family_name="Ødegård-Nakamura", public_name=True
    )
    certificate = certs.certificate(certs.issue(world.a, achiever))

    strings = public_strings(client, certificate, world.a.centre.slug)

    assert "Zoë Ødegård-Nakamura" in dictionary_attack(strings, names)


def test_the_attack_finds_a_name_hashed_with_a_published_salt():
    # What the credential used to carry: the salt beside the hash.
    salt = "0f3a9c1b2d4e5f60"
    identity = credentials.name_identifier("Zoë Ødegård-Nakamura", salt)
    assert dictionary_attack([identity["identityHash"], salt], dictionary()) == [
        "Zoë Ødegård-Nakamura"
    ]


def test_the_credential_names_the_participant_only_through_the_unpublished_salt(
    client, world, certs
):
    achiever = certs.achiever(world.a, given_name="Zoë", family_name="Ødegård-Nakamura")
    certificate = certs.certificate(certs.issue(world.a, achiever))
    credential = client.get(f"/verify/{certificate.serial}.json").get_json()

    (identity,) = credential["credentialSubject"]["identifier"]
    assert "salt" not in identity
    assert len(certificate.identity_salt) == 32
    assert certificate.identity_salt not in client.get(f"/verify/{certificate.serial}").text
    # Whoever the participant gives their name and code to can check it.
    digest = hashlib.sha256(
        ("Zoë Ødegård-Nakamura" + certificate.identity_salt).encode()
    ).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"


def test_the_participant_sees_their_proof_code_in_their_portal(app, world, certs):
    from tests.auth.helpers import login_as
    from tests.helpers import PASSWORD

    achiever = certs.achiever(world.a, login=world.a.participant)
    certificate = certs.certificate(certs.issue(world.a, achiever))

    portal = login_as(app, world.a.participant.email, PASSWORD).get("/me/certificates")

    assert certificate.identity_salt in portal.get_data(as_text=True)


def test_erasure_forgets_the_salt_so_the_hash_can_never_be_opened(app, world, certs):
    from datetime import date

    from heartbeat.auth.models import User
    from heartbeat.extensions import db
    from heartbeat.participants import erasure
    from heartbeat.participants.models import Participant

    achiever = certs.achiever(world.a)
    certificate_id = certs.issue(world.a, achiever)
    with app.app_context():
        participant = db.session.get(Participant, achiever.participant_id)
        admin = db.session.get(User, world.a.admin.id)
        erasure.erase(
            participant,
            actor=admin,
            confirm_name=f"{participant.given_name} {participant.family_name}",
            today=date(2026, 6, 2),
        )
        db.session.commit()

    certificate = certs.certificate(certificate_id)
    assert certificate.revoked_at is not None
    assert certificate.identity_salt is None
