"""The lines of a Chinese legal text: what each one is, and hard-wrapped lines joined.

A line is an article (第十九条), a 编/章/节 heading, an item (（一）), a 目 (1. or （1）), a 目录
marker, or text. Text extracted from a PDF breaks lines mid-sentence: a line that does not end a
sentence goes on in the next one unless that one starts a unit. Joining is logical: a line keeps
offsets into the text as stored, its span simply covers several physical lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from knowledge.numerals import NUMERAL_CHARS, parse_number

SPACES = " \t\u3000\u00a0\u200b\ufeff"  # zero-width and no-break spaces occur in real files
# Everything str.splitlines() breaks at, which may end a physical line.
_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_N = rf"[{NUMERAL_CHARS}\d]+"
_CN = rf"[{NUMERAL_CHARS}]+"
# Traditional forms too (條, 編, 節): Hong Kong and Macao texts are written in them.
_ARTICLE = re.compile(rf"[{SPACES}]*(第({_N})[条條](?:之({_CN}))?)")
HEADING = re.compile(rf"[{SPACES}]*第({_N})(分编|分編|编|編|章|节|節)(?![{NUMERAL_CHARS}\d])")
_MARKDOWN = re.compile(r"(#{1,6})\s+(.+?)\s*#*\s*$")
_ITEM = re.compile(rf"[{SPACES}]*([（(]({_CN})[）)])")
_SUBITEM = re.compile(rf"[{SPACES}]*([（(](\d+)[）)]|(\d+)[.．、](?!\d))")
_TOC = re.compile(rf"[{SPACES}#]*目[{SPACES}]*录[{SPACES}]*$")
_ANNEX = re.compile(r"\s*附(?:件|表|录)[\d一二三四五六七八九十]*\s*(?:[：:]|$)")
_PAGE = re.compile(r"[-—–－_ ]*(?:第 ?)?\d{1,4}(?: ?页)?(?: ?[/／共] ?\d{1,4} ?页?)?[-—–－_ ]*")
_BULLET = re.compile(r"[-*+][ \t]+")
_PUNCTUATION = re.compile(r"[，。；：、！？,;:!?]")
_COMMENT = re.compile(r"\s*<!--.*-->\s*$")
INFO_END = "<!-- INFO END -->"
_LEGAL_LINE = re.compile(
    rf"^[{SPACES}]*第({_N})[条條](?:之({_CN}))?(?![、，,的和或及至规規中第])", re.M
)
# A line that ends like this closes its sentence; any other line may be hard-wrapped.
_ENDS = re.compile(r"[。；：！？;:!?][”’」』）)】\]\s\ue000-\uf8ff]*$")
# After "第五条" these continue a sentence that merely starts with a reference.
_REFERENCE_FOLLOW = "、，,的和或及至规規中第"
_LEVELS = {"编": 1, "編": 1, "分编": 2, "分編": 2, "章": 3, "节": 4, "節": 4}
HEADING_MAX = 40  # a plain line longer than this is prose, whatever it starts with


def is_legal(text: str) -> bool:
    """Whether the text is built of articles: at least three distinct lines start with 第X条."""
    seen: set[tuple[str, str]] = set()
    for match in _LEGAL_LINE.finditer(text):
        seen.add((match.group(1), match.group(2) or ""))
        if len(seen) >= 3:
            return True
    return False


# --- lines -------------------------------------------------------------------------------------


@dataclass
class Line:
    """A logical line: its kind, its span in the text (possibly several physical lines)."""

    kind: str  # title, pre, comment, md, heading, toc, article, item, sub, annex, text
    start: int
    end: int
    info: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Layout:
    """How a text was laid out: what PDF extraction leaves behind, measured once per text."""

    width: int | None = None  # the width lines were hard-wrapped at; None if they run free
    indented: bool = False  # paragraphs start indented, their continuation lines do not
    running: frozenset[str] = frozenset()  # page headers and footers repeated on every page


def logical_lines(text: str, body_start: int = 0, layout: Layout | None = None) -> Iterator[Line]:
    """Logical lines of the text: hard-wrapped continuations joined to their line.

    `layout` is measured on the text itself unless given: a passage cut from a document
    should pass its document's layout (`text_layout`).
    """
    layout = layout or text_layout(text)
    width, indented, running = layout.width, layout.indented, layout.running
    last_article = (0, 0)
    current: Line | None = None
    tail = 0  # length of the current unit's last physical line
    first = True
    position = 0
    for raw in text.splitlines(keepends=True):
        line_start, position = position, position + len(raw)
        body = raw.rstrip(_BREAKS)
        stripped = body.strip(SPACES)
        if not stripped:
            continue
        indent = len(body) - len(body.lstrip(SPACES))
        start = line_start + indent
        end = start + len(stripped)
        line = _classify(stripped, start, end, first, line_start < body_start, last_article)
        first = False
        if line.kind == "text" and (_PAGE.fullmatch(stripped) or stripped in running):
            continue  # a page number or running header of a PDF: not part of any unit
        if line.kind == "article":
            last_article = line.info[:2]
        if (
            line.kind == "text"
            and current is not None
            and current.kind in ("article", "item", "sub", "text")
            and (
                # Where paragraphs are indented (official PDFs), the indent alone decides.
                not indent
                if indented
                else not ends_sentence(text[max(current.start, current.end - 12) : current.end])
                # A full line that ends a sentence at the margin usually goes on below it.
                or (width is not None and tail >= width - 1)
            )
        ):
            current.end = end  # a hard-wrapped line: the unit goes on
            tail = len(stripped)
            continue
        if current is not None:
            yield current
        current = line
        tail = len(stripped)
    if current is not None:
        yield current


def ends_sentence(text: str) -> bool:
    """Whether the text ends a sentence (。；： …, perhaps followed by a closing quote)."""
    return _ENDS.search(text) is not None


def text_layout(text: str) -> Layout:
    """Measure how the text was laid out: wrap width, paragraph indent, running headers."""
    lines = [line for line in text.splitlines() if line.strip(SPACES)]
    stripped = [line.strip(SPACES) for line in lines]
    long = [line for line in stripped if len(line) >= 16]
    if len(long) < 8:
        return Layout()
    width = Counter(len(line) for line in long).most_common(1)[0][0]
    full = [line for line in long if width - 2 <= len(line) <= width + 1]
    # Wrapped text breaks mid-sentence: most of its full lines do not end a sentence.
    broken = sum(1 for line in full if not ends_sentence(line))
    if len(full) < 0.4 * len(long) or broken < 0.5 * len(full):
        return Layout()
    indents = sum(1 for line in lines if line[0] in SPACES)
    indented = 0.2 * len(lines) <= indents <= 0.8 * len(lines)
    # A running header is a short line with no sentence in it (a title, a date), page after page.
    short = Counter(
        line
        for line in stripped
        if len(line) < min(30, width - 2) and not _PUNCTUATION.search(line)
    )
    running = frozenset(line for line, n in short.items() if n >= 3)
    return Layout(width, indented, running)


def _classify(
    s: str, start: int, end: int, first: bool, preamble: bool, last: tuple[int, int]
) -> Line:
    markdown = _MARKDOWN.fullmatch(s)
    if markdown:
        level = len(markdown.group(1))
        kind = "title" if first and level == 1 else "md"
        return Line(kind, start, end, (level, markdown.group(2)))
    if _COMMENT.fullmatch(s):
        return Line("comment", start, end)
    if preamble:
        return Line("pre", start, end)
    # HTML list items arrive as "- （三）…": the item is what follows the bullet.
    bullet = _BULLET.match(s)
    if bullet:
        s = s[bullet.end() :]
    article = _ARTICLE.match(s)
    if article:
        number = parse_number(article.group(2)) or 0
        suffix = parse_number(article.group(3)) if article.group(3) else 0
        rest = s[article.end() :]
        spaced = not rest or rest[0] in SPACES
        follows = (number, suffix or 0) > last and (
            number == last[0] + 1 or (number == last[0] and suffix)
        )
        if spaced or (follows and rest[0] not in _REFERENCE_FOLLOW):
            return Line("article", start, end, (number, suffix or 0, article.group(1)))
    heading = HEADING.match(s)
    if heading and len(s) <= HEADING_MAX and not any(c in s for c in "。；，,："):
        heading_number = parse_number(heading.group(1))
        return Line(
            "heading", start, end, (_LEVELS[heading.group(2)], s, heading.group(2), heading_number)
        )
    if _TOC.fullmatch(s):
        return Line("toc", start, end)
    item = _ITEM.match(s)
    if item:
        return Line("item", start, end, (parse_number(item.group(2)), item.group(1)))
    sub = _SUBITEM.match(s)
    if sub:
        return Line("sub", start, end, (int(sub.group(2) or sub.group(3)), sub.group(1)))
    if _ANNEX.match(s):
        return Line("annex", start, end)
    return Line("text", start, end)
