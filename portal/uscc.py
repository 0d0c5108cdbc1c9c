"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character."""

from __future__ import annotations

from portal.errors import ValidationFailed

# GB 32100-2015 leaves out I, O, S, V and Z, so that no character reads as another.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
# Fixed messages (no values inside), so that the web can translate them.
MISSING = "Enter the 18-character unified social credit code."
WRONG_LENGTH = "A unified social credit code has exactly 18 characters."
WRONG_CHARACTER = (
    "A unified social credit code has only digits and capital letters other than I, O, S, V, Z."
)
WRONG_CHECK = "The check character does not match; please check the code for a typo."

_VALUE = {char: value for value, char in enumerate(CHARSET)}
_FULLWIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)


def check_character(body: str) -> str:
    """The check character of the first 17 characters of a code (already normalised)."""
    if len(body) != LENGTH - 1 or any(char not in _VALUE for char in body):
        raise ValueError("the body must be 17 characters of the code's character set")
    total = sum(_VALUE[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Upper-case the code and drop spaces and hyphens (full-width forms become ASCII)."""
    text = code.translate(_FULLWIDTH).upper()
    return "".join(char for char in text if not char.isspace() and char != "-")


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise ValidationFailed({"credit_code": why})."""
    value = normalise(code)
    if not value:
        raise ValidationFailed({"credit_code": MISSING})
    if len(value) != LENGTH:
        raise ValidationFailed({"credit_code": WRONG_LENGTH})
    if any(char not in _VALUE for char in value):
        raise ValidationFailed({"credit_code": WRONG_CHARACTER})
    if check_character(value[:17]) != value[17]:
        raise ValidationFailed({"credit_code": WRONG_CHECK})
    return value
