"""Language detection, normalisation and sentence splitting (knowledge.text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import detect_language, normalize, split_sentences

# No example database: the tests leave nothing behind in the working tree.
PROPERTY = settings(max_examples=300, deadline=None, database=None)


# --- detect_language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "国务院令第818号自2026年5月1日起施行。",
        "南沙区对符合条件的企业减按15%的税率征收企业所得税。",
        "CAR-T细胞治疗产品在南沙获批上市。",  # Chinese sentence with a Latin product name
        "《药品管理法》（2019年修订）第二十四条规定了药品上市许可。",
    ],
)
def test_detect_language_reads_chinese_text_as_zh(text: str) -> None:
    assert detect_language(text) == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "Decree 818 takes effect on 1 May 2026.",
        "Qualifying companies in Nansha pay corporate income tax at 15%.",
        "The Nansha (南沙) district approved three CAR-T products this year.",  # one Chinese name
    ],
)
def test_detect_language_reads_english_text_as_en(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "question",
    [
        "When was 国发〔2022〕13号 issued?",
        "What does 《生物医学新技术临床研究和临床转化应用管理条例》 require?",
    ],
)
def test_detect_language_ignores_quoted_chinese_titles_in_an_english_question(
    question: str,
) -> None:
    assert detect_language(question) == "en"


@pytest.mark.parametrize(
    "question", ["CAR-T cell therapy 的审批流程是什么？", "Kymriah 在中国获批了吗？"]
)
def test_detect_language_reads_a_chinese_question_with_english_names_as_zh(question: str) -> None:
    assert detect_language(question) == "zh"


def test_detect_language_breaks_a_tie_by_one_chinese_character_per_english_word() -> None:
    # No grammar words on either side: four characters outweigh three words, not four.
    assert detect_language("南沙新区 cell gene therapy") == "zh"
    assert detect_language("南沙 cell gene therapy") == "en"


def test_detect_language_falls_back_to_english_without_letters() -> None:
    assert detect_language("") == "en"
    assert detect_language("2026-05-01 15% 200") == "en"


# --- normalize --------------------------------------------------------------------------------


def test_normalize_folds_full_width_letters_digits_and_spaces() -> None:
    assert normalize("ＣＡＲ－Ｔ　产品１２３") == "CAR-T 产品123"


@pytest.mark.parametrize(
    "raw",
    [
        "财税[2022]40号",
        "财税［2022］40号",
        "财税(2022)40号",
        "财税（2022）40号",
        "财税【2022】40号",
        "财税〔2022〕40号",
        "财税〔 2022 〕40号",
    ],
)
def test_normalize_unifies_document_number_brackets_to_the_official_form(raw: str) -> None:
    assert normalize(raw) == "财税〔2022〕40号"


def test_normalize_leaves_brackets_that_do_not_hold_a_year_alone() -> None:
    assert normalize("条例（试行）第(3)项") == "条例(试行)第(3)项"


def test_normalize_collapses_runs_of_spaces_and_trims() -> None:
    assert normalize("  Decree \t 818\u3000\u3000takes effect  ") == "Decree 818 takes effect"


def test_normalize_keeps_line_breaks() -> None:
    assert normalize("第一条\n第二条") == "第一条\n第二条"


# --- split_sentences ----------------------------------------------------------------------


def test_split_sentences_ends_chinese_sentences_at_chinese_stops() -> None:
    text = "第一条 本条例适用于全国。第二条 国家鼓励创新！是否适用？适用。"
    assert split_sentences(text) == [
        "第一条 本条例适用于全国。",
        "第二条 国家鼓励创新！",
        "是否适用？",
        "适用。",
    ]


def test_split_sentences_keeps_a_hedge_after_a_semicolon_with_its_claim() -> None:
    assert split_sentences("据报道，南沙已有三家企业获批；尚待核实。下一句。") == [
        "据报道，南沙已有三家企业获批；尚待核实。",
        "下一句。",
    ]
    assert split_sentences("Three firms were approved; not yet confirmed. Next one.") == [
        "Three firms were approved; not yet confirmed.",
        "Next one.",
    ]


def test_split_sentences_ends_an_english_sentence_before_a_chinese_one() -> None:
    assert split_sentences("Decree 818 applies. 国务院令第818号适用。") == [
        "Decree 818 applies.",
        "国务院令第818号适用。",
    ]


def test_split_sentences_keeps_a_closing_quote_with_its_chinese_sentence() -> None:
    assert split_sentences("中心表示：“费用尚待确认。”申请人应先咨询。") == [
        "中心表示：“费用尚待确认。”",
        "申请人应先咨询。",
    ]


def test_split_sentences_ends_english_sentences_at_stops_before_a_capital_or_digit() -> None:
    text = (
        "Decree 818 takes effect in 2026. It has 58 articles! Does it apply? Yes. 2026 is the year."
    )
    assert split_sentences(text) == [
        "Decree 818 takes effect in 2026.",
        "It has 58 articles!",
        "Does it apply?",
        "Yes.",
        "2026 is the year.",
    ]


def test_split_sentences_does_not_split_inside_decimals_or_lowercase_continuations() -> None:
    text = "The rate is 2.5 percent. Version v1.2 applies to cells."
    assert split_sentences(text) == ["The rate is 2.5 percent.", "Version v1.2 applies to cells."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Several products, e.g. CAR-T cells, qualify.",
        "Only one pathway, i.e. The dual track, applies.",
        "See Decree No. 818 for details.",
        "Under Art. 24 the holder is liable.",
        "Under Arts. 24 and 25 the holder is liable.",
        "Nansha Biotech Co. Ltd. Was founded in 2019.",
        "The meeting with Dr. Li ended.",
    ],
)
def test_split_sentences_does_not_split_after_abbreviations(sentence: str) -> None:
    assert split_sentences(f"{sentence} Next sentence here.") == [sentence, "Next sentence here."]


def test_split_sentences_ends_a_sentence_at_a_line_break() -> None:
    assert split_sentences("First line without a stop\nSecond line") == [
        "First line without a stop",
        "Second line",
    ]


def test_split_sentences_strips_bullet_and_heading_markers() -> None:
    text = "## Fees\n- Fees are to be confirmed.\n* Turnaround is ten days.\n+ 费用尚待确认。"
    assert split_sentences(text) == [
        "Fees",
        "Fees are to be confirmed.",
        "Turnaround is ten days.",
        "费用尚待确认。",
    ]


def test_split_sentences_drops_pieces_without_letters_digits_or_chinese() -> None:
    assert split_sentences("---\n- \n。。。\n好的。") == ["好的。"]


def test_split_sentences_returns_nothing_for_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\n ") == []


def test_split_sentences_returns_verbatim_substrings_of_a_mixed_document() -> None:
    text = (
        "## 出台与施行\n\n"
        "国务院令第818号自2026年5月1日起施行。该条例共7章、58条。\n\n"
        "- Decree 818 takes effect on 1 May 2026. It has 58 articles, e.g. Art. 3 on filing.\n"
        "- 财税〔2022〕40号 applies to Nansha.\n"
    )
    sentences = split_sentences(text)
    assert len(sentences) == 6
    assert all(sentence in text for sentence in sentences)


def test_split_sentences_ends_a_sentence_at_a_line_break_after_an_abbreviation() -> None:
    text = "The center tests cells, tissues, etc.\n## Fees\nFees are to be confirmed."
    assert split_sentences(text) == [
        "The center tests cells, tissues, etc.",
        "Fees",
        "Fees are to be confirmed.",
    ]


# --- properties -----------------------------------------------------------------------------

# Text made of the pieces that matter to the splitter: Chinese and Latin letters, both kinds
# of stops, closing quotes, abbreviations, list and heading markers, odd white space.
_fragments = st.sampled_from(
    [
        "南沙",
        "细胞",
        "治疗",
        "第一条",
        "（一）",
        "〔2022〕",
        "Decree",
        "cell",
        "CAR-T",
        "818",
        "e.g.",
        "No.",
        "Art.",
        "etc.",
        "Co.",
        "i.e.",
        "。",
        "！",
        "？",
        "；",
        ".",
        "!",
        "?",
        ";",
        "”",
        "’",
        "」",
        ")",
        '"',
        "“",
        "《",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\u3000",
        "\r\n",
        "- ",
        "* ",
        "## ",
        "1. ",
        "A",
        "Z",
    ]
)
markdownish_text = st.lists(_fragments, max_size=60).map("".join)
any_text = st.one_of(markdownish_text, st.text(max_size=200))


@PROPERTY
@given(any_text)
def test_every_sentence_is_a_non_empty_substring_of_the_input(text: str) -> None:
    for sentence in split_sentences(text):
        assert sentence
        assert sentence in text


@PROPERTY
@given(any_text)
def test_sentences_come_in_reading_order_without_surrounding_white_space(text: str) -> None:
    position = 0
    for sentence in split_sentences(text):
        found = text.find(sentence, position)
        assert found >= position
        position = found + len(sentence)
        assert sentence == sentence.strip()
