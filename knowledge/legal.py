"""The structure of Chinese legal and policy texts: 编/章/节 headings, 条, 款, 项 and 目.

Real texts arrive as Markdown (`## 第一章 总则`) or as plain lines from PDF, DOCX, HTML and TXT
("第一章　总则" with full-width spaces, lines hard-wrapped mid-sentence, a 目录 block). Every
unit keeps offsets into the text as stored, so a quote is always verbatim: hard-wrapped lines
are joined logically (a unit spans several physical lines), never by rewriting the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.legal_lines import (
    HEADING,
    HEADING_MAX,
    INFO_END,
    SPACES,
    Line,
    is_legal,
    logical_lines,
    text_layout,
)
from knowledge.legal_locators import article_key
from knowledge.numerals import parse_number

_CHAPTER = 3  # the level of a 章 among 编 (1), 分编 (2), 章 (3) and 节 (4)
_CAPTION_MAX = 20
_KINDS = {"編": "编", "分編": "分编", "節": "节"}  # Traditional forms, named as in Simplified
_SENTENCE_MARK = re.compile(r"[，。；：、！？,.;:!?（）()“”《》]")


@dataclass(frozen=True)
class Subitem:
    """A 目 inside an item: "1." or "（1）"."""

    number: int
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Item:
    """A 项 of a paragraph: "（三）…", with its 目."""

    number: int | None
    label: str
    start: int
    end: int
    subitems: tuple[Subitem, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A 款 of an article: its own line(s) (the lead-in of its items), then its items."""

    number: int  # 1-based; the article's first line is 款 1
    start: int
    end: int  # end of the whole paragraph, items included
    lead_end: int  # end of the paragraph's own text, before its first item
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Article:
    """A 条: its number as a number and as written, its section path and its paragraphs."""

    number: int
    suffix: int  # 1 for 第十条之一, else 0
    key: str  # "19", "10-1"
    label: str  # "第十九条", "第十条之一", as written
    start: int
    end: int
    section: str | None  # 编/章/节 path, e.g. "第二章 中医药服务"
    paragraphs: tuple[Paragraph, ...] = ()


@dataclass(frozen=True)
class Heading:
    """A 编/分编/章/节 heading (or any Markdown heading) of the text."""

    level: int
    title: str  # whitespace collapsed: "第一章 总则"
    start: int
    end: int
    kind: str | None = None  # "编", "分编", "章", "节"
    number: int | None = None


@dataclass(frozen=True)
class Loose:
    """A line of text outside any article: title, history, preamble, 序言, an annex."""

    start: int
    end: int
    section: str | None


