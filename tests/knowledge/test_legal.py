"""The structure of Chinese legal texts: 编/章/节, 条, 款, 项, 目 (knowledge.legal).

Inline snippets are written for these tests. Real texts come from the LawRefBook/Laws archive in
../shared/corpus (see its README), unpacked once into a cache folder at run time; never copied here.
"""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.chunking import MAX_CHARS, chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.legal import LegalText, is_legal, parse_legal, units
from knowledge.legal_locators import (
    article_key,
    article_label,
    locator,
    locator_en,
    parse_article_key,
)
from knowledge.numerals import format_number
from tests.corpus import laws_folder

MARKDOWN_LAW = """# 中华人民共和国示例法

2016年12月25日 第十二届全国人民代表大会常务委员会第二十五次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范示例活动，制定本法。

第二条 本法所称示例，是指下列活动：
（一）编写示例；
（二）审查示例，包括：
1. 形式审查；
2. 实质审查；
（三）发布示例。
前款第二项所称审查，由主管部门负责。

第十条之一 国家鼓励示例创新。

## 第二章 管理

### 第一节 一般规定

第一百一十八条 违反本法规定的，依法追究责任。
"""

# The same kind of text as a PDF or DOCX gives it: no Markdown, full-width spaces, a 目录 block,
# lines hard-wrapped mid-sentence and a page break (blank line) inside a sentence.
PLAIN_LAW = """示例条例

目　录
第一章　总　则
第二章　备案管理
第三章　附　则

第一章　总　则
第一条　为了规范细胞治疗临床研究备案，保障受试者权益，根据有关法律，制
定本条例。
第二条　本条例适用于本市行政区域内的

细胞治疗临床研究活动。
第二章　备案管理
第三条　研究机构应当提交下列材料：
（一）研究方案；
（二）伦理审查意见，其中应
当载明审查结论；
（三）其他材料。
研究机构对材料的真实性负责。
第三章　附　则
第四条　本条例自2025年1月1日起施行。
"""


def test_lines_beginning_with_articles_make_a_legal_text() -> None:
    assert is_legal(MARKDOWN_LAW)
    assert is_legal(PLAIN_LAW)
    assert not is_legal("第一条 只有一条。\n第二条 和两条。\n")
    assert not is_legal("## Fees\n\nFees are to be confirmed.\n")
    # References at a line start are not articles: 第三十条、第三十一条规定…
    assert not is_legal("第三十条、第三十一条规定的\n第五条的规定\n第六条和第七条\n")
    assert parse_legal("## Fees\n\nNo articles here.\n") is None


def test_articles_carry_number_suffix_key_and_label_as_written() -> None:
    legal = _parse(MARKDOWN_LAW)
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
    legal = _parse(MARKDOWN_LAW)
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
    legal = _parse(MARKDOWN_LAW)
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
    legal = _parse(MARKDOWN_LAW)
    assert [MARKDOWN_LAW[lo.start : lo.end] for lo in legal.loose] == [
        "2016年12月25日 第十二届全国人民代表大会常务委员会第二十五次会议通过"
    ]
    assert all(lo.section is None for lo in legal.loose)


def test_plain_text_headings_with_full_width_spaces_are_found() -> None:
    legal = _parse(PLAIN_LAW)
    assert [h.title for h in legal.headings] == ["第一章 总 则", "第二章 备案管理", "第三章 附 则"]
    assert [a.section for a in legal.articles] == [
        "第一章 总 则",
        "第一章 总 则",
        "第二章 备案管理",
        "第三章 附 则",
    ]


def test_a_table_of_contents_is_not_taken_for_headings() -> None:
    legal = _parse(PLAIN_LAW)
    assert legal.toc is not None
    toc = PLAIN_LAW[legal.toc[0] : legal.toc[1]]
    assert toc.startswith("目　录") and toc.endswith("第三章　附　则")
    assert all(h.start >= legal.toc[1] for h in legal.headings)
    assert all(not (legal.toc[0] <= lo.start < legal.toc[1]) for lo in legal.loose)


def test_hard_wrapped_lines_join_their_unit_without_changing_the_text() -> None:
    legal = _parse(PLAIN_LAW)
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


def _as_pdf_text(markdown: str, width: int, indent: bool) -> str:
    """Markdown law text laid out as PDF extraction gives it: wrapped lines, page numbers."""
    body = re.sub(r"^#+\s*", "", markdown.split("<!-- INFO END -->")[-1], flags=re.M)
    lines: list[str] = []
    for line in filter(None, (line.strip() for line in body.split("\n"))):
        line = ("\u3000\u3000" if indent else "") + line
        lines += [line[i : i + width] for i in range(0, len(line), width)]
    pages = [["示例法", *lines[i : i + 30], f"— {i // 30 + 1} —"] for i in range(0, len(lines), 30)]
    return "\n\n".join("\n".join(page) for page in pages)


