"""Cutting legal texts along their articles, 款 and 项 (knowledge.chunking)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge.chunking import chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.legal import parse_legal
from knowledge.loaders import bundled_sources, load_path
from knowledge.numerals import format_number
from tests.knowledge.chunk_checks import PROPERTY, assert_verbatim

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
