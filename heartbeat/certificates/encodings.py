"""Byte and text encodings the credentials use: JCS, base58btc, base64url, Multikey, JWK."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) for the JSON this module makes: strings, integers, booleans, null.

    Python's sorted keys and compact separators match JCS for these; floats are refused because
    their ECMAScript formatting is not what ``json`` writes.
    """

    def check(item: Any) -> None:
        if isinstance(item, float):
            raise TypeError("canonical_json refuses floats")
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise TypeError("JSON object keys must be strings")
                check(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                check(inner)

    check(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError("not base58btc")
        number = number * 58 + index
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading + body


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def multikey(public_key: bytes) -> str:
    """Ed25519 public key as a Multikey ``publicKeyMultibase`` (``z6Mk...``)."""
    return "z" + b58encode(_ED25519_MULTICODEC + public_key)


def public_key_from_multikey(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc ('z')")
    raw = b58decode(value[1:])
    if not raw.startswith(_ED25519_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]


def jwk(public_key: bytes, kid: str) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(public_key),
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def jwk_thumbprint(public_key: bytes) -> str:
    """RFC 7638 thumbprint: the key id."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(public_key)}
    return b64url(hashlib.sha256(canonical_json(members)).digest())
