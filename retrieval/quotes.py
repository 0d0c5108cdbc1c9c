"""What one citation of an answer quotes (units of a passage, or a whole article), and the
citation made of it: where the quote stands in the document, its excerpt and its locator."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.documents import DocumentMeta
from knowledge.legal_locators import locator
from retrieval.cited_answer import Citation
from retrieval.index import KnowledgeIndex, Passage
from retrieval.units import Unit, article_label_length


@dataclass
class Quote:
    """What one citation quotes: units of one passage, or the whole article body."""

    passage: Passage
    units: list[int]
    score: float
    whole: bool = False


def cite(index: KnowledgeIndex, quote: Quote, n: int, *, url_template: str) -> Citation:
    """The citation of one quote, numbered n."""
    passage = quote.passage
    meta: DocumentMeta = index.documents[passage.document_id]
    excerpt: str | None = None
    if quote.whole:
        start, end = article_label_length(passage.text), len(passage.text)
    else:
        pieces = _pieces(passage, quote.units)
        start, end = pieces[0][0], pieces[-1][1]
        if len(pieces) > 1:
            excerpt = "……".join(passage.text[a:b] for a, b in pieces)
    text = passage.text[start:end]
    offset = passage.start + start
    paragraph, item = _position(passage, quote)
    return Citation(
        n=n,
        document_id=passage.document_id,
        chunk_id=passage.id,
        title=meta.title,
        section=passage.section,
        quote=text,
        start=offset,
        url=url_template.format(
            document_id=passage.document_id,
            chunk_id=passage.id,
            start=offset,
            end=offset + len(text),
        ),
        source_url=meta.source_url,
        status=meta.status,
        issued=meta.issued,
        issuer=meta.issuer,
        doc_number=meta.doc_number,
        verified=meta.verified,
        language=meta.language,
        version=index.versions.get(passage.document_id, 1),
        article=passage.article_label,
        paragraph=paragraph,
        item=item,
        locator=locator(passage.article_label, paragraph, item) if passage.article_label else None,
        excerpt=excerpt,
    )


def _pieces(passage: Passage, units: list[int]) -> list[tuple[int, int]]:
    """The stretches of the passage a quote shows: chosen units (an item with its paragraph's
    lead-in), neighbours joined, in reading order."""
    spans: list[tuple[int, int]] = []
    chosen = sorted(set(units))
    first = passage.units[chosen[0]]
    if first.lead_in is not None and not any(
        passage.units[i].start == first.lead_in[0] for i in chosen
    ):
        spans.append(first.lead_in)
    spans += [(passage.units[i].start, passage.units[i].end) for i in chosen]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and not passage.text[merged[-1][1] : a].strip():
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def quote_length(quote: Quote) -> int:
    """How many characters a quote shows."""
    if quote.whole:
        return len(quote.passage.text)
    return sum(len(quote.passage.units[i].text) for i in set(quote.units))


def is_whole_article(passage: Passage, limit: int) -> bool:
    """A passage that holds a whole, short article (not a part of a longer one)."""
    return (
        (passage.paragraph_start or 1) == 1
        and len(passage.text) <= limit
        and bool(article_label_length(passage.text))
    )


def is_headed_section(passage: Passage, question_tokens: set[str], limit: int) -> bool:
    """A short section of a text without articles (a guide, a notice) whose heading holds a
    word of the question: 所需材料 for "需要提交哪些材料"."""
    return (
        not passage.article_key
        and len(passage.text) <= limit
        and bool(question_tokens & passage.section_tokens)
    )


def _position(passage: Passage, quote: Quote) -> tuple[int | None, int | None]:
    """The paragraph (and item) a quote stands for; none when it quotes the whole article."""
    if quote.whole or not passage.article_key:
        return None, None
    units: list[Unit] = [passage.units[i] for i in quote.units]
    paragraphs = {u.paragraph for u in units}
    if len(paragraphs) != 1:
        return None, None
    paragraph = paragraphs.pop()
    items = {u.item for u in units}
    item = items.pop() if len(items) == 1 else None
    return paragraph, item
