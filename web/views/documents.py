"""Render a document's text as safe HTML, with passage and article anchors and a highlighted quote.

Every article of a legal text gets `id="art-<key>"` ("art-19", "art-10-1") on its first line, so
a citation can link to `/documents/<id>#art-19`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from knowledge.legal import parse_legal

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+")


@dataclass(frozen=True)
class Span:
    """A passage's place in the text."""

    id: str
    start: int
    end: int


def parse_highlight(value: str | None, text_length: int) -> tuple[int, int] | None:
    """Read "start-end" from the query string; None when absent or out of range."""
    match = re.fullmatch(r"(\d{1,7})-(\d{1,7})", value or "")
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    return (start, end) if 0 <= start < end <= text_length else None


def render_document(
    text: str, passages: Sequence[Span], highlight: tuple[int, int] | None = None
) -> Markup:
    """HTML of the text: headings, paragraphs and lists; each passage in its own section."""
    anchors = article_anchors(text)
    out: list[str] = []
    cursor = 0
    for passage in sorted(passages, key=lambda p: p.start):
        if passage.start < cursor:
            continue
        out.append(_render_lines(text, cursor, passage.start, highlight, anchors))
        cited = highlight is not None and passage.start <= highlight[0] < passage.end
        css = "passage cited" if cited else "passage"
        out.append(f'<section class="{css}" id="passage-{escape(passage.id)}">')
        out.append(_render_lines(text, passage.start, passage.end, highlight, anchors))
        out.append("</section>")
        cursor = passage.end
    out.append(_render_lines(text, cursor, len(text), highlight, anchors))
    return Markup("".join(out))


def article_anchors(text: str) -> dict[int, str]:
    """Offset of each article's first line -> its anchor id ("art-19"); the first of a key wins."""
    legal = parse_legal(text)
    if legal is None:
        return {}
    anchors: dict[int, str] = {}
    for article in legal.articles:
        if article.key not in anchors.values():
            anchors[article.start] = f"art-{article.key}"
    return anchors


def _render_lines(
    text: str,
    start: int,
    end: int,
    highlight: tuple[int, int] | None,
    anchors: dict[int, str],
) -> str:
    html: list[str] = []
    in_list = False
    offset = start
    for line in text[start:end].splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        content = line.rstrip("\n")
        if not content.strip():
            continue
        heading = _HEADING.match(content)
        bullet = _BULLET.match(content)
        if bullet and not in_list:
            html.append("<ul>")
            in_list = True
        elif not bullet and in_list:
            html.append("</ul>")
            in_list = False
        if heading:
            level = min(len(heading.group(1)) + 1, 6)
            body_start = line_start + heading.start(2)
            inner = _marked(text, body_start, line_start + len(content), highlight)
            html.append(f"<h{level}>{inner}</h{level}>")
        elif bullet:
            inner = _marked(text, line_start + bullet.end(), line_start + len(content), highlight)
            html.append(f"<li>{inner}</li>")
        else:
            anchor = anchors.get(line_start + len(content) - len(content.lstrip()))
            attribute = f' id="{escape(anchor)}"' if anchor else ""
            inner = _marked(text, line_start, line_start + len(content), highlight)
            html.append(f"<p{attribute}>{inner}</p>")
    if in_list:
        html.append("</ul>")
    return "".join(html)


def _marked(text: str, start: int, end: int, highlight: tuple[int, int] | None) -> str:
    if highlight is None or highlight[1] <= start or highlight[0] >= end:
        return str(escape(text[start:end]))
    a, b = max(start, highlight[0]), min(end, highlight[1])
    return (
        f'{escape(text[start:a])}<mark id="highlight">{escape(text[a:b])}</mark>'
        f"{escape(text[b:end])}"
    )
