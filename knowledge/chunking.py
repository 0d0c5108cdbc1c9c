"""Split a document along its structure into citable chunks with stable, content-derived ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.documents import SourceDocument
from knowledge.legal import Article, LegalText, Loose, parse_legal

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# Lines that open a unit of their own: Chinese articles (第十九条), Chinese clause numbers
# (一、 / （一）), numbered clauses (1. / 1) / (1)) and list items.
_UNIT_START = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+条"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,3}[.)、]\s"
    r"|[-*+]\s)"
)
_SENTENCE_STOP = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")

MAX_CHARS = {"zh": 420, "en": 1100}
# Bump when the same text would now be cut into other passages (2: legal texts by article), so
# that an ingest can chunk again documents whose content did not change.
CHUNKING_VERSION = 2


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is embedded, searched and cited."""

    id: str
    document_id: str
    section: str | None
    text: str
    start: int
    ordinal: int
    article_key: str | None = None  # "19", "10-1": the article this passage belongs to
    article_label: str | None = None  # "第十九条", as written
    paragraph_start: int | None = None  # 1-based 款 number of the passage's first paragraph

    def embedding_head(self, title: str) -> str:
        """What is embedded before the passage: its title, section and article label, a line."""
        head = f"{title} · {self.section}" if self.section else title
        if self.article_label:
            # A later part of a split article does not start with its number: say it here.
            head = f"{head} · {self.article_label}"
        return f"{head}\n"

    def embedding_text(self, title: str) -> str:
        """Text to embed: the passage with its title, section and article label as context."""
        return self.embedding_head(title) + self.text


def chunk_document(document: SourceDocument, max_chars: int | None = None) -> list[Chunk]:
    """Cut a document into chunks that keep headings, articles and clauses whole where they fit."""
    limit = max_chars or MAX_CHARS[document.meta.language]
    text = document.text
    legal = parse_legal(text)
    pieces = _legal_pieces(legal, text, limit) if legal else _plain_pieces(text, limit)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for piece in pieces:
        body = text[piece.start : piece.end]
        key = f"{document.id}\n{piece.section or ''}\n{body}"
        if piece.article is not None:
            key = f"{document.id}\n{piece.section or ''}\n{piece.article.key}\n{body}"
        # A passage repeated word for word in one section gets its occurrence number.
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        suffix = f"\n#{occurrence}" if occurrence else ""
        chunk_id = hashlib.sha256((key + suffix).encode()).hexdigest()[:24]
        article = piece.article
        chunks.append(
            Chunk(
                chunk_id,
                document.id,
                piece.section,
                body,
                piece.start,
                ordinal=len(chunks),
                article_key=article.key if article else None,
                article_label=article.label if article else None,
                paragraph_start=piece.paragraph if article else None,
            )
        )
    return chunks


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    section: str | None
    article: Article | None = None
    paragraph: int | None = None


def _plain_pieces(text: str, limit: int) -> list[_Piece]:
    """Heading-based passages: units packed up to the limit within each section."""
    return [
        _Piece(start, end, section)
        for section, units in _sections(text)
        for start, end in _pack(units, text, limit)
    ]


def _legal_pieces(legal: LegalText, text: str, limit: int) -> list[_Piece]:
    """One passage per article (split at 款, then 项, when too long); loose text packed apart."""
    pieces: list[_Piece] = []
    loose: list[tuple[int, int]] = []
    loose_section: str | None = None

    def flush_loose() -> None:
        for start, end in _pack(loose, text, limit):
            pieces.append(_Piece(start, end, loose_section))
        loose.clear()

    parts: list[Article | Loose] = sorted([*legal.articles, *legal.loose], key=lambda p: p.start)
    for part in parts:
        if isinstance(part, Article):
            flush_loose()
            pieces.extend(_article_pieces(part, text, limit))
            continue
        if loose and part.section != loose_section:
            flush_loose()
        loose_section = part.section
        loose.append((part.start, part.end))
    flush_loose()
    return pieces


def _article_pieces(article: Article, text: str, limit: int) -> list[_Piece]:
    """An article whole, or its 款 packed up to the limit; an overlong 款 cut at its 项."""
    if article.end - article.start <= limit:
        return [_Piece(article.start, article.end, article.section, article, 1)]
    # (start, end, 款 number) of the smallest parts, in order; consecutive ones are packed.
    parts: list[tuple[int, int, int]] = []
    for paragraph in article.paragraphs:
        if paragraph.end - paragraph.start <= limit:
            parts.append((paragraph.start, paragraph.end, paragraph.number))
            continue
        spans = [(paragraph.start, paragraph.lead_end)]
        spans += [(item.start, item.end) for item in paragraph.items]
        for start, end in _pack(spans, text, limit):
            parts.append((start, end, paragraph.number))
    pieces: list[_Piece] = []
    for start, end, number in parts:
        last = pieces[-1] if pieces else None
        if last is not None and end - last.start <= limit:
            pieces[-1] = _Piece(last.start, end, article.section, article, last.paragraph)
        else:
            pieces.append(_Piece(start, end, article.section, article, number))
    return pieces


def _sections(text: str) -> list[tuple[str | None, list[tuple[int, int]]]]:
    """Group the text's units (as offsets) under their heading path."""
    sections: list[tuple[str | None, list[tuple[int, int]]]] = []
    path: list[tuple[int, str]] = []
    units: list[tuple[int, int]] = []
    unit_start: int | None = None
    offset = 0

    def close_unit(at: int) -> None:
        nonlocal unit_start
        if unit_start is not None and text[unit_start:at].strip():
            units.append(_trim(text, unit_start, at))
        unit_start = None

    def close_section() -> None:
        nonlocal units
        if units:
            sections.append((" > ".join(title for _, title in path) or None, units))
        units = []

    for line in text.splitlines(keepends=True):
        heading = _HEADING.match(line)
        if heading:
            close_unit(offset)
            close_section()
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level]
            path.append((level, heading.group(2)))
        elif not line.strip():
            close_unit(offset)
        elif _UNIT_START.match(line):
            close_unit(offset)
            unit_start = offset
        elif unit_start is None:
            unit_start = offset
        offset += len(line)
    close_unit(offset)
    close_section()
    return sections


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pack(units: list[tuple[int, int]], text: str, limit: int) -> list[tuple[int, int]]:
    """Merge consecutive units up to the limit; split a unit that alone exceeds it."""
    pieces: list[tuple[int, int]] = []
    for start, end in units:
        if end - start <= limit:
            pieces.append((start, end))
        else:
            pieces.extend(_split_long(text, start, end, limit))
    packed: list[tuple[int, int]] = []
    for start, end in pieces:
        if packed and end - packed[-1][0] <= limit:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    cuts = [start]
    last_stop: int | None = None
    for match in _SENTENCE_STOP.finditer(text, start, end):
        stop = match.start()
        if stop - cuts[-1] > limit and last_stop is not None and last_stop > cuts[-1]:
            cuts.append(last_stop)  # the last sentence end that still fits
        last_stop = match.end()
    if end - cuts[-1] > limit and last_stop is not None and cuts[-1] < last_stop < end:
        cuts.append(last_stop)
    cuts.append(end)
    spans = [_trim(text, a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    out = []
    for a, b in spans:
        # A single sentence longer than the limit is cut hard rather than dropped.
        while b - a > limit:
            out.append(_trim(text, a, a + limit))
            a += limit
        if b > a:
            out.append((a, b))
    return [(a, b) for a, b in out if b > a]