_REPEATED = "".join(
    f"\n第{format_number(n)}条 国家支持示例活动，鼓励社会力量参与示例事业，保障示例质量。"
    f"示例机构应当建立健全内部管理制度，对示例质量负责。\n"
    f"示例机构违反前款规定的，由主管部门责令改正，给予警告。\n"
    for n in range(200, 212)
)
# Wrapped at 24 with a 2-character indent, its first line ends at the margin with 。 and the
# paragraph goes on below: only the layout tells that this is one paragraph.
_AT_THE_MARGIN = "\n第三百条 国家支持示例活动并鼓励创新与发展。示例机构应当建立健全内部管理制度。\n"
WRAPPED_SOURCE = MARKDOWN_LAW + _REPEATED + _AT_THE_MARGIN


@pytest.mark.parametrize("indent", [True, False], ids=["indented", "flush"])
def test_text_wrapped_like_a_pdf_keeps_its_articles_paragraphs_and_items(indent: bool) -> None:
    pdf_text = _as_pdf_text(WRAPPED_SOURCE, width=24, indent=indent)
    assert "\n— 1 —" in pdf_text
    wrapped, source = _parse(pdf_text), _parse(WRAPPED_SOURCE)
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
    legal = _parse(text)
    second, third = legal.article("2"), legal.article("3")
    assert second is not None and third is not None
    assert text[second.start : second.end] == "第二条 乙。"
    assert third.section == "法律责任"
    assert len(third.paragraphs) == 2  # a sentence is a paragraph, however short


def test_a_title_line_right_under_a_chapter_heading_is_its_first_section() -> None:
    text = (
        "## 第一章 总则\n\n第一条 甲。\n第二条 乙。\n\n## 第二章 管理\n\n一般规定\n\n第三条 丙。\n"
    )
    assert _parse(text).articles[-1].section == "第二章 管理 > 一般规定"


def test_a_traditional_chinese_text_is_parsed_like_a_simplified_one() -> None:
    text = (
        "第一章　總則\n第一節　一般規定\n第一條　為規範示例活動，制定本條例。\n"
        "第二條　本條例所稱示例，是指下列活動：\n（一）編寫示例；\n（二）審查示例。\n"
        "第十條之一　依照第一條規定辦理。\n"
    )
    legal = _parse(text)
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
    legal = _parse(text)
    assert legal.keys() == ["1", "2", "3"]
    assert text[legal.articles[1].start : legal.articles[1].end].endswith("第一条的规定办理。")


def test_articles_written_without_a_space_are_found_when_they_follow_in_order() -> None:
    text = "第一条为了规范。\n第二条本条例适用于本市。\n第三条本条例自公布之日起施行。\n"
    assert _parse(text).keys() == ["1", "2", "3"]


def test_units_split_a_passage_into_paragraphs_and_items_with_their_lead_in() -> None:
    legal = _parse(MARKDOWN_LAW)
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


def test_keys_labels_and_locators() -> None:
    assert article_key(19) == "19" and article_key(10, 1) == "10-1"
    assert parse_article_key("10-1") == (10, 1) and parse_article_key("118") == (118, 0)
    assert article_label(118) == "第一百一十八条" and article_label(10, 1) == "第十条之一"
    assert locator("第十九条", 1) == "第十九条第一款"
    assert locator("第二十条", 1, 3) == "第二十条第一款第三项"
    assert locator("第二十条", item=3) == "第二十条第三项"
    assert locator_en("19", 1, 3) == "Article 19, paragraph 1, item 3"


# --- stored articles ---------------------------------------------------------------------------


def test_the_registry_stores_article_fields_and_finds_an_articles_chunks(session: Session) -> None:
    long_article = "第三条 " + "\n".join(
        f"第{n}款的内容应当完整保留，不得删减。" * 3 for n in range(9)
    )
    text = f"# 示例条例\n\n通过。\n\n第一条 甲。\n第二条 乙。\n{long_article}\n第十条之一 丁。\n"
    meta = DocumentMeta(id="sample-law", title="示例条例", language="zh", category="regulation")
    document = SourceDocument(meta=meta, text=text)
    chunks = chunk_document(document, max_chars=120)
    registry.save_document(session=session, document=document, chunks=chunks, origin="bundled")
    session.commit()

    assert registry.article_keys(session=session, document_id="sample-law") == [
        "1",
        "2",
        "3",
        "10-1",
    ]
    parts = registry.article_chunks(session=session, document_id="sample-law", article_key="3")
    assert len(parts) > 1
    assert [p.ordinal for p in parts] == sorted(p.ordinal for p in parts)
    assert {p.article_label for p in parts} == {"第三条"}
    assert parts[0].paragraph_start == 1 and parts[-1].paragraph_start > 1
    assert "".join(p.text for p in parts).startswith("第三条 ")
    added = registry.article_chunks(session=session, document_id="sample-law", article_key="10-1")
    assert [c.text for c in added] == ["第十条之一 丁。"]
    assert registry.article_chunks(session=session, document_id="sample-law", article_key="9") == []
    preamble = registry.chunks_of(session=session, document_id="sample-law")[0]
    assert (preamble.text, preamble.article_key, preamble.paragraph_start) == ("通过。", None, None)


