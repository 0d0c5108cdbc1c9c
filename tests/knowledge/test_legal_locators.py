"""Naming articles, 款 and 项: keys, labels and locators (knowledge.legal_locators)."""

from __future__ import annotations

from knowledge.legal_locators import (
    article_key,
    article_label,
    locator,
    locator_en,
    parse_article_key,
)


def test_keys_labels_and_locators() -> None:
    assert article_key(19) == "19" and article_key(10, 1) == "10-1"
    assert parse_article_key("10-1") == (10, 1) and parse_article_key("118") == (118, 0)
    assert article_label(118) == "第一百一十八条" and article_label(10, 1) == "第十条之一"
    assert locator("第十九条", 1) == "第十九条第一款"
    assert locator("第二十条", 1, 3) == "第二十条第一款第三项"
    assert locator("第二十条", item=3) == "第二十条第三项"
    assert locator_en("19", 1, 3) == "Article 19, paragraph 1, item 3"
