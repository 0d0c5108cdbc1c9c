"""Ingest's preparation: documents cut into chunks and tokenised for the keyword index, in
groups of passages, each group prepared in a background thread while the one before is embedded
(retrieval.indexer)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from queue import Full, Queue
from typing import TypeVar

from knowledge.chunking import Chunk, chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.tables import ChunkRow
from retrieval import fulltext
from retrieval.index import chunk_units
from retrieval.keyword import identifiers, tokenize

GROUP_PASSAGES = 512  # passages embedded and committed together (several documents)
T = TypeVar("T")


@dataclass(frozen=True)
class Prepared:
    """A document cut into chunks, with what the keyword index stores of each."""

    document: SourceDocument
    chunks: list[Chunk]
    tokens: list[fulltext.PassageTokens]


def groups(
    documents: Sequence[SourceDocument], size: int = GROUP_PASSAGES
) -> Iterator[list[Prepared]]:
    """Documents cut and tokenised, in groups of about `size` passages."""
    current: list[Prepared] = []
    passages = 0
    for document in documents:
        chunks = chunk_document(document)
        tokens = [index_tokens(document.meta, c) for c in chunks]
        current.append(Prepared(document, chunks, tokens))
        passages += len(chunks)
        if passages >= size:
            yield current
            current, passages = [], 0
    if current:
        yield current


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items, made by a background thread up to `depth` ahead of their consumer.

    Ingest cuts and tokenises the next group (pure Python, on one core) while the model embeds
    this one (numpy, which releases the interpreter, on the other). An error while making an
    item is raised where the consumer takes it.
    """
    # An item (in a 1-tuple, so any value can be one), an error, or None at the end.
    queue: Queue[tuple[T] | BaseException | None] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put((item,), timeout=0.2)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(None)
        except BaseException as error:  # handed to the consumer, which raises it
            queue.put(error)

    threading.Thread(target=produce, name="ingest-prepare", daemon=True).start()
    try:
        while True:
            got = queue.get()
            if got is None:
                return
            if isinstance(got, BaseException):
                raise got
            yield got[0]
    finally:
        stop.set()


def index_tokens(meta: DocumentMeta, chunk: Chunk | ChunkRow) -> fulltext.PassageTokens:
    """What the keyword index stores of a passage: its tokens (its document's title and number
    included) and each unit's, from one pass of the tokenizer over its text."""
    units = [tokenize(unit.text) for unit in chunk_units(chunk)]
    head = tokenize("\n".join([meta.title, meta.doc_number or "", chunk.section or ""]))
    tokens = [*head, *identifiers(chunk.text), *(t for unit in units for t in unit)]
    return fulltext.PassageTokens(chunk.id, chunk.document_id, tokens, units)
