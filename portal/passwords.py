"""Password hashing with argon2 (pwdlib): the one home of the hashing library."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes any length; this only bounds the work one request can cause


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so both cases take as long."""
    return hash_password("not-a-real-password-" + "x" * 16)


def check_strength(password: str) -> str | None:
    """Why the password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if not password.strip():
        return "The password cannot be only spaces."
    return None


def hash_password(password: str) -> str:
    """The argon2 hash of a password (salted; a new value every call)."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether the password matches the hash (False for a malformed hash)."""
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # pwdlib raises UnknownHashError for hashes of no known scheme
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash is not argon2, or was made with other parameters than today's."""
    hasher = Argon2Hasher()
    if not hasher.identify(password_hash):
        return True
    try:
        return hasher.check_needs_rehash(password_hash)
    except Exception:  # a malformed argon2 string: hash it again at the next sign-in
        return True