@dataclass(frozen=True)
class LegalText:
    """A legal text's structure; every unit holds offsets into the text."""

    articles: tuple[Article, ...]
    headings: tuple[Heading, ...]
    loose: tuple[Loose, ...]
    toc: tuple[int, int] | None = None  # the 目录 block, if any
    _by_key: dict[str, Article] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for article in self.articles:
            self._by_key.setdefault(article.key, article)

    def article(self, key: str) -> Article | None:
        """The (first) article with this key ("19", "10-1"), or None."""
        return self._by_key.get(key)

    def keys(self) -> list[str]:
        """The article keys in reading order, each once."""
        return list(self._by_key)


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a passage (a 款's own text or one 项), offsets into the passage."""

    text: str  # verbatim; may span hard-wrapped lines
    start: int
    paragraph: int | None = None  # the 款 number in the article, 1-based
    item: int | None = None  # the 项 number ("（三）" → 3); None for a paragraph's own text
    lead_in: tuple[int, int] | None = None  # an item's paragraph text, as passage offsets
    item_label: str | None = None  # "（三）" as written

    @property
    def end(self) -> int:
        """Offset just past the unit in the passage."""
        return self.start + len(self.text)


# --- structure ---------------------------------------------------------------------------------


class _ArticleBuilder:
    def __init__(self, line: Line, section: str | None) -> None:
        number, suffix, label = line.info
        self.head = (number, suffix, label, line.start, section)
        self.paragraphs: list[list[Any]] = []  # [start, lead_end, items]
        self.paragraph(line)

    def paragraph(self, line: Line) -> None:
        self.paragraphs.append([line.start, line.end, []])

    def item(self, line: Line) -> None:
        self.paragraphs[-1][2].append([line, []])

    def sub(self, line: Line) -> None:
        items = self.paragraphs[-1][2]
        if items:
            items[-1][1].append(line)
        else:  # a numbered list straight under a paragraph: its items
            self.item(Line("item", line.start, line.end, line.info))

    def build(self) -> Article:
        number, suffix, label, start, section = self.head
        paragraphs = []
        for index, (p_start, lead_end, items) in enumerate(self.paragraphs, 1):
            built = tuple(
                Item(
                    line.info[0],
                    line.info[1],
                    line.start,
                    max([line.end, *(s.end for s in subs)]),
                    tuple(Subitem(s.info[0], s.info[1], s.start, s.end) for s in subs),
                )
                for line, subs in items
            )
            end = built[-1].end if built else lead_end
            paragraphs.append(Paragraph(index, p_start, end, lead_end, built))
        end = paragraphs[-1].end
        key = article_key(number, suffix)
        return Article(number, suffix, key, label, start, end, section, tuple(paragraphs))


def parse_legal(text: str) -> LegalText | None:
    """The structure of a legal text, or None when the text is not built of articles."""
    if not is_legal(text):
        return None
    marker = text.find(INFO_END)
    body_start = marker + len(INFO_END) if marker >= 0 else 0
    articles: list[Article] = []
    headings: list[Heading] = []
    loose: list[Loose] = []
    path: list[tuple[int, str]] = []
    current: _ArticleBuilder | None = None
    toc: list[int] = []  # [start, end] of the 目录 block while it is open or once closed
    toc_first: tuple[int | None, str] | str | None = None  # the first heading listed in it
    toc_open = False
    seen_article = False

    def section() -> str | None:
        return " > ".join(title for _, title in path) or None

    def close() -> None:
        nonlocal current
        if current is not None:
            articles.append(current.build())
            current = None

    after_heading = False
    lines = list(logical_lines(text, body_start=body_start))
    for index, line in enumerate(lines):
        kind = line.kind
        if kind == "text" and seen_article and _is_caption(text, lines, index):
            # A chapter title that lost its 第X章 ("法律责任" between two articles).
            kind = line.kind = "caption"
        previous_heading, after_heading = after_heading, kind in ("heading", "md", "caption")
        if toc_open:
            is_heading = kind in ("heading", "md")
            if is_heading and _heading_id(line) == toc_first:  # the listing is over
                toc_open = False
                path = []
            elif kind == "article":  # never repeated: the listed headings were the real ones
                toc_open = False
            else:
                if is_heading and toc_first is None:
                    toc_first = _heading_id(line)
                if is_heading:
                    _push(path, line)  # if the listing is never repeated, its path stands
                toc[1] = line.end
                continue
        if kind == "toc" and not seen_article and not toc:
            close()
            toc[:] = [line.start, line.end]
            toc_open = True
        elif kind in ("heading", "md", "caption"):
            close()
            if kind == "caption":
                # Right under a heading it is the first 节 of that chapter ("一般规定").
                level = path[-1][0] + previous_heading if path else _CHAPTER
                line.info = (level, text[line.start : line.end], None, None)
            _push(path, line)
            level, title = _heading_parts(line)
            label = HEADING.match(title)
            headings.append(
                Heading(
                    level,
                    title,
                    line.start,
                    line.end,
                    _KINDS.get(label.group(2), label.group(2)) if label else None,
                    parse_number(label.group(1)) if label else None,
                )
            )
        elif kind == "article":
            close()
            seen_article = True
            current = _ArticleBuilder(line, section())
        elif current is not None and kind == "item":
            current.item(line)
        elif current is not None and kind == "sub":
            current.sub(line)
        elif current is not None and kind == "text":
            current.paragraph(line)
        elif kind in ("title", "comment"):
            continue
        elif kind == "text" and previous_heading and _heading_tail(text, line):
            # A heading wrapped onto a second line ("…乡长、" / "副乡长…的选举"): one title.
            head = headings[-1]
            title = f"{head.title}{text[line.start : line.end].strip(SPACES)}"
            headings[-1] = Heading(head.level, title, head.start, line.end, head.kind, head.number)
            path[-1] = (path[-1][0], title)
        else:  # text outside any article, or an annex that ends the last one
            close()
            loose.append(Loose(line.start, line.end, section()))
    close()
    toc_span = (toc[0], toc[1]) if len(toc) >= 2 else None
    return LegalText(tuple(articles), tuple(headings), tuple(loose), toc_span)


def _is_caption(text: str, lines: list[Line], index: int) -> bool:
    """A short line with no sentence in it, before an article, a heading or another such line."""
    line = lines[index]
    if line.end - line.start > _CAPTION_MAX or _SENTENCE_MARK.search(text[line.start : line.end]):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else None
    if following is None:
        return False
    if following.kind in ("article", "heading", "md"):
        return True
    return (
        following.kind == "text" and index + 2 < len(lines) and _is_caption(text, lines, index + 1)
    )


def _heading_tail(text: str, line: Line) -> bool:
    body = text[line.start : line.end]
    return line.end - line.start <= HEADING_MAX and not any(c in body for c in "。；：:")


def _heading_parts(line: Line) -> tuple[int, str]:
    if line.kind == "md":
        level, title = line.info
    else:
        level, title = line.info[0], line.info[1]
    return level, re.sub(r"[\s\u3000]+", " ", title).strip()


def _heading_id(line: Line) -> tuple[int | None, str] | str:
    """What identifies a heading in a 目录 and in the text alike (page numbers differ)."""
    _, title = _heading_parts(line)
    label = HEADING.match(title)
    if label:
        return (parse_number(label.group(1)), label.group(2))
    return re.sub(r"[\s.·…\d]+$", "", title).replace(" ", "")


def _push(path: list[tuple[int, str]], line: Line) -> None:
    level, title = _heading_parts(line)
    path[:] = [(lvl, t) for lvl, t in path if lvl < level]
    path.append((level, title))


# --- quotable units of a passage -----------------------------------------------------------------


def units(text: str, paragraph_start: int = 1, *, document_text: str | None = None) -> list[Unit]:
    """A passage's quotable units: each 款's own text and each 项 with its 款's span.

    `paragraph_start` is the 款 number of the passage's first paragraph (a later part of a
    split article starts at 款 3, say). A passage that starts inside a paragraph, at an item,
    gives its first items that paragraph's number and no lead-in. For text extracted from a
    PDF, pass the whole `document_text`: its line layout decides where paragraphs break, as it
    did when the document was chunked.
    """
    out: list[Unit] = []
    paragraph = paragraph_start - 1
    lead: tuple[int, int] | None = None
    item_unit: int | None = None  # index in out of the item that 目 lines extend
    layout = text_layout(document_text) if document_text is not None else None
    for line in logical_lines(text, layout=layout):
        kind = line.kind
        if kind == "sub" and item_unit is not None:
            head = out[item_unit]
            out[item_unit] = Unit(
                text[head.start : line.end],
                head.start,
                head.paragraph,
                head.item,
                head.lead_in,
                head.item_label,
            )
            continue
        if kind in ("item", "sub"):
            if paragraph < paragraph_start:
                paragraph = paragraph_start
            number, label = line.info
            out.append(
                Unit(text[line.start : line.end], line.start, paragraph, number, lead, label)
            )
            item_unit = len(out) - 1 if kind == "item" else None
            continue
        paragraph += 1
        lead = (line.start, line.end)
        item_unit = None
        out.append(Unit(text[line.start : line.end], line.start, paragraph))
    return out
