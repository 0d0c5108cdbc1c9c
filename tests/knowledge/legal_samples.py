"""Legal texts written for the tests, as Markdown, as plain text and as a PDF lays them out."""

from __future__ import annotations

import re

from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.legal import LegalText, parse_legal
from knowledge.numerals import format_number

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


def as_pdf_text(markdown: str, width: int, indent: bool) -> str:
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


def structure_of(text: str) -> LegalText:
    """The structure of a text the test knows to be legal."""
    legal = parse_legal(text)
    assert legal is not None
    return legal


def law_document(text: str) -> SourceDocument:
    """The text as a Chinese regulation document."""
    meta = DocumentMeta(id="sample-law", title="示例法", language="zh", category="regulation")
    return SourceDocument(meta=meta, text=text)
