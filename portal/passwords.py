"""Password hashing with argon2 (pwdlib) and the password policy (zxcvbn): their one home.

The policy asks zxcvbn (Dropbox's estimator, maintained on PyPI, MIT) how many guesses a
password would take. Its frequency lists (the most common leaked passwords, English words,
names, keyboard layouts) and its pattern matchers (repeats, sequences, dates, keyboard walks)
catch `aaaaaaaaaa`, `1234567890`, `1qaz2wsx3edc` and `P@ssw0rd2024`. A password below score 3
("safely unguessable: moderate protection from offline slow-hash scenario") is refused with
the reason of its weakest part. zxcvbn's lists are English-centric, so the user's own name,
e-mail and company, the portal's own words and a few of the commonest Chinese pinyin
passwords are passed to it as extra words (its `user_inputs`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes any length; this only bounds the work one request can cause
MIN_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable
CHECKED_CHARS = 72  # zxcvbn's own limit (its work grows with length): the rest only adds

# Fixed messages (no values inside), so that the web can translate them.
TOO_SHORT = f"Use at least {MIN_LENGTH} characters."
TOO_LONG = f"Use at most {MAX_LENGTH} characters."
ONLY_SPACES = "The password cannot be only spaces."
COMMON = "This is one of the most common passwords; choose another."
REPEATS = "Repeated characters or blocks (like aaaa or abcabc) are easy to guess."
SEQUENCE = "Sequences (like 12345 or abcdef) are easy to guess."
KEYBOARD = "Keyboard patterns (like qwerty or 1qaz2wsx) are easy to guess."
PERSONAL = "Do not build the password from your name, e-mail, company or this portal's name."
DATES = "Dates and years are easy to guess."
GUESSABLE = "This password is easy to guess: use three or four unrelated words, or a longer mix."

# Words zxcvbn's lists lack: this portal's own, and the commonest Chinese pinyin passwords.
SITE_WORDS = ("cgt", "gba", "nansha", "guangzhou", "guangdong", "portal")
PINYIN_PASSWORDS = ("woaini", "wodemima", "mima", "zhongguo", "aini", "5201314", "1314520")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so both cases take as long."""
    return hash_password("not-a-real-password-" + "x" * 16)


def check_strength(password: str, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why the password is not acceptable, or None when it is.

    `user_inputs` are the person's own words (name, e-mail, company) a password must not lean on.
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if not password.strip():
        return ONLY_SPACES
    words = [*_words(user_inputs), *SITE_WORDS, *PINYIN_PASSWORDS]
    checked = password[:CHECKED_CHARS]
    result = zxcvbn(checked, user_inputs=words)
    # A pattern that makes up half the password is trivial even when the rest lifts the score
    # (zxcvbn gives `Abcdefgh12` a 3).
    patterned = [
        match
        for match in result["sequence"]
        if _kind(match) in _PATTERNS and 2 * len(match["token"]) >= len(checked)
    ]
    if result["score"] >= MIN_SCORE and not patterned:
        return None
    return _reason(patterned or result["sequence"])


def _words(inputs: Iterable[str]) -> list[str]:
    """The inputs and their parts (an e-mail's name and domain, a name's words)."""
    words: list[str] = []
    for value in inputs:
        text = (value or "").strip().lower()
        if not text:
            continue
        words.append(text)
        words.append(text.partition("@")[0])
        for separator in "@.-_ ":
            text = text.replace(separator, " ")
        words.extend(part for part in text.split() if len(part) >= 3)
    return words


def _reason(sequence: list[dict[str, Any]]) -> str:
    """The message for the weakest kind of part zxcvbn found (the first in this order)."""
    kinds = {_kind(match) for match in sequence}
    for kind, message in _REASONS:
        if kind in kinds:
            return message
    return GUESSABLE


def _kind(match: dict[str, Any]) -> str:
    if match.get("dictionary_name") == "user_inputs":
        return "common" if match.get("matched_word") in PINYIN_PASSWORDS else "personal"
    if match.get("dictionary_name") == "passwords":
        return "common"
    return str(match.get("pattern"))


_PATTERNS = ("repeat", "sequence", "spatial")
_REASONS = (
    ("personal", PERSONAL),
    ("common", COMMON),
    ("repeat", REPEATS),
    ("sequence", SEQUENCE),
    ("spatial", KEYBOARD),
    ("date", DATES),
    ("regex", DATES),  # zxcvbn's only regex is "recent year"
)


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
