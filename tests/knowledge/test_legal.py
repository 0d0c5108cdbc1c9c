"""The structure of Chinese legal texts: 编/章/节, 条, 款, 项, 目 (knowledge.legal).

Inline snippets are written for these tests (tests/knowledge/legal_samples.py); the real texts
of the corpus are parsed in test_legal_corpus.py.
"""

from __future__ import annotations

import io

import pytest

from knowledge.chunking import chunk_document
from knowledge.legal import is_legal, parse_legal
from tests.knowledge.legal_samples import (
    MARKDOWN_LAW,
    PLAIN_LAW,
    WRAPPED_SOURCE,
    as_pdf_text,
    law_document,
    structure_of,
)


def test_lines_beginning_with_articles_make_a_legal_text() -> None:
    assert is_legal(MARKDOWN_LAW)
    assert is_legal(PLAIN_LAW)
    assert not is_legal("第一条 只有一条。\n第二条 和两条。\n")
    assert not is_legal("## Fees\n\nFees are to be confirmed.\n")
    # References at a line start are not articles: 第三十条、第三十一条规定…
    assert not is_legal("第三十条、第三十一条规定的\n第五条的规定\n第六条和第七条\n")
    assert parse_legal("## Fees\n\nNo articles here.\n") is None


def test_articles_carry_number_suffix_key_and_label_as_written() -> None:
    legal = structure_of(MARKDOWN_LAW)
    numbers = [(a.number, a.suffix, a.key, a.label) for a in legal.articles]
    assert numbers == [
        (1, 0, "1", "第一条"),
        (2, 0, "2", "第二条"),
        (10, 1, "10-1", "第十条之一"),
        (118, 0, "118", "第一百一十八条"),
    ]
    assert legal.keys() == ["1", "2", "10-1", "118"]
    article = legal.article("118")
    assert article is not None
    assert (
        MARKDOWN_LAW[article.start : article.end] == "第一百一十八条 违反本法规定的，依法追究责任。"
    )
    assert legal.article("200") is None


def test_sections_are_the_heading_path_without_the_document_title() -> None:
    legal = structure_of(MARKDOWN_LAW)
    assert [a.section for a in legal.articles] == [
        "第一章 总则",
        "第一章 总则",
        "第一章 总则",
        "第二章 管理 > 第一节 一般规定",
    ]
    assert [(h.kind, h.number, h.title) for h in legal.headings] == [
        ("章", 1, "第一章 总则"),
        ("章", 2, "第二章 管理"),
        ("节", 1, "第一节 一般规定"),
    ]


def test_paragraphs_items_and_subitems_are_counted_with_offsets() -> None:
    legal = structure_of(MARKDOWN_LAW)
    article = legal.article("2")
    assert article is not None
    assert [p.number for p in article.paragraphs] == [1, 2]
    first, second = article.paragraphs
    assert MARKDOWN_LAW[first.start : first.lead_end] == "第二条 本法所称示例，是指下列活动："
    assert [(i.number, i.label) for i in first.items] == [
        (1, "（一）"),
        (2, "（二）"),
        (3, "（三）"),
    ]
    review = first.items[1]
    assert (
        MARKDOWN_LAW[review.start : review.end]
        == "（二）审查示例，包括：\n1. 形式审查；\n2. 实质审查；"
    )
    assert [(s.number, MARKDOWN_LAW[s.start : s.end]) for s in review.subitems] == [
        (1, "1. 形式审查；"),
        (2, "2. 实质审查；"),
    ]
    assert MARKDOWN_LAW[second.start : second.end] == "前款第二项所称审查，由主管部门负责。"
    assert second.items == ()


def test_the_history_before_the_first_article_is_loose_text() -> None:
    legal = structure_of(MARKDOWN_LAW)
    assert [MARKDOWN_LAW[lo.start : lo.end] for lo in legal.loose] == [
        "2016年12月25日 第十二届全国人民代表大会常务委员会第二十五次会议通过"
    ]
    assert all(lo.section is None for lo in legal.loose)


