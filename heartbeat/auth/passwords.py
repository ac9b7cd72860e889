"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from heartbeat.core.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 128


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["HEARTBEAT_ARGON2_TIME_COST"],
        memory_cost=cfg["HEARTBEAT_ARGON2_MEMORY_KIB"],
        parallelism=cfg["HEARTBEAT_ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


# A dummy hash to verify against when the email is unknown, so that a failed sign-in takes the
# same time whether or not the account exists.
def timing_equaliser() -> None:
    verify_password(_dummy_hash(), "not the password")


@lru_cache(maxsize=4)
def _dummy_hash_for(params: tuple[int, int, int]) -> str:
    return PasswordHasher(
        time_cost=params[0], memory_cost=params[1], parallelism=params[2], type=Type.ID
    ).hash("heartbeat-miles-dummy")


def _dummy_hash() -> str:
    cfg = current_app.config
    return _dummy_hash_for(
        (
            cfg["HEARTBEAT_ARGON2_TIME_COST"],
            cfg["HEARTBEAT_ARGON2_MEMORY_KIB"],
            cfg["HEARTBEAT_ARGON2_PARALLELISM"],
        )
    )


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("heartbeat").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Reasons a new password is refused, in words a person can act on (empty: acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(num)s characters.", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(num)s characters.", num=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        problems.append(_("This password is too common; choose one that is harder to guess."))
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and lowered == local_part:
        problems.append(_("Do not use your email address as your password."))
    return problems
