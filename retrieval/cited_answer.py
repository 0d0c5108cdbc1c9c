"""What the assistant says: an answer, refused or not, and the citations of its sentences.

Nothing is written that is not a sentence of a source: every sentence of an answer is quoted
verbatim from a passage and carries the marker [n] of its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.text import Language


@dataclass(frozen=True)
class Citation:
    """Where one sentence of an answer comes from."""

    n: int
    document_id: str
    chunk_id: str
    title: str
    section: str | None
    quote: str
    start: int  # offset of the quote in the document text
    url: str
    source_url: str | None
    status: str
    issued: str | None
    issuer: str | None
    doc_number: str | None
    verified: bool
    language: str
    # The version of the document quoted (kb_document_versions keeps its text); 1 for citations
    # stored before versions existed.
    version: int = 1
    # Where in a legal text: the article as written ("第十九条"), its paragraph (款) and item
    # (项), and the locator an answer names ("第十九条第一款"). None outside articles.
    article: str | None = None
    paragraph: int | None = None
    item: int | None = None
    locator: str | None = None
    # What the answer shows when it is not the whole quote: the chosen units of the passage in
    # reading order, verbatim, joined by "……" where text between them is left out (an item
    # after its paragraph's opening line "…不得含有下列内容："). None: the answer shows `quote`.
    excerpt: str | None = None


# Answer.reason of an answer given although no text mentions a term the question names.
UNMENTIONED = "unmentioned"


@dataclass(frozen=True)
class Answer:
    """What the assistant says to one question."""

    answer: str
    refused: bool
    language: Language
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    reason: str | None = None  # why it refused: "no_match", "out_of_scope", "instructions"
    # ... or "curated": a staff answer (retrieval.curated); kept in the turn's reason column,
    # so a conversation's history still shows it as one; or "unmentioned": answered, though no
    # text of the library mentions a term the question names (a gap for staff, retrieval.gaps).
    curated_id: int | None = None

    @property
    def curated(self) -> bool:
        """Whether the center's staff wrote this answer (shown as a staff answer)."""
        return self.reason == "curated"