def test_plain_text_headings_with_full_width_spaces_are_found() -> None:
    legal = structure_of(PLAIN_LAW)
    assert [h.title for h in legal.headings] == ["第一章 总 则", "第二章 备案管理", "第三章 附 则"]
    assert [a.section for a in legal.articles] == [
        "第一章 总 则",
        "第一章 总 则",
        "第二章 备案管理",
        "第三章 附 则",
    ]


def test_a_table_of_contents_is_not_taken_for_headings() -> None:
    legal = structure_of(PLAIN_LAW)
    assert legal.toc is not None
    toc = PLAIN_LAW[legal.toc[0] : legal.toc[1]]
    assert toc.startswith("目　录") and toc.endswith("第三章　附　则")
    assert all(h.start >= legal.toc[1] for h in legal.headings)
    assert all(not (legal.toc[0] <= lo.start < legal.toc[1]) for lo in legal.loose)


def test_hard_wrapped_lines_join_their_unit_without_changing_the_text() -> None:
    legal = structure_of(PLAIN_LAW)
    first, second, third, _ = legal.articles
    assert PLAIN_LAW[first.start : first.end].endswith("根据有关法律，制\n定本条例。")
    assert len(first.paragraphs) == 1
    # A page break (blank line) inside a sentence does not start a paragraph either.
    assert PLAIN_LAW[second.start : second.end].endswith("内的\n\n细胞治疗临床研究活动。")
    assert len(second.paragraphs) == 1
    lead, tail = third.paragraphs
    assert [PLAIN_LAW[i.start : i.end] for i in lead.items][1] == (
        "（二）伦理审查意见，其中应\n当载明审查结论；"
    )
    assert PLAIN_LAW[tail.start : tail.end] == "研究机构对材料的真实性负责。"


@pytest.mark.parametrize("indent", [True, False], ids=["indented", "flush"])
def test_text_wrapped_like_a_pdf_keeps_its_articles_paragraphs_and_items(indent: bool) -> None:
    pdf_text = as_pdf_text(WRAPPED_SOURCE, width=24, indent=indent)
    assert "\n— 1 —" in pdf_text
    wrapped, source = structure_of(pdf_text), structure_of(WRAPPED_SOURCE)
    assert wrapped.keys() == source.keys()
    shape = [[len(p.items) for p in a.paragraphs] for a in source.articles]
    assert [[len(p.items) for p in a.paragraphs] for a in wrapped.articles] == shape
    assert pdf_text.split("\n").count("示例法") == 3  # a running header on every page
    for article in wrapped.articles:  # page numbers and running headers are left out
        paragraphs = [pdf_text[p.start : p.end] for p in article.paragraphs]
        assert not any(p.startswith(("示例法", "— ")) or p.endswith("—") for p in paragraphs)
    assert all(lo.start < wrapped.articles[0].start for lo in wrapped.loose)


def test_a_chapter_title_that_lost_its_number_is_a_heading_not_a_paragraph() -> None:
    text = (
        "## 第一章 总则\n\n第一条 甲。\n\n第二条 乙。\n\n法律责任\n\n"
        "第三条 违反本条例的，依法处理。\n\n本条例自公布之日起施行。\n"
    )
    legal = structure_of(text)
    second, third = legal.article("2"), legal.article("3")
    assert second is not None and third is not None
    assert text[second.start : second.end] == "第二条 乙。"
    assert third.section == "法律责任"
    assert len(third.paragraphs) == 2  # a sentence is a paragraph, however short


def test_a_title_line_right_under_a_chapter_heading_is_its_first_section() -> None:
    text = (
        "## 第一章 总则\n\n第一条 甲。\n第二条 乙。\n\n## 第二章 管理\n\n一般规定\n\n第三条 丙。\n"
    )
    assert structure_of(text).articles[-1].section == "第二章 管理 > 一般规定"


