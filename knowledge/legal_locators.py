"""How a legal text's units are named: article keys ("10-1"), labels (第十条之一) and locators.

A locator names an article, a 款 and a 项 the way citations write them, in Chinese
("第二十条第一款第三项") or in English ("Article 20, paragraph 1, item 3").
"""

from __future__ import annotations

from knowledge.numerals import format_number


def article_key(number: int, suffix: int = 0) -> str:
    """The key of an article: "19", or "10-1" for 第十条之一."""
    return f"{number}-{suffix}" if suffix else str(number)


def parse_article_key(key: str) -> tuple[int, int]:
    """(number, suffix) of a key: "10-1" → (10, 1)."""
    number, _, suffix = key.partition("-")
    return int(number), int(suffix or 0)


def article_label(number: int, suffix: int = 0) -> str:
    """An article as Chinese texts write it: 第十九条, 第十条之一."""
    tail = f"之{format_number(suffix)}" if suffix else ""
    return f"第{format_number(number)}条{tail}"


def locator(label: str, paragraph: int | None = None, item: int | None = None) -> str:
    """A Chinese locator: "第十九条第一款", "第二十条第一款第三项" (no 款: "第二十条第三项")."""
    out = label
    if paragraph:
        out += f"第{format_number(paragraph)}款"
    if item:
        out += f"第{format_number(item)}项"
    return out


def locator_en(key: str, paragraph: int | None = None, item: int | None = None) -> str:
    """An English locator: "Article 19, paragraph 1, item 3"."""
    out = f"Article {key}"
    if paragraph:
        out += f", paragraph {paragraph}"
    if item:
        out += f", item {item}"
    return out
