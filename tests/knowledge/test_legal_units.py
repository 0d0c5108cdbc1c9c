"""The quotable units of a legal passage: each 款's own text and each 项 (knowledge.legal)."""

from __future__ import annotations

from knowledge.chunking import chunk_document
from knowledge.legal import units
from tests.knowledge.legal_samples import (
    MARKDOWN_LAW,
    WRAPPED_SOURCE,
    as_pdf_text,
    law_document,
    structure_of,
)


def test_units_split_a_passage_into_paragraphs_and_items_with_their_lead_in() -> None:
    legal = structure_of(MARKDOWN_LAW)
    article = legal.article("2")
    assert article is not None
    passage = MARKDOWN_LAW[article.start : article.end]
    found = units(passage)
    assert [(u.paragraph, u.item, u.item_label) for u in found] == [
        (1, None, None),
        (1, 1, "（一）"),
        (1, 2, "（二）"),
        (1, 3, "（三）"),
        (2, None, None),
    ]
    lead = found[1].lead_in
    assert lead is not None and passage[lead[0] : lead[1]] == "第二条 本法所称示例，是指下列活动："
    assert (
        found[2].text == "（二）审查示例，包括：\n1. 形式审查；\n2. 实质审查；"
    )  # 目 stay in their 项
    assert all(passage[u.start : u.end] == u.text for u in found)


def test_units_of_a_later_part_count_paragraphs_from_its_start() -> None:
    part = "（二）伦理审查意见；\n（三）其他材料。\n研究机构对材料负责。\n违反的，依法处理。"
    found = units(part, paragraph_start=2)
    assert [(u.paragraph, u.item, u.lead_in) for u in found] == [
        (2, 2, None),  # it starts inside 款 2: its lead-in is in the previous part
        (2, 3, None),
        (3, None, None),
        (4, None, None),
    ]


def test_units_of_a_pdf_passage_follow_the_documents_layout() -> None:
    pdf_text = as_pdf_text(WRAPPED_SOURCE, width=24, indent=True)
    assert "第三百条 国家支持示例活动并鼓励创新与发展。\n示例机构" in pdf_text
    document = law_document(pdf_text)
    legal = structure_of(pdf_text)
    for chunk in chunk_document(document, max_chars=60):
        if chunk.article_key is None or chunk.paragraph_start is None:
            continue
        found = units(chunk.text, chunk.paragraph_start, document_text=pdf_text)
        article = legal.article(chunk.article_key)
        assert article is not None
        starts = {p.start - chunk.start: p.number for p in article.paragraphs}
        for unit in found:
            if unit.item is None and unit.start in starts:
                assert unit.paragraph == starts[unit.start]
        assert max(u.paragraph or 0 for u in found) <= len(article.paragraphs)
