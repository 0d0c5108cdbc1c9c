"""Keyword search: identifiers stay whole whatever brackets users type."""

from __future__ import annotations

import pytest

from retrieval.keyword import KeywordIndex, identifiers, tokenize


@pytest.mark.parametrize(
    "typed", ["财税〔2022〕40号", "财税[2022]40号", "财税（2022）40号", "财税【2022】40号"]
)
def test_document_numbers_match_whatever_brackets_are_typed(typed: str) -> None:
    assert identifiers(typed) == ["§财税〔2022〕40号"]


def test_identifiers_of_decrees_articles_and_approval_numbers() -> None:
    found = identifiers("Decree No. 818, Art. 22, 国务院令第818号, 第十九条, 国药准字S20210019")
    assert {"§decree818", "§art.22", "§国务院令第818号", "§第十九条", "§国药准字s20210019"} <= set(
        found
    )


def test_chinese_is_segmented_and_stopwords_dropped() -> None:
    tokens = tokenize("南沙的企业所得税优惠税率是多少？")
    assert "所得税" in tokens and "税率" in tokens and "的" not in tokens and "多少" not in tokens


def test_search_ranks_the_passage_with_the_exact_identifier_first() -> None:
    index = KeywordIndex(
        [
            "财税〔2022〕40号规定南沙先行启动区的鼓励类产业企业减按15%征收企业所得税。",
            "粤财税〔2022〕38号转发了上述通知。",
            "Decree 818 takes effect on 1 May 2026.",
        ]
    )
    hits = index.search("财税[2022]40号", 3)
    assert hits[0].index == 0


def test_unknown_names_and_coverage_flag_questions_about_things_never_mentioned() -> None:
    index = KeywordIndex(["Nansha offers a 15% corporate income tax rate in its pilot area."])
    assert index.unknown_names("What did the European Medicines Agency decide?") == [
        "European", "Medicines", "Agency",
    ]  # fmt: skip
    assert index.unknown_names("What is the tax rate in Nansha?") == []
    assert index.coverage("Nansha tax rate", [0]) == 1.0
    assert index.coverage("weather forecast", [0]) == 0.0