# --- real texts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def laws() -> Path:
    """The unpacked Laws/ folder of the corpus archive (unpacked once, reused by later runs)."""
    return laws_folder()


def _document(path: Path) -> SourceDocument:
    meta = DocumentMeta(id="corpus-text", title=path.stem, language="zh", category="regulation")
    return SourceDocument(meta=meta, text=path.read_text("utf-8"))


def test_a_real_law_parses_into_chapters_articles_and_paragraphs(laws: Path) -> None:
    text = (laws / "行政法" / "中医药法(2016-12-25).md").read_text("utf-8")
    legal = _parse(text)
    assert len(legal.articles) == 63
    assert legal.keys()[:3] == ["1", "2", "3"] and legal.keys()[-1] == "63"
    third = legal.article("3")
    assert third is not None and len(third.paragraphs) == 3
    assert legal.articles[-1].section == "第九章 附则"
    assert len([h for h in legal.headings if h.kind == "章"]) == 9


def test_a_real_code_with_parts_chapters_sections_and_added_articles(laws: Path) -> None:
    legal = _parse((laws / "刑法" / "刑法.md").read_text("utf-8"))
    added = legal.article("120-2")
    assert added is not None and added.label == "第一百二十条之二"
    assert added.section == "第二编 分则 > 第二章 危害公共安全罪"
    assert len(added.paragraphs[0].items) == 4
    assert legal.article("17-1") is not None


def test_a_sample_of_the_corpus_chunks_along_articles_verbatim_within_the_limit(
    laws: Path,
) -> None:
    paths = sorted(laws.rglob("*.md"))
    sample = random.Random(10).sample(paths, 200)
    legal_documents = 0
    for path in sample:
        document = _document(path)
        legal = parse_legal(document.text)
        chunks = chunk_document(document)
        assert len({c.id for c in chunks}) == len(chunks), path
        for chunk in chunks:
            assert document.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text, path
            assert len(chunk.text) <= MAX_CHARS["zh"], path
        if legal is None:
            continue
        legal_documents += 1
        spans = {a.key: (a.start, a.end) for a in legal.articles}
        for chunk in chunks:
            end = chunk.start + len(chunk.text)
            if chunk.article_key is None:  # preamble, annex: never overlaps an article
                assert all(end <= a or chunk.start >= b for a, b in spans.values()), path
            else:  # inside its own article
                a, b = spans[chunk.article_key]
                assert a <= chunk.start and end <= b, (path, chunk.article_key)
        assert {c.article_key for c in chunks} - {None} == set(spans), path
    assert legal_documents > 150


def _parse(text: str) -> LegalText:
    legal = parse_legal(text)
    assert legal is not None
    return legal


def test_the_document_viewer_anchors_every_article_once() -> None:
    # web.views.documents renders what this module parses; the anchor is what a citation links to.
    from web.views.documents import Span, render_document

    document = _document_from(MARKDOWN_LAW)
    chunks = chunk_document(document)
    spans = [Span(c.id, c.start, c.start + len(c.text)) for c in chunks]
    html = str(render_document(MARKDOWN_LAW, spans))
    for key in ("1", "2", "10-1", "118"):
        assert html.count(f'id="art-{key}"') == 1
    assert '<p id="art-118">第一百一十八条 违反本法规定的' in html
    plain = str(render_document(PLAIN_LAW, []))
    assert '<p id="art-2">第二条　本条例适用于本市行政区域内的</p>' in plain
    assert "art-" not in str(render_document("## Fees\n\nNo articles.\n", []))


def _document_from(text: str) -> SourceDocument:
    meta = DocumentMeta(id="sample-law", title="示例法", language="zh", category="regulation")
    return SourceDocument(meta=meta, text=text)


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
    legal = _parse(text)
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


def test_units_of_a_pdf_passage_follow_the_documents_layout() -> None:
    pdf_text = _as_pdf_text(WRAPPED_SOURCE, width=24, indent=True)
    assert "第三百条 国家支持示例活动并鼓励创新与发展。\n示例机构" in pdf_text
    document = _document_from(pdf_text)
    legal = _parse(pdf_text)
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
