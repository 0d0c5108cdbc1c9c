"""Cutting documents into citable chunks with stable ids (knowledge.chunking).

Legal texts, cut along their articles, are in test_chunking_legal.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.chunking import _HEADING, MAX_CHARS, Chunk, chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.loaders import bundled_sources, load_path
from tests.knowledge.chunk_checks import PROPERTY, assert_verbatim

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py

PROPERTY_META = DocumentMeta(id="random-en", title="Random", language="en", category="policy")

REGULATION = """国务院令第818号对生物医学新技术实行分类管理。

## 第一章 总则

第一条 为了规范生物医学新技术临床研究，制定本条例。
本条例适用于境内开展的临床研究。

第二条 国家鼓励生物医学新技术创新。

## 第二章 备案

### 备案要求

一、申请人应当提交研究方案。
二、申请人应当提交伦理审查意见。
（一）材料应当真实。
"""


def texts(chunks: list[Chunk]) -> list[str]:
    return [chunk.text for chunk in chunks]


# --- structure ---------------------------------------------------------------------------------


def test_chinese_articles_that_fit_stay_whole_and_are_packed_by_section(
    make_document: MakeDocument,
) -> None:
    document = make_document(REGULATION, language="zh", id="decree-818-zh")
    chunks = chunk_document(document)

    assert texts(chunks) == [
        "国务院令第818号对生物医学新技术实行分类管理。",
        "第一条 为了规范生物医学新技术临床研究，制定本条例。\n本条例适用于境内开展的临床研究。"
        "\n\n第二条 国家鼓励生物医学新技术创新。",
        "一、申请人应当提交研究方案。\n二、申请人应当提交伦理审查意见。\n（一）材料应当真实。",
    ]
    assert_verbatim(document, chunks)


def test_each_article_is_its_own_chunk_when_two_do_not_fit_together(
    make_document: MakeDocument,
) -> None:
    document = make_document(REGULATION, language="zh", id="decree-818-zh")
    chunks = chunk_document(document, max_chars=45)

    first_article = (
        "第一条 为了规范生物医学新技术临床研究，制定本条例。\n本条例适用于境内开展的临床研究。"
    )
    assert len(first_article) <= 45
    assert first_article in texts(chunks)  # its continuation line stays with it
    assert "第二条 国家鼓励生物医学新技术创新。" in texts(chunks)


@pytest.mark.parametrize(
    "lines",
    [
        ["第一条 申请人提交材料。", "第二条 中心受理申请。", "第十九条 中心出具报告。"],
        ["一、申请人提交材料。", "二、中心受理申请。", "三、中心出具报告。"],
        ["（一）申请人提交材料。", "（二）中心受理申请。", "(3) 中心出具报告。"],
        ["1. The applicant files.", "2) The center accepts.", "3、 The center reports."],
        ["- The applicant files.", "* The center accepts.", "+ The center reports."],
    ],
    ids=["articles", "chinese-numbers", "bracketed", "numbered", "list-items"],
)
def test_article_and_clause_markers_start_a_new_unit_even_without_a_blank_line(
    make_document: MakeDocument, lines: list[str]
) -> None:
    document = make_document("\n".join(lines) + "\n", language="zh", id="units-zh")
    # A limit that fits one unit but never two shows where units begin and end.
    chunks = chunk_document(document, max_chars=max(len(line) for line in lines) + 1)
    assert texts(chunks) == lines


def test_headings_give_the_section_path_and_deeper_headings_nest(
    make_document: MakeDocument,
) -> None:
    document = make_document(REGULATION, language="zh", id="decree-818-zh")
    sections = [chunk.section for chunk in chunk_document(document)]
    assert sections == [None, "第一章 总则", "第二章 备案 > 备案要求"]


def test_a_heading_at_the_same_level_replaces_its_sibling_in_the_path(
    make_document: MakeDocument,
) -> None:
    text = (
        "## Fees\n\n### Release testing\n\nFees are to be confirmed.\n\n"
        "### Cell banking\n\nFees depend on the bank size.\n\n"
        "## Turnaround ##\n\nTen working days.\n\n"
        "#### Deep heading under a level-two one\n\nStill counted.\n"
    )
    chunks = chunk_document(make_document(text))
    assert [(chunk.section, chunk.text) for chunk in chunks] == [
        ("Fees > Release testing", "Fees are to be confirmed."),
        ("Fees > Cell banking", "Fees depend on the bank size."),
        ("Turnaround", "Ten working days."),
        ("Turnaround > Deep heading under a level-two one", "Still counted."),
    ]


def test_headings_themselves_and_sections_without_text_give_no_chunks(
    make_document: MakeDocument,
) -> None:
    chunks = chunk_document(make_document("## Empty\n\n## Also empty\n### Nested\n\nBody.\n"))
    assert [(chunk.section, chunk.text) for chunk in chunks] == [("Also empty > Nested", "Body.")]


def test_chunks_carry_document_id_and_reading_order(make_document: MakeDocument) -> None:
    document = make_document(REGULATION, language="zh", id="decree-818-zh")
    chunks = chunk_document(document)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert {chunk.document_id for chunk in chunks} == {"decree-818-zh"}
    assert [chunk.start for chunk in chunks] == sorted(chunk.start for chunk in chunks)


def test_the_default_limit_follows_the_document_language(make_document: MakeDocument) -> None:
    paragraph = "细胞治疗产品需要放行检验。" * 40  # 520 characters, one unit
    chunks = chunk_document(make_document(paragraph, language="zh", id="long-zh"))
    assert len(chunks) == 2
    assert all(len(chunk.text) <= MAX_CHARS["zh"] for chunk in chunks)

    english = make_document(paragraph, language="en", id="long-en")  # en allows 1,100
    assert texts(chunk_document(english)) == [paragraph]


def test_embedding_text_prefixes_title_and_section(make_document: MakeDocument) -> None:
    chunks = chunk_document(make_document(REGULATION, language="zh", id="decree-818-zh"))
    assert chunks[0].embedding_text("条例要点") == f"条例要点\n{chunks[0].text}"
    assert chunks[1].embedding_text("条例要点") == f"条例要点 · 第一章 总则\n{chunks[1].text}"


# --- long units -------------------------------------------------------------------------------


LONG_CHINESE_UNIT = "".join(f"第{n}项措施支持细胞治疗企业在南沙落地。" for n in range(1, 41))


def test_a_long_unit_is_split_within_the_limit_without_losing_text(
    make_document: MakeDocument,
) -> None:
    document = make_document(LONG_CHINESE_UNIT, language="zh", id="measures-zh")
    chunks = chunk_document(document)

    assert len(chunks) == 2
    assert all(len(chunk.text) <= MAX_CHARS["zh"] for chunk in chunks)
    assert "".join(texts(chunks)) == document.text
    assert_verbatim(document, chunks)


def test_a_long_chinese_unit_is_split_after_sentence_stops(make_document: MakeDocument) -> None:
    document = make_document(LONG_CHINESE_UNIT, language="zh", id="measures-zh")
    chunks = chunk_document(document)

    assert len(chunks) == 2
    assert all(chunk.text.endswith("落地。") for chunk in chunks), texts(chunks)


def test_a_long_english_unit_is_split_only_at_sentence_ends(make_document: MakeDocument) -> None:
    text = " ".join(f"Measure {n} supports cell therapy firms." for n in range(10))
    chunks = chunk_document(make_document(text), max_chars=100)

    assert all(len(chunk.text) <= 100 for chunk in chunks)
    assert all(chunk.text.endswith("firms.") for chunk in chunks), texts(chunks)


def test_a_single_sentence_longer_than_the_limit_is_cut_hard_not_dropped(
    make_document: MakeDocument,
) -> None:
    sentence = "细胞" * 100 + "。"
    document = make_document(sentence, language="zh")
    chunks = chunk_document(document, max_chars=60)

    assert all(len(chunk.text) <= 60 for chunk in chunks)
    assert "".join(texts(chunks)) == sentence
    assert_verbatim(document, chunks)


# --- stable ids ---------------------------------------------------------------------------------

# Each paragraph fits the limit alone and no two fit together: one chunk per paragraph.
PARAGRAPHS = [
    "Release testing covers sterility and endotoxin.",
    "Mycoplasma testing follows the pharmacopoeia.",
    "Fees are to be confirmed with the center.",
]
LIMIT = 60


def _ids(document: SourceDocument) -> list[str]:
    return [chunk.id for chunk in chunk_document(document, max_chars=LIMIT)]


def test_chunk_ids_are_the_same_on_every_run(make_document: MakeDocument) -> None:
    document = make_document("\n\n".join(PARAGRAPHS))
    first = _ids(document)
    assert first == _ids(make_document("\n\n".join(PARAGRAPHS)))
    assert len(set(first)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{24}", chunk_id) for chunk_id in first)


def test_inserting_a_paragraph_before_a_chunk_leaves_its_id_unchanged(
    make_document: MakeDocument,
) -> None:
    before = _ids(make_document("\n\n".join(PARAGRAPHS)))
    inserted = ["Cell bank characterisation is planned.", *PARAGRAPHS]
    after = _ids(make_document("\n\n".join(inserted)))

    assert len(after) == 4
    assert after[1:] == before


def test_editing_a_chunk_changes_only_that_chunks_id(make_document: MakeDocument) -> None:
    before = _ids(make_document("\n\n".join(PARAGRAPHS)))
    edited = [PARAGRAPHS[0], "Mycoplasma testing follows the 2025 pharmacopoeia.", PARAGRAPHS[2]]
    after = _ids(make_document("\n\n".join(edited)))

    assert after[0] == before[0]
    assert after[1] != before[1]
    assert after[2] == before[2]


def test_chunk_ids_depend_on_the_document_and_the_section(make_document: MakeDocument) -> None:
    text = "Fees are to be confirmed with the center."
    plain = chunk_document(make_document(text, id="a-en"))[0].id
    other_document = chunk_document(make_document(text, id="b-en"))[0].id
    other_section = chunk_document(make_document(f"## Fees\n\n{text}", id="a-en"))[0].id
    assert len({plain, other_document, other_section}) == 3


def test_a_repeated_passage_in_one_section_gets_distinct_chunk_ids(
    make_document: MakeDocument,
) -> None:
    text = "\n\n".join([PARAGRAPHS[2], PARAGRAPHS[0], PARAGRAPHS[2]])
    ids = _ids(make_document(f"## Fees\n\n{text}"))
    assert len(ids) == 3
    assert len(set(ids)) == 3


# --- the bundled knowledge base --------------------------------------------------------------


def test_every_bundled_document_chunks_verbatim_within_its_limit_with_unique_ids() -> None:
    seen: set[str] = set()
    for path in bundled_sources():
        document = load_path(path)
        chunks = chunk_document(document)
        assert chunks, document.id
        assert_verbatim(document, chunks)
        assert all(len(c.text) <= MAX_CHARS[document.meta.language] for c in chunks), document.id
        ids = {chunk.id for chunk in chunks}
        assert len(ids) == len(chunks) and not ids & seen, document.id
        seen |= ids


# --- properties -----------------------------------------------------------------------------

# fmt: off
_SAMPLE_LINES = [
    "", "", "# 总则", "## 第二章 备案", "### Fees", "#### Deep", "## ", "#",
    "第一条 申请人提交材料。", "第十九条 中心受理", "一、材料真实。", "（二）材料完整。",
    "1. First clause.", "2) Second clause", "- item", "* 列表项", "   ", "\t",
]
# fmt: on
_line = st.one_of(
    st.sampled_from(_SAMPLE_LINES),
    st.text(
        alphabet=st.sampled_from(list("细胞治疗南沙abc XYZ.。！？；!?;,，\t 0123456789#-*()（）")),
        max_size=120,
    ),
)
markdownish = st.lists(_line, max_size=40).map("\n".join)


@PROPERTY
@given(text=markdownish, limit=st.integers(min_value=5, max_value=200))
def test_chunks_are_ordered_non_empty_verbatim_substrings_within_the_limit(
    text: str, limit: int
) -> None:
    document = SourceDocument(meta=PROPERTY_META, text=text)
    chunks = chunk_document(document, max_chars=limit)

    end = 0
    for ordinal, chunk in enumerate(chunks):
        assert chunk.text.strip()
        assert len(chunk.text) <= limit
        assert text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
        assert chunk.start >= end  # in reading order, never overlapping
        assert chunk.ordinal == ordinal
        end = chunk.start + len(chunk.text)


@PROPERTY
@given(text=markdownish)
def test_chunking_the_same_text_twice_gives_the_same_chunks(text: str) -> None:
    document = SourceDocument(meta=PROPERTY_META, text=text)
    assert chunk_document(document, max_chars=50) == chunk_document(document, max_chars=50)


@PROPERTY
@given(text=markdownish)
def test_no_text_with_letters_is_lost_between_chunks(text: str) -> None:
    document = SourceDocument(meta=PROPERTY_META, text=text)
    covered = "".join(chunk.text for chunk in chunk_document(document, max_chars=80))
    # Headings become section paths, not chunk text; every other character is kept.
    body = "".join(line for line in text.splitlines() if not _HEADING.match(line))
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", body)
