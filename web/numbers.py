"""Whole numbers typed into forms and query strings, parsed in one validated place.

`str.isdigit()` accepts '²' and other Unicode digits that `int()` then refuses, which made
seven routes answer 500. Only ASCII digits (with an optional minus) are numbers here; anything
else is a ValidationFailed (422 with the field and the reason), never a server error.
"""

from __future__ import annotations

import re

from portal.errors import ValidationFailed

_INTEGER = re.compile(r"-?[0-9]{1,12}")
NOT_AN_INTEGER = "not_an_integer"


def parse_int(
    raw: str | None, *, field: str, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """`raw` as an int (None when blank); refuse anything else with a reason for `field`."""
    text = (raw or "").strip()
    if not text:
        return None
    if not _INTEGER.fullmatch(text):
        raise ValidationFailed({field: NOT_AN_INTEGER})
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValidationFailed({field: "out_of_range"})
    return number


def collect_int(
    raw: str | None,
    *,
    field: str,
    errors: dict[str, str],
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Like parse_int, but note a refusal in `errors` (forms that report every field at once)."""
    try:
        return parse_int(raw, field=field, minimum=minimum, maximum=maximum)
    except ValidationFailed as failure:
        errors.update(failure.errors)
        return None
