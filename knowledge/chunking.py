"""Split a document along its structure into citable chunks with stable, content-derived ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from knowledge.documents import SourceDocument

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


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is embedded, searched and cited."""

    id: str
    document_id: str
    section: str | None
    text: str
    start: int
    ordinal: int

    def embedding_text(self, title: str) -> str:
        """Text to embed: the passage with its document title and section as context."""
        head = f"{title} · {self.section}" if self.section else title
        return f"{head}\n{self.text}"


def chunk_document(document: SourceDocument, max_chars: int | None = None) -> list[Chunk]:
    """Cut a document into chunks that keep headings, articles and clauses whole where they fit."""
    limit = max_chars or MAX_CHARS[document.meta.language]
    text = document.text
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, units in _sections(text):
        for start, end in _pack(units, text, limit):
            body = text[start:end]
            key = f"{document.id}\n{section or ''}\n{body}"
            # A passage repeated word for word in one section gets its occurrence number.
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            suffix = f"\n#{occurrence}" if occurrence else ""
            chunk_id = hashlib.sha256((key + suffix).encode()).hexdigest()[:24]
            chunks.append(Chunk(chunk_id, document.id, section, body, start, ordinal=len(chunks)))
    return chunks


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
