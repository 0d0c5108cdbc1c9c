"""Chinese numerals as legal texts write them: 第一百一十八条, 二〇一九年, 第十条之一."""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000}
NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)
_NUMBER = re.compile(rf"^[{NUMERAL_CHARS}]+$|^\d+$")


def parse_number(text: str) -> int | None:
    """The value of a Chinese or Arabic numeral ("一百一十八" → 118, "118" → 118), else None."""
    text = text.strip()
    if not text or not _NUMBER.match(text):
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):  # digit by digit, as years are written: 二〇一九
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            if unit == 10000:
                total += (section + digit) * unit
                section = digit = 0
            else:
                section += (digit or 1) * unit  # 十二: a leading 十 means 一十
                digit = 0
    return total + section + digit


_SMALL = "零一二三四五六七八九"


def format_number(value: int) -> str:
    """A number as legal texts write it in Chinese (118 → "一百一十八", 10 → "十")."""
    if value < 0:
        raise ValueError("only non-negative numbers")
    if value < 10:
        return _SMALL[value]
    if value >= 10000:
        high, low = divmod(value, 10000)
        rest = format_number(low) if low else ""
        return format_number(high) + "万" + ("零" + rest if 0 < low < 1000 else rest)
    out = []
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, value = divmod(value, unit)
        if digit:
            if zero:
                out.append("零")
                zero = False
            out.append(_SMALL[digit] + name)
        elif out:
            zero = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text
