"""How the message tables are shaped and put together: one key, one home, or an error at import."""

from __future__ import annotations

from collections.abc import Mapping

# key -> {"zh": text, "en": text}
Messages = dict[str, dict[str, str]]


class DuplicateKey(Exception):
    """Two tables define the same message key: one would silently hide the other."""


def merge(tables: Mapping[str, Messages]) -> Messages:
    """Join named tables into one; a key defined in two of them raises DuplicateKey."""
    merged: Messages = {}
    home: dict[str, str] = {}
    for name, table in tables.items():
        for key, texts in table.items():
            if key in home:
                raise DuplicateKey(f"{key!r} is defined in both {home[key]} and {name}")
            home[key] = name
            merged[key] = texts
    return merged


def field_errors(codes: Mapping[str, tuple[str, str]]) -> Messages:
    """The portal's language-neutral validation codes (code -> (zh, en)) as `field_error.*`."""
    return {f"field_error.{code}": {"zh": zh, "en": en} for code, (zh, en) in codes.items()}
