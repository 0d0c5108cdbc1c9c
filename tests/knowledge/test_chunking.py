"""Cutting documents into citable chunks with stable ids (knowledge.chunking)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunking import _HEADING, MAX_CHARS, Chunk, chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.legal import parse_legal
from knowledge.loaders import bundled_sources, load_path
from knowledge.numerals import format_number

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py

PROPERTY = settings(max_examples=300, deadline=None, database=None)
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


def assert_verbatim(document: SourceDocument, chunks: list[Chunk]) -> None:
    """Every chunk quotes the document exactly at its recorded offset."""
    for chunk in chunks:
        assert document.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text


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


# --- legal texts ------------------------------------------------------------------------------

LEGAL = """# 示例条例

2020年1月1日 示例市人民代表大会常务委员会通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范示例活动，制定本条例。

第二条 本条例适用于本市。

第十条之一 国家鼓励示例创新。

## 第二章 管理

第十一条 主管部门负责示例管理。
其他部门在各自职责范围内负责有关工作。
"""


def _legal(text: str, **meta: str) -> SourceDocument:
    values = {"id": "legal-zh", "title": "示例条例", "language": "zh", "category": "regulation"}
    return SourceDocument(meta=DocumentMeta.model_validate({**values, **meta}), text=text)


def test_a_legal_text_gives_one_passage_per_article_even_when_two_would_fit() -> None:
    document = _legal(LEGAL)
    chunks = chunk_document(document)
    assert [(c.article_key, c.article_label, c.paragraph_start) for c in chunks] == [
        (None, None, None),
        ("1", "第一条", 1),
        ("2", "第二条", 1),
        ("10-1", "第十条之一", 1),
        ("11", "第十一条", 1),
    ]
    assert chunks[0].text == "2020年1月1日 示例市人民代表大会常务委员会通过"  # the history
    assert chunks[0].section is None
    assert [c.section for c in chunks[1:]] == ["第一章 总则"] * 3 + ["第二章 管理"]
    assert (
        chunks[4].text == "第十一条 主管部门负责示例管理。\n其他部门在各自职责范围内负责有关工作。"
    )
    assert_verbatim(document, chunks)


def test_a_long_article_is_split_at_its_paragraphs_each_part_naming_the_article() -> None:
    paragraphs = [f"第{n}款的内容应当完整保留，" * 4 + "不得删减。" for n in range(1, 5)]
    article = "第三十条 " + "\n".join(paragraphs)
    document = _legal(f"第二十八条 甲。\n第二十九条 乙。\n{article}\n第三十一条 丙。\n")
    limit = len(paragraphs[0]) * 2 + 10  # two paragraphs fit together, never three
    parts = [c for c in chunk_document(document, max_chars=limit) if c.article_key == "30"]
    assert [c.paragraph_start for c in parts] == [1, 3]
    assert {c.article_label for c in parts} == {"第三十条"}
    assert parts[0].text.startswith("第三十条 ") and parts[1].text == "\n".join(paragraphs[2:])
    assert all(len(c.text) <= limit for c in parts)
    assert "第三十条" in parts[1].embedding_text("示例条例")
    assert_verbatim(document, parts)


def test_an_overlong_paragraph_is_split_at_its_items() -> None:
    items = [f"（{n}）第{n}项的内容应当完整保留，不得删减；" for n in "一二三四五六"]
    article = (
        "第五条 有下列情形之一的，不予备案：\n" + "\n".join(items) + "\n违反前款规定的，依法处理。"
    )
    document = _legal(f"第三条 甲。\n第四条 乙。\n{article}\n")
    limit = 80
    parts = [c for c in chunk_document(document, max_chars=limit) if c.article_key == "5"]
    assert len(parts) > 2
    assert parts[0].text.startswith("第五条 有下列情形之一的，不予备案：\n（一）")
    assert all(c.text.startswith(("第五条", "（", "违反")) for c in parts)  # cut at 项 and 款
    assert [c.paragraph_start for c in parts][-1] in (1, 2)
    assert all(len(c.text) <= limit for c in parts)
    assert_verbatim(document, parts)


def test_legal_embedding_text_names_title_section_and_article() -> None:
    chunk = chunk_document(_legal(LEGAL))[3]
    assert chunk.embedding_text("示例条例") == f"示例条例 · 第一章 总则 · 第十条之一\n{chunk.text}"


def test_the_article_key_is_part_of_the_chunk_id() -> None:
    text = "第一条 同样的话。\n第二条 同样的话。\n第三条 不同的话。\n"
    ids = [c.id for c in chunk_document(_legal(text))]
    assert len(set(ids)) == 3


def test_no_bundled_document_is_taken_for_a_legal_text() -> None:
    # Our own summaries keep heading-based chunking: their chunk ids must not change.
    for path in bundled_sources():
        document = load_path(path)
        assert all(c.article_key is None for c in chunk_document(document)), document.id


_article_line = st.builds(
    lambda n, body: f"第{format_number(n)}条 {body}",
    st.integers(min_value=1, max_value=300),
    st.text(alphabet=st.sampled_from(list("细胞治疗应当，。；：")), min_size=1, max_size=150),
)
_legal_line = st.one_of(
    _article_line,
    st.sampled_from(["## 第一章 总则", "第二章　管理", "（一）材料；", "1. 形式；", "", "目录"]),
    # Other line breaks str.splitlines() knows, and a page number of a PDF.
    st.sampled_from(["第九条 乙。\u2028（三）丙；\r", "（四）丁\x85戊。\f", "— 2 —", "法律责任"]),
    st.text(alphabet=st.sampled_from(list("细胞治疗应当，。；：\n")), max_size=200),
)
legalish = st.lists(_legal_line, min_size=3, max_size=40).map(
    lambda lines: "第一条 甲。\n第二条 乙。\n第三条 丙。\n" + "\n".join(lines)
)


@PROPERTY
@given(text=legalish, limit=st.integers(min_value=20, max_value=300))
def test_legal_passages_stay_inside_one_article_verbatim_within_the_limit(
    text: str, limit: int
) -> None:
    document = _legal(text)
    legal = parse_legal(text)
    assert legal is not None
    chunks = chunk_document(document, max_chars=limit)
    spans = [(a.key, a.start, a.end) for a in legal.articles]
    end = 0
    for chunk in chunks:
        chunk_end = chunk.start + len(chunk.text)
        assert text[chunk.start : chunk_end] == chunk.text
        assert 0 < len(chunk.text) <= limit
        assert chunk.start >= end
        end = chunk_end
        inside = [k for k, a, b in spans if a <= chunk.start and chunk_end <= b]
        overlapping = [k for k, a, b in spans if chunk.start < b and a < chunk_end]
        if chunk.article_key is None:
            assert not overlapping
        else:
            assert chunk.article_key in inside and len(overlapping) == 1
