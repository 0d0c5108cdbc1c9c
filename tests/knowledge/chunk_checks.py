"""What the chunking tests share: the property-test settings and the verbatim check."""

from __future__ import annotations

from hypothesis import settings

from knowledge.chunking import Chunk
from knowledge.documents import SourceDocument

PROPERTY = settings(max_examples=300, deadline=None, database=None)


def assert_verbatim(document: SourceDocument, chunks: list[Chunk]) -> None:
    """Every chunk quotes the document exactly at its recorded offset."""
    for chunk in chunks:
        assert document.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