def test_a_traditional_chinese_text_is_parsed_like_a_simplified_one() -> None:
    text = (
        "第一章　總則\n第一節　一般規定\n第一條　為規範示例活動，制定本條例。\n"
        "第二條　本條例所稱示例，是指下列活動：\n（一）編寫示例；\n（二）審查示例。\n"
        "第十條之一　依照第一條規定辦理。\n"
    )
    legal = structure_of(text)
    assert [(a.key, a.label) for a in legal.articles] == [
        ("1", "第一條"),
        ("2", "第二條"),
        ("10-1", "第十條之一"),
    ]
    assert [(h.kind, h.number) for h in legal.headings] == [("章", 1), ("节", 1)]
    assert legal.articles[0].section == "第一章 總則 > 第一節 一般規定"
    assert len(legal.articles[1].paragraphs[0].items) == 2


def test_a_reference_at_a_line_start_continues_the_sentence_it_wraps() -> None:
    text = "第一条 甲。\n第二条 依照本条例\n第一条的规定办理。\n第三条 乙。\n"
    legal = structure_of(text)
    assert legal.keys() == ["1", "2", "3"]
    assert text[legal.articles[1].start : legal.articles[1].end].endswith("第一条的规定办理。")


def test_articles_written_without_a_space_are_found_when_they_follow_in_order() -> None:
    text = "第一条为了规范。\n第二条本条例适用于本市。\n第三条本条例自公布之日起施行。\n"
    assert structure_of(text).keys() == ["1", "2", "3"]


def test_the_document_viewer_anchors_every_article_once() -> None:
    # web.views.documents renders what this module parses; the anchor is what a citation links to.
    from web.views.documents import Span, render_document

    document = law_document(MARKDOWN_LAW)
    chunks = chunk_document(document)
    spans = [Span(c.id, c.start, c.start + len(c.text)) for c in chunks]
    html = str(render_document(MARKDOWN_LAW, spans))
    for key in ("1", "2", "10-1", "118"):
        assert html.count(f'id="art-{key}"') == 1
    assert '<p id="art-118">第一百一十八条 违反本法规定的' in html
    plain = str(render_document(PLAIN_LAW, []))
    assert '<p id="art-2">第二条　本条例适用于本市行政区域内的</p>' in plain
    assert "art-" not in str(render_document("## Fees\n\nNo articles.\n", []))


# --- other formats ------------------------------------------------------------------------------

FORMAT_LINES = [
    "第一章　总　则",
    "第一条　为了规范示例活动，制定本条例。",
    "第二条　本条例所称示例，是指下列活动：",
    "（一）编写示例；",
    "（二）审查示例。",
    "第二章　管理",
    "第三条　主管部门负责管理。",
    "违反的，依法处理。",
]
EXPECTED_SHAPE = [("1", "第一章", [0]), ("2", "第一章", [2]), ("3", "第二章", [0, 0])]


def _shape(text: str) -> list[tuple[str, str, list[int]]]:
    legal = structure_of(text)
    return [
        (a.key, (a.section or "")[:3], [len(p.items) for p in a.paragraphs]) for a in legal.articles
    ]


def test_a_docx_law_keeps_its_structure() -> None:
    import docx

    from knowledge.loaders import load_bytes

    word = docx.Document()
    for line in ["示例条例", *FORMAT_LINES]:
        word.add_paragraph(line)
    data = io.BytesIO()
    word.save(data)
    meta = {"id": "law-docx", "title": "示例条例", "language": "zh", "category": "regulation"}
    document = load_bytes(data.getvalue(), filename="law.docx", metadata=meta)
    assert _shape(document.text) == EXPECTED_SHAPE


def test_an_html_law_keeps_its_structure_with_items_in_list_elements() -> None:
    from knowledge.loaders import load_bytes

    body = "".join(
        f"<h2>{line}</h2>" if line.endswith(("则", "理")) else f"<p>{line}</p>"
        for line in FORMAT_LINES
    ).replace("<p>（二）审查示例。</p>", "<ul><li>（二）审查示例。</li></ul>")
    html = f"<html><head><title>示例条例</title></head><body>{body}</body></html>"
    meta = {"id": "law-html", "language": "zh", "category": "regulation"}
    document = load_bytes(html.encode(), filename="law.html", metadata=meta)
    assert "- （二）审查示例。" in document.text
    assert _shape(document.text) == EXPECTED_SHAPE
