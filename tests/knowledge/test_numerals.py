"""Chinese numerals as legal texts write article numbers and years."""

import pytest

from knowledge.numerals import format_number, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百一十八", 118),
        ("十", 10),
        ("十九", 19),
        ("一百五十五", 155),
        ("二百", 200),
        ("一千零三", 1003),
        ("二〇一九", 2019),
        ("一百零五", 105),
        ("118", 118),
        ("十万", 100000),
    ],
)
def test_parses_chinese_and_arabic_numerals(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "第十条", "abc", "十x"])
def test_refuses_what_is_not_a_numeral(text: str) -> None:
    assert parse_number(text) is None


def test_formats_numbers_as_legal_texts_write_them_and_round_trips() -> None:
    assert format_number(10) == "十"
    assert format_number(110) == "一百一十"
    assert format_number(155) == "一百五十五"
    assert format_number(1003) == "一千零三"
    assert all(parse_number(format_number(n)) == n for n in range(0, 3000))
