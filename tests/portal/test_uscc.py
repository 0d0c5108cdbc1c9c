"""The unified social credit code: real codes pass, any typo is caught by the check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.errors import ValidationFailed
from portal.uscc import CHARSET, check_character, validate_credit_code

# Published codes of well-known companies; their check characters were computed, not copied.
REAL_CODES = [
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "911100001000080343",
]

bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code: str) -> None:
    assert validate_credit_code(code) == code


def test_case_spaces_and_full_width_are_normalised() -> None:
    assert validate_credit_code(" 9144 0300 7084 6113 6t ") == "91440300708461136T"
    assert validate_credit_code("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "Enter"),
        ("91440300708461136", "exactly 18"),
        ("91440300708461136TT", "exactly 18"),
        ("91440300708461136I", "other than I"),
        ("9144030070846113O6", "other than I"),
        ("91440300708461136U", "check character"),
    ],
)
def test_invalid_codes_name_the_problem(code: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        validate_credit_code(code)

    assert list(failure.value.errors) == ["credit_code"]
    assert fragment in failure.value.errors["credit_code"]


@given(bodies)
def test_any_body_with_its_computed_check_character_passes(body: str) -> None:
    code = body + check_character(body)

    assert validate_credit_code(code) == code


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_any_single_character_change_fails(body: str, position: int, replacement: str) -> None:
    code = body + check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return

    with pytest.raises(ValidationFailed):
        validate_credit_code(changed)
